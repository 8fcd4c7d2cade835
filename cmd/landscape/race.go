package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

// What compare and optimize share: racers, sweeps, repeats, epochs, stuck
// stretches, histories, and surfaces of one parameter drawn as curves.

// racersFlag is --optimizers a,b@lr=0.1,...
type racersFlag struct{ v *[]host.RacerSpec }

func (f racersFlag) String() string {
	if f.v == nil {
		return ""
	}
	var s []string
	for _, r := range *f.v {
		s = append(s, r.Text)
	}
	return strings.Join(s, ",")
}
func (f racersFlag) Type() string { return "a,b@k=v,..." }
func (f racersFlag) Set(s string) (err error) {
	*f.v, err = host.ParseRacers(s)
	return err
}

// sweepFlag is --sweep name=lo:hi:n[:log]; nil until given.
type sweepFlag struct{ v **host.Sweep }

func (f sweepFlag) String() string {
	if f.v == nil || *f.v == nil {
		return ""
	}
	return (*f.v).String()
}
func (f sweepFlag) Type() string { return "name=lo:hi:n[:log]" }
func (f sweepFlag) Set(s string) error {
	w, err := host.ParseSweep(s)
	if err != nil {
		return err
	}
	*f.v = &w
	return nil
}

// studyFlags are the flags optimize and compare share: convergence, epochs
// and stuck stretches.
type studyFlags struct {
	tol         float64
	window      int
	epochs      int
	stuckWindow int
	stuckTol    float64
}

func (f *studyFlags) register(c *cobra.Command) {
	f.tol, f.window, f.stuckWindow, f.stuckTol = 1e-9, 10, 50, 1e-4
	fl := c.Flags()
	fl.Var(floatRange{&f.tol, true}, "tol", "convergence: relative loss change over --window steps (mini-batch runs: of the epochs' mean loss over --window epochs)")
	fl.Var(intRange{&f.window, 1, 1_000_000}, "window", "convergence window in steps (mini-batch runs: in epochs)")
	fl.Var(intRange{&f.epochs, 0, 1_000_000}, "epochs", "with --batch-size: run this many epochs (each ⌈samples/batch size⌉ steps) instead of --steps")
	fl.Var(intRange{&f.stuckWindow, 2, 1_000_000}, "stuck-window", "stuck: the window of steps over which the loss's variance is measured")
	fl.Var(floatRange{&f.stuckTol, true}, "stuck-tol", "stuck: the loss's standard deviation over the window, relative to 1+|mean loss|, at or below which a run is stuck")
}

// rule is the stuck rule the flags ask for.
func (f *studyFlags) rule() optimize.StuckRule {
	return optimize.StuckRule{Window: f.stuckWindow, Tol: f.stuckTol}
}

// steps is the number of steps to take: --epochs' (on the surface d in
// batches of batch) or steps.
func (f *studyFlags) steps(cmd *cobra.Command, d client.Descriptor, batch, steps int) (int, error) {
	if f.epochs == 0 {
		return steps, nil
	}
	switch {
	case cmd.Flags().Changed("steps"):
		return 0, usageError{errors.New("give --epochs or --steps, not both")}
	case batch <= 0:
		return 0, usageError{errors.New("--epochs counts the epochs of mini-batch runs: give --batch-size too")}
	case d.Samples == 0:
		return 0, fmt.Errorf("%w: --epochs: %s has no samples (it is not a data-driven surface)", host.ErrBadInput, d.Name)
	}
	return f.epochs * len(host.EpochSizes(d.Samples, batch)), nil
}

// stuckText describes a run's stuck stretches for a summary ("" for
// none): "stuck from step 120 to 340, and from 900 to the end".
func stuckText(t *host.Trajectory) string {
	var parts []string
	for i, s := range t.Stuck {
		p := fmt.Sprintf("from step %d to %d", s.From, s.To)
		if i > 0 {
			p = fmt.Sprintf("from %d to %d", s.From, s.To)
		}
		if s.End {
			p = strings.TrimSuffix(p, strconv.Itoa(s.To)) + "the end"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return ""
	}
	return "stuck " + strings.Join(parts, ", ")
}

// lossSeries is the loss per step a race draws for a run: the full train
// loss of a mini-batch run, a walk's best loss so far, else its loss.
func lossSeries(t *host.Trajectory) []float64 {
	if t.Train != nil {
		return t.Train
	}
	out := make([]float64, len(t.Records))
	for i, r := range t.Records {
		out[i] = r.Loss
		if r.Best != nil {
			out[i] = r.BestLoss
		}
	}
	return out
}

// group is the runs of one racer from one start at one sweep value: its
// repeats.
type group struct {
	racer, start, value int
	runs                []host.RaceRun
}

// groups gathers a race's runs by racer, start and sweep value, in the
// order of the spec's racers, then values, then starts.
func groups(runs []host.RaceRun) []*group {
	var out []*group
	idx := map[[3]int]*group{}
	for _, r := range runs {
		k := [3]int{r.Racer, r.Value, r.Start}
		g := idx[k]
		if g == nil {
			g = &group{racer: r.Racer, start: r.Start, value: r.Value}
			idx[k] = g
			out = append(out, g)
		}
		g.runs = append(g.runs, r)
	}
	return out
}

func (g *group) trajs() []*host.Trajectory {
	out := make([]*host.Trajectory, len(g.runs))
	for i, r := range g.runs {
		out[i] = r.Traj
	}
	return out
}

// label names a group in legends and tables: the racer as written, and
// its start when the race has several.
func (g *group) label(s host.RaceSpec) string {
	l := s.Racers[g.racer].Label
	if len(s.Starts) > 1 {
		l += " from " + point(s.Starts[g.start])
	}
	return l
}

// printRace prints a row per run of a race without repeats or a sweep, and
// otherwise a row per group summarising its repeats' final losses.
func printRace(w io.Writer, s host.RaceSpec, runs []host.RaceRun, stops []*host.Stop) {
	d := s.Surface.Desc
	lw := len("OPTIMIZER")
	for _, r := range s.Racers {
		lw = max(lw, len(r.Label))
	}
	if s.Sweep == nil && max(s.Repeats, 1) == 1 {
		test, epochs := false, false
		for _, r := range runs {
			test = test || r.Traj.Test != nil
			epochs = epochs || r.Traj.StepsPerEpoch > 0
		}
		head := fmt.Sprintf("%-*s %-18s %-24s %12s %10s %9s %6s %9s", lw, "OPTIMIZER", "START", "STATUS", "FINAL_LOSS", "DIST_MIN", "CONVERGED", "EVALS", "STUCK")
		if epochs {
			head += fmt.Sprintf(" %10s", "CONV_EPOCH")
		}
		if test {
			head += fmt.Sprintf(" %12s", "FINAL_TEST")
		}
		fmt.Fprintln(w, head)
		for i, r := range runs {
			t := r.Traj
			dist := "-"
			if _, dm, ok := host.Nearest(d, t.X); ok && !math.IsNaN(dm) {
				dist = fmt.Sprintf("%.3g", dm)
			}
			conv := "-"
			if t.ConvergedAt >= 0 {
				conv = fmt.Sprint(t.ConvergedAt)
			}
			status := t.Status.String()
			if stops[i] != nil {
				status += " (" + stops[i].Kind.String()
				if st := stops[i]; st.Kind == critical.Saddle && st.Index > 0 {
					status += " " + strconv.Itoa(st.Index)
				}
				status += ")"
			}
			stuck := "-"
			if len(t.Stuck) > 0 {
				stuck = strconv.Itoa(t.Stuck[0].From)
			}
			line := fmt.Sprintf("%-*s %-18s %-24s %12.6g %10s %9s %6d %9s", lw, s.Racers[r.Racer].Label, point(r.Traj.Start), status, t.Loss, dist, conv, t.Evaluations, stuck)
			if epochs {
				ce := "-"
				if t.ConvergedEpoch >= 0 {
					ce = strconv.Itoa(t.ConvergedEpoch)
				}
				line += fmt.Sprintf(" %10s", ce)
			}
			if test {
				tl := math.NaN()
				if t.Test != nil {
					tl = t.Test[len(t.Test)-1]
				}
				line += fmt.Sprintf(" %12.6g", tl)
			}
			fmt.Fprintln(w, line)
		}
		return
	}
	var values []float64
	head := fmt.Sprintf("%-*s %-18s", lw, "OPTIMIZER", "START")
	if s.Sweep != nil {
		values = s.Sweep.Values()
		head += fmt.Sprintf(" %12s", strings.ToUpper(s.Sweep.Name))
	}
	fmt.Fprintln(w, head+fmt.Sprintf(" %4s %9s %8s %12s %10s %12s %12s", "RUNS", "CONVERGED", "DIVERGED", "MEAN_LOSS", "SD", "MIN", "MAX"))
	for _, g := range groups(runs) {
		sum := host.Summarize(g.trajs())
		line := fmt.Sprintf("%-*s %-18s", lw, s.Racers[g.racer].Label, point(s.Starts[g.start]))
		if s.Sweep != nil {
			line += fmt.Sprintf(" %12.4g", values[g.value])
		}
		fmt.Fprintln(w, line+fmt.Sprintf(" %4d %9d %8d %12.6g %10.3g %12.6g %12.6g", sum.N, sum.Converged, sum.Diverged, sum.Mean, sum.SD, sum.Min, sum.Max))
	}
}

// repeatNotes says which racers' repeats were identical runs (a
// deterministic optimizer with no mini-batches).
func repeatNotes(w io.Writer, s host.RaceSpec, runs []host.RaceRun) {
	if max(s.Repeats, 1) == 1 {
		return
	}
	said := map[int]bool{}
	for _, g := range groups(runs) {
		if !said[g.racer] && host.Identical(g.trajs()) {
			said[g.racer] = true
			fmt.Fprintf(w, "note: %s's %d repeats are the same run (it uses no randomness here: no noise, no mini-batches)\n", s.Racers[g.racer].Label, len(g.runs))
		}
	}
}

// raceCurves are a race's loss curves, one per group: the mean over its
// repeats with their range as a band (a run alone: its own loss), and the
// mean test loss.
func raceCurves(s host.RaceSpec, gs []*group) []render.Curve {
	var out []render.Curve
	for _, g := range gs {
		c := render.Curve{Label: g.label(s)}
		var loss, test [][]float64
		for _, r := range g.runs {
			loss = append(loss, lossSeries(r.Traj))
			if r.Traj.Test != nil {
				test = append(test, r.Traj.Test)
			}
		}
		if len(loss) == 1 {
			c.Loss = loss[0]
		} else {
			c.Loss, c.Lo, c.Hi = host.Band(loss)
		}
		if len(test) > 0 {
			c.Test, _, _ = host.Band(test)
		}
		out = append(out, c)
	}
	return out
}

// sweepChart draws a sweep: each racer's (and start's) final loss against
// the swept value, the mean over repeats with their range as a band.
func sweepChart(s host.RaceSpec, runs []host.RaceRun) render.Chart {
	w := s.Sweep
	values := w.Values()
	title := fmt.Sprintf("%s: final loss after %d steps", settingsTitle(s.Surface.Desc, client.Settings{}), s.Steps)
	if r := max(s.Repeats, 1); r > 1 {
		title += fmt.Sprintf(", mean of %d runs and their range", r)
	}
	c := render.Chart{Title: title, XLabel: w.Name, YLabel: "final loss", LogX: w.Log, LogY: true}
	type key struct{ racer, start int }
	var order []key
	byKey := map[key][]*group{}
	for _, g := range groups(runs) {
		k := key{g.racer, g.start}
		if byKey[k] == nil {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], g)
	}
	for i, k := range order {
		gs := byKey[k]
		x := make([]float64, len(gs))
		y := make([]float64, len(gs))
		lo := make([]float64, len(gs))
		hi := make([]float64, len(gs))
		for j, g := range gs {
			sum := host.Summarize(g.trajs())
			x[j], y[j], lo[j], hi[j] = values[g.value], sum.Mean, sum.Min, sum.Max
			if sum.Finite < sum.N { // a diverged repeat: no mean
				y[j], lo[j], hi[j] = math.NaN(), math.NaN(), math.NaN()
			}
			if y[j] <= 0 {
				c.LogY = false
			}
		}
		sr := render.Series{Label: gs[0].label(s), X: x, Y: y, Colour: i}
		if max(s.Repeats, 1) > 1 {
			sr.Lo, sr.Hi = lo, hi
		}
		c.Series = append(c.Series, sr, render.Series{X: x, Y: y, Colour: i, Points: true})
	}
	return c
}

// surfaceView is where runs are drawn: a scene's plane, or, for a surface
// of one parameter, its curve.
type surfaceView struct {
	scene *host.Scene
	line  *host.LineScene
}

// resolveView resolves the scene the flags ask for, or the curve of a
// surface of one parameter.
func (f *sceneFlags) resolveView(ctx context.Context, app *host.App, surface string, settings client.Settings) (surfaceView, error) {
	sc, err := f.resolve(ctx, app, surface, settings)
	if !errors.Is(err, host.ErrOneParameter) {
		return surfaceView{scene: sc}, err
	}
	l, err := f.curve(ctx, app, surface, settings)
	return surfaceView{line: l}, err
}

// curve is the curve of a surface of one parameter over --range (lo:hi)
// at --res's first number of points.
func (f *sceneFlags) curve(ctx context.Context, app *host.App, surface string, settings client.Settings) (*host.LineScene, error) {
	if f.quantity != compute.QLoss {
		return nil, fmt.Errorf("%w: --quantity maps a plane; %s has one parameter", host.ErrBadInput, surface)
	}
	cat, err := app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return app.ResolveCurve(ctx, cat, f.spec(surface, settings))
}

func (v surfaceView) surface() *host.Surface {
	if v.scene != nil {
		return v.scene.Surface
	}
	return v.line.Surface
}

// lineCoords are the parameter of every point of a curve.
func lineCoords(l *host.LineScene) []float64 {
	out := make([]float64, l.Line.N)
	for i := range out {
		out[i] = l.Line.At(i)
	}
	return out
}

// curveChart is the chart of a surface of one parameter: its loss along
// the line (xs, loss), the known minima marked, and each run's points on
// it in the style of its path (runs[i] in style i).
func curveChart(l *host.LineScene, xs, loss []float64, logY bool, runs []runPoints) render.Chart {
	c := render.Chart{Title: settingsTitle(l.Desc, l.Settings()), XLabel: l.Label, YLabel: "loss", LogY: logY,
		Series: []render.Series{{Label: "loss", X: xs, Y: loss, Colour: 7}}}
	for _, m := range l.Desc.Minima {
		c.Marks = append(c.Marks, m.Location[0])
	}
	for i, r := range runs {
		c.Series = append(c.Series, render.Series{Label: r.label, X: r.x, Y: r.loss, Colour: i, Points: true})
	}
	return c
}

// runPoints are a run's points on a curve: its parameter and loss at
// every record.
type runPoints struct {
	label   string
	x, loss []float64
}

// pointsOf are the points of the run t on the curve l (a periodic
// parameter wrapped into its period).
func pointsOf(label string, l *host.LineScene, t *host.Trajectory) runPoints {
	p := runPoints{label: label}
	for i, r := range t.Records {
		p.x = append(p.x, l.Desc.WrapParam(0, r.X[0]))
		if t.Train != nil { // the loss at the point, not its mini-batch's
			p.loss = append(p.loss, t.Train[i])
		} else {
			p.loss = append(p.loss, r.Loss)
		}
	}
	return p
}

// printEpochs adds a mini-batch run's epochs to its summary: how many,
// where it converged, and a row per epoch (the first and last ten of
// many).
func printEpochs(w io.Writer, t *host.Trajectory) {
	if t.StepsPerEpoch == 0 {
		return
	}
	line := fmt.Sprintf("  %d epochs of %d steps", len(t.Epochs), t.StepsPerEpoch)
	if rest := t.Steps - len(t.Epochs)*t.StepsPerEpoch; rest > 0 {
		line += fmt.Sprintf(" and %d steps of epoch %d", rest, len(t.Epochs)+1)
	}
	switch {
	case t.ConvergedEpoch >= 0:
		line += fmt.Sprintf("; converged at the end of epoch %d (the epochs' mean loss within --tol over --window epochs)", t.ConvergedEpoch)
	default:
		line += "; did not converge by epochs (the epochs' mean loss changed by more than --tol over --window epochs)"
	}
	fmt.Fprintln(w, line)
	if len(t.Epochs) == 0 {
		return
	}
	test := t.Test != nil
	head := fmt.Sprintf("  %6s %8s %16s %12s", "EPOCH", "STEP", "MEAN_BATCH_LOSS", "TRAIN_LOSS")
	if test {
		head += fmt.Sprintf(" %12s", "TEST_LOSS")
	}
	fmt.Fprintln(w, head)
	for i, e := range t.Epochs {
		if n := len(t.Epochs); n > 20 && i >= 10 && i < n-10 {
			if i == 10 {
				fmt.Fprintf(w, "  %6s\n", "...")
			}
			continue
		}
		row := fmt.Sprintf("  %6d %8d %16.6g %12.6g", e.Epoch.Epoch, e.Step, e.Loss, e.Train)
		if test {
			row += fmt.Sprintf(" %12.6g", e.Test)
		}
		fmt.Fprintln(w, row)
	}
}
