package render

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// inRect reports whether r lies inside outer.
func inRect(r, outer vg.Rectangle) bool {
	return r.Min.X >= outer.Min.X && r.Max.X <= outer.Max.X && r.Min.Y >= outer.Min.Y && r.Max.Y <= outer.Max.Y
}

// countNear counts the pixels of r within tol of c, leaving out skip.
func countNear(img *image.RGBA, r, skip image.Rectangle, c color.RGBA, tol int) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !(image.Point{X: x, Y: y}).In(skip) && chanDiff(img.RGBAAt(x, y), c) <= tol {
				n++
			}
		}
	}
	return n
}

func TestComparePNG(t *testing.T) {
	paths, curves := rosenRuns()
	f := rosenbrock(120)
	o := Options{Log: true, Title: "compare", Paths: paths, Markers: []Marker{{X: 1, Y: 1}}}

	var buf bytes.Buffer
	if err := ComparePNG(&buf, f, o, curves); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, buf.Bytes()).Bounds(); b.Dx() != 1600 || b.Dy() != 700 {
		t.Errorf("default image is %dx%d, want 1600x700", b.Dx(), b.Dy())
	}
	o2 := o
	o2.Width, o2.Height = 1000, 450
	buf.Reset()
	if err := ComparePNG(&buf, f, o2, curves); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, buf.Bytes()).Bounds(); b.Dx() != 1000 || b.Dy() != 450 {
		t.Errorf("image is %dx%d, want 1000x450", b.Dx(), b.Dy())
	}

	img, cl, err := compare(f, nil, o, curves)
	if err != nil {
		t.Fatal(err)
	}
	cv := canvas{dpi: int(cl.left.dpi), h: img.Bounds().Dy()}
	if cl.left.data.Max.X >= cl.right.Min.X {
		t.Errorf("the heatmap %v and the curves %v overlap", cl.left.data, cl.right)
	}
	t.Run("right panel", func(t *testing.T) {
		right := cv.pixels(cl.right)
		if right.Dx() < 300 || right.Dy() < 300 {
			t.Fatalf("curves' data area %v is small", right)
		}
		white := countNear(img, right, image.Rectangle{}, color.RGBA{255, 255, 255, 255}, 0)
		if white > right.Dx()*right.Dy()*99/100 {
			t.Errorf("the curves' area is blank: %d of %d pixels white", white, right.Dx()*right.Dy())
		}
		legend := cv.pixels(cl.legend)
		// The last run diverges within a few steps, along the frame.
		for i := range curves[:3] {
			if n := countNear(img, right, legend, PathColor(i), 10); n < 20 {
				t.Errorf("curve %d: %d pixels of PathColor(%d) = %v outside the legend", i, n, i, PathColor(i))
			}
		}
		if cl.legend == (vg.Rectangle{}) || !inRect(cl.legend, cl.right) {
			t.Errorf("curves' legend %v is missing or not inside %v", cl.legend, cl.right)
		}
		if cl.rightLabel != "loss" {
			t.Errorf("loss axis labelled %q, want %q", cl.rightLabel, "loss")
		}
		if cl.left.legend == (vg.Rectangle{}) {
			t.Error("no legend on the heatmap")
		}
	})

	t.Run("zero and NaN losses", func(t *testing.T) {
		cs := []Curve{
			{Label: "zero", Loss: []float64{5, 2, 0, 0}},
			{Label: "nan", Loss: []float64{4, 1, math.NaN(), 3}},
			{Label: "inf", Loss: []float64{3, math.Inf(1)}},
			{Label: "negative", Loss: []float64{1, -2, -1}},
			{Label: "empty"},
			{Loss: []float64{math.NaN()}},
		}
		ps := make([]Path, len(cs))
		for i := range ps {
			ps[i] = Path{Label: cs[i].Label, Points: [][2]float64{{-1, float64(i) / 3}, {1, float64(i) / 3}}}
		}
		img, cl, err := compare(f, nil, Options{Width: 900, Height: 400, Paths: ps}, cs)
		if err != nil {
			t.Fatal(err)
		}
		if cl.rightLabel != labelLossShifted {
			t.Errorf("loss axis labelled %q, want %q", cl.rightLabel, labelLossShifted)
		}
		cv := canvas{dpi: int(cl.left.dpi), h: img.Bounds().Dy()}
		if n := countNear(img, cv.pixels(cl.right), cv.pixels(cl.legend), PathColor(0), 10); n < 20 {
			t.Errorf("curve 0 barely drawn (%d pixels)", n)
		}
		set := prepareCurves(cs)
		if got := []int{len(set.ys[0]), len(set.ys[1]), len(set.ys[2]), len(set.ys[3]), len(set.ys[4]), len(set.ys[5])}; !slices.Equal(got, []int{4, 2, 1, 3, 0, 0}) {
			t.Errorf("curve lengths %v, want [4 2 1 3 0 0]", got)
		}
		if want := []bool{false, true, true, false, false, true}; !slices.Equal(set.cut, want) {
			t.Errorf("cut %v, want %v", set.cut, want)
		}
		if !set.shifted || !(set.lo > 0) || set.ys[3][1] != set.lo {
			t.Errorf("shifted %v, lo %v: the least loss (-2) should plot lowest and positive", set.shifted, set.lo)
		}
		// Shifting keeps order and differences.
		if d := set.ys[0][0] - set.ys[0][1]; math.Abs(d-3) > 1e-9 {
			t.Errorf("shifted 5 and 2 differ by %v", d)
		}
	})

	t.Run("diverging curve leaves the top", func(t *testing.T) {
		set := prepareCurves([]Curve{{Loss: []float64{10, 1, 0.1}}, {Loss: []float64{10, 1e6, 1e40, math.NaN()}}})
		if !set.clipped || set.hi != 10*climb {
			t.Errorf("hi %v, clipped %v; want the axis capped at %v", set.hi, set.clipped, 10*climb)
		}
	})

	t.Run("positive losses are not shifted", func(t *testing.T) {
		set := prepareCurves([]Curve{{Loss: []float64{10, 1, 1e-9}}})
		if set.shifted || set.lo != 1e-9 || set.hi != 10 {
			t.Errorf("shifted %v, range [%v, %v], want unshifted [1e-9, 10]", set.shifted, set.lo, set.hi)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			o      Options
			curves []Curve
			want   string
		}{
			{"fewer curves", Options{Paths: paths}, curves[:2], "2 curves for 4 paths"},
			{"curves without paths", Options{}, curves, "4 curves for 0 paths"},
			{"too small", Options{Width: 200, Height: 130, Paths: paths}, curves, "no room"},
			{"bad size", Options{Width: -1, Paths: paths}, curves, "width -1"},
			{"bad colormap", Options{Colormap: "nope", Paths: paths}, curves, "unknown colormap"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var w countWriter
				err := ComparePNG(&w, f, tc.o, tc.curves)
				if err == nil {
					t.Fatal("ComparePNG succeeded")
				}
				if !strings.HasPrefix(err.Error(), "render: ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q, want it to contain %q", err, tc.want)
				}
				if w.n != 0 {
					t.Errorf("%d bytes written despite the error", w.n)
				}
			})
		}
		var w countWriter
		if err := ComparePNG(&w, nil, Options{}, nil); err == nil || w.n != 0 {
			t.Errorf("nil field: err %v, %d bytes", err, w.n)
		}
	})
}

func TestLogAxisTicks(t *testing.T) {
	labels := func(lo, hi float64, n int) []string {
		var out []string
		for _, tk := range (logAxisTicks{n: n}).Ticks(lo, hi) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
			if tk.Value < lo*(1-1e-9) || tk.Value > hi*(1+1e-9) {
				t.Errorf("Ticks(%v, %v): tick %v outside the range", lo, hi, tk.Value)
			}
		}
		return out
	}
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []string
	}{
		{1e-3, 1e3, 8, []string{"0.001", "0.01", "0.1", "1", "10", "100", "1000"}},
		{1e-3, 1e3, 4, []string{"0.01", "1", "100"}},
		{1e-30, 1e5, 5, []string{"1e-30", "1e-20", "1e-10", "1"}},
		{1.5, 30, 5, []string{"2", "5", "10", "20"}},
	} {
		if got := labels(tc.lo, tc.hi, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Ticks(%v, %v) with n %d labels %q, want %q", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
	if got := labels(3.1, 3.4, 5); len(got) < 2 {
		t.Errorf("Ticks(3.1, 3.4) labels %q, want at least two", got)
	}
}
