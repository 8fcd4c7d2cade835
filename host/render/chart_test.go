package render

import (
	"bytes"
	"image/color"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chartCanvas is a w×h canvas and the area ChartsPNG gives one chart.
func chartCanvas(w, h int) (canvas, draw.Canvas) {
	cv := newCanvas(w, h, float64(h)/500)
	tiles := draw.Tiles{Rows: 1, Cols: 1, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	return cv, tiles.At(cv.dc, 0, 0)
}

// TestChartLegend: a chart of one series has no legend (it would only
// cover the curve); with two or more, the legend sits inside the data
// area over none of the lines when a corner is free of them.
func TestChartLegend(t *testing.T) {
	steps := make([]float64, 501)
	down, up := make([]float64, 501), make([]float64, 501)
	for i := range steps {
		steps[i] = float64(i)
		down[i] = 500 * math.Exp(-float64(i)/60) // from the top left to the bottom
		up[i] = 40 + 0.1*float64(i)              // low, rising slowly
	}
	one := Chart{Title: "one", XLabel: "step", YLabel: "loss", Series: []Series{{Label: "train loss", X: steps, Y: down, Colour: 5}}}
	_, area := chartCanvas(700, 550)
	cl, err := drawChart(area, one)
	if err != nil {
		t.Fatal(err)
	}
	if cl.legend != (vg.Rectangle{}) {
		t.Errorf("a one-series chart has a legend at %v", cl.legend)
	}

	two := one
	two.Series = append(two.Series, Series{Label: "test loss", X: steps, Y: up, Dashed: true, Colour: 6})
	cv, area := chartCanvas(700, 550)
	cl, err = drawChart(area, two)
	if err != nil {
		t.Fatal(err)
	}
	if cl.legend == (vg.Rectangle{}) || !inRect(cl.legend, cl.data) {
		t.Fatalf("legend %v missing or outside the data area %v", cl.legend, cl.data)
	}
	covered := 0
	for _, p := range (trace{lines: cl.lines}).samples(nil) {
		if p.X >= cl.legend.Min.X && p.X <= cl.legend.Max.X && p.Y >= cl.legend.Min.Y && p.Y <= cl.legend.Max.Y {
			covered++
		}
	}
	if covered > 0 {
		t.Errorf("the legend %v covers %d points of the lines", cl.legend, covered)
	}
	// The lines are drawn in their colours where the legend is not.
	img := cv.img
	for _, c := range []color.RGBA{PathColor(5), PathColor(6)} {
		if n := countNear(img, cv.pixels(cl.data), cv.pixels(cl.legend), c, 10); n < 50 {
			t.Errorf("%d pixels of %v in the data area", n, c)
		}
	}

	var buf bytes.Buffer
	if err := ChartsPNG(&buf, 1400, 550, one, two); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, buf.Bytes()).Bounds(); b.Dx() != 1400 || b.Dy() != 550 {
		t.Errorf("image %v, want 1400x550", b)
	}
	bad := one
	bad.Series = []Series{{X: steps, Y: up[:3]}}
	if err := ChartsPNG(&buf, 700, 550, bad); err == nil || !strings.Contains(err.Error(), "has 501 x, 3 y") {
		t.Errorf("ragged series: %v", err)
	}
}

// TestChartTicks: charts label more round values than gonum's three, with
// no more decimals than the step needs, in the heatmaps' sans font.
func TestChartTicks(t *testing.T) {
	_, area := chartCanvas(700, 550)
	wpt := area.Max.X - area.Min.X
	ticks := niceTicks{n: max(3, min(12, int(wpt/65)))}.Ticks(0, 500)
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 100 200 300 400 500" {
		t.Errorf("step axis 0..500 of a 700-pixel chart labelled %q, want %q", got, "0 100 200 300 400 500")
	}
	cl, err := drawChart(area, Chart{Title: "t", XLabel: "x", YLabel: "y", Series: []Series{{X: []float64{0, 500}, Y: []float64{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.fonts) != 5 {
		t.Fatalf("%d fonts recorded", len(cl.fonts))
	}
	for _, f := range cl.fonts {
		if f.Typeface != sans.Typeface || f.Variant != "Sans" {
			t.Errorf("chart font %q %q, want %q Sans (the heatmaps')", f.Typeface, f.Variant, sans.Typeface)
		}
	}
}

// TestLegendPlace: the legend goes to the first place (corners, then the
// middles of the edges) that hides no marker, and of those to the one
// covering fewest of the lines; where every place hides a marker it is
// drawn only when not optional.
func TestLegendPlace(t *testing.T) {
	data := vg.Rectangle{Max: vg.Point{X: 400, Y: 300}}
	lg := newLegend([]legendItem{{label: "gd"}, {label: "adam"}})
	w, h := lg.size()
	box := func(x, y vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x - 4, Y: y - 4}, Max: vg.Point{X: x + 4, Y: y + 4}}
	}
	topRight := box(400-6-w/2, 300-6-h/2)
	topLeft := box(6+w/2, 300-6-h/2)
	tl, ok := lg.inside(data, nil, []vg.Rectangle{topRight}, true)
	if !ok || tl != (vg.Point{X: 6, Y: 294}) {
		t.Errorf("a marker in the top right corner: legend at %v (ok %v), want the top left (6, 294)", tl, ok)
	}
	// Lines through the bottom right: of the free places, the bottom left.
	var avoid []vg.Point
	for x := vg.Length(200); x <= 400; x += 4 {
		avoid = append(avoid, vg.Point{X: x, Y: 20})
	}
	tl, ok = lg.inside(data, avoid, []vg.Rectangle{topRight, topLeft}, true)
	if !ok || tl != (vg.Point{X: 6, Y: 6 + h}) {
		t.Errorf("markers at the top, lines at the bottom right: legend at %v (ok %v), want the bottom left (6, %v)", tl, ok, 6+h)
	}
	// Markers everywhere: optional legends are left out, others placed.
	var all []vg.Rectangle
	for x := vg.Length(0); x <= 400; x += 10 {
		for y := vg.Length(0); y <= 300; y += 10 {
			all = append(all, box(x, y))
		}
	}
	if _, ok := lg.inside(data, nil, all, true); ok {
		t.Error("an optional legend placed over markers")
	}
	if _, ok := lg.inside(data, nil, all, false); !ok {
		t.Error("a legend that must be drawn was left out")
	}
}

// TestCompareLegendHidesNoMinimum: in compare's heatmap the paths' legend
// never covers a minimum's marker: it moves elsewhere, or is left out (the
// curves' legend lists the runs).
func TestCompareLegendHidesNoMinimum(t *testing.T) {
	f := bowl() // x in [-2, 2], y in [-1, 1]
	var paths []Path
	var curves []Curve
	for i := 0; i < 9; i++ {
		paths = append(paths, Path{Label: "run " + string(rune('a'+i)), Points: [][2]float64{{-1.5, -0.8 + 0.2*float64(i)}, {0, 0}}})
		curves = append(curves, Curve{Loss: []float64{2, 1, 0.5}})
	}
	// Minima in every corner, where a legend would go first.
	var marks []Marker
	for _, c := range [][2]float64{{1.8, 0.9}, {-1.8, 0.9}, {1.8, -0.9}, {-1.8, -0.9}, {0, 0.9}, {0, -0.9}} {
		marks = append(marks, Marker{X: c[0], Y: c[1], Label: "0"})
	}
	for _, n := range []int{1, 4, 6} {
		o := Options{Width: 1200, Height: 520, Paths: paths, Markers: marks[:n]}
		_, cl, err := compare(f, nil, o, curves)
		if err != nil {
			t.Fatal(err)
		}
		fr := cl.left
		for _, m := range marks[:n] {
			q := fr.norm(m.X, m.Y)
			if b := markerBox(m, fr.point(q), fr.data); cl.left.legend != (vg.Rectangle{}) && overlaps(b, cl.left.legend) {
				t.Errorf("%d minima: the legend %v covers the minimum at (%v, %v) (box %v)", n, cl.left.legend, m.X, m.Y, b)
			}
		}
	}
	// PNG (render --path) always draws its legend.
	_, fr, err := render(f, Options{Width: 600, Height: 450, Paths: paths, Markers: marks})
	if err != nil {
		t.Fatal(err)
	}
	if fr.legend == (vg.Rectangle{}) {
		t.Error("PNG left its paths' legend out")
	}
}

// TestBarTicks: the colourbar's ticks, shared by the images and the
// viewer: round values at their place on a linear bar; on a log bar,
// round loss values (and the minimum) at log10(v − lo + ε) with ε a
// millionth of the range, as the viewer's shader colours them, computed
// here independently.
func TestBarTicks(t *testing.T) {
	ticks, inLoss := BarTicks(0, 890, false, 400, 16, 6)
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
		v := 890 * tk.Frac
		if tk.Label != "" && math.Abs(v-mustFloat(t, tk.Label)) > 1e-9 {
			t.Errorf("linear tick %q at fraction %v (value %v)", tk.Label, tk.Frac, v)
		}
	}
	if !inLoss || strings.Join(labels, " ") != "0 200 400 600 800" {
		t.Errorf("linear ticks %q (in loss %v)", labels, inLoss)
	}

	lo, hi := 0.000979, 890.0
	ticks, inLoss = BarTicks(lo, hi, true, 400, 16, 6)
	if !inLoss {
		t.Fatal("log ticks not in loss units")
	}
	eps := (hi - lo) * 1e-6
	frac := func(v float64) float64 {
		return (math.Log(v-lo+eps) - math.Log(eps)) / (math.Log(hi-lo+eps) - math.Log(eps))
	}
	labels = nil
	for _, tk := range ticks {
		if tk.Label == "" {
			continue
		}
		labels = append(labels, tk.Label)
		if want := frac(mustFloat(t, tk.Label)); math.Abs(tk.Frac-want) > 2e-3 {
			t.Errorf("log tick %q at fraction %v, want %v", tk.Label, tk.Frac, want)
		}
	}
	for _, want := range []string{"9.79e-4", "0.01", "1", "100"} {
		if !strings.Contains(" "+strings.Join(labels, " ")+" ", " "+want+" ") {
			t.Errorf("log ticks %q lack %s", labels, want)
		}
	}
	if len(labels) < 5 {
		t.Errorf("log ticks %q: only %d labelled", labels, len(labels))
	}
	// Labels keep apart: two text heights at least.
	for i, a := range ticks {
		for _, b := range ticks[:i] {
			if a.Label != "" && b.Label != "" && math.Abs(a.Frac-b.Frac)*400 < 2*16-1e-9 {
				t.Errorf("labels %q and %q are %v pixels apart", a.Label, b.Label, math.Abs(a.Frac-b.Frac)*400)
			}
		}
	}
	if ts, _ := BarTicks(1, 1, false, 400, 16, 6); ts != nil {
		t.Errorf("an empty range has ticks %v", ts)
	}
	if ts, _ := BarTicks(0, math.NaN(), true, 400, 16, 6); ts != nil {
		t.Errorf("a NaN range has ticks %v", ts)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("label %q: %v", s, err)
	}
	return v
}
