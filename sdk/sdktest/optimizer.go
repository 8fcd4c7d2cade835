package sdktest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// WithSteps sets how many steps (Tells) CheckOptimizer drives each run
// (default 20).
func WithSteps(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.steps = n
		}
	}
}

// WithParams adds hyperparameter settings that CheckOptimizer's
// determinism, batch, malformed and start checks run with, besides the
// defaults (each is resolved against the declarations first): the
// settings that take other paths through the code, such as gradient noise
// or a schedule.
func WithParams(ps ...sdk.Params) Option {
	return func(c *config) { c.params = append(c.params, ps...) }
}

// WithRefused declares settings that Start refuses although each value is
// within its bounds: constraints that bounds cannot say (beta1 < 1,
// nesterov needing momentum). CheckOptimizer's hyperparameters check
// checks that Start refuses each (over the defaults) with an error wrapping
// sdk.ErrBadParams, and excuses a bound or an option from being accepted
// when the settings it tries contain one of them.
func WithRefused(ps ...sdk.Params) Option {
	return func(c *config) { c.refused = append(c.refused, ps...) }
}

type optCheck struct {
	name string
	fn   func(r reporter, o sdk.Optimizer, c *config)
}

// optChecks lists the optimizer checks in the order they run.
var optChecks = []optCheck{
	{"info", checkOptInfo},
	{"hyperparameters", checkOptHyperparameters},
	{"determinism", checkDeterminism},
	{"batch", checkBatch},
	{"malformed", checkMalformed},
	{"start", checkStart},
}

// OptimizerCheckNames lists the checks CheckOptimizer runs, in order.
func OptimizerCheckNames() []string {
	out := make([]string, len(optChecks))
	for i, c := range optChecks {
		out[i] = c.name
	}
	return out
}

// CheckOptimizer runs every conformance check on o as subtests of t. The
// checks, each a subtest named as below:
//
//   - info: Info validates; the name, the one-line summary and the
//     hyperparameter docs are well formed; no hyperparameter is a text
//     unless the optimizer is an sdk.OptimizerWithTexts (Start takes
//     numbers only); Info is deterministic and hands out copies (changing
//     what it returned changes nothing).
//   - hyperparameters: Start refuses, with an error wrapping
//     sdk.ErrBadParams, values outside the bounds, NaN, ±Inf, unknown
//     names, fractions for integer hyperparameters and choices, flags
//     other than 0 and 1, and choice indices out of range; it accepts the
//     default, both bounds, both flag values and every option (a run so
//     started takes a step without panicking), save the settings declared
//     with WithRefused, which it must refuse; odd values of unbounded
//     numbers give an error or a run that steps, never a panic; for an
//     sdk.OptimizerWithTexts, StartTexts accepts each default text, and an
//     odd or empty text gives an error wrapping sdk.ErrBadParams or a run
//     that steps.
//   - determinism: on each of the harness's problems (quadratics, a 1-D
//     double well and Rosenbrock's valley), two runs from the same start,
//     settings and seed give bit-identical iterates, learning rates and
//     Done for WithSteps steps; when Info().Stochastic is false, another
//     seed gives the same run (Step.Best, Accept and Temperature
//     included). Runs keep to the protocol: Ask returns at least one point
//     of the start's dimension, Step.X has that dimension (and Step.Best,
//     once reported, at every step), Accept is one of the three values,
//     and gradients are asked for only when Info().Gradient says so.
//   - batch: a batch of runs driven through the SDK's own batching (the
//     optimizer served in this process by sdk.ServeTest, driven by
//     sdk/client's OptimizerClient.Optimize) gives every run the iterates
//     it has when driven alone: runs share no state. In a second batch
//     some runs are made to fail (a panic in Ask, a panic in Tell, a
//     malformed answer handed to the run itself), and the others still
//     match their lone runs.
//   - malformed: Tell with the wrong number of losses or gradients, or a
//     gradient of the wrong length, does not panic and returns NaN
//     coordinates (a run that cannot go on), at the first Tell and later;
//     NaN and ±Inf losses and gradients do not make a run panic; over the
//     wire, an answer of the wrong size is refused with an error and the
//     plugin goes on serving.
//   - start: Start does not keep x0: changing x0 after Start (and after
//     every step) does not change the run, and neither Ask's points nor
//     Step.X is x0's memory.
//
// The runs' seeds and the batches' perturbed starts derive from WithSeed,
// so a failure repeats; failures name the optimizer, the settings, the
// problem, the start and the values involved.
func CheckOptimizer(t *testing.T, o sdk.Optimizer, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	for _, c := range optChecks {
		if cfg.skip[c.name] {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			runOpt(t, c, o, &cfg)
		})
	}
}

// runOpt runs one optimizer check, turns a panic into a failure and
// passes at most 12 failures on.
func runOpt(r reporter, c optCheck, o sdk.Optimizer, cfg *config) {
	r.Helper()
	l := limit(r, 12)
	defer l.done(c.name)
	defer func() {
		if p := recover(); p != nil {
			l.Errorf("%s: %s check: panic: %v", optimizerName(o), c.name, p)
		}
	}()
	c.fn(l, o, cfg)
}

func optimizerName(o sdk.Optimizer) (name string) {
	defer func() {
		if recover() != nil {
			name = fmt.Sprintf("%T", o)
		}
	}()
	if n := o.Info().Name; n != "" {
		return n
	}
	return fmt.Sprintf("%T", o)
}

// ---- the harness's problems ----

// problem is a test function the checks drive runs on.
type problem struct {
	name  string
	start []float64
	loss  func(x []float64) float64
	grad  func(g, x []float64)
}

// rotatedA is the Hessian of the rotated quadratic (symmetric, positive
// definite), rotatedM its minimum.
var (
	rotatedA = [3][3]float64{{3, 1, 0}, {1, 2, 0.5}, {0, 0.5, 1}}
	rotatedM = [3]float64{0.5, -1, 2}
)

var problems = []problem{
	{
		name:  "quadratic ½(x−1)² + 5(y+½)²",
		start: []float64{-1.5, 1},
		loss: func(x []float64) float64 {
			return 0.5*(x[0]-1)*(x[0]-1) + 5*(x[1]+0.5)*(x[1]+0.5)
		},
		grad: func(g, x []float64) { g[0], g[1] = x[0]-1, 10*(x[1]+0.5) },
	},
	{
		name:  "rotated quadratic in 3-D",
		start: []float64{1, 2, -1},
		loss: func(x []float64) float64 {
			var s float64
			for i := range 3 {
				for j := range 3 {
					s += (x[i] - rotatedM[i]) * rotatedA[i][j] * (x[j] - rotatedM[j])
				}
			}
			return s / 2
		},
		grad: func(g, x []float64) {
			for i := range 3 {
				g[i] = 0
				for j := range 3 {
					g[i] += rotatedA[i][j] * (x[j] - rotatedM[j])
				}
			}
		},
	},
	{
		name:  "double well (x²−1)² + 0.3x in 1-D",
		start: []float64{0.2},
		loss:  func(x []float64) float64 { return (x[0]*x[0]-1)*(x[0]*x[0]-1) + 0.3*x[0] },
		grad:  func(g, x []float64) { g[0] = 4*x[0]*(x[0]*x[0]-1) + 0.3 },
	},
	{
		name:  "Rosenbrock (1−x)² + 100(y−x²)²",
		start: []float64{-1.2, 1},
		loss: func(x []float64) float64 {
			return (1-x[0])*(1-x[0]) + 100*(x[1]-x[0]*x[0])*(x[1]-x[0]*x[0])
		},
		grad: func(g, x []float64) {
			g[0] = -2*(1-x[0]) - 400*x[0]*(x[1]-x[0]*x[0])
			g[1] = 200 * (x[1] - x[0]*x[0])
		},
	},
}

// answer evaluates pts as a run asked: losses, and gradients when need
// says so.
func (pb problem) answer(pts [][]float64, need sdk.Need) (losses []float64, grads [][]float64) {
	losses = make([]float64, len(pts))
	if need == sdk.NeedGradient {
		grads = make([][]float64, len(pts))
	}
	for i, p := range pts {
		losses[i] = pb.loss(p)
		if grads != nil {
			grads[i] = make([]float64, len(p))
			pb.grad(grads[i], p)
		}
	}
	return losses, grads
}

// ---- settings ----

// setting is a set of hyperparameters the checks run with: given as the
// test gave it, full as Start receives it.
type setting struct {
	label string
	full  sdk.Params
}

// optSettings are the defaults and WithParams's sets, resolved. Sets that do
// not resolve are reported and left out.
func optSettings(r reporter, o sdk.Optimizer, c *config) []setting {
	r.Helper()
	info := o.Info()
	name := optimizerName(o)
	var out []setting
	for _, p := range append([]sdk.Params{nil}, c.params...) {
		label := name
		if len(p) > 0 {
			label += " " + formatParams(p)
		}
		full, err := sdk.Resolve(info.Hyperparameters, p)
		if err != nil {
			r.Errorf("%s: the settings do not resolve: %v", label, err)
			continue
		}
		out = append(out, setting{label: label, full: full})
	}
	return out
}

// formatParams writes p in sorted order: {a=1, b=2}.
func formatParams(p sdk.Params) string {
	parts := make([]string, 0, len(p))
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, p[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// ---- driving runs ----

// trace is what a driver records of a run: Step.X after each Tell, the
// learning rates, and the Tell that reported Done (1-based; 0: none).
type trace struct {
	x    [][]float64
	lr   []float64
	done int
	// What runs report beyond X, per step: Best (X where none), the
	// acceptance and its temperature (NaN with AcceptNone), as a host
	// sees them.
	best   [][]float64
	accept []sdk.Acceptance
	temp   []float64
}

// hooks let a check watch a run being driven: asked sees Ask's points
// before Tell k, told sees Step k.
type hooks struct {
	asked func(k int, pts [][]float64)
	told  func(k int, st sdk.Step)
}

// drive plays the host for at most steps Tells of r on pb: Ask, evaluate,
// Tell, record a copy of Step.X. Its error describes a panic or a breach
// of the protocol (gradient says whether the optimizer declares that it
// asks for gradients).
func drive(r sdk.Run, pb problem, steps int, gradient bool, h hooks) (trace, error) {
	dim := len(pb.start)
	var tr trace
	reported := false // a step has reported Best
	for k := 1; k <= steps; k++ {
		var pts [][]float64
		var need sdk.Need
		if pan := try(func() { pts, need = r.Ask() }); pan != nil {
			return tr, fmt.Errorf("Ask before step %d panicked: %v", k, pan)
		}
		if err := checkAsk(pts, need, dim, gradient); err != nil {
			return tr, fmt.Errorf("before step %d: %w", k, err)
		}
		if h.asked != nil {
			h.asked(k, pts)
		}
		losses, grads := pb.answer(pts, need)
		var st sdk.Step
		if pan := try(func() { st = r.Tell(losses, grads) }); pan != nil {
			return tr, fmt.Errorf("Tell of step %d panicked: %v", k, pan)
		}
		if len(st.X) != dim {
			return tr, fmt.Errorf("step %d: Step.X has %d coordinates, want %d", k, len(st.X), dim)
		}
		switch {
		case st.Best != nil && len(st.Best) != dim:
			return tr, fmt.Errorf("step %d: Step.Best has %d coordinates, want %d", k, len(st.Best), dim)
		case st.Best == nil && reported:
			return tr, fmt.Errorf("step %d: Step.Best is nil after step %d reported one; report it at every step", k, k-1)
		case st.Accept != sdk.AcceptNone && st.Accept != sdk.Accepted && st.Accept != sdk.Rejected:
			return tr, fmt.Errorf("step %d: Step.Accept is %d, not AcceptNone, Accepted or Rejected", k, st.Accept)
		}
		if h.told != nil {
			h.told(k, st)
		}
		tr.x = append(tr.x, slices.Clone(st.X))
		tr.lr = append(tr.lr, st.LR)
		reported = reported || st.Best != nil
		best, temp := st.Best, st.Temperature
		if best == nil {
			best = st.X
		}
		if st.Accept == sdk.AcceptNone {
			temp = math.NaN()
		}
		tr.best = append(tr.best, slices.Clone(best))
		tr.accept = append(tr.accept, st.Accept)
		tr.temp = append(tr.temp, temp)
		if st.Done {
			tr.done = k
			break
		}
	}
	return tr, nil
}

// checkAsk checks what Ask returned.
func checkAsk(pts [][]float64, need sdk.Need, dim int, gradient bool) error {
	if len(pts) == 0 {
		return errors.New("Ask returned no points; a run asks for at least one (or reports Done)")
	}
	for i, p := range pts {
		if len(p) != dim {
			return fmt.Errorf("Ask's point %d has %d coordinates, want %d", i, len(p), dim)
		}
	}
	switch need {
	case sdk.NeedLoss:
	case sdk.NeedGradient:
		if !gradient {
			return errors.New("Ask asked for gradients, but Info().Gradient is false")
		}
	default:
		return fmt.Errorf("Ask returned Need %d, neither NeedLoss nor NeedGradient", need)
	}
	return nil
}

// runOnce starts a run of o and drives it.
func runOnce(o sdk.Optimizer, p sdk.Params, pb problem, x0 []float64, seed uint64, steps int, h hooks) (trace, error) {
	var r sdk.Run
	var err error
	if pan := try(func() { r, err = o.Start(p, slices.Clone(x0), seed) }); pan != nil {
		return trace{}, fmt.Errorf("Start panicked: %v", pan)
	}
	if err != nil {
		return trace{}, fmt.Errorf("Start: %w", err)
	}
	if r == nil {
		return trace{}, errors.New("Start returned a nil run and no error")
	}
	return drive(r, pb, steps, o.Info().Gradient, h)
}

// diffTraces describes the first difference between two traces (bit for
// bit, NaN equal to NaN), or returns "".
func diffTraces(a, b trace) string {
	for k := 0; k < min(len(a.x), len(b.x)); k++ {
		if !equalBits(a.x[k], b.x[k]) || len(a.x[k]) != len(b.x[k]) {
			return fmt.Sprintf("step %d: X = %v, then %v", k+1, a.x[k], b.x[k])
		}
		if !sameBits(a.lr[k], b.lr[k]) {
			return fmt.Sprintf("step %d: LR = %v, then %v", k+1, a.lr[k], b.lr[k])
		}
		if k < min(len(a.best), len(b.best)) {
			if len(a.best[k]) != len(b.best[k]) || !equalBits(a.best[k], b.best[k]) {
				return fmt.Sprintf("step %d: Best = %v, then %v", k+1, a.best[k], b.best[k])
			}
			if a.accept[k] != b.accept[k] || !sameBits(a.temp[k], b.temp[k]) {
				return fmt.Sprintf("step %d: Accept %d at temperature %v, then %d at %v", k+1, a.accept[k], a.temp[k], b.accept[k], b.temp[k])
			}
		}
	}
	if a.done != b.done || len(a.x) != len(b.x) {
		return fmt.Sprintf("done at step %d of %d, then at step %d of %d (0: not done)", a.done, len(a.x), b.done, len(b.x))
	}
	return ""
}

// ---- info ----

func checkOptInfo(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	name := optimizerName(o)
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info().Validate(): %v", name, err)
	}
	if !sdk.ValidName(info.Name) {
		r.Errorf("%s: name %q: use lowercase letters, digits and '-', starting with a letter", name, info.Name)
	}
	checkSummary(r, name, info.Summary)
	checkHyperparameterDocs(r, name, info.Hyperparameters)
	if _, ok := o.(sdk.OptimizerWithTexts); !ok {
		for _, h := range info.Hyperparameters {
			if h.Text {
				r.Errorf("%s: hyperparameter %q is a text, which Start never receives (it takes sdk.Params); use a number, a flag or a choice, or implement sdk.OptimizerWithTexts", name, h.Name)
			}
		}
	}
	again := o.Info()
	if !reflect.DeepEqual(info, again) {
		r.Errorf("%s: two calls of Info() differ:\n%+v\n%+v", name, info, again)
		return
	}
	want := cloneOptInfo(again)
	// Info must hand out copies: a host that edits what it got (filling
	// in a value, sorting options) must not change the optimizer.
	if len(info.Hyperparameters) == 0 {
		return
	}
	h := &info.Hyperparameters[0]
	saved := *h
	savedOpts := slices.Clone(h.Options)
	h.Default, h.Doc = h.Default+1, h.Doc+" (changed)"
	if len(h.Options) > 0 {
		h.Options[0] += " (changed)"
	}
	after := cloneOptInfo(o.Info())
	*h = saved
	copy(h.Options, savedOpts)
	if !reflect.DeepEqual(want, after) {
		r.Errorf("%s: changing the Info that Info() returned changed the optimizer's (hyperparameter %q): return copies of Hyperparameters and Options", name, saved.Name)
	}
}

// cloneOptInfo is a deep copy of i.
func cloneOptInfo(i sdk.OptimizerInfo) sdk.OptimizerInfo {
	i.Hyperparameters = slices.Clone(i.Hyperparameters)
	for k := range i.Hyperparameters {
		i.Hyperparameters[k].Options = slices.Clone(i.Hyperparameters[k].Options)
	}
	return i
}

// checkSummary checks a one-line summary.
func checkSummary(r reporter, name, sum string) {
	r.Helper()
	switch {
	case strings.TrimSpace(sum) == "":
		r.Errorf("%s: Summary is empty", name)
	case strings.ContainsAny(sum, "\n\r"):
		r.Errorf("%s: Summary %q is more than one line", name, sum)
	case strings.TrimSpace(sum) != sum:
		r.Errorf("%s: Summary %q has leading or trailing space", name, sum)
	}
}

// checkHyperparameterDocs checks that every hyperparameter has a Doc and
// finite bounds.
func checkHyperparameterDocs(r reporter, name string, hs []sdk.Hyperparameter) {
	r.Helper()
	for _, h := range hs {
		if strings.TrimSpace(h.Doc) == "" {
			r.Errorf("%s: hyperparameter %q has no Doc", name, h.Name)
		}
		if h.Bounded() && (!finite(h.Min) || !finite(h.Max)) {
			r.Errorf("%s: hyperparameter %q has bounds [%v, %v], want finite bounds", name, h.Name, h.Min, h.Max)
		}
	}
}

// ---- hyperparameters ----

// checkOptTexts checks an optimizer's text hyperparameters: StartTexts
// accepts each default, and odd or empty texts give an error wrapping
// sdk.ErrBadParams or a run that steps, never a panic.
func checkOptTexts(r reporter, o sdk.OptimizerWithTexts, info sdk.OptimizerInfo, defaults sdk.Params, pb problem, seed uint64) {
	r.Helper()
	name := optimizerName(o)
	for _, h := range info.Hyperparameters {
		if !h.Text {
			continue
		}
		for _, c := range []struct {
			v, why string
			must   bool
		}{{h.DefaultText, "the default text", true}, {"\x00no such value", "an odd text", false}, {"", "an empty text", false}} {
			t := sdk.Texts{h.Name: c.v}
			var run sdk.Run
			var err error
			pan := try(func() { run, err = o.StartTexts(maps.Clone(defaults), t, slices.Clone(pb.start), seed) })
			switch {
			case pan != nil:
				r.Errorf("%s: StartTexts(%v) (%s) panicked: %v", name, t, c.why, pan)
			case err != nil && (c.must || !errors.Is(err, sdk.ErrBadParams)):
				r.Errorf("%s: StartTexts(%v) (%s): %v (want a run%s)", name, t, c.why, err, map[bool]string{false: ", or an error wrapping sdk.ErrBadParams", true: ""}[c.must])
			case err == nil && run == nil:
				r.Errorf("%s: StartTexts(%v) (%s) returned a nil run and no error", name, t, c.why)
			case err == nil:
				if _, err := drive(run, pb, 1, info.Gradient, hooks{}); err != nil {
					r.Errorf("%s: started with %v (%s), on %s from %v: %v", name, t, c.why, pb.name, pb.start, err)
				}
			}
		}
	}
}

func checkOptHyperparameters(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	name := optimizerName(o)
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, hyperparameters not checked: %v", name, err)
		return
	}
	defaults, err := sdk.Resolve(info.Hyperparameters, nil)
	if err != nil {
		r.Errorf("%s: the defaults do not resolve: %v", name, err)
		return
	}
	pb := problems[0]
	seed := uint64(c.seed)
	with := func(p sdk.Params) sdk.Params {
		out := maps.Clone(defaults)
		maps.Copy(out, p)
		return out
	}
	one := func(k string, v float64) sdk.Params { return with(sdk.Params{k: v}) }
	start := func(p sdk.Params) (run sdk.Run, err error, pan any) {
		pan = try(func() { run, err = o.Start(p, slices.Clone(pb.start), seed) })
		return run, err, pan
	}
	// step takes one step of a run that Start accepted.
	step := func(run sdk.Run, p sdk.Params, why string) {
		r.Helper()
		if run == nil {
			r.Errorf("%s: Start(%v) (%s) returned a nil run and no error", name, p, why)
			return
		}
		if _, err := drive(run, pb, 1, info.Gradient, hooks{}); err != nil {
			r.Errorf("%s: started with %v (%s), on %s from %v: %v", name, p, why, pb.name, pb.start, err)
		}
	}
	refuse := func(p sdk.Params, why string) {
		r.Helper()
		run, err, pan := start(p)
		switch {
		case pan != nil:
			r.Errorf("%s: Start(%v) (%s) panicked: %v", name, p, why, pan)
		case err == nil:
			r.Errorf("%s: Start(%v) (%s) succeeded (a %T); want an error wrapping sdk.ErrBadParams", name, p, why, run)
		case !errors.Is(err, sdk.ErrBadParams):
			r.Errorf("%s: Start(%v) (%s): error %q does not wrap sdk.ErrBadParams", name, p, why, err)
		}
	}
	excused := func(p sdk.Params) bool {
		for _, x := range c.refused {
			if contains(p, x) {
				return true
			}
		}
		return false
	}
	accept := func(p sdk.Params, why string) {
		r.Helper()
		if excused(p) {
			return // the WithRefused check below wants it refused
		}
		run, err, pan := start(p)
		switch {
		case pan != nil:
			r.Errorf("%s: Start(%v) (%s) panicked: %v", name, p, why, pan)
		case err != nil:
			r.Errorf("%s: Start(%v) (%s): %v (a constraint that bounds cannot say? declare it with sdktest.WithRefused)", name, p, why, err)
		default:
			step(run, p, why)
		}
	}
	either := func(p sdk.Params, why string) {
		r.Helper()
		run, err, pan := start(p)
		switch {
		case pan != nil:
			r.Errorf("%s: Start(%v) (%s) panicked: %v; refuse the value with sdk.ErrBadParams or declare bounds", name, p, why, pan)
		case err != nil:
			if !errors.Is(err, sdk.ErrBadParams) {
				r.Errorf("%s: Start(%v) (%s): error %q does not wrap sdk.ErrBadParams", name, p, why, err)
			}
		default:
			step(run, p, why+"; refuse it with sdk.ErrBadParams or declare bounds")
		}
	}

	accept(defaults, "the defaults")
	refuse(with(sdk.Params{unknownName: 1}), "an unknown name")
	if ot, ok := o.(sdk.OptimizerWithTexts); ok {
		checkOptTexts(r, ot, info, defaults, pb, seed)
	}
	for _, h := range info.Hyperparameters {
		if h.Text {
			continue // checkOptTexts, or the info check reports it
		}
		refuse(one(h.Name, math.NaN()), "NaN")
		refuse(one(h.Name, math.Inf(1)), "+Inf")
		refuse(one(h.Name, math.Inf(-1)), "-Inf")
		switch {
		case h.Flag:
			accept(one(h.Name, 0), "false")
			accept(one(h.Name, 1), "true")
			for _, v := range []float64{0.5, 2, -1} {
				refuse(one(h.Name, v), "a flag other than 0 and 1")
			}
		case h.Choice():
			for i, opt := range h.Options {
				accept(one(h.Name, float64(i)), "option "+opt)
			}
			refuse(one(h.Name, float64(len(h.Options))), "an index past the options")
			refuse(one(h.Name, -1), "a negative index")
			refuse(one(h.Name, 0.5), "a fraction for a choice")
		default:
			if h.Bounded() {
				refuse(one(h.Name, below(h.Min, h.Integer)), "just below Min")
				refuse(one(h.Name, above(h.Max, h.Integer)), "just above Max")
				accept(one(h.Name, h.Min), "Min")
				accept(one(h.Name, h.Max), "Max")
			} else {
				for _, v := range []float64{-1e3, -1, 0, 1, 1e3} {
					either(one(h.Name, v), "an unbounded value")
				}
			}
			if h.Integer {
				if frac := fraction(h); !math.IsNaN(frac) {
					refuse(one(h.Name, frac), "a fraction for an integer")
				}
			}
		}
	}
	for _, x := range c.refused {
		refuse(with(x), "declared refused with WithRefused")
	}
	if after := o.Info(); !reflect.DeepEqual(info, after) {
		r.Errorf("%s: starting runs modified Info:\nbefore %+v\nafter  %+v", name, info, after)
	}
}

// contains reports whether p holds every value of x.
func contains(p, x sdk.Params) bool {
	for k, v := range x {
		if w, ok := p[k]; !ok || !sameBits(v, w) {
			return false
		}
	}
	return true
}

// fraction is a value within h's bounds that is not whole, or NaN.
func fraction(h sdk.Hyperparameter) float64 {
	if !h.Bounded() {
		return 1.5
	}
	for _, v := range []float64{1.5, math.Floor(h.Min) + 0.5, math.Ceil(h.Min) + 0.5} {
		if h.Min <= v && v <= h.Max {
			return v
		}
	}
	return math.NaN()
}

// ---- determinism ----

func checkDeterminism(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, determinism not checked: %v", optimizerName(o), err)
		return
	}
	for _, set := range optSettings(r, o, c) {
		for i, pb := range problems {
			seed := uint64(c.seed) + uint64(i)
			where := fmt.Sprintf("%s: on %s from %v", set.label, pb.name, pb.start)
			a, err := runOnce(o, set.full, pb, pb.start, seed, c.steps, hooks{})
			if err != nil {
				r.Errorf("%s, seed %d: %v", where, seed, err)
				continue
			}
			b, err := runOnce(o, set.full, pb, pb.start, seed, c.steps, hooks{})
			if err != nil {
				r.Errorf("%s, seed %d, again: %v", where, seed, err)
				continue
			}
			if d := diffTraces(a, b); d != "" {
				r.Errorf("%s: two runs with seed %d differ at %s; a run's randomness must come from its seed alone", where, seed, d)
				continue
			}
			if info.Stochastic {
				continue
			}
			other := seed ^ 0x5eed5eed5eed5eed
			b, err = runOnce(o, set.full, pb, pb.start, other, c.steps, hooks{})
			if err != nil {
				r.Errorf("%s, seed %d: %v", where, other, err)
				continue
			}
			if d := diffTraces(a, b); d != "" {
				r.Errorf("%s: Info().Stochastic is false, but seeds %d and %d differ at %s; declare Stochastic or ignore the seed", where, seed, other, d)
			}
		}
	}
}

// ---- malformed answers ----

// badAnswers are answers of the wrong shape to an Ask of n points of
// dimension dim.
func badAnswers(n, dim int, need sdk.Need) []struct {
	what   string
	losses []float64
	grads  [][]float64
} {
	grads := func(k, d int) [][]float64 {
		g := make([][]float64, k)
		for i := range g {
			g[i] = make([]float64, d)
			for j := range g[i] {
				g[i][j] = 0.5
			}
		}
		return g
	}
	var gs [][]float64
	if need == sdk.NeedGradient {
		gs = grads(n, dim)
	}
	type answer = struct {
		what   string
		losses []float64
		grads  [][]float64
	}
	out := []answer{
		{"no losses", nil, gs},
		{"a loss too many", make([]float64, n+1), gs},
	}
	if n > 1 {
		out = append(out, answer{"a loss too few", make([]float64, n-1), gs})
	}
	if need == sdk.NeedGradient {
		short, long := grads(n, dim), grads(n, dim)
		short[0] = short[0][:dim-1]
		long[n-1] = append(long[n-1], 0.5)
		out = append(out,
			answer{"no gradients", make([]float64, n), nil},
			answer{"a gradient too many", make([]float64, n), grads(n+1, dim)},
			answer{"a short gradient", make([]float64, n), short},
			answer{"a long gradient", make([]float64, n), long},
		)
		if n > 1 {
			out = append(out, answer{"a gradient too few", make([]float64, n), grads(n-1, dim)})
		}
	}
	return out
}

func checkMalformed(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	name := optimizerName(o)
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, malformed answers not checked: %v", name, err)
		return
	}
	sets := optSettings(r, o, c)
	seed := uint64(c.seed)
	for _, set := range sets {
		for _, pb := range problems {
			dim := len(pb.start)
			where := fmt.Sprintf("%s: on %s from %v", set.label, pb.name, pb.start)
			// Malformed answers at the first Tell and at the third.
			for _, at := range []int{1, 3} {
				// fresh starts a run and takes at-1 good steps; it
				// returns the run and its next Ask.
				fresh := func() (sdk.Run, [][]float64, sdk.Need, bool) {
					run, err := o.Start(set.full, slices.Clone(pb.start), seed)
					if err != nil || run == nil {
						r.Errorf("%s: Start: %v", where, err)
						return nil, nil, 0, false
					}
					tr, err := drive(run, pb, at-1, info.Gradient, hooks{})
					if err != nil {
						r.Errorf("%s: %v", where, err)
						return nil, nil, 0, false
					}
					if tr.done != 0 {
						return nil, nil, 0, false
					}
					var pts [][]float64
					var need sdk.Need
					if pan := try(func() { pts, need = run.Ask() }); pan != nil {
						r.Errorf("%s: Ask before step %d panicked: %v", where, at, pan)
						return nil, nil, 0, false
					}
					if err := checkAsk(pts, need, dim, info.Gradient); err != nil {
						r.Errorf("%s: before step %d: %v", where, at, err)
						return nil, nil, 0, false
					}
					return run, pts, need, true
				}
				_, pts, need, ok := fresh()
				if !ok {
					continue
				}
				for _, a := range badAnswers(len(pts), dim, need) {
					run, pts, _, ok := fresh()
					if !ok {
						break
					}
					var st sdk.Step
					if pan := try(func() { st = run.Tell(a.losses, a.grads) }); pan != nil {
						r.Errorf("%s: step %d told %s (%d losses, %d gradients for %d points) panicked: %v; answer a malformed Tell with NaN coordinates", where, at, a.what, len(a.losses), len(a.grads), len(pts), pan)
						continue
					}
					if len(st.X) != dim || !allNaN(st.X) {
						r.Errorf("%s: step %d told %s (%d losses, %d gradients for %d points) returned X = %v; a run that cannot go on returns NaN coordinates", where, at, a.what, len(a.losses), len(a.grads), len(pts), st.X)
					}
					// The host may go on asking; that must not panic either.
					if pan := try(func() {
						pts, need := run.Ask()
						run.Tell(pb.answer(pts, need))
					}); pan != nil {
						r.Errorf("%s: after step %d told %s, the next Ask and Tell panicked: %v", where, at, a.what, pan)
					}
				}
			}
			checkNonFinite(r, o, set, pb, seed, where)
		}
	}
	checkMalformedWire(r, o, info, name)
}

// checkNonFinite drives a run that is told NaN, then finite, then ±Inf
// losses and gradients: it must not panic or break the protocol.
func checkNonFinite(r reporter, o sdk.Optimizer, set setting, pb problem, seed uint64, where string) {
	r.Helper()
	info := o.Info()
	run, err := o.Start(set.full, slices.Clone(pb.start), seed)
	if err != nil || run == nil {
		r.Errorf("%s: Start: %v", where, err)
		return
	}
	dim := len(pb.start)
	values := []float64{math.NaN(), math.NaN(), 0, 0, math.Inf(1), math.Inf(-1), math.NaN(), 0}
	for k, v := range values {
		var pts [][]float64
		var need sdk.Need
		if pan := try(func() { pts, need = run.Ask() }); pan != nil {
			r.Errorf("%s: Ask before step %d, after answers %v, panicked: %v", where, k+1, values[:k], pan)
			return
		}
		if err := checkAsk(pts, need, dim, info.Gradient); err != nil {
			r.Errorf("%s: after answers %v: %v", where, values[:k], err)
			return
		}
		losses, grads := pb.answer(pts, need)
		if v != 0 {
			for i := range losses {
				losses[i] = v
			}
			for _, g := range grads {
				for j := range g {
					g[j] = v
				}
			}
		}
		var st sdk.Step
		if pan := try(func() { st = run.Tell(losses, grads) }); pan != nil {
			what := "finite losses"
			if v != 0 {
				what = fmt.Sprintf("losses and gradients of %v", v)
			}
			r.Errorf("%s: Tell of step %d (%s, after answers %v) panicked: %v", where, k+1, what, values[:k], pan)
			return
		}
		if len(st.X) != dim {
			r.Errorf("%s: step %d: Step.X has %d coordinates, want %d", where, k+1, len(st.X), dim)
			return
		}
		if st.Done {
			return
		}
	}
}

// ---- start ----

func checkStart(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, starts not checked: %v", optimizerName(o), err)
		return
	}
	seed := uint64(c.seed)
	for _, set := range optSettings(r, o, c) {
		for _, pb := range problems {
			where := fmt.Sprintf("%s: on %s from %v", set.label, pb.name, pb.start)
			want, err := runOnce(o, set.full, pb, pb.start, seed, c.steps, hooks{})
			if err != nil {
				r.Errorf("%s: %v", where, err)
				continue
			}
			x0 := slices.Clone(pb.start)
			run, err := o.Start(set.full, x0, seed)
			if err != nil || run == nil {
				r.Errorf("%s: Start: %v", where, err)
				continue
			}
			scribble := func(k int) {
				for i := range x0 {
					x0[i] = 1e3 * float64(k+i+1)
				}
			}
			scribble(0)
			var aliased []string
			got, err := drive(run, pb, c.steps, info.Gradient, hooks{
				asked: func(k int, pts [][]float64) {
					for i, p := range pts {
						if shares(p, x0) {
							aliased = append(aliased, fmt.Sprintf("Ask's point %d before step %d", i, k))
						}
					}
				},
				told: func(k int, st sdk.Step) {
					if shares(st.X, x0) {
						aliased = append(aliased, fmt.Sprintf("Step.X of step %d", k))
					}
					scribble(k)
				},
			})
			if err != nil {
				r.Errorf("%s: %v", where, err)
				continue
			}
			if len(aliased) > 0 {
				r.Errorf("%s: %s is x0's memory; Start must copy x0", where, strings.Join(aliased[:min(3, len(aliased))], ", "))
			}
			if d := diffTraces(want, got); d != "" {
				r.Errorf("%s: changing x0 after Start changed the run at %s (untouched first); Start must copy x0", where, d)
			}
		}
	}
}

// shares reports whether a and b share an element's memory.
func shares(a, b []float64) bool {
	for i := range a {
		for j := range b {
			if &a[i] == &b[j] {
				return true
			}
		}
	}
	return false
}

func allNaN(x []float64) bool {
	for _, v := range x {
		if !math.IsNaN(v) {
			return false
		}
	}
	return len(x) > 0
}
