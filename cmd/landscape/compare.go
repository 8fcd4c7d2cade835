package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/spf13/cobra"
)

func compareCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf            sceneFlags
		pf            = pathFlags{steps: 1000, seed: 1}
		optimizers    []string
		starts        [][]float64
		out           string
		animOut       string
		width, height = 1600, 700
		logScale      bool
		colormap      = "viridis"
	)
	c := &cobra.Command{
		Use:   "compare SURFACE --optimizers a,b,... -o cmp.png",
		Short: "Race optimizers from the same starts: paths, loss curves and a table",
		Long: `Run every optimizer from every start and draw one image: the paths over the
surface's contour plot (with a legend) and the loss per step on a log scale;
print a table of final loss, distance to the nearest known minimum, the step
of convergence and the evaluations used.

` + animateHelp + ` The GIF is half the image's width (--width/2 × --height).

--set takes the surface's hyperparameters and the optimizers' (a bare name
goes to every optimizer that takes it; adam.lr=0.01 to adam alone).

Examples:
  landscape compare rosenbrock --optimizers gd,momentum,adam,rmsprop --start -1.5,2 --steps 2000 -o cmp.png
  landscape compare himmelblau --optimizers sgd,adam --start 0,0 --start -1,-1 --set sgd.lr=0.005,adam.lr=0.05 -o h.png
  landscape compare himmelblau --optimizers gd,momentum,adam --start -1,-1 --steps 300 --set adam.lr=0.05 --animate race.gif`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(optimizers) == 0 {
				return usageError{fmt.Errorf("compare needs --optimizers a,b,... (see 'landscape optimizers')")}
			}
			if out == "" && animOut == "" {
				return usageError{fmt.Errorf("compare needs -o OUT.png or --animate OUT.gif")}
			}
			if out != "" {
				if _, err := host.OutputFormat(out, ".png"); err != nil {
					return err
				}
			}
			if animOut != "" {
				if _, err := host.OutputFormat(animOut, ".gif"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			sf.work = host.Workload{ImageW: width, ImageH: height}
			sc, params, err := pathScene(ctx, app, &sf, args[0], optimizers)
			if err != nil {
				return err
			}
			xs := starts
			if len(xs) == 0 {
				xs = [][]float64{defaultStart(sc.Desc)}
			}
			var runs []host.PathRun
			for _, o := range optimizers {
				for _, x := range xs {
					runs = append(runs, host.PathRun{Optimizer: o, Start: x})
				}
			}
			var of *host.OutFile
			if out != "" {
				if of, err = host.CreateOutput(ctx, out); err != nil {
					return err
				}
				defer of.Abort()
			}
			af, err := openAnimation(ctx, animOut, sc.Desc)
			if err != nil {
				return err
			}
			if af != nil {
				defer af.Abort()
			}
			res, err := runPaths(ctx, app, sc, params, runs, pf)
			if err != nil {
				return err
			}
			trajs := make([]*host.Trajectory, len(res))
			for i, r := range res {
				trajs[i] = r.Traj
			}
			stops, err := app.ClassifyStops(ctx, sc.Surface, trajs)
			if err != nil {
				return err
			}
			printRuns(stdout, sc, res, stops)
			f, _, err := app.Evaluate(ctx, sf.backend, sc, compute.Options{})
			if err != nil {
				return err
			}
			label := func(r host.PathResult) string {
				if len(xs) > 1 {
					return r.Opt.Name + " from " + point(r.Start)
				}
				return r.Opt.Name
			}
			var curves []render.Curve
			for _, r := range res {
				c := render.Curve{Label: label(r)}
				for _, rec := range r.Traj.Records {
					l := rec.Loss
					if rec.Best != nil { // a walk races by its best loss so far
						l = rec.BestLoss
					}
					c.Loss = append(c.Loss, l)
				}
				if r.Traj.Train != nil { // mini-batch runs: the full train loss
					c.Loss = r.Traj.Train
				}
				c.Test = r.Traj.Test
				curves = append(curves, c)
			}
			o := render.Options{Width: width, Height: height, Log: logScale, Colormap: colormap,
				Title: title(sc) + ": " + strings.Join(optimizers, ","), Markers: markers(sc), Paths: projected(sc, res, label)}
			if af != nil {
				ao := o
				ao.Width = width / 2
				if err := writeAnimation(af, f, ao); err != nil {
					return err
				}
			}
			if of == nil {
				return nil
			}
			if err := render.ComparePNG(of, f, o, curves); err != nil {
				return err
			}
			return of.Commit()
		},
	}
	sf.register(c, 512)
	fl := c.Flags()
	fl.Var(listFlag{&optimizers}, "optimizers", "comma-separated optimizers to race")
	fl.Var(pointsFlag{&starts}, "start", "start point x0,x1,... or a trajectory/.npy file (repeat for several; default: 20% into the domain)")
	fl.Var(intRange{&pf.steps, 1, 1_000_000}, "steps", "steps per run")
	fl.Uint64Var(&pf.seed, "seed", 1, "seed of the optimizers' randomness (and of mini-batches)")
	fl.Var(intRange{&pf.batch, 0, 1 << 30}, "batch-size", "mini-batch gradients of this many samples (data-driven surfaces; 0: full batch)")
	fl.StringVarP(&out, "output", "o", "", "output .png")
	fl.StringVar(&animOut, "animate", "", "also (or only) write the race as an animated .gif")
	fl.Var(intRange{&width, 128, 16384}, "width", "image width in pixels")
	fl.Var(intRange{&height, 128, 16384}, "height", "image height in pixels")
	fl.BoolVar(&logScale, "log", false, "colour by log10(loss - min + eps)")
	fl.Var(colormapFlag{&colormap}, "colormap", "colormap name: "+strings.Join(render.Colormaps(), ", "))
	return c
}
