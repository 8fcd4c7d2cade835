package host

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

func TestParseRacers(t *testing.T) {
	rs, err := ParseRacers("gd@lr=0.1,gd@lr=0.01, adam ,momentum@lr=0.01,momentum=0.8")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text, opt string
		set       sdk.Params
	}{{"gd@lr=0.1", "gd", sdk.Params{"lr": 0.1}}, {"gd@lr=0.01", "gd", sdk.Params{"lr": 0.01}}, {"adam", "adam", nil},
		{"momentum@lr=0.01,momentum=0.8", "momentum", sdk.Params{"lr": 0.01, "momentum": 0.8}}}
	if len(rs) != len(want) {
		t.Fatalf("%+v", rs)
	}
	for i, w := range want {
		r := rs[i]
		if r.Text != w.text || r.Optimizer != w.opt || (w.set == nil) != (r.Settings == nil) {
			t.Errorf("racer %d: %+v, want %+v", i, r, w)
			continue
		}
		for k, v := range w.set {
			if r.Settings.Params[k] != v {
				t.Errorf("racer %d: %s = %v, want %v", i, k, r.Settings.Params[k], v)
			}
		}
	}
	for _, bad := range []struct{ in, want string }{
		{"lr=0.1,gd", "follows an optimizer's NAME@name=value"},
		{"adam,lr=0.1", "follows an optimizer's NAME@name=value"},
		{"@lr=1", "no optimizer name"},
		{"gd@", "want NAME@name=value"},
		{"gd@lr", "want name=value"},
		{"gd@lr=1,lr=2", "lr is given twice"},
		{"gd@lr=inf", "not finite"},
		{",", "want comma-separated optimizers"},
	} {
		if _, err := ParseRacers(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseRacers(%q) = %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestParseSweep(t *testing.T) {
	w, err := ParseSweep("lr=1e-4:1e-1:9:log")
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "lr" || w.N != 9 || !w.Log || w.String() != "lr=0.0001:0.1:9:log" {
		t.Errorf("%+v %s", w, w)
	}
	// Geometric: each value the last times (1e3)^(1/8).
	v := w.Values()
	r := math.Pow(1e3, 1.0/8)
	for i, x := range v {
		if want := 1e-4 * math.Pow(r, float64(i)); math.Abs(x-want) > 1e-14*want {
			t.Errorf("value %d = %v, want %v", i, x, want)
		}
	}
	if v[0] != 1e-4 || v[8] != 0.1 {
		t.Errorf("ends %v %v", v[0], v[8])
	}
	w, err = ParseSweep("momentum=0:0.9:4")
	if err != nil || w.Log {
		t.Fatal(err, w)
	}
	for i, x := range w.Values() {
		if want := 0.3 * float64(i); math.Abs(x-want) > 1e-15 {
			t.Errorf("linear value %d = %v, want %v", i, x, want)
		}
	}
	if w2, err := ParseSweep("lr=1:2:3:lin"); err != nil || w2.Log {
		t.Errorf("lin: %v %v", w2, err)
	}
	for _, bad := range []struct{ in, want string }{
		{"lr", "want name=lo:hi:n"}, {"lr=1:2", "want name=lo:hi:n"}, {"=1:2:3", "want name=lo:hi:n"},
		{"lr=2:1:3", "inverted"}, {"lr=0:1:5:log", "positive ends"}, {"lr=1:2:1", "from 2 to 1000"},
		{"lr=1:2:x", "whole number"}, {"lr=1:2:3:cubic", "log or lin"}, {"lr=1:2:5000", "from 2 to 1000"},
	} {
		if _, err := ParseSweep(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseSweep(%q) = %v, want %q", bad.in, err, bad.want)
		}
	}
}

// raceApp serves bowl, linreg and gd, sgd, momentum and adam in process.
func raceApp(t *testing.T) (*App, *Catalog) {
	bowl, _ := funcs.ByName("bowl")
	var opts []sdk.Optimizer
	for _, n := range []string{"gd", "sgd", "momentum", "adam"} {
		o, _ := opt.ByName(n)
		opts = append(opts, o)
	}
	a := inProcess(t, sdk.WithSurfaces(bowl, model.LinReg()), sdk.WithOptimizers(opts...))
	cat, err := a.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return a, cat
}

func TestRouteRace(t *testing.T) {
	_, cat := raceApp(t)
	e, _ := cat.Lookup("bowl")
	specs, _ := ParseRacers("gd@lr=0.1,gd@lr=0.01,adam,momentum@momentum=0.5")
	set, _ := ParseSettings("lr=0.3,gd.lr=0.2,cond=4")
	r, racers, err := RouteRace(cat, set, e, specs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Surface.Params["cond"] != 4 {
		t.Errorf("surface settings %v", r.Surface)
	}
	want := []struct{ lr, momentum float64 }{{0.1, -1}, {0.01, -1}, {0.3, -1}, {0.3, 0.5}}
	for i, w := range want {
		p := racers[i].Params
		if p["lr"] != w.lr || w.momentum >= 0 && p["momentum"] != w.momentum {
			t.Errorf("%s: %v, want lr %v momentum %v", racers[i].Label, p, w.lr, w.momentum)
		}
		if racers[i].Label != specs[i].Text {
			t.Errorf("label %q", racers[i].Label)
		}
	}
	// A racer's own settings win over gd.lr too, and defaults are filled.
	if racers[0].Params["weight_decay"] != 0 {
		t.Errorf("defaults not filled: %v", racers[0].Params)
	}
	for _, bad := range []struct{ in, want string }{
		{"gd,gd", "gd and gd would run the same race"},
		{"gd@lr=0.3,gd", "would run the same race"}, // the bare lr=0.3 gives gd the same
		{"gd@momentum=0.9", "gd does not take momentum"},
		{"gd@cond=3", "gd does not take cond"},
		{"gd@lr=-1", "lr"},
		{"nosuch", "nosuch"},
	} {
		set, _ := ParseSettings("lr=0.3")
		specs, _ := ParseRacers(bad.in)
		_, _, err := RouteRace(cat, set, e, specs)
		if err == nil || !strings.Contains(UserMessage(err), bad.want) {
			t.Errorf("%s: %v, want %q", bad.in, err, bad.want)
		}
	}
}

// surfaceOf is the surface name configured with set in a.
func surfaceOf(t *testing.T, a *App, cat *Catalog, name string, set client.Settings) *Surface {
	e, _ := cat.Lookup(name)
	s, err := a.Configure(context.Background(), e, set)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRace(t *testing.T) {
	a, cat := raceApp(t)
	ctx := context.Background()
	e, _ := cat.Lookup("bowl")
	specs, _ := ParseRacers("gd,sgd@noise=1")
	_, racers, err := RouteRace(cat, client.Settings{}, e, specs)
	if err != nil {
		t.Fatal(err)
	}
	surf := surfaceOf(t, a, cat, "bowl", client.Settings{})
	sweep, _ := ParseSweep("lr=0.01:0.05:3")
	spec := RaceSpec{Surface: surf, Racers: racers, Starts: [][]float64{{1, 1}, {-1, 2}}, Steps: 20, Seed: 5, Repeats: 2, Sweep: &sweep,
		Window: 1000} // never converged: every run takes its 20 steps
	runs, err := a.Race(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2*3*2*2 {
		t.Fatalf("%d runs, want 24", len(runs))
	}
	lrs := sweep.Values()
	for _, r := range runs {
		if r.Seed != 5+uint64(r.Repeat) || r.Params["lr"] != lrs[r.Value] {
			t.Errorf("run %+v: seed %d lr %v", r, r.Seed, r.Params["lr"])
		}
		if r.Racer != 0 {
			continue
		}
		// gd on ½(x² + 10y²): x_t = (1−lr)^t x_0, y_t = (1−10·lr)^t y_0.
		x0 := spec.Starts[r.Start]
		lr := lrs[r.Value]
		last := r.Traj.Records[len(r.Traj.Records)-1]
		want := []float64{math.Pow(1-lr, 20) * x0[0], math.Pow(1-10*lr, 20) * x0[1]}
		for k := range want {
			if math.Abs(last.X[k]-want[k]) > 1e-12 {
				t.Errorf("gd lr=%v from %v: x%d = %v, want %v", lr, x0, k, last.X[k], want[k])
			}
		}
	}
	// Repeats: gd's are the same run, noisy sgd's differ, and each equals
	// a run of its own with its seed.
	gs := map[[3]int][]*Trajectory{}
	for _, r := range runs {
		k := [3]int{r.Racer, r.Value, r.Start}
		gs[k] = append(gs[k], r.Traj)
	}
	if !Identical(gs[[3]int{0, 1, 0}]) || Identical(gs[[3]int{1, 1, 0}]) {
		t.Error("gd's repeats differ, or noisy sgd's are the same")
	}
	one, err := a.Optimize(ctx, OptimizeSpec{Surface: surf, Opt: racers[1].Opt, OptParams: runs[len(runs)-1].Params, Starts: spec.Starts, Steps: 20, Seed: 6, Window: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !Identical([]*Trajectory{one[1], runs[len(runs)-1].Traj}) {
		t.Error("sgd's second repeat is not the run of seed 6")
	}
	// A sweep of what a racer does not take, or sets itself, is refused.
	for _, bad := range []struct{ racers, sweep, want string }{
		{"gd,adam@beta1=0.8", "beta1=0.5:0.9:3", "gd does not take beta1"},
		{"gd@lr=0.1", "lr=0.01:0.1:3", "gd@lr=0.1 sets lr itself"},
		{"momentum", "nesterov=0:1:2", "not a number"},
		{"gd", "lr=0.1:2000:3", "lr"},
	} {
		specs, _ := ParseRacers(bad.racers)
		_, rc, err := RouteRace(cat, client.Settings{}, e, specs)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := ParseSweep(bad.sweep)
		_, err = a.Race(ctx, RaceSpec{Surface: surf, Racers: rc, Starts: [][]float64{{1, 1}}, Steps: 2, Sweep: &w})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s over %s: %v, want %q", bad.racers, bad.sweep, err, bad.want)
		}
	}

	// The histories: every record of every run, the sweep's value beside.
	var buf bytes.Buffer
	if err := WriteRaceCSV(&buf, spec, runs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(rows[0], ",")
	if head != "run,label,optimizer,start,repeat,seed,swept_lr,step,loss,grad_norm,param_norm,lr,x0,x1,train_loss,test_loss,best_loss" {
		t.Errorf("header %s", head)
	}
	n := 0
	for _, r := range runs {
		n += len(r.Traj.Records)
	}
	if len(rows)-1 != n {
		t.Errorf("%d rows, want %d", len(rows)-1, n)
	}
	if r := rows[len(rows)-1]; r[0] != "24" || r[1] != "sgd@noise=1" || r[4] != "1" || r[5] != "6" || r[6] != "0.05" || r[7] != "20" {
		t.Errorf("last row %v", r)
	}
	buf.Reset()
	if err := WriteJSON(&buf, NewRaceReport(spec, runs)); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Sweep string
		Runs  []struct {
			Label     string
			Repeat    int
			Value     *float64
			Seed      uint64
			FinalLoss float64 `json:"final_loss"`
			Records   []json.RawMessage
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Sweep != "lr=0.01:0.05:3" || len(rep.Runs) != 24 || rep.Runs[23].Label != "sgd@noise=1" || *rep.Runs[23].Value != 0.05 ||
		rep.Runs[23].Seed != 6 || rep.Runs[23].FinalLoss != runs[23].Traj.Loss || len(rep.Runs[23].Records) != 21 {
		t.Errorf("report %+v", rep.Runs[23])
	}
}

// TestMiniBatchEpochs: a mini-batch run's records hold its batches' losses (batch
// t of client.BatchIndices at record t), an epoch's loss is their mean
// weighted by the batches' sizes, the train loss after it the full loss,
// and the run's final loss the full train loss.
func TestMiniBatchEpochs(t *testing.T) {
	a, cat := raceApp(t)
	ctx := context.Background()
	surf := surfaceOf(t, a, cat, "linreg", client.Settings{Params: sdk.Params{"split": 0.2}})
	n := surf.Desc.Samples
	if n != 160 {
		t.Fatalf("%d training samples, want 160", n)
	}
	o, _ := cat.LookupOptimizer("sgd")
	p, _ := sdk.Resolve(o.Hyperparameters, sdk.Params{"lr": 0.05})
	sizes := EpochSizes(n, 50) // 50, 50, 50, 10
	if len(sizes) != 4 || sizes[3] != 10 {
		t.Fatalf("sizes %v", sizes)
	}
	trajs, err := a.Optimize(ctx, OptimizeSpec{Surface: surf, Opt: o, OptParams: p, Starts: [][]float64{{-2, 2}}, Steps: 3*4 + 2, Seed: 3, BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	tr := trajs[0]
	// The model in this process, configured alike, as the reference.
	ref, err := sdk.Configure(model.LinReg(), sdk.Params{"split": 0.2})
	if err != nil {
		t.Fatal(err)
	}
	m := ref.(sdk.SurfaceWithBatches)
	for k, r := range tr.Records {
		idx := client.BatchIndices(n, 50, 3, k)
		if want := m.BatchLoss(r.X, idx); math.Abs(r.Loss-want) > 1e-12*(1+want) {
			t.Errorf("record %d: loss %v, want batch %d's %v", k, r.Loss, k, want)
		}
		if want := ref.Loss(r.X); math.Abs(tr.Train[k]-want) > 1e-12*(1+want) {
			t.Errorf("record %d: train loss %v, want %v", k, tr.Train[k], want)
		}
	}
	if tr.StepsPerEpoch != 4 || len(tr.Epochs) != 3 || tr.Epochs[2].Step != 12 {
		t.Fatalf("epochs %+v (%d steps each)", tr.Epochs, tr.StepsPerEpoch)
	}
	for _, e := range tr.Epochs {
		s := 0.0
		for b := range 4 {
			k := (e.Epoch.Epoch-1)*4 + b
			s += float64(len(client.BatchIndices(n, 50, 3, k))) * m.BatchLoss(tr.Records[k].X, client.BatchIndices(n, 50, 3, k))
		}
		if want := s / 160; math.Abs(e.Loss-want) > 1e-12*(1+want) {
			t.Errorf("epoch %d: mean loss %v, want %v", e.Epoch.Epoch, e.Loss, want)
		}
		if e.Train != tr.Train[e.Step] || math.IsNaN(e.Test) || e.Test != tr.Test[e.Step] {
			t.Errorf("epoch %d: train %v test %v", e.Epoch.Epoch, e.Train, e.Test)
		}
	}
	last := tr.Records[len(tr.Records)-1]
	if tr.Loss != tr.Train[len(tr.Train)-1] || tr.BatchLoss != last.Loss || tr.Loss == last.Loss {
		t.Errorf("final loss %v (train %v), last batch %v (record %v)", tr.Loss, tr.Train[len(tr.Train)-1], tr.BatchLoss, last.Loss)
	}
	// Judged by epochs: converged at an epoch's end when a loose --tol is met.
	trajs, err = a.Optimize(ctx, OptimizeSpec{Surface: surf, Opt: o, OptParams: p, Starts: [][]float64{{2, -0.5}}, Steps: 4000, Seed: 3, BatchSize: 50,
		Tol: 1e-2, Window: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr = trajs[0]
	if tr.Status != optimize.Converged || tr.ConvergedAt%4 != 0 || tr.ConvergedEpoch != tr.ConvergedAt/4 || tr.ConvergedEpoch < 3 || tr.Steps != tr.ConvergedAt {
		t.Errorf("%v at step %d, epoch %d, after %d steps", tr.Status, tr.ConvergedAt, tr.ConvergedEpoch, tr.Steps)
	}
	ep := tr.Epochs
	e := tr.ConvergedEpoch
	if a, b := ep[e-1].Loss, ep[e-3].Loss; math.Abs(a-b) > 1e-2*(1+math.Abs(a)) {
		t.Errorf("converged at epoch %d with means %v and %v two epochs apart", e, a, b)
	}
}

func TestBandSummary(t *testing.T) {
	mean, lo, hi := Band([][]float64{{4, 2, 1}, {2, 2}, {6, 5, 4, 3}})
	want := [][3]float64{{4, 2, 6}, {3, 2, 5}, {7.0 / 3, 1, 4}, {2, 1, 3}}
	for k, w := range want {
		if math.Abs(mean[k]-w[0]) > 1e-15 || lo[k] != w[1] || hi[k] != w[2] {
			t.Errorf("step %d: %v %v %v, want %v", k, mean[k], lo[k], hi[k], w)
		}
	}
	mean, _, _ = Band([][]float64{{1, 2, 3}, {1, math.NaN()}})
	if mean[0] != 1 || !math.IsNaN(mean[1]) || !math.IsNaN(mean[2]) {
		t.Errorf("a diverged run: %v", mean)
	}
	runs := []*Trajectory{
		{Result: optimize.Result{Location: optimize.Location{Loss: 1}, Status: optimize.Converged}},
		{Result: optimize.Result{Location: optimize.Location{Loss: 3}, Status: optimize.MaxSteps}},
		{Result: optimize.Result{Location: optimize.Location{Loss: math.Inf(1)}, Status: optimize.Diverged}},
	}
	s := Summarize(runs)
	if s.N != 3 || s.Finite != 2 || s.Converged != 1 || s.Diverged != 1 || s.Mean != 2 || math.Abs(s.SD-math.Sqrt2) > 1e-15 || s.Min != 1 || s.Max != 3 {
		t.Errorf("%+v", s)
	}
}

// FuzzParseRacers: what is accepted is one racer or more, each with a
// name free of '@' and ',' and settings that are finite numbers or texts.
func FuzzParseRacers(f *testing.F) {
	for _, s := range []string{"gd@lr=0.1,gd@lr=0.01,adam", "momentum@lr=0.01,momentum=0.9", "@", "gd@lr=1,lr=2", "a,,b", "x@y@z=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRacers(s)
		if err != nil {
			return
		}
		if len(rs) == 0 {
			t.Fatalf("ParseRacers(%q) accepted no racers", s)
		}
		for _, r := range rs {
			if r.Optimizer == "" || strings.ContainsAny(r.Optimizer, "@,=") || r.Text == "" {
				t.Fatalf("ParseRacers(%q): racer %+v", s, r)
			}
			if r.Settings != nil {
				for k, v := range r.Settings.Params {
					if k == "" || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("ParseRacers(%q): setting %q = %v", s, k, v)
					}
				}
			}
		}
	})
}

// FuzzParseSweep: an accepted sweep has 2 to MaxSweep finite values, from
// Lo to Hi, increasing (positive for a log sweep).
func FuzzParseSweep(f *testing.F) {
	for _, s := range []string{"lr=1e-4:1e-1:9:log", "m=0:0.9:4", "lr=0:1:2:log", "x=1:1:3", "=1:2:3", "lr=1e-300:1e300:1000:log"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseSweep(s)
		if err != nil {
			return
		}
		v := w.Values()
		if len(v) < 2 || len(v) > MaxSweep || v[0] != w.Lo || v[len(v)-1] != w.Hi || w.Name == "" {
			t.Fatalf("ParseSweep(%q) = %+v: %d values", s, w, len(v))
		}
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) || i > 0 && !(x >= v[i-1]) || w.Log && !(x > 0) {
				t.Fatalf("ParseSweep(%q): value %d is %v after %v", s, i, x, v[max(i-1, 0)])
			}
		}
	})
}
