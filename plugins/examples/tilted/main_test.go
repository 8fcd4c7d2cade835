package main

import (
	"testing"

	"github.com/landscape-go/landscape/sdk/sdktest"
)

// TestConformance runs the SDK's conformance checks on the example surface,
// with its default hyperparameters and tilted both ways.
func TestConformance(t *testing.T) {
	sdktest.CheckSurface(t, Tilted{})
	sdktest.CheckSurface(t, Tilted{tilt: 0.5})
	sdktest.CheckSurface(t, Tilted{tilt: -1})
}
