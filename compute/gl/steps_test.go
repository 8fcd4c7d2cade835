package gl

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/shaders"
)

// cpuSteps runs o from every start on the CPU (analytic gradients, float64)
// and returns the final points.
func cpuSteps(t *testing.T, o sdk.Optimizer, p sdk.Params, s sdk.SurfaceWithGradient, starts []float64, steps int) []float64 {
	t.Helper()
	dim := s.Info().Dim
	p, err := sdk.Resolve(o.Info().Hyperparameters, p)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 0, len(starts))
	g := make([]float64, dim)
	for i := 0; i < len(starts); i += dim {
		r, err := o.Start(p, append([]float64(nil), starts[i:i+dim]...), 1)
		if err != nil {
			t.Fatal(err)
		}
		var x []float64
		for k := 0; k < steps; k++ {
			pts, _ := r.Ask()
			s.Grad(g, pts[0])
			x = r.Tell([]float64{s.Loss(pts[0])}, [][]float64{g}).X
		}
		out = append(out, x...)
	}
	return out
}

func consts(t *testing.T, o sdk.Optimizer, p sdk.Params) (sdk.Params, []shaders.Const) {
	p, err := sdk.Resolve(o.Info().Hyperparameters, p)
	if err != nil {
		t.Fatal(err)
	}
	var c []shaders.Const
	for _, h := range o.Info().Hyperparameters {
		c = append(c, shaders.Const{Name: h.Name, Value: p[h.Name]})
	}
	return p, c
}

// TestStepRunsAgreeWithCPU: the GPU batch (float32, central differences)
// ends where the plugin's runs (float64, analytic gradients) end, for every
// optimizer with a GPU step function, from a grid of starts on himmelblau.
func TestStepRunsAgreeWithCPU(t *testing.T) {
	c := testContext(t)
	s, _ := funcs.ByName("himmelblau")
	sg := s.(sdk.SurfaceWithGradient)
	var starts []float64
	for _, x := range []float64{-4, -1.5, 0.5, 2.5, 4.5} {
		for _, y := range []float64{-4, -1, 1.5, 4} {
			starts = append(starts, x, y)
		}
	}
	for _, tc := range []struct {
		name  string
		p     sdk.Params
		steps int
	}{
		{"gd", sdk.Params{"lr": 0.005}, 400},
		{"gd", sdk.Params{"lr": 0.01, "schedule": 1, "step_size": 50, "gamma": 0.5}, 300},
		{"momentum", sdk.Params{"lr": 0.002}, 400},
		{"nesterov", sdk.Params{"lr": 0.002, "schedule": 3, "t_max": 400}, 400},
		{"adam", sdk.Params{"lr": 0.05}, 600},
		{"adam", sdk.Params{"lr": 0.05, "amsgrad": 1}, 600},
		{"adamw", sdk.Params{"lr": 0.05, "weight_decay": 0.001}, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, _ := opt.ByName(tc.name)
			p, cs := consts(t, o, tc.p)
			src := o.(sdk.OptimizerWithGLSL).GLSL(p)
			if src == "" {
				t.Fatal("no GLSL")
			}
			got, loss, err := c.Evaluator().StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: tc.name, OptGLSL: src, OptConsts: cs, Starts: starts, Steps: tc.steps})
			if err != nil {
				t.Fatal(err)
			}
			want := cpuSteps(t, o, tc.p, sg, starts, tc.steps)
			for r := 0; r < len(starts)/2; r++ {
				dx, dy := float64(got[2*r])-want[2*r], float64(got[2*r+1])-want[2*r+1]
				if math.Hypot(dx, dy) > 2e-3 {
					t.Errorf("start (%g, %g): GPU %v, CPU %v", starts[2*r], starts[2*r+1], got[2*r:2*r+2], want[2*r:2*r+2])
				}
				if f := s.Loss(want[2*r : 2*r+2]); math.Abs(float64(loss[r])-f) > 1e-3*(1+math.Abs(f)) {
					t.Errorf("start %d: GPU loss %v, CPU %v", r, loss[r], f)
				}
			}
		})
	}
}

func TestStepRunsErrors(t *testing.T) {
	c := testContext(t)
	s, _ := funcs.ByName("rastrigin")
	e := c.Evaluator()
	bad := "#define NSTATE 0\nvoid step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {\n\tx[0] -= nope;\n}\n"
	_, _, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "mine", OptGLSL: bad, Starts: []float64{1, 1}, Steps: 3})
	if err == nil || !strings.Contains(err.Error(), "optimizer GLSL line 3") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("compile error %v should name optimizer GLSL line 3", err)
	}
	clash := []shaders.Const{{Name: "A", Value: 1}}
	if _, _, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "x", OptGLSL: strings.Replace(bad, "nope", "A", 1), OptConsts: clash, Starts: []float64{1, 1}, Steps: 1}); err == nil || !strings.Contains(err.Error(), "two hyperparameters are named A") {
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
	o, _ := opt.ByName("gd")
	p, cs := consts(t, o, sdk.Params{"lr": 0.25})
	src := o.(sdk.OptimizerWithGLSL).GLSL(p)
	starts := []float64{1, -2, 0.5, 0.25}
	for _, tc := range []struct {
		zero bool
		want []float64
	}{
		{false, []float64{0.125, -0.25, 0.0625, 0.03125}}, // x ← x/2 per step, exactly
		{true, starts}, // a zero gradient: the runs stay put
	} {
		got, _, err := c.Evaluator().StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: bowlGrad{tc.zero}}.Kernel(), OptName: "gd", OptGLSL: src, OptConsts: cs, Starts: starts, Steps: 3})
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
