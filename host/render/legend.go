package render

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendItem is one line of a legend: a thumbnail and a label.
type legendItem struct {
	label string
	icon  func(c draw.Canvas, r vg.Rectangle) // nil for a line of text alone
}

// legend is a box listing items, drawn on a translucent white background.
type legend struct {
	items                 []legendItem
	sty                   text.Style
	iconW, pad, gap, rowH vg.Length
}

// maxLabel bounds a legend label, in characters.
const maxLabel = 48

func newLegend(items []legendItem) *legend {
	sty := textStyle(10, draw.XLeft, draw.YCenter)
	l := &legend{sty: sty, iconW: 24, pad: 6, gap: 6, rowH: sty.Height("Mg") * 1.3}
	for _, it := range items {
		it.label = shorten(it.label, maxLabel)
		l.items = append(l.items, it)
	}
	return l
}

// shorten cuts s to n characters, ending it with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// fit keeps the items that fit in height h, the last line saying how many
// were left out.
func (l *legend) fit(h vg.Length) {
	n := int((h - 2*l.pad) / l.rowH)
	if n >= len(l.items) {
		return
	}
	if n < 1 {
		l.items = nil
		return
	}
	more := len(l.items) - (n - 1)
	l.items = append(l.items[:n-1:n-1], legendItem{label: fmt.Sprintf("… and %d more", more)})
}

// size is the legend box's width and height.
func (l *legend) size() (w, h vg.Length) {
	var tw vg.Length
	for _, it := range l.items {
		tw = max(tw, l.sty.Width(it.label))
	}
	return 2*l.pad + l.iconW + l.gap + tw, 2*l.pad + l.rowH*vg.Length(len(l.items))
}

// draw draws the legend with its top left corner at tl and returns its box.
func (l *legend) draw(c draw.Canvas, tl vg.Point) vg.Rectangle {
	w, h := l.size()
	r := vg.Rectangle{Min: vg.Point{X: tl.X, Y: tl.Y - h}, Max: vg.Point{X: tl.X + w, Y: tl.Y}}
	box := roundedRect(r, 3)
	c.SetColor(color.NRGBA{255, 255, 255, 210})
	c.Fill(box)
	c.SetLineStyle(draw.LineStyle{Color: color.NRGBA{0, 0, 0, 120}, Width: 0.6})
	c.Stroke(box)
	for i, it := range l.items {
		yc := tl.Y - l.pad - l.rowH*(vg.Length(i)+0.5)
		x := r.Min.X + l.pad
		if it.icon != nil {
			it.icon(c, vg.Rectangle{
				Min: vg.Point{X: x, Y: yc - l.rowH/2},
				Max: vg.Point{X: x + l.iconW, Y: yc + l.rowH/2},
			})
		}
		c.FillText(l.sty, vg.Point{X: x + l.iconW + l.gap, Y: yc}, it.label)
	}
	return r
}

// drawInside draws the legend in the corner of data that covers the fewest
// of the points avoid (top right first on ties), fitting its height to
// the area, and returns its box; empty when nothing fits.
func (l *legend) drawInside(c draw.Canvas, data vg.Rectangle, avoid []vg.Point) vg.Rectangle {
	const inset = vg.Length(6)
	l.fit(data.Max.Y - data.Min.Y - 2*inset)
	if len(l.items) == 0 {
		return vg.Rectangle{}
	}
	w, h := l.size()
	corners := []vg.Point{
		{X: data.Max.X - inset - w, Y: data.Max.Y - inset}, // top right
		{X: data.Min.X + inset, Y: data.Max.Y - inset},     // top left
		{X: data.Max.X - inset - w, Y: data.Min.Y + inset + h},
		{X: data.Min.X + inset, Y: data.Min.Y + inset + h},
	}
	best, bestN := corners[0], math.MaxInt
	for _, tl := range corners {
		n := 0
		for _, p := range avoid {
			if p.X >= tl.X-inset && p.X <= tl.X+w+inset && p.Y >= tl.Y-h-inset && p.Y <= tl.Y+inset {
				n++
			}
		}
		if n < bestN {
			best, bestN = tl, n
		}
	}
	return l.draw(c, best)
}

// roundedRect is r with corners rounded to radius rad.
func roundedRect(r vg.Rectangle, rad vg.Length) vg.Path {
	rad = min(rad, (r.Max.X-r.Min.X)/2, (r.Max.Y-r.Min.Y)/2)
	var p vg.Path
	p.Move(vg.Point{X: r.Min.X + rad, Y: r.Min.Y})
	p.Line(vg.Point{X: r.Max.X - rad, Y: r.Min.Y})
	p.Arc(vg.Point{X: r.Max.X - rad, Y: r.Min.Y + rad}, rad, -math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: r.Max.X, Y: r.Max.Y - rad})
	p.Arc(vg.Point{X: r.Max.X - rad, Y: r.Max.Y - rad}, rad, 0, math.Pi/2)
	p.Line(vg.Point{X: r.Min.X + rad, Y: r.Max.Y})
	p.Arc(vg.Point{X: r.Min.X + rad, Y: r.Max.Y - rad}, rad, math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: r.Min.X, Y: r.Min.Y + rad})
	p.Arc(vg.Point{X: r.Min.X + rad, Y: r.Min.Y + rad}, rad, math.Pi, math.Pi/2)
	p.Close()
	return p
}
