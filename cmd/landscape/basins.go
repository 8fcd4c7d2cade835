package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/spf13/cobra"
)

func basinsCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf      sceneFlags
		outs    []string
		optName string
		steps   = 500
		seed    uint64
		radius  float64
		width   = 1000
		height  = 800
	)
	c := &cobra.Command{
		Use:   "basins SURFACE --optimizer NAME -o basins.png [-o basins.npy]",
		Short: "Colour every start by the minimum an optimizer reaches from it",
		Long: `Run an optimizer from every point of a grid at once and colour each start by
the minimum it reaches (its basin of attraction); print the share and the
area of the plane per minimum. On the GPU when the surface and the optimizer
ship GLSL (gradients by central differences in float32), else through the
plugins (the same answers, more slowly).

The minima are found from the runs themselves: end points within --radius
of each other are clustered, and each cluster is refined by Newton's method
on the gradient to the critical point its runs approached; its Hessian says
whether that is a minimum (a basin; named "known" when the surface declares
a minimum there), or a saddle or maximum (white). Runs that reach no
critical point (a plateau, or not converged) are gray; runs that diverge,
black. .npy output holds the labels: the basin's index (lowest minimum
first), -1 no minimum, -2 diverged, -3 at a saddle.

A surface of one parameter is drawn as its curve over --range (lo:hi) with
a band under it, each of its --res starts coloured by its basin (.npy: a
1×N array of labels).

Examples:
  landscape basins himmelblau --optimizer gd --steps 500 --res 512 -o basins.png
  landscape basins expr --set 'f=sin(3*t)+0.1*t^2,domain=-6:6' --optimizer gd --set lr=0.05 --res 400 -o band.png
  landscape basins six-hump-camel --optimizer adam --set lr=0.02 --res 256 -o b.png -o b.npy

--set takes the optimizer's hyperparameters and the surface's (write
opt.NAME or surface.NAME for a name both take).`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if optName == "" {
				return usageError{fmt.Errorf("basins needs --optimizer NAME (see 'landscape optimizers')")}
			}
			if len(outs) == 0 {
				return usageError{fmt.Errorf("basins needs -o OUT.png and/or -o OUT.npy")}
			}
			for _, o := range outs {
				if _, err := host.OutputFormat(o, ".png", ".npy"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			sf.work = host.Workload{Runs: true, Backend: sf.backend}
			for _, o := range outs {
				if strings.HasSuffix(strings.ToLower(o), ".png") {
					sf.work.ImageW, sf.work.ImageH = width, height
				}
			}
			// --set takes both the surface's and the optimizer's settings,
			// routed as optimize routes them.
			_, opts, routed, err := routeSettings(ctx, app, args[0], []string{optName}, sf.set)
			if err != nil {
				return err
			}
			oe, params := opts[0], routed.Optimizers[opts[0].Name]
			view, err := sf.resolveView(ctx, app, args[0], routed.Surface)
			if err != nil {
				return err
			}
			if view.line != nil {
				return basinsCurve(ctx, app, stdout, view.line, sf.backend, outs, host.BasinsSpec{Line: view.line, Opt: oe, OptParams: params,
					OptTexts: routed.OptimizerTexts[oe.Name], Steps: steps, Seed: seed, Backend: sf.backend, Radius: radius, MaxBytes: sf.maxBytes}, width, height)
			}
			sc := view.scene
			files, err := createOutputs(ctx, outs)
			defer abort(files)
			if err != nil {
				return err
			}
			t0 := time.Now()
			res, err := app.Basins(ctx, host.BasinsSpec{Scene: sc, Opt: oe, OptParams: params, OptTexts: routed.OptimizerTexts[oe.Name], Steps: steps, Seed: seed, Backend: sf.backend, Radius: radius, MaxBytes: sf.maxBytes})
			if err != nil {
				return err
			}
			g := sc.Grid
			basins := printBasins(stdout, res, oe.Name, sc.Desc.Name, steps, time.Since(t0), (g.X.Hi-g.X.Lo)*(g.Y.Hi-g.Y.Lo), "AREA")
			ai, aj := planeAxes(sc)
			for i, b := range res.Basins {
				if ai >= 0 {
					basins[i].X, basins[i].Y = b.X[ai], b.X[aj]
				} else if q, err := compute.Project([][]float64{b.X}, g.Origin, g.U, g.V); err == nil {
					basins[i].X, basins[i].Y = q[0][0], q[0][1]
				}
			}
			for i, o := range outs {
				if strings.HasSuffix(strings.ToLower(o), ".npy") {
					err = host.WriteNPYInt32(files[i], res.Labels, sc.Grid.Ny, sc.Grid.Nx)
				} else {
					err = render.BasinsPNG(files[i], sc.Grid, res.Labels, basins, nil, render.Options{
						Width: width, Height: height, Title: fmt.Sprintf("basins of %s under %s, %d steps", sc.Desc.Name, oe.Name, steps)})
				}
				if err != nil {
					return err
				}
			}
			return commitAll(files)
		},
	}
	sf.register(c, 256)
	fl := c.Flags()
	fl.StringArrayVarP(&outs, "output", "o", nil, "output: .png image and/or .npy labels (repeat)")
	fl.StringVar(&optName, "optimizer", "", "optimizer name (see 'landscape optimizers')")
	fl.Var(intRange{&steps, 1, 1_000_000}, "steps", "steps from every start, 1 to 1000000")
	fl.Uint64Var(&seed, "seed", 1, "seed of the optimizer's randomness")
	fl.Var(floatRange{&radius, true}, "radius", "end points this close belong together (default: 1% of the domain's width)")
	fl.Var(intRange{&width, 128, 16384}, "width", "image width in pixels")
	fl.Var(intRange{&height, 128, 16384}, "height", "image height in pixels")
	return c
}

// printBasins prints what basins found (measure: the plane's area, or
// the curve's length, named what) and returns the basins for render.
func printBasins(w io.Writer, res *host.BasinsResult, opt, surface string, steps int, dur time.Duration, measure float64, what string) []render.Basin {
	n := len(res.Labels)
	fmt.Fprintf(w, "%s from %d starts on %s, %d steps on the %s backend: %.2f s, %.3g run-steps/s\n",
		opt, n, surface, steps, res.Backend, dur.Seconds(), float64(n)*float64(steps)/dur.Seconds())
	basins := make([]render.Basin, len(res.Basins))
	for i, b := range res.Basins {
		label := fmt.Sprintf("%s  loss %.4g", point(b.X), b.Value)
		if b.Known >= 0 {
			label += "  (known)"
		}
		basins[i] = render.Basin{Label: label, Fraction: float64(b.Count) / float64(n), X: math.NaN(), Y: math.NaN()}
	}
	fmt.Fprintf(w, "  %d minima reached (end points clustered within %.3g, refined by Newton's method):\n", len(res.Basins), res.Radius)
	fmt.Fprintf(w, "  %7s  %10s  %s\n", "SHARE", what, "MINIMUM")
	for i, b := range res.Basins {
		note := ""
		if b.Degenerate {
			note = "  (degenerate: the Hessian is only semidefinite)"
		}
		fmt.Fprintf(w, "  %6.2f%%  %10.4g  %s%s\n", 100*basins[i].Fraction, basins[i].Fraction*measure, basins[i].Label, note)
	}
	for _, c := range []struct {
		n    int
		what string
	}{{res.Saddles, "ended at a saddle"}, {res.None, "reached no minimum (a plateau, or not converged)"}, {res.Lost, "diverged or failed"}} {
		if c.n > 0 {
			f := float64(c.n) / float64(n)
			fmt.Fprintf(w, "  %6.2f%%  %10.4g  %s\n", 100*f, f*measure, c.what)
		}
	}
	fmt.Fprintf(w, "  %d basins\n", len(res.Basins))
	return basins
}

// basinsCurve runs basins on a surface of one parameter: a run from every
// point of its curve, drawn as a band under the curve.
func basinsCurve(ctx context.Context, app *host.App, w io.Writer, l *host.LineScene, backend host.Backend, outs []string, spec host.BasinsSpec, width, height int) error {
	files, err := createOutputs(ctx, outs)
	defer abort(files)
	if err != nil {
		return err
	}
	t0 := time.Now()
	res, err := app.Basins(ctx, spec)
	if err != nil {
		return err
	}
	basins := printBasins(w, res, spec.Opt.Name, l.Desc.Name, spec.Steps, time.Since(t0), l.Line.Hi-l.Line.Lo, "LENGTH")
	for i, b := range res.Basins {
		basins[i].X, basins[i].Y = b.X[0], b.Value
	}
	for i, o := range outs {
		if strings.HasSuffix(strings.ToLower(o), ".npy") {
			err = host.WriteNPYInt32(files[i], res.Labels, 1, len(res.Labels))
		} else {
			var loss []float64
			if loss, _, err = app.EvaluateLine(ctx, backend, l); err == nil {
				err = render.BasinsBandPNG(files[i], lineCoords(l), loss, res.Labels, basins, render.Options{Width: width, Height: height / 8 * 5,
					Title: fmt.Sprintf("basins of %s under %s, %d steps", l.Desc.Name, spec.Opt.Name, spec.Steps), XLabel: l.Label}, false)
			}
		}
		if err != nil {
			return err
		}
	}
	return commitAll(files)
}

// planeAxes are the parameters the scene's plane varies along x and y (-1
// when the plane is not axis-aligned).
func planeAxes(sc *host.Scene) (int, int) {
	ai, aj := -1, -1
	for k := range sc.Grid.U {
		if sc.Grid.U[k] == 1 {
			ai = k
		}
		if sc.Grid.V[k] == 1 {
			aj = k
		}
	}
	if ai < 0 || aj < 0 {
		return -1, -1
	}
	return ai, aj
}
