package main

import (
	"testing"

	"github.com/landscape-go/landscape/sdk/sdktest"
	"github.com/landscape-go/landscape/sdk/sdktest/glsltest"
)

// TestConformance runs the SDK's conformance checks on the example surface,
// with its default hyperparameters and tilted both ways.
func TestConformance(t *testing.T) {
	sdktest.CheckSurface(t, Tilted{})
	sdktest.CheckSurface(t, Tilted{tilt: 0.5})
	sdktest.CheckSurface(t, Tilted{tilt: -1})
}

// TestGLSL checks the GLSL snippet against Loss on the GPU.
func TestGLSL(t *testing.T) {
	glsltest.CheckGLSL(t, Tilted{})
	glsltest.CheckGLSL(t, Tilted{tilt: 0.5})
	glsltest.CheckGLSL(t, Tilted{tilt: -1})
}
