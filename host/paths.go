package host

import (
	"context"
	"fmt"
	"sort"
	"strings"

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

// RouteOptParams picks an optimizer's settings out of --set: "OPT.name"
// for that optimizer alone, a bare name for every optimizer that declares
// it. Bare names the surface declares are the surface's; a bare name nobody
// declares is an error listing who takes what.
func RouteOptParams(set sdk.Params, surf []sdk.Hyperparameter, opts []OptEntry) (map[string]sdk.Params, error) {
	out := map[string]sdk.Params{}
	for _, o := range opts {
		out[o.Name] = sdk.Params{}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := set[k]
		if o, name, ok := strings.Cut(k, "."); ok && o != "surface" {
			if _, known := out[o]; !known {
				return nil, fmt.Errorf("%w: --set %s: %s is not one of the optimizers here", ErrBadFlag, k, o)
			}
			out[o][name] = v
			continue
		}
		used := Declares(surf, strings.TrimPrefix(k, "surface."))
		for _, o := range opts {
			if Declares(o.Hyperparameters, k) {
				out[o.Name][k] = v
				used = true
			}
		}
		if !used {
			return nil, fmt.Errorf("%w: --set %s: neither the surface nor any of the optimizers takes %q", ErrBadFlag, k, k)
		}
	}
	return out, nil
}

// RunPaths runs every (optimizer, start) pair for steps steps, one batch
// per optimizer, and returns the results in the order given.
func (a *App) RunPaths(ctx context.Context, cat *Catalog, surf *Surface, set sdk.Params, runs []PathRun, steps int, seed uint64, batchSize int) ([]PathResult, error) {
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
	params, err := RouteOptParams(set, surf.Desc.Hyperparameters, opts)
	if err != nil {
		return nil, err
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
