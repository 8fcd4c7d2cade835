package main

import (
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

Examples:
  landscape basins himmelblau --optimizer gd --steps 500 --res 512 -o basins.png
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
			sc, err := sf.resolve(ctx, app, args[0], routed.Surface)
			if err != nil {
				return err
			}
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
			dur := time.Since(t0)
			n := len(res.Labels)
			fmt.Fprintf(stdout, "%s from %d starts on %s, %d steps on the %s backend: %.2f s, %.3g run-steps/s\n",
				oe.Name, n, sc.Desc.Name, steps, res.Backend, dur.Seconds(), float64(n)*float64(steps)/dur.Seconds())
			ai, aj := planeAxes(sc)
			g := sc.Grid
			area := (g.X.Hi - g.X.Lo) * (g.Y.Hi - g.Y.Lo)
			basins := make([]render.Basin, len(res.Basins))
			for i, b := range res.Basins {
				label := fmt.Sprintf("%s  loss %.4g", point(b.X), b.Value)
				if b.Known >= 0 {
					label += "  (known)"
				}
				basins[i] = render.Basin{Label: label, Fraction: float64(b.Count) / float64(n), X: math.NaN(), Y: math.NaN()}
				if ai >= 0 {
					basins[i].X, basins[i].Y = b.X[ai], b.X[aj]
				} else if q, err := compute.Project([][]float64{b.X}, g.Origin, g.U, g.V); err == nil {
					basins[i].X, basins[i].Y = q[0][0], q[0][1]
				}
			}
			fmt.Fprintf(stdout, "  %d minima reached (end points clustered within %.3g, refined by Newton's method):\n", len(res.Basins), res.Radius)
			fmt.Fprintf(stdout, "  %7s  %10s  %s\n", "SHARE", "AREA", "MINIMUM")
			for i, b := range res.Basins {
				note := ""
				if b.Degenerate {
					note = "  (degenerate: the Hessian is only semidefinite)"
				}
				fmt.Fprintf(stdout, "  %6.2f%%  %10.4g  %s%s\n", 100*basins[i].Fraction, basins[i].Fraction*area, basins[i].Label, note)
			}
			for _, c := range []struct {
				n    int
				what string
			}{{res.Saddles, "ended at a saddle"}, {res.None, "reached no minimum (a plateau, or not converged)"}, {res.Lost, "diverged or failed"}} {
				if c.n > 0 {
					f := float64(c.n) / float64(n)
					fmt.Fprintf(stdout, "  %6.2f%%  %10.4g  %s\n", 100*f, f*area, c.what)
				}
			}
			fmt.Fprintf(stdout, "  %d basins\n", len(res.Basins))
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
			for _, f := range files {
				if err := f.Commit(); err != nil {
					return err
				}
			}
			return nil
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
