package opt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/landscape-go/landscape/sdk"
)

// Simulated annealing.

func newAnneal() *optimizer {
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:    "anneal",
			Summary: "simulated annealing: Gaussian proposals, Metropolis acceptance at temperature T0·cooling^(t−1)",
			Hyperparameters: []sdk.Hyperparameter{
				num("T0", "starting temperature (0: accept only proposals that do not increase the loss)", 1, 0, 1e6),
				num("cooling", "temperature factor per step (1: constant temperature)", 0.995, 0, 1),
				num("sigma", "standard deviation of the Gaussian proposal around the current point", 0.1, 0, 1e6),
			},
			Stochastic: true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			r := &annealRun{cur: x0, best: slices.Clone(x0), prop: make([]float64, len(x0)),
				fcur: math.NaN(), fbest: math.NaN(), first: true,
				t0: p["T0"], cooling: p["cooling"], sigma: p["sigma"], rng: newRand(seed)}
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
// proposal. X is the best point so far; the current point stays internal.
type annealRun struct {
	cur, best, prop    []float64
	fcur, fbest        float64
	pts1, pts2         [][]float64 // {prop}; {cur, prop} for the first Ask
	first, broken      bool
	t                  int
	t0, cooling, sigma float64
	rng                *rand.Rand
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

func (r *annealRun) Tell(losses []float64, _ [][]float64) sdk.Step {
	if r.broken {
		return sdk.Step{X: r.best, Done: true}
	}
	want := 1
	if r.first {
		want = 2
	}
	if len(losses) != want {
		r.broken = true
		fillNaN(r.best)
		return sdk.Step{X: r.best, Done: true}
	}
	fp := losses[want-1]
	if r.first {
		r.first = false
		r.fcur, r.fbest = losses[0], losses[0]
	}
	r.t++
	if r.accept(fp, r.t0*math.Pow(r.cooling, float64(r.t-1))) {
		copy(r.cur, r.prop)
		r.fcur = fp
		if better(fp, r.fbest) {
			copy(r.best, r.prop)
			r.fbest = fp
		}
	}
	r.propose()
	return sdk.Step{X: r.best}
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

// maxGridPoints bounds a grid search's batch: every 1-D and 2-D grid that
// points allows (1001² points), 100³ in 3-D, and so on.
const maxGridPoints = 1001 * 1001

func newGridSearch() *optimizer {
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:    "grid-search",
			Summary: "evaluates a regular grid over x0 ± radius in one batch and reports its best point",
			Hyperparameters: []sdk.Hyperparameter{
				num("radius", "half-width of the grid along every axis", 1, 0, 1e6),
				whole("points", fmt.Sprintf("grid points per axis (points^dim at most %d)", maxGridPoints), 11, 2, 1001),
			},
		},
		start: startGrid,
	}
}

func startGrid(p sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	dim, n, radius := len(x0), int(p["points"]), p["radius"]
	total := 1
	for range dim {
		total *= n
		if total > maxGridPoints {
			return nil, fmt.Errorf("%w: points=%d in %d dimensions is more than %d points; use fewer points or fewer dimensions",
				sdk.ErrBadParams, n, dim, maxGridPoints)
		}
	}
	flat := make([]float64, total*dim)
	pts := make([][]float64, total)
	for k := range pts {
		pt := flat[k*dim : (k+1)*dim : (k+1)*dim]
		// Mixed radix, the last axis fastest; offsets r·(2i−(n−1))/(n−1) put
		// the middle point of an odd grid exactly on x0.
		rem := k
		for d := dim - 1; d >= 0; d-- {
			i := rem % n
			rem /= n
			pt[d] = x0[d] + radius*float64(2*i-(n-1))/float64(n-1)
		}
		pts[k] = pt
	}
	return &gridRun{pts: pts, best: x0, fbest: math.NaN()}, nil
}

// gridRun asks for every grid point at once; X is the point of least loss
// (x0, the grid's centre, when every loss is NaN). It is done after one Tell.
type gridRun struct {
	pts   [][]float64 // nil once done
	one   [][]float64 // {best} once done
	best  []float64
	fbest float64
}

func (r *gridRun) Ask() ([][]float64, sdk.Need) {
	if r.pts == nil {
		return r.one, sdk.NeedLoss
	}
	return r.pts, sdk.NeedLoss
}

func (r *gridRun) Tell(losses []float64, _ [][]float64) sdk.Step {
	if r.pts == nil {
		return sdk.Step{X: r.best, Done: true}
	}
	if len(losses) != len(r.pts) {
		fillNaN(r.best)
	} else {
		for k, f := range losses {
			if better(f, r.fbest) {
				r.fbest = f
				copy(r.best, r.pts[k])
			}
		}
	}
	r.pts, r.one = nil, [][]float64{r.best}
	return sdk.Step{X: r.best, Done: true}
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
