package critical

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/landscape-go/landscape/compute"
)

// Options tune Find. The zero value is valid.
type Options struct {
	// Settings tune the Newton runs; Step, GradScale and CurvScale are set
	// from the grid (a cell, the largest gradient sampled, and that over
	// the range's extent) unless given.
	Settings
	// Progress, when set, is told how many grid points of total have had
	// their gradient evaluated.
	Progress func(done, total int)
}

// Found is a critical point of a function restricted to a plane.
type Found struct {
	// Point is the critical point in the plane's coordinates (X holds a
	// and b), classified by the plane Hessian's eigenvalues.
	Point
	// Theta is the point in the full parameter space.
	Theta []float64 `json:"theta"`
	// Seeds counts the seeds whose Newton runs converged here.
	Seeds int `json:"seeds"`
	// Full classifies Theta in the full space (nil when the function has
	// 2 parameters: the plane is the whole space). Its GradNorm says
	// whether Theta is critical there too.
	Full *Point `json:"full,omitempty"`
	// FullWhy says why Full is missing for a function of more than 2
	// parameters.
	FullWhy string `json:"full_not_classified,omitempty"`
}

// Result is what Find found.
type Result struct {
	// Points are the critical points inside the range, lowest value first.
	Points []Found
	// Seeds counts the Newton runs; Failed those that did not converge
	// (by reason), Outside those that converged outside the range.
	Seeds   int
	Failed  map[string]int
	Outside int
	// GradScale is the largest in-plane gradient norm on the grid.
	GradScale float64
	// Count is the number of points of each kind.
	Count [4]int
}

// NotConverged is the number of Newton runs that did not converge.
func (r *Result) NotConverged() int {
	n := 0
	for _, c := range r.Failed {
		n += c
	}
	return n
}

// CoarseError is ErrTooCoarse with the resolution that is needed.
type CoarseError struct {
	// Need is the grid points per axis, x then y, to try.
	Need [2]int
	msg  string
}

func (e *CoarseError) Error() string { return ErrTooCoarse.Error() + ": " + e.msg }

// Unwrap matches ErrTooCoarse.
func (e *CoarseError) Unwrap() error { return ErrTooCoarse }

// MinRes is the fewest grid points per axis Find seeds from.
const MinRes = 8

// maxSeedShare is the largest share of a grid's cells that may seed: more
// means that the grid does not resolve the gradient's sign pattern.
const maxSeedShare = 0.25

// Find finds the critical points of f restricted to the plane of g inside
// its ranges, and classifies them.
//
// It evaluates the in-plane gradient at every grid point and seeds Newton
// runs at the centres of the cells where both of its components change
// sign, and at the discrete minima, maxima and saddles of the sampled
// values (points lower or higher than their 8 neighbours, or whose
// neighbours, in turn, rise and fall at least twice). Each seed is refined
// by Refine in the plane's coordinates; runs that converge to the same
// point (within a thousandth of a cell) count once, and points outside the
// ranges are left out. Each point is classified by the eigenvalues of its
// plane Hessian and, for a function of more than 2 parameters, by those of
// its full Hessian too (up to MaxDense parameters).
//
// A grid with fewer than MinRes points per axis, or one where more than a
// quarter of the cells seed (the grid does not resolve the gradient), is
// ErrTooCoarse; the error says what resolution is needed.
func Find(ctx context.Context, f Func, g compute.Grid, o Options) (*Result, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if g.Nx < MinRes || g.Ny < MinRes {
		return nil, &CoarseError{Need: [2]int{max(g.Nx, MinRes), max(g.Ny, MinRes)}, msg: fmt.Sprintf("%dx%d: seeding needs at least %dx%d points", g.Nx, g.Ny, MinRes, MinRes)}
	}
	pf, err := OnPlane(f, g.Origin, g.U, g.V)
	if err != nil {
		return nil, err
	}
	nx, ny := g.Nx, g.Ny
	n := nx * ny
	ab := make([]float64, 0, 2*n)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			ab = append(ab, g.XAt(i), g.YAt(j))
		}
	}
	vals := make([]float64, n)
	grads := make([]float64, 2*n)
	const chunk = 16384
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		v, gr, err := gradients(ctx, pf, ab[2*lo:2*hi])
		if err != nil {
			return nil, err
		}
		copy(vals[lo:hi], v)
		copy(grads[2*lo:2*hi], gr)
		if o.Progress != nil {
			o.Progress(hi, n)
		}
	}
	res := &Result{Failed: map[string]int{}}
	for k := 0; k < n; k++ {
		if gn := math.Hypot(grads[2*k], grads[2*k+1]); gn > res.GradScale && !math.IsInf(gn, 0) {
			res.GradScale = gn
		}
	}
	if res.GradScale == 0 {
		if !anyFinite(vals) {
			return res, nil // undefined everywhere: nothing to find
		}
		return nil, ErrFlat
	}
	dx := (g.X.Hi - g.X.Lo) / float64(nx-1)
	dy := (g.Y.Hi - g.Y.Lo) / float64(ny-1)
	if ku, kv := resolution(g, vals, grads); ku > 1 || kv > 1 {
		need := [2]int{int(math.Ceil(float64(nx) * ku)), int(math.Ceil(float64(ny) * kv))}
		return nil, &CoarseError{Need: need, msg: fmt.Sprintf("%dx%d: the grid does not resolve the surface (the differences of its values disagree with its gradient); use at least %dx%d points",
			nx, ny, need[0], need[1])}
	}
	seeds, cells := seedsOf(g, vals, grads)
	if share := float64(cells) / float64((nx-1)*(ny-1)); share > maxSeedShare {
		k := math.Sqrt(share / (maxSeedShare / 4))
		need := [2]int{int(math.Ceil(float64(nx) * k)), int(math.Ceil(float64(ny) * k))}
		return nil, &CoarseError{Need: need, msg: fmt.Sprintf("%dx%d: the in-plane gradient changes sign in %.0f%% of the cells; use at least %dx%d points",
			nx, ny, 100*share, need[0], need[1])}
	}
	s := o.Settings
	if !(s.Step > 0) {
		s.Step = math.Max(dx, dy)
	}
	if !(s.GradScale > 0) {
		s.GradScale = res.GradScale
	}
	if !(s.CurvScale > 0) {
		s.CurvScale = res.GradScale / math.Max(g.X.Hi-g.X.Lo, g.Y.Hi-g.Y.Lo)
	}
	s, err = s.resolved()
	if err != nil {
		return nil, err
	}
	res.Seeds = len(seeds)
	inside := func(x []float64) bool {
		return x[0] >= g.X.Lo-4*dx && x[0] <= g.X.Hi+4*dx && x[1] >= g.Y.Lo-4*dy && x[1] <= g.Y.Hi+4*dy
	}
	runs, err := Refine(ctx, pf, seeds, s, inside)
	if err != nil {
		return nil, err
	}
	tolX, tolY := 1e-9*(g.X.Hi-g.X.Lo), 1e-9*(g.Y.Hi-g.Y.Lo)
	var found []Found
	for _, r := range runs {
		if !r.Converged {
			res.Failed[r.Reason]++
			continue
		}
		a, b := r.X[0], r.X[1]
		if a < g.X.Lo-tolX || a > g.X.Hi+tolX || b < g.Y.Lo-tolY || b > g.Y.Hi+tolY {
			res.Outside++
			continue
		}
		dup := -1
		for i := range found {
			if math.Abs(found[i].X[0]-a) <= 1e-3*dx && math.Abs(found[i].X[1]-b) <= 1e-3*dy {
				dup = i
				break
			}
		}
		if dup >= 0 {
			found[dup].Seeds++
			if r.GradNorm() < found[dup].GradNorm {
				seeds := found[dup].Seeds
				found[dup] = foundOf(r, s)
				found[dup].Seeds = seeds
			}
			continue
		}
		found = append(found, foundOf(r, s))
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Value != found[j].Value {
			return found[i].Value < found[j].Value
		}
		if found[i].X[0] != found[j].X[0] {
			return found[i].X[0] < found[j].X[0]
		}
		return found[i].X[1] < found[j].X[1]
	})
	for i := range found {
		found[i].Theta = make([]float64, f.Dim())
		pf.(plane).point(found[i].Theta, found[i].X[0], found[i].X[1])
		res.Count[found[i].Kind]++
	}
	if f.Dim() > 2 && len(found) > 0 {
		if err := classifyFull(ctx, f, found, s); err != nil {
			return nil, err
		}
	}
	res.Points = found
	return res, nil
}

func foundOf(r Refined, s Settings) Found {
	p := Point{X: r.X, Value: r.Value, GradNorm: r.GradNorm()}
	p.Eigenvalues, _ = Eigenvalues(r.Hessian, 2)
	p.Kind, p.Index = Classify(p.Eigenvalues, s.EigTol, s.CurvScale)
	return Found{Point: p, Seeds: 1}
}

// classifyFull classifies each point's Theta in f's full space.
func classifyFull(ctx context.Context, f Func, found []Found, s Settings) error {
	d := f.Dim()
	if d > MaxDense {
		for i := range found {
			found[i].FullWhy = fmt.Sprintf("%d parameters: the dense Hessian is computed up to %d", d, MaxDense)
		}
		return nil
	}
	pts := make([]float64, 0, len(found)*d)
	for _, p := range found {
		pts = append(pts, p.Theta...)
	}
	return evalRuns(ctx, f, pts, func(k int, v float64, g, h []float64) {
		p := &Point{X: found[k].Theta, Value: v, GradNorm: norm(g)}
		eig, err := Eigenvalues(h, d)
		if err != nil {
			found[k].FullWhy = "the Hessian is not finite"
			return
		}
		p.Eigenvalues = eig
		p.Kind, p.Index = Classify(eig, s.EigTol, 0)
		found[k].Full = p
	})
}

// seedsOf are the seeds of Find (plane coordinates) and the number of
// seeded cells.
func seedsOf(g compute.Grid, vals, grads []float64) (seeds [][]float64, cells int) {
	nx, ny := g.Nx, g.Ny
	straddles := func(c int, k ...int) bool {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range k {
			v := grads[2*i+c]
			if math.IsNaN(v) {
				return false
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		return lo <= 0 && hi >= 0
	}
	for j := 0; j+1 < ny; j++ {
		for i := 0; i+1 < nx; i++ {
			k := []int{j*nx + i, j*nx + i + 1, (j+1)*nx + i, (j+1)*nx + i + 1}
			if straddles(0, k...) && straddles(1, k...) {
				cells++
				seeds = append(seeds, []float64{(g.XAt(i) + g.XAt(i+1)) / 2, (g.YAt(j) + g.YAt(j+1)) / 2})
			}
		}
	}
	// The 8 neighbours, in turn around the point.
	ring := [8][2]int{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}
	for j := 1; j+1 < ny; j++ {
		for i := 1; i+1 < nx; i++ {
			f0 := vals[j*nx+i]
			if math.IsNaN(f0) {
				continue
			}
			var up [8]bool
			ok := true
			for r, d := range ring {
				v := vals[(j+d[1])*nx+i+d[0]]
				if math.IsNaN(v) {
					ok = false
					break
				}
				up[r] = v >= f0
			}
			if !ok {
				continue
			}
			changes, ups := 0, 0
			for r := range up {
				if up[r] != up[(r+1)%8] {
					changes++
				}
				if up[r] {
					ups++
				}
			}
			if changes >= 4 || ups == 0 || ups == 8 {
				seeds = append(seeds, []float64{g.XAt(i), g.YAt(j)})
			}
		}
	}
	return seeds, cells
}

// Resolution limits: a grid resolves a surface when, in 99% of its cells
// along each axis, the difference quotient of the values at the cell's
// ends agrees with the mean of the gradient there (the trapezoid rule)
// to within badFit of the gradients' size in that cell; a finer grid is
// asked for that brings the 99th percentile to goodFit.
const (
	badFit  = 0.1
	goodFit = 0.05
)

// resolution is how many times finer the grid must be along x and along
// y to resolve the surface (1 when it does). The trapezoid rule's error,
// relative to the gradient in the cell, is a local measure: a region whose oscillations the grid undersamples
// shows, however small the gradient there, while well-sampled critical
// points (where the gradient changes sign across a cell) do not.
func resolution(g compute.Grid, vals, grads []float64) (ku, kv float64) {
	nx, ny := g.Nx, g.Ny
	dx := (g.X.Hi - g.X.Lo) / float64(nx-1)
	dy := (g.Y.Hi - g.Y.Lo) / float64(ny-1)
	scale := 0.0
	for k := range vals {
		scale = math.Max(scale, math.Abs(grads[2*k])+math.Abs(grads[2*k+1]))
	}
	fit := func(c, step int, h float64, ok func(k int) bool) float64 {
		var e []float64
		for k := range vals {
			if !ok(k) {
				continue
			}
			a, b := grads[2*k+c], grads[2*(k+step)+c]
			v := math.Abs((vals[k+step]-vals[k])/h-(a+b)/2) / (math.Abs(a) + math.Abs(b) + 1e-9*scale)
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				e = append(e, v)
			}
		}
		if len(e) == 0 {
			return 0
		}
		sort.Float64s(e)
		return e[len(e)*99/100]
	}
	eu := fit(0, 1, dx, func(k int) bool { return k%nx < nx-1 })
	ev := fit(1, nx, dy, func(k int) bool { return k/nx < ny-1 })
	ku, kv = 1, 1
	if eu > badFit || ev > badFit {
		// Measured on the built-in surfaces, the percentile falls as the
		// spacing to the power 1.5, not 2: ask for that.
		ku, kv = math.Max(1, math.Pow(eu/goodFit, 2.0/3)), math.Max(1, math.Pow(ev/goodFit, 2.0/3))
	}
	return ku, kv
}

func anyFinite(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return true
		}
	}
	return false
}
