// Command expr is the landscape plugin that serves the surface expr: a
// formula in named variables, given with --set f=..., evaluated in Go, on
// the GPU (generated GLSL) and with exact derivatives (package formula).
package main
