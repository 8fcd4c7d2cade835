package render

import (
	"image"
	"image/color"
	imgdraw "image/draw"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Path is an optimizer's trajectory in the plane's (x, y) coordinates.
type Path struct {
	Label string
	// Points are the trajectory in order. The first point with a NaN or
	// infinite coordinate ends the path (a diverged run): it is drawn up
	// to the last finite point before it.
	Points [][2]float64
}

// pathColors are the paths' colours: the Okabe–Ito palette (Okabe and Ito,
// "Color Universal Design", 2008), distinguishable under the common
// colour-vision deficiencies, in its usual order with black last; then
// eight darker or greyer colours from Paul Tol's palettes, which the
// images draw dash-dotted (see PathDashed), so that styles 8 to 15 differ
// from the first eight in colour and in dash.
var pathColors = []color.RGBA{
	{0xe6, 0x9f, 0x00, 255}, // orange
	{0x56, 0xb4, 0xe9, 255}, // sky blue
	{0x00, 0x9e, 0x73, 255}, // bluish green
	{0xf0, 0xe4, 0x42, 255}, // yellow
	{0x00, 0x72, 0xb2, 255}, // blue
	{0xd5, 0x5e, 0x00, 255}, // vermillion
	{0xcc, 0x79, 0xa7, 255}, // reddish purple
	{0x00, 0x00, 0x00, 255}, // black
	{0x88, 0x22, 0x55, 255}, // wine
	{0x99, 0x99, 0x33, 255}, // olive
	{0x33, 0x22, 0x88, 255}, // indigo
	{0xee, 0x33, 0x77, 255}, // magenta
	{0x11, 0x77, 0x33, 255}, // green
	{0x8c, 0x51, 0x0a, 255}, // brown
	{0x99, 0x99, 0x99, 255}, // grey
	{0x44, 0xaa, 0x99, 255}, // teal
}

// PathStyles is how many distinct path styles there are: PathColor and
// PathDashed repeat after it.
const PathStyles = 16

// PathColor is the colour of the i-th path (and of the i-th curve of
// ComparePNG): see pathColors; the styles repeat after PathStyles.
func PathColor(i int) color.RGBA {
	return pathColors[styleIndex(i)]
}

// PathDashed reports whether the images draw the i-th path dash-dotted
// (styles 8 to 15; the viewer, which draws solid lines, tells them apart
// by colour alone).
func PathDashed(i int) bool { return styleIndex(i) >= 8 }

func styleIndex(i int) int {
	return ((i % PathStyles) + PathStyles) % PathStyles
}

// pathDashes is the dash-dot pattern of PathDashed styles (a test loss is
// dashed evenly, see testLine).
var pathDashes = []vg.Length{7, 2.5, 1.5, 2.5}

// Path drawing sizes, in points.
const (
	pathWidth   = vg.Length(2)
	pathOutline = vg.Length(0.8) // outline each side of a line
	startRadius = vg.Length(3.6)
	endRadius   = vg.Length(4.2)
)

// lineStyle draws a line, ring or disc in a colour with a thin outline that
// contrasts with it: dark around light colours, white around dark ones, so
// that it reads on every colormap.
type lineStyle struct {
	col  color.RGBA
	edge color.NRGBA
	// dashes, when set, dash the coloured line over its solid outline.
	dashes []vg.Length
}

func pathStyle(i int) lineStyle {
	c := PathColor(i)
	st := lineStyle{col: c, edge: color.NRGBA{0, 0, 0, 190}}
	if PathDashed(i) {
		st.dashes = pathDashes
	}
	if 0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B) < 128 {
		st.edge = color.NRGBA{255, 255, 255, 210}
	}
	return st
}

// lines strokes polylines of width w, outlines first.
func (st lineStyle) lines(c draw.Canvas, w vg.Length, lines [][]vg.Point) {
	for _, pass := range []draw.LineStyle{
		{Color: st.edge, Width: w + 2*pathOutline},
		{Color: st.col, Width: w, Dashes: st.dashes},
	} {
		for _, l := range lines {
			if len(l) > 1 {
				c.StrokeLines(pass, l)
			}
		}
	}
}

// ring is a hollow circle of radius r at pt.
func (st lineStyle) ring(c draw.Canvas, pt vg.Point, r vg.Length) {
	ring := circle(pt, r)
	w := vg.Length(1.6)
	c.SetLineStyle(draw.LineStyle{Color: st.edge, Width: w + 2*pathOutline})
	c.Stroke(ring)
	c.SetLineStyle(draw.LineStyle{Color: st.col, Width: w})
	c.Stroke(ring)
}

// disc is a filled circle of radius r at pt.
func (st lineStyle) disc(c draw.Canvas, pt vg.Point, r vg.Length) {
	c.SetColor(st.edge)
	c.Fill(circle(pt, r+pathOutline))
	c.SetColor(st.col)
	c.Fill(circle(pt, r))
}

// cross is an × of half-size r at pt.
func (st lineStyle) cross(c draw.Canvas, pt vg.Point, r vg.Length) {
	a := [][]vg.Point{
		{{X: pt.X - r, Y: pt.Y - r}, {X: pt.X + r, Y: pt.Y + r}},
		{{X: pt.X - r, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y - r}},
	}
	st.lines(c, 1.8, a)
}

// trace is a path's visible geometry, in points.
type trace struct {
	lines            [][]vg.Point
	start, end       vg.Point
	hasStart, hasEnd bool // the start and end lie in the plot range
}

// norm maps plane point (x, y) to the unit square of the data area,
// keeping far-off points finite.
func (fr frame) norm(x, y float64) [2]float64 {
	const far = 1e300
	u := (x - fr.xmin) / (fr.xmax - fr.xmin)
	v := (y - fr.ymin) / (fr.ymax - fr.ymin)
	return [2]float64{math.Max(-far, math.Min(u, far)), math.Max(-far, math.Min(v, far))}
}

// point maps unit-square coordinates to a point of the canvas.
func (fr frame) point(q [2]float64) vg.Point {
	d := fr.data
	return vg.Point{
		X: d.Min.X + vg.Length(q[0])*(d.Max.X-d.Min.X),
		Y: d.Min.Y + vg.Length(q[1])*(d.Max.Y-d.Min.Y),
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func inUnit(q [2]float64) bool { return q[0] >= 0 && q[0] <= 1 && q[1] >= 0 && q[1] <= 1 }

// trace clips p to a little beyond the data area (the caller clips the
// drawing exactly) and maps it to points.
func (fr frame) trace(p Path) trace {
	const margin = 0.02
	var t trace
	var cur []vg.Point
	flush := func() {
		if len(cur) > 1 {
			t.lines = append(t.lines, cur)
		}
		cur = nil
	}
	var prev [2]float64
	n := 0
	for _, xy := range p.Points {
		if !finite(xy[0]) || !finite(xy[1]) {
			break
		}
		q := fr.norm(xy[0], xy[1])
		if n == 0 {
			if inUnit(q) {
				t.start, t.hasStart = fr.point(q), true
			}
		} else if a, b, ok, cutA, cutB := clipSegment(prev, q, -margin, 1+margin); ok {
			if cutA || len(cur) == 0 {
				flush()
				cur = append(cur, fr.point(a))
			}
			// Skip points that add nothing visible (long runs that
			// crawl near a minimum), but keep where the line leaves.
			pt := fr.point(b)
			last := cur[len(cur)-1]
			if cutB || math.Abs(float64(pt.X-last.X))+math.Abs(float64(pt.Y-last.Y)) >= 0.25 {
				cur = append(cur, pt)
			}
			if cutB {
				flush()
			}
		} else {
			flush()
		}
		prev = q
		n++
	}
	if n > 0 {
		if len(cur) > 0 {
			// The end point may have been skipped as too close.
			if pt := fr.point(prev); cur[len(cur)-1] != pt {
				cur = append(cur, pt)
			}
		}
		if inUnit(prev) {
			t.end, t.hasEnd = fr.point(prev), true
		}
	}
	flush()
	return t
}

// clipSegment clips segment ab to the square [lo, hi]² (see ClipSegment),
// reporting whether any of it remains and whether each end was cut.
func clipSegment(a, b [2]float64, lo, hi float64) (a2, b2 [2]float64, ok, cutA, cutB bool) {
	t0, t1, ok := ClipSegment(a, b, lo, hi)
	if !ok {
		return a2, b2, false, false, false
	}
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	a2 = [2]float64{a[0] + t0*d[0], a[1] + t0*d[1]}
	b2 = [2]float64{a[0] + t1*d[0], a[1] + t1*d[1]}
	if t0 == 0 {
		a2 = a
	}
	if t1 == 1 {
		b2 = b
	}
	return a2, b2, true, t0 > 0, t1 < 1
}

// ClipSegment clips the segment from a to b to the square [lo, hi]²
// (Liang–Barsky): the part inside runs from a + t0(b − a) to a + t1(b − a),
// 0 ≤ t0 ≤ t1 ≤ 1; ok is false when none of it is inside.
func ClipSegment(a, b [2]float64, lo, hi float64) (t0, t1 float64, ok bool) {
	t0, t1 = 0.0, 1.0
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for k := 0; k < 2; k++ {
		for _, e := range [2]struct{ p, q float64 }{{-d[k], a[k] - lo}, {d[k], hi - a[k]}} {
			if e.p == 0 {
				if e.q < 0 {
					return 0, 0, false
				}
				continue
			}
			r := e.q / e.p
			if e.p < 0 {
				if r > t1 {
					return 0, 0, false
				}
				t0 = math.Max(t0, r)
			} else {
				if r < t0 {
					return 0, 0, false
				}
				t1 = math.Min(t1, r)
			}
		}
	}
	return t0, t1, true
}

// samples appends points along t's lines, a few points apart, for legend
// placement.
func (t trace) samples(to []vg.Point) []vg.Point {
	const step = vg.Length(4)
	for _, l := range t.lines {
		if len(l) == 0 {
			continue
		}
		for k := 1; k < len(l); k++ {
			a, b := l[k-1], l[k]
			d := vg.Length(math.Hypot(float64(b.X-a.X), float64(b.Y-a.Y)))
			n := max(1, min(int(d/step), 1000))
			for s := 0; s < n; s++ {
				f := vg.Length(s) / vg.Length(n)
				to = append(to, vg.Point{X: a.X + f*(b.X-a.X), Y: a.Y + f*(b.Y-a.Y)})
			}
		}
		to = append(to, l[len(l)-1])
	}
	if t.hasStart {
		to = append(to, t.start)
	}
	if t.hasEnd {
		to = append(to, t.end)
	}
	return to
}

// layer is a transparent image the size of cv, drawn on separately and
// then composited into part of cv: drawing there is clipped exactly.
type layer struct {
	dc  draw.Canvas
	img *image.RGBA
}

func (cv canvas) layer() layer {
	vc := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, cv.w, cv.h))), vgimg.UseDPI(cv.dpi))
	img := vc.Image().(*image.RGBA)
	imgdraw.Draw(img, img.Bounds(), image.Transparent, image.Point{}, imgdraw.Src)
	return layer{dc: draw.New(vc), img: img}
}

// composite draws the layer over cv inside r.
func (cv canvas) composite(l layer, r vg.Rectangle) {
	pr := cv.pixels(r)
	imgdraw.Draw(cv.img, pr, l.img, pr.Min, imgdraw.Over)
}

// drawPaths draws paths over the data area of fr, clipped to it, and the
// critical points among marks over them, with a legend of the paths'
// labels and of the kinds of critical points (see pathLegend), and returns
// the legend's box (empty for none).
func drawPaths(cv canvas, fr frame, paths []Path, marks []Marker, optional bool) vg.Rectangle {
	traces := make([]trace, len(paths))
	for i, p := range paths {
		traces[i] = fr.trace(p)
	}
	ly := cv.layer()
	drawTraces(ly.dc, traces)
	// Critical points over the paths: a path's ends are often minima.
	for _, m := range marks {
		if g, ok := criticalGlyphs[m.Style]; ok {
			if q := fr.norm(m.X, m.Y); inUnit(q) {
				g.draw(ly.dc, fr.point(q))
			}
		}
	}
	cv.composite(ly, fr.data)
	lg, tl, ok := pathLegend(fr, paths, traces, marks, optional)
	if !ok {
		return vg.Rectangle{}
	}
	return lg.draw(cv.dc, tl)
}

// drawTraces draws each trace in its path's style, then every start ring
// and every end disc over all the lines, so that no later path hides them.
func drawTraces(c draw.Canvas, traces []trace) {
	for i, t := range traces {
		pathStyle(i).lines(c, pathWidth, t.lines)
	}
	for i, t := range traces {
		if t.hasStart {
			pathStyle(i).ring(c, t.start, startRadius)
		}
	}
	for i, t := range traces {
		if t.hasEnd {
			pathStyle(i).disc(c, t.end, endRadius)
		}
	}
}

// pathLegend is the legend of the paths' labels (paths without one left
// out) and its top left corner: inside the data area where it hides no
// marker or marker label, and of such places where it covers least of the
// paths (see legend.place). ok is false when there is no legend to draw:
// no labels, no room, or, when optional, no place that hides no marker.
func pathLegend(fr frame, paths []Path, traces []trace, marks []Marker, optional bool) (lg *legend, tl vg.Point, ok bool) {
	var items []legendItem
	var avoid []vg.Point
	for i, p := range paths {
		avoid = traces[i].samples(avoid)
		if p.Label != "" {
			items = append(items, legendItem{label: p.Label, icon: pathStyle(i).pathIcon})
		}
	}
	items = append(items, markerLegend(marks)...)
	if len(items) == 0 {
		return nil, tl, false
	}
	var forbid []vg.Rectangle
	for _, m := range marks {
		if q := fr.norm(m.X, m.Y); inUnit(q) {
			forbid = append(forbid, markerBox(m, fr.point(q), fr.data))
		}
	}
	lg = newLegend(items)
	tl, ok = lg.inside(fr.data, avoid, forbid, optional)
	return lg, tl, ok
}

// markerBox is the area marker m drawn at pt covers: its glyph and halo,
// and its label on the side drawLabel puts it.
func markerBox(m Marker, pt vg.Point, data vg.Rectangle) vg.Rectangle {
	r := starRadius
	if g, ok := criticalGlyphs[m.Style]; ok {
		r = g.r
	} else if m.Style == LocalMinimum {
		r = ringRadius
	}
	r += 2 // the halo
	box := vg.Rectangle{Min: vg.Point{X: pt.X - r, Y: pt.Y - r}, Max: vg.Point{X: pt.X + r, Y: pt.Y + r}}
	if m.Label != "" {
		sty := textStyle(10, draw.XLeft, draw.YCenter)
		w, h := sty.Width(m.Label)+2, sty.Height(m.Label)/2+1
		if pt.X+r+1+w <= data.Max.X {
			box.Max.X = pt.X + r + 1 + w
		} else {
			box.Min.X = pt.X - r - 1 - w
		}
		box.Min.Y, box.Max.Y = min(box.Min.Y, pt.Y-h), max(box.Max.Y, pt.Y+h)
	}
	return box
}

// pathIcon is a path's legend thumbnail: a line from a ring to a disc.
func (st lineStyle) pathIcon(c draw.Canvas, r vg.Rectangle) {
	y := (r.Min.Y + r.Max.Y) / 2
	a := vg.Point{X: r.Min.X + startRadius*0.8, Y: y}
	b := vg.Point{X: r.Max.X - endRadius*0.8, Y: y}
	st.lines(c, pathWidth, [][]vg.Point{{a, b}})
	st.ring(c, a, startRadius*0.8)
	st.disc(c, b, endRadius*0.8)
}

// curveIcon is a curve's legend thumbnail: a plain line.
func (st lineStyle) curveIcon(c draw.Canvas, r vg.Rectangle) {
	y := (r.Min.Y + r.Max.Y) / 2
	st.lines(c, curveWidth, [][]vg.Point{{{X: r.Min.X, Y: y}, {X: r.Max.X, Y: y}}})
}
