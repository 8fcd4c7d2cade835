package neb

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/landscape-go/landscape/compute/critical"
)

// Errors, for errors.Is.
var (
	// ErrInvalid: ends or settings that cannot be used (ends of different
	// lengths, the same point twice, too few images).
	ErrInvalid = errors.New("neb: invalid input")
	// ErrUndefined: the band reached points where the loss or its gradient
	// is undefined (NaN or infinite).
	ErrUndefined = errors.New("neb: the path crosses undefined values")
)

// Settings tune Run. The zero value is valid.
type Settings struct {
	// Images is the number of movable images between the two ends (zero:
	// 15).
	Images int
	// Spring is the spring constant k of the band (zero: a tenth of the
	// largest gradient norm on the straight line between the ends, per
	// image spacing, so that springs and the surface pull comparably).
	Spring float64
	// MaxIter bounds the optimisation of the band (zero: 5000).
	MaxIter int
	// ForceTol: the band has converged when no image's force exceeds
	// ForceTol (zero: 10⁻⁵ times the largest gradient norm on the straight
	// line).
	ForceTol float64
	// NoClimb turns the climbing image off: the band then relaxes onto the
	// path without an image at its highest point.
	NoClimb bool
	// NoRefine keeps the climbing image as the transition state instead
	// of refining it by Newton's method on the gradient (critical.Refine)
	// and checking that it is a saddle of index 1.
	NoRefine bool
	// Progress, when set, is told the iteration and MaxIter.
	Progress func(iter, max int)
}

// Result is a minimum-energy path.
type Result struct {
	// Images are the band's points, the ends included; Values their loss
	// and GradNorms their gradient's norm.
	Images    [][]float64
	Values    []float64
	GradNorms []float64
	// Arc is each image's distance along the band from the start, divided
	// by the band's length (0 at the start, 1 at the end).
	Arc []float64
	// Length is the band's length.
	Length float64
	// Climber is the index of the climbing image (-1 without one).
	Climber int
	// Saddle is the transition state: the highest point of the path, a
	// saddle of index 1 when refined (Refined and Index say), else the
	// climbing image; nil when the path has no interior maximum above
	// both ends (no barrier).
	Saddle      []float64
	SaddleValue float64
	Refined     bool
	// Index is the saddle's number of negative Hessian eigenvalues (-1
	// when not classified).
	Index int
	// Barrier is the saddle's height above each end: [from the start,
	// from the end]; zero without a saddle.
	Barrier [2]float64
	// Iter is the iterations taken; Converged whether the forces fell
	// below the tolerance; MaxForce the largest image force at the end;
	// Spring the constant used.
	Iter      int
	Converged bool
	MaxForce  float64
	Spring    float64
	// Evaluations counts the gradients asked for.
	Evaluations int
}

// Run finds a minimum-energy path of f from a to b with the
// climbing-image nudged elastic band of Henkelman, Uberuaga and Jónsson
// (J. Chem. Phys. 113, 9901, 2000), with the improved tangent of Henkelman
// and Jónsson (J. Chem. Phys. 113, 9978, 2000):
//
//   - the band starts as s.Images images evenly spaced on the straight
//     line; the ends stay fixed;
//   - each image's tangent τ points to its higher neighbour (a weighted
//     mix of both at an extremum of the band);
//   - its force is the gradient's part across the band, −∇V + (∇V·τ)τ,
//     plus the springs' part along it, k(|R_{i+1}−R_i| − |R_i−R_{i−1}|)τ;
//   - once the band has settled (its largest force below 5% of the first,
//     or after 200 iterations) the highest image climbs, when it is a
//     maximum of the band above both ends: its force is −∇V + 2(∇V·τ)τ,
//     with no spring, so it rises along the band and falls across it, to
//     the saddle;
//   - a step of the images is bounded by the stiffness seen so far (the
//     largest change of an image's force per unit of its displacement):
//     dt ≤ 1/√stiffness keeps the integration stable;
//   - the images move by FIRE (Bitzek et al., Phys. Rev. Lett. 97,
//     170201, 2006), all of them as one system, no image moving more than
//     a fifth of the ends' spacing in a step.
//
// Then, unless s.NoRefine, the climbing image is refined by Newton's
// method on the gradient and kept as the transition state when it
// converges within one image spacing to a saddle of index 1.
func Run(ctx context.Context, f critical.Func, a, b []float64, s Settings) (*Result, error) {
	d := f.Dim()
	switch {
	case len(a) != d || len(b) != d:
		return nil, fmt.Errorf("%w: ends of %d and %d values; the function has %d parameters", ErrInvalid, len(a), len(b), d)
	case !finite(a) || !finite(b):
		return nil, fmt.Errorf("%w: an end is not finite", ErrInvalid)
	}
	l := dist(a, b)
	if l == 0 || l <= 1e-12*math.Max(norm(a), norm(b)) {
		return nil, fmt.Errorf("%w: the two ends are the same point", ErrInvalid)
	}
	n := s.Images
	if n == 0 {
		n = 15
	}
	if n < 1 || n > 10000 {
		return nil, fmt.Errorf("%w: %d images (want 1 to 10000)", ErrInvalid, n)
	}
	if s.MaxIter <= 0 {
		s.MaxIter = 5000
	}
	m := n + 2
	x := make([][]float64, m)
	for i := range x {
		t := float64(i) / float64(m-1)
		x[i] = make([]float64, d)
		for k := range x[i] {
			x[i][k] = a[k] + t*(b[k]-a[k])
		}
	}
	r := &Result{Climber: -1, Index: -1}
	vals, grads, err := r.evaluate(ctx, f, x, 0, m)
	if err != nil {
		return nil, err
	}
	gmax := 0.0
	for _, g := range grads {
		gmax = math.Max(gmax, norm(g))
	}
	if gmax == 0 {
		gmax = 1
	}
	spacing := l / float64(m-1)
	k := s.Spring
	if !(k > 0) {
		k = 0.1 * gmax / spacing
	}
	tol := s.ForceTol
	if !(tol > 0) {
		tol = 1e-5 * gmax
	}
	r.Spring = k
	maxStep := spacing / 5

	// FIRE state: velocities of the movable images.
	const (
		nMin   = 5
		fInc   = 1.1
		fDec   = 0.5
		alpha0 = 0.1
		fAlpha = 0.99
	)
	v := make([][]float64, m)
	for i := range v {
		v[i] = make([]float64, d)
	}
	forces := make([][]float64, m)
	prevF := make([][]float64, m)
	moved := make([][]float64, m)
	climb, first, settled := -1, 0.0, false
	var dt, dtMax float64
	alpha, sinceNeg := alpha0, 0
	for iter := 0; ; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("neb: stopped: %w", err)
		}
		fmax := 0.0
		if !settled && !s.NoClimb && iter > 0 && (r.MaxForce < 0.05*first || iter >= 200) {
			settled = true
		}
		climb = -1
		if settled {
			// Only an interior maximum above both ends climbs: with none
			// the path has no saddle to climb to.
			if h := highest(vals); vals[h] > vals[0] && vals[h] > vals[m-1] && vals[h] >= vals[h-1] && vals[h] >= vals[h+1] {
				climb = h
			}
		}
		stiff := 0.0 // the largest force change per displacement of the last step
		for i := 1; i < m-1; i++ {
			f := force(x, vals, grads, i, k, i == climb)
			if prevF[i] != nil {
				df := make([]float64, d)
				for j := range df {
					df[j] = f[j] - prevF[i][j]
				}
				if dx := norm(moved[i]); dx > 0 {
					stiff = math.Max(stiff, norm(df)/dx)
				}
			}
			forces[i] = f
			fmax = math.Max(fmax, norm(f))
		}
		if stiff > 0 {
			// Semi-implicit Euler is stable for dt < 2/√λ: keep well inside.
			dtMax = math.Min(dtMax, 1/math.Sqrt(stiff))
			dt = math.Min(dt, dtMax)
		}
		if iter == 0 {
			first = fmax
			dt = math.Sqrt(maxStep / math.Max(fmax, 1e-300))
			dtMax = 10 * dt
		}
		r.MaxForce, r.Iter = fmax, iter
		if s.Progress != nil {
			s.Progress(iter, s.MaxIter)
		}
		if fmax <= tol && (settled || s.NoClimb) {
			r.Converged = true
			break
		}
		if iter >= s.MaxIter {
			break
		}
		// FIRE: the power of the forces on the velocities.
		p, vn, fn := 0.0, 0.0, 0.0
		for i := 1; i < m-1; i++ {
			for j := range v[i] {
				v[i][j] += dt * forces[i][j]
				p += forces[i][j] * v[i][j]
				vn += v[i][j] * v[i][j]
				fn += forces[i][j] * forces[i][j]
			}
		}
		if p > 0 {
			vn, fn = math.Sqrt(vn), math.Sqrt(fn)
			for i := 1; i < m-1; i++ {
				for j := range v[i] {
					v[i][j] = (1-alpha)*v[i][j] + alpha*vn*forces[i][j]/fn
				}
			}
			sinceNeg++
			if sinceNeg > nMin {
				dt = math.Min(dt*fInc, dtMax)
				alpha *= fAlpha
			}
		} else {
			for i := range v {
				clear(v[i])
			}
			dt *= fDec
			alpha, sinceNeg = alpha0, 0
		}
		for i := 1; i < m-1; i++ {
			step := make([]float64, d)
			for j := range step {
				step[j] = dt * v[i][j]
			}
			if sn := norm(step); sn > maxStep {
				for j := range step {
					step[j] *= maxStep / sn
				}
			}
			for j := range step {
				x[i][j] += step[j]
			}
			moved[i], prevF[i] = step, forces[i]
		}
		nv, ng, err := r.evaluate(ctx, f, x, 1, m-1)
		if err != nil {
			return nil, err
		}
		copy(vals[1:m-1], nv)
		copy(grads[1:m-1], ng)
	}
	r.Images, r.Values, r.Climber = x, vals, climb
	r.GradNorms = make([]float64, m)
	for i, g := range grads {
		r.GradNorms[i] = norm(g)
	}
	r.Arc = make([]float64, m)
	for i := 1; i < m; i++ {
		r.Arc[i] = r.Arc[i-1] + dist(x[i-1], x[i])
	}
	r.Length = r.Arc[m-1]
	for i := range r.Arc {
		r.Arc[i] /= r.Length
	}
	if err := r.transitionState(ctx, f, s, spacing, gmax); err != nil {
		return nil, err
	}
	return r, nil
}

// transitionState sets the saddle and the barriers: the climbing image
// (or, without one, the highest interior image), refined unless
// s.NoRefine, when it lies above both ends.
func (r *Result) transitionState(ctx context.Context, f critical.Func, s Settings, spacing, gmax float64) error {
	m := len(r.Values)
	top := r.Climber
	if top < 0 {
		top = highest(r.Values)
	}
	ts, val := r.Images[top], r.Values[top]
	if !s.NoRefine && f.Dim() <= critical.MaxDense {
		ref, err := critical.Refine(ctx, f, [][]float64{ts}, critical.Settings{Step: spacing / 4, GradScale: gmax}, nil)
		if err != nil {
			return err
		}
		if q := ref[0]; q.Converged && dist(q.X, ts) <= spacing {
			eig, err := critical.Eigenvalues(q.Hessian, f.Dim())
			if err == nil {
				kind, idx := critical.Classify(eig, 1e-6, 0)
				r.Evaluations += 2 * f.Dim()
				if kind == critical.Saddle && idx == 1 {
					ts, val, r.Refined, r.Index = q.X, q.Value, true, 1
				}
			}
		}
	}
	if !(val > r.Values[0] && val > r.Values[m-1]) {
		return nil // the highest point is an end: no barrier
	}
	r.Saddle, r.SaddleValue = ts, val
	r.Barrier = [2]float64{val - r.Values[0], val - r.Values[m-1]}
	return nil
}

// evaluate evaluates images [lo, hi) of x.
func (r *Result) evaluate(ctx context.Context, f critical.Func, x [][]float64, lo, hi int) ([]float64, [][]float64, error) {
	d := f.Dim()
	pts := make([]float64, 0, (hi-lo)*d)
	for _, p := range x[lo:hi] {
		pts = append(pts, p...)
	}
	vals, g, err := f.Gradients(ctx, pts)
	if err != nil {
		return nil, nil, err
	}
	if len(vals) != hi-lo || len(g) != (hi-lo)*d {
		return nil, nil, fmt.Errorf("%w: %d values and %d gradient values for %d points", critical.ErrBadAnswer, len(vals), len(g), hi-lo)
	}
	r.Evaluations += hi - lo
	grads := make([][]float64, hi-lo)
	for i := range grads {
		grads[i] = g[i*d : (i+1)*d]
		if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) || !finite(grads[i]) {
			return nil, nil, fmt.Errorf("%w: the loss is %v at image %d of the band, %s", ErrUndefined, vals[i], lo+i, short(x[lo+i]))
		}
	}
	return vals, grads, nil
}

// short writes a point briefly.
func short(x []float64) string {
	if len(x) > 4 {
		return fmt.Sprintf("(%.4g, %.4g, … %d values)", x[0], x[1], len(x))
	}
	return fmt.Sprintf("%.4g", x)
}

// highest is the interior image of the highest value.
func highest(vals []float64) int {
	best := 1
	for i := 2; i < len(vals)-1; i++ {
		if vals[i] > vals[best] {
			best = i
		}
	}
	return best
}

// force is the NEB force on image i (climbing when climb).
func force(x [][]float64, vals []float64, grads [][]float64, i int, k float64, climb bool) []float64 {
	d := len(x[i])
	tp, tm := make([]float64, d), make([]float64, d)
	for j := range tp {
		tp[j] = x[i+1][j] - x[i][j]
		tm[j] = x[i][j] - x[i-1][j]
	}
	vp, v0, vm := vals[i+1], vals[i], vals[i-1]
	tau := make([]float64, d)
	switch {
	case vp > v0 && v0 > vm:
		copy(tau, tp)
	case vp < v0 && v0 < vm:
		copy(tau, tm)
	default:
		dmax := math.Max(math.Abs(vp-v0), math.Abs(vm-v0))
		dmin := math.Min(math.Abs(vp-v0), math.Abs(vm-v0))
		wp, wm := dmin, dmax
		if vp > vm {
			wp, wm = dmax, dmin
		}
		for j := range tau {
			tau[j] = wp*tp[j] + wm*tm[j]
		}
	}
	tn := norm(tau)
	if tn == 0 { // a flat stretch: the chord
		for j := range tau {
			tau[j] = tp[j] + tm[j]
		}
		tn = norm(tau)
	}
	for j := range tau {
		tau[j] /= tn
	}
	g := grads[i]
	gt := 0.0
	for j := range g {
		gt += g[j] * tau[j]
	}
	out := make([]float64, d)
	if climb {
		for j := range out {
			out[j] = -g[j] + 2*gt*tau[j]
		}
		return out
	}
	fs := k * (norm(tp) - norm(tm))
	for j := range out {
		out[j] = -g[j] + gt*tau[j] + fs*tau[j]
	}
	return out
}

// Sample returns points along the polyline through images, per points on
// each segment (its start included, the last image added at the end),
// and each one's distance along the polyline divided by its length.
func Sample(images [][]float64, per int) (pts [][]float64, arc []float64) {
	if per < 1 {
		per = 1
	}
	total := 0.0
	for i := 1; i < len(images); i++ {
		total += dist(images[i-1], images[i])
	}
	s := 0.0
	for i := 0; i+1 < len(images); i++ {
		seg := dist(images[i], images[i+1])
		for k := 0; k < per; k++ {
			t := float64(k) / float64(per)
			p := make([]float64, len(images[i]))
			for j := range p {
				p[j] = images[i][j] + t*(images[i+1][j]-images[i][j])
			}
			pts = append(pts, p)
			arc = append(arc, (s+t*seg)/total)
		}
		s += seg
	}
	pts = append(pts, append([]float64(nil), images[len(images)-1]...))
	arc = append(arc, 1)
	return pts, arc
}

func dist(a, b []float64) float64 { return floats.Distance(a, b, 2) }

func norm(v []float64) float64 { return floats.Norm(v, 2) }

func finite(v []float64) bool { return critical.Finite(v) }
