package formula

import (
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk/sdktest/glsltest"
)

// TestGLSL checks every formula's generated loss() against Loss on the GPU,
// NaN regions included (NaN must match NaN).
func TestGLSL(t *testing.T) {
	t.Run("default", func(t *testing.T) { glsltest.CheckGLSL(t, New()) })
	forEachFormula(t, func(t *testing.T, s *Surface) { glsltest.CheckGLSL(t, s) })
}

// TestGLSLGrad checks every formula's generated grad() against Grad on the
// GPU.
func TestGLSLGrad(t *testing.T) {
	forEachFormula(t, func(t *testing.T, s *Surface) {
		if !strings.Contains(s.GLSL(), "void grad(out float g[DIM])") {
			t.Fatalf("no grad() in\n%s", s.GLSL())
		}
		glsltest.CheckGrad(t, s)
	})
}

// TestGLSLUndefined: where the formula is undefined the GPU gives NaN too
// (the helpers guard what GLSL leaves undefined), over domains that cross
// the edges: negative bases, logarithms and roots of negatives, asin and
// acos past ±1, min and max of NaN, atan2 at the origin, huge tanh.
func TestGLSLUndefined(t *testing.T) {
	cases := []struct{ f, domain string }{
		{"x^y", "-2:2"},
		{"pow(x, 0.5) + (-x)^(1/3)", "-1:1"},
		{"log(x) + log2(y) + log10(x*y)", "-1:3"},
		{"sqrt(x - y)", "-1:1"},
		{"asin(x) + acos(y)", "-2:2"},
		{"max(log(x), y) + min(sqrt(y), x)", "-1:2"},
		{"atan2(x, y)", "-1:1"},
		{"tanh(100*x) + tanh(x*y)", "-20:20"},
		{"x^-3 + y^4 - (x-y)^3", "-3:3"},
	}
	for _, c := range cases {
		t.Run(c.f, func(t *testing.T) {
			s := compileT(t, c.f, "x y", c.domain)
			glsltest.CheckGLSL(t, s)
			// And on the grid points where the arguments are exactly 0,
			// ±1 and the like.
			glsltest.CheckGLSL(t, compileT(t, c.f, "x y", "-2:2"), glsltest.WithPoints(500), glsltest.WithSeed(7))
		})
	}
}
