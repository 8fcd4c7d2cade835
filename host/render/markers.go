package render

import (
	"image/color"
	"math"

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
	var p vg.Path
	for i := 0; i < 10; i++ {
		rad := r
		if i%2 == 1 {
			rad = r * 0.45
		}
		a := math.Pi/2 + float64(i)*math.Pi/5
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
