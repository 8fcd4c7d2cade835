package host

import (
	"context"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/sdk"
)

// BenchmarkTopology times the topology analyses through a plugin served
// in this process (docs/benchmarks.md): every critical point of rastrigin
// on its domain from a 256² grid, the minimum-energy path between two of
// himmelblau's minima, and the one between two MLPs trained by Adam from
// different random starts (42 parameters, the moons dataset).
func BenchmarkTopology(b *testing.B) {
	a, cat := topology(b)
	ctx := context.Background()
	b.Run("critical-rastrigin-256", func(b *testing.B) {
		sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "rastrigin", Res: Res{Nx: 256, Ny: 256}})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := a.Critical(ctx, CriticalSpec{Scene: sc})
			if err != nil || len(res.Points) != 441 {
				b.Fatal(err)
			}
		}
	})
	b.Run("path-himmelblau", func(b *testing.B) {
		e, _ := cat.Lookup("himmelblau")
		s, err := a.Configure(ctx, e, Configured(e.Hyperparameters))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			m, err := a.MinimumPath(ctx, MEPSpec{Surface: s, From: Endpoint{Minimum: 0}, To: Endpoint{Minimum: 1}})
			if err != nil || m.Saddle == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("path-mlp", func(b *testing.B) {
		var mlp sdk.Surface
		for _, s := range model.All() {
			if s.Info().Name == "mlp" {
				mlp = s
			}
		}
		adam, _ := opt.ByName("adam")
		m := inProcess(b, sdk.WithSurfaces(mlp), sdk.WithOptimizers(adam))
		mcat, err := m.Catalog(ctx)
		if err != nil {
			b.Fatal(err)
		}
		e, _ := mcat.Lookup("mlp")
		s, err := m.Configure(ctx, e, Configured(e.Hyperparameters))
		if err != nil {
			b.Fatal(err)
		}
		o, _ := mcat.LookupOptimizer("adam")
		var ends [2][]float64
		for i := range ends {
			start := make([]float64, s.Desc.Dim)
			for k, v := range compute.RandomDirection(s.Desc.Dim, uint64(i+1)) {
				start[k] = 0.5 * v
			}
			trajs, err := m.Optimize(ctx, OptimizeSpec{Surface: s, Opt: o, OptParams: sdk.Params{"lr": 0.01}, Starts: [][]float64{start}, Steps: 3000})
			if err != nil {
				b.Fatal(err)
			}
			ends[i] = trajs[0].X
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := m.MinimumPath(ctx, MEPSpec{Surface: s, From: Endpoint{X: ends[0], Minimum: -1}, To: Endpoint{X: ends[1], Minimum: -1}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
