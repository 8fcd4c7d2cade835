package critical

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Settings tune Refine (and the searches built on it). The zero value is
// valid except for Step, which Refine requires.
type Settings struct {
	// Step is the length scale of the search (a grid cell): the first
	// trust radius is Step, the largest 16·Step, and a run has converged
	// when its Newton step is below 1e-9·Step.
	Step float64
	// MaxIter bounds a run's Newton iterations (zero: 100).
	MaxIter int
	// GradScale is a typical gradient norm of the function (the largest
	// sampled on a grid, say): a gradient below 1e-14·GradScale counts as
	// zero. Zero means 1.
	GradScale float64
	// EigTol: an eigenvalue counts as zero when its magnitude is at most
	// EigTol times the largest magnitude (or CurvScale, when larger).
	// Zero means 1e-6.
	EigTol float64
	// CurvScale is a typical curvature of the function (GradScale over the
	// extent of the region searched, say); zero means none.
	CurvScale float64
}

func (s Settings) resolved() (Settings, error) {
	if !(s.Step > 0) || math.IsInf(s.Step, 0) {
		return s, fmt.Errorf("%w: step %v: want a positive length", ErrInvalid, s.Step)
	}
	if s.MaxIter <= 0 {
		s.MaxIter = 100
	}
	if !(s.GradScale > 0) {
		s.GradScale = 1
	}
	if !(s.EigTol > 0) {
		s.EigTol = 1e-6
	}
	if !(s.CurvScale >= 0) || math.IsInf(s.CurvScale, 0) {
		s.CurvScale = 0
	}
	return s, nil
}

// Refined is where a Newton run from a start ended.
type Refined struct {
	X     []float64
	Value float64
	// Grad is the gradient at X, Hessian the Hessian (Dim² values).
	Grad, Hessian []float64
	// Converged reports a critical point; otherwise Reason says why not.
	Converged bool
	Reason    string
	Iter      int
}

// GradNorm is the norm of r's gradient.
func (r Refined) GradNorm() float64 { return norm(r.Grad) }

// Refine runs a safeguarded Newton's method on the gradient of f from
// every start, all runs in lockstep (one batch of gradients and one of
// Hessians per iteration). Each step solves (HᵀH + μI)δ = −Hᵀg, which is
// Newton's step δ = −H⁻¹g for μ → 0 and stays defined where H is singular,
// within a trust radius; a step is taken when its ‖g‖ is below the
// largest of the last 8 taken (a non-monotone rule: Newton's steps may
// cross narrow curved valleys of ‖g‖), and otherwise μ grows and the
// radius shrinks (Levenberg–Marquardt on ½‖g‖²). It finds critical points of every kind, minima, saddles and
// maxima alike.
//
// A run has converged when its Newton step falls below 1e-9·s.Step or
// its gradient below 1e-14·s.GradScale; it fails when it takes
// s.MaxIter iterations, when no step lowers ‖g‖ (a minimum of ‖g‖ that is
// not a zero), when it reaches an undefined value, or when inside, if not
// nil, reports that it has left the region searched.
func Refine(ctx context.Context, f Func, starts [][]float64, s Settings, inside func(x []float64) bool) ([]Refined, error) {
	s, err := s.resolved()
	if err != nil {
		return nil, err
	}
	d := f.Dim()
	if d < 1 {
		return nil, fmt.Errorf("%w: a function of %d parameters", ErrInvalid, d)
	}
	type run struct {
		x, g, h []float64
		val     float64
		gn      float64
		mu, rad float64
		done    bool
		res     *Refined
		trial   []float64
		hist    []float64 // the last gradient norms accepted
	}
	// ref is what a step's gradient must fall below: the largest of the
	// last nonMonotone accepted (Grippo, Lampariello and Lucidi's
	// non-monotone rule), so that Newton's steps may cross the narrow
	// curved valleys of ‖g‖ that strictly decreasing steps crawl along.
	ref := func(r *run) float64 {
		m := r.gn
		for _, v := range r.hist {
			m = math.Max(m, v)
		}
		return m
	}
	out := make([]Refined, len(starts))
	runs := make([]*run, len(starts))
	pts := make([]float64, 0, len(starts)*d)
	for i, x := range starts {
		if len(x) != d {
			return nil, fmt.Errorf("%w: start %d has %d values; the function has %d parameters", ErrInvalid, i+1, len(x), d)
		}
		runs[i] = &run{x: append([]float64(nil), x...), rad: s.Step, res: &out[i]}
		pts = append(pts, x...)
	}
	// The starts' gradients and Hessians.
	if err := evalRuns(ctx, f, pts, func(k int, v float64, g, h []float64) {
		r := runs[k]
		r.val, r.g, r.h, r.gn = v, g, h, norm(g)
	}); err != nil {
		return nil, err
	}
	finish := func(r *run, ok bool, reason string) {
		r.done = true
		*r.res = Refined{X: r.x, Value: r.val, Grad: r.g, Hessian: r.h, Converged: ok, Reason: reason, Iter: r.res.Iter}
	}
	for _, r := range runs {
		if !Finite(r.g) || math.IsNaN(r.val) || !Finite(r.h) {
			finish(r, false, "the function is undefined at the start")
		} else if r.gn <= 1e-14*s.GradScale {
			finish(r, true, "")
		} else {
			r.mu = 1e-12 * frob2(r.h, d)
			r.hist = []float64{r.gn}
		}
	}
	for iter := 1; ; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("critical: stopped: %w", err)
		}
		// Trial steps of the active runs.
		var active []*run
		trials := pts[:0]
		for _, r := range runs {
			if r.done {
				continue
			}
			r.res.Iter = iter
			if iter > s.MaxIter {
				finish(r, false, fmt.Sprintf("no convergence in %d Newton iterations", s.MaxIter))
				continue
			}
			step, nstep := lmStep(r.h, r.g, r.mu, d)
			if nstep <= 1e-9*s.Step {
				finish(r, true, "")
				continue
			}
			sn := norm(step)
			if sn > r.rad {
				for k := range step {
					step[k] *= r.rad / sn
				}
			}
			r.trial = make([]float64, d)
			for k := range step {
				r.trial[k] = r.x[k] + step[k]
			}
			active = append(active, r)
			trials = append(trials, r.trial...)
		}
		if len(active) == 0 {
			return out, nil
		}
		vals, grads, err := gradients(ctx, f, trials)
		if err != nil {
			return nil, err
		}
		// Accepted steps need the Hessian at their new point.
		var moved []*run
		var mpts []float64
		for k, r := range active {
			g := grads[k*d : (k+1)*d]
			gn := norm(g)
			switch {
			case Finite(g) && !math.IsNaN(vals[k]) && gn < ref(r):
				r.x, r.g, r.gn, r.val = r.trial, append([]float64(nil), g...), gn, vals[k]
				r.hist = append(r.hist, gn)
				if len(r.hist) > nonMonotone {
					r.hist = r.hist[1:]
				}
				r.mu = math.Max(r.mu/10, 1e-300)
				r.rad = math.Min(2*r.rad, 16*s.Step)
				if inside != nil && !inside(r.x) {
					finish(r, false, "left the region searched")
					continue
				}
				if gn <= 1e-14*s.GradScale {
					r.h = nil // filled below
				}
				moved = append(moved, r)
				mpts = append(mpts, r.x...)
			default:
				r.mu = math.Max(r.mu*10, 1e-8*frob2(r.h, d))
				r.rad /= 4
				if r.rad < 1e-12*s.Step {
					reason := "no step lowers the gradient (a minimum of its norm that is not a zero)"
					if !Finite(g) || math.IsNaN(vals[k]) {
						reason = "every step reaches an undefined value"
					}
					finish(r, false, reason)
				}
			}
		}
		if len(moved) > 0 {
			h, err := hessians(ctx, f, mpts)
			if err != nil {
				return nil, err
			}
			for k, r := range moved {
				r.h = append([]float64(nil), h[k*d*d:(k+1)*d*d]...)
				if !Finite(r.h) {
					finish(r, false, "the Hessian is undefined")
				} else if r.gn <= 1e-14*s.GradScale {
					finish(r, true, "")
				}
			}
		}
	}
}

// evalRuns evaluates values, gradients and Hessians at pts and hands each
// point's to use.
func evalRuns(ctx context.Context, f Func, pts []float64, use func(k int, v float64, g, h []float64)) error {
	d := f.Dim()
	v, g, err := gradients(ctx, f, pts)
	if err != nil {
		return err
	}
	h, err := hessians(ctx, f, pts)
	if err != nil {
		return err
	}
	for k := range v {
		use(k, v[k], append([]float64(nil), g[k*d:(k+1)*d]...), append([]float64(nil), h[k*d*d:(k+1)*d*d]...))
	}
	return nil
}

// nonMonotone is how many accepted gradient norms a step is compared
// with.
const nonMonotone = 8

// lmStep is the damped step −(HᵀH + μI)⁻¹Hᵀg and the length of the plain
// Newton step −H⁻¹g (+Inf where H is singular).
func lmStep(h, g []float64, mu float64, d int) (step []float64, nstep float64) {
	step = make([]float64, d)
	if d == 2 {
		a, b, c, e := h[0], h[1], h[2], h[3]
		if det := a*e - b*c; det != 0 && !math.IsInf(1/det, 0) {
			n0, n1 := -(e*g[0]-b*g[1])/det, -(-c*g[0]+a*g[1])/det
			nstep = math.Hypot(n0, n1)
		} else {
			nstep = math.Inf(1)
		}
		// HᵀH + μI, Hᵀg.
		m00, m01, m11 := a*a+c*c+mu, a*b+c*e, b*b+e*e+mu
		r0, r1 := a*g[0]+c*g[1], b*g[0]+e*g[1]
		det := m00*m11 - m01*m01
		if det == 0 || math.IsNaN(det) {
			return step, nstep
		}
		step[0], step[1] = -(m11*r0-m01*r1)/det, -(-m01*r0+m00*r1)/det
		return step, nstep
	}
	H := mat.NewDense(d, d, append([]float64(nil), h...))
	gv := mat.NewVecDense(d, append([]float64(nil), g...))
	var nv mat.VecDense
	if err := nv.SolveVec(H, gv); err == nil {
		nstep = mat.Norm(&nv, 2)
		if math.IsNaN(nstep) {
			nstep = math.Inf(1)
		}
	} else {
		nstep = math.Inf(1)
	}
	var m mat.SymDense
	m.SymOuterK(1, H.T()) // α·X·Xᵀ with X = Hᵀ: HᵀH
	for i := 0; i < d; i++ {
		m.SetSym(i, i, m.At(i, i)+mu)
	}
	var rhs mat.VecDense
	rhs.MulVec(H.T(), gv)
	var ch mat.Cholesky
	if !ch.Factorize(&m) {
		return step, nstep
	}
	var sv mat.VecDense
	if err := ch.SolveVecTo(&sv, &rhs); err != nil {
		return step, nstep
	}
	for i := 0; i < d; i++ {
		step[i] = -sv.AtVec(i)
	}
	return step, nstep
}

// frob2 is the squared Frobenius norm of the d×d matrix h.
func frob2(h []float64, d int) float64 {
	s := 0.0
	for _, v := range h[:d*d] {
		s += v * v
	}
	return s
}

func norm(v []float64) float64 { return floats.Norm(v, 2) }

// Finite reports whether every value of v is finite.
func Finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
