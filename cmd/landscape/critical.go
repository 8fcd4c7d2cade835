package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/spf13/cobra"
)

func criticalCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf            sceneFlags
		asJSON        bool
		out, graph    string
		width, height = 1000, 700
	)
	c := &cobra.Command{
		Use:   "critical SURFACE [--res N] [--range x0:x1,y0:y1] [--json] [-o OUT.csv|OUT.json] [--graph tree.png]",
		Short: "Find and classify every critical point of a surface on a plane",
		Long: `Find every critical point of SURFACE restricted to a plane (the plane flags of
eval and render), inside the plane's range, and classify each as a minimum,
maximum, saddle or degenerate point by the eigenvalues of its plane Hessian.

The search evaluates the in-plane gradient at every grid point, seeds a run
of Newton's method on the gradient in each cell where both of its
components change sign and at every discrete minimum, maximum and saddle of
the sampled values, refines each seed with a safeguarded Newton's method
(damped steps in a trust region) and counts the points the runs converge to
once. Runs that do not converge are reported, not counted. A grid too
coarse to resolve the surface is refused with the resolution it needs.

For surfaces of more than 2 parameters, each point is also classified in the
full parameter space, by its full Hessian: "a minimum in this plane, a
saddle of index 3 in the full space" (its full gradient norm says whether it
is critical there at all).

--graph draws the disconnectivity graph: the minima found, joined at the
saddles that connect them (each index-1 saddle's unstable direction
followed down to a minimum on either side).

Examples:
  landscape critical himmelblau
  landscape critical rastrigin --json > rastrigin-critical.json
  landscape critical six-hump-camel -o camel.csv --graph camel-tree.png
  landscape critical rastrigin --set dim=4 --axes 1,3 --at 0.5,0,1,0 --range -1.2:1.2,-1.2:1.2`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := ""
			if out != "" {
				var err error
				if format, err = host.OutputFormat(out, ".csv", ".json"); err != nil {
					return err
				}
			}
			if graph != "" {
				if _, err := host.OutputFormat(graph, ".png"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			sc, err := sf.resolve(ctx, app, args[0], sf.set)
			if err != nil {
				return err
			}
			var of, gf *host.OutFile
			if out != "" {
				if of, err = host.CreateOutput(ctx, out); err != nil {
					return err
				}
				defer of.Abort()
			}
			if graph != "" {
				if gf, err = host.CreateOutput(ctx, graph); err != nil {
					return err
				}
				defer gf.Abort()
			}
			update, stop := host.Progress(stderr, "critical", sc.Grid.Len())
			t0 := time.Now()
			res, err := app.Critical(ctx, host.CriticalSpec{Scene: sc, Connect: graph != "", Progress: update})
			stop()
			if err != nil {
				return err
			}
			dur := time.Since(t0)
			// The files first: a reader of the table that stops early (a
			// closed pipe) leaves them whole.
			if of != nil {
				if format == ".csv" {
					err = host.WriteCriticalCSV(of, res, sc.Desc.Dim)
				} else {
					err = host.WriteJSON(of, host.NewCriticalReport(sc, res))
				}
				if err != nil {
					return err
				}
				if err := of.Commit(); err != nil {
					return err
				}
			}
			if gf != nil {
				if err := drawTree(gf, sc, res, width, height); err != nil {
					return err
				}
				if err := gf.Commit(); err != nil {
					return err
				}
			}
			if asJSON {
				return host.WriteJSON(stdout, host.NewCriticalReport(sc, res))
			}
			printCritical(stdout, sc, res, dur)
			return nil
		},
	}
	sf.register(c, 256)
	fl := c.Flags()
	fl.BoolVar(&asJSON, "json", false, "print JSON (every point, its eigenvalues and full-space classification)")
	fl.StringVarP(&out, "output", "o", "", "also write the points: .csv or .json")
	fl.StringVar(&graph, "graph", "", "draw the disconnectivity graph to this .png")
	fl.Var(intRange{&width, 128, 16384}, "width", "graph width in pixels")
	fl.Var(intRange{&height, 128, 16384}, "height", "graph height in pixels")
	return c
}

// planeText describes the scene's plane range: "x0 in [-5, 5], x1 in [-5, 5]".
func planeText(sc *host.Scene) string {
	g := sc.Grid
	return fmt.Sprintf("%s in [%g, %g], %s in [%g, %g]", g.XLabel, g.X.Lo, g.X.Hi, g.YLabel, g.Y.Lo, g.Y.Hi)
}

// printCritical prints the search's summary and a row per point.
func printCritical(w io.Writer, sc *host.Scene, res *host.CriticalResult, dur time.Duration) {
	g := sc.Grid
	c := res.Counts()
	if len(res.Points) == 0 {
		fmt.Fprintf(w, "%s: no critical point with %s (a %dx%d grid, %d seeds)\n", title(sc), planeText(sc), g.Nx, g.Ny, res.Seeds)
	} else {
		fmt.Fprintf(w, "%s: %s with %s: %s, %s, %s, %s (a %dx%d grid, %d seeds, %.2f s; Hessians: %s)\n",
			title(sc), counted(len(res.Points), "critical point", "critical points"), planeText(sc), counted(c.Minima, "minimum", "minima"),
			counted(c.Saddles, "saddle", "saddles"), counted(c.Maxima, "maximum", "maxima"), counted(c.Degenerate, "degenerate point", "degenerate points"),
			g.Nx, g.Ny, res.Seeds, dur.Seconds(), res.HessianMethod)
	}
	if n := res.NotConverged(); n > 0 {
		var why []string
		for r, k := range res.Failed {
			why = append(why, fmt.Sprintf("%d: %s", k, r))
		}
		sort.Strings(why)
		fmt.Fprintf(w, "  %d Newton runs did not converge and are not counted (%s)\n", n, strings.Join(why, "; "))
	}
	if len(res.Points) == 0 {
		return
	}
	full := sc.Desc.Dim > 2
	head := fmt.Sprintf("  %-11s %5s %13s %13s %13s %11s %11s", "KIND", "INDEX", g.XLabel, g.YLabel, "VALUE", "EIG_MIN", "EIG_MAX")
	if full {
		head += "  FULL SPACE"
	}
	fmt.Fprintln(w, head)
	for _, p := range res.Points {
		line := fmt.Sprintf("  %-11s %5d %13.7g %13.7g %13.7g %11.4g %11.4g", p.Kind, p.Index, p.X[0], p.X[1], p.Value, p.Eigenvalues[0], p.Eigenvalues[1])
		if full {
			if q := p.Full; q != nil {
				line += fmt.Sprintf("  %s of %d, gradient norm %.3g", critical.Describe(q.Kind, q.Index), sc.Desc.Dim, q.GradNorm)
				if q.GradNorm > 1e-6*(1+res.GradScale) {
					line += " (not critical there)"
				}
			} else {
				line += "  not classified: " + p.FullWhy
			}
		}
		fmt.Fprintln(w, line)
	}
}

// drawTree draws the disconnectivity graph of res.
func drawTree(w io.Writer, sc *host.Scene, res *host.CriticalResult, width, height int) error {
	if res.Tree == nil || len(res.Tree.Nodes) == 0 {
		return fmt.Errorf("%w: no minimum in the range: there is no disconnectivity graph to draw", host.ErrBadInput)
	}
	nodes := make([]render.TreeNode, len(res.Tree.Nodes))
	for i, n := range res.Tree.Nodes {
		nodes[i] = render.TreeNode{Value: n.Value, Children: n.Children}
		if n.Minimum >= 0 {
			nodes[i].Label = point(res.Points[n.Minimum].X)
		}
	}
	return render.TreePNG(w, nodes, res.Tree.Roots, render.TreeOptions{Width: width, Height: height,
		Title: fmt.Sprintf("disconnectivity graph of %s (%d minima, %d saddles)", title(sc), res.Counts().Minima, len(res.Connections)), YLabel: "loss"})
}

// counted is "1 minimum", "3 minima".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
