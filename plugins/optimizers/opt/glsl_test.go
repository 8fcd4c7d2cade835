package opt_test

import (
	"fmt"
	"testing"

	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest/glsltest"
)

// himmelblau is Himmelblau's function (x²+y−11)² + (x+y²−7)² on [-5, 5]²,
// four minima of value 0. Its GLSL defines loss() only (the GPU kernel
// takes central differences of it), or also grad() when analytic is set.
type himmelblau struct{ analytic bool }

func (himmelblau) Info() sdk.Info {
	return sdk.Info{Name: "himmelblau", Summary: "Himmelblau's function", Dim: 2,
		Domain: []sdk.Interval{{Lo: -5, Hi: 5}, {Lo: -5, Hi: 5}}}
}

func (himmelblau) Loss(p []float64) float64 {
	a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
	return a*a + b*b
}

func (himmelblau) Grad(g, p []float64) {
	a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
	g[0] = 4*p[0]*a + 2*b
	g[1] = 2*a + 4*p[1]*b
}

func (h himmelblau) GLSL() string {
	src := `float loss() {
	float a = P(0) * P(0) + P(1) - 11.0, b = P(0) + P(1) * P(1) - 7.0;
	return a * a + b * b;
}
`
	if h.analytic {
		src += `void grad(out float g[DIM]) {
	float a = P(0) * P(0) + P(1) - 11.0, b = P(0) + P(1) * P(1) - 7.0;
	g[0] = 4.0 * P(0) * a + 2.0 * b;
	g[1] = 2.0 * a + 4.0 * P(1) * b;
}
`
	}
	return src
}

// gridStarts is a 5×4 grid of starts over Himmelblau's domain.
func gridStarts() []glsltest.Option {
	var starts [][]float64
	for _, x := range []float64{-4, -1.5, 0.5, 2.5, 4.5} {
		for _, y := range []float64{-4, -1, 1.5, 4} {
			starts = append(starts, []float64{x, y})
		}
	}
	return []glsltest.Option{glsltest.WithStarts(starts...)}
}

// gpuSteps are the settings whose GPU step functions TestGLSLSteps checks.
var gpuSteps = []struct {
	name  string
	p     sdk.Params
	steps int
}{
	{"gd", sdk.Params{"lr": 0.005}, 400},
	{"gd", sdk.Params{"lr": 0.01, "schedule": 1, "step_size": 50, "gamma": 0.5}, 300},
	{"gd", sdk.Params{"lr": 0.005, "weight_decay": 0.1, "schedule": 2, "gamma": 0.995}, 300},
	{"sgd", sdk.Params{"lr": 0.002, "momentum": 0.5, "dampening": 0.3}, 400},
	{"momentum", sdk.Params{"lr": 0.002}, 400},
	{"nesterov", sdk.Params{"lr": 0.002, "schedule": 3, "t_max": 400}, 400},
	{"adam", sdk.Params{"lr": 0.05}, 600},
	{"adam", sdk.Params{"lr": 0.05, "amsgrad": 1}, 600},
	{"adam", sdk.Params{"lr": 0.05, "weight_decay": 0.01, "schedule": 3, "t_max": 300, "eta_min": 0.01}, 300},
	{"adamw", sdk.Params{"lr": 0.05, "weight_decay": 0.001}, 600},
}

// TestGLSLSteps: every GPU step function (float32, on the GPU) follows the
// Go runs (float64, analytic gradients) from a grid of starts on
// Himmelblau's function, with the kernel's central differences and with
// an analytic grad().
func TestGLSLSteps(t *testing.T) {
	for _, tc := range gpuSteps {
		t.Run(fmt.Sprintf("%s %v", tc.name, tc.p), func(t *testing.T) {
			o, _ := opt.ByName(tc.name)
			g := o.(sdk.OptimizerWithGLSL)
			opts := append(gridStarts(), glsltest.WithSteps(tc.steps), glsltest.WithTolerance(2e-4, 1e-4))
			glsltest.CheckStep(t, g, tc.p, himmelblau{}, opts...)
			glsltest.CheckStep(t, g, tc.p, himmelblau{analytic: true}, opts...)
		})
	}
}

// TestGLSLStepsCovered: every optimizer with a GPU step function for its
// defaults is in gpuSteps, and none offers one with gradient noise (the GPU
// has no random numbers).
func TestGLSLStepsCovered(t *testing.T) {
	for _, o := range opt.All() {
		name := o.Info().Name
		g, ok := o.(sdk.OptimizerWithGLSL)
		if !ok {
			continue
		}
		p, err := sdk.Resolve(o.Info().Hyperparameters, nil)
		if err != nil {
			t.Fatal(err)
		}
		if g.GLSL(p) == "" {
			continue
		}
		covered := false
		for _, tc := range gpuSteps {
			covered = covered || tc.name == name
		}
		if !covered {
			t.Errorf("%s has a GPU step function that TestGLSLSteps does not check", name)
		}
		if _, ok := p["noise"]; ok {
			p["noise"] = 0.1
			if g.GLSL(p) != "" {
				t.Errorf("%s offers a GPU step function with gradient noise", name)
			}
		}
	}
}
