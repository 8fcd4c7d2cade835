package glsltest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// bowl is x² + 2y² + sin(z), NaN for z > 2.5; its GLSL is glsl.
type bowl struct{ glsl string }

func (bowl) Info() sdk.Info {
	return sdk.Info{Name: "bowl", Summary: "test", Dim: 3, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -1, Hi: 1}, {Lo: 0, Hi: 3}},
		Minima: []sdk.Minimum{{Location: []float64{0, 0, 0}, Value: 0}}}
}
func (bowl) Loss(p []float64) float64 {
	if p[2] > 2.5 {
		return math.NaN()
	}
	return p[0]*p[0] + 2*p[1]*p[1] + math.Sin(p[2])
}
func (bowl) Grad(g, p []float64) {
	if p[2] > 2.5 {
		g[0], g[1], g[2] = math.NaN(), math.NaN(), math.NaN()
		return
	}
	g[0], g[1], g[2] = 2*p[0], 4*p[1], math.Cos(p[2])
}
func (b bowl) GLSL() string { return b.glsl }

const good = "float loss() {\n\tif (P(2) > 2.5) return 0.0 / 0.0;\n\treturn P(0) * P(0) + 2.0 * P(1) * P(1) + sin(P(2));\n}\n"

// goodGrad is good with an analytic gradient.
const goodGrad = good + `void grad(out float g[DIM]) {
	if (P(2) > 2.5) {
		float nan = 0.0 / 0.0;
		g[0] = nan; g[1] = nan; g[2] = nan;
		return;
	}
	g[0] = 2.0 * P(0);
	g[1] = 4.0 * P(1);
	g[2] = cos(P(2));
}
`

func TestCheckGLSLPasses(t *testing.T) { CheckGLSL(t, bowl{good}) }

func TestCompareCatchesMistakes(t *testing.T) {
	for _, c := range []struct{ name, glsl string }{
		{"coefficient", strings.Replace(good, "2.0 *", "2.01 *", 1)},
		{"missing NaN", strings.Replace(good, "0.0 / 0.0", "1.0", 1)},
		{"swapped parameters", strings.Replace(good, "sin(P(2))", "sin(P(1))", 1)},
	} {
		problems, err := Compare(t, bowl{c.glsl}, WithPoints(500))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(problems) == 0 {
			t.Errorf("%s: a wrong snippet passed", c.name)
		}
	}
	if _, err := Compare(t, bowl{""}); err == nil {
		t.Error("no GLSL accepted")
	}
	if _, err := Compare(t, bowl{"float loss() { return undefined; }"}); err == nil || !strings.Contains(err.Error(), "GLSL line 1") {
		t.Errorf("compile error: %v", err)
	}
}

// TestCheckGradPasses: an analytic grad(), and central differences of a
// loss() without one.
func TestCheckGradPasses(t *testing.T) {
	t.Run("grad", func(t *testing.T) { CheckGrad(t, bowl{goodGrad}) })
	t.Run("central differences", func(t *testing.T) { CheckGrad(t, bowl{good}) })
}

func TestCompareGradCatchesMistakes(t *testing.T) {
	for _, c := range []struct{ name, glsl string }{
		{"coefficient", strings.Replace(goodGrad, "4.0 * P(1)", "4.04 * P(1)", 1)},
		{"swapped components", strings.Replace(goodGrad, "g[0] = 2.0 * P(0);\n\tg[1] = 4.0 * P(1);", "g[1] = 2.0 * P(0);\n\tg[0] = 4.0 * P(1);", 1)},
		{"a component left out", strings.Replace(goodGrad, "g[2] = cos(P(2));", "g[2] = 0.0;", 1)},
		{"missing NaN", strings.Replace(goodGrad, "float nan = 0.0 / 0.0;", "float nan = 0.0;", 1)},
		// Central differences of a wrong loss() disagree with Grad.
		{"loss coefficient", strings.Replace(good, "2.0 *", "2.1 *", 1)},
	} {
		if c.glsl == goodGrad || c.glsl == good {
			t.Fatalf("%s: edit not applied", c.name)
		}
		problems, err := CompareGrad(t, bowl{c.glsl})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(problems) == 0 {
			t.Errorf("%s: a wrong snippet passed", c.name)
		} else {
			t.Logf("%s: %d problems, first: %s", c.name, len(problems), problems[0])
		}
	}
	if _, err := CompareGrad(t, bowl{""}); err == nil {
		t.Error("no GLSL accepted")
	}
	if _, err := CompareGrad(t, bowl{good + "void grad(out float g[DIM]) { g[0] = nope; }\n"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("compile error: %v", err)
	}
}

// ---- optimizer steps ----

// damped is heavy-ball momentum with a step that decays as lr/√t:
// b ← μb + g, x ← x − (lr/√t)·b. Its GLSL is glsl (or damped's own when
// ""); loss-only makes it ask for two points (a method the GPU cannot run).
type damped struct {
	glsl     string
	lossOnly bool
}

func (damped) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "damped", Summary: "test", Gradient: true, Hyperparameters: []sdk.Hyperparameter{
		{Name: "lr", Doc: "learning rate", Default: 0.1, Min: 0, Max: 10},
		{Name: "mu", Doc: "momentum", Default: 0.5, Min: 0, Max: 0.99},
	}}
}

func (d damped) Start(p sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	p, err := sdk.Resolve(d.Info().Hyperparameters, p)
	if err != nil {
		return nil, err
	}
	x := slices.Clone(x0)
	return &dampedRun{x: x, pts: [][]float64{x}, b: make([]float64, len(x)), lr: p["lr"], mu: p["mu"], lossOnly: d.lossOnly}, nil
}

const dampedGLSL = `#define NSTATE DIM
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	float a = lr / sqrt(float(t));
	for (int i = 0; i < DIM; i++) {
		s[i] = mu * s[i] + g[i];
		x[i] -= a * s[i];
	}
}
`

func (d damped) GLSL(p sdk.Params) string {
	if p["lr"] > 5 {
		return "" // this configuration cannot run on the GPU
	}
	if d.glsl != "" {
		return d.glsl
	}
	return dampedGLSL
}

type dampedRun struct {
	x, b     []float64
	pts      [][]float64
	t        int
	lr, mu   float64
	lossOnly bool
}

func (r *dampedRun) Ask() ([][]float64, sdk.Need) {
	if r.lossOnly {
		return [][]float64{r.x, r.x}, sdk.NeedLoss
	}
	return r.pts, sdk.NeedGradient
}

func (r *dampedRun) Tell(_ []float64, grads [][]float64) sdk.Step {
	r.t++
	a := r.lr / math.Sqrt(float64(r.t))
	for i := range r.x {
		r.b[i] = r.mu*r.b[i] + grads[0][i]
		r.x[i] -= a * r.b[i]
	}
	return sdk.Step{X: r.x, LR: r.lr}
}

// quad is x² + 3y², with a GLSL grad() or without.
type quad struct{ analytic bool }

func (quad) Info() sdk.Info {
	return sdk.Info{Name: "quad", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -1, Hi: 1}},
		Minima: []sdk.Minimum{{Location: []float64{0, 0}, Value: 0}}}
}
func (quad) Loss(p []float64) float64 { return p[0]*p[0] + 3*p[1]*p[1] }
func (quad) Grad(g, p []float64)      { g[0], g[1] = 2*p[0], 6*p[1] }
func (q quad) GLSL() string {
	src := "float loss() { return P(0) * P(0) + 3.0 * P(1) * P(1); }\n"
	if q.analytic {
		src += "void grad(out float g[DIM]) { g[0] = 2.0 * P(0); g[1] = 6.0 * P(1); }\n"
	}
	return src
}

func TestCheckStepPasses(t *testing.T) {
	for _, c := range []struct {
		name string
		s    sdk.SurfaceWithGradient
		p    sdk.Params
		opts []Option
	}{
		{"grad", quad{true}, nil, nil},
		{"central differences", quad{false}, sdk.Params{"lr": 0.05, "mu": 0.9}, []Option{WithSteps(200)}},
		{"given starts", quad{true}, nil, []Option{WithStarts([]float64{1, 1}, []float64{-2, 0.5}), WithSteps(3)}},
		{"3-D, into a NaN region", bowl{goodGrad}, sdk.Params{"lr": 0.02}, []Option{WithSteps(50), WithStarts([]float64{1, 0.5, 1}, []float64{-1, -0.5, 2})}},
	} {
		t.Run(c.name, func(t *testing.T) { CheckStep(t, damped{}, c.p, c.s, c.opts...) })
	}
}

func TestCompareStepCatchesMistakes(t *testing.T) {
	for _, c := range []struct{ name, glsl string }{
		{"learning rate", strings.Replace(dampedGLSL, "lr / sqrt", "1.01 * lr / sqrt", 1)},
		{"step count off by one", strings.Replace(dampedGLSL, "float(t)", "float(t + 1)", 1)},
		{"state not kept", strings.Replace(dampedGLSL, "s[i] = mu * s[i] + g[i];", "s[i] = g[i];", 1)},
		{"wrong sign", strings.Replace(dampedGLSL, "x[i] -= a * s[i];", "x[i] += a * s[i];", 1)},
	} {
		problems, err := CompareStep(t, damped{glsl: c.glsl}, nil, quad{true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(problems) == 0 {
			t.Errorf("%s: a wrong step function passed", c.name)
		} else {
			t.Logf("%s: %d problems, first: %s", c.name, len(problems), problems[0])
		}
	}
	for _, c := range []struct {
		name string
		o    sdk.OptimizerWithGLSL
		p    sdk.Params
		s    sdk.SurfaceWithGradient
		want string
	}{
		{"no step function", damped{}, sdk.Params{"lr": 6}, quad{true}, "no GPU step function"},
		{"bad settings", damped{}, sdk.Params{"lr": -1}, quad{true}, "out of bounds"},
		{"no surface GLSL", damped{}, nil, noGLSL{}, "no GLSL"},
		{"compile error", damped{glsl: strings.Replace(dampedGLSL, "float a", "flot a", 1)}, nil, quad{true}, "optimizer GLSL line 3"},
		{"loss only", damped{lossOnly: true}, nil, quad{true}, "asks for 2 points"},
	} {
		_, err := CompareStep(t, c.o, c.p, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := CompareStep(t, damped{}, nil, quad{true}, WithStarts([]float64{1, 2, 3})); err == nil {
		t.Error("a start of the wrong dimension accepted")
	}
}

// noGLSL is quad without GLSL.
type noGLSL struct{}

func (noGLSL) Info() sdk.Info           { return quad{}.Info() }
func (noGLSL) Loss(p []float64) float64 { return quad{}.Loss(p) }
func (noGLSL) Grad(g, p []float64)      { quad{}.Grad(g, p) }
