package host

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// Races: optimizers (one optimizer at several settings too) from the same
// starts, repeated over seeds, and swept over a hyperparameter.

// Racer is one optimizer at one setting.
type Racer struct {
	// Label is the racer as written ("gd@lr=0.1", "adam").
	Label  string
	Opt    OptEntry
	Params sdk.Params
	// Own are the settings given to this racer alone (NAME@name=value),
	// nil for none.
	Own *client.Settings
}

// RouteRace looks up the racers' optimizers and routes set between the
// surface e and them, as Route does for optimizers by name; then each
// racer's own settings (NAME@name=value) go on top of its optimizer's
// (they must be the optimizer's hyperparameters). Two racers with the same
// optimizer and settings are an error: they would run the same race.
func RouteRace(cat *Catalog, set client.Settings, e Entry, specs []RacerSpec) (Routed, []Racer, error) {
	var opts []OptEntry
	byName := map[string]OptEntry{}
	for _, r := range specs {
		o, err := cat.LookupOptimizer(r.Optimizer)
		if err != nil {
			return Routed{}, nil, err
		}
		if _, ok := byName[o.Name]; !ok {
			byName[o.Name] = o
			opts = append(opts, o)
		}
	}
	routed, err := Route(set, e.Name, e.Hyperparameters, opts)
	if err != nil {
		return routed, nil, err
	}
	racers := make([]Racer, len(specs))
	for i, r := range specs {
		o, err := cat.LookupOptimizer(r.Optimizer)
		if err != nil {
			return routed, nil, err
		}
		rc := Racer{Label: r.Text, Opt: o, Params: routed.Optimizers[o.Name], Own: r.Settings}
		if r.Settings != nil {
			// The racer's own settings, as OPT.NAME (which wins over the
			// rest of set), routed again.
			own := client.Settings{Params: maps.Clone(set.Params), Texts: maps.Clone(set.Texts)}
			if own.Params == nil {
				own.Params = sdk.Params{}
			}
			if own.Texts == nil {
				own.Texts = sdk.Texts{}
			}
			for _, k := range slices.Sorted(maps.Keys(r.Settings.Params)) {
				if !Declares(o.Hyperparameters, k) {
					return routed, nil, badInput("optimizers", "%s: %s does not take %s (%s)", r.Text, o.Name, k, takesList(o.Hyperparameters))
				}
				own.Params[o.Name+"."+k] = r.Settings.Params[k]
				delete(own.Texts, o.Name+"."+k)
			}
			for _, k := range slices.Sorted(maps.Keys(r.Settings.Texts)) {
				if !Declares(o.Hyperparameters, k) {
					return routed, nil, badInput("optimizers", "%s: %s does not take %s (%s)", r.Text, o.Name, k, takesList(o.Hyperparameters))
				}
				own.Texts[o.Name+"."+k] = r.Settings.Texts[k]
				delete(own.Params, o.Name+"."+k)
			}
			ro, err := Route(own, e.Name, e.Hyperparameters, opts)
			if err != nil {
				return routed, nil, &InputError{Input: "optimizers", Msg: r.Text + ": " + UserMessage(err), Err: err}
			}
			if len(ro.OptimizerTexts[o.Name]) > 0 {
				routed.OptimizerTexts[o.Name] = ro.OptimizerTexts[o.Name]
			}
			rc.Params = ro.Optimizers[o.Name]
		}
		for _, prev := range racers[:i] {
			if prev.Opt.Name == o.Name && maps.Equal(prev.Params, rc.Params) {
				return routed, nil, badInput("optimizers", "%s and %s would run the same race (the same optimizer with the same settings); give each its own, as in %s@lr=0.1,%s@lr=0.01", prev.Label, r.Text, o.Name, o.Name)
			}
		}
		racers[i] = rc
	}
	return routed, racers, nil
}

// RaceSpec is a race: every racer from every start, Repeats times with
// seeds Seed, Seed+1, ..., at every value of Sweep.
type RaceSpec struct {
	Surface *Surface
	Racers  []Racer
	Starts  [][]float64
	// Steps, BatchSize, Tol, Window, KeepGoing and Stuck are as in
	// OptimizeSpec.
	Steps     int
	BatchSize int
	Tol       float64
	Window    int
	KeepGoing bool
	Stuck     optimize.StuckRule
	// Seed is the first repeat's seed (of the optimizers' randomness and
	// of the mini-batches); repeat r has Seed+r.
	Seed uint64
	// Repeats is how many times each run is repeated (0 means 1).
	Repeats int
	// Sweep, when set, runs every racer at each of its values of a
	// hyperparameter every racer takes.
	Sweep *Sweep
}

// RaceRun is one run of a race.
type RaceRun struct {
	// Racer, Start and Repeat index the spec's racers, starts and
	// repeats; Value is the index of the sweep's value (0 without one).
	Racer, Start, Repeat, Value int
	Seed                        uint64
	// Params are the optimizer's hyperparameters the run had.
	Params sdk.Params
	Traj   *Trajectory
}

// Race runs the spec: one batch (every start) per racer, sweep value and
// repeat. The runs come racer by racer, then by sweep value, repeat and
// start.
func (a *App) Race(ctx context.Context, s RaceSpec) ([]RaceRun, error) {
	reps := max(s.Repeats, 1)
	values := []float64{math.NaN()}
	if s.Sweep != nil {
		values = s.Sweep.Values()
		for _, r := range s.Racers {
			if err := sweepable(r, s.Sweep.Name); err != nil {
				return nil, err
			}
		}
	}
	var out []RaceRun
	for ri, r := range s.Racers {
		for vi, v := range values {
			params := r.Params
			if s.Sweep != nil {
				params = maps.Clone(r.Params)
				params[s.Sweep.Name] = v
				if _, err := sdk.Resolve(r.Opt.Hyperparameters, params); err != nil {
					return nil, &InputError{Input: "sweep", Msg: fmt.Sprintf("%s: %s", r.Label, err), Err: err}
				}
			}
			for rep := range reps {
				seed := s.Seed + uint64(rep)
				trajs, err := a.Optimize(ctx, OptimizeSpec{Surface: s.Surface, Opt: r.Opt, OptParams: params, Starts: s.Starts, Steps: s.Steps,
					Seed: seed, Tol: s.Tol, Window: s.Window, KeepGoing: s.KeepGoing, BatchSize: s.BatchSize, Stuck: s.Stuck})
				if err != nil {
					return nil, err
				}
				for si, t := range trajs {
					out = append(out, RaceRun{Racer: ri, Start: si, Repeat: rep, Value: vi, Seed: seed, Params: params, Traj: t})
				}
			}
		}
	}
	return out, nil
}

// sweepable refuses a sweep of name for a racer that does not take it as
// a number, or that sets it itself.
func sweepable(r Racer, name string) error {
	for _, h := range r.Opt.Hyperparameters {
		if h.Name != name {
			continue
		}
		if h.Text || h.Flag || len(h.Options) > 0 {
			return badInput("sweep", "%s: %s's %s is not a number", name, r.Opt.Name, name)
		}
		if r.Own != nil {
			_, p := r.Own.Params[name]
			_, t := r.Own.Texts[name]
			if p || t {
				return badInput("sweep", "%s: %s sets %s itself; the sweep sets it for every racer", name, r.Label, name)
			}
		}
		return nil
	}
	return badInput("sweep", "%s: %s does not take %s (%s)", name, r.Opt.Name, name, takesList(r.Opt.Hyperparameters))
}

// Identical reports whether the runs' trajectories are the same, record by
// record (repeats of a deterministic run).
func Identical(runs []*Trajectory) bool {
	for _, t := range runs[1:] {
		a, b := runs[0].Records, t.Records
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if !slices.Equal(a[i].X, b[i].X) || math.Float64bits(a[i].Loss) != math.Float64bits(b[i].Loss) {
				return false
			}
		}
	}
	return true
}

// Band is the mean of several runs' series, step by step, with their
// least and greatest values: a series that ends early (a run that
// converged) stays at its last value; at a step where any run's value is
// NaN or infinite (a diverged run) all three are NaN.
func Band(series [][]float64) (mean, lo, hi []float64) {
	n := 0
	for _, s := range series {
		n = max(n, len(s))
	}
	mean, lo, hi = make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range n {
		sum, l, h := 0.0, math.Inf(1), math.Inf(-1)
		for _, s := range series {
			v := math.NaN()
			if len(s) > 0 {
				v = s[min(k, len(s)-1)]
			}
			sum += v
			l, h = math.Min(l, v), math.Max(h, v)
		}
		mean[k], lo[k], hi[k] = sum/float64(len(series)), l, h
		if math.IsNaN(mean[k]) || math.IsInf(mean[k], 0) || math.IsInf(l, 0) || math.IsInf(h, 0) {
			mean[k], lo[k], hi[k] = math.NaN(), math.NaN(), math.NaN()
		}
	}
	return mean, lo, hi
}

// RunsSummary describes several runs' final losses: their mean, standard
// deviation (the sample's, n−1; 0 for one run), least and greatest, over
// the finite ones, and how many of them converged and diverged.
type RunsSummary struct {
	N, Finite, Converged, Diverged int
	Mean, SD, Min, Max             float64
}

// Summarize is the RunsSummary of runs.
func Summarize(runs []*Trajectory) RunsSummary {
	s := RunsSummary{N: len(runs), Min: math.Inf(1), Max: math.Inf(-1)}
	var v []float64
	for _, t := range runs {
		switch t.Status {
		case optimize.Converged:
			s.Converged++
		case optimize.Diverged, optimize.Failed:
			s.Diverged++
		}
		if l := t.Loss; !math.IsNaN(l) && !math.IsInf(l, 0) && t.Status != optimize.Diverged && t.Status != optimize.Failed {
			v = append(v, l)
			s.Min, s.Max = math.Min(s.Min, l), math.Max(s.Max, l)
		}
	}
	s.Finite = len(v)
	if len(v) == 0 {
		s.Mean, s.SD, s.Min, s.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return s
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			s.SD += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(s.SD / float64(len(v)-1))
	}
	return s
}

// WriteRaceCSV writes every run's records, one row per record:
// run,label,optimizer,start,repeat,seed, swept_NAME (with a sweep of the
// hyperparameter NAME: its value), then step,loss,grad_norm,param_norm,lr,x0,x1,...,
// train_loss,test_loss,best_loss (NaN where a run has none: train_loss for
// full-batch runs, test_loss without a test set, best_loss for runs that
// are no walk). run counts from 1, as start and repeat from 0.
func WriteRaceCSV(w io.Writer, s RaceSpec, runs []RaceRun) error {
	bw := bufio.NewWriter(w)
	dim := s.Surface.Desc.Dim
	head := []string{"run", "label", "optimizer", "start", "repeat", "seed"}
	if s.Sweep != nil {
		head = append(head, "swept_"+s.Sweep.Name)
	}
	head = append(head, "step", "loss", "grad_norm", "param_norm", "lr")
	for k := range dim {
		head = append(head, "x"+strconv.Itoa(k))
	}
	head = append(head, "train_loss", "test_loss", "best_loss")
	bw.WriteString(strings.Join(head, ",") + "\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	at := func(v []float64, i int) string {
		if v == nil {
			return "NaN"
		}
		return f(v[i])
	}
	var values []float64
	if s.Sweep != nil {
		values = s.Sweep.Values()
	}
	for n, r := range runs {
		pre := []string{strconv.Itoa(n + 1), csvField(s.Racers[r.Racer].Label), s.Racers[r.Racer].Opt.Name, strconv.Itoa(r.Start), strconv.Itoa(r.Repeat), strconv.FormatUint(r.Seed, 10)}
		if s.Sweep != nil {
			pre = append(pre, f(values[r.Value]))
		}
		p := strings.Join(pre, ",")
		walk := r.Traj.Walk()
		for i, rec := range r.Traj.Records {
			bw.WriteString(p + "," + strconv.Itoa(rec.Step) + "," + f(rec.Loss) + "," + f(rec.GradNorm) + "," + f(rec.ParamNorm) + "," + f(rec.LR))
			for _, x := range rec.X {
				bw.WriteString("," + f(x))
			}
			best := "NaN"
			if walk {
				best = f(rec.BestLoss)
			}
			bw.WriteString("," + at(r.Traj.Train, i) + "," + at(r.Traj.Test, i) + "," + best + "\n")
		}
	}
	return bw.Flush()
}

// csvField quotes s for CSV when it holds a comma or a quote (a racer's
// label with several settings).
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// RaceReport is the JSON form of a race: every run with its trajectory.
type RaceReport struct {
	Surface       string         `json:"surface"`
	SurfaceParams map[string]any `json:"surface_hyperparameters"`
	// Sweep is the swept hyperparameter ("lr=1e-4:0.1:9:log"), "" for none.
	Sweep string          `json:"sweep,omitempty"`
	Runs  []RaceRunReport `json:"runs"`
}

// RaceRunReport is one run of a race.
type RaceRunReport struct {
	Label  string `json:"label"`
	Start  int    `json:"start"`
	Repeat int    `json:"repeat"`
	// Value is the swept hyperparameter's value (absent without a sweep).
	Value *float64 `json:"value,omitempty"`
	TrajectoryReport
}

// NewRaceReport describes a race's runs for JSON.
func NewRaceReport(s RaceSpec, runs []RaceRun) RaceReport {
	d := s.Surface.Desc
	rep := RaceReport{Surface: d.Name, SurfaceParams: ConfiguredJSON(d.Hyperparameters), Runs: []RaceRunReport{}}
	var values []float64
	if s.Sweep != nil {
		rep.Sweep, values = s.Sweep.String(), s.Sweep.Values()
	}
	for _, r := range runs {
		rc := s.Racers[r.Racer]
		rr := RaceRunReport{Label: rc.Label, Start: r.Start, Repeat: r.Repeat, TrajectoryReport: NewTrajectoryReport(d, rc.Opt, r.Params, r.Seed, r.Traj)}
		if s.Sweep != nil {
			v := values[r.Value]
			rr.Value = &v
		}
		rep.Runs = append(rep.Runs, rr)
	}
	return rep
}
