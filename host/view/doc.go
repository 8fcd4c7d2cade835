// Package view is landscape's desktop viewer: a GLFW window that evaluates
// the visible region of a surface on the GPU at the window's resolution and
// draws it straight from the evaluation buffer. Run is the entry point; the
// viewer type behind it opens the window, sets up its GL objects, applies
// typed script actions (ParseScript), re-evaluates, draws and captures, all
// GL through compute/gl's drawing helpers.
package view
