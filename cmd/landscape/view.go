package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/view"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
	"github.com/spf13/cobra"
)

func viewCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf            sceneFlags
		mode          = "2d"
		colormap      = "viridis"
		logScale      bool
		levels        = 12
		width, height = 1000, 750
		screenshot    string
		frames        int
		scriptPath    string
		stats         bool
		optimizers    []string
		pf            = pathFlags{steps: 300, seed: 1}
		meps          [][2]host.Endpoint
		mf            mepFlags
	)
	c := &cobra.Command{
		Use:   "view SURFACE",
		Short: "Explore a surface in a window, evaluated on the GPU as you pan and zoom",
		Long: `Open a window showing SURFACE evaluated on the GPU at the window's own
resolution, drawn straight from the evaluation buffer. Drag to pan, scroll to
zoom (the visible region is re-evaluated: zooming into a valley shows new
detail); the point, loss and gradient under the cursor are shown. A click
starts the --optimizers from that point and animates their paths with a
legend and each one's loss. Keys: R reset, C next colormap, L log scale,
+/- contour density, V 2D/3D, N/P next/previous surface, H selects a
hyperparameter and , . lower or raise it, K shows or hides the critical
points of the view (minima blue, saddles yellow, maxima red, degenerate
gray; found again as the view changes), X clear the runs, S screenshot,
Q or Esc quit. The 3D view is a lit mesh with ticks on its axes: drag
orbits, scroll moves in, and a click starts the optimizers from the
surface's point under it; the runs are drawn on the surface, each point at
the height of its loss (the parts the surface hides faintly). --set takes
the surface's and the optimizers' hyperparameters (adam.lr=0.05).
--mep A:B draws the minimum-energy path between two points (see
'landscape path').

--screenshot out.png [--frames N] [--script file] runs without showing the
window and exits. A script has one action per line:
  ` + view.ScriptActions + `
that is: zoom by FACTOR about the centre, pan by DX DY (fractions of the
view), click at framebuffer pixel X Y (from the top left), press key NAME,
wait N frames, save the next frame to PATH, resize the window to W×H
pixels. Lines starting with # are comments. The keys' names:
  ` + strings.Join(view.KeyNames(), ", ") + `
--stats prints frame and evaluation times.

Examples:
  landscape view rastrigin
  landscape view himmelblau --optimizers sgd,adam --set sgd.lr=0.005,adam.lr=0.05
  landscape view himmelblau --script tour.txt --screenshot end.png --stats`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var script []view.Action
			if scriptPath != "" {
				f, err := sdk.OpenFile(scriptPath, 1<<20, 4096)
				if err != nil {
					return fmt.Errorf("%w: --script: %v", host.ErrBadInput, err)
				}
				script, err = view.ParseScript(f)
				f.Close()
				if err != nil {
					return err
				}
				if script == nil {
					script = []view.Action{}
				}
			}
			if screenshot != "" {
				if _, err := host.OutputFormat(screenshot, ".png"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			sc, params, err := pathScene(ctx, app, &sf, args[0], optimizers)
			if err != nil {
				return err
			}
			// surface configures the named surface, looked up afresh: the
			// plugins may have been restarted since the window opened.
			// Texts (a data file, say) stay as given on the command line.
			surface := func(name string, p sdk.Params) (*host.Surface, error) {
				s := client.Settings{Params: p}
				if name == sc.Desc.Name {
					s.Texts = sc.Settings().Texts
				}
				return configureSurface(ctx, app, name, s)
			}
			// configured is the surface a descriptor describes.
			configured := func(desc client.Descriptor) (*host.Surface, error) {
				return surface(desc.Name, host.Configured(desc.Hyperparameters).Params)
			}
			var run view.Runner
			if len(optimizers) > 0 {
				names := optimizers
				run = func(desc client.Descriptor, plane grid.Plane, start []float64) ([]view.Path, error) {
					var runs []host.PathRun
					for _, n := range names {
						runs = append(runs, host.PathRun{Optimizer: strings.TrimSpace(n), Start: start})
					}
					surf, err := configured(desc)
					res := []host.PathResult(nil)
					cur := &host.Scene{Surface: surf, Grid: compute.Grid{Plane: plane}}
					if err == nil {
						res, err = runPaths(ctx, app, cur, params, runs, pf)
					}
					if errors.Is(err, client.ErrPluginFailed) {
						// The window stays up: restart the plugins so that the
						// next click tries again.
						app.Restart()
						return nil, fmt.Errorf("%s; plugins restarted", host.UserMessage(err))
					}
					if err != nil {
						return nil, err
					}
					proj := projected(cur, res, func(r host.PathResult) string { return r.Opt.Name })
					out := make([]view.Path, len(res))
					for i, r := range res {
						out[i] = view.Path{Label: proj[i].Label, Points: proj[i].Points}
						for _, rec := range r.Traj.Records {
							out[i].Loss = append(out[i].Loss, rec.Loss)
						}
					}
					return out, nil
				}
			}
			// Every surface with GLSL and a plane's worth of parameters, for
			// the N and P keys; configure re-describes one for , and . .
			cat, err := app.Catalog(ctx)
			if err != nil {
				return err
			}
			var surfaces []client.Descriptor
			for _, e := range cat.Entries {
				if e.GLSL == "" || e.Dim < 2 || len(cat.Clashes[e.Name]) > 0 {
					continue
				}
				surfaces = append(surfaces, e.Descriptor)
			}
			configure := func(name string, p sdk.Params) (client.Descriptor, error) {
				s, err := surface(name, p)
				if err != nil {
					return client.Descriptor{}, err
				}
				return s.Desc, nil
			}
			// The GPU's kernels read the data buffer of data-driven
			// surfaces: fetched once per configuration, and again after a
			// restart.
			kernels := map[string]compute.Kernel{}
			kernel := func(desc client.Descriptor) (compute.Kernel, error) {
				key := settingsTitle(desc, host.Configured(desc.Hyperparameters))
				if k, ok := kernels[key]; ok {
					return k, nil
				}
				s, err := configured(desc)
				if err != nil {
					return compute.Kernel{}, err
				}
				k, err := app.Kernel(ctx, s)
				if err == nil {
					kernels[key] = k
				}
				return k, err
			}
			// The GPU's values of each configuration are checked against its
			// plugin before they are drawn.
			verify := func(desc client.Descriptor, pts []float64, gpu []float32) error {
				s, err := configured(desc)
				if err != nil {
					return err
				}
				return app.VerifyGPU(ctx, s, pts, gpu)
			}
			// Windows without compute shaders draw grids evaluated here.
			evalCPU := func(desc client.Descriptor, plane grid.Plane) (*compute.Field, error) {
				s, err := configured(desc)
				if err != nil {
					return nil, err
				}
				f, _, err := app.Evaluate(ctx, host.BackendCPU, &host.Scene{Surface: s, Grid: compute.Grid{Plane: plane}}, compute.Options{})
				return f, err
			}
			// K: the critical points of the view, seeded from a coarse grid.
			findCritical := func(desc client.Descriptor, plane grid.Plane) ([]view.Mark, error) {
				s, err := configured(desc)
				if err != nil {
					return nil, err
				}
				res, err := app.Critical(ctx, host.CriticalSpec{Scene: &host.Scene{Surface: s, Grid: compute.Grid{Plane: plane}}, Finer: true})
				if err != nil {
					return nil, errors.New(host.UserMessage(host.NameInputs(err, flagFor)))
				}
				var marks []view.Mark
				for _, m := range criticalMarkers(res) {
					marks = append(marks, view.Mark{X: m.X, Y: m.Y, Style: m.Style})
				}
				return marks, nil
			}
			var overlays []view.Path
			if len(meps) > 0 {
				mp, _, err := mepPaths(ctx, app, sc, meps, mf, stderr)
				if err != nil {
					return err
				}
				for _, p := range mp {
					overlays = append(overlays, view.Path{Label: p.Label, Points: p.Points})
				}
			}
			hidden := screenshot != "" || script != nil
			res, err := view.Run(ctx, view.Options{Desc: sc.Desc, Plane: sc.Grid.Plane, Colormap: colormap, Log: logScale,
				Levels: levels, Width: width, Height: height, Script: script, Frames: frames, Screenshot: screenshot, Hidden: hidden, Out: stderr, Run: run,
				ThreeD: mode == "3d", Surfaces: surfaces, Configure: configure, Kernel: kernel, Verify: verify, EvalCPU: evalCPU,
				Critical: findCritical, Overlays: overlays})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "view: x %g:%g, y %g:%g after %d frames\n", res.X.Lo, res.X.Hi, res.Y.Lo, res.Y.Hi, res.Frames)
			if stats {
				fm, f95 := view.Stats(res.FrameMS)
				em, e95 := view.Stats(res.EvalMS)
				fmt.Fprintf(stdout, "frames: %d, median %.2f ms, 95th percentile %.2f ms\n", res.Frames, fm, f95)
				fmt.Fprintf(stdout, "evaluations: %d, median %.2f ms, 95th percentile %.2f ms\n", len(res.EvalMS), em, e95)
			}
			return nil
		},
	}
	sf.register(c, 2)
	c.Flags().MarkHidden("res") // the window's size is the resolution
	fl := c.Flags()
	fl.Var(choiceFlag{&mode, []string{"2d", "3d"}}, "view", "starting view: 2d (heatmap) or 3d (lit surface mesh)")
	fl.Var(colormapFlag{&colormap}, "colormap", "colormap name")
	fl.BoolVar(&logScale, "log", false, "colour by log10(loss - min + eps)")
	fl.Var(intRange{&levels, 0, 1000}, "levels", "contour lines")
	fl.Var(intRange{&width, 1, 8192}, "width", "window width")
	fl.Var(intRange{&height, 1, 8192}, "height", "window height")
	fl.StringVar(&screenshot, "screenshot", "", "save the last frame to this .png and exit")
	fl.Var(intRange{&frames, 0, 1_000_000}, "frames", "frames to render before exiting (with --screenshot)")
	fl.StringVar(&scriptPath, "script", "", "run this interaction script, then exit")
	fl.BoolVar(&stats, "stats", false, "print frame and evaluation times")
	fl.Var(listFlag{&optimizers}, "optimizers", "comma-separated optimizers a click starts from the clicked point")
	fl.Var(intRange{&pf.steps, 1, 1_000_000}, "steps", "steps of each clicked run")
	fl.Uint64Var(&pf.seed, "seed", 1, "seed of the optimizers' randomness")
	fl.Var(endpointsFlag{&meps}, "mep", "draw the minimum-energy path between two points: A:B, each minK, x0,x1,... or a file (repeat)")
	mf.register(c, "mep-")
	return c
}
