package host

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk/client"
)

// Grids are evaluated in tiles: bands of whole rows, the same cut whatever
// the backend, each one request to a plugin (or one read-back from the
// GPU). Journals record tiles, shards are runs of tiles, and a restarted
// plugin is asked for the tile it was evaluating: they all speak of the
// same tiles, which a TilePlan defines from the grid and the surface
// alone.

// TilePlan cuts a grid's Ny rows into tiles of Rows rows (the last one
// may be shorter).
type TilePlan struct {
	Nx, Ny, Rows int
}

// Bounds of a tile: at most maxTileBytes of values, and about tileWork
// multiply-adds (points × the surface's dimension × its samples), at
// least one row.
const (
	maxTileBytes = 4 << 20
	tileWork     = 1 << 28
)

// PlanTiles is the tile plan of an nx×ny grid of a surface described by
// d: rows tiles (rows > 0), or as many rows as make about tileWork
// multiply-adds of d's loss and at most 4 MiB of values (rows 0).
func PlanTiles(nx, ny int, d client.Descriptor, rows int) TilePlan {
	if rows <= 0 {
		perPoint := int64(max(d.Dim, 1)) * int64(max(d.Samples, 1))
		points := min(int64(maxTileBytes/4), max(1, tileWork/perPoint))
		rows = int(max(1, points/int64(max(nx, 1))))
	}
	return TilePlan{Nx: nx, Ny: ny, Rows: min(rows, max(ny, 1))}
}

// Count is the number of tiles.
func (p TilePlan) Count() int { return (p.Ny + p.Rows - 1) / p.Rows }

// Tile is tile i's rows: [row0, row1).
func (p TilePlan) Tile(i int) (row0, row1 int) {
	return i * p.Rows, min((i+1)*p.Rows, p.Ny)
}

// Shard is one of Count parts of a grid's tiles: part Index (from 0) of
// Count. The zero Shard is the whole grid.
type Shard struct{ Index, Count int }

// String is s as ParseShard reads it ("" for the whole grid).
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Tiles is the run of tiles [first, last) of plan that s takes: shard i
// of n takes tiles [i·T/n, (i+1)·T/n) of T. A shard count above the
// number of tiles is an InputError.
func (s Shard) Tiles(p TilePlan) (first, last int, err error) {
	t := p.Count()
	if s.Count == 0 {
		return 0, t, nil
	}
	if s.Count > t {
		return 0, 0, badInput("shard", "%s: the grid has %d tiles (of %d rows), fewer than %d shards; use at most %d shards, or fewer rows per tile", s, t, p.Rows, s.Count, t)
	}
	return s.Index * t / s.Count, (s.Index + 1) * t / s.Count, nil
}

// The environment variables --shard auto reads.
const (
	slurmTaskID    = "SLURM_ARRAY_TASK_ID"
	slurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	slurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	k8sIndex       = "JOB_COMPLETION_INDEX"
)

// ParseShard parses a shard: "i/n" (0 ≤ i < n), "auto" (a Slurm array
// task: SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN of
// SLURM_ARRAY_TASK_COUNT) or "auto/n" (the index from Slurm, or from a
// Kubernetes Indexed Job's JOB_COMPLETION_INDEX, of n), reading the
// environment through getenv.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	s = strings.TrimSpace(s)
	idx, cnt, ok := strings.Cut(s, "/")
	if idx == "auto" {
		return autoShard(cnt, ok, getenv)
	}
	if !ok {
		return Shard{}, fmt.Errorf("want i/n (shard i of n, from 0), auto (a Slurm array task) or auto/n (a Slurm array task or a Kubernetes Indexed Job's index, of n)")
	}
	i, err1 := strconv.Atoi(idx)
	n, err2 := strconv.Atoi(cnt)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("want i/n with whole numbers, such as 0/4")
	}
	return checkShard(i, n)
}

func checkShard(i, n int) (Shard, error) {
	switch {
	case n < 1:
		return Shard{}, fmt.Errorf("%d shards: want at least 1", n)
	case n > 1<<16:
		return Shard{}, fmt.Errorf("%d shards: want at most %d", n, 1<<16)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("shard %d of %d: shards are numbered from 0 to %d", i, n, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

func autoShard(cnt string, withCount bool, getenv func(string) string) (Shard, error) {
	n := -1
	if withCount {
		v, err := strconv.Atoi(cnt)
		if err != nil {
			return Shard{}, fmt.Errorf("auto/n: %q is not a whole number", cnt)
		}
		n = v
	}
	num := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return 0, false, fmt.Errorf("%s=%q is not a whole number", name, v)
		}
		return x, true, nil
	}
	id, slurm, err := num(slurmTaskID)
	if err != nil {
		return Shard{}, err
	}
	if slurm {
		lo, _, err := num(slurmTaskMin)
		if err != nil {
			return Shard{}, err
		}
		count, ok, err := num(slurmTaskCount)
		if err != nil {
			return Shard{}, err
		}
		if !ok {
			return Shard{}, fmt.Errorf("%s is set but %s is not", slurmTaskID, slurmTaskCount)
		}
		if n >= 0 && n != count {
			return Shard{}, fmt.Errorf("auto/%d: the Slurm array has %d tasks (%s)", n, count, slurmTaskCount)
		}
		if id-lo >= count {
			return Shard{}, fmt.Errorf("Slurm array task %d of %d tasks from %d: use an array without steps, such as --array=0-%d", id, count, lo, count-1)
		}
		return checkShard(id-lo, count)
	}
	id, k8s, err := num(k8sIndex)
	if err != nil {
		return Shard{}, err
	}
	switch {
	case k8s && n < 0:
		return Shard{}, fmt.Errorf("auto: a Kubernetes Indexed Job does not say its number of completions: give it, as auto/n")
	case k8s:
		return checkShard(id, n)
	}
	return Shard{}, fmt.Errorf("auto: neither %s (a Slurm array task) nor %s (a Kubernetes Indexed Job) is set", slurmTaskID, k8sIndex)
}

// RowBand is rows [Row0, Row1) of a grid's values: the whole grid, or a
// shard's part.
type RowBand struct {
	Grid       compute.Grid
	Row0, Row1 int
	Values     []float32
}

// Field is the band as a Field; it must hold the whole grid.
func (b *RowBand) Field() *compute.Field {
	return &compute.Field{Grid: b.Grid, Values: b.Values}
}

// GridWork says which tiles of a grid to evaluate and what becomes of
// them. The zero value evaluates every tile of the default plan, keeping
// nothing.
type GridWork struct {
	// TileRows, when positive, is the rows of a tile (see PlanTiles).
	TileRows int
	// Shard picks the tiles (the zero Shard: all).
	Shard Shard
	// Journal, when not nil, gives the tiles it holds and records the
	// others as they finish.
	Journal *Journal
	// Layer is the journal's layer the grid is ("loss" when empty).
	Layer string
	// Stats, when not nil, receives what was done.
	Stats *TileStats
}

// TileStats counts a grid's tiles: Tiles in the run's part of the grid,
// Resumed taken from a journal, Evaluated by this run; Requests counts
// the requests for tiles the plugin was sent (more than Evaluated when a
// restarted plugin was asked again for the tile it died on), Restarts the
// plugin restarts during the grid.
type TileStats struct {
	Tiles     int `json:"tiles"`
	Rows      int `json:"rows_per_tile"`
	Resumed   int `json:"resumed"`
	Evaluated int `json:"evaluated"`
	Requests  int `json:"requests"`
	Restarts  int `json:"restarts"`
}

// Plan is the tile plan of the scene's grid under w.
func (w GridWork) Plan(sc *Scene) TilePlan {
	return PlanTiles(sc.Grid.Nx, sc.Grid.Ny, sc.Desc, w.TileRows)
}

// EvaluateBand evaluates the tiles of the scene's grid that w asks for
// (all, or a shard's), tile by tile, with the backend asked for (as
// Evaluate), taking the tiles a journal holds from it and recording the
// others there as they finish. A plugin that crashes or hangs is
// restarted and asked again for the tile it was evaluating.
func (a *App) EvaluateBand(ctx context.Context, backend Backend, sc *Scene, o compute.Options, w GridWork) (*RowBand, Backend, error) {
	plan := w.Plan(sc)
	first, last, err := w.Shard.Tiles(plan)
	if err != nil {
		return nil, 0, err
	}
	r0, _ := plan.Tile(first)
	_, r1 := plan.Tile(last - 1)
	g := sc.Grid
	b := &RowBand{Grid: g, Row0: r0, Row1: r1, Values: make([]float32, (r1-r0)*g.Nx)}
	layer := w.Layer
	if layer == "" {
		layer = LayerLoss
	}
	st := &TileStats{Tiles: last - first, Rows: plan.Rows}
	if w.Stats != nil {
		defer func() { *w.Stats = *st }()
	}
	j := w.Journal
	if j != nil && backend == BackendAuto {
		if jb, ok := j.Backend(); ok {
			backend = jb // resume as begun
		}
	}
	restarts0 := a.Restarts()
	// run runs the tiles through tile; requests counts the requests for
	// tiles made so far (a plugin's, through sc's rowRequests; the GPU's
	// through run's own count).
	run := func(used Backend, requests func() int64, tile func(row0, row1 int, dst []float32, o compute.Options) error) error {
		if j != nil {
			if err := j.bindBackend(used); err != nil {
				return err
			}
		}
		st.Resumed, st.Evaluated = 0, 0
		r0 := requests()
		err := a.runTiles(ctx, plan, first, last, b, layer, j, st, o, tile)
		st.Requests = int(requests() - r0)
		st.Restarts = a.Restarts() - restarts0
		return err
	}
	used, err := a.withBackend(backend, func() (string, error) {
		ev, k, why, err := a.gpuFor(ctx, sc.Surface)
		if ev == nil {
			return why, err
		}
		src := sc.Surface.source(k)
		var dispatched atomic.Int64
		err = run(BackendGL, dispatched.Load, func(row0, row1 int, dst []float32, o compute.Options) error {
			dispatched.Add(1)
			if err := ev.EvaluateRows(ctx, src, g, row0, row1, dst, o); err != nil {
				return err
			}
			return a.verifyRows(ctx, sc, row0, row1, dst)
		})
		return refusal(err)
	}, func() error {
		src := sc.Surface.cpu()
		return run(BackendCPU, sc.Surface.rowRequests.Load, func(row0, row1 int, dst []float32, o compute.Options) error {
			return compute.CPU{}.EvaluateRows(ctx, src, g, row0, row1, dst, o)
		})
	})
	if j != nil {
		if jerr := j.flush(); err == nil {
			err = jerr
		}
	}
	if err != nil {
		return nil, 0, err
	}
	return b, used, nil
}

// runTiles evaluates tiles [first, last) of plan into b through tile,
// skipping those the journal j holds (taken from it) and handing each
// tile evaluated to j.
func (a *App) runTiles(ctx context.Context, plan TilePlan, first, last int, b *RowBand, layer string, j *Journal, st *TileStats, o compute.Options, tile func(row0, row1 int, dst []float32, o compute.Options) error) error {
	nx := plan.Nx
	total := len(b.Values)
	done := 0
	progress := func(n int) {
		if o.Progress != nil {
			o.Progress(n, total)
		}
	}
	for t := first; t < last; t++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %w", compute.ErrCanceled, err)
		}
		row0, row1 := plan.Tile(t)
		dst := b.Values[(row0-b.Row0)*nx : (row1-b.Row0)*nx]
		if j != nil {
			ok, err := j.read(layer, t, dst)
			if err != nil {
				return err
			}
			if ok {
				st.Resumed++
				done += len(dst)
				progress(done)
				continue
			}
		}
		to := o
		base := done
		to.Progress = func(d, _ int) { progress(base + d) }
		if err := tile(row0, row1, dst, to); err != nil {
			return err
		}
		st.Evaluated++
		done += len(dst)
		progress(done)
		if j != nil {
			if err := j.write(layer, t, row0, row1, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyRows checks rows [row0, row1) of sc's grid computed on the GPU
// (vals) at their first, middle and last points (see VerifyGPU), before
// the tile is trusted.
func (a *App) verifyRows(ctx context.Context, sc *Scene, row0, row1 int, vals []float32) error {
	g := sc.Grid
	n := (row1 - row0) * g.Nx
	pts := make([]float64, 3*g.Dim())
	gpu := make([]float32, 3)
	for i, k := range spread(n) {
		g.Point(pts[i*g.Dim():(i+1)*g.Dim()], k%g.Nx, row0+k/g.Nx)
		gpu[i] = vals[k]
	}
	return a.VerifyGPU(ctx, sc.Surface, pts, gpu)
}
