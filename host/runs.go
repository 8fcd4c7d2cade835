package host

import (
	"context"

	"github.com/landscape-go/landscape/sdk"
)

// PathRun is one optimizer from one start.
type PathRun struct {
	Optimizer string
	Start     []float64
}

// PathResult is a PathRun's outcome.
type PathResult struct {
	PathRun
	Opt  OptEntry
	Traj *Trajectory
}

// RunPaths runs every (optimizer, start) pair for steps steps, one batch
// per optimizer with its params (see Route), and returns the results in
// the order given.
func (a *App) RunPaths(ctx context.Context, cat *Catalog, surf *Surface, params map[string]sdk.Params, runs []PathRun, steps int, seed uint64, batchSize int) ([]PathResult, error) {
	var opts []OptEntry
	byName := map[string]OptEntry{}
	for _, r := range runs {
		if _, ok := byName[r.Optimizer]; ok {
			continue
		}
		o, err := cat.LookupOptimizer(r.Optimizer)
		if err != nil {
			return nil, err
		}
		byName[r.Optimizer] = o
		opts = append(opts, o)
	}
	out := make([]PathResult, len(runs))
	for _, o := range opts {
		var idx []int
		var starts [][]float64
		for i, r := range runs {
			if r.Optimizer == o.Name {
				idx = append(idx, i)
				starts = append(starts, r.Start)
			}
		}
		trajs, err := a.Optimize(ctx, OptimizeSpec{Surface: surf, Opt: o,
			OptParams: params[o.Name], Starts: starts, Steps: steps, Seed: seed, BatchSize: batchSize})
		if err != nil {
			return nil, err
		}
		for k, i := range idx {
			out[i] = PathResult{PathRun: runs[i], Opt: o, Traj: trajs[k]}
		}
	}
	return out, nil
}
