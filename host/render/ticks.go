package render

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// niceTicks is a plot.Ticker labelling about n round values (steps of 1, 2,
// 2.5 or 5 times a power of ten) with unlabelled minor ticks between.
// gonum's DefaultTicks aims at three labels whatever the axis length, too
// few for a large figure.
type niceTicks struct{ n int }

var _ plot.Ticker = niceTicks{}

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	n := max(t.n, 2)
	step, minor := niceStep((hi - lo) / float64(n))
	tol := step * 1e-9
	var ticks []plot.Tick
	i0 := math.Ceil((lo - tol) / step)
	for i := i0; ; i++ {
		v := i * step
		if v > hi+tol {
			break
		}
		if math.Abs(v) < tol {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatStep(v, step, lo, hi)})
		if len(ticks) > 1000 {
			break // unreachable for sane n; guards float trouble
		}
	}
	mstep := step / minor
	for i := math.Ceil((lo - tol) / mstep); ; i++ {
		v := i * mstep
		if v > hi+tol || len(ticks) > 5000 {
			break
		}
		if r := math.Mod(math.Abs(v), step); r < tol || step-r < tol {
			continue // a major tick
		}
		ticks = append(ticks, plot.Tick{Value: v})
	}
	return ticks
}

// niceStep is the round step nearest above raw, and how many minor
// intervals divide it.
func niceStep(raw float64) (step float64, minor float64) {
	p := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, m := range []struct{ m, minor float64 }{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}} {
		if m.m*p >= raw*(1-1e-9) {
			return m.m * p, m.minor
		}
	}
	return 10 * p, 5
}

// formatStep labels v on an axis with the given step over [lo, hi], with
// just enough digits to tell neighbouring ticks apart.
func formatStep(v, step, lo, hi float64) string {
	mag := math.Max(math.Abs(lo), math.Abs(hi))
	if mag >= 1e5 || step < 1e-4 {
		if v == 0 {
			return "0"
		}
		// Exponent form with enough significant digits for the step.
		digits := int(math.Floor(math.Log10(mag))) - int(math.Floor(math.Log10(step))) + 2
		digits = max(1, min(digits, 15))
		s := strconv.FormatFloat(v, 'e', digits-1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return compactExp(mant + "e" + exp)
	}
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		// 0.25 needs two decimals, 0.5 one.
		if r := step * math.Pow10(dec); math.Abs(r-math.Round(r)) > 1e-6 {
			dec++
		}
	} else if math.Abs(step-math.Round(step)) > 1e-9 {
		dec = 1 // steps such as 2.5
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.00"
	}
	return s
}

// Tick is a labelled axis position.
type Tick struct {
	Value float64
	Label string
}

// Ticks are about n round, labelled values in [lo, hi], as the images'
// axes use (the viewer labels its axes with them too).
func Ticks(lo, hi float64, n int) []Tick {
	var out []Tick
	for _, t := range (niceTicks{n: n}).Ticks(lo, hi) {
		if t.Label != "" {
			out = append(out, Tick{Value: t.Value, Label: t.Label})
		}
	}
	return out
}
