package sdktest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// runOptCheck runs one named optimizer check against o and returns its
// failures.
func runOptCheck(t *testing.T, name string, o sdk.Optimizer, opts ...Option) []string {
	t.Helper()
	cfg := newConfig(opts)
	for _, c := range optChecks {
		if c.name == name {
			var r recorder
			runOpt(&r, c, o, &cfg)
			return r.errs
		}
	}
	t.Fatalf("no optimizer check named %q", name)
	return nil
}

// ---- a correct optimizer ----

// heavyBall is gradient descent with heavy-ball (or Nesterov) momentum,
// optional clipping, warm-up and seeded gradient noise. bug, when not "",
// names a mistake it makes on purpose (see TestOptimizerChecksFail).
type heavyBall struct {
	bug    string
	shared *shared // state shared by runs (only the buggy ones use it)
	hps    []sdk.Hyperparameter
}

// shared is what buggy runs share across runs.
type shared struct {
	infoCalls atomic.Int64
	buf       []float64 // a momentum buffer kept by the optimizer
	scale     float64   // an lr scale that failures change
}

func newHeavyBall(bug string) *heavyBall {
	h := &heavyBall{bug: bug, shared: &shared{scale: 1}}
	h.hps = h.declare()
	return h
}

func (h *heavyBall) declare() []sdk.Hyperparameter {
	hps := []sdk.Hyperparameter{
		{Name: "lr", Doc: "learning rate", Default: 0.05, Min: 0, Max: 10},
		{Name: "momentum", Doc: "momentum factor, below 1", Default: 0.5, Min: 0, Max: 1},
		{Name: "warmup", Doc: "steps over which lr rises linearly from lr/warmup", Default: 0, Min: 0, Max: 100, Integer: true},
		{Name: "nesterov", Doc: "Nesterov momentum", Flag: true},
		{Name: "noise", Doc: "standard deviation of Gaussian gradient noise, ≥ 0"},
		{Name: "clip", Doc: "gradient clipping", Options: []string{"none", "value"}},
	}
	switch h.bug {
	case "undocumented":
		hps[0].Doc = ""
	case "text hyperparameter":
		hps = append(hps, sdk.Hyperparameter{Name: "log", Doc: "a log file", Text: true, DefaultText: "run.log"})
	}
	return hps
}

func (h *heavyBall) Info() sdk.OptimizerInfo {
	i := sdk.OptimizerInfo{
		Name:            "heavy-ball",
		Summary:         "gradient descent with momentum (a test optimizer)",
		Hyperparameters: h.declare(),
		Gradient:        true,
		Stochastic:      true,
	}
	switch h.bug {
	case "bad name":
		i.Name = "Heavy Ball"
	case "two-line summary":
		i.Summary = "gradient descent\nwith momentum"
	case "unstable info":
		i.Summary = fmt.Sprintf("gradient descent, call %d", h.shared.infoCalls.Add(1))
	case "shared info":
		i.Hyperparameters = h.hps
	case "seed without stochastic":
		i.Stochastic = false
	case "undeclared gradient":
		i.Gradient = false
	case "info panics":
		var hs []sdk.Hyperparameter
		i.Hyperparameters = hs[:1]
	}
	return i
}

func (h *heavyBall) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	full := p
	if h.bug != "no bounds check" {
		var err error
		if full, err = sdk.Resolve(h.Info().Hyperparameters, p); err != nil {
			return nil, err
		}
	}
	switch {
	case full["momentum"] >= 1 && h.bug == "plain error":
		return nil, fmt.Errorf("momentum %v must be below 1", full["momentum"])
	case full["momentum"] >= 1 && h.bug != "unchecked constraint":
		return nil, fmt.Errorf("%w: momentum=%v must be below 1", sdk.ErrBadParams, full["momentum"])
	case full["noise"] < 0:
		return nil, fmt.Errorf("%w: noise=%v must not be negative", sdk.ErrBadParams, full["noise"])
	case full["lr"] == 10 && h.bug == "refuses its max":
		return nil, fmt.Errorf("%w: lr=10 is too large", sdk.ErrBadParams)
	case full["nesterov"] == 1 && h.bug == "panics on flag":
		var modes []int
		_ = modes[int(full["nesterov"])]
	}
	x := x0
	if h.bug != "keeps x0" {
		x = slices.Clone(x0)
	}
	r := &hbRun{h: h, x: x, x0: x0, buf: make([]float64, len(x0)), pts: [][]float64{x},
		lr: full["lr"], mu: full["momentum"], warmup: int(full["warmup"]), nesterov: full["nesterov"] == 1,
		noise: full["noise"], clip: full["clip"] == 1}
	if h.bug == "shared state" { // one buffer, zeroed for each run
		if len(h.shared.buf) != len(x0) {
			h.shared.buf = make([]float64, len(x0))
		}
		clear(h.shared.buf)
		r.buf = h.shared.buf
	}
	if r.noise > 0 {
		r.rng = rand.New(rand.NewPCG(seed, 1))
		if h.bug == "seed without stochastic" {
			r.rng = rand.New(rand.NewPCG(seed, 2))
		}
	}
	return r, nil
}

type hbRun struct {
	h        *heavyBall
	x, x0    []float64
	buf      []float64
	pts      [][]float64
	t        int
	lr, mu   float64
	warmup   int
	nesterov bool
	noise    float64
	clip     bool
	rng      *rand.Rand
}

func (r *hbRun) Ask() ([][]float64, sdk.Need) {
	if r.h.bug == "wrong dimension" && r.t == 2 {
		return [][]float64{append(slices.Clone(r.x), 0)}, sdk.NeedGradient
	}
	return r.pts, sdk.NeedGradient
}

func (r *hbRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	switch r.h.bug {
	case "unchecked answer":
	case "ignores extra":
		if len(losses) < 1 || len(grads) < 1 || len(grads[0]) < len(r.x) {
			return r.fail()
		}
	default:
		if len(losses) != 1 || len(grads) != 1 || len(grads[0]) != len(r.x) {
			if r.h.bug == "failure poisons" {
				r.h.shared.scale /= 2
			}
			return r.fail()
		}
	}
	if r.h.bug == "panics on NaN" && math.IsNaN(losses[0]) {
		panic("NaN loss") // as code that buckets losses by int(loss) might
	}
	r.t++
	lr := r.lr * r.h.shared.scale
	if r.warmup > 0 && r.t < r.warmup {
		lr *= float64(r.t) / float64(r.warmup)
	}
	for i := range r.x {
		g := grads[0][i]
		switch {
		case r.h.bug == "global randomness" && r.noise > 0:
			g += r.noise * rand.NormFloat64()
		case r.rng != nil:
			g += r.noise * r.rng.NormFloat64()
		}
		if r.h.bug == "anchored to x0" {
			g += 0.01 * (r.x[i] - r.x0[i])
		}
		if r.clip {
			g = math.Max(-1, math.Min(1, g))
		}
		r.buf[i] = r.mu*r.buf[i] + g
		if r.nesterov {
			g += r.mu * r.buf[i]
		} else {
			g = r.buf[i]
		}
		r.x[i] -= lr * g
	}
	st := sdk.Step{X: r.x, LR: lr}
	switch r.h.bug {
	case "best of wrong length":
		st.Best = append(slices.Clone(r.x), 0)
	case "best dropped":
		if r.t == 1 {
			st.Best = r.x
		}
	case "bad acceptance":
		st.Accept = 7
	case "random acceptance":
		st.Accept, st.Temperature = sdk.Accepted, rand.Float64()
	}
	return st
}

func (r *hbRun) fail() sdk.Step {
	for i := range r.x {
		r.x[i] = math.NaN()
	}
	return sdk.Step{X: r.x}
}

// textBall is a heavy-ball with a text hyperparameter (a log file's name)
// that it takes through StartTexts; with the bug "text panics" an odd
// text makes it panic.
type textBall struct{ *heavyBall }

func (t textBall) Info() sdk.OptimizerInfo {
	i := t.heavyBall.Info()
	i.Hyperparameters = append(i.Hyperparameters, sdk.Hyperparameter{Name: "log", Doc: "a log file's name", Text: true, DefaultText: "run.log"})
	return i
}

func (t textBall) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	return t.StartTexts(p, nil, x0, seed)
}

func (t textBall) StartTexts(p sdk.Params, texts sdk.Texts, x0 []float64, seed uint64) (sdk.Run, error) {
	full, tx, err := sdk.ResolveTexts(t.Info().Hyperparameters, p, texts)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(tx["log"], "\x00") {
		if t.bug == "text panics" {
			panic("a NUL in a file name")
		}
		return nil, fmt.Errorf("%w: log=%q: not a file name", sdk.ErrBadParams, tx["log"])
	}
	delete(full, "log")
	return t.heavyBall.Start(full, x0, seed)
}

// goodOptions are the options a correct heavy-ball passes with.
func goodOptions() []Option {
	return []Option{
		WithParams(sdk.Params{"noise": 0.2, "warmup": 5}, sdk.Params{"nesterov": 1, "clip": 1, "momentum": 0.9}),
		WithRefused(sdk.Params{"momentum": 1}),
	}
}

// TestHeavyBall is how an optimizer's author uses the harness.
func TestHeavyBall(t *testing.T) {
	CheckOptimizer(t, newHeavyBall(""), goodOptions()...)
}

// TestGoodOptimizerPassesEveryCheck runs each check through the recorder.
func TestGoodOptimizerPassesEveryCheck(t *testing.T) {
	for _, name := range OptimizerCheckNames() {
		if errs := runOptCheck(t, name, newHeavyBall(""), goodOptions()...); len(errs) > 0 {
			t.Errorf("%s: a correct optimizer failed:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}

// TestTextOptimizerPassesEveryCheck: an optimizer with a text
// hyperparameter passes when it takes texts through StartTexts.
func TestTextOptimizerPassesEveryCheck(t *testing.T) {
	for _, name := range OptimizerCheckNames() {
		if errs := runOptCheck(t, name, textBall{newHeavyBall("")}, goodOptions()...); len(errs) > 0 {
			t.Errorf("%s: a correct optimizer with texts failed:\n%s", name, strings.Join(errs, "\n"))
		}
	}
	if errs := runOptCheck(t, "hyperparameters", textBall{newHeavyBall("text panics")}, goodOptions()...); len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "StartTexts") {
		t.Errorf("a panic on an odd text passed: %v", errs)
	}
}

// ---- broken optimizers: every check must be able to fail ----

func TestOptimizerChecksFail(t *testing.T) {
	noise := WithParams(sdk.Params{"noise": 0.1})
	cases := []struct {
		check, bug string
		want       string // a substring of some failure
		opts       []Option
	}{
		{"info", "bad name", "name", nil},
		{"info", "two-line summary", "more than one line", nil},
		{"info", "undocumented", "no Doc", nil},
		{"info", "text hyperparameter", "is a text", nil},
		{"info", "unstable info", "two calls of Info() differ", nil},
		{"info", "shared info", "return copies", nil},
		{"info", "info panics", "panic", nil},

		{"hyperparameters", "no bounds check", "succeeded", nil},
		{"hyperparameters", "plain error", "does not wrap sdk.ErrBadParams", []Option{WithRefused(sdk.Params{"momentum": 1})}},
		{"hyperparameters", "refuses its max", "(Max)", nil},
		{"hyperparameters", "panics on flag", "(true) panicked", nil},
		{"hyperparameters", "unchecked constraint", "declared refused with WithRefused) succeeded", []Option{WithRefused(sdk.Params{"momentum": 1})}},
		{"hyperparameters", "", "declare it with sdktest.WithRefused", nil}, // momentum=1 is refused but not declared so

		{"determinism", "global randomness", "two runs with seed", []Option{noise}},
		{"determinism", "seed without stochastic", "Info().Stochastic is false", []Option{noise}},
		{"determinism", "undeclared gradient", "Info().Gradient is false", nil},
		{"determinism", "wrong dimension", "coordinates", nil},
		{"determinism", "best of wrong length", "Step.Best has", nil},
		{"determinism", "best dropped", "Step.Best is nil", nil},
		{"determinism", "bad acceptance", "Step.Accept is 7", nil},
		{"determinism", "random acceptance", "Accept 1 at temperature", nil},

		{"batch", "shared state", "differs from the same run driven alone", nil},
		{"batch", "failure poisons", "runs 1, 3 and 5 made to fail", nil},

		{"malformed", "unchecked answer", "panicked", nil},
		{"malformed", "ignores extra", "a loss too many", nil},
		{"malformed", "panics on NaN", "NaN", nil},

		{"start", "keeps x0", "is x0's memory", nil},
		{"start", "anchored to x0", "changing x0 after Start changed the run", nil},
	}
	for _, c := range cases {
		name := c.bug
		if name == "" {
			name = "undeclared constraint"
		}
		t.Run(c.check+"/"+name, func(t *testing.T) {
			errs := runOptCheck(t, c.check, newHeavyBall(c.bug), c.opts...)
			if len(errs) == 0 {
				t.Fatalf("check %s passed an optimizer with the bug %q", c.check, name)
			}
			all := strings.Join(errs, "\n")
			if !strings.Contains(all, c.want) {
				t.Errorf("check %s: no failure mentions %q:\n%s", c.check, c.want, all)
			}
			if !strings.Contains(all, "heavy-ball") && c.bug != "bad name" && c.bug != "info panics" {
				t.Errorf("check %s: failures do not name the optimizer:\n%s", c.check, all)
			}
			t.Logf("%d failures, first: %s", len(errs), errs[0])
		})
	}
}
