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

// drawInside draws the legend inside data where inside puts it and returns
// its box; empty when it is not drawn.
func (l *legend) drawInside(c draw.Canvas, data vg.Rectangle, avoid []vg.Point, forbid []vg.Rectangle, optional bool) vg.Rectangle {
	tl, ok := l.inside(data, avoid, forbid, optional)
	if !ok {
		return vg.Rectangle{}
	}
	return l.draw(c, tl)
}

// inside fits the legend's height to data and places it there (see
// place). ok is false when nothing fits, or when optional and every place
// would hide something of forbid: the legend is then not to be drawn.
func (l *legend) inside(data vg.Rectangle, avoid []vg.Point, forbid []vg.Rectangle, optional bool) (tl vg.Point, ok bool) {
	const inset = vg.Length(6)
	l.fit(data.Max.Y - data.Min.Y - 2*inset)
	if len(l.items) == 0 {
		return tl, false
	}
	tl, ok = l.place(data, inset, avoid, forbid)
	return tl, ok || !optional
}

// place chooses the legend's top left corner in data, inset from its
// edges: of the four corners and the middles of the four edges (in that
// order of preference), one whose box (with the inset around it) overlaps
// nothing of forbid (markers and their labels), and of those the one
// covering the fewest of the points avoid (the lines drawn). ok is false
// when every place overlaps forbid; the place is then the one overlapping
// the fewest of forbid, and then of avoid.
func (l *legend) place(data vg.Rectangle, inset vg.Length, avoid []vg.Point, forbid []vg.Rectangle) (tl vg.Point, ok bool) {
	w, h := l.size()
	left, right := data.Min.X+inset, data.Max.X-inset-w
	midX := (data.Min.X+data.Max.X)/2 - w/2
	top, bottom := data.Max.Y-inset, data.Min.Y+inset+h
	midY := (data.Min.Y+data.Max.Y)/2 + h/2
	places := []vg.Point{
		{X: right, Y: top}, {X: left, Y: top}, {X: right, Y: bottom}, {X: left, Y: bottom},
		{X: midX, Y: top}, {X: midX, Y: bottom}, {X: right, Y: midY}, {X: left, Y: midY},
	}
	best, bestF, bestN := places[0], math.MaxInt, math.MaxInt
	for _, p := range places {
		box := vg.Rectangle{Min: vg.Point{X: p.X - inset, Y: p.Y - h - inset}, Max: vg.Point{X: p.X + w + inset, Y: p.Y + inset}}
		nf, n := 0, 0
		for _, r := range forbid {
			if overlaps(box, r) {
				nf++
			}
		}
		for _, q := range avoid {
			if q.X >= box.Min.X && q.X <= box.Max.X && q.Y >= box.Min.Y && q.Y <= box.Max.Y {
				n++
			}
		}
		if nf < bestF || nf == bestF && n < bestN {
			best, bestF, bestN = p, nf, n
		}
	}
	return best, bestF == 0
}

// overlaps reports whether rectangles a and b share any area.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
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
