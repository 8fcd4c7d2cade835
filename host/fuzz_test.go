package host

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/landscape-go/landscape/sdk"
)

// FuzzParseBytes: sizes are at least one byte and bounded, or refused
// with a message that does not repeat the value.
func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"512MiB", "4GiB", "2G", "1", "0.5b", "0", "-1k", "1e300", "NaN", " 3 kib "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseBytes(s)
		if err != nil {
			if err.Error() == "" || strings.TrimSpace(s) != "" && strings.Contains(err.Error(), strings.TrimSpace(s)) && len(strings.TrimSpace(s)) > 3 {
				t.Fatalf("ParseBytes(%q): error %q", s, err)
			}
			return
		}
		if n < 1 || n > 1<<50 {
			t.Fatalf("ParseBytes(%q) = %d", s, n)
		}
	})
}

// FuzzParseAxes: two different indices from 0, or refused.
func FuzzParseAxes(f *testing.F) {
	for _, s := range []string{"0,1", "2,3", "0,0", "1", "-1,2", "a,b", "1,2,3", " 4 , 5 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ax, err := ParseAxes(s)
		if err != nil {
			return
		}
		if ax[0] == ax[1] || ax[0] < 0 || ax[1] < 0 || ax[0] >= MaxAxis || ax[1] >= MaxAxis {
			t.Fatalf("ParseAxes(%q) = %v", s, ax)
		}
	})
}

// FuzzParseDirection: what it accepts it writes back the same way.
func FuzzParseDirection(f *testing.F) {
	for _, s := range []string{"axis:0", "axis:12", "random", "filter", "axis:-1", "axis:", "pca", "axis:1x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDirection(s)
		if err != nil {
			return
		}
		if d.Kind == PlaneAxis && d.Axis < 0 {
			t.Fatalf("ParseDirection(%q) = %+v", s, d)
		}
		back, err := ParseDirection(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDirection(%q) = %+v, written %q, read back %+v, %v", s, d, d.String(), back, err)
		}
	})
}

// FuzzParseDuration: positive and at most a day, or refused.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30s", "2m", "1h30m", "500ms", "0", "-3s", "25h", "1e9h", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && (d <= 0 || d > 24*time.Hour) {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
	})
}

// FuzzLoadVector: numbers, a file, or FILE@K: a finite vector or an error,
// never a panic, and FILE@K is point K of the file.
func FuzzLoadVector(f *testing.F) {
	dir := f.TempDir()
	csv := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(csv, []byte("step,loss,x0,x1\n0,1,2,3\n1,0.5,4,5\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"1,2", csv, csv + "@0", csv + "@1", csv + "@2", csv + "@-1", csv + "@", "@1", "x.npy@3", "1,nan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := LoadVector(s)
		if err != nil {
			return
		}
		if len(v) == 0 {
			t.Fatalf("LoadVector(%q) = an empty vector", s)
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("LoadVector(%q) = %v", s, v)
			}
		}
		if i := strings.LastIndex(s, "@"); i > 0 && s[:i] == csv {
			k, _ := strconv.Atoi(s[i+1:])
			if v[0] != float64(2+2*k) {
				t.Fatalf("LoadVector(%q) = %v, not point %d", s, v, k)
			}
		}
	})
}

// FuzzTrajectoryJSON: a report's points, never a panic; every point of
// one length.
func FuzzTrajectoryJSON(f *testing.F) {
	for _, s := range []string{`{"records":[{"x":[1,2]},{"x":[3,null]}]}`, `{}`, `{"records":[{"x":[]}]}`, `[`, `{"records":[{"x":[1]},{"x":[1,2]}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := trajectoryJSON(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, p := range pts {
			if len(p) != len(pts[0]) {
				// Ragged points are refused where they are used (the
				// dimension is checked against the surface's).
				return
			}
		}
	})
}

// FuzzRoute: --set split between a surface and optimizers (bare names,
// surface.NAME, opt.NAME, OPT.NAME): every value goes to someone who
// declares it, or the whole is refused; optimizers' values come back
// resolved and valid.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{"A=5", "lr=0.1", "adam.lr=0.1,sgd.lr=0.2", "opt.lr=1", "surface.lr=3", "x=1", "momentum=0.9", "nesterov=true", "adam.beta1=2", "lr=0.1,adam.lr=0.2", "sgd.nesterov=maybe"} {
		f.Add(s)
	}
	surf := []sdk.Hyperparameter{{Name: "A", Default: 10, Min: 0, Max: 100}, {Name: "lr", Default: 1, Min: 0, Max: 10}}
	adam := OptEntry{OptimizerInfo: sdk.OptimizerInfo{Name: "adam", Hyperparameters: []sdk.Hyperparameter{
		{Name: "lr", Default: 0.001, Min: 0, Max: 10}, {Name: "beta1", Default: 0.9, Min: 0, Max: 1}}}}
	sgd := OptEntry{OptimizerInfo: sdk.OptimizerInfo{Name: "sgd", Hyperparameters: []sdk.Hyperparameter{
		{Name: "lr", Default: 0.01, Min: 0, Max: 10}, {Name: "momentum", Default: 0, Min: 0, Max: 1}, {Name: "nesterov", Flag: true}}}}
	opts := []OptEntry{adam, sgd}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseSettings(s)
		if err != nil {
			return
		}
		r, err := Route(set, "surf", surf, opts)
		if err != nil {
			return
		}
		// surface.NAME goes to the surface as given, for its plugin to
		// judge; a bare name only when the surface declares it.
		explicit := func(k string) bool {
			_, p := set.Params["surface."+k]
			_, t := set.Texts["surface."+k]
			return p || t
		}
		for _, m := range []map[string]bool{keysOf(r.Surface.Params), keysOf(r.Surface.Texts)} {
			for k := range m {
				if k == "" || !Declares(surf, k) && !explicit(k) {
					t.Fatalf("%q: the surface got %q, which it does not declare", s, k)
				}
			}
		}
		for _, o := range opts {
			p := r.Optimizers[o.Name]
			if len(p) != len(o.Hyperparameters) {
				t.Fatalf("%q: %s resolved to %v", s, o.Name, p)
			}
			for _, h := range o.Hyperparameters {
				if err := h.Check(p[h.Name]); err != nil {
					t.Fatalf("%q: %s: %v", s, o.Name, err)
				}
			}
		}
	})
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
