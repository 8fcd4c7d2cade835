package glsltest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/sdk"
)

var (
	once    sync.Once
	shared  *gl.Evaluator
	initErr error
)

// evaluator is the shared GPU evaluator of this test binary; it fails or
// skips t (see the package comment) when there is no GL context.
func evaluator(t testing.TB) *gl.Evaluator {
	t.Helper()
	once.Do(func() {
		var c *gl.Context
		if c, initErr = gl.New(gl.Options{}); initErr == nil {
			shared = c.Evaluator()
		}
	})
	if initErr != nil {
		if os.Getenv("CI") != "" || os.Getenv("LANDSCAPE_REQUIRE_GL") != "" {
			t.Fatalf("no OpenGL 4.3 context, and CI or LANDSCAPE_REQUIRE_GL demands one: %v", initErr)
		}
		t.Skipf("no OpenGL 4.3 context: %v", initErr)
	}
	return shared
}

type config struct {
	points     int
	seed       uint64
	rtol, atol float64
	tolSet     bool
	steps      int
	starts     [][]float64
}

// Option tunes the checks.
type Option func(*config)

// WithPoints sets the number of random points (CheckGLSL, default 2000;
// CheckGrad, default 200) or of random starts (CheckStep, default 16).
func WithPoints(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.points = n
		}
	}
}

// WithSeed sets the seed of the random points and starts, and of the Go
// runs CheckStep compares with (default 1).
func WithSeed(s uint64) Option { return func(c *config) { c.seed = s } }

// WithTolerance sets a check's agreement test:
//
//   - CheckGLSL: |gpu − go| ≤ rtol·|go| + atol·S, S the largest |loss| among
//     the points (defaults 1e-4, 2e-5);
//   - CheckGrad: per component |gpu − go| ≤ rtol·|go| + atol·(1 + S), S the
//     largest |component| at that point (defaults 1e-3, 1e-4), plus, for
//     central differences, their truncation error (measured in float64) and
//     float32 rounding;
//   - CheckStep: per coordinate |gpu − go| ≤ rtol·|go| + atol·w, w the
//     width of the domain along it, and for the final loss
//     |gpu − go| ≤ rtol·(1 + |go|) (defaults 1e-3, 1e-4).
func WithTolerance(rtol, atol float64) Option {
	return func(c *config) { c.rtol, c.atol, c.tolSet = rtol, atol, true }
}

// WithSteps sets how many steps CheckStep takes (default 20). It compares
// the runs after steps 1, 2 and 3 and at the end.
func WithSteps(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.steps = n
		}
	}
}

// WithStarts sets CheckStep's starting points (instead of random ones).
func WithStarts(starts ...[]float64) Option {
	return func(c *config) { c.starts = append(c.starts, starts...) }
}

func newConfig(opts []Option, points int, rtol, atol float64) config {
	c := config{points: points, seed: 1, steps: 20}
	for _, o := range opts {
		o(&c)
	}
	if !c.tolSet {
		c.rtol, c.atol = rtol, atol
	}
	return c
}

// report fails t with the first problems and their count.
func report(t *testing.T, problems []string, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range problems {
		if i == 8 {
			t.Errorf("... %d disagreements in all", len(problems))
			break
		}
		t.Error(p)
	}
}

// randomPoints draws n points of the domain, rounded to float32 so that
// the GPU and Go evaluate the same points.
func randomPoints(rng *rand.Rand, dom []sdk.Interval, n int) []float64 {
	var pts []float64
	for range n {
		for _, iv := range dom {
			pts = append(pts, float64(float32(iv.Lo+rng.Float64()*(iv.Hi-iv.Lo))))
		}
	}
	return pts
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x61736c)) }

// kernel is s's GPU kernel, or an error when s ships no GLSL.
func kernel(s sdk.Surface) (compute.Kernel, error) {
	k := compute.Local{S: s}.Kernel()
	if k.GLSL == "" {
		return k, fmt.Errorf("%s: no GLSL (implement sdk.SurfaceWithGLSL)", k.Name)
	}
	return k, nil
}

// ---- loss ----

// CheckGLSL evaluates s's GLSL on the GPU at random points of its domain and
// around its known minima, and compares with Loss at the same float32-rounded
// points, so that only float32 arithmetic separates them. NaN must match NaN.
func CheckGLSL(t *testing.T, s sdk.Surface, opts ...Option) {
	t.Helper()
	problems, err := Compare(t, s, opts...)
	report(t, problems, err)
}

// Compare is CheckGLSL's comparison: it returns one line per point where
// the GLSL and Go disagree, and an error when it cannot compare (no GLSL,
// a snippet that does not compile). It fails or skips t only when there is
// no GL context.
func Compare(t testing.TB, s sdk.Surface, opts ...Option) ([]string, error) {
	t.Helper()
	e := evaluator(t)
	cfg := newConfig(opts, 2000, 1e-4, 2e-5)
	d := s.Info()
	k, err := kernel(s)
	if err != nil {
		return nil, err
	}
	rng := newRand(cfg.seed)
	dim := d.Dim
	pts := randomPoints(rng, d.Domain, cfg.points)
	for _, m := range d.Minima {
		for k := 0; k < 20; k++ {
			for i := 0; i < dim; i++ {
				iv := d.Domain[i]
				jit := 0.0
				if k > 0 {
					jit = (rng.Float64() - 0.5) * 1e-3 * (iv.Hi - iv.Lo)
				}
				pts = append(pts, float64(float32(m.Location[i]+jit)))
			}
		}
	}
	got, err := e.EvalPoints(context.Background(), k, pts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	n := len(pts) / dim
	want := make([]float64, n)
	scale := 0.0
	for k := range want {
		v := s.Loss(pts[k*dim : (k+1)*dim])
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		want[k] = v
		if v == v {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	var problems []string
	for k := range want {
		g, w := float64(got[k]), want[k]
		tol := cfg.rtol*math.Abs(w) + cfg.atol*scale
		if (g != g) != (w != w) || w == w && math.Abs(g-w) > tol {
			problems = append(problems, fmt.Sprintf("%s at %v: GLSL %v, Go %v (tolerance %.3g)", d.Name, pts[k*dim:(k+1)*dim], g, w, tol))
		}
	}
	return problems, nil
}

// ---- gradient ----

// gradStep is an optimizer step that stores the gradient in x: one step
// from x0 leaves the kernel's gradient at x0 in the run's point.
const gradStep = `#define NSTATE 0
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	for (int i = 0; i < DIM; i++) x[i] = g[i];
}
`

// gradRE finds a snippet's analytic gradient, as the step kernel does.
var gradRE = regexp.MustCompile(`\bvoid\s+grad\s*\(\s*out\s+float`)

// fdStep is the step of the kernel's central differences along a
// coordinate at x (h = 4e-3·max(1, |x|), in float32; see
// shaders/step.comp.glsl).
func fdStep(x float32) float32 { return float32(4e-3) * max(1, float32(math.Abs(float64(x)))) }

// CheckGrad compares, at random points of s's domain, the gradient that GPU
// optimizer runs see with Grad: the snippet's grad() when it defines one
// (`void grad(out float g[DIM])`), else the kernel's central differences of
// its loss(). The points are float32-rounded, so that only float32
// arithmetic (and, for central differences, their truncation error, which
// it measures in float64) separates the two. NaN must match NaN. The batch
// kernel takes at most gl.MaxStepDim parameters.
func CheckGrad(t *testing.T, s sdk.SurfaceWithGradient, opts ...Option) {
	t.Helper()
	problems, err := CompareGrad(t, s, opts...)
	report(t, problems, err)
}

// CompareGrad is CheckGrad's comparison: it returns one line per
// disagreeing component, and an error when it cannot compare. It fails or
// skips t only when there is no GL context.
func CompareGrad(t testing.TB, s sdk.SurfaceWithGradient, opts ...Option) ([]string, error) {
	t.Helper()
	e := evaluator(t)
	cfg := newConfig(opts, 200, 1e-3, 1e-4)
	d := s.Info()
	k, err := kernel(s)
	if err != nil {
		return nil, err
	}
	analytic := gradRE.MatchString(k.GLSL)
	dim := d.Dim
	pts := randomPoints(newRand(cfg.seed), d.Domain, cfg.points)
	got, _, err := e.StepRuns(context.Background(), gl.StepSpec{Surface: k, OptName: "glsltest-gradient", OptGLSL: gradStep, Starts: pts, Steps: 1})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	what := "GLSL grad()"
	if !analytic {
		what = "central differences of GLSL loss()"
	}
	var problems []string
	want := make([]float64, dim)
	tp := make([]float64, dim)
	for r := 0; r < len(pts)/dim; r++ {
		x := pts[r*dim : (r+1)*dim]
		s.Grad(want, x)
		scale := 0.0
		for _, w := range want {
			if w == w {
				scale = math.Max(scale, math.Abs(w))
			}
		}
		for i, w := range want {
			g := float64(got[r*dim+i])
			tol := cfg.rtol*math.Abs(w) + cfg.atol*(1+scale)
			if !analytic {
				// The kernel's difference quotient, in float64 at the
				// kernel's float32 points: it differs from Grad by the
				// truncation error, and from the GPU's by float32
				// rounding of the two losses.
				h := fdStep(float32(x[i]))
				copy(tp, x)
				tp[i] = float64(float32(x[i]) + h)
				fp := s.Loss(tp)
				tp[i] = float64(float32(x[i]) - h)
				fm := s.Loss(tp)
				if math.IsNaN(fp) || math.IsNaN(fm) || math.IsInf(fp, 0) || math.IsInf(fm, 0) {
					continue // a difference across the edge of where loss() is defined
				}
				fd := (fp - fm) / (2 * float64(h))
				tol += math.Abs(fd-w) + fdRounding*(math.Abs(fp)+math.Abs(fm))/(2*float64(h))
			}
			if (g != g) != (w != w) || w == w && !(math.Abs(g-w) <= tol) {
				problems = append(problems, fmt.Sprintf("%s at %v: ∂/∂θ%d: %s %v, Go %v (tolerance %.3g)", d.Name, x, i, what, g, w, tol))
			}
		}
	}
	return problems, nil
}

// fdRounding bounds the float32 rounding error of a loss value in central
// differences, relative to the values: a few dozen ulps.
const fdRounding = 32 * 0x1p-23

// ---- optimizer steps ----

// CheckStep runs o's GPU step function (sdk.OptimizerWithGLSL, with the
// hyperparameters p) on s from several starts (random points of the
// domain, or WithStarts) and compares the points after steps 1, 2, 3 and
// the last (WithSteps), and the final losses, with o's Go runs on the CPU
// driven with s's Loss and Grad in float64 from the same float32-rounded
// starts. On the GPU the gradient is s's GLSL grad() or central differences
// of its loss() (see CheckGrad). A Go run must ask for one point's
// gradient per step, as the GPU step function takes it.
func CheckStep(t *testing.T, o sdk.OptimizerWithGLSL, p sdk.Params, s sdk.SurfaceWithGradient, opts ...Option) {
	t.Helper()
	problems, err := CompareStep(t, o, p, s, opts...)
	report(t, problems, err)
}

// CompareStep is CheckStep's comparison: it returns one line per
// disagreement, and an error when it cannot compare (no step function for
// p, no GLSL for s, a snippet that does not compile, a Go run that does
// not take one gradient per step). It fails or skips t only when there is
// no GL context.
func CompareStep(t testing.TB, o sdk.OptimizerWithGLSL, p sdk.Params, s sdk.SurfaceWithGradient, opts ...Option) ([]string, error) {
	t.Helper()
	e := evaluator(t)
	cfg := newConfig(opts, 16, 1e-3, 1e-4)
	info := o.Info()
	d := s.Info()
	label := info.Name + " on " + d.Name
	if len(p) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(p)) {
			kv = append(kv, fmt.Sprintf("%s=%v", k, p[k]))
		}
		label = fmt.Sprintf("%s {%s} on %s", info.Name, strings.Join(kv, ", "), d.Name)
	}
	full, err := sdk.Resolve(info.Hyperparameters, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	src := o.GLSL(full)
	if src == "" {
		return nil, fmt.Errorf("%s: the optimizer has no GPU step function for these hyperparameters", label)
	}
	var consts []compute.Const
	for _, h := range info.Hyperparameters {
		if !h.Text {
			consts = append(consts, compute.Const{Name: h.Name, Value: full[h.Name]})
		}
	}
	k, err := kernel(s)
	if err != nil {
		return nil, err
	}
	dim := d.Dim
	var starts []float64
	for _, x := range cfg.starts {
		if len(x) != dim {
			return nil, fmt.Errorf("%s: start %v has %d coordinates, want %d", label, x, len(x), dim)
		}
		for _, v := range x {
			starts = append(starts, float64(float32(v)))
		}
	}
	if len(starts) == 0 {
		starts = randomPoints(newRand(cfg.seed), d.Domain, cfg.points)
	}
	runs := len(starts) / dim
	var marks []int
	for _, m := range []int{1, 2, 3, cfg.steps} {
		if m <= cfg.steps && !slices.Contains(marks, m) {
			marks = append(marks, m)
		}
	}

	// The Go runs: want[m][r] is run r's point after marks[m] steps.
	want := make([][][]float64, len(marks))
	for m := range want {
		want[m] = make([][]float64, runs)
	}
	g := make([]float64, dim)
	for r := range runs {
		x0 := starts[r*dim : (r+1)*dim]
		run, err := o.Start(full, slices.Clone(x0), cfg.seed)
		if err != nil {
			return nil, fmt.Errorf("%s: Start: %w", label, err)
		}
		m := 0
		for step := 1; step <= cfg.steps; step++ {
			pts, need := run.Ask()
			if len(pts) != 1 || need != sdk.NeedGradient {
				return nil, fmt.Errorf("%s: step %d of the Go run asks for %d points (gradients: %v); a GPU step function takes one gradient per step", label, step, len(pts), need == sdk.NeedGradient)
			}
			s.Grad(g, pts[0])
			st := run.Tell([]float64{s.Loss(pts[0])}, [][]float64{g})
			if step == marks[m] {
				want[m][r] = slices.Clone(st.X)
				m++
			}
			if st.Done {
				return nil, fmt.Errorf("%s: the Go run is done after step %d of %d", label, step, cfg.steps)
			}
		}
	}

	var problems []string
	for m, steps := range marks {
		got, loss, err := e.StepRuns(context.Background(), gl.StepSpec{Surface: k, OptName: info.Name, OptGLSL: src, OptConsts: consts, Starts: starts, Steps: steps})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		for r := range runs {
			w := want[m][r]
			for i, wi := range w {
				gi := float64(got[r*dim+i])
				tol := cfg.rtol*math.Abs(wi) + cfg.atol*(d.Domain[i].Hi-d.Domain[i].Lo)
				if (gi != gi) != (wi != wi) || wi == wi && !(math.Abs(gi-wi) <= tol) {
					problems = append(problems, fmt.Sprintf("%s from %v after %d steps: coordinate %d: GPU %v, Go %v (tolerance %.3g)",
						label, starts[r*dim:(r+1)*dim], steps, i, gi, wi, tol))
					break
				}
			}
			if steps != cfg.steps {
				continue
			}
			f := s.Loss(w)
			if gf := float64(loss[r]); f == f && !math.IsInf(f, 0) && !(math.Abs(gf-f) <= cfg.rtol*(1+math.Abs(f))) {
				problems = append(problems, fmt.Sprintf("%s from %v after %d steps: GPU loss %v, Go %v at Go's point", label, starts[r*dim:(r+1)*dim], steps, gf, f))
			}
		}
	}
	return problems, nil
}
