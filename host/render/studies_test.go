package render

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

// TestChartBand: a series' band is filled in its colour, translucent, from
// Lo to Hi, and nowhere else; LogX spaces decades evenly.
func TestChartBand(t *testing.T) {
	x := []float64{1e-4, 1e-3, 1e-2, 1e-1}
	y := []float64{1, 1, 1, 1}
	lo := []float64{0.5, 0.5, 0.5, 0.5}
	hi := []float64{1.5, 1.5, 1.5, 1.5}
	c := Chart{XLabel: "lr", YLabel: "loss", LogX: true, YRange: &[2]float64{0, 2},
		Series: []Series{{Label: "gd", X: x, Y: y, Lo: lo, Hi: hi, Colour: 4}}}
	cv, area := chartCanvas(700, 550)
	cl, err := drawChart(area, c)
	if err != nil {
		t.Fatal(err)
	}
	px := cv.pixels(cl.data)
	at := func(fx, fy float64) color.RGBA { // a point of the data area, by fractions
		return rgba(cv.img.At(px.Min.X+int(fx*float64(px.Dx())), px.Max.Y-int(fy*float64(px.Dy()))))
	}
	band := at(0.5, 0.62) // y = 1.25: inside the band, off the line
	if band == (color.RGBA{255, 255, 255, 255}) || chanDiff(band, PathColor(4)) < 40 {
		t.Errorf("inside the band: %v, want a translucent %v", band, PathColor(4))
	}
	// The band's tint is the colour's: blue dominates.
	if !(band.B > band.R) {
		t.Errorf("band colour %v is not blue's", band)
	}
	for _, fy := range []float64{0.1, 0.9} { // y = 0.2 and 1.8: outside
		if p := at(0.5, fy); chanDiff(p, color.RGBA{255, 255, 255, 255}) > 40 {
			t.Errorf("outside the band at %.1f: %v, want white", fy, p)
		}
	}
	// Log x: the line's points 1e-4 … 1e-1 sit at equal distances.
	if len(cl.lines) != 1 || len(cl.lines[0]) != 4 {
		t.Fatalf("lines %v", cl.lines)
	}
	l := cl.lines[0]
	d1, d2 := l[1].X-l[0].X, l[3].X-l[2].X
	if math.Abs(float64(d1-d2)) > 0.5 {
		t.Errorf("decades %v and %v apart on a log axis", d1, d2)
	}
	// Band ends of the wrong length are refused.
	bad := c
	bad.Series = []Series{{X: x, Y: y, Lo: lo[:2], Hi: hi}}
	if err := ChartsPNG(&bytes.Buffer{}, 700, 550, bad); err == nil || !strings.Contains(err.Error(), "2 low") {
		t.Errorf("short band: %v", err)
	}
}

// TestChartSpans: spans colour a strip along the bottom of the data area,
// below the lines, each over its x-interval, with a legend entry per
// label.
func TestChartSpans(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	red, blue := color.RGBA{200, 20, 20, 255}, color.RGBA{20, 20, 200, 255}
	c := Chart{XLabel: "x", YLabel: "loss", Series: []Series{{Label: "loss", X: xs, Y: []float64{4, 1, 0, 1, 4}, Colour: 7}},
		Spans: []Span{{Lo: 0, Hi: 1, Colour: red, Label: "left"}, {Lo: 1, Hi: 4, Colour: blue, Label: "right"}}}
	cv, area := chartCanvas(700, 550)
	cl, err := drawChart(area, c)
	if err != nil {
		t.Fatal(err)
	}
	strip := cv.pixels(cl.strip)
	if strip.Empty() || strip.Max.Y > cv.pixels(cl.data).Max.Y+1 || strip.Dy() > cv.pixels(cl.data).Dy()/8 {
		t.Fatalf("strip %v in data area %v", strip, cv.pixels(cl.data))
	}
	y := (strip.Min.Y + strip.Max.Y) / 2
	frac := func(x float64) int { return strip.Min.X + int(x/4*float64(strip.Dx())) }
	if p := rgba(cv.img.At(frac(0.5), y)); chanDiff(p, red) > 10 {
		t.Errorf("strip at x=0.5: %v, want %v", p, red)
	}
	if p := rgba(cv.img.At(frac(3), y)); chanDiff(p, blue) > 10 {
		t.Errorf("strip at x=3: %v, want %v", p, blue)
	}
	// The lines stay above the strip.
	for _, q := range cl.lines[0] {
		if q.Y < cl.strip.Max.Y {
			t.Errorf("line point %v inside the strip %v", q, cl.strip)
		}
	}
	if cl.legend.Size().X == 0 || !inRect(cl.legend, cl.data) {
		t.Errorf("legend %v, want one inside %v", cl.legend, cl.data)
	}
}

// TestBasinsBand: each start's span reaches half way to its neighbours,
// runs of equal labels are one span, colours are the basins' (touching
// basins differ) and the special labels', and the minima are marked.
func TestBasinsBand(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4, 5}
	loss := []float64{1, 0, 1, 2, 1, 0}
	labels := []int32{0, 0, 1, 1, NoBasin, AtSaddle}
	basins := []Basin{{Label: "a", X: 1, Y: 0, Fraction: 2.0 / 6}, {Label: "b", X: 2.5, Y: 1.5, Fraction: 2.0 / 6}}
	c, err := basinsBand(xs, loss, labels, basins, Options{Title: "t", XLabel: "θ"}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Span{{Lo: -0.5, Hi: 1.5, Colour: basinColor(0)}, {Lo: 1.5, Hi: 3.5, Colour: basinColor(1)},
		{Lo: 3.5, Hi: 4.5, Colour: noBasinColor}, {Lo: 4.5, Hi: 5.5, Colour: atSaddleColor}}
	if len(c.Spans) != len(want) {
		t.Fatalf("spans %+v, want %+v", c.Spans, want)
	}
	for i, w := range want {
		g := c.Spans[i]
		if g.Lo != w.Lo || g.Hi != w.Hi || g.Colour != w.Colour || g.Label == "" {
			t.Errorf("span %d: %+v, want %+v with a label", i, g, w)
		}
	}
	if !strings.Contains(c.Spans[0].Label, "a") || !strings.Contains(c.Spans[0].Label, "33.3%") || !strings.Contains(c.Spans[2].Label, "no minimum") {
		t.Errorf("labels %q, %q", c.Spans[0].Label, c.Spans[2].Label)
	}
	if n := len(c.Series); n != 2 || c.Series[1].X[1] != 2.5 || c.Series[1].Y[1] != 1.5 || c.XLabel != "θ" {
		t.Errorf("series %+v", c.Series)
	}
	var buf bytes.Buffer
	if err := BasinsBandPNG(&buf, xs, loss, labels, basins, Options{}, false); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, buf.Bytes()).Bounds(); b.Dx() != defaultWidth || b.Dy() != defaultHeight*5/8 {
		t.Errorf("image %v", b)
	}
	for _, bad := range []struct {
		xs     []float64
		labels []int32
		want   string
	}{{[]float64{0, 1, 1, 3, 4, 5}, labels, "must increase"}, {xs, []int32{0, 0, 2, 1, 1, 1}, "label 2"}, {xs[:5], labels, "5 starts"}} {
		if _, err := basinsBand(bad.xs, loss, bad.labels, basins, Options{}, false); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: %v, want %q", bad.xs, bad.labels, err, bad.want)
		}
	}
}

// TestCompareCurve: a race on a curve draws the chart on the left and the
// loss curves on the right, a repeated run's range as a band in its colour.
func TestCompareCurve(t *testing.T) {
	xs := make([]float64, 101)
	loss := make([]float64, 101)
	for i := range xs {
		xs[i] = -5 + 0.1*float64(i)
		loss[i] = (xs[i] - 2) * (xs[i] - 2)
	}
	left := Chart{XLabel: "t", YLabel: "loss", Series: []Series{{Label: "loss", X: xs, Y: loss, Colour: 7},
		{Label: "gd", X: []float64{-4, -1, 0.5}, Y: []float64{36, 9, 2.25}, Colour: 0, Points: true}}}
	n := 50
	mean, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range n {
		mean[k] = 36 * math.Pow(0.8, float64(k))
		lo[k], hi[k] = mean[k]/4, mean[k]*4
	}
	curves := []Curve{{Label: "gd", Loss: mean, Lo: lo, Hi: hi}}
	img, cl, err := compare(nil, &left, Options{Width: 1200, Height: 500, Title: "parabola"}, curves)
	if err != nil {
		t.Fatal(err)
	}
	if cl.right.Size().X == 0 {
		t.Fatal("no loss panel")
	}
	// The band: tinted in gd's colour (orange), right of the chart.
	r := cl.right
	tinted := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Dx() * 6 / 10; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if c.R > 240 && c.G > 200 && c.G < 245 && c.B < 225 && c.B > 150 { // light orange
				tinted++
			}
		}
	}
	if tinted < 500 {
		t.Errorf("%d light orange pixels in the loss panel %v, want a band", tinted, r)
	}
	var buf bytes.Buffer
	if err := CompareCurvePNG(&buf, left, Options{Width: 1200, Height: 500}, curves); err != nil {
		t.Fatal(err)
	}
	if err := CompareCurvePNG(&buf, left, Options{Width: 100, Height: 500}, curves); err == nil {
		t.Error("a 100-pixel-wide image was drawn")
	}
	bad := []Curve{{Loss: mean, Lo: lo[:3], Hi: hi}}
	if err := CompareCurvePNG(&buf, left, Options{Width: 1200, Height: 500}, bad); err == nil || !strings.Contains(err.Error(), "3 low") {
		t.Errorf("short band: %v", err)
	}
}

// TestChartGrid: charts three to a row, in rows.
func TestChartGrid(t *testing.T) {
	c := Chart{XLabel: "x", YLabel: "y", Series: []Series{{X: []float64{0, 1}, Y: []float64{0, 1}}}}
	var buf bytes.Buffer
	if err := ChartGridPNG(&buf, 2100, 1100, 3, c, c, c, c); err != nil {
		t.Fatal(err)
	}
	img := decode(t, buf.Bytes())
	if b := img.Bounds(); b.Dx() != 2100 || b.Dy() != 1100 {
		t.Errorf("image %v", b)
	}
	// The second row holds one chart, on the left: drawn there, blank on
	// the right.
	if n := distinct(img.(*image.RGBA).SubImage(image.Rect(0, 600, 700, 1100))); n < 3 {
		t.Errorf("%d colours where the fourth chart is", n)
	}
	if n := distinct(img.(*image.RGBA).SubImage(image.Rect(1450, 600, 2100, 1100))); n != 1 {
		t.Errorf("%d colours right of the fourth chart, want blank", n)
	}
	if err := ChartGridPNG(&buf, 2100, 200, 3, c, c, c, c); err == nil {
		t.Error("two rows in 200 pixels were drawn")
	}
}
