package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

func optimizersCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "optimizers",
		Short: "List the optimizers the installed plugins provide",
		Long: `List every optimizer the installed plugins provide, with its hyperparameters
(defaults and bounds), whether it uses gradients, and the plugin serving it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := app.FullCatalog(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				type row struct {
					Name            string                    `json:"name"`
					Plugin          string                    `json:"plugin"`
					Summary         string                    `json:"summary"`
					Gradient        bool                      `json:"gradient"`
					Stochastic      bool                      `json:"stochastic"`
					Hyperparameters []host.HyperparameterJSON `json:"hyperparameters"`
				}
				rows := []row{}
				for _, o := range cat.Optimizers {
					r := row{Name: o.Name, Plugin: o.Plugin, Summary: o.Summary, Gradient: o.Gradient, Stochastic: o.Stochastic}
					r.Hyperparameters = host.HyperparametersJSON(o.Hyperparameters)
					rows = append(rows, r)
				}
				return host.WriteJSON(stdout, rows)
			}
			nw, pw := len("NAME"), len("PLUGIN")
			for _, o := range cat.Optimizers {
				nw, pw = max(nw, len(o.Name)), max(pw, len(o.Plugin))
			}
			fmt.Fprintf(stdout, "%-*s  %-8s  %-*s  %s\n", nw, "NAME", "GRADIENT", pw, "PLUGIN", "SUMMARY")
			for _, o := range cat.Optimizers {
				fmt.Fprintf(stdout, "%-*s  %-8v  %-*s  %s\n", nw, o.Name, o.Gradient, pw, o.Plugin, o.Summary)
				var hps []string
				for _, h := range o.Hyperparameters {
					hps = append(hps, h.Name+"="+h.DefaultString())
				}
				fmt.Fprintf(stdout, "%*s  %s\n", nw, "", strings.Join(hps, " "))
			}
			fmt.Fprintln(stdout, "\nBounds and docs: landscape optimizers --json. Set with: landscape optimize ... --set name=value")
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func optimizeCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var (
		optName, out string
		start        startFlag
		set          client.Settings
		steps        = 1000
		seed         uint64
		st           studyFlags
		keepGoing    bool
		batch        int
		plotOut      string
		animOut      string
		track        trackFlag
	)
	c := &cobra.Command{
		Use:   "optimize SURFACE --optimizer NAME --start x0,x1[,...] [-o traj.csv|traj.json]",
		Short: "Run an optimizer on a surface and write its trajectory",
		Long: `Run one optimizer on SURFACE from a start point and write the trajectory:
CSV with the header step,loss,grad_norm,x0,x1,... (row 0 is the start, row t
the point after t steps), or JSON with every record (and parameter norm and
learning rate) and the run's summary. A summary is printed: final loss and
point, the nearest known minimum and the distance to it, the steps to
convergence and the status: converged (the loss changed by at most --tol
relative over --window steps), stalled on a plateau, diverged (NaN, Inf, or
far outside the domain: a result, not a crash), or max steps.

--set takes the optimizer's hyperparameters (lr, momentum, beta1, ...) and
the surface's (A, dim, ...); write opt.NAME or surface.NAME for a name both
take.

Examples:
  landscape optimize rosenbrock --optimizer adam --start -1.5,2 --steps 5000 --set lr=0.01 -o adam.csv
  landscape optimize himmelblau --optimizer momentum --start 0,0 --set lr=0.01,momentum=0.9
  landscape optimize rastrigin --optimizer anneal --start 3,3 --steps 20000 --seed 7 -o sa.json
  landscape optimize rastrigin --optimizer anneal --start 3,3 --steps 20000 --set T_min=0.01 --plot sa.png
  landscape optimize himmelblau --optimizer grid-search --set ranges=-4:4:41,-4:4:41 --steps 1681 -o grid.csv
  landscape optimize line-angle --optimizer gd --start 0.3 --set lr=0.01 --plot steps.png
  landscape optimize mlp --optimizer sgd --batch-size 32 --set split=0.3,lr=0.1 -o mlp.csv --plot mlp.png
  landscape optimize linreg --optimizer sgd --batch-size 32 --set split=0.3,lr=0.05 --epochs 20 -o epochs.json
  landscape optimize expr --set 'f=x^4/4+x^3,domain=-4:2' --optimizer gd --start 1 --set lr=0.05 --steps 600 --plot stuck.png
  landscape optimize himmelblau --optimizer momentum --start -1,-1 --set lr=0.01,momentum=0.9 --steps 200 --animate run.gif

On data-driven surfaces, --batch-size N takes mini-batch gradients (each
step a batch of a seeded epoch shuffle, ⌈samples/N⌉ steps an epoch);
the trajectory then also holds the full train loss, and the test loss when
the surface has a test set (split). Such a run is judged by epochs: it
converged at the end of the epoch where its epochs' mean loss (of the
mini-batches, weighted by their sizes) changed by at most --tol relative
over --window epochs; --epochs N runs N epochs. The summary gives a row
per epoch and its final loss is the full train loss (the last mini-batch's
beside it), as compare reports it.

--plot draws per step (per epoch for mini-batch runs) the loss, the
gradient norm, the weight norm ‖x‖ and each parameter (up to 8; a
periodic parameter, line-angle's φ, wrapped into its period), and, on a
data-driven surface whose samples are points (x, y), the samples with the
model at the final point over them (the rosette's fitted line).

A run is stuck where its loss stays flat: the summary says from which step
to which, where the loss's variance over --stuck-window steps stayed at
most (--stuck-tol·(1+|mean loss|))² (the full train loss for mini-batch
runs; not for walks; the flat end of a run that converged is not
reported); --plot marks the stretches in a gray strip.

Annealing and grid search walk apart from their result: the trajectory's
x and loss are where the walk stands, best_loss and best_x0,... its best
point so far (the summary's final point), and annealing adds temperature,
accepted (1 or 0) and accept_rate; --plot draws the walk with the best
loss, the temperature and the acceptance rate. anneal's T_min ends the
walk once the temperature would fall below it; grid-search evaluates one
grid point per step (x0 ± radius, or --set ranges=lo:hi[:n],... per
parameter), so give --steps of at least its points.

` + animateHelp + ` It shows a surface of two parameters over its domain,
and a larger one on the run's principal plane (as --plane pca does), at
800×640 pixels.

--track sharpness[:K] measures the largest eigenvalue of the Hessian every
K steps (Lanczos on Hessian-vector products): the trajectory gets a
sharpness column, and --plot draws it beside 2/lr (the edge of stability
of gradient descent).`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if optName == "" {
				return usageError{fmt.Errorf("optimize needs --optimizer NAME (see 'landscape optimizers')")}
			}
			if plotOut != "" {
				if _, err := host.OutputFormat(plotOut, ".png"); err != nil {
					return err
				}
			}
			format := ""
			if out != "" {
				var err error
				if format, err = host.OutputFormat(out, ".csv", ".json"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			se, opts, routed, err := routeSettings(ctx, app, args[0], []string{optName}, set)
			if err != nil {
				return err
			}
			oe := opts[0]
			op := routed.Optimizers[oe.Name]
			surf, err := app.Configure(ctx, se, routed.Surface)
			if err != nil {
				return err
			}
			desc := surf.Desc
			x0, err := start.point(desc, seed)
			if err != nil {
				return err
			}
			nsteps, err := st.steps(cmd, desc, batch, steps)
			if err != nil {
				return err
			}
			var of *host.OutFile
			if out != "" {
				if of, err = host.CreateOutput(ctx, out); err != nil {
					return err
				}
				defer of.Abort()
			}
			af, err := openAnimation(ctx, animOut, desc)
			if err != nil {
				return err
			}
			if af != nil {
				defer af.Abort()
			}
			trajs, err := app.Optimize(ctx, host.OptimizeSpec{Surface: surf, Opt: oe, OptParams: op, OptTexts: routed.OptimizerTexts[oe.Name],
				Starts: [][]float64{x0}, Steps: nsteps, Seed: seed, Tol: st.tol, Window: st.window, KeepGoing: keepGoing, BatchSize: batch, Stuck: st.rule()})
			if err != nil {
				return err
			}
			t := trajs[0]
			if track.every > 0 {
				warnings, err := app.TrackSharpness(ctx, surf, t, track.every, seed)
				if err != nil {
					return err
				}
				for _, w := range warnings {
					fmt.Fprintln(stdout, "note: "+w)
				}
			}
			stops, err := app.ClassifyStops(ctx, surf, trajs)
			if err != nil {
				return err
			}
			printSummary(stdout, desc, oe, t, stops[0])
			printWalk(stdout, desc, t)
			printEpochs(stdout, t)
			if plotOut != "" {
				var extra []render.Chart
				fc, err := fitChart(ctx, app, surf, t.X)
				if err != nil {
					return err
				}
				if fc != nil {
					extra = append(extra, *fc)
				}
				if err := plotSteps(ctx, plotOut, desc, oe, t, extra...); err != nil {
					return err
				}
			}
			if af != nil {
				if err := animateRun(ctx, app, stdout, af, surf, routed.Surface, oe, t); err != nil {
					return err
				}
			}
			if of == nil {
				return nil
			}
			if format == ".csv" {
				err = host.WriteTrajectoryCSV(of, t)
			} else {
				r := host.NewTrajectoryReport(desc, oe, op, seed, t)
				r.StoppedAt = stops[0]
				err = host.WriteJSON(of, r)
			}
			if err != nil {
				return err
			}
			return of.Commit()
		},
	}
	fl := c.Flags()
	fl.StringVar(&optName, "optimizer", "", "optimizer name (see 'landscape optimizers')")
	fl.Var(&start, "start", "start point x0,x1,..., a trajectory/.npy file, or random (seeded by --seed; default: 20% into the domain from its low corner)")
	fl.Var(intRange{&steps, 1, 10_000_000}, "steps", "steps to take, 1 to 10000000")
	fl.Var(settingsFlag{&set}, "set", "hyperparameter name=value, of the optimizer or the surface (repeat, or comma-separate)")
	fl.Uint64Var(&seed, "seed", 1, "seed of the optimizer's randomness")
	fl.StringVarP(&out, "output", "o", "", "write the trajectory: .csv or .json")
	fl.BoolVar(&keepGoing, "keep-going", false, "take every step even after converging")
	fl.Var(intRange{&batch, 0, 1 << 30}, "batch-size", "mini-batch gradients of this many samples (data-driven surfaces; 0: full batch)")
	fl.StringVar(&plotOut, "plot", "", "also draw loss per step and parameters per step to this .png")
	fl.StringVar(&animOut, "animate", "", "also write the run over the surface as an animated .gif")
	fl.Var(&track, "track", "sharpness[:K]: record the Hessian's largest eigenvalue every K steps (default 10) and at the end, into the trajectory, and plot it beside 2/lr")
	st.register(c)
	return c
}

// plotSteps draws a run: its losses, gradient norm and parameter norm per
// step (a mini-batch run's per epoch, with the epochs' mean losses), its
// parameters when there are at most 8, then the sharpness, the
// acceptance test's charts and the extra charts; three charts to a row.
func plotSteps(ctx context.Context, path string, d client.Descriptor, o host.OptEntry, t *host.Trajectory, extra ...render.Chart) error {
	of, err := host.CreateOutput(ctx, path)
	if err != nil {
		return err
	}
	defer of.Abort()
	steps := make([]float64, len(t.Records))
	loss := make([]float64, len(t.Records))
	gnorm := make([]float64, len(t.Records))
	pnorm := make([]float64, len(t.Records))
	per := float64(max(t.StepsPerEpoch, 1)) // x is the epoch for mini-batch runs
	xlabel := "step"
	if t.StepsPerEpoch > 0 {
		xlabel = fmt.Sprintf("epoch (%d steps)", t.StepsPerEpoch)
	}
	for i, r := range t.Records {
		steps[i], loss[i], gnorm[i], pnorm[i] = float64(r.Step)/per, r.Loss, r.GradNorm, r.ParamNorm
	}
	lc := render.Chart{Title: d.Name + ": " + o.Name, XLabel: xlabel, YLabel: "loss"}
	switch {
	case t.Walk():
		lc.Series = append(lc.Series, walkLoss(t, steps, loss)...)
	case t.Train != nil:
		lc.Series = append(lc.Series, render.Series{Label: "mini-batch loss", X: steps, Y: loss, Colour: 1}, render.Series{Label: "train loss", X: steps, Y: t.Train, Colour: 5})
	default:
		lc.Series = append(lc.Series, render.Series{Label: "train loss", X: steps, Y: loss, Colour: 5})
	}
	if t.Test != nil {
		lc.Series = append(lc.Series, render.Series{Label: "test loss", X: steps, Y: t.Test, Dashed: true, Colour: 6})
	}
	if len(t.Epochs) > 0 {
		var ex, ey []float64
		for _, e := range t.Epochs {
			ex, ey = append(ex, float64(e.Epoch.Epoch)), append(ey, e.Loss)
		}
		lc.Series = append(lc.Series, render.Series{Label: "epoch's mean mini-batch loss", X: ex, Y: ey, Colour: 4},
			render.Series{X: ex, Y: ey, Colour: 4, Points: true})
	}
	for _, s := range t.Stuck {
		lc.Spans = append(lc.Spans, render.Span{Lo: float64(s.From) / per, Hi: float64(s.To) / per, Colour: color.RGBA{150, 150, 150, 255}, Label: "stuck"})
	}
	gw := "gradient norm"
	if t.Train != nil {
		gw = "mini-batch gradient norm"
	}
	gc := render.Chart{Title: "gradient norm", XLabel: xlabel, YLabel: "‖∇f‖", LogY: true,
		Series: []render.Series{{Label: gw, X: steps, Y: gnorm, Colour: 0}}}
	wc := render.Chart{Title: "weight norm", XLabel: xlabel, YLabel: "‖x‖",
		Series: []render.Series{{Label: "parameter norm", X: steps, Y: pnorm, Colour: 2}}}
	charts := []render.Chart{lc, gc, wc}
	if d.Dim <= 8 {
		charts = append(charts, render.Chart{Title: "parameters", XLabel: xlabel, YLabel: "value", Series: paramSeries(d, t, steps)})
	}
	if t.Sharpness != nil {
		sc := render.Chart{Title: "sharpness", XLabel: xlabel, YLabel: "largest Hessian eigenvalue"}
		var xs, ys, ls []float64
		for i, r := range t.Records {
			if v := t.Sharpness[i]; v == v {
				xs, ys = append(xs, steps[i]), append(ys, v)
			}
			lr := math.NaN()
			if r.LR > 0 {
				lr = 2 / r.LR
			}
			ls = append(ls, lr)
		}
		sc.Series = append(sc.Series, render.Series{Label: "sharpness λmax", X: xs, Y: ys, Colour: 3},
			render.Series{Label: "2/lr", X: steps, Y: ls, Dashed: true, Colour: 0})
		charts = append(charts, sc)
	}
	if t.Tests() {
		charts = append(charts, acceptCharts(t, steps)...)
	}
	charts = append(charts, extra...)
	cols := min(3, len(charts))
	rows := (len(charts) + cols - 1) / cols
	if err := render.ChartGridPNG(of, 700*cols, 550*rows, cols, charts...); err != nil {
		return err
	}
	return of.Commit()
}

// trackFlag is --track sharpness[:K].
type trackFlag struct {
	s     string
	every int
}

func (f *trackFlag) String() string { return f.s }
func (f *trackFlag) Type() string   { return "sharpness[:K]" }
func (f *trackFlag) Set(s string) error {
	what, k, ok := strings.Cut(s, ":")
	if what != "sharpness" {
		return fmt.Errorf("want sharpness or sharpness:K")
	}
	f.every = 10
	if ok {
		n, err := strconv.Atoi(k)
		if err != nil || n < 1 {
			return fmt.Errorf("K must be a whole number of steps, 1 or more")
		}
		f.every = n
	}
	f.s = s
	return nil
}

// startFlag is --start: a point (numbers or a file), random, or nothing
// (the default start).
type startFlag struct {
	s      string
	x      []float64
	random bool
}

func (f *startFlag) String() string { return f.s }
func (f *startFlag) Type() string   { return "x0,x1,...|FILE|random" }
func (f *startFlag) Set(s string) error {
	f.s, f.random, f.x = s, s == "random", nil
	if f.random {
		return nil
	}
	x, err := host.LoadVector(s)
	f.x = x
	return err
}

// point is the start on the surface d (see startFlag), checked to lie in
// its domain.
//
// random is a seeded draw from N(0, 0.5²) per parameter, clamped to the
// domain: a model's initialisation (the default corner point gives every
// hidden unit of an MLP the same weights, which gradients never split).
func (f *startFlag) point(d client.Descriptor, seed uint64) ([]float64, error) {
	switch {
	case f.random:
		x := compute.RandomDirection(d.Dim, seed)
		for k, iv := range d.Domain {
			x[k] = math.Min(math.Max(0.5*x[k], iv.Lo), iv.Hi)
		}
		return x, nil
	case f.x == nil:
		return defaultStart(d), nil
	}
	x := d.Wrap(nil, f.x)
	return x, checkStart("--start", x, d)
}

// defaultStart is 20% into d's domain from its low corner.
func defaultStart(d client.Descriptor) []float64 {
	x := make([]float64, d.Dim)
	for k, iv := range d.Domain {
		x[k] = iv.Lo + 0.2*(iv.Hi-iv.Lo)
	}
	return x
}

// checkStart refuses a start point (named what in errors) of the wrong
// dimension or outside the surface's domain (a periodic parameter is
// never outside: see sdk.Info.Periods).
func checkStart(what string, x []float64, d client.Descriptor) error {
	if len(x) != d.Dim {
		return fmt.Errorf("%w: %s has %d values; %s has %d parameters", host.ErrBadInput, what, len(x), d.Name, d.Dim)
	}
	for k, v := range x {
		if iv := d.Domain[k]; d.Period(k) == 0 && (v < iv.Lo || v > iv.Hi) || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s: x%d=%g is outside %s's domain [%g, %g]", host.ErrBadInput, what, k, v, d.Name, iv.Lo, iv.Hi)
		}
	}
	return nil
}

func point(x []float64) string {
	p := make([]string, len(x))
	for i, v := range x {
		p[i] = strconv.FormatFloat(v, 'g', 6, 64)
	}
	return "(" + strings.Join(p, ", ") + ")"
}

// statusText is a run's status, with where it stopped when classified:
// "converged to a saddle (index 1) after 12 steps".
func statusText(t *host.Trajectory, stop *host.Stop) string {
	status := t.Status.String()
	if stop != nil && t.Status == optimize.Plateau {
		status += " at " + stop.Describe()
	} else if stop != nil {
		status += " to " + stop.Describe()
	}
	switch t.Status {
	case optimize.Converged:
		status += fmt.Sprintf(" after %d steps", t.ConvergedAt)
	case optimize.Diverged, optimize.Failed:
		status += ": " + t.Reason
	}
	return status
}

func printSummary(w io.Writer, d client.Descriptor, o host.OptEntry, t *host.Trajectory, stop *host.Stop) {
	fmt.Fprintf(w, "%s on %s from %s: %s\n", o.Name, d.Name, point(t.Start), statusText(t, stop))
	if t.Train != nil {
		fmt.Fprintf(w, "  final loss %.6g (the full train loss) at %s after %d steps; the last mini-batch's loss %.6g, gradient norm %.3g\n",
			t.Loss, point(d.Wrap(nil, t.X)), t.Steps, t.BatchLoss, t.GradNorm)
	} else {
		fmt.Fprintf(w, "  final loss %.6g at %s after %d steps, gradient norm %.3g\n", t.Loss, point(d.Wrap(nil, t.X)), t.Steps, t.GradNorm)
	}
	if s := stuckText(t); s != "" {
		fmt.Fprintf(w, "  %s (the loss's variance over the window at most (tol·(1+|mean|))²)\n", s)
	}
	if stop != nil {
		ev := stop.Eigenvalues
		switch {
		case stop.Index < 0:
			fmt.Fprintf(w, "  Hessian there (%s): lowest eigenvalue %.4g, highest %.4g\n", stop.Method, ev[0], ev[len(ev)-1])
		case len(ev) > 4:
			fmt.Fprintf(w, "  Hessian there (%s): %d negative eigenvalues, lowest %.4g, highest %.4g\n", stop.Method, stop.Index, ev[0], ev[len(ev)-1])
		default:
			fmt.Fprintf(w, "  Hessian there (%s): eigenvalues %s\n", stop.Method, point(ev))
		}
		if stop.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", stop.Note)
		}
	}
	if m, dist, ok := host.Nearest(d, t.X); ok && !math.IsNaN(dist) {
		fmt.Fprintf(w, "  nearest known minimum %s (loss %.6g), distance %.3g\n", point(m.Location), m.Value, dist)
	}
	fmt.Fprintf(w, "  evaluations asked for: %d\n", t.Evaluations)
}

// routeSettings looks up the surface and the optimizers and routes --set
// between them (see host.Route).
func routeSettings(ctx context.Context, app *host.App, surface string, optimizers []string, set client.Settings) (host.Entry, []host.OptEntry, host.Routed, error) {
	cat, err := app.Catalog(ctx)
	if err != nil {
		return host.Entry{}, nil, host.Routed{}, err
	}
	se, err := cat.Lookup(surface)
	if err != nil {
		return se, nil, host.Routed{}, err
	}
	var opts []host.OptEntry
	seen := map[string]bool{}
	for _, n := range optimizers {
		o, err := cat.LookupOptimizer(n)
		if err != nil {
			return se, nil, host.Routed{}, err
		}
		if !seen[o.Name] {
			seen[o.Name] = true
			opts = append(opts, o)
		}
	}
	r, err := host.Route(set, se.Name, se.Hyperparameters, opts)
	return se, opts, r, err
}
