package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
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
	// Backends to time: landscape's ("cpu", "gl", and "points": the grid
	// evaluated point by point, one plugin call per point) and peers (see
	// Peers). The default is cpu and gl where available, and each
	// surface's kind of peer: numpy for an analytic surface, the PyTorch
	// peers and loss-landscape's loop for a data-driven one.
	Backends []string
	// Settings are the surfaces' hyperparameters.
	Settings client.Settings
	// Plane is the plane of every grid (the zero value: axis planes).
	Plane PlaneSpec
	// Reps is the number of timed runs of each case on each backend (default 5).
	Reps int
	// Python is the interpreter that runs the peers (default "python3").
	Python string
	// PeerPoints bounds the grid points loss-landscape's loop evaluates in
	// one run (default 256); its time is scaled to the whole grid.
	PeerPoints int
	// Commands are CLI commands (see BenchCommands) to time end to end on
	// each case with each of landscape's cpu and gl backends asked for,
	// each run a process of Exe (the landscape binary), whose peak memory
	// is reported too. They take turns with the rest; no warm-up.
	Commands []string
	Exe      string
	// Log, when set, gets a line per finished round, and one for each
	// default peer that is skipped.
	Log io.Writer
}

// BenchSurfaces are the standard suite's surfaces.
func BenchSurfaces() []string {
	return []string{"ripple", "rastrigin", "rosenbrock", "ackley", "eggholder"}
}

// BenchRes are the standard suite's resolutions.
func BenchRes() []Res { return []Res{{512, 512}, {1024, 1024}, {2048, 2048}, {4096, 4096}} }

// BenchBackends are landscape's backends Bench times: cpu and gl evaluate
// grids as eval does; points evaluates the grid point by point, one plugin
// call per point, as tools that set the weights and run a forward pass per
// point do.
func BenchBackends() []string { return []string{"cpu", "gl", "points"} }

// BenchResult is one case on one backend or peer: medians over the runs.
type BenchResult struct {
	Surface string `json:"surface"`
	Nx      int    `json:"nx"`
	Ny      int    `json:"ny"`
	Backend string `json:"backend"`
	// Peer is set for another tool's evaluation (see Peers).
	Peer bool `json:"peer,omitempty"`
	// Command, when set, is the CLI command timed end to end in a process
	// of its own (process and plugin start, evaluation, output file), and
	// PeakMiB its peak resident memory (the largest of the process's and
	// its plugins', over the runs).
	Command    string  `json:"command,omitempty"`
	PeakMiB    float64 `json:"peak_mib,omitempty"`
	MedianMS   float64 `json:"median_ms"`
	MinMS      float64 `json:"min_ms"`
	MaxMS      float64 `json:"max_ms"`
	MevalsPerS float64 `json:"mevals_per_s"`
	// Points, when set, is how many grid points a peer evaluated in each
	// run; its times are scaled from them to the whole grid.
	Points     int      `json:"points,omitempty"`
	KernelMS   *float64 `json:"kernel_ms,omitempty"`
	ReadbackMS *float64 `json:"readback_ms,omitempty"`
	// MsamplesPerS is, for a data-driven surface, grid points × training
	// samples per second: one point's loss is a pass over every sample.
	MsamplesPerS float64 `json:"msamples_per_s,omitempty"`
	// MaxRelDiff is the largest difference between this backend's grid
	// and the reference's (the cpu backend's when timed, else gl's),
	// relative to the reference's largest magnitude; unset for the
	// reference itself and for points.
	MaxRelDiff *float64 `json:"max_rel_diff,omitempty"`
	Runs       int      `json:"runs"`
	// Vs holds, for each other backend and peer of the same case, its
	// time over this one's, round by round: how many times faster this one
	// was.
	Vs map[string]BenchRatio `json:"vs,omitempty"`
}

// BenchRatio summarises per-round time ratios.
type BenchRatio struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// benchRun is one case (a scene) on one backend or peer.
type benchRun struct {
	sc      *Scene
	backend string
	peer    *peerCase
	command string
	peak    int64
	times   []time.Duration
	kernel  []time.Duration
	read    []time.Duration
	diff    *float64
}

// Bench times each surface at each resolution on each backend and peer.
// They take turns within every round, so that a noisy machine disturbs
// them alike, each after a garbage collection (the previous run's grid);
// a warm-up run (GL program builds, plugin start, the peers' set-up) is
// not timed, and its grids are checked against each other.
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
	if o.Python == "" {
		o.Python = "python3"
	}
	if o.PeerPoints <= 0 {
		o.PeerPoints = 256
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, "landscape: bench: "+format+"\n", args...)
		}
	}
	explicit := len(o.Backends) > 0
	backends := o.Backends
	if !explicit {
		backends = []string{"cpu"}
		if _, err := a.GL(); err == nil {
			backends = append(backends, "gl")
		} else {
			logf("no gl backend: %s", UserMessage(err))
		}
	}
	for _, b := range backends {
		if !slices.Contains(BenchBackends(), b) && !slices.Contains(Peers(), b) {
			return nil, badInput("backends", "%q: accepted: %s", b, strings.Join(append(BenchBackends(), Peers()...), ", "))
		}
	}
	for _, c := range o.Commands {
		if !slices.Contains(BenchCommands(), c) {
			return nil, badInput("commands", "%q: accepted: %s", c, strings.Join(BenchCommands(), ", "))
		}
	}
	if len(o.Commands) > 0 && o.Exe == "" {
		return nil, badInput("commands", "need the landscape binary to run")
	}
	cat, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	cmdDir := ""
	if len(o.Commands) > 0 {
		if cmdDir, err = os.MkdirTemp("", "landscape-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(cmdDir)
	}
	var peers *peerServer
	noPeers := false
	defer func() {
		if peers != nil {
			peers.Close()
		}
	}()
	var runs []*benchRun
	for _, name := range o.Surfaces {
		for _, res := range o.Res {
			sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: name, Res: res, Settings: o.Settings, Plane: o.Plane})
			if err != nil {
				return nil, err
			}
			want := backends
			if !explicit {
				want = append(slices.Clone(want), defaultPeers(sc)...)
			}
			for _, b := range want {
				switch {
				case b == "gl" && sc.Desc.GLSL == "":
					continue
				case !slices.Contains(Peers(), b):
					runs = append(runs, &benchRun{sc: sc, backend: b})
					continue
				case noPeers:
					continue
				}
				if peers == nil {
					if peers, err = startPeers(ctx, o.Python); err != nil {
						if explicit {
							return nil, err
						}
						logf("no peers: %s", UserMessage(err))
						noPeers = true
						continue
					}
				}
				id := strconv.Itoa(len(runs))
				dir := filepath.Join(peers.dir, fmt.Sprintf("%s-%dx%d", sc.Desc.Name, sc.Grid.Nx, sc.Grid.Ny))
				pc, err := a.loadPeerCase(ctx, peers, id, b, sc, dir, o.PeerPoints)
				if err != nil {
					if explicit {
						return nil, fmt.Errorf("%s on %s: %w", b, name, err)
					}
					logf("peer %s skipped on %s: %s", b, name, UserMessage(err))
					continue
				}
				runs = append(runs, &benchRun{sc: sc, backend: b, peer: pc})
			}
			for _, c := range o.Commands {
				for _, b := range []string{"cpu", "gl"} {
					if slices.Contains(backends, b) && (b == "cpu" || sc.Desc.GLSL != "") {
						runs = append(runs, &benchRun{sc: sc, backend: b, command: c})
					}
				}
			}
		}
	}
	once := func(r *benchRun, keep bool) (*compute.Field, time.Duration, compute.Timing, error) {
		var tm compute.Timing
		if r.command != "" {
			d, peak, err := benchCommand(ctx, o.Exe, r.command, r.backend, r.sc, o, cmdDir)
			r.peak = max(r.peak, peak)
			return nil, d, tm, err
		}
		if r.peer != nil {
			rep, err := peers.call(map[string]any{"op": "run", "id": r.peer.id})
			d := time.Duration(rep.MS * float64(time.Millisecond))
			if r.peer.points > 0 && r.peer.points < r.sc.Grid.Len() {
				d = time.Duration(float64(d) * float64(r.sc.Grid.Len()) / float64(r.peer.points))
			}
			return nil, d, tm, err
		}
		t0 := time.Now()
		var f *compute.Field
		var err error
		if r.backend == "points" {
			err = a.pointByPoint(ctx, r.sc)
		} else {
			b := BackendCPU
			if r.backend == "gl" {
				b = BackendGL
			}
			f, _, err = a.Evaluate(ctx, b, r.sc, compute.Options{Timing: &tm})
		}
		d := time.Since(t0)
		if !keep {
			f = nil
		}
		return f, d, tm, err
	}
	// Warm-up, scene by scene, checking every grid against the reference.
	for k := 0; k < len(runs); {
		sc := runs[k].sc
		end := k
		for end < len(runs) && runs[end].sc == sc {
			end++
		}
		if err := a.benchWarmUp(ctx, runs[k:end], peers, once); err != nil {
			return nil, err
		}
		k = end
	}
	for rep := 0; rep < o.Reps; rep++ {
		for _, r := range runs {
			// The previous run's grid is garbage: collect it now, so that
			// the collection falls inside no run's time.
			runtime.GC()
			_, d, tm, err := once(r, false)
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", r.backend, r.sc.Desc.Name, err)
			}
			r.times = append(r.times, d)
			r.kernel = append(r.kernel, tm.Kernel)
			r.read = append(r.read, tm.Readback)
		}
		logf("round %d of %d done", rep+1, o.Reps)
	}
	return benchResults(runs), nil
}

// defaultPeers are the peers of sc's kind: numpy for an analytic surface,
// the PyTorch peers and loss-landscape's loop for a data-driven one.
func defaultPeers(sc *Scene) []string {
	if sc.Desc.Samples > 0 {
		return []string{"torch-f32", "torch-f64", "torch-f32-mt", "torch-f64-mt", "loss-landscape"}
	}
	return []string{"numpy"}
}

// benchWarmUp runs each of one scene's runs once, untimed, and checks
// their grids against the reference: the cpu backend's grid when it is
// timed, else gl's, else one evaluated for the check.
func (a *App) benchWarmUp(ctx context.Context, runs []*benchRun, peers *peerServer,
	once func(*benchRun, bool) (*compute.Field, time.Duration, compute.Timing, error)) error {
	fields := map[string]*compute.Field{}
	for _, r := range runs {
		if r.command != "" {
			continue
		}
		f, _, _, err := once(r, true)
		if err != nil {
			return fmt.Errorf("%s on %s: %w", r.backend, r.sc.Desc.Name, err)
		}
		if f != nil {
			fields[r.backend] = f
		}
	}
	ref, refName := fields["cpu"], "cpu"
	if ref == nil {
		ref, refName = fields["gl"], "gl"
	}
	for _, r := range runs {
		if r.backend == refName || r.backend == "points" || r.command != "" {
			continue
		}
		if ref == nil {
			var err error
			if ref, _, err = a.Evaluate(ctx, BackendAuto, r.sc, compute.Options{}); err != nil {
				return err
			}
		}
		got := fields[r.backend]
		var vals []float32
		if got != nil {
			vals = got.Values
		} else {
			var err error
			if vals, err = peers.result(r.peer); err != nil {
				return fmt.Errorf("%s on %s: %w", r.backend, r.sc.Desc.Name, err)
			}
		}
		d, err := checkGrid(r.backend, vals, ref, func(k int) (float64, float64, error) { return a.roundingRange(ctx, r.sc, k) })
		if err != nil {
			return fmt.Errorf("on %s (reference: landscape's %s backend): %w", r.sc.Desc.Name, refName, err)
		}
		r.diff = &d
	}
	return nil
}

// benchResults summarises the runs, with each run's per-round ratios to
// the others of its scene.
func benchResults(runs []*benchRun) []BenchResult {
	out := make([]BenchResult, 0, len(runs))
	for _, r := range runs {
		g := r.sc.Grid
		med := median(r.times)
		res := BenchResult{Surface: r.sc.Desc.Name, Nx: g.Nx, Ny: g.Ny, Backend: r.backend, Peer: r.peer != nil,
			Command: r.command, PeakMiB: float64(r.peak) / (1 << 20),
			MedianMS: Millis(med), MinMS: Millis(slices.Min(r.times)), MaxMS: Millis(slices.Max(r.times)),
			MevalsPerS: float64(g.Len()) / med.Seconds() / 1e6, MaxRelDiff: r.diff, Runs: len(r.times)}
		if r.peer != nil && r.peer.points < g.Len() {
			res.Points = r.peer.points
		}
		if n := r.sc.Desc.Samples; n > 0 {
			res.MsamplesPerS = res.MevalsPerS * float64(n)
		}
		if r.backend == "gl" && r.command == "" && len(r.kernel) > 0 {
			k, rb := Millis(median(r.kernel)), Millis(median(r.read))
			res.KernelMS, res.ReadbackMS = &k, &rb
		}
		for _, o := range runs {
			if o == r || o.sc != r.sc || o.command != r.command {
				continue
			}
			ratios := make([]float64, len(r.times))
			for i := range ratios {
				ratios[i] = o.times[i].Seconds() / r.times[i].Seconds()
			}
			if res.Vs == nil {
				res.Vs = map[string]BenchRatio{}
			}
			res.Vs[o.backend] = BenchRatio{Median: medianF(ratios), Min: slices.Min(ratios), Max: slices.Max(ratios)}
		}
		out = append(out, res)
	}
	return out
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

func medianF(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
