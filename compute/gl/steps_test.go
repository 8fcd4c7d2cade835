package gl

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
)

// himmel is Himmelblau's function tilted along x,
// (x²+y−11)² + (x+y²−7)² + tilt·x on [-5, 5]², tilt a hyperparameter (a
// constant of the snippet). Its GLSL defines loss() only, so the batch
// kernel differentiates it (central differences), unless grad is set: then
// it defines grad() too.
type himmel struct{ grad bool }

const himmelTilt = 0.5

func (himmel) Info() sdk.Info {
	return sdk.Info{Name: "himmel", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -5, Hi: 5}, {Lo: -5, Hi: 5}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "tilt", Doc: "slope along x", Default: himmelTilt, Min: -1, Max: 1}}}
}

func (himmel) Loss(p []float64) float64 {
	a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
	return a*a + b*b + himmelTilt*p[0]
}

func (himmel) Grad(g, p []float64) {
	a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
	g[0] = 4*p[0]*a + 2*b + himmelTilt
	g[1] = 2*a + 4*p[1]*b
}

func (h himmel) GLSL() string {
	src := `float loss() {
	float a = P(0) * P(0) + P(1) - 11.0, b = P(0) + P(1) * P(1) - 7.0;
	return a * a + b * b + tilt * P(0);
}
`
	if h.grad {
		src += `void grad(out float g[DIM]) {
	float a = P(0) * P(0) + P(1) - 11.0, b = P(0) + P(1) * P(1) - 7.0;
	g[0] = 4.0 * P(0) * a + 2.0 * b + tilt;
	g[1] = 2.0 * a + 4.0 * P(1) * b;
}
`
	}
	return src
}

// Step functions written for these tests (a plugin's come from
// sdk.OptimizerWithGLSL; glsltest.CheckStep checks those).
const (
	// gdStep is x ← x − lr·g.
	gdStep = `#define NSTATE 0
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	for (int i = 0; i < DIM; i++) x[i] -= lr * g[i];
}
`
	// momentumStep keeps a momentum buffer b in the state and uses the
	// step count: b ← g at t = 1, else μb + g; x ← x − (lr/√t)·b.
	momentumStep = `#define NSTATE DIM
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	float a = lr / sqrt(float(t));
	for (int i = 0; i < DIM; i++) {
		s[i] = t == 1 ? g[i] : mu * s[i] + g[i];
		x[i] -= a * s[i];
	}
}
`
)

// cpuSteps is gdStep (mu < 0) or momentumStep (mu ≥ 0) in float64 with
// s's analytic gradient, from every start: the final points.
func cpuSteps(s sdk.SurfaceWithGradient, lr, mu float64, starts []float64, steps int) []float64 {
	dim := s.Info().Dim
	out := make([]float64, 0, len(starts))
	g := make([]float64, dim)
	for i := 0; i < len(starts); i += dim {
		x := append([]float64(nil), starts[i:i+dim]...)
		b := make([]float64, dim)
		for t := 1; t <= steps; t++ {
			s.Grad(g, x)
			for k := range x {
				if mu < 0 {
					x[k] -= lr * g[k]
					continue
				}
				if t == 1 {
					b[k] = g[k]
				} else {
					b[k] = mu*b[k] + g[k]
				}
				x[k] -= lr / math.Sqrt(float64(t)) * b[k]
			}
		}
		out = append(out, x...)
	}
	return out
}

// TestStepRunsAgreeWithCPU: the GPU batch (float32; the surface's grad()
// or central differences of its loss()) ends where float64 runs with the
// analytic gradient end, from a grid of starts, also when runs and steps
// are split over many dispatches (state and step count carried across).
func TestStepRunsAgreeWithCPU(t *testing.T) {
	c := testContext(t)
	// grid is an n×m grid of starts in [-4.5, 4.5]².
	grid := func(n, m int) []float64 {
		var starts []float64
		for i := range n {
			for j := range m {
				starts = append(starts, -4.5+9*(float64(i)+0.5)/float64(n), -4.5+9*(float64(j)+0.5)/float64(m))
			}
		}
		return starts
	}
	for _, tc := range []struct {
		name     string
		s        himmel
		step     string
		lr, mu   float64
		starts   []float64
		steps    int
		dispatch int64 // Evaluator.DispatchWork; 0: the default
	}{
		{"gd, central differences", himmel{}, gdStep, 0.005, -1, grid(5, 4), 400, 0},
		{"gd, grad()", himmel{grad: true}, gdStep, 0.005, -1, grid(5, 4), 400, 0},
		{"momentum, central differences", himmel{}, momentumStep, 0.01, 0.9, grid(5, 4), 400, 0},
		// One step per dispatch, and 100 runs in dispatches of whole work
		// groups: 64 runs, then 36.
		{"momentum, split", himmel{grad: true}, momentumStep, 0.01, 0.9, grid(10, 10), 100, 5 * 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			starts := tc.starts
			e := c.Evaluator()
			e.DispatchWork = tc.dispatch
			consts := []compute.Const{{Name: "lr", Value: tc.lr}, {Name: "mu", Value: tc.mu}}
			var calls, last int
			got, loss, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: tc.s}.Kernel(), OptName: "test", OptGLSL: tc.step,
				OptConsts: consts, Starts: starts, Steps: tc.steps, Progress: func(done, total int) {
					if done < last || total != tc.steps {
						t.Errorf("progress %d of %d after %d", done, total, last)
					}
					calls++
					last = done
				}})
			if err != nil {
				t.Fatal(err)
			}
			if last != tc.steps || tc.dispatch > 0 && calls < tc.steps {
				t.Errorf("progress called %d times, last with %d of %d steps", calls, last, tc.steps)
			}
			want := cpuSteps(tc.s, tc.lr, tc.mu, starts, tc.steps)
			for r := 0; r < len(starts)/2; r++ {
				dx, dy := float64(got[2*r])-want[2*r], float64(got[2*r+1])-want[2*r+1]
				if math.Hypot(dx, dy) > 2e-3 {
					t.Errorf("start (%g, %g): GPU %v, CPU %v", starts[2*r], starts[2*r+1], got[2*r:2*r+2], want[2*r:2*r+2])
				}
				if f := tc.s.Loss(want[2*r : 2*r+2]); math.Abs(float64(loss[r])-f) > 1e-3*(1+math.Abs(f)) {
					t.Errorf("start %d: GPU loss %v, CPU %v", r, loss[r], f)
				}
			}
		})
	}
}

func TestStepRunsErrors(t *testing.T) {
	c := testContext(t)
	s := wave{s: 0.5}
	e := c.Evaluator()
	bad := "#define NSTATE 0\nvoid step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {\n\tx[0] -= nope;\n}\n"
	_, _, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "mine", OptGLSL: bad, Starts: []float64{1, 1}, Steps: 3})
	if err == nil || !strings.Contains(err.Error(), "optimizer GLSL line 3") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("compile error %v should name optimizer GLSL line 3", err)
	}
	// wave's snippet reads its hyperparameter s: an optimizer's s clashes.
	clash := []compute.Const{{Name: "s", Value: 1}}
	if _, _, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "x", OptGLSL: strings.Replace(bad, "nope", "s", 1), OptConsts: clash, Starts: []float64{1, 1}, Steps: 1}); err == nil || !strings.Contains(err.Error(), "two hyperparameters are named s") {
		t.Errorf("clash: %v", err)
	}
	if n, err := nstate("#define NSTATE (3 * DIM)\n", 4); err != nil || n != 12 {
		t.Errorf("nstate = %d, %v", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := e.StepRuns(ctx, StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "x", OptGLSL: strings.Replace(bad, "nope", "g[0]", 1), Starts: []float64{1, 1}, Steps: 3}); err == nil {
		t.Error("cancelled run succeeded")
	}
}

// bowlGrad is x² + y² whose GLSL ships an analytic gradient; zero makes
// that gradient wrong on purpose (zero), to show the kernel uses it.
type bowlGrad struct{ zero bool }

func (bowlGrad) Info() sdk.Info {
	return sdk.Info{Name: "bowl-grad", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}}}
}
func (bowlGrad) Loss(p []float64) float64 { return p[0]*p[0] + p[1]*p[1] }
func (b bowlGrad) GLSL() string {
	k := "2.0"
	if b.zero {
		k = "0.0"
	}
	return "float loss() { return P(0) * P(0) + P(1) * P(1); }\nvoid grad(out float g[DIM]) { g[0] = " + k + " * P(0); g[1] = " + k + " * P(1); }\n"
}

func TestStepRunsUseAnalyticGradient(t *testing.T) {
	c := testContext(t)
	cs := []compute.Const{{Name: "lr", Value: 0.25}}
	starts := []float64{1, -2, 0.5, 0.25}
	for _, tc := range []struct {
		zero bool
		want []float64
	}{
		{false, []float64{0.125, -0.25, 0.0625, 0.03125}}, // x ← x/2 per step, exactly
		{true, starts}, // a zero gradient: the runs stay put
	} {
		got, _, err := c.Evaluator().StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: bowlGrad{tc.zero}}.Kernel(), OptName: "gd", OptGLSL: gdStep, OptConsts: cs, Starts: starts, Steps: 3})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if float64(got[i]) != tc.want[i] {
				t.Errorf("zero=%v: x[%d] = %v, want %v (exactly: the analytic gradient)", tc.zero, i, got[i], tc.want[i])
			}
		}
	}
}
