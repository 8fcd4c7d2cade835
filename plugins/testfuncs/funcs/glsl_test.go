package funcs

import (
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest/glsltest"
)

// TestGLSL checks every surface's GLSL against its Loss on the GPU, with
// the defaults and with the hyperparameters (GLSL constants) changed.
func TestGLSL(t *testing.T) {
	forEachSurface(t, func(t *testing.T, s sdk.Surface) { glsltest.CheckGLSL(t, s) })
}

// TestGLSLGrad checks, for every surface with a gradient, the gradient GPU
// optimizer runs use (central differences of its GLSL loss(): no snippet
// here defines grad()) against Grad.
func TestGLSLGrad(t *testing.T) {
	forEachSurface(t, func(t *testing.T, s sdk.Surface) {
		g, ok := s.(sdk.SurfaceWithGradient)
		if !ok {
			t.Skip("no gradient")
		}
		glsltest.CheckGrad(t, g)
	})
}
