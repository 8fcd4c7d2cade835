package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
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

// printRuns prints a row per run.
//
// Runs on a surface with a test set add its final test loss (and a
// mini-batch run's FINAL_LOSS is its full train loss).
func printRuns(w io.Writer, sc *host.Scene, res []host.PathResult, stops []*host.Stop) {
	test := false
	for _, r := range res {
		test = test || r.Traj.Test != nil
	}
	head := fmt.Sprintf("%-16s %-18s %-24s %12s %10s %9s %6s", "OPTIMIZER", "START", "STATUS", "FINAL_LOSS", "DIST_MIN", "CONVERGED", "EVALS")
	if test {
		head += fmt.Sprintf(" %12s", "FINAL_TEST")
	}
	fmt.Fprintln(w, head)
	for i, r := range res {
		t := r.Traj
		dist := "-"
		if _, d, ok := host.Nearest(sc.Desc, t.X); ok && !math.IsNaN(d) {
			dist = fmt.Sprintf("%.3g", d)
		}
		conv := "-"
		if t.ConvergedAt >= 0 {
			conv = fmt.Sprint(t.ConvergedAt)
		}
		loss := t.Loss
		if t.Train != nil {
			loss = t.Train[len(t.Train)-1]
		}
		status := t.Status.String()
		if stops[i] != nil {
			status += " (" + stops[i].Kind.String()
			if st := stops[i]; st.Kind == critical.Saddle && st.Index > 0 {
				status += " " + strconv.Itoa(st.Index)
			}
			status += ")"
		}
		line := fmt.Sprintf("%-16s %-18s %-24s %12.6g %10s %9s %6d", r.Opt.Name, point(r.Start), status, loss, dist, conv, t.Evaluations)
		if t.Test != nil {
			line += fmt.Sprintf(" %12.6g", t.Test[len(t.Test)-1])
		}
		fmt.Fprintln(w, line)
	}
}
