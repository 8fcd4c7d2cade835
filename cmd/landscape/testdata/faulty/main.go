// Command faulty is a plugin that misbehaves on purpose, for the host's
// tests: one surface crashes the process, one has undefined regions.
package main

import (
	"math"
	"os"

	"github.com/landscape-go/landscape/sdk"
)

type crashy struct{}

func (crashy) Info() sdk.Info {
	return sdk.Info{Name: "crashy", Summary: "exits the plugin process where x > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (crashy) Loss(p []float64) float64 {
	if p[0] > 0.5 {
		os.Exit(3)
	}
	return p[0]
}

type holey struct{}

func (holey) Info() sdk.Info {
	return sdk.Info{Name: "holey", Summary: "NaN where x < 0, +Inf where y > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (holey) Loss(p []float64) float64 {
	switch {
	case p[0] < 0:
		return math.NaN()
	case p[1] > 0.5:
		return math.Inf(1)
	}
	return p[0] + p[1]
}

// GLSL gives holey's holes on the GPU too: 0/0 and 1/0.
func (holey) GLSL() string {
	return `float loss() {
	float x = P(0), y = P(1);
	if (x < 0.0) return 0.0 / 0.0;
	if (y > 0.5) return 1.0 / 0.0;
	return x + y;
}`
}

// badglsl's snippet does not compile: line 3 names nothing declared.
type badglsl struct{ holey }

func (badglsl) Info() sdk.Info {
	i := holey{}.Info()
	i.Name, i.Summary = "badglsl", "GLSL that does not compile"
	return i
}

func (badglsl) GLSL() string {
	return "float loss() {\n\tfloat x = P(0);\n\treturn x * nothing_here;\n}\n"
}

// fragile has GLSL (so the viewer shows it) and a hyperparameter (so the
// viewer's H and . keys ask the plugin to configure it), but its plugin
// exits when asked for a gradient where x > 0.5 (an optimizer started there
// crashes it; grids, which need only the loss, do not).
type fragile struct{ scale float64 }

func (f fragile) Info() sdk.Info {
	return sdk.Info{Name: "fragile", Summary: "scale·x, with GLSL; the plugin exits when asked for a gradient where x > 0.5", Dim: 2,
		Domain:          []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "scale", Doc: "slope along x", Default: f.scale, Min: 0.1, Max: 10}}}
}

func (f fragile) Loss(p []float64) float64 { return f.scale * p[0] }

func (f fragile) Grad(dst, p []float64) {
	if p[0] > 0.5 {
		os.Exit(3)
	}
	dst[0], dst[1] = f.scale, 0
}

func (fragile) Configure(p sdk.Params) (sdk.Surface, error) { return fragile{scale: p["scale"]}, nil }

func (fragile) GLSL() string { return "float loss() { return scale * P(0); }" }

// liar is an optimizer that returns a point of the wrong dimension after
// two steps.
// mislead is a data-driven surface whose GLSL reads its data buffer but
// disagrees with its Loss: the mean of the data plus x·y on the CPU, that
// plus one on the GPU.
type mislead struct{}

func (mislead) Info() sdk.Info {
	return sdk.Info{Name: "mislead", Summary: "GLSL that disagrees with Loss", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (mislead) Data() []float32 { return []float32{1, 2, 3} }

func (mislead) Loss(p []float64) float64 { return 2 + p[0]*p[1] }

func (mislead) GLSL() string {
	return `float loss() {
	float s = 0.0;
	for (int i = 0; i < NDATA; i++) s += DATA(i);
	return s / float(NDATA) + P(0) * P(1) + 1.0;
}`
}

type liar struct{}

func (liar) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "liar", Summary: "lies after two steps", Gradient: true}
}

func (liar) Start(_ sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	return &liarRun{x: x0}, nil
}

type liarRun struct {
	x []float64
	t int
}

func (r *liarRun) Ask() ([][]float64, sdk.Need) { return [][]float64{r.x}, sdk.NeedGradient }

func (r *liarRun) Tell(_ []float64, g [][]float64) sdk.Step {
	if r.t++; r.t > 2 {
		return sdk.Step{X: []float64{1, 2, 3}}
	}
	for k := range r.x {
		r.x[k] -= 0.01 * g[0][k]
	}
	return sdk.Step{X: r.x}
}

func main() {
	sdk.Serve(sdk.WithSurfaces(crashy{}, holey{}, badglsl{}, fragile{scale: 1}, mislead{}), sdk.WithOptimizers(liar{}))
}
