package render

import (
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colourbar labels, of the loss or another quantity q.
const (
	labelLinear = "loss"
	labelLog    = "loss (log colour scale)"
	labelLogQ   = "log10(loss − min + ε)"
)

// labelOf is label with the loss replaced by the quantity q.
func labelOf(label, q string) string { return strings.Replace(label, "loss", q, 1) }

// colourbar is the vertical colourbar to the right of the plot: a
// plotter.ColorBar with ticks and labels drawn on its right.
type colourbar struct {
	gap, barW, tickLen, labelGap vg.Length
	tickW                        vg.Length // widest tick label
	lo, hi                       float64
	ticks                        []cbTick
	label                        string
	tickStyle, labelStyle        text.Style
}

// cbTick is a tick at v in the coloured quantity; minor ticks have no label.
type cbTick struct {
	v     float64
	label string
}

// newColourbar chooses ticks for a bar of height barH.
func newColourbar(c colouring, barH vg.Length) *colourbar {
	b := &colourbar{
		gap:        14,
		barW:       16,
		tickLen:    4,
		labelGap:   3,
		lo:         c.lo,
		hi:         c.hi,
		tickStyle:  textStyle(10, draw.XLeft, draw.YCenter),
		labelStyle: textStyle(12, draw.XCenter, draw.YTop),
	}
	b.labelStyle.Rotation = math.Pi / 2
	textH := b.tickStyle.Height("0")
	var inLoss bool
	b.ticks, inLoss = colourTicks(c, barH, textH, max(3, min(10, int(barH/55))))
	b.label = labelOf(labelLinear, c.quantity())
	switch {
	case c.log && inLoss:
		b.label = labelOf(labelLog, c.quantity())
	case c.log:
		b.label = labelOf(labelLogQ, c.quantity())
	}
	for _, t := range b.ticks {
		if t.label != "" {
			b.tickW = max(b.tickW, b.tickStyle.Width(t.label))
		}
	}
	return b
}

// colourTicks are the ticks of a bar of height barH (labels textH high, in
// the same units) for colouring c: on a log colouring, round values of the
// loss where logTicks finds room for two or more (inLoss true); otherwise
// about n round values of the coloured quantity itself. Ticks lie on the
// bar.
func colourTicks(c colouring, barH, textH vg.Length, n int) (ticks []cbTick, inLoss bool) {
	if c.log {
		ticks, inLoss = logTicks(c, barH, textH)
	}
	if !inLoss {
		for _, t := range (niceTicks{n: n}).Ticks(c.lo, c.hi) {
			ticks = append(ticks, cbTick{v: t.Value, label: t.Label})
		}
	}
	// Keep ticks on the bar (the default ticker may step past its ends).
	tol := (c.hi - c.lo) * 1e-9
	kept := ticks[:0]
	for _, t := range ticks {
		if t.v >= c.lo-tol && t.v <= c.hi+tol {
			kept = append(kept, t)
		}
	}
	return kept, inLoss || !c.log
}

// BarTick is a tick of a colourbar or of a loss axis: at Frac of the way
// from the low end to the high one, with its Label ("" for a minor tick).
type BarTick struct {
	Frac  float64
	Label string
}

// BarTicks are the ticks of a colourbar of length barH, whose labels are
// textH high (both in the same units, pixels say), for values from lo to
// hi coloured linearly (about n labelled round values) or, with logScale,
// by log10(v − lo + ε) with ε a millionth of hi − lo, as PNG and the
// viewer colour them: then the ticks are round values of the loss placed
// on that scale, the lowest value included, where their labels have room.
// inLoss is false when a log scale's range leaves no room for two round
// values: the ticks then label log10(v − lo + ε) itself. None when hi ≤ lo
// or either is not finite.
func BarTicks(lo, hi float64, logScale bool, barH, textH float64, n int) (ticks []BarTick, inLoss bool) {
	if !(hi > lo) || !finite(lo) || !finite(hi) || !(barH > 0) {
		return nil, true
	}
	c := colouring{vmin: lo, vmax: hi, lo: lo, hi: hi, log: logScale}
	if logScale {
		c.eps = (hi - lo) * 1e-6
		c.lo, c.hi = math.Log10(c.eps), math.Log10(hi-lo+c.eps)
	}
	ts, inLoss := colourTicks(c, vg.Length(barH), vg.Length(textH), n)
	for _, t := range ts {
		ticks = append(ticks, BarTick{Frac: (t.v - c.lo) / (c.hi - c.lo), Label: t.label})
	}
	return ticks, inLoss
}

// width is the room the bar takes to the right of the data area.
func (b *colourbar) width() vg.Length {
	w := b.gap + b.barW + b.tickLen + b.labelGap + b.tickW
	if b.label != "" {
		w += 8 + b.labelStyle.Height(b.label)
	}
	return w + 2
}

// draw draws the bar in r with its ticks and label.
func (b *colourbar) draw(dc draw.Canvas, r vg.Rectangle, sc *scale) {
	p := plot.New()
	p.HideAxes()
	p.BackgroundColor = nil
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(&plotter.ColorBar{ColorMap: sc, Vertical: true, Colors: 256})
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = sc.lo, sc.hi
	p.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: r})

	line := draw.LineStyle{Color: color.Black, Width: 0.6}
	dc.SetLineStyle(line)
	dc.Stroke(r.Path())
	h := r.Max.Y - r.Min.Y
	for _, t := range b.ticks {
		y := r.Min.Y + vg.Length((t.v-b.lo)/(b.hi-b.lo))*h
		l := b.tickLen
		if t.label == "" {
			l /= 2
		}
		dc.StrokeLine2(line, r.Max.X, y, r.Max.X+l, y)
		if t.label != "" {
			dc.FillText(b.tickStyle, vg.Point{X: r.Max.X + b.tickLen + b.labelGap, Y: y}, t.label)
		}
	}
	if b.label != "" {
		x := r.Max.X + b.tickLen + b.labelGap + b.tickW + 8
		dc.FillText(b.labelStyle, vg.Point{X: x, Y: (r.Min.Y + r.Max.Y) / 2}, b.label)
	}
}

// logTicks places ticks for a log-coloured field at round loss values: the
// field's minimum at the bottom, then 1, 5 and 2 times powers of ten (and
// 0) wherever their labels have room. It reports false when fewer than two
// round values fit, for example when the range is tiny next to the values.
func logTicks(c colouring, barH, textH vg.Length) ([]cbTick, bool) {
	span := c.hi - c.lo
	if barH <= 0 || span <= 0 {
		return nil, false
	}
	minSep := span * float64(textH*2/barH)
	q := func(v float64) float64 { return math.Log10(v - c.vmin + c.eps) }

	type cand struct {
		v, q float64
		prio int
	}
	var cands []cand
	add := func(v float64, prio int) {
		if v >= c.vmin && v <= c.vmax {
			cands = append(cands, cand{v, q(v), prio})
		}
	}
	add(c.vmin, 0)
	add(0, 1)
	kmin := int(math.Floor(math.Log10(c.eps))) - 1
	kmax := int(math.Ceil(math.Log10(math.Max(math.Abs(c.vmin), math.Abs(c.vmax))))) + 1
	for k := kmin; k <= kmax; k++ {
		for _, m := range []struct {
			m    float64
			prio int
		}{{1, 1}, {5, 2}, {2, 3}} {
			v := m.m * math.Pow10(k)
			add(v, m.prio)
			add(-v, m.prio)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].prio != cands[j].prio {
			return cands[i].prio < cands[j].prio
		}
		return cands[i].v < cands[j].v
	})
	var major []cand
	for _, cd := range cands {
		ok := true
		for _, m := range major {
			if math.Abs(cd.q-m.q) < minSep || cd.v == m.v {
				ok = false
				break
			}
		}
		if ok {
			major = append(major, cd)
		}
	}
	round := 0
	for _, m := range major {
		if m.prio > 0 {
			round++
		}
	}
	if round < 2 {
		return nil, false
	}
	ticks := make([]cbTick, 0, len(major))
	for _, m := range major {
		ticks = append(ticks, cbTick{v: m.q, label: formatTick(m.v)})
	}
	// Unlabelled minor ticks at the other multiples of each power of ten,
	// where they do not crowd one another.
	all := append([]cbTick(nil), ticks...)
	for k := kmin; k <= kmax; k++ {
		for m := 1; m <= 9; m++ {
			for _, v := range []float64{float64(m) * math.Pow10(k), -float64(m) * math.Pow10(k)} {
				if v < c.vmin || v > c.vmax {
					continue
				}
				qv := q(v)
				crowded := false
				for _, t := range all {
					if math.Abs(t.v-qv) < minSep/5 {
						crowded = true
						break
					}
				}
				if !crowded {
					all = append(all, cbTick{v: qv})
				}
			}
		}
	}
	return all, true
}

// formatTick writes a value to 3 significant digits, compactly: 0.01, 500,
// 12300, 2e6, 1.5e-7.
func formatTick(v float64) string {
	if v == 0 {
		return "0"
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	if a := math.Abs(r); a >= 1e-3 && a < 1e5 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return compactExp(strconv.FormatFloat(r, 'e', -1, 64))
}

// compactExp turns "1.50e+06" into "1.5e6" and "2e-07" into "2e-7".
func compactExp(s string) string {
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return mant + "e" + sign + exp
}
