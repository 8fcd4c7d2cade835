// Package shaders holds landscape's GLSL templates, embedded with go:embed
// (go:embed cannot reach outside its package, so others import this one).
package shaders
