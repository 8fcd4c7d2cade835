package host

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk/client"
)

// BenchOptions choose a benchmark suite; zero values take the defaults.
type BenchOptions struct {
	// Surfaces to time (default BenchSurfaces()).
	Surfaces []string
	// Res lists resolutions (default BenchRes()).
	Res []Res
	// Backends to time: "cpu", "gl" (default: every one available), and
	// "points": the grid evaluated point by point, one plugin call per
	// point, as tools that set the weights and run a forward pass per point
	// do.
	Backends []string
	// Settings are the surfaces' hyperparameters.
	Settings client.Settings
	// Reps is the number of timed runs of each case on each backend (default 5).
	Reps int
	// Log, when set, gets a line per finished round.
	Log io.Writer
}

// BenchSurfaces are the standard suite's surfaces.
func BenchSurfaces() []string {
	return []string{"ripple", "rastrigin", "rosenbrock", "ackley", "eggholder"}
}

// BenchRes are the standard suite's resolutions.
func BenchRes() []Res { return []Res{{512, 512}, {1024, 1024}, {2048, 2048}, {4096, 4096}} }

// BenchBackends are the backends Bench times: cpu and gl evaluate grids as
// eval does; points evaluates the grid point by point, one plugin call per
// point, as tools that set the weights and run a forward pass per point do.
func BenchBackends() []string { return []string{"cpu", "gl", "points"} }

// BenchResult is one case on one backend: medians over the runs.
type BenchResult struct {
	Surface    string   `json:"surface"`
	Nx         int      `json:"nx"`
	Ny         int      `json:"ny"`
	Backend    string   `json:"backend"`
	MedianMS   float64  `json:"median_ms"`
	MevalsPerS float64  `json:"mevals_per_s"`
	KernelMS   *float64 `json:"kernel_ms,omitempty"`
	ReadbackMS *float64 `json:"readback_ms,omitempty"`
	// MsamplesPerS is, for a data-driven surface, grid points × training
	// samples per second: one point's loss is a pass over every sample.
	MsamplesPerS float64 `json:"msamples_per_s,omitempty"`
	Runs         int     `json:"runs"`
}

// Bench times each surface at each resolution on each backend. Backends
// take turns within every round, so that a noisy machine disturbs them
// alike; a warm-up run (GL program builds, plugin start) is not timed.
func (a *App) Bench(ctx context.Context, o BenchOptions) ([]BenchResult, error) {
	if len(o.Surfaces) == 0 {
		o.Surfaces = BenchSurfaces()
	}
	if len(o.Res) == 0 {
		o.Res = BenchRes()
	}
	if o.Reps <= 0 {
		o.Reps = 5
	}
	backends := o.Backends
	if len(backends) == 0 {
		backends = []string{"cpu"}
		if _, err := a.GL(); err == nil {
			backends = append(backends, "gl")
		} else if o.Log != nil {
			fmt.Fprintf(o.Log, "landscape: bench: no gl backend: %s\n", UserMessage(err))
		}
	}
	for _, b := range backends {
		if !slices.Contains(BenchBackends(), b) {
			return nil, badInput("backends", "%q: accepted: %s", b, strings.Join(BenchBackends(), ", "))
		}
	}
	cat, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	type run struct {
		sc      *Scene
		backend string
		times   []time.Duration
		kernel  []time.Duration
		read    []time.Duration
	}
	var runs []*run
	for _, name := range o.Surfaces {
		for _, res := range o.Res {
			sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: name, Res: res, Settings: o.Settings})
			if err != nil {
				return nil, err
			}
			for _, b := range backends {
				if b == "gl" && sc.Desc.GLSL == "" {
					continue
				}
				runs = append(runs, &run{sc: sc, backend: b})
			}
		}
	}
	once := func(r *run) (time.Duration, compute.Timing, error) {
		var tm compute.Timing
		t0 := time.Now()
		var err error
		if r.backend == "points" {
			err = a.pointByPoint(ctx, r.sc)
		} else {
			b := BackendCPU
			if r.backend == "gl" {
				b = BackendGL
			}
			_, _, err = a.Evaluate(ctx, b, r.sc, compute.Options{Timing: &tm})
		}
		return time.Since(t0), tm, err
	}
	for _, r := range runs { // warm-up
		if _, _, err := once(r); err != nil {
			return nil, err
		}
	}
	for rep := 0; rep < o.Reps; rep++ {
		for _, r := range runs {
			d, tm, err := once(r)
			if err != nil {
				return nil, err
			}
			r.times = append(r.times, d)
			r.kernel = append(r.kernel, tm.Kernel)
			r.read = append(r.read, tm.Readback)
		}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "landscape: bench: round %d of %d done\n", rep+1, o.Reps)
		}
	}
	out := make([]BenchResult, 0, len(runs))
	for _, r := range runs {
		g := r.sc.Grid
		med := median(r.times)
		res := BenchResult{Surface: r.sc.Desc.Name, Nx: g.Nx, Ny: g.Ny, Backend: r.backend,
			MedianMS: Millis(med), MevalsPerS: float64(g.Len()) / med.Seconds() / 1e6, Runs: len(r.times)}
		if n := r.sc.Desc.Samples; n > 0 {
			res.MsamplesPerS = res.MevalsPerS * float64(n)
		}
		if r.backend == "gl" {
			k, rb := Millis(median(r.kernel)), Millis(median(r.read))
			res.KernelMS, res.ReadbackMS = &k, &rb
		}
		out = append(out, res)
	}
	return out, nil
}

// pointByPoint evaluates the scene's grid one point per plugin call, in
// order: the baseline of tools that set a model's weights and run a
// forward pass for each point.
func (a *App) pointByPoint(ctx context.Context, sc *Scene) error {
	g := sc.Grid
	theta := make([]float64, g.Dim())
	out := make([]float64, 1)
	for j := 0; j < g.Ny; j++ {
		for i := 0; i < g.Nx; i++ {
			g.Point(theta, i, j)
			if err := a.lossAt(ctx, sc.Surface, theta, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
