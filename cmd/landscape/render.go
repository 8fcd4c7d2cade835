package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

func renderCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		sf            sceneFlags
		out           string
		width, height = 1000, 800
		levels        = 12
		logScale      bool
		colormap      = "viridis"
		noMinima      bool
		runs          []host.PathRun
		pf            = pathFlags{steps: 500, seed: 1}
		crit          bool
		critRes       = 256
		meps          [][2]host.Endpoint
		mf            mepFlags
	)
	c := &cobra.Command{
		Use:   "render SURFACE -o OUT.png",
		Short: "Render a surface as a heatmap with contours, colourbar and minima",
		Long: `Render SURFACE as a PNG: a heatmap with contour lines, a colourbar, labelled
axes and the surface's known minima marked. --log colours log10(loss - min + eps),
which shows ill-conditioned surfaces such as rosenbrock usefully.

Colormaps: ` + strings.Join(render.Colormaps(), ", ") + `

Examples:
  landscape render ripple -o ripple.png
  landscape render rosenbrock --log --colormap magma -o rosenbrock.png
  landscape render rastrigin --range -2:2,-2:2 --levels 20 --width 1600 --height 1200 -o r.png
  landscape render himmelblau --path adam@0,0 --path sgd@-1,3 --set adam.lr=0.05 -o paths.png
  landscape render himmelblau --critical --mep min0:min1 -o topology.png
  landscape render expr --set 'f=sin(3*t)+0.1*t^2,domain=-6:6' --path gd@4 --set lr=0.05 -o curve.png

A surface of one parameter is drawn as its curve over --range (lo:hi,
default its domain) at --res points, its known minima marked and each
--path run's points on it; --log draws the loss axis on a log scale.

--critical marks every critical point in the range (see 'landscape
critical'), found from a --critical-res grid: minima, saddles, maxima and
degenerate points with distinct markers and a legend. --mep A:B draws the
minimum-energy path between two points (see 'landscape path'), its saddle
marked.`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("render needs -o OUT.png")}
			}
			if _, err := host.OutputFormat(out, ".png"); err != nil {
				return err
			}
			ctx := cmd.Context()
			sf.work = host.Workload{ImageW: width, ImageH: height}
			_, _, routed, err := routeSettings(ctx, app, args[0], optimizerNames(runs), sf.set)
			if err != nil {
				return err
			}
			if err := noOptimizerTexts(routed); err != nil {
				return err
			}
			j, err := sf.run(ctx, app, args[0], routed.Surface, out, stderr, nil)
			if errors.Is(err, host.ErrOneParameter) {
				if crit || len(meps) > 0 {
					return fmt.Errorf("%w: --critical and --mep draw on a plane; %s has one parameter (see 'landscape slice' and 'landscape critical')", host.ErrBadInput, args[0])
				}
				return renderCurve(ctx, app, &sf, args[0], routed, runs, pf, out, render.Options{Width: width, Height: height}, logScale)
			}
			if err != nil {
				return err
			}
			var paths []render.Path
			if len(runs) > 0 {
				res, err := runPaths(ctx, app, j.scene, routed.Optimizers, runs, pf)
				if err != nil {
					return err
				}
				paths = projected(j.scene, res, func(r host.PathResult) string { return r.Opt.Name + " from " + point(r.Start) })
			}
			defer j.out.Abort()
			of, sc, f := j.out, j.scene, j.field
			var extra []render.Marker
			if crit {
				cs := *sc
				cs.Grid.Nx, cs.Grid.Ny = critRes, critRes
				res, err := app.Critical(ctx, host.CriticalSpec{Scene: &cs, Finer: true})
				if err != nil {
					return err
				}
				extra = append(extra, criticalMarkers(res)...)
				c := res.Counts()
				fmt.Fprintf(stdout, "%s: %s, %s, %s, %s (seeded from a %dx%d grid)\n", title(sc), counted(c.Minima, "minimum", "minima"), counted(c.Saddles, "saddle", "saddles"),
					counted(c.Maxima, "maximum", "maxima"), counted(c.Degenerate, "degenerate point", "degenerate points"), res.Grid.Nx, res.Grid.Ny)
			}
			if len(meps) > 0 {
				mp, mk, err := mepPaths(ctx, app, sc, meps, mf, stdout)
				if err != nil {
					return err
				}
				paths = append(paths, mp...)
				if !crit { // --critical marks the saddles already
					extra = append(extra, mk...)
				}
			}
			lv := levels
			if lv == 0 {
				lv = -1 // render.Options: negative means no lines
			}
			opt := render.Options{
				Width: width, Height: height, Levels: lv, Log: logScale, Colormap: colormap,
				Title: title(sc),
			}
			if j.quantity != nil {
				// The map of the quantity; signed ones take a diverging
				// colormap unless one is asked for.
				f = j.quantity
				opt.Quantity = sf.quantity.String()
				opt.Title += ": " + opt.Quantity + " (" + j.method + ")"
				switch sf.quantity {
				case compute.QMinEig, compute.QMaxEig, compute.QTrace, compute.QDet:
					opt.Symmetric = !logScale
					if !cmd.Flags().Changed("colormap") {
						opt.Colormap = "coolwarm"
					}
				}
			}
			if !noMinima && !crit {
				opt.Markers = markers(sc)
			}
			opt.Markers = append(opt.Markers, extra...)
			if sc.PCA != nil { // the trajectory the plane was fitted to
				paths = append(paths, render.Path{Label: "trajectory " + filepath.Base(sf.trajectory.path), Points: sc.PCA.Coords})
			}
			opt.Paths = paths
			if err := render.PNG(of, f, opt); err != nil {
				return err
			}
			return of.Commit()
		},
	}
	sf.register(c, 1024)
	sf.registerQuantity(c)
	fl := c.Flags()
	fl.StringVarP(&out, "output", "o", "", "output .png file")
	fl.Var(intRange{&width, 128, 16384}, "width", "image width in pixels")
	fl.Var(intRange{&height, 128, 16384}, "height", "image height in pixels")
	fl.Var(intRange{&levels, 0, 1000}, "levels", "number of contour lines (0 for none)")
	fl.BoolVar(&logScale, "log", false, "colour by log10(loss - min + eps)")
	fl.Var(colormapFlag{&colormap}, "colormap", "colormap name")
	fl.BoolVar(&noMinima, "no-minima", false, "do not mark the known minima")
	fl.Var(pathFlag{&runs}, "path", "draw an optimizer's path: OPTIMIZER@x0,x1,... (repeat)")
	fl.Var(intRange{&pf.steps, 1, 1_000_000}, "path-steps", "steps of each --path run")
	fl.Uint64Var(&pf.seed, "seed", 1, "seed of the --path optimizers' randomness")
	fl.BoolVar(&crit, "critical", false, "mark every critical point in the range (minima, saddles, maxima, degenerate points)")
	fl.Var(intRange{&critRes, host.MinCriticalRes, host.MaxAxis}, "critical-res", "grid points per axis that seed --critical (finer when the surface needs it)")
	fl.Var(endpointsFlag{&meps}, "mep", "draw the minimum-energy path between two points: A:B, each minK, x0,x1,... or a file (repeat)")
	mf.register(c, "mep-")
	return c
}

// renderCurve renders a surface of one parameter: its curve, the known
// minima marked, and the runs' points on it.
func renderCurve(ctx context.Context, app *host.App, sf *sceneFlags, surface string, routed host.Routed, runs []host.PathRun, pf pathFlags,
	out string, o render.Options, logY bool) error {
	l, err := sf.curve(ctx, app, surface, routed.Surface)
	if err != nil {
		return err
	}
	of, err := host.CreateOutput(ctx, out)
	if err != nil {
		return err
	}
	defer of.Abort()
	loss, _, err := app.EvaluateLine(ctx, sf.backend, l)
	if err != nil {
		return err
	}
	var pts []runPoints
	if len(runs) > 0 {
		for i, r := range runs {
			runs[i].Start = l.Desc.Wrap(nil, r.Start)
			if err := checkStart(fmt.Sprintf("--path %d (%s)", i+1, r.Optimizer), runs[i].Start, l.Desc); err != nil {
				return err
			}
		}
		cat, err := app.Catalog(ctx)
		if err != nil {
			return err
		}
		res, err := app.RunPaths(ctx, cat, l.Surface, routed.Optimizers, runs, pf.steps, pf.seed, pf.batch)
		if err != nil {
			return err
		}
		for _, r := range res {
			pts = append(pts, pointsOf(r.Opt.Name+" from "+point(r.Start), l, r.Traj))
		}
	}
	if o.Width == 0 {
		o.Width = 1000
	}
	if err := render.ChartsPNG(of, o.Width, o.Height, curveChart(l, lineCoords(l), loss, logY, pts)); err != nil {
		return err
	}
	return of.Commit()
}

// title names the surface and its non-default hyperparameters.
func title(sc *host.Scene) string { return settingsTitle(sc.Desc, sc.Settings()) }

// settingsTitle names the surface d and the hyperparameters s sets, with
// their values as configured.
func settingsTitle(d client.Descriptor, s client.Settings) string {
	t := d.Name
	var hp []string
	for _, h := range d.Hyperparameters {
		_, num := s.Params[h.Name]
		_, text := s.Texts[h.Name]
		if num || text {
			hp = append(hp, h.Name+"="+h.DefaultString())
		}
	}
	if len(hp) > 0 {
		t += "  (" + strings.Join(hp, ", ") + ")"
	}
	return t
}

// markers projects the known minima that lie on the scene's plane.
func markers(sc *host.Scene) []render.Marker {
	g := sc.Grid
	ai, aj := planeAxes(sc)
	if ai < 0 {
		return nil
	}
	var out []render.Marker
	for _, m := range sc.Desc.Minima {
		on := true
		for k, x := range m.Location {
			if k != ai && k != aj && math.Abs(x-g.Origin[k]) > 1e-9*(1+math.Abs(x)) {
				on = false
			}
		}
		if !on {
			continue
		}
		st := render.Minimum
		if m.Local {
			st = render.LocalMinimum
		}
		out = append(out, render.Marker{X: m.Location[ai], Y: m.Location[aj], Label: fmt.Sprintf("%.4g", m.Value), Style: st})
	}
	return out
}

// criticalMarkers marks the critical points found, each kind in its own
// style.
func criticalMarkers(res *host.CriticalResult) []render.Marker {
	style := map[critical.Kind]render.MarkerStyle{critical.Minimum: render.CriticalMinimum, critical.Maximum: render.CriticalMaximum,
		critical.Saddle: render.CriticalSaddle, critical.Degenerate: render.CriticalDegenerate}
	out := make([]render.Marker, len(res.Points))
	for i, p := range res.Points {
		out[i] = render.Marker{X: p.X[0], Y: p.X[1], Style: style[p.Kind]}
	}
	return out
}
