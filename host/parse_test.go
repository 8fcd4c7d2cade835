package host

import (
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

func TestParseRes(t *testing.T) {
	for _, c := range []struct {
		in     string
		nx, ny int
		bad    string
	}{
		{in: "1024", nx: 1024, ny: 1024},
		{in: "1024x768", nx: 1024, ny: 768},
		{in: " 3X2 ", nx: 3, ny: 2},
		{in: "2x65536", nx: 2, ny: 65536},
		{in: "1", bad: "below 2"},
		{in: "0x10", bad: "below 2"},
		{in: "-5", bad: "below 2"},
		{in: "65537", bad: "above 65536"},
		{in: "99999999999999999999", bad: "not a whole number"},
		{in: "10x", bad: "not a whole number"},
		{in: "axb", bad: "not a whole number"},
		{in: "1x2x3", bad: "too many"},
		{in: "", bad: "not a whole number"},
	} {
		r, err := ParseRes(c.in)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("ParseRes(%q) = %v, %v; want error containing %q", c.in, r, err, c.bad)
			}
			continue
		}
		if err != nil || r.Nx != c.nx || r.Ny != c.ny {
			t.Errorf("ParseRes(%q) = %v, %v; want %d, %d", c.in, r, err, c.nx, c.ny)
		}
		if back, err := ParseRes(r.String()); err != nil || back != r {
			t.Errorf("ParseRes(%q) does not read back: %v, %v", r.String(), back, err)
		}
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in   string
		x, y sdk.Interval
		bad  string
	}{
		{in: "-2:2,-1:3", x: sdk.Interval{Lo: -2, Hi: 2}, y: sdk.Interval{Lo: -1, Hi: 3}},
		{in: " 0:1e-3 , -1e3:1e3 ", x: sdk.Interval{Lo: 0, Hi: 1e-3}, y: sdk.Interval{Lo: -1e3, Hi: 1e3}},
		{in: "2:-2,0:1", bad: "inverted"},
		{in: "1:1,0:1", bad: "inverted"},
		{in: "0:1", x: sdk.Interval{Lo: 0, Hi: 1}}, // one parameter: x alone
		{in: "1:0", bad: "lo:hi for a surface of one parameter"},
		{in: "0:1,0:1,0:1", bad: "want x0:x1,y0:y1"},
		{in: "0-1,0:1", bad: "no ':'"},
		{in: "a:1,0:1", bad: "not a number"},
		{in: "0:inf,0:1", bad: "not finite"},
		{in: "nan:1,0:1", bad: "not finite"},
		{in: "-1e308:1e308,0:1", bad: "too wide"},
	} {
		x, y, err := ParseRange(c.in)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("ParseRange(%q) = %v, %v, %v; want error containing %q", c.in, x, y, err, c.bad)
			}
			continue
		}
		if err != nil || x != c.x || y != c.y {
			t.Errorf("ParseRange(%q) = %v, %v, %v; want %v, %v", c.in, x, y, err, c.x, c.y)
		}
	}
}

func TestParseSet(t *testing.T) {
	p, err := ParseSettings("A=5", "dim=3, b = -1.5e2", "loss=huber,csv=a,b.csv")
	if err != nil || len(p.Params) != 3 || p.Params["A"] != 5 || p.Params["dim"] != 3 || p.Params["b"] != -150 {
		t.Errorf("ParseSet = %v, %v", p, err)
	}
	if len(p.Texts) != 2 || p.Texts["loss"] != "huber" || p.Texts["csv"] != "a,b.csv" {
		t.Errorf("ParseSet texts = %v", p.Texts)
	}
	for _, c := range []struct {
		in  []string
		bad string
	}{
		{[]string{"A"}, "want name=value"},
		{[]string{"=3"}, "want name=value"},
		{[]string{"A=x", "A=1"}, "given twice"},
		{[]string{"A=NaN"}, "not finite"},
		{[]string{"A=1", "A=2"}, "given twice"},
	} {
		if _, err := ParseSettings(c.in...); err == nil || !strings.Contains(err.Error(), c.bad) {
			t.Errorf("ParseSet(%q) error = %v; want %q", c.in, err, c.bad)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "4GiB": 4 << 30, "2g": 2 << 30, "1000": 1000, "1.5 KiB": 1536} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1GiB", "0", "lots", "1e40"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) accepted", in)
		}
	}
	if s := FormatBytes(3 << 30); s != "3.0 GiB" {
		t.Errorf("FormatBytes = %q", s)
	}
}

func FuzzParseRes(f *testing.F) {
	for _, s := range []string{"1024", "1024x768", "1x1", "x", "65536x2", "-3x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRes(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		if r.Nx < 2 || r.Ny < 2 || r.Nx > MaxAxis || r.Ny > MaxAxis {
			t.Fatalf("ParseRes(%q) accepted %v", s, r)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"-2:2,-1:3", "0:1,0:1", ":,:", "1e308:-1e308,0:1", "nan:0,0:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, y, err := ParseRange(s)
		if err != nil {
			return
		}
		if y == (sdk.Interval{}) { // x alone, for one parameter
			if !(x.Lo < x.Hi) || math.IsInf(x.Hi-x.Lo, 0) || strings.Contains(s, ",") {
				t.Fatalf("ParseRange(%q) accepted %v alone", s, x)
			}
			return
		}
		for _, r := range []sdk.Interval{x, y} {
			if !(r.Lo < r.Hi) || math.IsInf(r.Hi-r.Lo, 0) || math.IsNaN(r.Lo) || math.IsNaN(r.Hi) {
				t.Fatalf("ParseRange(%q) accepted %v", s, r)
			}
		}
		p := grid.Plane{Origin: []float64{0, 0}, U: []float64{1, 0}, V: []float64{0, 1}, X: x, Y: y, Nx: 2, Ny: 2}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted range makes an invalid plane: %v", err)
		}
	})
}

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"A=5", "a=1,b=2", "=", "A=1,A=2", "x=inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSettings(s)
		if err != nil {
			return
		}
		for k, v := range p.Params {
			if k == "" || strings.ContainsAny(k, "=,") || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseSet(%q) accepted %q=%v", s, k, v)
			}
		}
		for k := range p.Texts {
			if _, dup := p.Params[k]; dup || k == "" || strings.ContainsAny(k, "=,") {
				t.Fatalf("ParseSet(%q) accepted text %q", s, k)
			}
		}
	})
}

func FuzzParseVector(f *testing.F) {
	for _, s := range []string{"1,2", "0", "", ",", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVector(s)
		if err != nil {
			return
		}
		if len(v) != strings.Count(s, ",")+1 {
			t.Fatalf("ParseVector(%q) = %v: wrong count", s, v)
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("ParseVector(%q) accepted %v", s, x)
			}
		}
	})
}

func TestParseAxesAndNames(t *testing.T) {
	if ax, err := ParseAxes(" 3, 1"); err != nil || ax != [2]int{3, 1} {
		t.Errorf("ParseAxes = %v, %v", ax, err)
	}
	for in, want := range map[string]string{"1": "two parameter indices", "1,1": "must differ", "a,1": "whole numbers", "-1,2": "whole numbers", "1,2,3": "two"} {
		if _, err := ParseAxes(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAxes(%q) = %v, want %q", in, err, want)
		}
	}
	for _, s := range []string{"auto", "gl", "cpu"} {
		if b, err := ParseBackend(s); err != nil || b.String() != s {
			t.Errorf("ParseBackend(%q) = %v, %v", s, b, err)
		}
	}
	if _, err := ParseBackend("vulkan"); err == nil || !strings.Contains(err.Error(), "accepted: auto, gl, cpu") {
		t.Errorf("ParseBackend(vulkan) = %v", err)
	}
	for _, s := range []string{"axis", "random", "filter", "pca"} {
		if k, err := ParsePlaneKind(s); err != nil || k.String() != s {
			t.Errorf("ParsePlaneKind(%q) = %v, %v", s, k, err)
		}
	}
	for _, s := range []string{"axis:0", "axis:12", "random", "filter"} {
		if d, err := ParseDirection(s); err != nil || d.String() != s {
			t.Errorf("ParseDirection(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"axis:", "axis:-1", "sideways", ""} {
		if _, err := ParseDirection(s); err == nil {
			t.Errorf("ParseDirection(%q) accepted", s)
		}
	}
}

func TestParseTopology(t *testing.T) {
	e, err := ParseEndpoint(" min3 ")
	if err != nil || e.Minimum != 3 || e.X != nil || e.Text != "min3" {
		t.Errorf("min3: %+v, %v", e, err)
	}
	e, err = ParseEndpoint("1.5,-2")
	if err != nil || e.Minimum != -1 || len(e.X) != 2 || e.X[1] != -2 {
		t.Errorf("1.5,-2: %+v, %v", e, err)
	}
	for _, bad := range []string{"min", "min-1", "minx", "1,,2", "nope.csv", ""} {
		if _, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) succeeded", bad)
		}
	}
	a, b, err := ParseEndpoints("min0:3,2")
	if err != nil || a.Minimum != 0 || b.X[0] != 3 {
		t.Errorf("min0:3,2: %+v %+v %v", a, b, err)
	}
	if a, b, err = ParseEndpoints("-1,2:min1"); err != nil || a.X[0] != -1 || b.Minimum != 1 {
		t.Errorf("-1,2:min1: %+v %+v %v", a, b, err)
	}
	for _, bad := range []string{"min0", "min0:", ":min1", "a:b", ""} {
		if _, _, err := ParseEndpoints(bad); err == nil {
			t.Errorf("ParseEndpoints(%q) succeeded", bad)
		}
	}
	for in, want := range map[string]ProfileDir{"hessian": {Hessian: true}, "axis:2": {Direction: Direction{Kind: PlaneAxis, Axis: 2}}, "filter": {Direction: Direction{Kind: PlaneFilter}}} {
		d, err := ParseProfileDir(in)
		if err != nil || d.Hessian != want.Hessian || d.Direction != want.Direction || d.Text != in {
			t.Errorf("ParseProfileDir(%q) = %+v, %v", in, d, err)
		}
	}
	for _, bad := range []string{"sideways", "axis:-1", "missing.npy"} {
		if _, err := ParseProfileDir(bad); err == nil {
			t.Errorf("ParseProfileDir(%q) succeeded", bad)
		}
	}
	if s, err := ParseSigma("2.5"); err != nil || s != 2.5 {
		t.Errorf("σ 2.5: %v %v", s, err)
	}
	for _, bad := range []string{"0", "-1", "NaN", "Inf", "x"} {
		if _, err := ParseSigma(bad); err == nil {
			t.Errorf("ParseSigma(%q) succeeded", bad)
		}
	}
}

func FuzzParseEndpoints(f *testing.F) {
	for _, s := range []string{"min0:min1", "1,2:3,4", "min0", ":", "a.csv:b.csv", "1e308:-1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := ParseEndpoints(s)
		if err != nil {
			return
		}
		for _, e := range []Endpoint{a, b} {
			if (e.Minimum < 0) == (e.X == nil) {
				t.Fatalf("%q: an endpoint %+v is neither a minimum nor a point", s, e)
			}
			for _, v := range e.X {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%q: a non-finite coordinate", s)
				}
			}
		}
	})
}

func FuzzParseSigma(f *testing.F) {
	for _, s := range []string{"1", "0", "-2", "NaN", "1e400", " 3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSigma(s)
		if err == nil && !(v > 0 && !math.IsInf(v, 0)) {
			t.Fatalf("%q gave σ %v", s, v)
		}
	})
}
