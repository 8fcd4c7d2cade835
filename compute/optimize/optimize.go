package optimize

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Sentinel errors, for errors.Is. The context's own error is wrapped when
// ctx ends.
var (
	// ErrInvalid: a problem, start or setting that cannot be run.
	ErrInvalid = errors.New("optimize: invalid input")
	// ErrBadRequest: a Method broke the protocol (iterates, counts, points
	// or answers of the wrong size, or no step at all).
	ErrBadRequest = errors.New("optimize: malformed request from the method")
	// ErrBadAnswer: a Problem answered with the wrong number of values.
	ErrBadAnswer = errors.New("optimize: malformed answer from the problem")
)

// Problem is what the runs minimise: a loss of Dim parameters, evaluated a
// batch of points at a time.
type Problem interface {
	// Dim is the number of parameters (at least 1).
	Dim() int
	// Evaluate returns the losses at points (n·Dim values, point after
	// point; NaN where the loss is undefined) and, when grad is true, their
	// gradients (n·Dim values, point after point).
	Evaluate(ctx context.Context, points []float64, grad bool) (losses, grads []float64, err error)
}

// ProblemWithDomain is a Problem with a box domain: a run whose parameter
// goes further than Settings.Divergence domain widths outside its interval
// has diverged.
type ProblemWithDomain interface {
	Problem
	// Domain returns the low and the high ends, one per parameter.
	Domain() (lo, hi []float64)
}

// Method moves a batch of runs by reverse communication.
type Method interface {
	// Global reports whether the method's iterate is its best point so far
	// (simulated annealing, grid search, random restarts) rather than where
	// a descent has got to. A global method's loss is flat between
	// improvements, so its runs are never stopped for converging: each is
	// judged at its end, converged at its last improvement when the
	// Converger finds the end flat.
	Global() bool
	// Run runs len(b.Starts)/b.Dim runs from b.Starts. Step after step, it
	// has d.Evaluate what the runs ask for next and then calls d.Step with
	// the runs' iterates, that request and its answer; the first step's
	// iterates are the starts. It returns when d.Step returns false, when
	// no run asks for anything (every run has finished or failed), or when
	// ctx ends; it returns errors from d as they are.
	Run(ctx context.Context, b Batch, d Driver) error
}

// Batch is the runs a Method is given: Starts holds one start of Dim
// values per run, run after run.
type Batch struct {
	Dim    int
	Starts []float64
}

// Driver is the engine's side of a Method's Run.
type Driver interface {
	// Evaluate answers a request: the losses at points and, when grad is
	// true, their gradients (see Problem.Evaluate).
	Evaluate(ctx context.Context, points []float64, grad bool) (losses, grads []float64, err error)
	// Step reports the runs' iterates after a step, their next request and
	// its answer (Evaluate's, or empty when the request asks for nothing).
	// It returns false when the Method should stop: every run has been
	// judged finished, the step limit is reached, ctx has ended or
	// something was wrong (Minimize and Endpoints return that error).
	Step(ctx context.Context, it Iterates, req Request, ans Answer) bool
}

// Iterates is the state of a batch after a step: X holds runs·dim values
// (a run that cannot go on reports NaN coordinates), and per run the
// learning rate of the step (0 where none applies) and whether the run has
// finished by itself.
//
// Methods that walk apart from their best point (simulated annealing, a
// grid search's sweep) also report Best: runs·dim values, each run's best
// point so far, which is its result; X is then where the walk stands.
// Methods that test proposals report, per run, the step's Accept and the
// Temperature it ran at (NaN, with AcceptNone, for a run that tested
// none). Each is nil when the method reports none.
type Iterates struct {
	X           []float64
	LR          []float64
	Done        []bool
	Best        []float64
	Temperature []float64
	Accept      []Acceptance
}

// Acceptance is the outcome of a step's acceptance test.
type Acceptance int8

const (
	// AcceptNone: the step tested no proposal.
	AcceptNone Acceptance = iota
	// Accepted: the proposal was accepted.
	Accepted
	// Rejected: the proposal was rejected.
	Rejected
)

// Request is what a batch's runs ask to have evaluated next: Counts[i]
// points for run i (0 once it has finished or failed), then the points,
// dim values each, run after run, with gradients when Gradient is true.
type Request struct {
	Counts   []int
	Points   []float64
	Gradient bool
}

// Answer is the evaluation of a Request: a loss per point and, when the
// request asked for them, dim gradient values per point.
type Answer struct {
	Losses, Grads []float64
}

// DefaultMaxSteps is the step limit of Settings{}.
const DefaultMaxSteps = 1000

// Settings tune Minimize and Endpoints. The zero value is valid.
type Settings struct {
	// MaxSteps is the most steps a run takes (Endpoints: the steps every
	// run takes); zero means DefaultMaxSteps.
	MaxSteps int
	// Converger judges when a run has converged; nil means
	// FunctionConverge{} (a loss change of at most 1e-9·(1+|loss|) over the
	// last 10 steps). NeverConverge{} turns the test off.
	Converger Converger
	// KeepGoing takes every step of a run that has converged (runs of
	// methods that are not Global stop when they converge otherwise).
	KeepGoing bool
	// Plateau says when a run that did not converge has stalled.
	Plateau PlateauRule
	// Divergence is how many domain widths outside a ProblemWithDomain's
	// domain a run may go before it has diverged; zero means 100.
	Divergence float64
	// Progress, when set, is called after each step with the step (0 for
	// the starts) and MaxSteps.
	Progress func(step, steps int)
}

// resolved fills in the defaults and checks the rest.
func (s Settings) resolved() (Settings, error) {
	if s.MaxSteps < 0 {
		return s, fmt.Errorf("%w: MaxSteps %d is negative", ErrInvalid, s.MaxSteps)
	}
	if s.MaxSteps == 0 {
		s.MaxSteps = DefaultMaxSteps
	}
	if s.Converger == nil {
		s.Converger = FunctionConverge{}
	}
	if s.Divergence < 0 || math.IsNaN(s.Divergence) {
		return s, fmt.Errorf("%w: Divergence %g: want a positive number of domain widths", ErrInvalid, s.Divergence)
	}
	if s.Divergence == 0 {
		s.Divergence = 100
	}
	return s, nil
}

// Record is a run's iterate after Step steps (step 0: the start): its loss,
// gradient norm, parameter norm and the step's learning rate.
//
// For a run whose method reports a best point apart from its iterate (see
// Iterates), Best and BestLoss are that point and its loss (Best is nil
// otherwise). For a run whose method tests proposals, Accept is the
// step's outcome, Temperature its temperature (NaN when the step tested
// none) and AcceptRate the fraction of the run's tests so far that
// accepted (NaN before the first).
type Record struct {
	Step        int        `json:"step"`
	X           []float64  `json:"x"`
	Loss        float64    `json:"loss"`
	GradNorm    float64    `json:"grad_norm"`
	ParamNorm   float64    `json:"param_norm"`
	LR          float64    `json:"lr"`
	Best        []float64  `json:"best,omitempty"`
	BestLoss    float64    `json:"best_loss,omitempty"`
	Temperature float64    `json:"temperature,omitempty"`
	Accept      Acceptance `json:"accept,omitempty"`
	AcceptRate  float64    `json:"accept_rate,omitempty"`
}

// Location is where a run ended.
type Location struct {
	X        []float64
	Loss     float64
	GradNorm float64
}

// Stats count a run's work.
type Stats struct {
	// Steps is the step of the run's last record.
	Steps int
	// Evaluations counts the points the method asked to have evaluated
	// for the run while it was judged (not those of the records).
	Evaluations int
	// ConvergedAt is the step at which the run converged, or -1.
	ConvergedAt int
}

// Result is one run's outcome.
type Result struct {
	// Location is the last record's: its iterate, or its best point for
	// a method that reports one apart (see Iterates).
	Location
	Stats
	Status Status
	// Reason explains a Diverged or Failed status ("" otherwise).
	Reason string
	// Start is the run's start point.
	Start []float64
	// Records is the trajectory: the iterate after every step, from the
	// start (step 0) to the last step judged.
	Records []Record
}

// Minimize runs m from every start over p and returns a Result per start,
// in order. A run that converges (unless s.KeepGoing or m is Global),
// diverges, fails or finishes is stopped; the others carry on until
// s.MaxSteps steps. A run that fails or diverges is that run's result, not
// an error.
func Minimize(ctx context.Context, p Problem, starts [][]float64, m Method, s Settings) ([]Result, error) {
	s, err := s.resolved()
	if err != nil {
		return nil, err
	}
	b, err := batchOf(p, starts)
	if err != nil {
		return nil, err
	}
	j := &judge{base: base{p: p, dim: b.Dim, n: len(starts)}, s: s, global: m.Global()}
	if pd, ok := p.(ProblemWithDomain); ok {
		j.lo, j.hi = pd.Domain()
		if len(j.lo) != b.Dim || len(j.hi) != b.Dim {
			return nil, fmt.Errorf("%w: a domain of %d and %d ends for %d parameters", ErrInvalid, len(j.lo), len(j.hi), b.Dim)
		}
	}
	j.runs = make([]*run, len(starts))
	for i, x := range starts {
		j.runs[i] = &run{res: Result{Start: append([]float64(nil), x...), Stats: Stats{ConvergedAt: -1}}}
	}
	if err := j.finishRun(ctx, m.Run(ctx, b, j)); err != nil {
		return nil, err
	}
	out := make([]Result, len(j.runs))
	for i, r := range j.runs {
		j.finish(r)
		out[i] = r.res
	}
	return out, nil
}

// Endpoints runs m from every start over p for s.MaxSteps steps, judging
// nothing: no run is stopped early, whatever it does. It returns each run's
// last iterate, or its best point for a method that reports one apart (NaN
// coordinates for a run that failed). Only MaxSteps and
// Progress of s apply.
func Endpoints(ctx context.Context, p Problem, starts [][]float64, m Method, s Settings) ([][]float64, error) {
	s, err := s.resolved()
	if err != nil {
		return nil, err
	}
	b, err := batchOf(p, starts)
	if err != nil {
		return nil, err
	}
	e := &ends{base: base{p: p, dim: b.Dim, n: len(starts)}, s: s}
	if err := e.finishRun(ctx, m.Run(ctx, b, e)); err != nil {
		return nil, err
	}
	out := make([][]float64, len(starts))
	for i := range out {
		out[i] = append([]float64(nil), e.last[i*b.Dim:(i+1)*b.Dim]...)
	}
	return out, nil
}

// batchOf checks the starts and lays them out for a Method.
func batchOf(p Problem, starts [][]float64) (Batch, error) {
	dim := p.Dim()
	if dim < 1 {
		return Batch{}, fmt.Errorf("%w: the problem has dimension %d", ErrInvalid, dim)
	}
	if len(starts) == 0 {
		return Batch{}, fmt.Errorf("%w: no starts", ErrInvalid)
	}
	b := Batch{Dim: dim, Starts: make([]float64, 0, len(starts)*dim)}
	for i, x := range starts {
		if len(x) != dim {
			return Batch{}, fmt.Errorf("%w: start %d has %d values; the problem has %d parameters", ErrInvalid, i+1, len(x), dim)
		}
		b.Starts = append(b.Starts, x...)
	}
	return b, nil
}

// base is what both drivers share: evaluation, checks and the first error.
type base struct {
	p      Problem
	dim, n int
	step   int
	err    error
}

// fail keeps the first error, which the run returns.
func (b *base) fail(err error) error {
	if b.err == nil {
		b.err = err
	}
	return err
}

// finishRun settles what a Method's Run returned: the driver's own error
// first (the Method may have dropped or wrapped it), then the Method's,
// then a context that ended, then a Method that never stepped.
func (b *base) finishRun(ctx context.Context, err error) error {
	switch {
	case b.err != nil:
		return b.err
	case err != nil:
		return err
	case ctx.Err() != nil:
		return canceled(ctx)
	case b.step == 0:
		return fmt.Errorf("%w: the method ended before reporting its starts", ErrBadRequest)
	}
	return nil
}

func canceled(ctx context.Context) error {
	return fmt.Errorf("optimize: stopped: %w", ctx.Err())
}

// Evaluate implements Driver.
func (b *base) Evaluate(ctx context.Context, points []float64, grad bool) ([]float64, []float64, error) {
	if b.err != nil {
		return nil, nil, b.err
	}
	if ctx.Err() != nil {
		return nil, nil, b.fail(canceled(ctx))
	}
	if len(points)%b.dim != 0 {
		return nil, nil, b.fail(fmt.Errorf("%w: %d values do not make points of dimension %d", ErrBadRequest, len(points), b.dim))
	}
	return b.eval(ctx, points, grad)
}

// eval asks the problem and checks its answer.
func (b *base) eval(ctx context.Context, points []float64, grad bool) ([]float64, []float64, error) {
	n := len(points) / b.dim
	if n == 0 {
		return nil, nil, nil
	}
	l, g, err := b.p.Evaluate(ctx, points, grad)
	if err != nil {
		return nil, nil, b.fail(err)
	}
	if len(l) != n || grad && len(g) != n*b.dim {
		return nil, nil, b.fail(fmt.Errorf("%w: %d losses and %d gradient values for %d points of dimension %d", ErrBadAnswer, len(l), len(g), n, b.dim))
	}
	return l, g, nil
}

// check refuses a step whose parts do not fit the batch.
func (b *base) check(ctx context.Context, it Iterates, req Request, ans Answer) bool {
	if b.err != nil {
		return false
	}
	if ctx.Err() != nil {
		b.fail(canceled(ctx))
		return false
	}
	if len(it.X) != b.n*b.dim || len(it.LR) != b.n || len(it.Done) != b.n {
		b.fail(fmt.Errorf("%w: iterates of %d values, %d learning rates and %d done flags for %d runs of dimension %d", ErrBadRequest, len(it.X), len(it.LR), len(it.Done), b.n, b.dim))
		return false
	}
	if it.Best != nil && len(it.Best) != b.n*b.dim || (it.Temperature == nil) != (it.Accept == nil) ||
		it.Temperature != nil && len(it.Temperature) != b.n || it.Accept != nil && len(it.Accept) != b.n {
		b.fail(fmt.Errorf("%w: %d best values, %d temperatures and %d acceptances for %d runs of dimension %d", ErrBadRequest, len(it.Best), len(it.Temperature), len(it.Accept), b.n, b.dim))
		return false
	}
	for _, a := range it.Accept {
		if a != AcceptNone && a != Accepted && a != Rejected {
			b.fail(fmt.Errorf("%w: acceptance %d", ErrBadRequest, a))
			return false
		}
	}
	if len(req.Counts) != b.n {
		b.fail(fmt.Errorf("%w: %d counts for %d runs", ErrBadRequest, len(req.Counts), b.n))
		return false
	}
	total := 0
	for i, k := range req.Counts {
		if k < 0 {
			b.fail(fmt.Errorf("%w: run %d asked for %d points", ErrBadRequest, i+1, k))
			return false
		}
		total += k
	}
	if len(req.Points) != total*b.dim {
		b.fail(fmt.Errorf("%w: %d point values for %d points of dimension %d", ErrBadRequest, len(req.Points), total, b.dim))
		return false
	}
	if total > 0 && (len(ans.Losses) != total || req.Gradient && len(ans.Grads) != total*b.dim) {
		b.fail(fmt.Errorf("%w: an answer of %d losses and %d gradient values for %d points", ErrBadRequest, len(ans.Losses), len(ans.Grads), total))
		return false
	}
	return true
}

// judge is Minimize's driver: it records and judges every run.
type judge struct {
	base
	s      Settings
	global bool
	lo, hi []float64
	runs   []*run
}

type run struct {
	res     Result
	stopped bool
	// A run whose method reports a best point: the latest one, its loss
	// and gradient norm (walk is false for the others).
	walk               bool
	best               []float64
	bestLoss, bestGrad float64
	tests, accepted    int
}

// Step implements Driver. A run that asked for exactly its iterate, with
// gradients, is recorded from the answer; the other runs' iterates (and
// best points that are neither the iterate nor the last best point) are
// evaluated in one batch of their own.
func (j *judge) Step(ctx context.Context, it Iterates, req Request, ans Answer) bool {
	if !j.check(ctx, it, req, ans) {
		return false
	}
	dim := j.dim
	type pending struct{ run, off int }
	var need, needBest []pending
	var extra []float64
	off := 0
	for i, r := range j.runs {
		k := req.Counts[i]
		x := it.X[i*dim : (i+1)*dim]
		if !r.stopped {
			if k == 1 && req.Gradient && equal(req.Points[off*dim:(off+1)*dim], x) {
				r.add(j.step, x, ans.Losses[off], ans.Grads[off*dim:(off+1)*dim], it.LR[i])
			} else {
				need = append(need, pending{i, len(extra) / dim})
				extra = append(extra, x...)
			}
			if it.Best != nil {
				if b := it.Best[i*dim : (i+1)*dim]; !equal(b, x) && (r.best == nil || !equal(b, r.best)) {
					needBest = append(needBest, pending{i, len(extra) / dim})
					extra = append(extra, b...)
				}
			}
		}
		off += k
	}
	var l, g []float64
	if len(extra) > 0 {
		var err error
		if l, g, err = j.eval(ctx, extra, true); err != nil {
			return false
		}
		for _, p := range need {
			j.runs[p.run].add(j.step, it.X[p.run*dim:(p.run+1)*dim], l[p.off], g[p.off*dim:(p.off+1)*dim], it.LR[p.run])
		}
	}
	if it.Best != nil {
		for _, p := range needBest {
			r := j.runs[p.run]
			r.best = append(r.best[:0], it.Best[p.run*dim:(p.run+1)*dim]...)
			r.bestLoss, r.bestGrad = l[p.off], norm(g[p.off*dim:(p.off+1)*dim])
		}
		for i, r := range j.runs {
			if !r.stopped {
				r.walkRecord(it.Best[i*dim : (i+1)*dim])
			}
		}
	}
	if it.Accept != nil {
		for i, r := range j.runs {
			if !r.stopped {
				r.acceptRecord(it.Accept[i], it.Temperature[i])
			}
		}
	}
	active := 0
	for i, r := range j.runs {
		if r.stopped {
			continue
		}
		r.res.Evaluations += req.Counts[i]
		j.judge(r, it.Done[i], req.Counts[i] == 0)
		if !r.stopped {
			active++
		}
	}
	if j.s.Progress != nil {
		j.s.Progress(j.step, j.s.MaxSteps)
	}
	j.step++
	return active > 0 && j.step <= j.s.MaxSteps
}

func (r *run) add(step int, x []float64, loss float64, grad []float64, lr float64) {
	r.res.Records = append(r.res.Records, Record{Step: step, X: append([]float64(nil), x...), Loss: loss, GradNorm: norm(grad), ParamNorm: norm(x), LR: lr,
		BestLoss: math.NaN(), Temperature: math.NaN(), AcceptRate: math.NaN()})
}

// walkRecord adds the best point b to the run's latest record: its loss is
// the record's when b is the iterate, else the last best point's (Step
// evaluated a new one before).
func (r *run) walkRecord(b []float64) {
	if !r.walk {
		// The records before the method reported (the start) are their
		// own best points.
		for k := range r.res.Records {
			if rec := &r.res.Records[k]; rec.Best == nil {
				rec.Best, rec.BestLoss = append([]float64(nil), rec.X...), rec.Loss
			}
		}
		r.walk = true
	}
	rec := &r.res.Records[len(r.res.Records)-1]
	if equal(b, rec.X) {
		r.best = append(r.best[:0], b...)
		r.bestLoss, r.bestGrad = rec.Loss, rec.GradNorm
	}
	rec.Best, rec.BestLoss = append([]float64(nil), r.best...), r.bestLoss
}

// acceptRecord adds the step's acceptance test to the run's latest record.
func (r *run) acceptRecord(a Acceptance, temp float64) {
	rec := &r.res.Records[len(r.res.Records)-1]
	if a != AcceptNone {
		r.tests++
		if a == Accepted {
			r.accepted++
		}
		rec.Temperature = temp
	}
	rec.Accept = a
	if r.tests > 0 {
		rec.AcceptRate = float64(r.accepted) / float64(r.tests)
	}
}

// judge settles a run after its latest record: divergence, a run the
// method failed (a NaN iterate and no request) or finished, convergence.
func (j *judge) judge(r *run, done, failed bool) {
	rec := r.res.Records[len(r.res.Records)-1]
	for k, x := range rec.X {
		out := math.IsNaN(x) || math.IsInf(x, 0)
		if j.lo != nil {
			w := j.hi[k] - j.lo[k]
			out = out || x < j.lo[k]-j.s.Divergence*w || x > j.hi[k]+j.s.Divergence*w
		}
		if !out {
			continue
		}
		switch {
		case math.IsNaN(x) && failed:
			r.res.Status, r.res.Reason = Failed, "the optimizer returned no valid point"
		case j.lo != nil:
			r.res.Status, r.res.Reason = Diverged, fmt.Sprintf("parameter %d reached %g, far outside the domain [%g, %g]", k, x, j.lo[k], j.hi[k])
		default:
			r.res.Status, r.res.Reason = Diverged, fmt.Sprintf("parameter %d reached %g", k, x)
		}
		r.stopped = true
		return
	}
	if math.IsNaN(rec.Loss) || math.IsInf(rec.Loss, 0) {
		r.res.Status, r.res.Reason, r.stopped = Diverged, fmt.Sprintf("the loss became %g", rec.Loss), true
		return
	}
	if !j.global && !r.walk && r.res.ConvergedAt < 0 && j.s.Converger.Converged(r.res.Records) {
		r.res.ConvergedAt = rec.Step
		if !j.s.KeepGoing {
			r.stopped = true
		}
	}
	if done {
		r.stopped = true
	}
}

// finish settles the status of a run that did not diverge or fail, and
// fills in its Location and Steps.
func (j *judge) finish(r *run) {
	res := &r.res
	if n := len(res.Records); n > 0 {
		f := res.Records[n-1]
		res.Location = Location{X: f.X, Loss: f.Loss, GradNorm: f.GradNorm}
		res.Steps = f.Step
		if r.walk && f.Best != nil {
			res.Location = Location{X: f.Best, Loss: f.BestLoss, GradNorm: r.bestGrad}
		}
	}
	if res.Status == Diverged || res.Status == Failed {
		return
	}
	recs := res.Records
	if r.walk {
		recs = bestRecords(res.Records)
	}
	if j.global || r.walk {
		// A global method's best loss is flat between improvements: it has
		// converged only if it is flat at the end, since its last one.
		res.ConvergedAt = -1
		if j.s.Converger.Converged(recs) {
			res.ConvergedAt = j.s.Converger.Settled(recs)
		}
	}
	switch {
	case res.ConvergedAt >= 0:
		res.Status = Converged
	case j.s.Plateau.Stalled(recs):
		res.Status = Plateau
	default:
		res.ConvergedAt = -1
		res.Status = MaxSteps
	}
}

// bestRecords are a walking run's records seen by their best points: X
// the best point, Loss its loss, GradNorm the gradient norm there when
// the best point was recorded as an iterate (NaN otherwise).
func bestRecords(recs []Record) []Record {
	out := make([]Record, len(recs))
	var prev []float64
	grad := math.NaN()
	for i, r := range recs {
		if prev == nil || !equal(r.Best, prev) {
			grad = math.NaN()
			if equal(r.Best, r.X) {
				grad = r.GradNorm
			}
			prev = r.Best
		}
		out[i] = Record{Step: r.Step, X: r.Best, Loss: r.BestLoss, GradNorm: grad, ParamNorm: norm(r.Best), LR: r.LR}
	}
	return out
}

// ends is Endpoints' driver: it keeps the latest iterates.
type ends struct {
	base
	s    Settings
	last []float64
}

// Step implements Driver.
func (e *ends) Step(ctx context.Context, it Iterates, req Request, ans Answer) bool {
	if !e.check(ctx, it, req, ans) {
		return false
	}
	e.last = append(e.last[:0], it.X...)
	if it.Best != nil {
		e.last = append(e.last[:0], it.Best...)
	}
	if e.s.Progress != nil {
		e.s.Progress(e.step, e.s.MaxSteps)
	}
	e.step++
	return e.step <= e.s.MaxSteps
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
