package render

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Basin is one class of a basins-of-attraction image.
type Basin struct {
	Label    string  // e.g. "(3, 2)  loss 0"
	X, Y     float64 // the minimum's location in the plane, starred (not when outside the grid's ranges or NaN)
	Fraction float64 // share of starts that reached it, 0..1 (shown in the legend as a percentage)
}

// Special labels of BasinsPNG.
const (
	// NoBasin marks a start whose run reached no minimum: it stalled on a
	// plateau or had not converged.
	NoBasin = -1
	// Failed marks a start whose run diverged or failed.
	Failed = -2
	// AtSaddle marks a start whose run ended at a saddle (or a maximum).
	AtSaddle = -3
)

// maxBasins bounds the number of basins BasinsPNG accepts.
const maxBasins = 1 << 16

// basinColors are categorical colours for basins: matplotlib's tab10 less
// its gray (kept for NoBasin), then the lighter tab20 blue, orange and
// green.
var basinColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 255}, // blue
	{0xff, 0x7f, 0x0e, 255}, // orange
	{0x2c, 0xa0, 0x2c, 255}, // green
	{0xd6, 0x27, 0x28, 255}, // red
	{0x94, 0x67, 0xbd, 255}, // purple
	{0x8c, 0x56, 0x4b, 255}, // brown
	{0xe3, 0x77, 0xc2, 255}, // pink
	{0xbc, 0xbd, 0x22, 255}, // olive
	{0x17, 0xbe, 0xcf, 255}, // cyan
	{0xae, 0xc7, 0xe8, 255}, // light blue
	{0xff, 0xbb, 0x78, 255}, // light orange
	{0x98, 0xdf, 0x8a, 255}, // light green
}

var (
	noBasinColor  = color.RGBA{150, 150, 150, 255} // neutral gray
	failedColor   = color.RGBA{0, 0, 0, 255}
	atSaddleColor = color.RGBA{255, 255, 255, 255} // white
)

// basinColor is the colour of label k: basinColors for k ≥ 0 (repeating
// after 12), gray for NoBasin, black for Failed, white for AtSaddle.
func basinColor(k int) color.RGBA {
	switch {
	case k == NoBasin:
		return noBasinColor
	case k == AtSaddle:
		return atSaddleColor
	case k < 0:
		return failedColor
	}
	return basinColors[k%len(basinColors)]
}

// basinColoring picks each basin's colour from basinColors: its own when
// there are at most as many basins as colours, else greedily so that
// basins whose cells touch (4-neighbours) differ where the palette
// allows.
func basinColoring(g compute.Grid, labels []int32, n int) []color.RGBA {
	out := make([]color.RGBA, n)
	if n <= len(basinColors) {
		for k := range out {
			out[k] = basinColor(k)
		}
		return out
	}
	adj := make([]map[int32]bool, n)
	for k := range adj {
		adj[k] = map[int32]bool{}
	}
	link := func(a, b int32) {
		if a >= 0 && b >= 0 && a != b {
			adj[a][b], adj[b][a] = true, true
		}
	}
	for j := 0; j < g.Ny; j++ {
		for i := 0; i < g.Nx; i++ {
			l := labels[j*g.Nx+i]
			if i+1 < g.Nx {
				link(l, labels[j*g.Nx+i+1])
			}
			if j+1 < g.Ny {
				link(l, labels[(j+1)*g.Nx+i])
			}
		}
	}
	pick := make([]int, n)
	for k := 0; k < n; k++ {
		used := make([]bool, len(basinColors))
		for nb := range adj[k] {
			if int(nb) < k {
				used[pick[nb]] = true
			}
		}
		pick[k] = k % len(basinColors)
		for c := range used {
			if !used[(k+c)%len(basinColors)] {
				pick[k] = (k + c) % len(basinColors)
				break
			}
		}
		out[k] = basinColors[pick[k]]
	}
	return out
}

// BasinsPNG colours each cell of grid g by labels[j*g.Nx+i] (row 0 at Y.Lo,
// like Field) and writes the image to w as a PNG. A label k ≥ 0 is
// basins[k], each in its own categorical colour (12 of them; with more
// basins, chosen so that touching basins differ); NoBasin (−1), a start
// whose run reached no minimum, is gray, Failed (−2), a run that diverged
// or failed, black, and AtSaddle (−3), a run that ended at a saddle,
// white. A legend beside the plot lists each basin's Label and Fraction
// as a percentage (as many as fit), and the shares of the gray, white and
// black cells where there are any; each basin's minimum is starred. When field is not nil its contour lines (o.Levels,
// o.Log) are drawn thinly over the colours for orientation; its grid must
// span the same ranges as g, at any resolution.
//
// o gives the size, title, axis labels and Markers as for PNG; there is
// no colourbar, and o.Paths and o.Colormap are not used (a colormap name
// must still be valid). Nothing is written unless the whole image
// rendered.
func BasinsPNG(w io.Writer, g compute.Grid, labels []int32, basins []Basin, field *compute.Field, o Options) error {
	img, _, err := renderBasins(g, labels, basins, field, o)
	if err != nil {
		return err
	}
	return writePNG(w, img)
}

func renderBasins(g compute.Grid, labels []int32, basins []Basin, field *compute.Field, o Options) (img *image.RGBA, fr frame, err error) {
	if err := checkGrid(g); err != nil {
		return nil, fr, err
	}
	if len(labels) != g.Nx*g.Ny {
		return nil, fr, fmt.Errorf("render: %d labels for a %dx%d grid, which needs %d", len(labels), g.Nx, g.Ny, g.Nx*g.Ny)
	}
	if len(basins) > maxBasins {
		return nil, fr, fmt.Errorf("render: %d basins is too many (accepted: up to %d)", len(basins), maxBasins)
	}
	for k, b := range basins {
		if !(b.Fraction >= 0 && b.Fraction <= 1) {
			return nil, fr, fmt.Errorf("render: basin %d (%q) has fraction %v, outside [0, 1]", k, b.Label, b.Fraction)
		}
	}
	var noBasin, failed, saddle int
	for k, l := range labels {
		switch {
		case l == NoBasin:
			noBasin++
		case l == Failed:
			failed++
		case l == AtSaddle:
			saddle++
		case l < AtSaddle || int(l) >= len(basins):
			return nil, fr, fmt.Errorf("render: label %d at cell (%d, %d) is out of range (accepted: -3 to -1, and 0 to %d for %d basins)",
				l, k%g.Nx, k/g.Nx, len(basins)-1, len(basins))
		}
	}
	var col colouring
	if field != nil {
		if err := checkField(field); err != nil {
			return nil, fr, err
		}
		if !sameRange(field.Grid.X, g.X) || !sameRange(field.Grid.Y, g.Y) {
			fg := field.Grid
			return nil, fr, fmt.Errorf("render: field spans [%v, %v]×[%v, %v], the basins [%v, %v]×[%v, %v]; they must match",
				fg.X.Lo, fg.X.Hi, fg.Y.Lo, fg.Y.Hi, g.X.Lo, g.X.Hi, g.Y.Lo, g.Y.Hi)
		}
		if col, err = colourField(field, o.Log, false); err != nil {
			return nil, fr, err
		}
	}
	s, err := resolve(g, o)
	if err != nil {
		return nil, fr, err
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("render: drawing failed: %v", r)
		}
	}()

	cv := newCanvas(s.w, s.h, math.Sqrt(float64(s.w)/defaultWidth*float64(s.h)/defaultHeight))
	area := cv.dc
	p := newAxes(s.title, s.xlabel, s.ylabel, area.Max.X-area.Min.X, area.Max.Y-area.Min.Y)

	colours := basinColoring(g, labels, len(basins))
	pal := append([]color.RGBA{basinColor(AtSaddle), basinColor(Failed), basinColor(NoBasin)}, colours...)
	p.Add(&cells{cv: cv, g: g, labels: labels, pal: pal})
	if field != nil && s.levels > 0 && !col.constant {
		levels := make([]float64, s.levels)
		lines := make(colors, s.levels)
		for i := range levels {
			levels[i] = col.lo + float64(i+1)/float64(s.levels+1)*(col.hi-col.lo)
			lines[i] = color.NRGBA{0, 0, 0, 100}
		}
		p.Add(noGlyphs{&plotter.Contour{
			GridXYZ:    contourGrid(fieldGrid(field, &col)),
			Levels:     levels,
			LineStyles: []draw.LineStyle{{Width: 0.6}},
			Palette:    lines,
			Min:        col.lo,
			Max:        col.hi,
		}})
	}
	p.Add(&basinStars{list: basins, x: g.X, y: g.Y})
	if len(s.markers) > 0 {
		p.Add(&markers{list: s.markers, x: g.X, y: g.Y})
	}
	setCellRange(p, g)

	// The legend takes the colourbar's place.
	var items []legendItem
	for k, b := range basins {
		label := b.Label
		if label == "" {
			label = "basin " + strconv.Itoa(k)
		}
		items = append(items, legendItem{label: label + "   " + percent(b.Fraction), icon: swatch(colours[k])})
	}
	total := float64(len(labels))
	// The special classes first, so that a long legend cut to fit keeps
	// them.
	var special []legendItem
	if noBasin > 0 {
		special = append(special, legendItem{label: "no minimum (plateau, not converged)   " + percent(float64(noBasin)/total), icon: swatch(noBasinColor)})
	}
	if saddle > 0 {
		special = append(special, legendItem{label: "ended at a saddle   " + percent(float64(saddle)/total), icon: swatch(atSaddleColor)})
	}
	if failed > 0 {
		special = append(special, legendItem{label: "diverged or failed   " + percent(float64(failed)/total), icon: swatch(failedColor)})
	}
	items = append(special, items...)
	all := draw.Crop(area, plotMargin, -plotMargin, plotMargin/2, -plotMargin)
	lg := newLegend(items)
	const gap = vg.Length(12)
	dataY := p.DataCanvas(all)
	lg.fit(dataY.Max.Y - dataY.Min.Y)
	lw := vg.Length(0)
	if len(lg.items) > 0 {
		lw, _ = lg.size()
		lw += gap
	}
	main := draw.Crop(all, 0, -lw, 0, 0)
	dataC := p.DataCanvas(main)
	if tooSmall(dataC.Rectangle) {
		return nil, frame{}, errNoRoom(cv.w, cv.h)
	}
	p.Draw(main)
	area.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	area.Stroke(dataC.Rectangle.Path())

	fr = frame{
		dpi:    float64(cv.dpi),
		height: cv.h,
		data:   dataC.Rectangle,
		xmin:   p.X.Min, xmax: p.X.Max,
		ymin: p.Y.Min, ymax: p.Y.Max,
	}
	if len(lg.items) > 0 {
		fr.legend = lg.draw(area, vg.Point{X: dataC.Max.X + gap, Y: dataC.Max.Y})
	}
	return cv.img, fr, nil
}

// sameRange reports whether a and b agree to within a billionth of their
// length.
func sameRange(a, b sdk.Interval) bool {
	tol := 1e-9 * math.Max(a.Hi-a.Lo, b.Hi-b.Lo)
	return math.Abs(a.Lo-b.Lo) <= tol && math.Abs(a.Hi-b.Hi) <= tol
}

// percent writes a share as a percentage with one decimal: "37.5%",
// "100%", and "<0.1%" for a small share that is not zero.
func percent(f float64) string {
	switch {
	case f == 0:
		return "0%"
	case f < 0.0005:
		return "<0.1%"
	case f < 1 && f > 0.9995:
		return ">99.9%"
	}
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// swatch is a legend thumbnail: a box of colour c.
func swatch(c color.RGBA) func(draw.Canvas, vg.Rectangle) {
	return func(dc draw.Canvas, r vg.Rectangle) {
		h := (r.Max.Y - r.Min.Y) * 0.72
		y := (r.Min.Y + r.Max.Y) / 2
		box := vg.Rectangle{Min: vg.Point{X: r.Min.X + 2, Y: y - h/2}, Max: vg.Point{X: r.Max.X - 2, Y: y + h/2}}
		dc.SetColor(c)
		dc.Fill(box.Path())
		dc.SetLineStyle(draw.LineStyle{Color: color.NRGBA{0, 0, 0, 150}, Width: 0.5})
		dc.Stroke(box.Path())
	}
}

// basinStars stars each basin's minimum: white with a dark edge, which
// stands out on every basin colour.
type basinStars struct {
	list []Basin
	x, y sdk.Interval
}

func (b *basinStars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for _, m := range b.list {
		if !(m.X >= b.x.Lo && m.X <= b.x.Hi && m.Y >= b.y.Lo && m.Y <= b.y.Hi) {
			continue
		}
		s := star(vg.Point{X: trX(m.X), Y: trY(m.Y)}, starRadius)
		c.SetColor(color.White)
		c.Fill(s)
		c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 1.2})
		c.Stroke(s)
	}
}

// cells paints each pixel of the data area in the colour of the label of
// the grid cell under its centre (pal[label+3]). Painting pixels directly,
// rather than scaling an image of the cells, keeps the classes' edges
// sharp and shows no colour that is not a class's.
type cells struct {
	cv     canvas
	g      compute.Grid
	labels []int32
	pal    []color.RGBA
}

func (cs *cells) Plot(c draw.Canvas, plt *plot.Plot) {
	g, cv := cs.g, cs.cv
	dpi := float64(cv.dpi)
	r := cv.pixels(c.Rectangle)
	// Pixel centre → plane coordinate → nearest grid column or row.
	index := func(pt vg.Length, lo, hi vg.Length, amin, amax float64, r sdk.Interval, n int) int {
		v := amin + float64((pt-lo)/(hi-lo))*(amax-amin)
		k := int(math.Round((v - r.Lo) / (r.Hi - r.Lo) * float64(n-1)))
		return max(0, min(k, n-1))
	}
	cols := make([]int, r.Dx())
	for x := range cols {
		pt := vg.Length((float64(r.Min.X+x) + 0.5) / dpi * vg.Inch.Points())
		cols[x] = index(pt, c.Min.X, c.Max.X, plt.X.Min, plt.X.Max, g.X, g.Nx)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		pt := vg.Length((float64(cv.h-y) - 0.5) / dpi * vg.Inch.Points())
		row := cs.labels[index(pt, c.Min.Y, c.Max.Y, plt.Y.Min, plt.Y.Max, g.Y, g.Ny)*g.Nx:]
		for x, i := range cols {
			cv.img.SetRGBA(r.Min.X+x, y, cs.pal[row[i]+3])
		}
	}
}

// BasinsBandPNG draws the basins of attraction of a surface of one
// parameter: the loss along it (loss at xs, increasing) as a chart, each
// basin's minimum marked on it (Basin.X its location, Basin.Y its loss),
// and a strip along the bottom in which each start xs[i] is coloured by
// labels[i] as BasinsPNG colours cells (touching basins differ), with a
// legend of the basins (Label and Fraction) and of the special labels
// present. o gives the size (zero: 1000×500), the title and XLabel; LogY
// draws the loss on a log scale. Nothing is written unless the whole image
// rendered.
func BasinsBandPNG(w io.Writer, xs, loss []float64, labels []int32, basins []Basin, o Options, logY bool) error {
	c, err := basinsBand(xs, loss, labels, basins, o, logY)
	if err != nil {
		return err
	}
	if o.Width == 0 {
		o.Width = defaultWidth
	}
	if o.Height == 0 {
		o.Height = defaultHeight * 5 / 8
	}
	return ChartsPNG(w, o.Width, o.Height, c)
}

// basinsBand is BasinsBandPNG's chart.
func basinsBand(xs, loss []float64, labels []int32, basins []Basin, o Options, logY bool) (Chart, error) {
	n := len(xs)
	if n < 2 || len(loss) != n || len(labels) != n {
		return Chart{}, fmt.Errorf("render: %d starts, %d losses and %d labels (want as many, at least 2)", n, len(loss), len(labels))
	}
	if len(basins) > maxBasins {
		return Chart{}, fmt.Errorf("render: %d basins is too many (accepted: up to %d)", len(basins), maxBasins)
	}
	for i := 1; i < n; i++ {
		if !(xs[i] > xs[i-1]) {
			return Chart{}, fmt.Errorf("render: the starts must increase (start %d is %g after %g)", i, xs[i], xs[i-1])
		}
	}
	counts := map[int32]int{}
	for _, l := range labels {
		if l >= int32(len(basins)) || l < AtSaddle {
			return Chart{}, fmt.Errorf("render: label %d with %d basins", l, len(basins))
		}
		counts[l]++
	}
	cols := basinColoring(compute.Grid{Plane: sdkPlane(n)}, labels, len(basins))
	colour := func(l int32) color.RGBA {
		if l >= 0 {
			return cols[l]
		}
		return basinColor(int(l))
	}
	const listed = 12 // basins named in the legend
	name := func(l int32) string {
		switch {
		case l == NoBasin:
			return "no minimum reached  " + percent(float64(counts[l])/float64(n))
		case l == AtSaddle:
			return "ended at a saddle  " + percent(float64(counts[l])/float64(n))
		case l < 0:
			return "diverged  " + percent(float64(counts[l])/float64(n))
		case l < listed:
			return basins[l].Label + "  " + percent(basins[l].Fraction)
		}
		return ""
	}
	c := Chart{Title: o.Title, XLabel: o.XLabel, YLabel: "loss", LogY: logY,
		Series: []Series{{Label: "loss", X: xs, Y: loss, Colour: 7}}}
	if c.XLabel == "" {
		c.XLabel = "x0"
	}
	// A span per run of equal labels, each start reaching half way to its
	// neighbours.
	edge := func(i int) float64 {
		switch {
		case i == 0:
			return xs[0] - (xs[1]-xs[0])/2
		case i == n:
			return xs[n-1] + (xs[n-1]-xs[n-2])/2
		}
		return (xs[i-1] + xs[i]) / 2
	}
	for a := 0; a < n; {
		b := a
		for b < n && labels[b] == labels[a] {
			b++
		}
		c.Spans = append(c.Spans, Span{Lo: edge(a), Hi: edge(b), Colour: colour(labels[a]), Label: name(labels[a])})
		a = b
	}
	var mx, my []float64
	for _, b := range basins {
		mx, my = append(mx, b.X), append(my, b.Y)
	}
	if len(mx) > 0 {
		c.Series = append(c.Series, Series{Label: "minima reached", X: mx, Y: my, Colour: 7, Points: true, Triangles: true})
	}
	return c, nil
}

// sdkPlane is a plane of n×1 points, for basinColoring's neighbours.
func sdkPlane(n int) grid.Plane { return grid.Plane{Nx: n, Ny: 1} }
