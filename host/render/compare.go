package render

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/landscape-go/landscape/compute"
)

// Curve is a loss-per-step series.
type Curve struct {
	Label string
	// Loss is the loss at steps 0, 1, …. The curve stops at its first NaN
	// or infinite value (a diverged run), marked with a cross.
	Loss []float64
	// Test, when not nil, is the test loss at the same steps, drawn dashed
	// in the curve's colour.
	Test []float64
	// Lo and Hi, when not nil (as long as Loss), are a band around the
	// curve filled translucently in its colour: the range of repeated
	// runs whose mean Loss is. NaN breaks the band.
	Lo, Hi []float64
}

const (
	defaultCompareWidth  = 1600
	defaultCompareHeight = 700
	// labelLossShifted names the loss axis when losses ≤ 0 made it plot
	// loss − min + ε.
	labelLossShifted = "loss − min + ε"
	curveWidth       = vg.Length(1.8)
	// tinyLoss and hugeLoss bound plotted losses, keeping the log axis
	// finite.
	tinyLoss = 1e-300
	hugeLoss = 1e300
)

// ComparePNG draws two panels side by side in one o.Width × o.Height image
// (zero: 1600×700) and writes it to w as a PNG: on the left the heatmap of
// f with its contours, colourbar, o.Markers and o.Paths (with their
// legend, left out where it would hide a marker), as PNG draws them; on
// the right the curves against step on a log-scale loss axis, curve i in
// the style of path i (PathColor, PathDashed), with a legend of their
// labels (a curve with no Label takes its path's) where it covers least
// of the curves.
// len(curves) must equal len(o.Paths).
//
// A log axis cannot show losses ≤ 0: when any finite loss is, every curve
// is plotted as loss − min + ε instead, min being the least finite loss of
// all curves and ε a millionth of the spread of their starting losses
// above it, and the axis is labelled "loss − min + ε". o.Title is drawn
// above both panels. Nothing is written unless the whole image rendered.
func ComparePNG(w io.Writer, f *compute.Field, o Options, curves []Curve) error {
	img, _, err := compare(f, nil, o, curves)
	if err != nil {
		return err
	}
	return writePNG(w, img)
}

// CompareCurvePNG is ComparePNG for a surface of one parameter: the left
// panel is the chart left (the loss along the parameter, with the runs'
// points on it) instead of a heatmap; o.Paths are not drawn (the chart
// shows the runs), and the curves take the styles of paths 0, 1, ... as
// in ComparePNG.
func CompareCurvePNG(w io.Writer, left Chart, o Options, curves []Curve) error {
	img, _, err := compare(nil, &left, o, curves)
	if err != nil {
		return err
	}
	return writePNG(w, img)
}

// compareLayout records where compare drew, for tests.
type compareLayout struct {
	left       frame        // the heatmap panel
	right      vg.Rectangle // the curves' data area
	rightLabel string       // the loss axis label
	legend     vg.Rectangle // the curves' legend; empty for none
}

func compare(f *compute.Field, chart *Chart, o Options, curves []Curve) (img *image.RGBA, cl compareLayout, err error) {
	if o.Width == 0 {
		o.Width = defaultCompareWidth
	}
	if o.Height == 0 {
		o.Height = defaultCompareHeight
	}
	for _, c := range curves {
		if c.Lo != nil && len(c.Lo) != len(c.Loss) || c.Hi != nil && len(c.Hi) != len(c.Loss) || (c.Lo == nil) != (c.Hi == nil) {
			return nil, cl, fmt.Errorf("render: curve %q has %d losses, %d low and %d high values", c.Label, len(c.Loss), len(c.Lo), len(c.Hi))
		}
	}
	var (
		s   settings
		col colouring
	)
	if chart == nil {
		if err := checkField(f); err != nil {
			return nil, cl, err
		}
		if len(curves) != len(o.Paths) {
			return nil, cl, fmt.Errorf("render: %d curves for %d paths (curve i pairs with path i)", len(curves), len(o.Paths))
		}
		if s, err = resolve(f.Grid, o); err != nil {
			return nil, cl, err
		}
		if col, err = colourField(f, s.log, false); err != nil {
			return nil, cl, err
		}
	} else {
		if o.Width < minSide || o.Height < minSide || o.Width > maxSide || o.Height > maxSide {
			return nil, cl, errNoRoom(o.Width, o.Height)
		}
		s = settings{w: o.Width, h: o.Height, title: o.Title}
	}
	set := prepareCurves(curves)
	labels := make([]string, len(curves))
	for i, c := range curves {
		labels[i] = c.Label
		if labels[i] == "" && i < len(o.Paths) {
			labels[i] = o.Paths[i].Label
		}
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("render: drawing failed: %v", r)
		}
	}()

	cv := newCanvas(s.w, s.h, math.Sqrt(float64(s.w)/defaultCompareWidth*float64(s.h)/defaultCompareHeight))
	body := cv.dc
	if s.title != "" {
		sty := textStyle(13, draw.XCenter, draw.YTop)
		const pad = vg.Length(8)
		body.FillText(sty, vg.Point{X: (body.Min.X + body.Max.X) / 2, Y: body.Max.Y - pad}, s.title)
		body = draw.Crop(body, 0, 0, 0, -(pad + sty.Height(s.title)))
	}
	split := body.Min.X + (body.Max.X-body.Min.X)*0.55
	left, right := body, body
	left.Max.X, right.Min.X = split, split

	if chart != nil {
		if _, err := drawChart(left, *chart); err != nil {
			return nil, cl, err
		}
	} else {
		ls := s
		ls.title = ""
		ls.optionalLegend = true
		if cl.left, err = drawField(cv, left, f, ls, col); err != nil {
			return nil, cl, err
		}
	}
	if err := drawCurves(cv, right, set, labels, &cl); err != nil {
		return nil, cl, err
	}
	return cv.img, cl, nil
}

// curveSet is the curves as plotted.
type curveSet struct {
	ys      [][]float64 // plotted values, up to each curve's first non-finite loss
	tys     [][]float64 // the test losses, plotted alike (nil: none)
	los     [][]float64 // the bands' ends, plotted alike, up to the curve's cut (nil: none)
	his     [][]float64
	cut     []bool  // the curve stopped at a non-finite loss
	shifted bool    // ys are loss − min + ε
	steps   int     // the longest curve's length, non-finite tail included
	lo, hi  float64 // extremes of ys, hi capped; 0 when there are none
	clipped bool    // some ys exceed hi
}

// prepareCurves cuts the curves at their first non-finite loss and, if any
// loss left is ≤ 0, shifts them all to loss − min + ε.
func prepareCurves(curves []Curve) curveSet {
	set := curveSet{ys: make([][]float64, len(curves)), tys: make([][]float64, len(curves)), cut: make([]bool, len(curves)),
		los: make([][]float64, len(curves)), his: make([][]float64, len(curves))}
	vmin, vmax := math.Inf(1), math.Inf(-1)
	start := math.Inf(-1) // the largest starting loss
	finitePart := func(v []float64) []float64 {
		n := 0
		for n < len(v) && finite(v[n]) {
			vmin, vmax = math.Min(vmin, v[n]), math.Max(vmax, v[n])
			n++
		}
		if n > 0 {
			start = math.Max(start, v[0])
		}
		return append([]float64(nil), v[:n]...)
	}
	for i, c := range curves {
		set.steps = max(set.steps, len(c.Loss))
		set.ys[i] = finitePart(c.Loss)
		set.cut[i] = len(set.ys[i]) < len(c.Loss)
		if c.Test != nil {
			set.tys[i] = finitePart(c.Test)
		}
		if c.Lo != nil {
			n := len(set.ys[i])
			set.los[i], set.his[i] = append([]float64(nil), c.Lo[:n]...), append([]float64(nil), c.Hi[:n]...)
			for k := range n {
				if finite(set.los[i][k]) && finite(set.his[i][k]) {
					vmin, vmax = math.Min(vmin, set.los[i][k]), math.Max(vmax, set.his[i][k])
				}
			}
		}
	}
	if math.IsInf(vmin, 1) {
		return set // nothing finite
	}
	set.shifted = vmin <= 0
	var floor, eps float64
	if set.shifted {
		// ε is relative to where the runs started, not to how far a
		// diverging one climbed, so converged runs stay apart.
		for _, spread := range []float64{start - vmin, vmax - vmin, math.Max(math.Abs(vmin), 1)} {
			if eps = spread * 1e-6; eps > 0 && finite(eps) {
				break
			}
		}
		eps = math.Max(eps, tinyLoss)
		floor = vmin - eps
	}
	set.lo, set.hi = math.Inf(1), math.Inf(-1)
	top := 0.0 // the largest plotted starting loss
	for _, ys := range append(append([][]float64{}, set.ys...), set.tys...) {
		for k, v := range ys {
			if set.shifted {
				v = math.Max(v-floor, eps)
			}
			v = math.Max(tinyLoss, math.Min(v, hugeLoss))
			ys[k] = v
			set.lo, set.hi = math.Min(set.lo, v), math.Max(set.hi, v)
		}
		if len(ys) > 0 {
			top = math.Max(top, ys[0])
		}
	}
	for _, ys := range append(append([][]float64{}, set.los...), set.his...) {
		for k, v := range ys {
			if !finite(v) {
				continue
			}
			if set.shifted {
				v = math.Max(v-floor, eps)
			}
			ys[k] = math.Max(tinyLoss, math.Min(v, hugeLoss))
		}
	}
	// A diverging run would squeeze every other curve to the bottom: show
	// at most a few decades above the starts, and let it leave the top.
	if lim := top * climb; set.hi > lim && set.lo < lim {
		set.hi, set.clipped = lim, true
	}
	return set
}

// climb bounds the loss axis to this factor above the highest start.
const climb = 1e3

// drawCurves draws the loss panel into area.
func drawCurves(cv canvas, area draw.Canvas, set curveSet, labels []string, cl *compareLayout) error {
	ylabel := labelLinear
	if set.shifted {
		ylabel = labelLossShifted
	}
	cl.rightLabel = ylabel
	p := newAxes("", "step", ylabel, area.Max.X-area.Min.X, area.Max.Y-area.Min.Y)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logAxisTicks{n: max(3, min(10, int((area.Max.Y-area.Min.Y)/60)))}

	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: color.NRGBA{0, 0, 0, 28}, Width: 0.5}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	cp := &curvesPlotter{set: set}
	p.Add(cp)

	p.X.Min, p.X.Max = 0, math.Max(float64(set.steps-1), 1)
	lo, hi := 1.0, 10.0
	if set.hi > 0 {
		l0, l1 := math.Log10(set.lo), math.Log10(set.hi)
		if l1-l0 < 1e-9 {
			l0, l1 = l0-0.5, l1+0.5
		}
		pad := 0.04 * (l1 - l0)
		lo, hi = math.Pow(10, l0-pad), math.Pow(10, l1+pad)
	}
	p.Y.Min, p.Y.Max = lo, hi

	main := draw.Crop(area, 1.5*plotMargin, -2*plotMargin, plotMargin/2, -plotMargin)
	dataC := p.DataCanvas(main)
	if tooSmall(dataC.Rectangle) {
		return errNoRoom(cv.w, cv.h)
	}
	p.Draw(main)
	area.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	area.Stroke(dataC.Rectangle.Path())
	cl.right = dataC.Rectangle

	var items []legendItem
	var avoid []vg.Point
	avoid = trace{lines: cp.drawn}.samples(avoid)
	test := false
	for i := range set.ys {
		if labels[i] != "" {
			items = append(items, legendItem{label: labels[i], icon: pathStyle(i).curveIcon})
		}
		test = test || set.tys[i] != nil
	}
	if test {
		items = append(items, legendItem{label: "dashed: test loss", icon: func(c draw.Canvas, r vg.Rectangle) {
			y := (r.Min.Y + r.Max.Y) / 2
			c.StrokeLines(testLine(color.RGBA{90, 90, 90, 255}), []vg.Point{{X: r.Min.X, Y: y}, {X: r.Max.X, Y: y}})
		}})
	}
	if len(items) > 0 {
		cl.legend = newLegend(items).drawInside(area, dataC.Rectangle, avoid, nil, false)
	}
	return nil
}

// curvesPlotter draws a curveSet, remembering the lines it drew.
type curvesPlotter struct {
	set   curveSet
	drawn [][]vg.Point
}

func (cp *curvesPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	cp.drawn = nil
	// The bands first, under every curve.
	for i, lo := range cp.set.los {
		hi := cp.set.his[i]
		col := pathStyle(i).col
		for a := 0; a < len(lo); {
			for a < len(lo) && !(finite(lo[a]) && finite(hi[a])) {
				a++
			}
			b := a
			for b < len(lo) && finite(lo[b]) && finite(hi[b]) {
				b++
			}
			if b-a >= 2 {
				var pts []vg.Point
				for k := a; k < b; k++ {
					pts = append(pts, vg.Point{X: trX(float64(k)), Y: trY(hi[k])})
				}
				for k := b - 1; k >= a; k-- {
					pts = append(pts, vg.Point{X: trX(float64(k)), Y: trY(lo[k])})
				}
				if poly := c.ClipPolygonXY(pts); len(poly) > 2 {
					var path vg.Path
					for k, q := range poly {
						if k == 0 {
							path.Move(q)
						} else {
							path.Line(q)
						}
					}
					path.Close()
					c.SetColor(color.NRGBA{col.R, col.G, col.B, 55})
					c.Fill(path)
				}
			}
			a = b
		}
	}
	for i, ys := range cp.set.ys {
		if len(ys) == 0 {
			continue
		}
		st := pathStyle(i)
		pts := make([]vg.Point, 0, len(ys))
		for k, y := range ys {
			pt := vg.Point{X: trX(float64(k)), Y: trY(y)}
			if n := len(pts); n > 0 && k < len(ys)-1 {
				// Skip points that add nothing visible.
				if last := pts[n-1]; math.Abs(float64(pt.X-last.X))+math.Abs(float64(pt.Y-last.Y)) < 0.25 {
					continue
				}
			}
			pts = append(pts, pt)
		}
		last := pts[len(pts)-1]
		inside := c.Contains(last)
		lines := [][]vg.Point{pts}
		if cp.set.clipped {
			lines = c.ClipLinesY(pts)
		}
		st.lines(c, curveWidth, lines)
		cp.drawn = append(cp.drawn, lines...)
		if len(pts) == 1 && inside {
			st.disc(c, pts[0], 2.5)
		}
		if cp.set.cut[i] && inside {
			st.cross(c, last, 4)
		}
	}
	for i, ys := range cp.set.tys {
		if len(ys) < 2 {
			continue
		}
		pts := make([]vg.Point, len(ys))
		for k, y := range ys {
			pts[k] = vg.Point{X: trX(float64(k)), Y: trY(y)}
		}
		for _, l := range c.ClipLinesY(pts) {
			if len(l) > 1 {
				c.StrokeLines(testLine(pathStyle(i).col), l)
			}
		}
	}
}

// testLine is the dashed style of a test-loss curve.
func testLine(col color.RGBA) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: curveWidth, Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
}

// logAxisTicks labels powers of ten on a log axis (every few when there
// are more than n decades), with unlabelled ticks at the multiples between;
// on a shorter axis it labels 2 and 5 times powers of ten too, and failing
// that round linear values.
type logAxisTicks struct{ n int }

var _ plot.Ticker = logAxisTicks{}

func (t logAxisTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	e0 := int(math.Floor(math.Log10(lo)))
	e1 := int(math.Ceil(math.Log10(hi)))
	in := func(v float64) bool { return v >= lo*(1-1e-12) && v <= hi*(1+1e-12) }
	// Label every step-th power of ten, step a round number of decades,
	// with unlabelled ticks at the decades (or every fifth of a step)
	// between, and at 2…9 times each power when every decade is labelled.
	step, minor := 1, 1
	for _, st := range []struct{ step, minor int }{{1, 1}, {2, 1}, {3, 1}, {5, 1}, {10, 2}, {20, 5}, {25, 5}, {50, 10}, {100, 20}} {
		step, minor = st.step, st.minor
		if (e1-e0)/step <= max(t.n, 2) {
			break
		}
	}
	mod := func(e, k int) bool { return ((e%k)+k)%k == 0 }
	for _, fives := range []bool{false, true} {
		var ticks []plot.Tick
		labelled := 0
		for e := e0; e <= e1; e++ {
			if !mod(e, minor) {
				continue
			}
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow10(e)
				if !in(v) || (m > 1 && step > 1) {
					continue
				}
				tk := plot.Tick{Value: v}
				if mod(e, step) && (m == 1 || (fives && (m == 2 || m == 5))) {
					tk.Label = formatTick(v)
					labelled++
				}
				ticks = append(ticks, tk)
			}
		}
		if labelled >= 2 {
			return ticks
		}
	}
	return niceTicks{n: t.n}.Ticks(lo, hi)
}
