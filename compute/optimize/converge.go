package optimize

import "math"

// Converger judges whether a run has converged, from its records. It must
// not keep or modify them.
type Converger interface {
	// Converged reports whether the run has converged at its latest
	// record; recs holds its records, the start first.
	Converged(recs []Record) bool
	// Settled returns the step from which the run's loss has stayed at
	// its final value as the Converger tells losses apart: the step after
	// the last record whose loss differs from the last one (0 when none
	// does). A Global method's run, judged converged at its end, converged
	// at this step: its last improvement.
	Settled(recs []Record) int
}

var (
	_ Converger = FunctionConverge{}
	_ Converger = NeverConverge{}
)

// FunctionConverge judges a run converged when its loss changed by at
// most Tol·(1+|loss|) over the last Window steps. Zero (or less) means Tol
// 1e-9 and Window 10.
type FunctionConverge struct {
	Tol    float64
	Window int
}

func (c FunctionConverge) params() (float64, int) {
	tol, w := c.Tol, c.Window
	if !(tol > 0) {
		tol = 1e-9
	}
	if w <= 0 {
		w = 10
	}
	return tol, w
}

// Converged implements Converger.
func (c FunctionConverge) Converged(recs []Record) bool {
	tol, w := c.params()
	n := len(recs)
	if n <= w {
		return false
	}
	a, b := recs[n-1-w].Loss, recs[n-1].Loss
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

// Settled implements Converger.
func (c FunctionConverge) Settled(recs []Record) int {
	if len(recs) == 0 {
		return 0
	}
	tol, _ := c.params()
	last := recs[len(recs)-1].Loss
	at := 0
	for _, r := range recs {
		if math.Abs(r.Loss-last) > tol*(1+math.Abs(last)) {
			at = r.Step + 1
		}
	}
	return at
}

// NeverConverge never judges a run converged.
type NeverConverge struct{}

// Converged implements Converger.
func (NeverConverge) Converged([]Record) bool { return false }

// Settled implements Converger.
func (NeverConverge) Settled([]Record) int { return 0 }

// PlateauRule judges whether a run that did not converge has stalled on a
// plateau: over the last Window steps its gradient norm stayed at most
// Gradient·(1+|loss|) and its loss moved by at most Loss·(1+|loss|) (the
// highest loss of the window). Zero (or less) means Window 10, Gradient
// 1e-3 and Loss 1e-4.
type PlateauRule struct {
	Window         int
	Gradient, Loss float64
}

// Stalled reports whether the run whose records are recs has stalled.
func (p PlateauRule) Stalled(recs []Record) bool {
	w, g, l := p.Window, p.Gradient, p.Loss
	if w <= 0 {
		w = 10
	}
	if !(g > 0) {
		g = 1e-3
	}
	if !(l > 0) {
		l = 1e-4
	}
	n := len(recs)
	if n <= w {
		return false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range recs[n-1-w:] {
		if r.GradNorm > g*(1+math.Abs(r.Loss)) {
			return false
		}
		lo, hi = math.Min(lo, r.Loss), math.Max(hi, r.Loss)
	}
	return hi-lo <= l*(1+math.Abs(hi))
}
