package render

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// quadrants is a 40×30 label grid over [0, 4]×[0, 3]: four quadrants
// labelled 0 (bottom left), 1 (bottom right), 2 (top left) and 3 (top
// right), the top row NoBasin and the bottom left cell Failed.
func quadrants() (compute.Grid, []int32, []Basin) {
	const nx, ny = 40, 30
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: 0, Hi: 4}, sdk.Interval{Lo: 0, Hi: 3}, nx, ny), XLabel: "u", YLabel: "v"}
	labels := make([]int32, nx*ny)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			l := int32(0)
			if i >= nx/2 {
				l++
			}
			if j >= ny/2 {
				l += 2
			}
			if j == ny-1 {
				l = NoBasin
			}
			labels[j*nx+i] = l
		}
	}
	labels[0] = Failed
	basins := []Basin{
		{Label: "(0.5, 0.5)  loss 0", X: 0.5, Y: 0.4, Fraction: 0.24},
		{Label: "(3.5, 0.5)  loss 1", X: 3.5, Y: 0.4, Fraction: 0.25},
		{Label: "(0.5, 2.5)  loss 2", X: 0.5, Y: 2.5, Fraction: 0.24},
		{Label: "(3.5, 2.5)  loss 3", X: 3.5, Y: 2.5, Fraction: 0.2333},
	}
	return g, labels, basins
}

func TestBasinsPNG(t *testing.T) {
	g, labels, basins := quadrants()
	o := Options{Width: 700, Height: 500, Title: "basins"}
	var buf bytes.Buffer
	if err := BasinsPNG(&buf, g, labels, basins, nil, o); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, buf.Bytes()).Bounds(); b.Dx() != 700 || b.Dy() != 500 {
		t.Errorf("image is %dx%d, want 700x500", b.Dx(), b.Dy())
	}
	img, fr, err := renderBasins(g, labels, basins, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	px := func(i, j int) color.RGBA {
		x, y := fr.pixel(g.XAt(i), g.YAt(j))
		return img.RGBAAt(int(x), int(y))
	}
	centres := [][2]int{{10, 7}, {30, 7}, {10, 22}, {30, 22}}
	seen := map[color.RGBA]int{}
	for k, c := range centres {
		got := px(c[0], c[1])
		if d := chanDiff(got, basinColor(k)); d > 3 {
			t.Errorf("quadrant %d's centre is %v, want basin colour %v", k, got, basinColor(k))
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("quadrants %d and %d share colour %v", prev, k, got)
		}
		seen[got] = k
	}
	if got := px(20, 29); chanDiff(got, noBasinColor) > 3 {
		t.Errorf("NoBasin strip is %v, want gray %v", got, noBasinColor)
	}
	if got := px(0, 0); chanDiff(got, failedColor) > 3 {
		t.Errorf("Failed cell is %v, want black", got)
	}
	for k := range basins {
		for _, other := range []color.RGBA{noBasinColor, failedColor} {
			if chanDiff(basinColor(k), other) < 40 {
				t.Errorf("basin colour %v is close to %v", basinColor(k), other)
			}
		}
	}
	// Stars: white-filled at each minimum.
	for _, b := range basins {
		x, y := fr.pixel(b.X, b.Y)
		if d := nearPixel(img, x, y, 1, color.RGBA{255, 255, 255, 255}); d > 10 {
			t.Errorf("no star at (%v, %v)", b.X, b.Y)
		}
	}
	// The legend beside the plot, with every colour in it.
	if fr.legend == (vg.Rectangle{}) || fr.legend.Min.X <= fr.data.Max.X {
		t.Fatalf("legend %v is not right of the plot %v", fr.legend, fr.data)
	}
	box := (canvas{dpi: int(fr.dpi), h: fr.height}).pixels(fr.legend)
	for k := -2; k < len(basins); k++ {
		if n := countNear(img, box, image.Rectangle{}, basinColor(k), 2); n < 20 {
			t.Errorf("legend has %d pixels of label %d's colour %v", n, k, basinColor(k))
		}
	}

	t.Run("with field contours", func(t *testing.T) {
		f := field(80, 60, g.X, g.Y, func(x, y float64) float64 { return (x-2)*(x-2) + (y-1.5)*(y-1.5) })
		withF, _, err := renderBasins(g, labels, basins, f, Options{Width: 700, Height: 500, Title: "basins", Levels: 8})
		if err != nil {
			t.Fatal(err)
		}
		if n := differing(withF, img, (canvas{dpi: int(fr.dpi), h: fr.height}).pixels(fr.data), 20); n < 300 {
			t.Errorf("contours changed only %d pixels", n)
		}
		// No contours: the same as no field.
		noLines, _, err := renderBasins(g, labels, basins, f, Options{Width: 700, Height: 500, Title: "basins", Levels: -1})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(noLines.Pix, img.Pix) {
			t.Error("a field without contour levels changed the image")
		}
	})

	t.Run("many basins", func(t *testing.T) {
		// 10×10 blocks of 4×3 cells, a basin each (rastrigin's lattice):
		// more basins than colours, and no two touching basins alike.
		const n = 100
		many := make([]Basin, n)
		ls := make([]int32, len(labels))
		for k := range ls {
			i, j := k%g.Nx, k/g.Nx
			ls[k] = int32(j/3*10 + i/4)
		}
		for k := range many {
			many[k] = Basin{X: math.NaN(), Fraction: 1.0 / n}
		}
		var buf bytes.Buffer
		if err := BasinsPNG(&buf, g, ls, many, nil, Options{Width: 500, Height: 400}); err != nil {
			t.Fatal(err)
		}
		if basinColor(12) != basinColor(0) {
			t.Error("basin colours do not cycle after 12")
		}
		col := basinColoring(g, ls, n)
		for k := range col {
			for _, nb := range []int{k + 1, k + 10} {
				if nb < n && (nb != k+1 || k%10 != 9) && col[k] == col[nb] {
					t.Errorf("touching basins %d and %d share colour %v", k, nb, col[k])
				}
			}
		}
		// A few basins keep their own colours.
		if c := basinColoring(g, labels, 4); c[2] != basinColor(2) {
			t.Errorf("basin 2 of 4 coloured %v", c[2])
		}
	})

	t.Run("special labels", func(t *testing.T) {
		ls := append([]int32(nil), labels...)
		for k := 0; k < 40; k++ {
			ls[k] = AtSaddle // the bottom row
		}
		img, fr, err := renderBasins(g, ls, basins, nil, o)
		if err != nil {
			t.Fatal(err)
		}
		x, y := fr.pixel(g.XAt(20), g.YAt(0))
		if got := img.RGBAAt(int(x), int(y)); chanDiff(got, atSaddleColor) > 3 {
			t.Errorf("an AtSaddle cell is %v, want white", got)
		}
		for _, c := range []color.RGBA{noBasinColor, failedColor} {
			if chanDiff(atSaddleColor, c) < 40 {
				t.Errorf("the saddle colour is close to %v", c)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		bad := func(k int, v int32) []int32 {
			l := append([]int32(nil), labels...)
			l[k] = v
			return l
		}
		flat := g
		flat.Nx = 1
		other := field(20, 20, sdk.Interval{Lo: -1, Hi: 4}, g.Y, func(x, y float64) float64 { return x })
		nanF := field(20, 20, g.X, g.Y, func(x, y float64) float64 { return math.NaN() })
		tooMany := make([]Basin, maxBasins+1)
		for _, tc := range []struct {
			name   string
			g      compute.Grid
			labels []int32
			basins []Basin
			f      *compute.Field
			o      Options
			want   string
		}{
			{"label past the basins", g, bad(45, 7), basins, nil, Options{}, "label 7 at cell (5, 1) is out of range"},
			{"label below -3", g, bad(3, -4), basins, nil, Options{}, "label -4"},
			{"too few labels", g, labels[:100], basins, nil, Options{}, "100 labels for a 40x30 grid"},
			{"too many labels", g, append(append([]int32(nil), labels...), 0), basins, nil, Options{}, "1201 labels"},
			{"too many basins", g, labels, tooMany, nil, Options{}, "65537 basins is too many"},
			{"fraction above 1", g, labels, []Basin{{}, {}, {}, {Fraction: 1.5}}, nil, Options{}, "fraction 1.5"},
			{"NaN fraction", g, labels, []Basin{{Fraction: math.NaN()}, {}, {}, {}}, nil, Options{}, "fraction NaN"},
			{"no basins", g, labels, nil, nil, Options{}, "out of range"},
			{"one-column grid", flat, labels[:30], basins, nil, Options{}, "needs at least 2 points"},
			{"field over other ranges", g, labels, basins, other, Options{}, "must match"},
			{"field without values", g, labels, basins, nanF, Options{}, "no defined values"},
			{"bad size", g, labels, basins, nil, Options{Width: 50}, "width 50"},
			{"bad colormap", g, labels, basins, nil, Options{Colormap: "jet"}, "unknown colormap"},
			{"no room", g, labels, basins, nil, Options{Width: 200, Height: 150}, "no room"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var w countWriter
				err := BasinsPNG(&w, tc.g, tc.labels, tc.basins, tc.f, tc.o)
				if err == nil {
					t.Fatal("BasinsPNG succeeded")
				}
				if !strings.HasPrefix(err.Error(), "render: ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q, want it to contain %q", err, tc.want)
				}
				if w.n != 0 {
					t.Errorf("%d bytes written despite the error", w.n)
				}
			})
		}
	})
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{{0, "0%"}, {1, "100%"}, {0.375, "37.5%"}, {0.25, "25%"}, {1e-5, "<0.1%"}, {0.99999, ">99.9%"}, {0.2333, "23.3%"}} {
		if got := percent(tc.f); got != tc.want {
			t.Errorf("percent(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
