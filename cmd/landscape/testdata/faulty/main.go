// Command faulty is a plugin that misbehaves on purpose, for the host's
// tests: one surface crashes the process, one has undefined regions.
package main

import (
	"math"
	"os"

	"github.com/landscape-go/landscape/sdk"
)

type crashy struct{}

func (crashy) Info() sdk.Info {
	return sdk.Info{Name: "crashy", Summary: "exits the plugin process where x > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (crashy) Loss(p []float64) float64 {
	if p[0] > 0.5 {
		os.Exit(3)
	}
	return p[0]
}

type holey struct{}

func (holey) Info() sdk.Info {
	return sdk.Info{Name: "holey", Summary: "NaN where x < 0, +Inf where y > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (holey) Loss(p []float64) float64 {
	switch {
	case p[0] < 0:
		return math.NaN()
	case p[1] > 0.5:
		return math.Inf(1)
	}
	return p[0] + p[1]
}

func main() { sdk.Serve(sdk.WithSurfaces(crashy{}, holey{})) }
