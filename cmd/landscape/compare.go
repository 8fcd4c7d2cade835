package main

import (
	"context"
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
		st            studyFlags
		specs         []host.RacerSpec
		starts        [][]float64
		outs          []string
		animOut       string
		sweep         *host.Sweep
		repeats       = 1
		width, height = 1600, 700
		logScale      bool
		colormap      = "viridis"
	)
	c := &cobra.Command{
		Use:   "compare SURFACE --optimizers a,b,... -o cmp.png [-o runs.csv|runs.json]",
		Short: "Race optimizers from the same starts: paths, loss curves and a table",
		Long: `Run every optimizer from every start and draw one image: the paths over the
surface's contour plot (with a legend) and the loss per step on a log scale;
print a table of final loss, distance to the nearest known minimum, the step
of convergence, the evaluations used and the step a run got stuck at. On a
surface of one parameter the left panel is its curve, with each run's points
on it.

--optimizers takes one optimizer at several settings too: gd@lr=0.1,gd@lr=0.01,adam
races gd at two learning rates against adam, each labelled as written
(a racer takes several settings as gd@lr=0.1,momentum=0.9... only where the
optimizer takes them; two racers with the same settings are refused).

--repeats N runs each race N times with seeds --seed, --seed+1, ... (the
randomness of sgd's noise, annealing and mini-batches): the loss panel
draws their mean with their range as a band, the paths are the first
repeat's, and the table gives the final losses' mean, standard deviation,
least and greatest.

--sweep NAME=LO:HI:N[:log] runs every optimizer at N values of its
hyperparameter NAME (evenly spaced, or evenly on a log scale) and draws the
final loss against it, one curve per optimizer (with --repeats, their mean
and range); -o takes the .png of that chart.

-o also writes every run's records beside the image: .csv (one row per
record: run, label, optimizer, start, repeat, seed, swept_NAME, step,
loss, grad_norm, param_norm, lr, x0, ..., train_loss, test_loss, best_loss)
or .json (every run's trajectory, as optimize -o writes it, with its label).

Mini-batch runs (--batch-size) are judged by epochs and drawn by their full
train loss; --epochs N runs N epochs. A run is stuck where its loss's
variance over --stuck-window steps stays at most (--stuck-tol·(1+|mean|))²
(see 'landscape optimize --help').

` + animateHelp + ` The GIF is half the image's width (--width/2 × --height).

--set takes the surface's hyperparameters and the optimizers' (a bare name
goes to every optimizer that takes it; adam.lr=0.01 to adam alone).

Examples:
  landscape compare rosenbrock --optimizers gd,momentum,adam,rmsprop --start -1.5,2 --steps 2000 -o cmp.png
  landscape compare himmelblau --optimizers sgd,adam --start 0,0 --start -1,-1 --set sgd.lr=0.005,adam.lr=0.05 -o h.png
  landscape compare himmelblau --optimizers gd@lr=0.01,gd@lr=0.001,adam@lr=0.1 --start -1,-1 --steps 300 -o lr.png -o lr.csv
  landscape compare rosenbrock --optimizers gd,momentum,adam --start -1.5,2 --steps 500 --sweep lr=1e-5:1e-2:7:log -o sweep.png
  landscape compare himmelblau --optimizers sgd,momentum --start -1,-1 --steps 200 --set noise=2 --repeats 5 -o noisy.png -o noisy.json
  landscape compare expr --set 'f=(t-2)^2' --optimizers gd@lr=0.1,gd@lr=0.9,momentum --start 10 --steps 60 -o parabola.png
  landscape compare himmelblau --optimizers gd,momentum,adam --start -1,-1 --steps 300 --set adam.lr=0.05 --animate race.gif`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(specs) == 0 {
				return usageError{fmt.Errorf("compare needs --optimizers a,b,... (see 'landscape optimizers')")}
			}
			if len(outs) == 0 && animOut == "" {
				return usageError{fmt.Errorf("compare needs -o OUT.png (and/or OUT.csv, OUT.json) or --animate OUT.gif")}
			}
			formats := map[string]string{}
			for _, o := range outs {
				ext, err := host.OutputFormat(o, ".png", ".csv", ".json")
				if err != nil {
					return err
				}
				if formats[ext] != "" {
					return usageError{fmt.Errorf("-o %s and -o %s are both %s files; give one of each kind", formats[ext], o, ext)}
				}
				formats[ext] = o
			}
			if animOut != "" {
				if _, err := host.OutputFormat(animOut, ".gif"); err != nil {
					return err
				}
				if sweep != nil {
					return usageError{fmt.Errorf("--animate draws a race, --sweep a chart of final losses: give one")}
				}
			}
			ctx := cmd.Context()
			sf.work = host.Workload{ImageW: width, ImageH: height}
			cat, err := app.Catalog(ctx)
			if err != nil {
				return err
			}
			se, err := cat.Lookup(args[0])
			if err != nil {
				return err
			}
			routed, racers, err := host.RouteRace(cat, sf.set, se, specs)
			if err != nil {
				return err
			}
			if err := noOptimizerTexts(routed); err != nil {
				return err
			}
			view, err := sf.resolveView(ctx, app, args[0], routed.Surface)
			if err != nil {
				return err
			}
			surf := view.surface()
			xs := starts
			if len(xs) == 0 {
				xs = [][]float64{defaultStart(surf.Desc)}
			}
			for i, x := range xs {
				xs[i] = surf.Desc.Wrap(nil, x)
				if err := checkStart(fmt.Sprintf("start %d", i+1), xs[i], surf.Desc); err != nil {
					return err
				}
			}
			steps, err := st.steps(cmd, surf.Desc, pf.batch, pf.steps)
			if err != nil {
				return err
			}
			files, err := createOutputs(ctx, outs)
			defer abort(files)
			if err != nil {
				return err
			}
			af, err := openAnimation(ctx, animOut, surf.Desc)
			if err != nil {
				return err
			}
			if af != nil {
				defer af.Abort()
			}
			spec := host.RaceSpec{Surface: surf, Racers: racers, Starts: xs, Steps: steps, BatchSize: pf.batch, Tol: st.tol, Window: st.window,
				Stuck: st.rule(), Seed: pf.seed, Repeats: repeats, Sweep: sweep}
			runs, err := app.Race(ctx, spec)
			if err != nil {
				return err
			}
			trajs := make([]*host.Trajectory, len(runs))
			for i, r := range runs {
				trajs[i] = r.Traj
			}
			stops, err := app.ClassifyStops(ctx, surf, trajs)
			if err != nil {
				return err
			}
			printRace(stdout, spec, runs, stops)
			repeatNotes(stdout, spec, runs)
			gs := groups(runs)
			names := make([]string, len(racers))
			for i, r := range racers {
				names[i] = r.Label
			}
			who := strings.Join(names, ", ")
			var firsts []host.PathResult // each group's first repeat, for paths
			for _, g := range gs {
				r := g.runs[0]
				firsts = append(firsts, host.PathResult{PathRun: host.PathRun{Optimizer: racers[g.racer].Opt.Name, Start: xs[g.start]}, Opt: racers[g.racer].Opt, Traj: r.Traj})
			}
			label := func(i int) string { return gs[i].label(spec) }
			for i, f := range files {
				switch outs[i] {
				case formats[".csv"]:
					err = host.WriteRaceCSV(f, spec, runs)
				case formats[".json"]:
					err = host.WriteJSON(f, host.NewRaceReport(spec, runs))
				case formats[".png"]:
					switch {
					case sweep != nil:
						err = render.ChartsPNG(f, width, height, sweepChart(spec, runs))
					case view.line != nil:
						err = compareCurve(ctx, app, f, view.line, sf.backend, gs, spec, firsts, render.Options{Width: width, Height: height,
							Title: settingsTitle(surf.Desc, routed.Surface) + ": " + who}, logScale)
					default:
						err = comparePlane(ctx, app, f, af, view.scene, sf.backend, spec, gs, firsts, label, render.Options{Width: width, Height: height, Log: logScale,
							Colormap: colormap, Title: title(view.scene) + ": " + who})
						af = nil // written with the image
					}
				}
				if err != nil {
					return err
				}
			}
			if af != nil {
				if err := comparePlane(ctx, app, nil, af, view.scene, sf.backend, spec, gs, firsts, label, render.Options{Width: width, Height: height, Log: logScale,
					Colormap: colormap, Title: title(view.scene) + ": " + who}); err != nil {
					return err
				}
			}
			return commitAll(files)
		},
	}
	sf.register(c, 512)
	st.register(c)
	fl := c.Flags()
	fl.Var(racersFlag{&specs}, "optimizers", "comma-separated optimizers to race, each NAME or NAME@name=value (one optimizer at several settings)")
	fl.Var(pointsFlag{&starts}, "start", "start point x0,x1,... or a trajectory/.npy file (repeat for several; default: 20% into the domain)")
	fl.Var(intRange{&pf.steps, 1, 1_000_000}, "steps", "steps per run")
	fl.Uint64Var(&pf.seed, "seed", 1, "seed of the optimizers' randomness (and of mini-batches); repeat r has seed+r")
	fl.Var(intRange{&repeats, 1, 10_000}, "repeats", "run each race this many times, seeds --seed, --seed+1, ... (mean and range drawn)")
	fl.Var(sweepFlag{&sweep}, "sweep", "sweep a hyperparameter of every optimizer: NAME=LO:HI:N (evenly spaced) or NAME=LO:HI:N:log, and draw the final loss against it")
	fl.Var(intRange{&pf.batch, 0, 1 << 30}, "batch-size", "mini-batch gradients of this many samples (data-driven surfaces; 0: full batch)")
	fl.StringArrayVarP(&outs, "output", "o", nil, "output: the .png image, and the runs' records as .csv and/or .json (repeat)")
	fl.StringVar(&animOut, "animate", "", "also (or only) write the race as an animated .gif")
	fl.Var(intRange{&width, 128, 16384}, "width", "image width in pixels")
	fl.Var(intRange{&height, 128, 16384}, "height", "image height in pixels")
	fl.BoolVar(&logScale, "log", false, "colour by log10(loss - min + eps) (one parameter: the loss axis on a log scale)")
	fl.Var(colormapFlag{&colormap}, "colormap", "colormap name: "+strings.Join(render.Colormaps(), ", "))
	return c
}

// comparePlane draws a race on the scene's plane: into of (the image),
// and into af (the animation) when not nil; each is committed by the
// caller (of) or here (af).
func comparePlane(ctx context.Context, app *host.App, of io.Writer, af *host.OutFile, sc *host.Scene, backend host.Backend, spec host.RaceSpec, gs []*group,
	firsts []host.PathResult, label func(int) string, o render.Options) error {
	f, _, err := app.Evaluate(ctx, backend, sc, compute.Options{})
	if err != nil {
		return err
	}
	o.Markers = markers(sc)
	o.Paths = projected(sc, firsts, func(host.PathResult) string { return "" })
	for i := range o.Paths {
		o.Paths[i].Label = label(i)
	}
	if af != nil {
		ao := o
		ao.Width = o.Width / 2
		if err := writeAnimation(af, f, ao); err != nil {
			return err
		}
	}
	if of == nil {
		return nil
	}
	return render.ComparePNG(of, f, o, raceCurves(spec, gs))
}

// compareCurve draws a race on a surface of one parameter: its curve with
// each run's points on it, and the loss curves.
func compareCurve(ctx context.Context, app *host.App, of io.Writer, l *host.LineScene, backend host.Backend, gs []*group, spec host.RaceSpec,
	firsts []host.PathResult, o render.Options, logY bool) error {
	loss, _, err := app.EvaluateLine(ctx, backend, l)
	if err != nil {
		return err
	}
	var pts []runPoints
	for i, r := range firsts {
		pts = append(pts, pointsOf(gs[i].label(spec), l, r.Traj))
	}
	ch := curveChart(l, lineCoords(l), loss, logY, pts)
	ch.Title = ""
	return render.CompareCurvePNG(of, ch, o, raceCurves(spec, gs))
}
