package sdktest

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// recorder is a reporter that collects failures instead of failing.
type recorder struct{ errs []string }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// runCheck runs one named check against s and returns its failures.
func runCheck(t *testing.T, name string, s sdk.Surface, opts ...Option) []string {
	t.Helper()
	cfg := newConfig(opts)
	for _, c := range checks {
		if c.name == name {
			var r recorder
			run(&r, c, s, &cfg)
			return r.errs
		}
	}
	t.Fatalf("no check named %q", name)
	return nil
}

// ---- a correct surface ----

// paraboloid is scale·Σ(θ_i − 1)² on [-3, 3]^dim, minimum 0 at (1, …, 1).
type paraboloid struct {
	dim   int
	scale float64
}

func newParaboloid() paraboloid { return paraboloid{dim: 2, scale: 1} }

func (p paraboloid) Info() sdk.Info {
	dom := make([]sdk.Interval, p.dim)
	loc := make([]float64, p.dim)
	for i := range dom {
		dom[i] = sdk.Interval{Lo: -3, Hi: 3}
		loc[i] = 1
	}
	return sdk.Info{
		Name:    "paraboloid",
		Summary: "a shifted paraboloid",
		Dim:     p.dim,
		Domain:  dom,
		Hyperparameters: []sdk.Hyperparameter{
			{Name: "dim", Doc: "number of parameters", Default: float64(p.dim), Min: 1, Max: 64, Integer: true},
			{Name: "scale", Doc: "curvature", Default: p.scale, Min: 0.5, Max: 4},
		},
		Minima: []sdk.Minimum{{Location: loc, Value: 0}},
	}
}

func (p paraboloid) Loss(t []float64) float64 {
	var s float64
	for _, x := range t {
		s += (x - 1) * (x - 1)
	}
	return p.scale * s
}

func (p paraboloid) Grad(g, t []float64) {
	for i, x := range t {
		g[i] = 2 * p.scale * (x - 1)
	}
}

func (p paraboloid) Configure(ps sdk.Params) (sdk.Surface, error) {
	return paraboloid{dim: int(ps["dim"]), scale: ps["scale"]}, nil
}

// TestParaboloid is how a plugin author uses the harness.
func TestParaboloid(t *testing.T) {
	CheckSurface(t, newParaboloid())
	t.Run("dim=5,scale=3", func(t *testing.T) {
		s, err := sdk.Configure(newParaboloid(), sdk.Params{"dim": 5, "scale": 3})
		if err != nil {
			t.Fatal(err)
		}
		CheckSurface(t, s, WithSeed(7), WithPoints(50))
	})
}

// TestGoodSurfacePassesEveryCheck runs each check through the recorder too.
func TestGoodSurfacePassesEveryCheck(t *testing.T) {
	for _, name := range CheckNames() {
		if errs := runCheck(t, name, newParaboloid()); len(errs) > 0 {
			t.Errorf("%s: a correct surface failed:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}

// ---- broken surfaces: every check must be able to fail ----

// wrongGrad has a gradient off by a factor: 2.02·(θ−1) instead of 2·(θ−1).
type wrongGrad struct{ paraboloid }

func (w wrongGrad) Grad(g, t []float64) {
	for i, x := range t {
		g[i] = 2.02 * (x - 1)
	}
}

// accumGrad adds to dst instead of writing it.
type accumGrad struct{ paraboloid }

func (a accumGrad) Grad(g, t []float64) {
	for i, x := range t {
		g[i] += 2 * (x - 1)
	}
}

// mutatingGrad scribbles on theta.
type mutatingGrad struct{ paraboloid }

func (m mutatingGrad) Grad(g, t []float64) {
	m.paraboloid.Grad(g, t)
	t[0] = 42
}

// withInfo replaces the Info of the paraboloid.
type withInfo struct {
	paraboloid
	edit func(*sdk.Info)
}

func (w withInfo) Info() sdk.Info {
	i := w.paraboloid.Info()
	w.edit(&i)
	return i
}

func minimaAt(loc []float64, v float64) func(*sdk.Info) {
	return func(i *sdk.Info) { i.Minima = []sdk.Minimum{{Location: loc, Value: v}} }
}

// unboundedDim declares dim without bounds and builds whatever it is given.
type unboundedDim struct{ paraboloid }

func (u unboundedDim) Info() sdk.Info {
	i := u.paraboloid.Info()
	i.Hyperparameters = []sdk.Hyperparameter{{Name: "dim", Doc: "number of parameters", Default: float64(u.dim), Integer: true}}
	return i
}

func (u unboundedDim) Configure(ps sdk.Params) (sdk.Surface, error) {
	return unboundedDim{paraboloid{dim: int(ps["dim"]), scale: 1}}, nil
}

// failsAtMax refuses its own upper bound.
type failsAtMax struct{ paraboloid }

func (f failsAtMax) Configure(ps sdk.Params) (sdk.Surface, error) {
	if ps["scale"] == 4 {
		return nil, fmt.Errorf("scale 4 is not supported")
	}
	return f.paraboloid.Configure(ps)
}

// mutatingConfigure changes the receiver.
type mutatingConfigure struct{ p *paraboloid }

func (m mutatingConfigure) Info() sdk.Info           { return m.p.Info() }
func (m mutatingConfigure) Loss(t []float64) float64 { return m.p.Loss(t) }
func (m mutatingConfigure) Grad(g, t []float64)      { m.p.Grad(g, t) }
func (m mutatingConfigure) Configure(ps sdk.Params) (sdk.Surface, error) {
	m.p.scale = ps["scale"]
	return m, nil
}

// stateful keeps a counter between calls, as a surface with a shared scratch
// buffer does in effect.
type stateful struct {
	paraboloid
	n *atomic.Int64
}

func (s stateful) Loss(t []float64) float64 {
	return s.paraboloid.Loss(t) + 1e-9*float64(s.n.Add(1)%3)
}

// sharedScratch uses one buffer for every call.
type sharedScratch struct {
	paraboloid
	buf []float64
}

func (s sharedScratch) Loss(t []float64) float64 {
	var sum float64
	for i, x := range t {
		s.buf[i] = x - 1
		for k := 0; k < 50; k++ { // give other goroutines time to interfere
			s.buf[i] = s.buf[i]*1.0000001 - s.buf[i]*0.0000001
		}
	}
	for i := range t {
		sum += s.buf[i] * s.buf[i]
	}
	return sum
}

// panicky panics away from the origin.
type panicky struct{ paraboloid }

func (p panicky) Loss(t []float64) float64 {
	if t[0] > 2 {
		var a []float64
		return a[3]
	}
	return p.paraboloid.Loss(t)
}

func TestChecksFail(t *testing.T) {
	p := newParaboloid()
	hp := hessParaboloid{p}
	cases := []struct {
		check string
		name  string
		s     sdk.Surface
		want  string // a substring of some failure
	}{
		{"info", "invalid name", withInfo{p, func(i *sdk.Info) { i.Name = "Bad Name" }}, "name"},
		{"info", "two-line summary", withInfo{p, func(i *sdk.Info) { i.Summary = "one\ntwo" }}, "more than one line"},
		{"info", "empty summary", withInfo{p, func(i *sdk.Info) { i.Summary = "" }}, "Summary is empty"},
		{"info", "infinite domain", withInfo{p, func(i *sdk.Info) { i.Domain[1].Hi = math.Inf(1) }}, "domain"},
		{"info", "undocumented hyperparameter", withInfo{p, func(i *sdk.Info) { i.Hyperparameters[1].Doc = "" }}, "no Doc"},
		{"info", "default differs from unconfigured", withInfo{p, func(i *sdk.Info) { i.Hyperparameters[1].Default = 3 }}, "configured with the defaults"},

		{"minima", "wrong location", withInfo{p, minimaAt([]float64{1, 1.5}, 0)}, "Loss ="},
		{"minima", "wrong value", withInfo{p, minimaAt([]float64{1, 1}, -0.5)}, "Loss ="},
		{"minima", "outside the domain", withInfo{paraboloid{dim: 2, scale: 1}, func(i *sdk.Info) {
			i.Domain[0] = sdk.Interval{Lo: -3, Hi: 0.5}
		}}, "outside the domain"},
		{"minima", "not stationary", withInfo{p, minimaAt([]float64{1, 1.001}, 1e-6)}, "gradient"},
		{"minima", "missing global minimum", withInfo{p, minimaAt([]float64{-3, -3}, 32)}, "below the global minimum value"},
		{"minima", "global after local", withInfo{p, func(i *sdk.Info) {
			i.Minima = []sdk.Minimum{{Location: []float64{-3, -3}, Value: 32, Local: true}, i.Minima[0]}
		}}, "listed after a local"},
		{"minima", "globals differ", withInfo{p, func(i *sdk.Info) {
			i.Minima = append(i.Minima, sdk.Minimum{Location: []float64{-3, -3}, Value: 32})
		}}, "global minima differ"},

		{"gradient", "wrong gradient", wrongGrad{p}, "central difference"},
		{"gradient", "accumulating gradient", accumGrad{p}, "central difference"},
		{"gradient", "gradient modifies theta", mutatingGrad{p}, "modified theta"},

		{"hyperparameters", "unbounded dim", unboundedDim{p}, "unbounded value"},
		{"hyperparameters", "refuses its own bound", failsAtMax{p}, "(Max)"},
		{"hyperparameters", "configure mutates receiver", mutatingConfigure{&paraboloid{dim: 2, scale: 1}}, "modified the receiver"},

		{"concurrency", "state between calls", stateful{p, new(atomic.Int64)}, "concurrent Loss"},

		{"minima", "panic is a failure", panicky{p}, "panic"},

		{"hessian", "asymmetric Hessian", asymHessian{hp}, "not symmetric"},
		{"hessian", "wrong Hessian", wrongHessian{hp}, "central differences of the gradient"},
		{"hessian", "accumulating Hessian", accumHessian{hp}, "central differences of the gradient"},
		{"hessian", "Hessian modifies theta", mutateHessian{hp}, "Hessian modified theta"},
		{"hessian", "HVP disagrees with Hessian", wrongHVP{hp}, "Hessian·u"},
		{"hessian", "HVP modifies the vector", mutateVector{hp}, "HVP modified the vector"},
		{"hessian", "not positive semi-definite at the minimum", notPSD{hp}, "not positive semi-definite"},
		{"hessian", "asymmetric HVP", asymHVP{newParaboloid()}, "HVP is not symmetric"},
		{"hessian", "wrong HVP without a Hessian", wavyGrad{wavy{off: 1.01}}, "central differences of the gradient along u"},
		{"hessian", "wrong Hessian without a gradient", wavyLoss{wavy{off: 1.1}}, "second differences of the loss"},
		{"hessian", "wrong mini-batch HVP", meanSq{scale: 1.01, n: 20}, "central differences of BatchGrad"},
		{"hessian", "mini-batch HVP over every sample is not HVP", meanSqFull{meanSq{scale: 1, n: 20}}, "BatchHVP over every sample"},
		{"concurrency", "Hessian with state between calls", racyHessian{hp, new(atomic.Int64)}, "safe for concurrent use"},
	}
	for _, c := range cases {
		t.Run(c.check+"/"+c.name, func(t *testing.T) {
			errs := runCheck(t, c.check, c.s)
			if len(errs) == 0 {
				t.Fatalf("check %s passed a surface with a %s", c.check, c.name)
			}
			all := strings.Join(errs, "\n")
			if !strings.Contains(all, c.want) {
				t.Errorf("check %s: no failure mentions %q:\n%s", c.check, c.want, all)
			}
			if name := c.s.Info().Name; !strings.Contains(all, name) && c.name != "invalid name" {
				t.Errorf("check %s: failures do not name the surface %s:\n%s", c.check, name, all)
			}
			t.Logf("%d failures, first: %s", len(errs), errs[0])
		})
	}
}

// TestSharedScratchFails shows the concurrency check catching a shared
// buffer. Whether goroutines collide is up to the scheduler, so the test
// retries a few seeds before it gives up.
func TestSharedScratchFails(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector reports the deliberate data race")
	}
	s := sharedScratch{newParaboloid(), make([]float64, 2)}
	for seed := int64(1); seed <= 20; seed++ {
		if errs := runCheck(t, "concurrency", s, WithSeed(seed), WithPoints(2000), WithGoroutines(16)); len(errs) > 0 {
			t.Logf("caught on try %d: %s", seed, errs[0])
			return
		}
	}
	t.Skip("the scheduler never interleaved the goroutines (single CPU?)")
}

func TestErrorsAreLimited(t *testing.T) {
	errs := runCheck(t, "gradient", wrongGrad{newParaboloid()}, WithPoints(500))
	if len(errs) != 11 {
		t.Fatalf("got %d failures, want 10 and a summary line", len(errs))
	}
	if !strings.Contains(errs[10], "more gradient failures") {
		t.Errorf("last line %q does not summarise", errs[10])
	}
}

func TestSkip(t *testing.T) {
	cfg := newConfig([]Option{Skip("gradient", "concurrency")})
	if !cfg.skip["gradient"] || !cfg.skip["concurrency"] || cfg.skip["info"] {
		t.Errorf("skip = %v", cfg.skip)
	}
}

// A surface on the boundary of its domain (a constrained minimum) passes when
// the gradient points outward and fails when it points inward.
func TestBoundaryMinimum(t *testing.T) {
	p := newParaboloid()
	// Domain x ∈ [1.5, 3]: the minimum of the box is at x = 1.5, where
	// ∂/∂x = 1 > 0 points out of the domain (the lower side).
	good := withInfo{p, func(i *sdk.Info) {
		i.Domain[0] = sdk.Interval{Lo: 1.5, Hi: 3}
		i.Minima = []sdk.Minimum{{Location: []float64{1.5, 1}, Value: 0.25}}
	}}
	if errs := runCheck(t, "minima", good); len(errs) > 0 {
		t.Errorf("boundary minimum refused:\n%s", strings.Join(errs, "\n"))
	}
	// Domain x ∈ [-3, 1.5] and a claimed minimum at x = 1.5: the gradient
	// points into the domain, so it is no minimum.
	bad := withInfo{p, func(i *sdk.Info) {
		i.Domain[0] = sdk.Interval{Lo: -3, Hi: 1.5}
		i.Minima = []sdk.Minimum{{Location: []float64{1.5, 1}, Value: 0.25}}
	}}
	if errs := runCheck(t, "minima", bad); len(errs) == 0 {
		t.Error("a boundary point with an inward gradient passed as a minimum")
	}
}
