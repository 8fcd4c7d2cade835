package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

// sceneFlags are the flags eval and render share.
type sceneFlags struct {
	res        host.Res
	rng        *[2]sdk.Interval
	rngText    string
	at         []float64
	atText     string
	axes       [2]int
	maxBytes   int64
	backend    host.Backend
	plane      host.PlaneKind
	planeSeed  uint64
	filterBias host.FilterBias
	trajectory trajectoryFlag
	dirs       dirsFlag
	dirVecs    [2][]float64
	extremes   string
	set        client.Settings
	// test asks run to evaluate the test loss too, when the surface has a
	// train/test split.
	test bool
	// quantity is what the map shows (see registerQuantity), fullHessian
	// whether its curvature is the full Hessian's rather than the plane's.
	quantity    compute.Quantity
	fullHessian bool
	seed        uint64
	// work is what the command does with the grid, for --max-memory.
	work host.Workload
	// grid are eval's journal and shard flags.
	grid gridFlags
}

// registerQuantity adds --quantity (eval and render).
func (f *sceneFlags) registerQuantity(c *cobra.Command) {
	c.Flags().Var(quantityFlag{&f.quantity}, "quantity", "what the map shows: "+strings.Join(compute.Quantities(), ", ")+
		" (the curvature quantities are of the Hessian restricted to the plane, the full Hessian for an axis plane of a 2-D surface)")
	c.Flags().BoolVar(&f.fullHessian, "full-hessian", false, "min-eig, max-eig and eig-ratio of the full Hessian at every point, by Lanczos (CPU, point by point), not of the plane's")
	c.Flags().Uint64Var(&f.seed, "lanczos-seed", 1, "seed of --full-hessian's Lanczos starts")
}

func (f *sceneFlags) register(c *cobra.Command, defRes int) {
	fl := c.Flags()
	f.res, f.axes, f.maxBytes, f.planeSeed = host.Res{Nx: defRes, Ny: defRes}, [2]int{0, 1}, host.DefaultMaxBytes, 1
	fl.Var(resFlag{&f.res}, "res", "grid resolution: N (square) or NXxNY, each 2 to 65536")
	fl.Var(rangeFlag{&f.rng, &f.rngText}, "range", "x0:x1,y0:y1 (default: the surface's domain; lo:hi for a surface of one parameter); both ends are grid points")
	fl.Var(settingsFlag{&f.set}, "set", "hyperparameter name=value (repeat, or comma-separate)")
	fl.Var(pointFlag{&f.at, &f.atText}, "at", "point the plane goes through: one value per parameter, or a trajectory/.npy file (N-dimensional surfaces)")
	fl.Var(axesFlag{&f.axes}, "axes", "the two parameter indices that vary")
	fl.Var(bytesFlag{&f.maxBytes}, "max-memory", "refuse work that would hold more memory than this (the grid, its buffers, images, runs)")
	fl.Var(backendFlag{&f.backend}, "backend", "auto (GPU when possible, else CPU), gl or cpu")
	fl.Var(planeFlag{&f.plane}, "plane", "the plane: axis (--axes vary), random or filter (seeded Gaussian directions through --at; filter rescales them per filter, Li et al. 2018), pca (of --trajectory), dirs (--dirs through --at), hessian (the Hessian's eigenvectors at --at, see --hessian-dirs)")
	fl.Uint64Var(&f.planeSeed, "plane-seed", 1, "seed of random and filter directions")
	fl.Var(filterBiasFlag{&f.filterBias}, "filter-bias", filterBiasUsage)
	fl.Var(&f.trajectory, "trajectory", "trajectory file (.csv or .json from 'landscape optimize -o') whose principal plane --plane pca shows")
	f.dirs.v = &f.dirVecs
	fl.Var(&f.dirs, "dirs", "the directions of --plane dirs: two vector files, u.npy,v.npy (a trajectory's last point or FILE@K too)")
	f.extremes = "top"
	fl.Var(choiceFlag{&f.extremes, []string{"top", "top,bottom"}}, "hessian-dirs", "the eigenvectors of --plane hessian: of the two largest eigenvalues (top) or of the largest and the smallest (top,bottom)")
}

// spec is the scene the flags ask for, of surface configured with
// settings (the surface's part of --set).
func (f *sceneFlags) spec(surface string, settings client.Settings) host.SceneSpec {
	w := f.work
	w.Test = w.Test || f.test
	if f.quantity != compute.QLoss {
		w.Maps++ // the quantity's map beside the loss
	}
	return host.SceneSpec{Surface: surface, Settings: settings, Res: f.res, Range: f.rng, MaxBytes: f.maxBytes, Work: w,
		Plane: host.PlaneSpec{Kind: f.plane, Axes: f.axes, At: f.at, Seed: f.planeSeed, FilterBias: f.filterBias, Trajectory: f.trajectory.pts, Dirs: f.dirVecs, Extremes: f.extremes == "top,bottom"}}
}

// resolve turns the flags into a scene of surface configured with
// settings.
func (f *sceneFlags) resolve(ctx context.Context, app *host.App, surface string, settings client.Settings) (*host.Scene, error) {
	// The collector keeps the heap near the budget too.
	debug.SetMemoryLimit(f.maxBytes + 256<<20)
	cat, err := app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return app.ResolveScene(ctx, cat, f.spec(surface, settings))
}

// job is an evaluated scene with its output file open (not yet committed).
type job struct {
	scene *host.Scene
	out   *host.OutFile
	field *compute.Field
	// test is the test loss on the same grid, when asked for and the
	// surface has a test set.
	test *compute.Field
	// quantity is the map of sceneFlags.quantity when it is not the loss
	// (field then holds the loss), and method how its Hessians were
	// obtained.
	quantity *compute.Field
	method   string
	dur      time.Duration
	backend  host.Backend
	timing   compute.Timing
	// grid is the tiles' work: the journal, the shard and its bands.
	grid *gridRun
}

// run resolves the scene, opens the output (and, through open, any other
// output) before the work so that an unwritable path fails at once, and
// evaluates the grid with a progress bar on a terminal. On error nothing is
// left behind.
func (f *sceneFlags) run(ctx context.Context, app *host.App, surface string, settings client.Settings, out string, stderr io.Writer, open func() error) (*job, error) {
	sc, err := f.resolve(ctx, app, surface, settings)
	if err != nil {
		return nil, err
	}
	if sc.PCA != nil {
		fmt.Fprintf(stderr, "landscape: pca: explained variance %.1f%% (pc1) and %.1f%% (pc2)\n", 100*sc.PCA.Explained[0], 100*sc.PCA.Explained[1])
	}
	of, err := host.CreateOutput(ctx, out)
	if err != nil {
		return nil, err
	}
	if open != nil {
		if err := open(); err != nil {
			of.Abort()
			return nil, err
		}
	}
	update, stop := host.Progress(stderr, sc.Desc.Name, sc.Grid.Len())
	start := time.Now()
	var tm compute.Timing
	o := compute.Options{Progress: update, Timing: &tm}
	var (
		field, quantity *compute.Field
		backend         host.Backend
		method          string
	)
	switch {
	case f.fullHessian && (!compute.FullQuantity(f.quantity) || !f.quantity.Curvature()):
		err = usageError{fmt.Errorf("--full-hessian goes with --quantity min-eig, max-eig or eig-ratio (the full Hessian's extreme eigenvalues), not %s", f.quantity)}
	case f.fullHessian:
		var c *compute.Curvatures
		var warnings []string
		backend = host.BackendCPU
		if c, warnings, err = app.FullCurvatures(ctx, sc, f.seed, o); err == nil {
			field, quantity, method = c.Field(compute.QLoss), c.Field(f.quantity), c.Method
			for _, w := range warnings {
				fmt.Fprintln(stderr, "landscape: note: "+w)
			}
		}
	case f.quantity == compute.QLoss:
		var gr *gridRun
		if gr, err = f.grid.start(ctx, app, sc, out, stderr, f.test); err == nil {
			backend, err = gr.evaluate(ctx, app, f.backend, sc, o)
			field = gr.field()
		}
		if err != nil {
			stop()
			of.Abort()
			return nil, gr.fail(err)
		}
		stop()
		return &job{scene: sc, out: of, field: field, test: gr.test(), dur: time.Since(start), backend: backend, timing: tm, grid: gr}, nil
	default:
		var c *compute.Curvatures
		if c, backend, err = app.Curvatures(ctx, f.backend, sc, o); err == nil {
			field, quantity, method = c.Field(compute.QLoss), c.Field(f.quantity), c.Method
		}
	}
	stop()
	if err != nil {
		of.Abort()
		return nil, err
	}
	j := &job{scene: sc, out: of, field: field, quantity: quantity, method: method, dur: time.Since(start), backend: backend, timing: tm}
	if f.test && quantity == nil {
		ts, ok, err := app.TestSet(ctx, sc.Surface)
		if err == nil && ok {
			tsc := *sc
			tsc.Surface = ts
			j.test, _, err = app.Evaluate(ctx, backend, &tsc, compute.Options{})
		}
		if err != nil {
			of.Abort()
			return nil, fmt.Errorf("test loss: %w", err)
		}
	}
	return j, nil
}

func evalCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf      sceneFlags
		tf      statsFlags
		noStats bool
		out     string
		summary string
	)
	c := &cobra.Command{
		Use:   "eval SURFACE -o OUT.npy|OUT.npz|OUT.csv|OUT.vts",
		Short: "Evaluate a surface on a grid and write the array",
		Long: `Evaluate SURFACE on a grid and write it as NumPy .npy (float32, shape
(ny, nx), row-major y-by-x, row 0 at the low end of y, NaN where undefined),
as NumPy .npz (loss, test_loss when the surface has a test set, the axes x
and y, and the plane's origin, u and v), as .csv (x,y,loss[,test_loss] rows)
or as a VTK structured grid .vts for ParaView (the same arrays). Grid points
include both ends of each range, as numpy.linspace does: column i of an
nx-wide grid sits at x0 + i*(x1-x0)/(nx-1).

Planes: --plane axis (default) varies the --axes parameters through --at;
random and filter take two seeded Gaussian directions through --at (filter
rescales each filter of each direction to the norm of the same filter of
--at and zeroes the biases' directions, exactly as Li et al. 2018's
loss-landscape does with ignore='biasbn'; --filter-bias copy sets them to
--at's biases, rescale treats them as filters); pca takes the first two principal directions
of an optimizer trajectory (--trajectory), through its last point. --at
takes numbers or a file: a trajectory's last point, or a .npy vector.

--summary also holds the stats block of 'landscape stats' (roughness with
--sigma, the share of the plane where the Hessian is positive definite, the
counts of critical points, and profiles along --dir), unless --no-stats.

Examples:
  landscape eval ripple -o ripple.npy
  landscape eval rastrigin --res 1024x768 --range -3:3,-2:2 --set A=5 -o r.npy --summary r.json
  landscape eval rosenbrock --set dim=4 --at 0,0,1,1 --axes 0,1 -o slice.csv
  landscape eval mlp --set split=0.3 --plane filter --at trained.csv -o mlp.vts`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t0 := time.Now()
			if out == "" {
				return usageError{fmt.Errorf("eval needs -o OUT.npy, OUT.npz, OUT.csv or OUT.vts (OUT.shard with --shard)")}
			}
			if err := sf.grid.check(cmd, &sf, out, summary); err != nil {
				return err
			}
			format, _ := host.OutputFormat(out, append(host.GridFormats(), host.ShardFormat)...)
			if summary != "" && summary != "-" {
				if _, err := host.OutputFormat(summary, ".json"); err != nil {
					return err
				}
			}
			var sumf *host.OutFile
			defer func() {
				if sumf != nil {
					sumf.Abort()
				}
			}()
			j, err := sf.run(cmd.Context(), app, args[0], sf.set, out, stderr, func() (err error) {
				if summary != "" && summary != "-" {
					sumf, err = host.CreateOutput(cmd.Context(), summary)
				}
				return err
			})
			if err != nil {
				return err
			}
			defer j.out.Abort()
			committed := false
			defer func() {
				if committed {
					j.grid.done()
				} else {
					j.grid.close()
				}
			}()
			of, sc, f, dur := j.out, j.scene, j.field, j.dur
			if sf.grid.shard.Count > 0 {
				if err := host.WriteShard(of, j.grid.id, sf.grid.shard, j.backend, j.grid.bands); err != nil {
					return fmt.Errorf("writing %s: %w", out, err)
				}
				err := of.Commit()
				committed = err == nil
				return err
			}
			var extra []host.NamedField
			if j.test != nil {
				extra = append(extra, host.NamedField{Name: "test_loss", Values: j.test.Values})
			}
			main := f
			if j.quantity != nil {
				// .npy holds the map alone; the others the loss beside it.
				if format == ".npy" {
					main = j.quantity
				} else {
					extra = append(extra, host.NamedField{Name: strings.ReplaceAll(sf.quantity.String(), "-", "_"), Values: j.quantity.Values})
				}
			}
			host.Announce(stderr, out, host.GridBytes(format, f.Grid.Nx, f.Grid.Ny, len(extra)))
			if err = host.WriteGrid(of, format, main, extra...); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			var st *host.StatsReport
			if summary != "" && !noStats {
				spec := tf.spec(&sf, sc, f)
				spec.Backend = j.backend // the backend that evaluated the grid
				if st, err = app.Stats(cmd.Context(), spec); err != nil {
					return fmt.Errorf("stats: %w", err)
				}
			}
			s := host.NewSummary(sc, j.backend, f, dur, time.Since(t0))
			if j.quantity != nil {
				s.AddQuantity(sf.quantity.String(), j.method, j.quantity)
			}
			s.Timing.KernelMS, s.Timing.ReadbackMS = host.Millis(j.timing.Kernel), host.Millis(j.timing.Readback)
			s.Stats = st
			if j.grid != nil {
				s.Tiles = &j.grid.tiles
			}
			if summary == "-" {
				if err := host.WriteJSON(stdout, s); err != nil {
					return err
				}
			} else if sumf != nil {
				if err := host.WriteJSON(sumf, s); err != nil {
					return err
				}
				if err := sumf.Commit(); err != nil {
					return err
				}
			}
			err = of.Commit()
			committed = err == nil
			return err
		},
	}
	sf.register(c, 512)
	sf.registerQuantity(c)
	sf.grid.register(c)
	sf.test = true
	c.Flags().StringVarP(&out, "output", "o", "", "output file: .npy, .npz, .csv or .vts (.shard with --shard)")
	c.Flags().StringVar(&summary, "summary", "", "also write a JSON summary (min, max, argmin, range, timing, and the stats block of 'landscape stats') to this .json file, or - for stdout")
	tf.register(c)
	c.Flags().BoolVar(&noStats, "no-stats", false, "leave the stats block out of --summary")
	return c
}
