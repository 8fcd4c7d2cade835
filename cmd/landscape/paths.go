package main

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
)

// pathFlags are the optimizer runs compare and render --path draw.
type pathFlags struct {
	steps int
	seed  uint64
	// batch > 0 asks for mini-batch gradients (data-driven surfaces).
	batch int
}

// pathScene routes --set between the surface and the optimizers that run
// (see host.Route) and resolves the scene of the surface's part.
func pathScene(ctx context.Context, app *host.App, sf *sceneFlags, surface string, optimizers []string) (*host.Scene, map[string]sdk.Params, error) {
	_, _, routed, err := routeSettings(ctx, app, surface, optimizers, sf.set)
	if err != nil {
		return nil, nil, err
	}
	if err := noOptimizerTexts(routed); err != nil {
		return nil, nil, err
	}
	sc, err := sf.resolve(ctx, app, surface, routed.Surface)
	return sc, routed.Optimizers, err
}

// noOptimizerTexts refuses optimizers' text settings (a grid search's
// ranges) where runs race from starts of their own: only optimize takes
// them.
func noOptimizerTexts(r host.Routed) error {
	for o, t := range r.OptimizerTexts {
		for k := range t {
			return fmt.Errorf("%w: --set %s: %s's text settings are taken by landscape optimize alone", host.ErrBadInput, k, o)
		}
	}
	return nil
}

// runPaths checks the starts against the scene and runs them, each
// optimizer with its params.
func runPaths(ctx context.Context, app *host.App, sc *host.Scene, params map[string]sdk.Params, runs []host.PathRun, pf pathFlags) ([]host.PathResult, error) {
	for i, r := range runs {
		if err := checkStart(fmt.Sprintf("start %d of %s", i+1, r.Optimizer), r.Start, sc.Desc); err != nil {
			return nil, err
		}
	}
	cat, err := app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return app.RunPaths(ctx, cat, sc.Surface, params, runs, pf.steps, pf.seed, pf.batch)
}

// optimizerNames are the optimizers runs use, each once, in order.
func optimizerNames(runs []host.PathRun) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range runs {
		if !seen[r.Optimizer] {
			seen[r.Optimizer] = true
			out = append(out, r.Optimizer)
		}
	}
	return out
}

// projected draws results on the scene's plane (axis-aligned planes only).
func projected(sc *host.Scene, res []host.PathResult, label func(host.PathResult) string) []render.Path {
	ai, aj := planeAxes(sc)
	out := make([]render.Path, len(res))
	for i, r := range res {
		p := render.Path{Label: label(r)}
		if ai < 0 { // a random, filter or PCA plane: least-squares coordinates
			pts := make([][]float64, len(r.Traj.Records))
			for k, rec := range r.Traj.Records {
				pts[k] = rec.X
			}
			g := sc.Grid
			p.Points, _ = compute.Project(pts, g.Origin, g.U, g.V)
		} else {
			for _, rec := range r.Traj.Records {
				p.Points = append(p.Points, [2]float64{rec.X[ai], rec.X[aj]})
			}
		}
		out[i] = p
	}
	return out
}
