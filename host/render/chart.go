package render

import (
	"fmt"
	"image/color"
	"io"
	"math"

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
}

// Chart is one panel of line plots.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogY draws the y axis on a log scale (values ≤ 0 are left out).
	LogY bool
	// Marks are x positions marked with thin vertical lines (known minima).
	Marks []float64
	// YRange, when set, is the y axis's extent (lines leaving it are
	// clipped) instead of the series' own.
	YRange *[2]float64
}

// ChartsPNG draws the charts side by side in a width×height image: the
// fonts and round ticks of the heatmaps, a frame around each data area,
// and a legend only where a chart has two or more labelled series, placed
// inside the data area where it covers least of the lines.
func ChartsPNG(w io.Writer, width, height int, charts ...Chart) (err error) {
	if len(charts) == 0 {
		return fmt.Errorf("render: no charts")
	}
	if width < 200*len(charts) || height < 150 || width > 20000 || height > 20000 {
		return errNoRoom(width, height)
	}
	for _, c := range charts {
		for _, s := range c.Series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("render: series %q has %d x and %d y values", s.Label, len(s.X), len(s.Y))
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render: drawing failed: %v", r)
		}
	}()
	cv := newCanvas(width, height, float64(height)/500)
	tiles := draw.Tiles{Rows: 1, Cols: len(charts), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	for i, c := range charts {
		if _, err := drawChart(tiles.At(cv.dc, i, 0), c); err != nil {
			return err
		}
	}
	return writePNG(w, cv.img)
}

// chartLayout records where drawChart drew, for tests.
type chartLayout struct {
	data   vg.Rectangle // the data area
	legend vg.Rectangle // empty for none
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
	ylo, yhi := math.Inf(1), math.Inf(-1)
	ok := func(x, y float64) bool { return finite(x) && finite(y) && (!c.LogY || y > 0) }
	for _, s := range c.Series {
		for k, y := range s.Y {
			if ok(s.X[k], y) {
				ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
			}
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
	if len(items) > 1 {
		cl.legend = newLegend(items).drawInside(area, dataC.Rectangle, t.samples(nil), nil, false)
	}
	return cl, nil
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
