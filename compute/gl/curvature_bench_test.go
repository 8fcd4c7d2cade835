package gl

import (
	"context"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk/grid"
)

// BenchmarkCurvatureMap1024 times a 1024² curvature map (loss, gradient
// norm and plane Hessian at every point, what `render --quantity` draws)
// of 2-D test functions on the GPU beside the loss-only grid of the same
// surface and plane, alternately in one run:
//
//	go test -run '^$' -bench CurvatureMap1024 -count 5 ./compute/gl
//
// Each grid is read back into host memory, as the commands use it.
func BenchmarkCurvatureMap1024(b *testing.B) {
	ev := testContext(b).Evaluator()
	ctx := context.Background()
	for _, name := range []string{"ripple", "rastrigin", "rosenbrock", "himmelblau"} {
		s, ok := funcs.ByName(name)
		if !ok {
			b.Fatalf("no surface %s", name)
		}
		src := compute.Local{S: s}
		d := s.Info().Domain
		g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, d[0], d[1], 1024, 1024)}
		report := func(b *testing.B) {
			b.ReportMetric(float64(g.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
		}
		b.Run(name+"/loss", func(b *testing.B) {
			for b.Loop() {
				if _, err := ev.Evaluate(ctx, src, g, compute.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
		b.Run(name+"/curvature", func(b *testing.B) {
			for b.Loop() {
				if _, err := ev.Curvatures(ctx, src.Kernel(), g, compute.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}
