package render

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

var examples = flag.String("examples", "", "write example images of PNG with paths, ComparePNG and BasinsPNG to this directory")

// nearPixel is the smallest chanDiff between want and the pixels within r
// of (px, py).
func nearPixel(img *image.RGBA, px, py float64, r int, want color.RGBA) int {
	best := 256
	for y := int(py) - r; y <= int(py)+r; y++ {
		for x := int(px) - r; x <= int(px)+r; x++ {
			best = min(best, chanDiff(img.RGBAAt(x, y), want))
		}
	}
	return best
}

// differing counts the pixels of r where a and b differ by more than tol.
func differing(a, b *image.RGBA, r image.Rectangle, tol int) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if chanDiff(a.RGBAAt(x, y), b.RGBAAt(x, y)) > tol {
				n++
			}
		}
	}
	return n
}

func dataPixels(fr frame) image.Rectangle {
	cv := canvas{dpi: int(fr.dpi), h: fr.height}
	return cv.pixels(fr.data)
}

// TestPathColor: PathStyles distinct styles, opaque; the first eight
// solid in the Okabe–Ito colours, the next eight dash-dotted in colours
// of their own, each far from every other colour (at least 40 of 255 in
// some channel); then they repeat.
func TestPathColor(t *testing.T) {
	if PathStyles != 16 {
		t.Fatalf("PathStyles = %d, want 16", PathStyles)
	}
	for i := 0; i < PathStyles; i++ {
		c := PathColor(i)
		if c.A != 255 {
			t.Errorf("PathColor(%d) = %v is not opaque", i, c)
		}
		if PathDashed(i) != (i >= 8) {
			t.Errorf("PathDashed(%d) = %v", i, PathDashed(i))
		}
		for j := 0; j < i; j++ {
			if d := chanDiff(c, PathColor(j)); d < 40 {
				t.Errorf("PathColor(%d) = %v is within %d of PathColor(%d) = %v", i, c, d, j, PathColor(j))
			}
		}
	}
	if PathColor(0) != (color.RGBA{0xe6, 0x9f, 0x00, 255}) || PathColor(1) != (color.RGBA{0x56, 0xb4, 0xe9, 255}) {
		t.Errorf("the first styles are not Okabe–Ito's orange and sky blue: %v %v", PathColor(0), PathColor(1))
	}
	if PathColor(16) != PathColor(0) || PathColor(-1) != PathColor(15) || !PathDashed(-1) || PathDashed(16) {
		t.Error("the styles do not repeat after 16")
	}
}

func TestPaths(t *testing.T) {
	f := bowl() // x in [-2, 2], y in [-1, 1]
	base := Options{Width: 600, Height: 450, Levels: -1}
	plain, fr, err := render(f, base)
	if err != nil {
		t.Fatal(err)
	}
	if fr.legend != (vg.Rectangle{}) {
		t.Errorf("a legend %v without paths", fr.legend)
	}
	paths := []Path{
		{Label: "gd", Points: [][2]float64{{-1.6, 0.6}, {-0.4, 0.6}, {0.2, 0.1}, {0, 0}}},
		{Label: "adam", Points: [][2]float64{{-1.6, -0.6}, {0.4, -0.6}, {1.2, 0.2}}},
		{Label: "diverged", Points: [][2]float64{{1.5, 0.7}, {1.5, 0.2}, {1.0, -0.3}, {math.NaN(), math.NaN()}, {0, 0}}},
	}
	o := base
	o.Paths = paths
	img, pfr, err := render(f, o)
	if err != nil {
		t.Fatal(err)
	}
	if pfr.data != fr.data {
		t.Fatalf("paths moved the data area: %v, was %v", pfr.data, fr.data)
	}

	t.Run("segment colours", func(t *testing.T) {
		for i, mid := range [][2]float64{{-1, 0.6}, {-0.6, -0.6}, {1.5, 0.45}} {
			px, py := fr.pixel(mid[0], mid[1])
			if d := nearPixel(img, px, py, 1, PathColor(i)); d > 12 {
				t.Errorf("path %d: pixels at its segment midpoint (%.0f, %.0f) differ from PathColor(%d) = %v by %d/255; centre %v",
					i, px, py, i, PathColor(i), d, img.RGBAAt(int(px), int(py)))
			}
			if d := nearPixel(plain, px, py, 1, PathColor(i)); d <= 12 {
				t.Fatalf("the heatmap itself has path %d's colour at (%.0f, %.0f); the test proves nothing", i, px, py)
			}
		}
	})

	t.Run("diverged path ends at its last finite point", func(t *testing.T) {
		px, py := fr.pixel(1.0, -0.3)
		if d := nearPixel(img, px, py, 1, PathColor(2)); d > 12 {
			t.Errorf("no end marker in PathColor(2) at the last finite point (%.0f, %.0f): off by %d", px, py, d)
		}
		// Nothing is drawn past the NaN: the point after it, (0, 0), is
		// path 0's end, so look between (1, -0.3) and (0, 0) instead.
		qx, qy := fr.pixel(0.5, -0.15)
		if d := nearPixel(img, qx, qy, 2, PathColor(2)); d <= 12 {
			t.Errorf("path 2 continues past its NaN point (pixel near (%.0f, %.0f))", qx, qy)
		}
	})

	t.Run("legend", func(t *testing.T) {
		lr := pfr.legend
		if lr.Max.X <= lr.Min.X || lr.Max.Y <= lr.Min.Y {
			t.Fatalf("no legend box (%v)", lr)
		}
		d := pfr.data
		if lr.Min.X < d.Min.X || lr.Max.X > d.Max.X || lr.Min.Y < d.Min.Y || lr.Max.Y > d.Max.Y {
			t.Errorf("legend %v is not inside the data area %v", lr, d)
		}
		// In a corner: touching (within its inset) two perpendicular sides.
		near := func(a, b float64) bool { return math.Abs(a-b) < 10 }
		side := (near(float64(lr.Min.X), float64(d.Min.X)) || near(float64(lr.Max.X), float64(d.Max.X))) &&
			(near(float64(lr.Min.Y), float64(d.Min.Y)) || near(float64(lr.Max.Y), float64(d.Max.Y)))
		if !side {
			t.Errorf("legend %v is not in a corner of %v", lr, d)
		}
		cv := canvas{dpi: int(pfr.dpi), h: pfr.height}
		box := cv.pixels(lr)
		if n := differing(img, plain, box, 40); n < box.Dx()*box.Dy()/20 {
			t.Errorf("only %d of %d pixels of the legend box differ from the render without paths", n, box.Dx()*box.Dy())
		}
		// The labels' text shows there.
		o2 := o
		o2.Paths = append([]Path(nil), paths...)
		for i := range o2.Paths {
			o2.Paths[i].Label = strings.ToUpper(o2.Paths[i].Label) + " RUN"
		}
		relabelled, _, err := render(f, o2)
		if err != nil {
			t.Fatal(err)
		}
		if n := differing(img, relabelled, box, 40); n < 30 {
			t.Errorf("changing the labels changed only %d pixels of the legend", n)
		}
		// Unlabelled paths have no legend.
		o3 := o
		o3.Paths = []Path{{Points: paths[0].Points}}
		_, fr3, err := render(f, o3)
		if err != nil {
			t.Fatal(err)
		}
		if fr3.legend != (vg.Rectangle{}) {
			t.Errorf("legend %v for unlabelled paths", fr3.legend)
		}
	})

	t.Run("clipped to the data area", func(t *testing.T) {
		o := base
		o.Paths = []Path{
			{Label: "leaves", Points: [][2]float64{{0, 0}, {1, 0.5}, {10, 10}, {1e300, -1e300}, {-1.9, -0.9}, {-5, 0}}},
			{Label: "far", Points: [][2]float64{{-1e308, 1e308}, {1e308, -1e308}, {math.MaxFloat64, math.MaxFloat64}}},
			{Label: "outside", Points: [][2]float64{{3, 3}, {4, 4}}},
			{Label: "nan start", Points: [][2]float64{{math.NaN(), 0}, {0, 0}}},
			{Label: "inf", Points: [][2]float64{{0.5, 0.5}, {math.Inf(1), 0}}},
			{Label: "empty"},
			{Label: "single", Points: [][2]float64{{-1, -0.5}}},
		}
		img, fr2, err := render(f, o)
		if err != nil {
			t.Fatal(err)
		}
		inner := dataPixels(fr2)
		b := img.Bounds()
		outside := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if !(image.Point{X: x, Y: y}).In(inner) && img.RGBAAt(x, y) != plain.RGBAAt(x, y) {
					outside++
				}
			}
		}
		if outside > 0 {
			t.Errorf("%d pixels outside the data area changed", outside)
		}
		// The line from (1, 0.5) towards (10, 10) is drawn up to the frame.
		px, py := fr.pixel(1.2, 0.5+9.5*0.2/9)
		if d := nearPixel(img, px, py, 2, PathColor(0)); d > 12 {
			t.Errorf("path 0 is not drawn where it heads out of the frame (%.0f, %.0f): off by %d", px, py, d)
		}
	})
}

func TestPathsPNG(t *testing.T) {
	// Through the public API, on every colormap, writing nothing on error.
	for _, cm := range Colormaps() {
		var buf bytes.Buffer
		o := Options{Width: 300, Height: 240, Colormap: cm, Paths: []Path{{Label: "a", Points: [][2]float64{{-1, -1}, {1, 1}}}}}
		if err := PNG(&buf, bowl(), o); err != nil {
			t.Fatalf("%s: %v", cm, err)
		}
		decode(t, buf.Bytes())
	}
	var w countWriter
	err := PNG(&w, bowl(), Options{Width: 10, Paths: []Path{{Label: "a"}}})
	if err == nil || w.n != 0 || !strings.HasPrefix(err.Error(), "render: ") {
		t.Errorf("bad size with paths: err %v, %d bytes written", err, w.n)
	}
}

// Optimizer runs on analytic surfaces, for examples and curve tests.

type grad2 func(x, y float64) (f, gx, gy float64)

func rosenGrad(x, y float64) (float64, float64, float64) {
	return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x), -2*(1-x) - 400*x*(y-x*x), 200 * (y - x*x)
}

func himmelGrad(x, y float64) (float64, float64, float64) {
	a, b := x*x+y-11, x+y*y-7
	return a*a + b*b, 4*x*a + 2*b, 2*a + 4*y*b
}

// run is one optimizer run: its path and loss per step.
func run(g grad2, x, y float64, steps int, update func(k int, gx, gy float64) (dx, dy float64)) ([][2]float64, []float64) {
	pts := [][2]float64{{x, y}}
	var loss []float64
	for k := 0; k <= steps; k++ {
		f, gx, gy := g(x, y)
		loss = append(loss, f)
		if k == steps || !finite(f) {
			break
		}
		dx, dy := update(k, gx, gy)
		x, y = x+dx, y+dy
		pts = append(pts, [2]float64{x, y})
	}
	return pts, loss
}

func gdUpdate(lr float64) func(int, float64, float64) (float64, float64) {
	return func(_ int, gx, gy float64) (float64, float64) { return -lr * gx, -lr * gy }
}

func momentumUpdate(lr, mu float64) func(int, float64, float64) (float64, float64) {
	var vx, vy float64
	return func(_ int, gx, gy float64) (float64, float64) {
		vx, vy = mu*vx-lr*gx, mu*vy-lr*gy
		return vx, vy
	}
}

func adamUpdate(lr float64) func(int, float64, float64) (float64, float64) {
	var mx, my, vx, vy float64
	const b1, b2, eps = 0.9, 0.999, 1e-8
	return func(k int, gx, gy float64) (float64, float64) {
		mx, my = b1*mx+(1-b1)*gx, b1*my+(1-b1)*gy
		vx, vy = b2*vx+(1-b2)*gx*gx, b2*vy+(1-b2)*gy*gy
		c1, c2 := 1-math.Pow(b1, float64(k+1)), 1-math.Pow(b2, float64(k+1))
		return -lr * mx / c1 / (math.Sqrt(vx/c2) + eps), -lr * my / c1 / (math.Sqrt(vy/c2) + eps)
	}
}

// rosenRuns are four optimizers from (-1.5, 2) on rosenbrock, the last of
// which diverges.
func rosenRuns() ([]Path, []Curve) {
	type opt struct {
		name  string
		steps int
		upd   func(int, float64, float64) (float64, float64)
	}
	var paths []Path
	var curves []Curve
	for _, o := range []opt{
		{"gd  lr 1e-3", 3000, gdUpdate(1e-3)},
		{"momentum  lr 2e-4, 0.9", 3000, momentumUpdate(2e-4, 0.9)},
		{"adam  lr 0.05", 3000, adamUpdate(0.05)},
		{"gd  lr 3e-3 (diverges)", 3000, gdUpdate(3e-3)},
	} {
		pts, loss := run(rosenGrad, -1.5, 2, o.steps, o.upd)
		paths = append(paths, Path{Label: o.name, Points: pts})
		curves = append(curves, Curve{Label: o.name, Loss: loss})
	}
	return paths, curves
}

func TestExamples(t *testing.T) {
	dir := *examples // -examples DIR keeps the pictures; otherwise they are only made
	if dir == "" {
		dir = t.TempDir()
	}
	write := func(name string, fn func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths, curves := rosenRuns()
	rf := rosenbrock(300)
	mk := []Marker{{X: 1, Y: 1, Label: "global min"}}
	write("paths.png", func(b *bytes.Buffer) error {
		return PNG(b, rf, Options{Log: true, Title: "rosenbrock with optimizer paths", Markers: mk, Paths: paths})
	})
	write("paths_magma.png", func(b *bytes.Buffer) error {
		return PNG(b, rf, Options{Width: 700, Height: 560, Log: true, Colormap: "magma", Markers: mk, Paths: paths})
	})
	for _, cm := range []string{"gray", "turbo", "coolwarm"} {
		write("paths_"+cm+".png", func(b *bytes.Buffer) error {
			return PNG(b, rf, Options{Width: 500, Height: 400, Log: true, Colormap: cm, Markers: mk, Paths: paths})
		})
	}
	write("compare.png", func(b *bytes.Buffer) error {
		return ComparePNG(b, rf, Options{Log: true, Title: "rosenbrock: four optimizers from (-1.5, 2)", Markers: mk, Paths: paths}, curves)
	})
	// Losses reaching ≤ 0: the shifted axis.
	hf := himmelblau(200, 5)
	var hp []Path
	var hc []Curve
	for _, st := range [][2]float64{{0, 0}, {-1, -1}, {4.5, 4.5}} {
		pts, loss := run(himmelGrad, st[0], st[1], 400, gdUpdate(0.01))
		for k := range loss {
			loss[k] -= 1e-3 // pass below zero
		}
		hp = append(hp, Path{Label: fmt.Sprintf("gd from (%g, %g)", st[0], st[1]), Points: pts})
		hc = append(hc, Curve{Loss: loss})
	}
	write("compare_shifted.png", func(b *bytes.Buffer) error {
		return ComparePNG(b, hf, Options{Width: 1200, Height: 500, Paths: hp}, hc)
	})
	g, labels, basins := himmelBasins(160, 128)
	write("basins.png", func(b *bytes.Buffer) error {
		return BasinsPNG(b, g, labels, basins, himmelblau(200, 6), Options{Title: "himmelblau: basins of gradient descent (lr 0.015, 40 steps)", Log: true})
	})
	write("basins_plain.png", func(b *bytes.Buffer) error {
		return BasinsPNG(b, g, labels, basins, nil, Options{Width: 600, Height: 450})
	})
	qg, ql, qb := quadrants()
	write("basins_quadrants.png", func(b *bytes.Buffer) error {
		return BasinsPNG(b, qg, ql, qb, nil, Options{Width: 700, Height: 500, Title: "basins"})
	})
	many := make([]Basin, maxBasins)
	ml := make([]int32, len(ql))
	for k := range ml {
		ml[k] = int32((k % qg.Nx) * len(many) / qg.Nx)
	}
	for k := range many {
		many[k] = Basin{Label: fmt.Sprintf("minimum %d", k), X: qg.XAt(k*qg.Nx/len(many)) + 0.05, Y: 1.5, Fraction: 1.0 / float64(len(many))}
	}
	write("basins_many.png", func(b *bytes.Buffer) error {
		return BasinsPNG(b, qg, ml, many, nil, Options{Width: 700, Height: 500})
	})
}

func himmelblau(n int, r float64) *compute.Field {
	return field(n, n, sdk.Interval{Lo: -r, Hi: r}, sdk.Interval{Lo: -r, Hi: r}, func(x, y float64) float64 {
		f, _, _ := himmelGrad(x, y)
		return f
	})
}

// himmelBasins runs 40 steps of gradient descent (lr 0.015) from every
// point of an nx×ny grid over [-6, 6]² on himmelblau and labels each start
// by the minimum it reached.
func himmelBasins(nx, ny int) (compute.Grid, []int32, []Basin) {
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -6, Hi: 6}, sdk.Interval{Lo: -6, Hi: 6}, nx, ny), XLabel: "x0", YLabel: "x1"}
	minima := [][2]float64{{3, 2}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}}
	labels := make([]int32, nx*ny)
	counts := make([]int, len(minima))
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			x, y := g.XAt(i), g.YAt(j)
			label := int32(NoBasin)
			for k := 0; k < 40; k++ {
				_, gx, gy := himmelGrad(x, y)
				x, y = x-0.015*gx, y-0.015*gy
				if !finite(x) || !finite(y) || math.Abs(x)+math.Abs(y) > 1e6 {
					label = Failed
					break
				}
			}
			if label != Failed {
				for m, p := range minima {
					if math.Hypot(x-p[0], y-p[1]) < 1e-2 {
						label = int32(m)
						counts[m]++
					}
				}
			}
			labels[j*nx+i] = label
		}
	}
	var basins []Basin
	for m, p := range minima {
		basins = append(basins, Basin{
			Label: fmt.Sprintf("(%.3g, %.3g)  loss 0", p[0], p[1]),
			X:     p[0], Y: p[1],
			Fraction: float64(counts[m]) / float64(nx*ny),
		})
	}
	return g, labels, basins
}
