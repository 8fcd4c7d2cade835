// Package glsltest checks GLSL snippets against the Go code they mirror, on
// a real GPU context (a headless OpenGL 4.3 context: EGL, or a GLFW
// invisible window):
//
//   - CheckGLSL: a surface's loss() against its Loss;
//   - CheckGrad: the gradient GPU optimizer runs use (the snippet's grad(),
//     or central differences of its loss() when it has none) against Grad;
//   - CheckStep: an optimizer's GPU step() against its Go runs.
//
// It is apart from sdktest so that plugins without GLSL need no cgo or GL
// libraries to test.
//
//	func TestGLSL(t *testing.T) {
//		glsltest.CheckGLSL(t, MySurface{})
//		glsltest.CheckGrad(t, MySurface{})
//	}
//
// Compare, CompareGrad and CompareStep are the same comparisons returning
// the disagreements instead of failing, for tests that show a broken
// snippet is caught.
//
// Without a GL context the checks skip, unless the environment variable CI
// or LANDSCAPE_REQUIRE_GL is set, where they fail: a GL check that skips in
// CI proves nothing.
package glsltest
