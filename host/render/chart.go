package render

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line of a Chart. NaN and ±Inf values break the line.
type Series struct {
	Label string
	X, Y  []float64
	// Dashed draws the line dashed (a test loss beside its train loss).
	Dashed bool
	// Colour picks PathColor(Colour).
	Colour int
	// Points draws a marker at each point instead of a line (data): a
	// disc, or a triangle with Triangles (a second set of data).
	Points, Triangles bool
	// Lo and Hi, when set (len(X) values each), are a band around the line
	// filled translucently in its colour: the range of repeated runs.
	// NaN breaks the band.
	Lo, Hi []float64
}

// Span colours the x-interval [Lo, Hi] of a chart in a strip along the
// bottom of its data area (a 1-D basin of attraction). Spans with the same
// Label share one legend entry, a swatch of their colour.
type Span struct {
	Lo, Hi float64
	Colour color.RGBA
	Label  string
}

// Chart is one panel of line plots.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogY draws the y axis on a log scale (values ≤ 0 are left out), and
	// LogX the x axis.
	LogY, LogX bool
	// Marks are x positions marked with thin vertical lines (known minima).
	Marks []float64
	// YRange, when set, is the y axis's extent (lines leaving it are
	// clipped) instead of the series' own.
	YRange *[2]float64
	// Spans are drawn in a strip along the bottom of the data area, below
	// the lines (the y axis is extended to make room).
	Spans []Span
}

// stripShare is the share of a chart's data area that its Spans' strip
// takes.
const stripShare = 0.1

// ChartsPNG draws the charts side by side in a width×height image: the
// fonts and round ticks of the heatmaps, a frame around each data area,
// and a legend only where a chart has two or more labelled series, placed
// inside the data area where it covers least of the lines.
func ChartsPNG(w io.Writer, width, height int, charts ...Chart) (err error) {
	return ChartGridPNG(w, width, height, len(charts), charts...)
}

// ChartGridPNG draws the charts as ChartsPNG does, cols to a row (the last
// row left-aligned), in a width×height image.
func ChartGridPNG(w io.Writer, width, height, cols int, charts ...Chart) (err error) {
	if len(charts) == 0 {
		return fmt.Errorf("render: no charts")
	}
	cols = max(1, min(cols, len(charts)))
	rows := (len(charts) + cols - 1) / cols
	if width < 200*cols || height < 150*rows || width > 20000 || height > 20000 {
		return errNoRoom(width, height)
	}
	for _, c := range charts {
		for _, s := range c.Series {
			if len(s.X) != len(s.Y) || s.Lo != nil && len(s.Lo) != len(s.X) || s.Hi != nil && len(s.Hi) != len(s.X) || (s.Lo == nil) != (s.Hi == nil) {
				return fmt.Errorf("render: series %q has %d x, %d y, %d low and %d high values", s.Label, len(s.X), len(s.Y), len(s.Lo), len(s.Hi))
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render: drawing failed: %v", r)
		}
	}()
	cv := newCanvas(width, height, float64(height)/float64(rows)/500)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	for i, c := range charts {
		if _, err := drawChart(tiles.At(cv.dc, i%cols, i/cols), c); err != nil {
			return err
		}
	}
	return writePNG(w, cv.img)
}

// chartLayout records where drawChart drew, for tests.
type chartLayout struct {
	data   vg.Rectangle // the data area
	legend vg.Rectangle // empty for none
	strip  vg.Rectangle // the spans' strip; empty for none
	lines  [][]vg.Point // the series' lines as drawn
	fonts  []font.Font  // of the title, the axis labels and the tick labels
}

// drawChart draws one chart into area.
func drawChart(area draw.Canvas, c Chart) (chartLayout, error) {
	var cl chartLayout
	wpt, hpt := area.Max.X-area.Min.X, area.Max.Y-area.Min.Y
	p := newAxes(c.Title, c.XLabel, c.YLabel, wpt, hpt)
	// Charts are read for values: denser ticks than the heatmaps'.
	p.X.Tick.Marker = niceTicks{n: max(3, min(12, int(wpt/65)))}
	p.Y.Tick.Marker = niceTicks{n: max(3, min(12, int(hpt/45)))}
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: color.NRGBA{0, 0, 0, 28}, Width: 0.5}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logAxisTicks{n: max(3, min(10, int(hpt/45)))}
	}
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logAxisTicks{n: max(3, min(10, int(wpt/65)))}
	}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	ok := func(x, y float64) bool {
		return finite(x) && finite(y) && (!c.LogY || y > 0) && (!c.LogX || x > 0)
	}
	for _, s := range c.Series {
		for k, y := range s.Y {
			if ok(s.X[k], y) {
				ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
			}
			if s.Lo != nil && ok(s.X[k], s.Lo[k]) && ok(s.X[k], s.Hi[k]) {
				ylo, yhi = math.Min(ylo, s.Lo[k]), math.Max(yhi, s.Hi[k])
			}
		}
	}
	for _, sp := range c.Spans {
		if ok(sp.Lo, 1) && ok(sp.Hi, 1) {
			p.X.Min, p.X.Max = math.Min(p.X.Min, sp.Lo), math.Max(p.X.Max, sp.Hi)
		}
	}
	type drawn struct {
		xy    plotter.XYs
		style draw.LineStyle
	}
	var runs []drawn
	var items []legendItem
	var dots plotter.XYs // the markers of Points series
	for _, s := range c.Series {
		if s.Lo == nil {
			continue
		}
		// The bands first, under every line.
		for _, poly := range bands(s, ok) {
			b, err := plotter.NewPolygon(poly)
			if err != nil {
				return cl, err
			}
			col := PathColor(s.Colour)
			b.Color, b.LineStyle.Width = color.NRGBA{col.R, col.G, col.B, 60}, 0
			p.Add(b)
		}
	}
	for _, s := range c.Series {
		st := draw.LineStyle{Color: PathColor(s.Colour), Width: vg.Points(1.5)}
		if s.Dashed {
			st.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		if s.Points {
			xy := plotter.XYs{}
			for k, y := range s.Y {
				if ok(s.X[k], y) {
					xy = append(xy, plotter.XY{X: s.X[k], Y: y})
				}
			}
			if len(xy) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return cl, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: PathColor(s.Colour), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			if s.Triangles {
				sc.GlyphStyle.Shape = draw.TriangleGlyph{}
			}
			p.Add(sc)
			dots = append(dots, xy...)
			if s.Label != "" {
				items = append(items, legendItem{label: s.Label, icon: glyphIcon(sc.GlyphStyle)})
			}
			continue
		}
		first := true
		// One line per finite run of points.
		for lo := 0; lo < len(s.Y); {
			for lo < len(s.Y) && !ok(s.X[lo], s.Y[lo]) {
				lo++
			}
			hi := lo
			xy := plotter.XYs{}
			for hi < len(s.Y) && ok(s.X[hi], s.Y[hi]) {
				xy = append(xy, plotter.XY{X: s.X[hi], Y: s.Y[hi]})
				hi++
			}
			if len(xy) > 0 {
				l, err := plotter.NewLine(xy)
				if err != nil {
					return cl, err
				}
				l.LineStyle = st
				p.Add(l)
				runs = append(runs, drawn{xy, st})
				if first && s.Label != "" {
					items = append(items, legendItem{label: s.Label, icon: lineIcon(st)})
					first = false
				}
			}
			lo = hi
		}
	}
	marks := plotter.XYs{}
	if ylo <= yhi {
		for _, m := range c.Marks {
			l, err := plotter.NewLine(plotter.XYs{{X: m, Y: ylo}, {X: m, Y: yhi}})
			if err != nil {
				return cl, err
			}
			l.Color = color.RGBA{150, 150, 150, 255}
			l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(l)
			marks = append(marks, plotter.XY{X: m, Y: ylo}, plotter.XY{X: m, Y: yhi})
		}
	}
	// A little room above and below the lines, so none runs along the
	// frame.
	if ylo < yhi && !c.LogY {
		pad := 0.04 * (yhi - ylo)
		p.Y.Min, p.Y.Max = math.Min(p.Y.Min, ylo-pad), math.Max(p.Y.Max, yhi+pad)
	} else if ylo < yhi {
		pad := math.Pow(yhi/ylo, 0.04)
		p.Y.Min, p.Y.Max = math.Min(p.Y.Min, ylo/pad), math.Max(p.Y.Max, yhi*pad)
	}
	if c.YRange != nil {
		p.Y.Min, p.Y.Max = c.YRange[0], c.YRange[1]
	}
	var strip *spanStrip
	if len(c.Spans) > 0 {
		// Room below the lines for the strip.
		if c.LogY && p.Y.Min > 0 && p.Y.Max > p.Y.Min {
			p.Y.Min /= math.Pow(p.Y.Max/p.Y.Min, stripShare/(1-stripShare))
		} else {
			p.Y.Min -= (p.Y.Max - p.Y.Min) * stripShare / (1 - stripShare)
		}
		strip = &spanStrip{spans: c.Spans}
		p.Add(strip)
		for _, sp := range c.Spans {
			if sp.Label == "" || slices.ContainsFunc(items, func(it legendItem) bool { return it.label == sp.Label }) {
				continue
			}
			items = append(items, legendItem{label: sp.Label, icon: swatch(sp.Colour)})
		}
	}
	main := draw.Crop(area, plotMargin/2, -plotMargin/2, plotMargin/2, -plotMargin/2)
	dataC := p.DataCanvas(main)
	if tooSmall(dataC.Rectangle) {
		return cl, fmt.Errorf("render: chart %q: no room for its data beside its labels; use a larger image", c.Title)
	}
	p.Draw(main)
	area.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	area.Stroke(dataC.Rectangle.Path())
	cl.data = dataC.Rectangle
	cl.fonts = []font.Font{p.Title.TextStyle.Font, p.X.Label.TextStyle.Font, p.Y.Label.TextStyle.Font, p.X.Tick.Label.Font, p.Y.Tick.Label.Font}

	// What the lines (and the marks) cover, for the legend to avoid.
	trX, trY := p.Transforms(&dataC)
	var t trace
	for _, r := range runs {
		pts := make([]vg.Point, len(r.xy))
		for k, q := range r.xy {
			pts[k] = vg.Point{X: trX(q.X), Y: trY(q.Y)}
		}
		t.lines = append(t.lines, pts)
	}
	cl.lines = t.lines
	for _, q := range dots {
		t.lines = append(t.lines, []vg.Point{{X: trX(q.X), Y: trY(q.Y)}})
	}
	for k := 0; k+1 < len(marks); k += 2 {
		t.lines = append(t.lines, []vg.Point{{X: trX(marks[k].X), Y: trY(marks[k].Y)}, {X: trX(marks[k+1].X), Y: trY(marks[k+1].Y)}})
	}
	var forbid []vg.Rectangle
	if strip != nil {
		cl.strip = strip.drawn
		forbid = append(forbid, strip.drawn)
	}
	if len(items) > 1 {
		cl.legend = newLegend(items).drawInside(area, dataC.Rectangle, t.samples(nil), forbid, false)
	}
	return cl, nil
}

// bands are the polygons of a series' band (Lo to Hi), one per run of
// points where both ends can be drawn.
func bands(s Series, ok func(x, y float64) bool) []plotter.XYs {
	var out []plotter.XYs
	for lo := 0; lo < len(s.X); {
		for lo < len(s.X) && !(ok(s.X[lo], s.Lo[lo]) && ok(s.X[lo], s.Hi[lo])) {
			lo++
		}
		hi := lo
		for hi < len(s.X) && ok(s.X[hi], s.Lo[hi]) && ok(s.X[hi], s.Hi[hi]) {
			hi++
		}
		if hi-lo >= 2 {
			poly := plotter.XYs{}
			for k := lo; k < hi; k++ {
				poly = append(poly, plotter.XY{X: s.X[k], Y: s.Hi[k]})
			}
			for k := hi - 1; k >= lo; k-- {
				poly = append(poly, plotter.XY{X: s.X[k], Y: s.Lo[k]})
			}
			out = append(out, poly)
		}
		lo = hi
	}
	return out
}

// spanStrip draws a chart's spans in a strip along the bottom of its data
// area, remembering where.
type spanStrip struct {
	spans []Span
	drawn vg.Rectangle
}

func (st *spanStrip) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	h := (c.Max.Y - c.Min.Y) * stripShare * 0.8
	st.drawn = vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Max.X, Y: c.Min.Y + h}}
	for _, sp := range st.spans {
		x0, x1 := trX(sp.Lo), trX(sp.Hi)
		if !(x1 > x0) {
			continue
		}
		r := vg.Rectangle{Min: vg.Point{X: max(x0, c.Min.X), Y: c.Min.Y}, Max: vg.Point{X: min(x1, c.Max.X), Y: c.Min.Y + h}}
		c.SetColor(sp.Colour)
		c.Fill(r.Path())
	}
	c.SetLineStyle(draw.LineStyle{Color: color.NRGBA{0, 0, 0, 150}, Width: 0.5})
	c.Stroke(st.drawn.Path())
}

// glyphIcon is a legend thumbnail: a marker in style st.
func glyphIcon(st draw.GlyphStyle) func(c draw.Canvas, r vg.Rectangle) {
	return func(c draw.Canvas, r vg.Rectangle) {
		c.DrawGlyph(st, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2})
	}
}

// lineIcon is a legend thumbnail: a line in style st.
func lineIcon(st draw.LineStyle) func(c draw.Canvas, r vg.Rectangle) {
	return func(c draw.Canvas, r vg.Rectangle) {
		y := (r.Min.Y + r.Max.Y) / 2
		c.StrokeLines(st, []vg.Point{{X: r.Min.X, Y: y}, {X: r.Max.X, Y: y}})
	}
}
