package main

import (
	"fmt"
	"io"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk"
	"github.com/spf13/cobra"
)

// statsFlags are the flags of stats (and eval --summary's stats block).
type statsFlags struct {
	sigma      float64
	dirs       []host.ProfileDir
	dirRange   *sdk.Interval
	dirRangeS  string
	dirRes     int
	dirSeed    uint64
	noCritical bool
}

func (f *statsFlags) register(c *cobra.Command) {
	fl := c.Flags()
	f.sigma, f.dirRes, f.dirSeed = 1, 201, 1
	fl.Var(sigmaFlag{&f.sigma}, "sigma", "σ of the Gaussian smoothing, in grid cells (roughness)")
	fl.Var(profileDirsFlag{&f.dirs}, "dir", "a profile through --at along axis:I, random, filter, hessian (its lowest and highest eigenvectors) or a direction's .npy file (repeat)")
	fl.Var(intervalFlag{&f.dirRange, &f.dirRangeS}, "dir-range", "lo:hi of each profile's parameter (default: the domain for axis:I, -1:1 otherwise)")
	fl.Var(intRange{&f.dirRes, 3, 1 << 24}, "dir-res", "points along each profile")
	fl.Uint64Var(&f.dirSeed, "dir-seed", 1, "seed of random and filter profile directions")
	fl.BoolVar(&f.noCritical, "no-critical", false, "do not count the critical points")
}

// spec is the stats of the scene sc (evaluated as f, when not nil).
func (f *statsFlags) spec(sf *sceneFlags, sc *host.Scene, field *compute.Field) host.StatsSpec {
	return host.StatsSpec{Scene: sc, Field: field, Backend: sf.backend, Sigma: f.sigma, NoCritical: f.noCritical,
		Dirs: f.dirs, At: sf.at, DirRange: f.dirRange, DirRes: f.dirRes, DirSeed: f.dirSeed}
}

func statsCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf     sceneFlags
		tf     statsFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "stats SURFACE [--res N] [--range x0:x1,y0:y1] [--sigma 1] [--dir axis:0 --dir hessian ...] [--json]",
		Short: "Measure a surface's roughness, convexity and critical points on a plane",
		Long: `Measure the shape of SURFACE on a plane (the plane flags of eval and render):

  roughness: the mean |grid − gaussian_filter(grid, σ)| over the grid, σ in
    grid cells (--sigma, default 1), with scipy.ndimage.gaussian_filter's
    definition and defaults (mode 'reflect', truncate 4.0);
  the share of the plane where the plane Hessian is positive definite (from
    the GPU's curvature kernel when it can, else from the plugin);
  the numbers of minima, saddles, maxima and degenerate points in the range
    (see 'landscape critical');
  for each --dir, a profile of the loss through --at (default: the first
    known minimum, or the origin): its smoothness, the mean |first
    difference|, and its convexity, the share of positive second
    differences.

The same block is in eval --summary.

Examples:
  landscape stats rastrigin
  landscape stats ripple --sigma 2 --dir axis:0 --dir hessian --json
  landscape stats mlp --plane filter --at trained.csv --dir filter --dir random --no-critical`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			sc, err := sf.resolve(ctx, app, args[0], sf.set)
			if err != nil {
				return err
			}
			rep, err := app.Stats(ctx, tf.spec(&sf, sc, nil))
			if err != nil {
				return err
			}
			if asJSON {
				return host.WriteJSON(stdout, rep)
			}
			printStats(stdout, sc, rep)
			return nil
		},
	}
	sf.register(c, 128)
	tf.register(c)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// printStats prints the report.
func printStats(w io.Writer, sc *host.Scene, r *host.StatsReport) {
	g := sc.Grid
	fmt.Fprintf(w, "%s with %s (a %dx%d grid):\n", title(sc), planeText(sc), g.Nx, g.Ny)
	if r.Roughness != nil {
		fmt.Fprintf(w, "  roughness %.6g: mean |loss − gaussian_filter(loss, σ=%g cells)|\n", *r.Roughness, r.Sigma)
	} else {
		fmt.Fprintf(w, "  roughness undefined: %d grid points are NaN\n", r.NaNPoints)
	}
	if r.PositiveDefinite != nil {
		fmt.Fprintf(w, "  the plane Hessian is positive definite on %.2f%% of the plane (%s, %s backend)\n", 100**r.PositiveDefinite, r.HessianMethod, r.HessianBackend)
	}
	if c := r.Critical; c != nil {
		fmt.Fprintf(w, "  critical points: %s, %s, %s, %s", counted(c.Minima, "minimum", "minima"), counted(c.Saddles, "saddle", "saddles"),
			counted(c.Maxima, "maximum", "maxima"), counted(c.Degenerate, "degenerate point", "degenerate points"))
		if c.NotConverged > 0 {
			fmt.Fprintf(w, " (%d Newton runs did not converge)", c.NotConverged)
		}
		fmt.Fprintln(w)
	} else if r.CriticalNote != "" {
		fmt.Fprintf(w, "  critical points %s\n", r.CriticalNote)
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(w, "  profile along %s over [%g, %g], %d points: smoothness %.6g, convexity %.4g", p.Label, p.Lo, p.Hi, p.Points, p.Smoothness, p.Convexity)
		if p.NaN > 0 {
			fmt.Fprintf(w, " (%d NaN)", p.NaN)
		}
		fmt.Fprintln(w)
	}
}
