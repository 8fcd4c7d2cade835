package render

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

var update = flag.Bool("update", false, "rewrite golden files")

// field samples fn on an nx×ny grid over x×y.
func field(nx, ny int, x, y sdk.Interval, fn func(x, y float64) float64) *compute.Field {
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, x, y, nx, ny), XLabel: "x0", YLabel: "x1"}
	f := compute.NewField(g)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			f.Values[j*nx+i] = float32(fn(g.XAt(i), g.YAt(j)))
		}
	}
	return f
}

func bowl() *compute.Field {
	return field(64, 48, sdk.Interval{Lo: -2, Hi: 2}, sdk.Interval{Lo: -1, Hi: 1}, func(x, y float64) float64 { return x*x + y*y })
}

func rosenbrock(n int) *compute.Field {
	return field(n, n, sdk.Interval{Lo: -2, Hi: 2}, sdk.Interval{Lo: -1, Hi: 3}, func(x, y float64) float64 {
		return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x)
	})
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	return img
}

func rgba(c color.Color) color.RGBA {
	return color.RGBAModel.Convert(c).(color.RGBA)
}

// chanDiff is the largest per-channel difference of a and b (alpha ignored).
func chanDiff(a, b color.RGBA) int {
	d := 0
	for _, p := range [][2]uint8{{a.R, b.R}, {a.G, b.G}, {a.B, b.B}} {
		d = max(d, int(max(p[0], p[1])-min(p[0], p[1])))
	}
	return d
}

// nearest is the smallest chanDiff between want and any pixel of img.
func nearest(img image.Image, want color.RGBA) int {
	best := 256
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			best = min(best, chanDiff(rgba(img.At(x, y)), want))
		}
	}
	return best
}

func distinct(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			seen[rgba(img.At(x, y))] = true
		}
	}
	return len(seen)
}

func TestPNG(t *testing.T) {
	hole := field(120, 90, sdk.Interval{Lo: -3, Hi: 3}, sdk.Interval{Lo: -2, Hi: 2}, func(x, y float64) float64 {
		if x*x+y*y < 1 {
			return math.NaN()
		}
		return math.Sin(x) + math.Cos(y)
	})
	wide := field(300, 100, sdk.Interval{Lo: -5, Hi: 5}, sdk.Interval{Lo: -1, Hi: 1}, func(x, y float64) float64 {
		return 20 + x*x - 10*math.Cos(2*math.Pi*x) + y*y - 10*math.Cos(2*math.Pi*y)
	})
	constant := field(50, 40, sdk.Interval{Lo: 0, Hi: 1}, sdk.Interval{Lo: 0, Hi: 1}, func(x, y float64) float64 { return 7 })
	zero := field(10, 10, sdk.Interval{Lo: 0, Hi: 1}, sdk.Interval{Lo: 0, Hi: 1}, func(x, y float64) float64 { return 0 })

	tests := []struct {
		name      string
		f         *compute.Field
		o         Options
		w, h      int
		colours   int  // at least this many distinct colours
		ends      bool // both ends of the colormap appear
		endTol    int
		nanGray   bool // the NaN colour appears
		middleish bool // the data area's centre shows the colormap's middle
	}{
		{name: "analytic bowl", f: bowl(), o: Options{Width: 500, Height: 400, Title: "bowl", Markers: []Marker{{X: 0, Y: 0, Label: "min"}}},
			w: 500, h: 400, colours: 500, ends: true, endTol: 6},
		{name: "defaults", f: bowl(), w: 1000, h: 800, colours: 1000, ends: true, endTol: 6},
		{name: "magma without contours", f: bowl(), o: Options{Width: 640, Height: 480, Colormap: "magma", Levels: -1},
			w: 640, h: 480, colours: 500, ends: true, endTol: 6},
		{name: "non-square grid", f: wide, o: Options{Width: 900, Height: 450, Colormap: "turbo", Levels: 5},
			w: 900, h: 450, colours: 1000, ends: true, endTol: 8},
		{name: "log rosenbrock", f: rosenbrock(200), o: Options{Log: true, Title: "rosenbrock  (dim 2)"},
			w: 1000, h: 800, colours: 1000, ends: true, endTol: 12},
		{name: "NaN hole", f: hole, o: Options{Width: 600, Height: 450},
			w: 600, h: 450, colours: 500, nanGray: true},
		{name: "constant field", f: constant, o: Options{Width: 400, Height: 300, Log: true},
			w: 400, h: 300, colours: 10, middleish: true},
		{name: "constant zero field", f: zero, o: Options{Width: 400, Height: 300},
			w: 400, h: 300, colours: 10, middleish: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PNG(&buf, tc.f, tc.o); err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img := decode(t, buf.Bytes())
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Fatalf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.w, tc.h)
			}
			if n := distinct(img); n < tc.colours {
				t.Errorf("%d distinct colours, want at least %d", n, tc.colours)
			}
			cm, err := Colormap(tc.o.Colormap)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ends {
				for _, end := range []float64{0, 1} {
					if d := nearest(img, cm(end)); d > tc.endTol {
						t.Errorf("colormap end t=%v %v: nearest pixel differs by %d/255, want ≤ %d", end, cm(end), d, tc.endTol)
					}
				}
			}
			if tc.nanGray {
				if d := nearest(img, nanColor(cm)); d > 2 {
					t.Errorf("NaN colour %v absent (nearest differs by %d)", nanColor(cm), d)
				}
			}
			if tc.middleish {
				_, fr, err := render(tc.f, tc.o)
				if err != nil {
					t.Fatal(err)
				}
				g := tc.f.Grid
				px, py := fr.pixel((g.X.Lo+g.X.Hi)/2, (g.Y.Lo+g.Y.Hi)/2)
				got := rgba(img.At(int(px), int(py)))
				if d := chanDiff(got, cm(0.5)); d > 6 {
					t.Errorf("constant field's centre is %v, want about %v (colormap middle)", got, cm(0.5))
				}
				if !(fr.barLo < fr.barHi) {
					t.Errorf("colourbar range [%v, %v] is empty", fr.barLo, fr.barHi)
				}
			}
		})
	}
}

// TestMarkers renders with and without markers and checks that each drawn
// marker changes the pixels around its location, and that markers outside
// the ranges change nothing.
func TestMarkers(t *testing.T) {
	f := bowl()
	base := Options{Width: 600, Height: 450, Levels: -1}
	plain, fr, err := render(f, base)
	if err != nil {
		t.Fatal(err)
	}
	cm, _ := Colormap("")
	tests := []struct {
		name    string
		m       Marker
		visible bool
	}{
		{"global minimum", Marker{X: 0, Y: 0, Label: "min"}, true},
		{"local minimum", Marker{X: 1, Y: 0.5, Style: LocalMinimum}, true},
		{"unlabelled star at a corner", Marker{X: 2, Y: -1}, true},
		{"outside x", Marker{X: 2.5, Y: 0, Label: "far"}, false},
		{"outside y", Marker{X: 0, Y: -3}, false},
		{"NaN", Marker{X: math.NaN(), Y: 0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Markers = []Marker{tc.m}
			img, _, err := render(f, o)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.visible {
				if !bytes.Equal(img.Pix, plain.Pix) {
					t.Error("a marker outside the ranges changed the image")
				}
				return
			}
			px, py := fr.pixel(tc.m.X, tc.m.Y)
			changed := 0
			for y := int(py) - 8; y <= int(py)+8; y++ {
				for x := int(px) - 8; x <= int(px)+8; x++ {
					if chanDiff(img.RGBAAt(x, y), plain.RGBAAt(x, y)) > 60 {
						changed++
					}
				}
			}
			if changed < 20 {
				t.Errorf("only %d pixels near the marker at (%.0f, %.0f) differ from the heatmap", changed, px, py)
			}
			if tc.m.Style == Minimum && tc.m.X == 0 {
				// The star's centre differs from the heatmap under it,
				// which there is the colormap's low end.
				under := plain.RGBAAt(int(px), int(py))
				if d := chanDiff(under, cm(0)); d > 6 {
					t.Errorf("heatmap at the minimum is %v, want about %v", under, cm(0))
				}
				if d := chanDiff(img.RGBAAt(int(px), int(py)), under); d < 60 {
					t.Errorf("pixel at the minimum marker %v is too close to the heatmap %v", img.RGBAAt(int(px), int(py)), under)
				}
			}
		})
	}
}

func goldenField() *compute.Field {
	return field(40, 30, sdk.Interval{Lo: -3, Hi: 3}, sdk.Interval{Lo: -2, Hi: 2}, func(x, y float64) float64 {
		return math.Sin(x)*math.Cos(y) + 0.1*x
	})
}

func TestGolden(t *testing.T) {
	o := Options{
		Width: 400, Height: 300,
		Title:   "golden",
		Markers: []Marker{{X: -1.57, Y: 0, Label: "min"}, {X: 1.57, Y: 2, Style: LocalMinimum}},
	}
	var buf bytes.Buffer
	if err := PNG(&buf, goldenField(), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden.png")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	got, exp := decode(t, buf.Bytes()), decode(t, want)
	if got.Bounds() != exp.Bounds() {
		t.Fatalf("image bounds %v, golden %v", got.Bounds(), exp.Bounds())
	}
	// Fonts are rasterised by pure Go code and agree exactly on one
	// platform; allow a few anti-aliasing differences elsewhere (FMA).
	b := got.Bounds()
	off := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if chanDiff(rgba(got.At(x, y)), rgba(exp.At(x, y))) > 16 {
				off++
			}
		}
	}
	if limit := b.Dx() * b.Dy() / 500; off > limit {
		t.Errorf("%d pixels differ from %s by more than 16/255 (limit %d); if the change is intended, rerun with -update and look at the image", off, path, limit)
	}
	// And block means must agree closely everywhere.
	const blk = 10
	for y := b.Min.Y; y+blk <= b.Max.Y; y += blk {
		for x := b.Min.X; x+blk <= b.Max.X; x += blk {
			if d := chanDiff(blockMean(got, x, y, blk), blockMean(exp, x, y, blk)); d > 6 {
				t.Fatalf("block at (%d, %d) differs from the golden image by %d/255", x, y, d)
			}
		}
	}
}

func blockMean(img image.Image, x0, y0, n int) color.RGBA {
	var r, g, b int
	for y := y0; y < y0+n; y++ {
		for x := x0; x < x0+n; x++ {
			c := rgba(img.At(x, y))
			r, g, b = r+int(c.R), g+int(c.G), b+int(c.B)
		}
	}
	k := n * n
	return color.RGBA{uint8(r / k), uint8(g / k), uint8(b / k), 255}
}

func TestColormaps(t *testing.T) {
	names := Colormaps()
	for _, want := range []string{"viridis", "magma", "inferno", "plasma", "cividis", "turbo", "gray", "coolwarm"} {
		if !slices.Contains(names, want) {
			t.Errorf("Colormaps() = %v lacks %q", names, want)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("Colormaps() = %v is not sorted", names)
	}
	hex := func(s string) color.RGBA {
		var c color.RGBA
		for i, p := range []*uint8{&c.R, &c.G, &c.B} {
			v := 0
			for _, ch := range s[1+2*i : 3+2*i] {
				v = v*16 + strings.IndexRune("0123456789abcdef", ch)
			}
			*p = uint8(v)
		}
		c.A = 255
		return c
	}
	ends := map[string][2]string{
		"viridis":  {"#440154", "#fde725"},
		"magma":    {"#000004", "#fcfdbf"},
		"inferno":  {"#000004", "#fcffa4"},
		"plasma":   {"#0d0887", "#f0f921"},
		"cividis":  {"#00224e", "#fee838"},
		"turbo":    {"#30123b", "#7a0403"},
		"gray":     {"#000000", "#ffffff"},
		"coolwarm": {"#3b4cc0", "#b40426"},
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cm, err := Colormap(name)
			if err != nil {
				t.Fatal(err)
			}
			if e, ok := ends[name]; ok {
				for i, tt := range []float64{0, 1} {
					if d := chanDiff(cm(tt), hex(e[i])); d > 2 {
						t.Errorf("%s(%v) = %v, want %s (±2)", name, tt, cm(tt), e[i])
					}
				}
			} else {
				t.Errorf("no endpoint check for %q", name)
			}
			// Clamped outside [0, 1], NaN at the low end, and continuous.
			if cm(-1) != cm(0) || cm(2) != cm(1) || cm(math.NaN()) != cm(0) {
				t.Errorf("%s is not clamped to [0, 1]", name)
			}
			for i := 0; i < 1000; i++ {
				a, b := cm(float64(i)/1000), cm(float64(i+1)/1000)
				if d := chanDiff(a, b); d > 6 {
					t.Fatalf("%s jumps by %d/255 between t=%v and %v", name, d, float64(i)/1000, float64(i+1)/1000)
				}
			}
			// The NaN colour is distinct from the colormap.
			nc := nanColor(cm)
			for i := 0; i <= 100; i++ {
				if d := chanDiff(nc, cm(float64(i)/100)); d < 20 {
					t.Fatalf("NaN colour %v is close to %s(%v) = %v", nc, name, float64(i)/100, cm(float64(i)/100))
				}
			}
		})
	}

	t.Run("defaults and case", func(t *testing.T) {
		v, _ := Colormap("viridis")
		for _, name := range []string{"", "Viridis", " VIRIDIS "} {
			cm, err := Colormap(name)
			if err != nil {
				t.Fatalf("Colormap(%q): %v", name, err)
			}
			if cm(0.3) != v(0.3) {
				t.Errorf("Colormap(%q) is not viridis", name)
			}
		}
	})

	for _, tc := range []struct{ name, suggest string }{
		{"virdis", "viridis"},
		{"magam", "magma"},
		{"grey", "gray"},
		{"cool-warm", "coolwarm"},
		{"jet-black-rainbow", ""},
	} {
		t.Run("unknown "+tc.name, func(t *testing.T) {
			cm, err := Colormap(tc.name)
			if err == nil || cm != nil {
				t.Fatalf("Colormap(%q) succeeded", tc.name)
			}
			if !errors.Is(err, ErrUnknownColormap) {
				t.Errorf("error %v does not wrap ErrUnknownColormap", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, strings.Join(names, ", ")) {
				t.Errorf("error %q does not list the accepted names", msg)
			}
			if tc.suggest != "" && !strings.Contains(msg, `did you mean "`+tc.suggest+`"`) {
				t.Errorf("error %q does not suggest %q", msg, tc.suggest)
			}
			if tc.suggest == "" && strings.Contains(msg, "did you mean") {
				t.Errorf("error %q suggests something for a far-off name", msg)
			}
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestErrors(t *testing.T) {
	allNaN := field(8, 6, sdk.Interval{Lo: 0, Hi: 1}, sdk.Interval{Lo: 0, Hi: 1}, func(x, y float64) float64 { return math.NaN() })
	infs := field(8, 6, sdk.Interval{Lo: 0, Hi: 1}, sdk.Interval{Lo: 0, Hi: 1}, func(x, y float64) float64 { return math.Inf(1) })
	short := bowl()
	short.Values = short.Values[:10]
	flat := bowl()
	flat.Grid.X = sdk.Interval{Lo: 1, Hi: 1}
	tests := []struct {
		name string
		f    *compute.Field
		o    Options
		is   error
		want string
	}{
		{"all NaN", allNaN, Options{}, ErrNoValues, "render: field has no defined values"},
		{"all infinite", infs, Options{}, ErrNoValues, "render: field has no defined values"},
		{"nil field", nil, Options{}, nil, "render: nil field"},
		{"short values", short, Options{}, nil, "holds 10 values"},
		{"empty range", flat, Options{}, nil, "x range [1, 1] is empty"},
		{"negative width", bowl(), Options{Width: -5}, nil, "width -5 pixels is out of range"},
		{"negative height", bowl(), Options{Height: -1}, nil, "height -1 pixels"},
		{"absurd width", bowl(), Options{Width: 20000, Height: 100}, nil, "width 20000"},
		{"absurd height", bowl(), Options{Height: 1 << 20}, nil, "height 1048576"},
		{"tiny", bowl(), Options{Width: 10, Height: 10}, nil, "width 10"},
		{"too narrow for the labels", bowl(), Options{Width: 128, Height: 600}, nil, "no room for the plot"},
		{"too many levels", bowl(), Options{Levels: 100000}, nil, "contour levels"},
		{"unknown colormap", bowl(), Options{Colormap: "virdis"}, ErrUnknownColormap, `did you mean "viridis"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w countWriter
			err := PNG(&w, tc.f, tc.o)
			if err == nil {
				t.Fatal("PNG succeeded")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "render: ") {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if w.n != 0 {
				t.Errorf("%d bytes written despite the error", w.n)
			}
		})
	}
}

// TestLogColourbar checks the log colourbar's labelling: loss units where
// round values fit, the coloured quantity otherwise.
func TestLogColourbar(t *testing.T) {
	tests := []struct {
		name  string
		f     *compute.Field
		label string
	}{
		{"rosenbrock", rosenbrock(101), labelLog},
		{"offset", field(30, 30, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, func(x, y float64) float64 {
			return -959 + 2000*(x*x+y*y)
		}), labelLog},
		{"tiny range at large magnitude", field(30, 30, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, func(x, y float64) float64 {
			return 1000 + 0.01*(x*x+y*y)
		}), labelLogQ},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, fr, err := render(tc.f, Options{Log: true, Width: 800, Height: 600})
			if err != nil {
				t.Fatal(err)
			}
			if fr.barLabel != tc.label {
				t.Errorf("colourbar label %q, want %q", fr.barLabel, tc.label)
			}
			if !fr.logq {
				t.Error("log colouring not used")
			}
			col, err := colourField(tc.f, true, false)
			if err != nil {
				t.Fatal(err)
			}
			bar := newColourbar(col, 400)
			labelled := 0
			for _, tk := range bar.ticks {
				if tk.v < col.lo-1e-9 || tk.v > col.hi+1e-9 {
					t.Errorf("tick %q at %v is off the bar [%v, %v]", tk.label, tk.v, col.lo, col.hi)
				}
				if tk.label != "" {
					labelled++
				}
			}
			if labelled < 3 {
				t.Errorf("%d labelled ticks, want at least 3", labelled)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {0.01, "0.01"}, {500, "500"}, {2e6, "2e6"}, {5e-7, "5e-7"},
		{-959.6, "-960"}, {12345, "12300"}, {1.5e-7, "1.5e-7"}, {9.56e-7, "9.56e-7"},
	} {
		if got := formatTick(tc.v); got != tc.want {
			t.Errorf("formatTick(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []string
	}{
		{-2, 2, 4, []string{"-2", "-1", "0", "1", "2"}},
		{0, 1, 4, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{-1, 3, 4, []string{"-1", "0", "1", "2", "3"}},
		{0, 2500, 5, []string{"0", "500", "1000", "1500", "2000", "2500"}},
		{1e6, 1e6 + 4, 4, []string{"1e6", "1.000001e6", "1.000002e6", "1.000003e6", "1.000004e6"}},
	} {
		var got []string
		for _, tk := range (niceTicks{n: tc.n}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("niceTicks{%d}.Ticks(%v, %v) labels %q, want %q", tc.n, tc.lo, tc.hi, got, tc.want)
		}
	}
}

func BenchmarkPNG1024(b *testing.B) {
	f := rosenbrock(1024)
	o := Options{Log: true, Title: "rosenbrock  (dim 2)", Markers: []Marker{{X: 1, Y: 1, Label: "global min"}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := PNG(io.Discard, f, o); err != nil {
			b.Fatal(err)
		}
	}
}
