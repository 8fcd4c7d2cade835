package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// OptimizeSpec is a resolved optimization: which surface and optimizer,
// configured how, from which starts, for how long.
type OptimizeSpec struct {
	Surface   *Surface
	Opt       OptEntry
	OptParams sdk.Params
	// Starts holds one start point per run.
	Starts [][]float64
	Steps  int
	Seed   uint64
	// Tol and Window define convergence: the loss changed by at most
	// Tol·(1+|loss|) over the last Window steps. Zero: 1e-9 and 10.
	Tol    float64
	Window int
	// KeepGoing runs every step even after a gradient run has converged.
	KeepGoing bool
	// BatchSize > 0 answers gradient requests with mini-batch gradients
	// (and losses) of that many samples (see client.BatchIndices): request t
	// of the batch uses mini-batch t of an epoch shuffle seeded with Seed,
	// the same for every run. The surface must have mini-batches.
	BatchSize int
}

// Status is how a run ended.
type Status string

const (
	Converged Status = "converged"
	MaxSteps  Status = "max steps"
	Plateau   Status = "stalled on a plateau"
	Diverged  Status = "diverged"
	Failed    Status = "failed"
)

// Record is a trajectory row: the iterate after Step steps.
type Record struct {
	Step      int       `json:"step"`
	X         []float64 `json:"x"`
	Loss      float64   `json:"loss"`
	GradNorm  float64   `json:"grad_norm"`
	ParamNorm float64   `json:"param_norm"`
	LR        float64   `json:"lr"`
}

// Trajectory is one run.
type Trajectory struct {
	Start   []float64
	Records []Record
	Status  Status
	// ConvergedAt is the step at which the run converged, or -1.
	ConvergedAt int
	// Evals counts the points the optimizer asked to have evaluated.
	Evals int
	// Why explains a Diverged or Failed status.
	Why string
	// Train is the full-batch loss at each record (mini-batch runs only,
	// whose Loss is the mini-batch's); Test is the test loss at each
	// record when the surface has a test set. Nil otherwise.
	Train, Test []float64

	stopped bool
}

// Final is the last record.
func (t *Trajectory) Final() Record { return t.Records[len(t.Records)-1] }

// Optimize runs the spec's runs as one batch in the optimizer's plugin,
// answering its requests from the surface's plugin, and returns a
// trajectory per start. A run that fails or diverges is that run's result;
// the others carry on.
func (a *App) Optimize(ctx context.Context, s OptimizeSpec) ([]*Trajectory, error) {
	desc := s.Surface.Desc
	dim := desc.Dim
	if s.Tol <= 0 {
		s.Tol = 1e-9
	}
	if s.Window <= 0 {
		s.Window = 10
	}
	starts := make([]float64, 0, len(s.Starts)*dim)
	trajs := make([]*Trajectory, len(s.Starts))
	for i, x := range s.Starts {
		if len(x) != dim {
			return nil, fmt.Errorf("%w: start %d has %d values; %s has %d parameters", ErrBadInput, i+1, len(x), desc.Name, dim)
		}
		starts = append(starts, x...)
		trajs[i] = &Trajectory{Start: append([]float64(nil), x...), ConvergedAt: -1, Status: MaxSteps}
	}
	if s.BatchSize > 0 && desc.Samples == 0 {
		return nil, fmt.Errorf("%w: --batch-size: %s has no mini-batches (it is not a data-driven surface)", ErrBadInput, desc.Name)
	}
	eval := evaluation(s.Surface)
	if s.BatchSize > 0 {
		eval = miniBatches(s.Surface, s.BatchSize, s.Seed)
	}
	step := 0
	var evalErr error
	err := s.Opt.Client.Optimize(ctx, client.Batch{Name: s.Opt.Name, Params: s.OptParams, Dim: dim, Starts: starts, Seed: s.Seed, Eval: eval,
		Step: func(it client.Iterates, req client.Asks, ans client.Answer) bool {
			// Where a run asked for exactly its iterate with gradients, the
			// answer is the record; the others are evaluated apart.
			type pending struct{ run, off int }
			var need []pending
			var extra []float64
			off := 0
			for i, t := range trajs {
				k := int(req.Counts[i])
				x := it.X[i*dim : (i+1)*dim]
				if t.stopped {
					off += k
					continue
				}
				if k == 1 && req.Gradient && equal(req.Points[off*dim:(off+1)*dim], x) {
					t.add(step, x, ans.Losses[off], ans.Grads[off*dim:(off+1)*dim], it.LR[i])
				} else {
					need = append(need, pending{i, len(extra) / dim})
					extra = append(extra, x...)
				}
				off += k
			}
			if len(extra) > 0 {
				l, g, err := eval(ctx, extra, true)
				if err != nil {
					evalErr = err
					return false
				}
				for _, p := range need {
					trajs[p.run].add(step, it.X[p.run*dim:(p.run+1)*dim], l[p.off], g[p.off*dim:(p.off+1)*dim], it.LR[p.run])
				}
			}
			off = 0
			active := 0
			for i, t := range trajs {
				k := int(req.Counts[i])
				if !t.stopped {
					t.Evals += k
					t.judge(s, it.Done[i], k == 0)
				}
				if !t.stopped {
					active++
				}
				off += k
			}
			step++
			return active > 0 && step <= s.Steps
		}})
	if evalErr != nil {
		return nil, evalErr
	}
	if err != nil {
		if errors.Is(err, sdk.ErrBadParams) {
			return nil, fmt.Errorf("%s: %w", s.Opt.Name, err)
		}
		return nil, err
	}
	for _, t := range trajs {
		t.finish(s)
	}
	if err := a.trainTest(ctx, s, trajs); err != nil {
		return nil, err
	}
	return trajs, nil
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
			l, err := s.Entry.Client.Loss(ctx, client.Points{Ref: s.Ref, Dim: d.Dim, Points: pts})
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
		return s.Entry.Client.Gradient(ctx, client.Points{Ref: s.Ref, Dim: d.Dim, Points: pts, Batch: b})
	}
}

// evaluation answers optimizers' requests from the surface's plugin.
func evaluation(s *Surface) client.Evaluation {
	return func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
		p := client.Points{Ref: s.Ref, Dim: s.Desc.Dim, Points: pts}
		if grad {
			return s.Entry.Client.Gradient(ctx, p)
		}
		l, err := s.Entry.Client.Loss(ctx, p)
		return l, nil, err
	}
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func (t *Trajectory) add(step int, x []float64, loss float64, grad []float64, lr float64) {
	t.Records = append(t.Records, Record{Step: step, X: append([]float64(nil), x...), Loss: loss, GradNorm: norm(grad), ParamNorm: norm(x), LR: lr})
}

// judge updates the status after the latest record: divergence, a run the
// plugin failed or finished, and convergence.
func (t *Trajectory) judge(s OptimizeSpec, done, failed bool) {
	r := t.Final()
	for k, x := range r.X {
		d := s.Surface.Desc.Domain[k]
		w := d.Hi - d.Lo
		if math.IsNaN(x) || math.IsInf(x, 0) || x < d.Lo-100*w || x > d.Hi+100*w {
			if math.IsNaN(x) && failed {
				t.Status, t.Why = Failed, "the optimizer returned no valid point"
			} else {
				t.Status, t.Why = Diverged, fmt.Sprintf("parameter %d reached %g, far outside the domain [%g, %g]", k, x, d.Lo, d.Hi)
			}
			t.stopped = true
			return
		}
	}
	if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
		t.Status, t.Why, t.stopped = Diverged, fmt.Sprintf("the loss became %g", r.Loss), true
		return
	}
	if t.ConvergedAt < 0 && t.windowFlat(s) {
		t.ConvergedAt = r.Step
		if s.Opt.Gradient && !s.KeepGoing {
			t.stopped = true
		}
	}
	if done {
		t.stopped = true
	}
}

// windowFlat reports whether the loss moved by at most Tol·(1+|loss|) over
// the last Window steps.
func (t *Trajectory) windowFlat(s OptimizeSpec) bool {
	n := len(t.Records)
	if n <= s.Window {
		return false
	}
	a, b := t.Records[n-1-s.Window].Loss, t.Records[n-1].Loss
	return math.Abs(a-b) <= s.Tol*(1+math.Abs(b))
}

// finish settles the status of a run that was not stopped by divergence.
func (t *Trajectory) finish(s OptimizeSpec) {
	if t.Status == Diverged || t.Status == Failed {
		return
	}
	if !s.Opt.Gradient {
		// A global method's best loss is flat between improvements: it has
		// converged only if it is flat at the end, since its last one.
		t.ConvergedAt = -1
		if t.windowFlat(s) {
			last := t.Final().Loss
			t.ConvergedAt = 0
			for _, r := range t.Records {
				if math.Abs(r.Loss-last) > s.Tol*(1+math.Abs(last)) {
					t.ConvergedAt = r.Step + 1
				}
			}
		}
	}
	switch {
	case t.ConvergedAt >= 0:
		t.Status = Converged
	case t.plateau(s):
		t.Status = Plateau
	default:
		t.ConvergedAt = -1
		t.Status = MaxSteps
	}
}

// plateau: over the last Window steps the gradient stayed small and the
// loss barely moved, yet the run did not meet the convergence test.
func (t *Trajectory) plateau(s OptimizeSpec) bool {
	n := len(t.Records)
	if n <= s.Window {
		return false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range t.Records[n-1-s.Window:] {
		if r.GradNorm > 1e-3*(1+math.Abs(r.Loss)) {
			return false
		}
		lo, hi = math.Min(lo, r.Loss), math.Max(hi, r.Loss)
	}
	return hi-lo <= 1e-4*(1+math.Abs(hi))
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
// there is none) and its distance.
func nearestIndex(d client.Descriptor, x []float64) (int, float64) {
	best, dist := -1, math.Inf(1)
	for i, c := range d.Minima {
		if s := distance(c.Location, x); s < dist {
			best, dist = i, s
		}
	}
	return best, dist
}
