package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"gonum.org/v1/gonum/floats"
)

// OptimizeSpec is a resolved optimization: which surface and optimizer,
// configured how, from which starts, for how long.
type OptimizeSpec struct {
	Surface   *Surface
	Opt       OptEntry
	OptParams sdk.Params
	// OptTexts holds the optimizer's text hyperparameters (see
	// Routed.OptimizerTexts); nil for none.
	OptTexts sdk.Texts
	// Starts holds one start point per run.
	Starts [][]float64
	// Steps is the most steps a run takes (zero: optimize.DefaultMaxSteps).
	Steps int
	Seed  uint64
	// Tol and Window define convergence: the loss changed by at most
	// Tol·(1+|loss|) over the last Window steps. Zero: 1e-9 and 10.
	Tol    float64
	Window int
	// KeepGoing runs every step even after a gradient run has converged.
	KeepGoing bool
	// BatchSize > 0 answers gradient requests with mini-batch gradients
	// (and losses) of that many samples (see client.BatchIndices): request t
	// of the batch uses mini-batch t of an epoch shuffle seeded with Seed,
	// the same for every run. The surface must have mini-batches. Such a
	// run is judged by its epochs (optimize.EpochConverge, Window counting
	// epochs), and its trajectory holds them.
	BatchSize int
	// Stuck finds where runs were stuck (see Trajectory.Stuck); its zero
	// value takes optimize.StuckRule's defaults.
	Stuck optimize.StuckRule
}

// Trajectory is one run: the engine's result and, for data-driven
// surfaces, the losses that only the surface's plugin can give.
type Trajectory struct {
	optimize.Result
	// Train is the full-batch loss at each record (mini-batch runs only,
	// whose Loss is the mini-batch's); Test is the test loss at each
	// record when the surface has a test set. Nil otherwise.
	Train, Test []float64
	// Sharpness is the largest eigenvalue of the Hessian at the records
	// Track measured (NaN at the others); nil when none was asked for.
	Sharpness []float64

	// A mini-batch run's records hold its mini-batches' losses, and its
	// Loss (the final loss that optimize, compare and their outputs
	// report) is the full train loss at its final point; BatchLoss is its
	// last mini-batch loss (NaN for other runs).
	BatchLoss float64
	// StepsPerEpoch is a mini-batch run's steps per epoch (0 for other
	// runs), Epochs its complete epochs, and ConvergedEpoch the epoch at
	// whose end it converged (-1 when it did not, or is no mini-batch
	// run).
	StepsPerEpoch  int
	Epochs         []Epoch
	ConvergedEpoch int
	// Stuck are the stretches where the run was stuck, by
	// OptimizeSpec.Stuck over its losses (a mini-batch run's full train
	// losses), leaving out the flat end of a run that converged; nil for
	// walks, whose loss is where they stand.
	Stuck []optimize.Stretch
}

// Epoch is one complete epoch of a mini-batch run (see optimize.Epochs):
// its mean mini-batch loss, and the full train loss and the test loss (NaN
// without a test set) at the parameters after it.
type Epoch struct {
	optimize.Epoch
	Train, Test float64
}

// EpochSizes are the sizes of an epoch's batches of size over samples
// samples, in order (client.BatchIndices: the last one shorter when size
// does not divide samples; one batch of all when size is 0 or at least
// samples).
func EpochSizes(samples, size int) []int {
	if size <= 0 || size >= samples {
		return []int{samples}
	}
	var out []int
	for lo := 0; lo < samples; lo += size {
		out = append(out, min(size, samples-lo))
	}
	return out
}

// Optimize runs the spec's runs as one batch in the optimizer's plugin,
// answering its requests from the surface's plugin, and returns a
// trajectory per start. A run that fails or diverges is that run's result;
// the others carry on.
func (a *App) Optimize(ctx context.Context, s OptimizeSpec) ([]*Trajectory, error) {
	desc := s.Surface.Desc
	dim := desc.Dim
	for i, x := range s.Starts {
		if len(x) != dim {
			return nil, badInput("start", "%d has %d values; %s has %d parameters", i+1, len(x), desc.Name, dim)
		}
	}
	if s.BatchSize > 0 && desc.Samples == 0 {
		return nil, badInput("batch size", "%d: %s has no mini-batches (it is not a data-driven surface)", s.BatchSize, desc.Name)
	}
	if s.BatchSize > desc.Samples {
		return nil, badInput("batch size", "%d is more than the %d training samples of %s", s.BatchSize, desc.Samples, desc.Name)
	}
	eval := evaluation(s.Surface)
	if s.BatchSize > 0 {
		eval = miniBatches(s.Surface, s.BatchSize, s.Seed)
	}
	var conv optimize.Converger = optimize.FunctionConverge{Tol: s.Tol, Window: s.Window}
	var sizes []int
	if s.BatchSize > 0 {
		sizes = EpochSizes(desc.Samples, s.BatchSize)
		conv = optimize.EpochConverge{Tol: s.Tol, Window: s.Window, Sizes: sizes}
	}
	res, err := optimize.Minimize(ctx, problem{desc, eval}, s.Starts, method{app: a, opt: s.Opt, params: s.OptParams, texts: s.OptTexts, seed: s.Seed},
		optimize.Settings{MaxSteps: s.Steps, Converger: conv, Plateau: optimize.PlateauRule{Window: s.Window}, KeepGoing: s.KeepGoing})
	if err != nil {
		return nil, err
	}
	trajs := make([]*Trajectory, len(res))
	for i, r := range res {
		trajs[i] = &Trajectory{Result: r, BatchLoss: math.NaN(), ConvergedEpoch: -1}
	}
	if err := a.trainTest(ctx, s, trajs); err != nil {
		return nil, err
	}
	for _, t := range trajs {
		if err := t.study(sizes, s.Stuck); err != nil {
			return nil, err
		}
	}
	return trajs, nil
}

// study fills in what a trajectory tells once its losses are known: a
// mini-batch run's epochs, its convergence epoch and its full train loss
// as its final loss (sizes are its epoch's batch sizes, nil for other
// runs); where it was stuck.
func (t *Trajectory) study(sizes []int, rule optimize.StuckRule) error {
	walk := t.Walk()
	if sizes != nil && t.Train != nil && !walk {
		ep, err := optimize.Epochs(t.Records, sizes)
		if err != nil {
			return err
		}
		t.StepsPerEpoch = len(sizes)
		t.Epochs = make([]Epoch, len(ep))
		for i, e := range ep {
			t.Epochs[i] = Epoch{Epoch: e, Train: t.Train[e.Step], Test: math.NaN()}
			if t.Test != nil {
				t.Epochs[i].Test = t.Test[e.Step]
			}
		}
		if t.ConvergedAt >= 0 {
			t.ConvergedEpoch = t.ConvergedAt / len(sizes)
		}
		if n := len(t.Train); n > 0 {
			t.BatchLoss, t.Loss = t.Loss, t.Train[n-1]
		}
	}
	if walk {
		return nil
	}
	steps := make([]int, len(t.Records))
	loss := make([]float64, len(t.Records))
	for i, r := range t.Records {
		steps[i], loss[i] = r.Step, r.Loss
	}
	if t.Train != nil {
		loss = t.Train
	}
	t.Stuck = rule.Find(steps, loss)
	if n := len(t.Stuck); n > 0 && t.Stuck[n-1].End && t.Status == optimize.Converged {
		t.Stuck = t.Stuck[:n-1] // settled, not stuck
	}
	return nil
}

var (
	_ optimize.Method            = method{}
	_ optimize.ProblemWithDomain = problem{}
)

// method runs an optimizer plugin's batch for the engine.
type method struct {
	app    *App // restarts the optimizer's plugin when it crashes (nil: never)
	opt    OptEntry
	params sdk.Params
	texts  sdk.Texts
	seed   uint64
}

// Global: the plugins' gradient-free optimizers report their best point.
func (m method) Global() bool { return !m.opt.Gradient }

func (m method) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	err := m.app.runBatch(ctx, m.opt, client.Batch{Name: m.opt.Name, Params: m.params, Texts: m.texts, Dim: b.Dim, Starts: b.Starts, Seed: m.seed, Eval: d.Evaluate,
		Step: func(it client.Iterates, req client.Asks, ans client.Answer) bool {
			counts := make([]int, len(req.Counts))
			for i, k := range req.Counts {
				counts[i] = int(k)
			}
			oi := optimize.Iterates{X: it.X, LR: it.LR, Done: it.Done, Best: it.Best, Temperature: it.Temperature}
			if it.Accept != nil {
				oi.Accept = make([]optimize.Acceptance, len(it.Accept))
				for i, a := range it.Accept {
					oi.Accept[i] = optimize.Acceptance(a) // the same three values
				}
			}
			return d.Step(ctx, oi,
				optimize.Request{Counts: counts, Points: req.Points, Gradient: req.Gradient},
				optimize.Answer{Losses: ans.Losses, Grads: ans.Grads})
		}})
	if errors.Is(err, sdk.ErrBadParams) {
		return fmt.Errorf("%s: %w", m.opt.Name, err)
	}
	return err
}

// problem is a surface as the engine sees it: its dimension, its domain,
// and evaluations by its plugin.
type problem struct {
	desc client.Descriptor
	eval client.Evaluation
}

func (p problem) Dim() int { return p.desc.Dim }

// Domain is the surface's; a periodic parameter is unbounded (a run may
// turn round it any number of times without diverging).
func (p problem) Domain() (lo, hi []float64) {
	for k, iv := range p.desc.Domain {
		if p.desc.Period(k) > 0 {
			iv = sdk.Interval{Lo: math.Inf(-1), Hi: math.Inf(1)}
		}
		lo, hi = append(lo, iv.Lo), append(hi, iv.Hi)
	}
	return lo, hi
}

func (p problem) Evaluate(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
	return p.eval(ctx, pts, grad)
}

// trainTest evaluates the full-batch train loss (mini-batch runs) and the
// test loss (surfaces with a test set) at every record.
func (a *App) trainTest(ctx context.Context, s OptimizeSpec, trajs []*Trajectory) error {
	ts, hasTest, err := a.TestSet(ctx, s.Surface)
	if err != nil {
		return err
	}
	if !hasTest && s.BatchSize <= 0 {
		return nil
	}
	dim := s.Surface.Desc.Dim
	for _, t := range trajs {
		pts := make([]float64, 0, len(t.Records)*dim)
		for _, r := range t.Records {
			pts = append(pts, r.X...)
		}
		if s.BatchSize > 0 {
			t.Train = make([]float64, len(t.Records))
			if err := a.lossAt(ctx, s.Surface, pts, t.Train); err != nil {
				return err
			}
		}
		if hasTest {
			t.Test = make([]float64, len(t.Records))
			if err := a.lossAt(ctx, ts, pts, t.Test); err != nil {
				return err
			}
		}
	}
	return nil
}

// miniBatches answers gradient requests with mini-batch gradients: request
// k (counting gradient requests) takes client.BatchIndices(samples, size,
// seed, k) for every point. Loss-only requests get the full loss.
func miniBatches(s *Surface, size int, seed uint64) client.Evaluation {
	var k atomic.Int64
	d := s.Desc
	return func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
		if !grad {
			l, err := s.loss(ctx, client.Points{Ref: s.Ref, Dim: d.Dim, Points: pts})
			return l, nil, err
		}
		idx := client.BatchIndices(d.Samples, size, seed, int(k.Add(1)-1))
		n := len(pts) / d.Dim
		b := &client.MiniBatch{Size: len(idx), Index: make([]int32, 0, n*len(idx))}
		for range n {
			for _, i := range idx {
				b.Index = append(b.Index, int32(i))
			}
		}
		return s.gradient(ctx, client.Points{Ref: s.Ref, Dim: d.Dim, Points: pts, Batch: b})
	}
}

// evaluation answers optimizers' requests from the surface's plugin.
func evaluation(s *Surface) client.Evaluation {
	return func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
		p := client.Points{Ref: s.Ref, Dim: s.Desc.Dim, Points: pts}
		if grad {
			return s.gradient(ctx, p)
		}
		l, err := s.loss(ctx, p)
		return l, nil, err
	}
}

// Nearest is the known minimum nearest to x and its distance (ok false
// when the surface lists none).
func Nearest(d client.Descriptor, x []float64) (m sdk.Minimum, dist float64, ok bool) {
	i, dist := nearestIndex(d, x)
	if i < 0 {
		return sdk.Minimum{}, dist, false
	}
	return d.Minima[i], dist, true
}

// nearestIndex is the index in d.Minima of the minimum nearest x (-1 when
// there is none) and its distance, periodic parameters wrapped (the
// shortest way round).
func nearestIndex(d client.Descriptor, x []float64) (int, float64) {
	best, dist := -1, math.Inf(1)
	for i, c := range d.Minima {
		if s := floats.Norm(d.Difference(c.Location, x), 2); s < dist {
			best, dist = i, s
		}
	}
	return best, dist
}
