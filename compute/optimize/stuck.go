package optimize

import "math"

// StuckRule finds where a run was stuck: where its loss stayed flat over a
// window of steps, measured by the loss's variance there.
//
// The window ending at record i is the Window records i−Window+1 ... i.
// It is flat when all its losses are finite and their variance (the
// population variance, 1/Window·Σ(L−m)² about their mean m) is at most
// (Tol·(1+|m|))²: the loss's standard deviation over the window is at
// most Tol relative to the loss (absolute below 1). A stuck stretch is a
// maximal run of consecutive flat windows: it began at the first step of
// its first window and lasted to the last step of its last one. Zero (or
// less) means Window 50 and Tol 1e-4.
//
// A run that converged is flat at its end too; telling stuck from
// converged is the caller's (see Stretch.End).
type StuckRule struct {
	Window int
	Tol    float64
}

// Stretch is a stuck stretch of a run: the steps From to To, both
// included.
type Stretch struct {
	From, To int
	// End reports whether the stretch lasted to the run's last record.
	End bool
}

// Params are the rule's window and tolerance with the defaults filled in.
func (s StuckRule) Params() (int, float64) {
	w, tol := s.Window, s.Tol
	if w <= 0 {
		w = 50
	}
	if !(tol > 0) {
		tol = 1e-4
	}
	return w, tol
}

// Find returns the stuck stretches of a run whose records have the steps
// steps and the losses loss (equal lengths), first first.
func (s StuckRule) Find(steps []int, loss []float64) []Stretch {
	w, tol := s.Params()
	var out []Stretch
	open := false
	for i := w - 1; i < len(loss) && i < len(steps); i++ {
		flat := flatWindow(loss[i-w+1:i+1], tol)
		switch {
		case flat && open:
			out[len(out)-1].To = steps[i]
		case flat:
			out = append(out, Stretch{From: steps[i-w+1], To: steps[i]})
			open = true
		default:
			open = false
		}
	}
	if open {
		out[len(out)-1].End = out[len(out)-1].To == steps[min(len(loss), len(steps))-1]
	}
	return out
}

// flatWindow reports whether the losses of a window are finite and their
// variance is at most (tol·(1+|mean|))² (two passes: the mean, then the
// squared deviations from it, exact where a running sum of squares would
// cancel).
func flatWindow(loss []float64, tol float64) bool {
	m := 0.0
	for _, v := range loss {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		m += v
	}
	m /= float64(len(loss))
	ss := 0.0
	for _, v := range loss {
		ss += (v - m) * (v - m)
	}
	lim := tol * (1 + math.Abs(m))
	return ss/float64(len(loss)) <= lim*lim
}
