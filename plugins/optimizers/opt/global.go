package opt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// Simulated annealing.

func newAnneal() *optimizer {
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:    "anneal",
			Summary: "simulated annealing: Gaussian proposals, Metropolis acceptance at temperature T0·cooling^(t−1), until it falls below T_min",
			Hyperparameters: []sdk.Hyperparameter{
				num("T0", "starting temperature (0: accept only proposals that do not increase the loss)", 1, 0, 1e6),
				num("cooling", "temperature factor per step (1: constant temperature)", 0.995, 0, 1),
				num("sigma", "standard deviation of the Gaussian proposal around the current point", 0.1, 0, 1e6),
				num("T_min", "least temperature: the walk ends (done) before the first step whose temperature would be below it (0: never; at most T0)", 0, 0, 1e6),
			},
			Stochastic: true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			if p["T_min"] > p["T0"] {
				return nil, fmt.Errorf("%w: T_min=%v is above T0=%v: the walk would take no step", sdk.ErrBadParams, p["T_min"], p["T0"])
			}
			r := &annealRun{cur: x0, best: slices.Clone(x0), prop: make([]float64, len(x0)),
				fcur: math.NaN(), fbest: math.NaN(), first: true,
				t0: p["T0"], cooling: p["cooling"], sigma: p["sigma"], tmin: p["T_min"], rng: newRand(seed)}
			r.pts1 = [][]float64{r.prop}
			r.pts2 = [][]float64{r.cur, r.prop}
			r.propose()
			return r, nil
		},
	}
}

// annealRun is simulated annealing. Step t (from 1) proposes y = x + σ·N(0, I)
// from the current point x and moves there with the Metropolis probability
// min(1, exp(−(f(y)−f(x))/T_t)), T_t = T0·cooling^(t−1). The first Ask
// evaluates x0 together with the first proposal, so every step makes one
// proposal. Each Step reports the current point as X, the best point so far
// as Best, and the step's test (its temperature, accepted or rejected);
// the run is Done after step t when T_{t+1} < T_min.
type annealRun struct {
	cur, best, prop          []float64
	fcur, fbest              float64
	pts1, pts2               [][]float64 // {prop}; {cur, prop} for the first Ask
	first, broken            bool
	t                        int
	t0, cooling, sigma, tmin float64
	rng                      *rand.Rand
}

func (r *annealRun) propose() {
	for i := range r.prop {
		r.prop[i] = r.cur[i] + r.sigma*r.rng.NormFloat64()
	}
}

func (r *annealRun) Ask() ([][]float64, sdk.Need) {
	if r.first {
		return r.pts2, sdk.NeedLoss
	}
	return r.pts1, sdk.NeedLoss
}

// temperature is T_t.
func (r *annealRun) temperature(t int) float64 {
	return r.t0 * math.Pow(r.cooling, float64(t-1))
}

func (r *annealRun) Tell(losses []float64, _ [][]float64) sdk.Step {
	if r.broken {
		return sdk.Step{X: r.cur, Best: r.best, Done: true}
	}
	want := 1
	if r.first {
		want = 2
	}
	if len(losses) != want {
		r.broken = true
		fillNaN(r.cur)
		fillNaN(r.best)
		return sdk.Step{X: r.cur, Best: r.best, Done: true}
	}
	fp := losses[want-1]
	if r.first {
		r.first = false
		r.fcur, r.fbest = losses[0], losses[0]
	}
	r.t++
	temp := r.temperature(r.t)
	st := sdk.Step{X: r.cur, Best: r.best, Temperature: temp, Accept: sdk.Rejected}
	if r.accept(fp, temp) {
		st.Accept = sdk.Accepted
		copy(r.cur, r.prop)
		r.fcur = fp
		if better(fp, r.fbest) {
			copy(r.best, r.prop)
			r.fbest = fp
		}
	}
	st.Done = r.temperature(r.t+1) < r.tmin
	r.propose()
	return st
}

// accept is the Metropolis rule at temperature temp. A NaN proposal is
// never accepted; any other is accepted from a point whose loss is NaN.
func (r *annealRun) accept(fp, temp float64) bool {
	switch {
	case math.IsNaN(fp):
		return false
	case math.IsNaN(r.fcur) || fp <= r.fcur:
		return true
	case !(temp > 0):
		return false
	}
	return r.rng.Float64() < math.Exp(-(fp-r.fcur)/temp)
}

// Grid search.

// maxGridPoints bounds a grid search's points (its steps): every 1-D and
// 2-D grid that points allows (1001² points), 100³ in 3-D, and so on.
const maxGridPoints = 1001 * 1001

func newGridSearch() sdk.Optimizer {
	return &textOptimizer{
		optimizer: optimizer{
			info: sdk.OptimizerInfo{
				Name:    "grid-search",
				Summary: "evaluates a regular grid, one point per step (x0 ± radius, or the ranges given), and reports the best point",
				Hyperparameters: []sdk.Hyperparameter{
					num("radius", "half-width of the grid along every axis around x0 (without ranges)", 1, 0, 1e6),
					whole("points", fmt.Sprintf("grid points per axis (points^dim at most %d)", maxGridPoints), 11, 2, 1001),
					{Name: "ranges", Text: true, Doc: "the grid's range per parameter instead of x0 ± radius: lo:hi or lo:hi:n (n points, default points), " +
						"comma-separated, one per parameter or one for all (--set ranges=-4:4:41,-3:3:31)"},
				},
			},
		},
		startTexts: startGrid,
	}
}

// axis is one parameter's grid values, lo + (hi−lo)·i/(n−1), i = 0..n−1.
type axis struct {
	lo, hi float64
	n      int
}

func (a axis) at(i int) float64 {
	if i == a.n-1 {
		return a.hi
	}
	return a.lo + (a.hi-a.lo)*float64(i)/float64(a.n-1)
}

// parseRanges reads ranges (see the grid search's doc) for dim parameters
// of n points by default.
func parseRanges(s string, dim, n int) ([]axis, error) {
	parts := strings.Split(s, ",")
	if len(parts) != dim && len(parts) != 1 {
		return nil, fmt.Errorf("%w: ranges=%q holds %d ranges for %d parameters: give one per parameter, or one for all", sdk.ErrBadParams, s, len(parts), dim)
	}
	var out []axis
	for _, p := range parts {
		f := strings.Split(strings.TrimSpace(p), ":")
		a := axis{n: n}
		var err error
		bad := len(f) < 2 || len(f) > 3
		if !bad {
			a.lo, err = strconv.ParseFloat(strings.TrimSpace(f[0]), 64)
			bad = err != nil
		}
		if !bad {
			a.hi, err = strconv.ParseFloat(strings.TrimSpace(f[1]), 64)
			bad = err != nil
		}
		if !bad && len(f) == 3 {
			a.n, err = strconv.Atoi(strings.TrimSpace(f[2]))
			bad = err != nil
		}
		switch {
		case bad:
			return nil, fmt.Errorf("%w: ranges: %q: want lo:hi or lo:hi:n", sdk.ErrBadParams, p)
		case !(a.lo < a.hi) || math.IsInf(a.lo, 0) || math.IsInf(a.hi, 0):
			return nil, fmt.Errorf("%w: ranges: %q: want finite ends, lo < hi", sdk.ErrBadParams, p)
		case a.n < 2 || a.n > 1001:
			return nil, fmt.Errorf("%w: ranges: %q: want 2 to 1001 points", sdk.ErrBadParams, p)
		}
		out = append(out, a)
	}
	for len(out) < dim {
		out = append(out, out[0])
	}
	return out, nil
}

func startGrid(p sdk.Params, t sdk.Texts, x0 []float64, _ uint64) (sdk.Run, error) {
	dim, n, radius := len(x0), int(p["points"]), p["radius"]
	var axes []axis
	if s := strings.TrimSpace(t["ranges"]); s != "" {
		var err error
		if axes, err = parseRanges(s, dim, n); err != nil {
			return nil, err
		}
	} else {
		// x0 ± radius; offsets r·(2i−(n−1))/(n−1) put the middle point of
		// an odd grid exactly on x0 (see point).
		axes = make([]axis, dim)
		for d := range axes {
			axes[d] = axis{lo: x0[d] - radius, hi: x0[d] + radius, n: n}
		}
	}
	total := 1
	for _, a := range axes {
		total *= a.n
		if total > maxGridPoints {
			return nil, fmt.Errorf("%w: a grid of more than %d points (points per axis %s in %d dimensions); use fewer points or fewer dimensions",
				sdk.ErrBadParams, maxGridPoints, axisPoints(axes), dim)
		}
	}
	r := &gridRun{axes: axes, total: total, cur: make([]float64, dim), x: slices.Clone(x0), best: slices.Clone(x0), fbest: math.NaN()}
	if t["ranges"] == "" {
		r.x0, r.radius = x0, radius
	}
	r.one = [][]float64{r.cur}
	r.point(0)
	return r, nil
}

func axisPoints(axes []axis) string {
	s := make([]string, len(axes))
	for i, a := range axes {
		s[i] = strconv.Itoa(a.n)
	}
	return strings.Join(s, "×")
}

// gridRun evaluates the grid's points one per step, in mixed radix order
// (the last parameter fastest). Each Step reports the point just evaluated
// as X and the point of least loss so far as Best (the first point while
// every loss is NaN); it is done after the last point.
type gridRun struct {
	axes     []axis
	x0       []float64 // the centre of an x0 ± radius grid, else nil
	radius   float64
	total, k int         // points, and points evaluated
	cur      []float64   // the next point to evaluate
	x, best  []float64   // the point evaluated last, the best one
	one      [][]float64 // {cur}
	fbest    float64
	done     bool
}

// point sets cur to grid point k.
func (r *gridRun) point(k int) {
	for d := len(r.axes) - 1; d >= 0; d-- {
		a := r.axes[d]
		i := k % a.n
		k /= a.n
		if r.x0 != nil {
			r.cur[d] = r.x0[d] + r.radius*float64(2*i-(a.n-1))/float64(a.n-1)
		} else {
			r.cur[d] = a.at(i)
		}
	}
}

func (r *gridRun) Ask() ([][]float64, sdk.Need) { return r.one, sdk.NeedLoss }

func (r *gridRun) Tell(losses []float64, _ [][]float64) sdk.Step {
	if r.done {
		return sdk.Step{X: r.x, Best: r.best, Done: true}
	}
	if len(losses) != 1 {
		r.done = true
		fillNaN(r.x)
		fillNaN(r.best)
		return sdk.Step{X: r.x, Best: r.best, Done: true}
	}
	copy(r.x, r.cur)
	if r.k == 0 || better(losses[0], r.fbest) {
		copy(r.best, r.x)
		r.fbest = losses[0]
	}
	r.k++
	r.done = r.k == r.total
	if !r.done {
		r.point(r.k)
	}
	return sdk.Step{X: r.x, Best: r.best, Done: r.done}
}

// Random restarts.

// maxRestartValues bounds (restarts+1)·dim, the size of a random-restarts
// batch.
const maxRestartValues = 1 << 24

func newRandomRestarts() *optimizer {
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:    "random-restarts",
			Summary: "gradient descent from x0 and from random starts in x0 ± radius, all in one batch; reports the best point",
			Hyperparameters: []sdk.Hyperparameter{
				whole("restarts", "random starts besides x0", 10, 0, 1e5),
				num("radius", "half-width of the box around x0 the random starts are drawn from (uniformly)", 2, 0, 1e6),
				whole("inner_steps", "gradient-descent steps from every start (then one last evaluation of the final points)", 100, 1, maxSteps),
				lrParam(0.01),
			},
			Gradient:   true,
			Stochastic: true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			dim, n := len(x0), int(p["restarts"])+1
			if n*dim > maxRestartValues {
				return nil, fmt.Errorf("%w: restarts=%d in %d dimensions is more than %d values in a batch; use fewer restarts",
					sdk.ErrBadParams, n-1, dim, maxRestartValues)
			}
			rng, radius := newRand(seed), p["radius"]
			flat := make([]float64, n*dim)
			pts := make([][]float64, n)
			for k := range pts {
				pts[k] = flat[k*dim : (k+1)*dim : (k+1)*dim]
				for d := range dim {
					if k == 0 {
						pts[k][d] = x0[d]
					} else {
						pts[k][d] = x0[d] + radius*(2*rng.Float64()-1)
					}
				}
			}
			return &restartsRun{pts: pts, best: x0, fbest: math.NaN(),
				inner: int(p["inner_steps"]), lr: p["lr"]}, nil
		},
	}
}

// restartsRun runs gradient descent x ← x − lr·∇f from every start at once:
// inner_steps steps, each asking for the gradients at all the current
// points, then one loss-only Ask for the final points, after which it is
// done. X is the evaluated point of least loss so far (x0 until a loss is
// not NaN).
type restartsRun struct {
	pts      [][]float64
	one      [][]float64 // {best} once done
	best     []float64
	fbest    float64
	k, inner int // gradient steps taken, to take
	lr       float64
	done     bool
}

func (r *restartsRun) Ask() ([][]float64, sdk.Need) {
	switch {
	case r.done:
		return r.one, sdk.NeedLoss
	case r.k < r.inner:
		return r.pts, sdk.NeedGradient
	}
	return r.pts, sdk.NeedLoss
}

func (r *restartsRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	if r.done {
		return sdk.Step{X: r.best, Done: true}
	}
	step := r.k < r.inner
	if len(losses) != len(r.pts) || step && !gradsOK(grads, len(r.pts), len(r.best)) {
		fillNaN(r.best)
		r.done, r.one = true, [][]float64{r.best}
		return sdk.Step{X: r.best, Done: true}
	}
	for k, f := range losses {
		if better(f, r.fbest) {
			r.fbest = f
			copy(r.best, r.pts[k])
		}
	}
	if !step {
		r.done, r.one = true, [][]float64{r.best}
		return sdk.Step{X: r.best, Done: true}
	}
	for k, x := range r.pts {
		g := grads[k]
		for d := range x {
			x[d] += -r.lr * g[d]
		}
	}
	r.k++
	return sdk.Step{X: r.best, LR: r.lr}
}
