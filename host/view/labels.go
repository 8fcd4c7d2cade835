package view

import (
	"fmt"

	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/host/view/text"
	"github.com/landscape-go/landscape/sdk/grid"
)

var (
	ink   = [4]float32{0.1, 0.1, 0.1, 1}
	white = [4]float32{1, 1, 1, 1}
	dark  = [4]float32{0, 0, 0, 0.85}
)

// labels queues the frame's text: title, axis ticks and names, colourbar
// ticks (of BarTicks; inLoss false when they label the log scale's own
// quantity), and the readout under the cursor (point, loss, gradient),
// read from the grid's cells with cell. GL thread.
func (v *viewer) labels(fbw, fbh int, cell func(i, j int) float64, ticks []render.BarTick, inLoss bool) {
	s, tr, lo, hi, gw, gh := &v.state, v.tr, v.lo, v.hi, v.gw, v.gh
	px, py, pw, ph := s.plotRect(fbw, fbh)
	top := fbh - (py + ph) // the plot's top edge, y down
	bottom := fbh - py
	title := s.o.Desc.Name
	for i, h := range s.o.Desc.Hyperparameters {
		mark := ""
		if i == s.hp {
			mark = "*"
		}
		title += "  " + mark + h.Name + "=" + hyperValue(h)
	}
	if s.log {
		title += "  (log colour scale)"
	}
	if s.note != "" {
		tr.AddOutlined(s.note, float64(px)+6, float64(bottom)-8, text.Left, [4]float32{1, 0.85, 0.85, 1}, dark)
	}
	tr.Add(title, float64(px+pw/2), float64(top)-9, text.Center, ink)
	s.barLabels(tr, lo, hi, px+pw, bottom, ph, ticks, inLoss)
	if s.threeD {
		tr.Add("drag to orbit, scroll to move in, click to start the optimizers, V for 2D", float64(px)+4, float64(bottom)+34, text.Left, ink)
		return
	}
	for _, t := range render.Ticks(s.x.Lo, s.x.Hi, max(pw/110, 2)) {
		x := float64(px) + (t.Value-s.x.Lo)/(s.x.Hi-s.x.Lo)*float64(pw)
		tr.Add(t.Label, x, float64(bottom)+16, text.Center, ink)
	}
	for _, t := range render.Ticks(s.y.Lo, s.y.Hi, max(ph/70, 2)) {
		y := float64(bottom) - (t.Value-s.y.Lo)/(s.y.Hi-s.y.Lo)*float64(ph)
		tr.Add(t.Label, float64(px)-6, y+4, text.Right, ink)
	}
	tr.Add(axisName(s.o.Plane, 0), float64(px+pw/2), float64(bottom)+34, text.Center, ink)
	tr.Add(axisName(s.o.Plane, 1), 8, float64(top)-9, text.Left, ink)
	// The readout: the grid cell under the cursor, its loss and gradient
	// (central differences of the neighbouring cells).
	fx, fy := v.cursor()
	if s.cx <= 0 && s.cy <= 0 || gw < 3 || gh < 3 {
		return
	}
	i := min(max(int(fx*float64(gw)), 1), gw-2)
	j := min(max(int(fy*float64(gh)), 1), gh-2)
	var c [5]float64
	for k, d := range [5][2]int{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
		c[k] = cell(i+d[0], j+d[1])
	}
	x := s.x.Lo + (float64(i)+0.5)/float64(gw)*(s.x.Hi-s.x.Lo)
	y := s.y.Lo + (float64(j)+0.5)/float64(gh)*(s.y.Hi-s.y.Lo)
	dx := (s.x.Hi - s.x.Lo) / float64(gw)
	dy := (s.y.Hi - s.y.Lo) / float64(gh)
	msg := fmt.Sprintf("x %.5g  y %.5g  loss %.5g  grad (%.3g, %.3g)", x, y, c[0], (c[2]-c[1])/(2*dx), (c[4]-c[3])/(2*dy))
	tr.AddOutlined(msg, float64(px)+6, float64(top)+16, text.Left, white, dark)
}

// barLabels labels the colourbar beside the plot's right edge (the plot's
// bottom at text row bottom, ph high) at its labelled ticks; ticks that
// label the log scale's own quantity (inLoss false) give way to the range's
// ends in loss units.
func (s *state) barLabels(tr *text.Renderer, lo, hi float32, right, bottom, ph int, ticks []render.BarTick, inLoss bool) {
	bx := float64(right + barGap + barW + 7)
	mid := tr.Ascent() / 2 // from a label's centre to its baseline
	if !inLoss {
		tr.Add(fmt.Sprintf("%.4g", hi), bx, float64(bottom-ph)+mid, text.Left, ink)
		tr.Add(fmt.Sprintf("%.4g", lo), bx, float64(bottom)+mid, text.Left, ink)
		return
	}
	for _, t := range ticks {
		if t.Label != "" {
			tr.Add(t.Label, bx, float64(bottom)-t.Frac*float64(ph)+mid, text.Left, ink)
		}
	}
}

func axisName(p grid.Plane, k int) string {
	v := p.U
	if k == 1 {
		v = p.V
	}
	for i, c := range v {
		if c == 1 {
			return fmt.Sprintf("x%d", i)
		}
	}
	return [2]string{"u", "v"}[k]
}
