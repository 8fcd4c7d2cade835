package render

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/landscape-go/landscape/sdk"
)

var (
	markerFill = color.RGBA{230, 30, 45, 255}   // vivid red: stands out on every colormap's low end
	markerEdge = color.RGBA{255, 255, 255, 255} // white edge
	markerHalo = color.NRGBA{0, 0, 0, 170}      // dark halo keeps the edge visible on light colours
)

const (
	starRadius = vg.Length(7.5)
	ringRadius = vg.Length(4.5)
)

// markers is a plot.Plotter drawing Marker glyphs and labels.
type markers struct {
	list []Marker
	x, y sdk.Interval
}

func (m *markers) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for _, mk := range m.list {
		if !(mk.X >= m.x.Lo && mk.X <= m.x.Hi && mk.Y >= m.y.Lo && mk.Y <= m.y.Hi) {
			continue // outside the ranges, or NaN
		}
		pt := vg.Point{X: trX(mk.X), Y: trY(mk.Y)}
		var r vg.Length
		if g, ok := criticalGlyphs[mk.Style]; ok {
			r = g.r
			g.draw(c, pt)
			if mk.Label != "" {
				drawLabel(c, pt, r, mk.Label)
			}
			continue
		}
		switch mk.Style {
		case LocalMinimum:
			r = ringRadius
			ring := circle(pt, r)
			c.SetLineStyle(draw.LineStyle{Color: markerHalo, Width: 3.2})
			c.Stroke(ring)
			c.SetLineStyle(draw.LineStyle{Color: markerEdge, Width: 1.6})
			c.Stroke(ring)
		default:
			r = starRadius
			s := star(pt, r)
			c.SetLineStyle(draw.LineStyle{Color: markerHalo, Width: 3})
			c.Stroke(s)
			c.SetColor(markerFill)
			c.Fill(s)
			c.SetLineStyle(draw.LineStyle{Color: markerEdge, Width: 1.1})
			c.Stroke(s)
		}
		if mk.Label != "" {
			drawLabel(c, pt, r, mk.Label)
		}
	}
}

// drawLabel writes a marker's label beside it, white with a dark outline so
// it reads on any colour, on whichever side has room.
func drawLabel(c draw.Canvas, pt vg.Point, r vg.Length, label string) {
	sty := textStyle(10, draw.XLeft, draw.YCenter)
	w := sty.Width(label)
	at := vg.Point{X: pt.X + r + 3, Y: pt.Y}
	if at.X+w > c.Max.X {
		sty.XAlign = draw.XRight
		at.X = pt.X - r - 3
	}
	h := sty.Height(label)
	at.Y = max(c.Min.Y+h/2, min(at.Y, c.Max.Y-h/2))
	outline := sty
	outline.Color = color.NRGBA{0, 0, 0, 200}
	const d = vg.Length(0.8)
	for _, o := range [8][2]vg.Length{{-d, 0}, {d, 0}, {0, -d}, {0, d}, {-d, -d}, {-d, d}, {d, -d}, {d, d}} {
		c.FillText(outline, vg.Point{X: at.X + o[0], Y: at.Y + o[1]}, label)
	}
	sty.Color = color.White
	c.FillText(sty, at, label)
}

// star is a closed five-pointed star of outer radius r centred on c.
func star(c vg.Point, r vg.Length) vg.Path {
	return polygon(c, 10, func(i int) vg.Length {
		if i%2 == 1 {
			return r * 0.45
		}
		return r
	})
}

// polygon is the closed polygon of n corners around c, the first straight
// up, corner i at distance radius(i).
func polygon(c vg.Point, n int, radius func(i int) vg.Length) vg.Path {
	var p vg.Path
	for i := 0; i < n; i++ {
		a := math.Pi/2 + float64(i)*2*math.Pi/float64(n)
		rad := radius(i)
		q := vg.Point{X: c.X + rad*vg.Length(math.Cos(a)), Y: c.Y + rad*vg.Length(math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	return p
}

// circle is a closed circle of radius r centred on c.
func circle(c vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: c.X + r, Y: c.Y})
	p.Arc(c, r, 0, 2*math.Pi)
	p.Close()
	return p
}

// glyph is a critical point's marker: a shape of radius r, filled with
// fill and edged in dark gray.
type glyph struct {
	name  string
	fill  color.RGBA
	r     vg.Length
	shape func(c vg.Point, r vg.Length) vg.Path
}

var criticalGlyphs = map[MarkerStyle]glyph{
	CriticalMinimum:    {"minimum", color.RGBA{0x33, 0x88, 0xff, 255}, 4, circle},
	CriticalMaximum:    {"maximum", color.RGBA{0xe6, 0x2e, 0x2d, 255}, 5, triangle},
	CriticalSaddle:     {"saddle", color.RGBA{0xff, 0xd7, 0x00, 255}, 4.6, diamond},
	CriticalDegenerate: {"degenerate", color.RGBA{0xb0, 0xb0, 0xb0, 255}, 3.8, square},
}

// criticalOrder is the order of the kinds in legends.
var criticalOrder = []MarkerStyle{CriticalMinimum, CriticalSaddle, CriticalMaximum, CriticalDegenerate}

func (g glyph) draw(c draw.Canvas, pt vg.Point) {
	p := g.shape(pt, g.r)
	c.SetColor(g.fill)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: color.NRGBA{0x20, 0x20, 0x20, 230}, Width: 0.9})
	c.Stroke(p)
}

// icon draws the glyph in the middle of a legend row.
func (g glyph) icon(c draw.Canvas, r vg.Rectangle) {
	g.draw(c, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2})
}

// CriticalStyles are the styles of critical points, in legend order.
func CriticalStyles() []MarkerStyle { return append([]MarkerStyle(nil), criticalOrder...) }

// CriticalColor is the fill colour of a critical point's style (black
// for other styles).
func CriticalColor(st MarkerStyle) color.RGBA {
	if g, ok := criticalGlyphs[st]; ok {
		return g.fill
	}
	return color.RGBA{0, 0, 0, 255}
}

// CriticalName is the name of n critical points of style st ("saddle",
// "minima", ...).
func CriticalName(st MarkerStyle, n int) string {
	g := criticalGlyphs[st]
	switch {
	case n != 1:
		return pluralKind(g.name)
	case g.name == "degenerate":
		return "degenerate point"
	}
	return g.name
}

// markerLegend is a legend line per kind of critical point among marks,
// with its count ("saddle (220)").
func markerLegend(marks []Marker) []legendItem {
	count := map[MarkerStyle]int{}
	for _, m := range marks {
		count[m.Style]++
	}
	var items []legendItem
	for _, st := range criticalOrder {
		if n := count[st]; n > 0 {
			g := criticalGlyphs[st]
			items = append(items, legendItem{label: strconv.Itoa(n) + " " + CriticalName(st, n), icon: g.icon})
		}
	}
	return items
}

func pluralKind(s string) string {
	switch s {
	case "minimum":
		return "minima"
	case "maximum":
		return "maxima"
	case "degenerate":
		return "degenerate points"
	}
	return s + "s"
}

// triangle is an upward triangle of circumradius r centred on c.
func triangle(c vg.Point, r vg.Length) vg.Path {
	return polygon(c, 3, func(int) vg.Length { return r })
}

// diamond is a square on its corner, of half-diagonal r, centred on c.
func diamond(c vg.Point, r vg.Length) vg.Path {
	return polygon(c, 4, func(int) vg.Length { return r })
}

// square is an axis-aligned square of half-side r·0.8 centred on c.
func square(c vg.Point, r vg.Length) vg.Path {
	h := r * 0.8
	var p vg.Path
	p.Move(vg.Point{X: c.X - h, Y: c.Y - h})
	p.Line(vg.Point{X: c.X + h, Y: c.Y - h})
	p.Line(vg.Point{X: c.X + h, Y: c.Y + h})
	p.Line(vg.Point{X: c.X - h, Y: c.Y + h})
	p.Close()
	return p
}
