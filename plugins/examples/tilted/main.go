package main

import (
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// Tilted is a tilted cosine valley: (x−1)²/4 + y² + tilt·x + 0.3·(1−cos 3y).
type Tilted struct{ tilt float64 }

// Every optional capability is checked at compile time.
var (
	_ sdk.SurfaceWithGradient  = Tilted{}
	_ sdk.SurfaceWithConfigure = Tilted{}
	_ sdk.SurfaceWithGLSL      = Tilted{}
)

// Info describes the surface as configured.
func (t Tilted) Info() sdk.Info {
	// ∂/∂x: (x−1)/2 + tilt = 0 gives x = 1 − 2·tilt; y = 0.
	x := 1 - 2*t.tilt
	return sdk.Info{
		Name:    "tilted",
		Summary: "a tilted valley with cosine ripples across it (example plugin)",
		Dim:     2,
		Domain:  []sdk.Interval{{Lo: -3, Hi: 5}, {Lo: -2, Hi: 2}},
		Hyperparameters: []sdk.Hyperparameter{
			{Name: "tilt", Doc: "slope added along x", Default: t.tilt, Min: -1, Max: 1},
		},
		Minima: []sdk.Minimum{{Location: []float64{x, 0}, Value: t.Loss([]float64{x, 0})}},
	}
}

// Loss is the float64 reference.
func (t Tilted) Loss(p []float64) float64 {
	x, y := p[0], p[1]
	return (x-1)*(x-1)/4 + y*y + t.tilt*x + 0.3*(1-math.Cos(3*y))
}

// Grad is the analytic gradient.
func (t Tilted) Grad(dst, p []float64) {
	x, y := p[0], p[1]
	dst[0] = (x-1)/2 + t.tilt
	dst[1] = 2*y + 0.9*math.Sin(3*y)
}

// Configure returns the surface with its hyperparameters set; the SDK has
// already filled defaults and checked bounds.
func (Tilted) Configure(p sdk.Params) (sdk.Surface, error) {
	return Tilted{tilt: p["tilt"]}, nil
}

// GLSL is Loss for the GPU, in float32: P(i) is parameter i, and each
// hyperparameter is a constant of its name.
func (Tilted) GLSL() string {
	return `float loss() {
	float x = P(0), y = P(1);
	return (x - 1.0) * (x - 1.0) / 4.0 + y * y + tilt * x + 0.3 * (1.0 - cos(3.0 * y));
}`
}

func main() { sdk.Serve(sdk.WithSurfaces(Tilted{})) }
