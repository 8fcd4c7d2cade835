// Package gl is landscape's OpenGL core: contexts (EGL headless, or a GLFW
// window, visible or not), the OS thread that makes every GL call of a
// context (its own for EGL, the main thread for GLFW under Main), compute
// programs, buffers and dispatch, the GPU Evaluator, and the drawing
// helpers (textures, vertex arrays, uniforms, draw calls, read-back, and
// passes that put back the GL state they change) through which the viewer
// draws. No other package creates GL contexts or threads for GL, or makes GL
// calls of its own.
package gl
