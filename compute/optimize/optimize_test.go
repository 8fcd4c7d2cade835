package optimize_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute/optimize"
)

// fn is an in-process problem: a loss and its gradient, point by point.
type fn struct {
	dim  int
	f    func(x []float64) float64
	g    func(x, dst []float64)
	hook func(call int) // called before each evaluation
	// calls counts evaluations, points the points evaluated in all.
	calls, points int
}

func (p *fn) Dim() int { return p.dim }

func (p *fn) Evaluate(_ context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
	p.calls++
	if p.hook != nil {
		p.hook(p.calls)
	}
	n := len(pts) / p.dim
	p.points += n
	l := make([]float64, n)
	var g []float64
	if grad {
		g = make([]float64, n*p.dim)
	}
	for i := range n {
		x := pts[i*p.dim : (i+1)*p.dim]
		l[i] = p.f(x)
		if grad {
			p.g(x, g[i*p.dim:(i+1)*p.dim])
		}
	}
	return l, g, nil
}

// boxed is fn with a domain.
type boxed struct {
	*fn
	lo, hi []float64
}

func (b boxed) Domain() ([]float64, []float64) { return b.lo, b.hi }

// bowl is Σ x², gradient 2x.
func bowl(dim int) *fn {
	return &fn{dim: dim,
		f: func(x []float64) float64 {
			s := 0.0
			for _, v := range x {
				s += v * v
			}
			return s
		},
		g: func(x, dst []float64) {
			for k, v := range x {
				dst[k] = 2 * v
			}
		}}
}

// linear is c·x₀ in one dimension.
func linear(c float64) *fn {
	return &fn{dim: 1, f: func(x []float64) float64 { return c * x[0] }, g: func(_, dst []float64) { dst[0] = c }}
}

// fake is an in-process Method that speaks the protocol as the SDK's
// batches do: each active run asks for its iterate (one point); a run
// whose next returns nil fails (NaN iterate, done, asks nothing); a run
// that is done asks nothing.
type fake struct {
	global   bool
	lossOnly bool // ask for losses alone
	lr       float64
	// next moves run i after step t from x, with the loss and (unless
	// lossOnly) the gradient at x.
	next func(i, t int, x []float64, loss float64, g []float64) (nx []float64, done bool)
}

func (m fake) Global() bool { return m.global }

func (m fake) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	dim := b.Dim
	n := len(b.Starts) / dim
	x := append([]float64(nil), b.Starts...)
	done := make([]bool, n)
	lr := make([]float64, n)
	for i := range lr {
		lr[i] = m.lr
	}
	for t := 0; ; t++ {
		counts := make([]int, n)
		var pts []float64
		for i := range n {
			if !done[i] {
				counts[i] = 1
				pts = append(pts, x[i*dim:(i+1)*dim]...)
			}
		}
		var ans optimize.Answer
		if len(pts) > 0 {
			l, g, err := d.Evaluate(ctx, pts, !m.lossOnly)
			if err != nil {
				return err
			}
			ans = optimize.Answer{Losses: l, Grads: g}
		}
		it := optimize.Iterates{X: append([]float64(nil), x...), LR: lr, Done: append([]bool(nil), done...)}
		if !d.Step(ctx, it, optimize.Request{Counts: counts, Points: pts, Gradient: !m.lossOnly}, ans) || len(pts) == 0 {
			return nil
		}
		off := 0
		for i := range n {
			if done[i] {
				continue
			}
			xi := x[i*dim : (i+1)*dim]
			var gi []float64
			if ans.Grads != nil {
				gi = ans.Grads[off*dim : (off+1)*dim]
			}
			nx, fin := m.next(i, t, xi, ans.Losses[off], gi)
			if nx == nil {
				for k := range xi {
					xi[k] = math.NaN()
				}
				fin = true
			} else {
				copy(xi, nx)
			}
			done[i] = fin
			off++
		}
	}
}

// gd is gradient descent with step size lr.
func gd(lr float64) fake {
	return fake{lr: lr, next: func(_, _ int, x []float64, _ float64, g []float64) ([]float64, bool) {
		nx := make([]float64, len(x))
		for k := range x {
			nx[k] = x[k] - lr*g[k]
		}
		return nx, false
	}}
}

// path is a global method whose run i reports paths[i][t] (1-D) after step
// t, staying at the last value.
func path(paths ...[]float64) fake {
	return fake{global: true, lossOnly: true, next: func(i, t int, _ []float64, _ float64, _ []float64) ([]float64, bool) {
		p := paths[i]
		return []float64{p[min(t+1, len(p)-1)]}, false
	}}
}

// repeat is v n times.
func repeat(v float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// want is what a run's Result should say.
type want struct {
	status      optimize.Status
	convergedAt int
	steps       int
	evals       int
	reason      string // a part of Reason
	x           []float64
}

func TestMinimize(t *testing.T) {
	tests := []struct {
		name   string
		p      optimize.Problem
		m      optimize.Method
		s      optimize.Settings
		starts [][]float64
		want   []want
	}{{
		// Losses 4, 0, 0, ...: flat over 10 steps at step 11.
		name: "converges and stops", p: bowl(1), m: gd(0.5), starts: [][]float64{{2}},
		want: []want{{status: optimize.Converged, convergedAt: 11, steps: 11, evals: 12, x: []float64{0}}},
	}, {
		name: "keeps going", p: bowl(1), m: gd(0.5), s: optimize.Settings{KeepGoing: true, MaxSteps: 20}, starts: [][]float64{{2}},
		want: []want{{status: optimize.Converged, convergedAt: 11, steps: 20, evals: 21, x: []float64{0}}},
	}, {
		name: "a tighter window converges sooner", p: bowl(1), m: gd(0.5), starts: [][]float64{{2}},
		s:    optimize.Settings{Converger: optimize.FunctionConverge{Window: 2}},
		want: []want{{status: optimize.Converged, convergedAt: 3, steps: 3, evals: 4, x: []float64{0}}},
	}, {
		name: "never converges", p: bowl(1), m: gd(0.5), starts: [][]float64{{2}},
		s: optimize.Settings{Converger: optimize.NeverConverge{}, MaxSteps: 30},
		// The gradient is 0 and the loss flat: a plateau.
		want: []want{{status: optimize.Plateau, convergedAt: -1, steps: 30, evals: 31, x: []float64{0}}},
	}, {
		name: "max steps", p: bowl(1), m: gd(0.01), s: optimize.Settings{MaxSteps: 5}, starts: [][]float64{{2}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: 5, evals: 6}},
	}, {
		name: "default step limit", p: bowl(1), m: gd(1e-6), starts: [][]float64{{2}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: optimize.DefaultMaxSteps, evals: optimize.DefaultMaxSteps + 1}},
	}, {
		// The loss falls by 1e-8 a step: too much to converge, too little
		// (with a gradient of 1e-4) not to be a plateau.
		name: "plateau", p: linear(1e-4), m: gd(1), s: optimize.Settings{MaxSteps: 30}, starts: [][]float64{{0}},
		want: []want{{status: optimize.Plateau, convergedAt: -1, steps: 30, evals: 31}},
	}, {
		name: "a stricter plateau rule", p: linear(1e-4), m: gd(1), starts: [][]float64{{0}},
		s:    optimize.Settings{MaxSteps: 30, Plateau: optimize.PlateauRule{Gradient: 1e-5}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: 30, evals: 31}},
	}, {
		// x: 1, -19, 361 > 1 + 100·2.
		name: "diverges outside the domain", p: boxed{bowl(1), []float64{-1}, []float64{1}}, m: gd(10), starts: [][]float64{{1}},
		want: []want{{status: optimize.Diverged, convergedAt: -1, steps: 2, evals: 3, reason: "parameter 0 reached 361, far outside the domain [-1, 1]"}},
	}, {
		name: "divergence in fewer domain widths", p: boxed{bowl(1), []float64{-1}, []float64{1}}, m: gd(10), starts: [][]float64{{1}},
		s:    optimize.Settings{Divergence: 5},
		want: []want{{status: optimize.Diverged, convergedAt: -1, steps: 1, evals: 2, reason: "parameter 0 reached -19, far outside"}},
	}, {
		name: "no domain, no bound", p: bowl(1), m: gd(10), s: optimize.Settings{MaxSteps: 3}, starts: [][]float64{{1}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: 3, evals: 4, x: []float64{-6859}}},
	}, {
		name: "diverges: the loss", m: gd(1), starts: [][]float64{{0.5}},
		p: &fn{dim: 1, f: func(x []float64) float64 {
			if x[0] < 0 {
				return math.Inf(1)
			}
			return x[0]
		}, g: func(_, dst []float64) { dst[0] = 1 }},
		want: []want{{status: optimize.Diverged, convergedAt: -1, steps: 1, evals: 2, reason: "the loss became +Inf"}},
	}, {
		// A NaN iterate that the method still asks about is a divergence,
		// not a failure.
		name: "diverges: a NaN iterate", p: bowl(1), starts: [][]float64{{1}},
		m: fake{next: func(_, t int, x []float64, _ float64, _ []float64) ([]float64, bool) {
			if t == 1 {
				return []float64{math.NaN()}, false
			}
			return x, false
		}},
		want: []want{{status: optimize.Diverged, convergedAt: -1, steps: 2, evals: 3, reason: "parameter 0 reached NaN"}},
	}, {
		name: "one run fails, the other carries on", p: bowl(1), starts: [][]float64{{2}, {2}},
		m: fake{next: func(i, t int, x []float64, _ float64, g []float64) ([]float64, bool) {
			if i == 0 && t == 2 {
				return nil, false
			}
			return []float64{x[0] - 0.5*g[0]}, false
		}},
		want: []want{
			{status: optimize.Failed, convergedAt: -1, steps: 3, evals: 3, reason: "the optimizer returned no valid point"},
			{status: optimize.Converged, convergedAt: 11, steps: 11, evals: 12, x: []float64{0}},
		},
	}, {
		// Done after the step from t=2: the iterate of step 3 is recorded
		// and the run ends there, unconverged.
		name: "a method that finishes by itself", p: bowl(1), starts: [][]float64{{2}},
		m: fake{next: func(_, t int, x []float64, _ float64, _ []float64) ([]float64, bool) {
			return []float64{x[0] * 0.9}, t == 2
		}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: 3, evals: 3}},
	}, {
		name: "a finished run stops, the other carries on", p: bowl(1), s: optimize.Settings{MaxSteps: 20}, starts: [][]float64{{2}, {2}},
		m: fake{next: func(i, t int, x []float64, _ float64, _ []float64) ([]float64, bool) {
			return []float64{x[0] * 0.9}, i == 0 && t == 2
		}},
		want: []want{
			{status: optimize.MaxSteps, convergedAt: -1, steps: 3, evals: 3},
			{status: optimize.MaxSteps, convergedAt: -1, steps: 20, evals: 21},
		},
	}, {
		name: "a finished global run converged at its last improvement", p: bowl(1), starts: [][]float64{{3}},
		m: fake{global: true, lossOnly: true, next: func(_, t int, x []float64, _ float64, _ []float64) ([]float64, bool) {
			if t == 4 {
				return []float64{1}, false
			}
			return x, t == 20
		}},
		want: []want{{status: optimize.Converged, convergedAt: 5, steps: 21, evals: 21, x: []float64{1}}},
	}, {
		// Best points 3, 3, 2, 2, 2, 1, ...: flat at the end since step 5,
		// and never stopped early.
		name: "global: converged at the last improvement", p: bowl(1), s: optimize.Settings{MaxSteps: 30},
		m: path([]float64{3, 3, 2, 2, 2, 1}), starts: [][]float64{{3}},
		want: []want{{status: optimize.Converged, convergedAt: 5, steps: 30, evals: 31, x: []float64{1}}},
	}, {
		// Flat over the first 15 steps, improved at 15: not flat over the
		// last 10 steps of 20.
		name: "global: flat in the middle is not converged", p: bowl(1), s: optimize.Settings{MaxSteps: 20},
		m: path(append(repeat(2, 15), 1)), starts: [][]float64{{2}},
		want: []want{{status: optimize.MaxSteps, convergedAt: -1, steps: 20, evals: 21, x: []float64{1}}},
	}, {
		name: "global: flat from the start", p: bowl(1), s: optimize.Settings{MaxSteps: 12},
		m: path([]float64{2}), starts: [][]float64{{2}},
		want: []want{{status: optimize.Converged, convergedAt: 0, steps: 12, evals: 13, x: []float64{2}}},
	}, {
		name: "global: KeepGoing changes nothing", p: bowl(1), s: optimize.Settings{MaxSteps: 30, KeepGoing: true},
		m: path([]float64{3, 3, 2, 2, 2, 1}), starts: [][]float64{{3}},
		want: []want{{status: optimize.Converged, convergedAt: 5, steps: 30, evals: 31, x: []float64{1}}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := optimize.Minimize(context.Background(), tc.p, tc.starts, tc.m, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != len(tc.want) {
				t.Fatalf("%d results, want %d", len(res), len(tc.want))
			}
			for i, w := range tc.want {
				r := res[i]
				if r.Status != w.status || r.ConvergedAt != w.convergedAt || r.Steps != w.steps || r.Evaluations != w.evals {
					t.Errorf("run %d: %v, converged at %d, %d steps, %d evaluations; want %v, %d, %d, %d",
						i, r.Status, r.ConvergedAt, r.Steps, r.Evaluations, w.status, w.convergedAt, w.steps, w.evals)
				}
				if w.reason == "" && r.Reason != "" || !strings.Contains(r.Reason, w.reason) {
					t.Errorf("run %d: reason %q, want %q", i, r.Reason, w.reason)
				}
				if len(r.Records) != r.Steps+1 {
					t.Errorf("run %d: %d records for %d steps", i, len(r.Records), r.Steps)
				}
				for k, rec := range r.Records {
					if rec.Step != k {
						t.Fatalf("run %d: record %d is step %d", i, k, rec.Step)
					}
				}
				if !same(r.Records[0].X, tc.starts[i]) || !same(r.Start, tc.starts[i]) {
					t.Errorf("run %d: starts at %v (record 0 at %v), want %v", i, r.Start, r.Records[0].X, tc.starts[i])
				}
				last := r.Records[len(r.Records)-1]
				if !same(r.X, last.X) || !same1(r.Loss, last.Loss) || !same1(r.GradNorm, last.GradNorm) {
					t.Errorf("run %d: location %v, last record %+v", i, r.Location, last)
				}
				if w.x != nil && !same(r.X, w.x) {
					t.Errorf("run %d: ended at %v, want %v", i, r.X, w.x)
				}
			}
		})
	}
}

func same1(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func same(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same1(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Records hold the loss, gradient norm, parameter norm and learning rate of
// each iterate; a failed run's last record is its NaN point.
func TestMinimizeRecords(t *testing.T) {
	m := gd(0.25)
	res, err := optimize.Minimize(context.Background(), bowl(2), [][]float64{{3, 4}}, m, optimize.Settings{MaxSteps: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []optimize.Record{
		{Step: 0, X: []float64{3, 4}, Loss: 25, GradNorm: 10, ParamNorm: 5, LR: 0.25},
		{Step: 1, X: []float64{1.5, 2}, Loss: 6.25, GradNorm: 5, ParamNorm: 2.5, LR: 0.25},
		{Step: 2, X: []float64{0.75, 1}, Loss: 1.5625, GradNorm: 2.5, ParamNorm: 1.25, LR: 0.25},
	}
	got := res[0].Records
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Step != w.Step || !same(g.X, w.X) || g.Loss != w.Loss || g.GradNorm != w.GradNorm || g.ParamNorm != w.ParamNorm || g.LR != w.LR {
			t.Errorf("record %d: %+v, want %+v", i, g, w)
		}
	}

	fail := fake{next: func(_, t int, x []float64, _ float64, _ []float64) ([]float64, bool) {
		if t == 1 {
			return nil, false
		}
		return x, false
	}}
	res, err = optimize.Minimize(context.Background(), bowl(1), [][]float64{{1}}, fail, optimize.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	last := res[0].Records[len(res[0].Records)-1]
	if res[0].Status != optimize.Failed || last.Step != 2 || !math.IsNaN(last.X[0]) || !math.IsNaN(last.Loss) {
		t.Errorf("failed run: %v, last record %+v", res[0].Status, last)
	}
}

// A run that asked for exactly its iterate with gradients is recorded from
// the answer; otherwise the iterates are evaluated in one batch of their
// own. Stopped runs are neither recorded nor counted.
func TestMinimizeEvaluations(t *testing.T) {
	tests := []struct {
		name          string
		m             optimize.Method
		starts        [][]float64
		steps         int
		calls, points int
	}{
		{"gradients: answers reused", gd(0.01), [][]float64{{1}, {2}}, 4, 5, 10},
		{"losses only: records apart", path([]float64{1}, []float64{2}), [][]float64{{1}, {2}}, 4, 10, 20},
		// The first run converges at step 11 and is recorded no more (its
		// iterate is asked about but not evaluated again): requests of 2
		// points at steps 0 to 15, records of 2 points at steps 0 to 11 and
		// of 1 point at steps 12 to 15.
		{"stopped runs", fake{lossOnly: true, next: func(i, _ int, x []float64, _ float64, _ []float64) ([]float64, bool) {
			if i == 0 {
				return []float64{0}, false
			}
			return []float64{x[0] * 0.998}, false
		}}, [][]float64{{1}, {2}}, 15, 16 + 16, 2*16 + 2*12 + 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := bowl(1)
			if _, err := optimize.Minimize(context.Background(), p, tc.starts, tc.m, optimize.Settings{MaxSteps: tc.steps}); err != nil {
				t.Fatal(err)
			}
			if p.calls != tc.calls || p.points != tc.points {
				t.Errorf("%d evaluations of %d points, want %d of %d", p.calls, p.points, tc.calls, tc.points)
			}
		})
	}
}

// methodFunc makes a Method of a function.
type methodFunc func(ctx context.Context, b optimize.Batch, d optimize.Driver) error

func (methodFunc) Global() bool { return false }

func (f methodFunc) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	return f(ctx, b, d)
}

// step makes one step from the starts with the given parts; nil parts are
// the well-formed ones.
func step(x []float64, lr []float64, done []bool, counts []int, pts []float64, ans *optimize.Answer) methodFunc {
	return func(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
		n := len(b.Starts) / b.Dim
		if x == nil {
			x = b.Starts
		}
		if lr == nil {
			lr = make([]float64, n)
		}
		if done == nil {
			done = make([]bool, n)
		}
		if counts == nil {
			counts = make([]int, n)
			for i := range counts {
				counts[i] = 1
			}
		}
		if pts == nil {
			pts = b.Starts
		}
		a := optimize.Answer{}
		if ans != nil {
			a = *ans
		} else {
			l, g, err := d.Evaluate(ctx, pts, true)
			if err != nil {
				return err
			}
			a = optimize.Answer{Losses: l, Grads: g}
		}
		d.Step(ctx, optimize.Iterates{X: x, LR: lr, Done: done}, optimize.Request{Counts: counts, Points: pts, Gradient: true}, a)
		return nil
	}
}

var errMethod = errors.New("the method's own error")

// Errors: malformed requests, bad answers, bad input, the method's and the
// problem's own errors.
func TestMinimizeErrors(t *testing.T) {
	two := [][]float64{{1, 2}, {3, 4}}
	bad := &fn{dim: 2, f: func([]float64) float64 { return 0 }, g: func(_, _ []float64) {}}
	short := &shortProblem{dim: 2}
	tests := []struct {
		name   string
		p      optimize.Problem
		m      optimize.Method
		s      optimize.Settings
		starts [][]float64
		want   error
		msg    string
	}{
		{"counts for too few runs", bowl(2), step(nil, nil, nil, []int{1}, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "1 counts for 2 runs"},
		{"a negative count", bowl(2), step(nil, nil, nil, []int{3, -1}, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "run 2 asked for -1 points"},
		{"points that do not match the counts", bowl(2), step(nil, nil, nil, []int{2, 1}, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "4 point values for 3 points"},
		{"iterates too short", bowl(2), step([]float64{1, 2, 3}, nil, nil, nil, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "iterates of 3 values"},
		{"learning rates missing", bowl(2), step(nil, []float64{}, nil, nil, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "0 learning rates"},
		{"done flags missing", bowl(2), step(nil, nil, []bool{true}, nil, nil, nil), optimize.Settings{}, two, optimize.ErrBadRequest, "1 done flags"},
		{"an answer too short", bowl(2), step(nil, nil, nil, nil, nil, &optimize.Answer{Losses: []float64{1}}), optimize.Settings{}, two, optimize.ErrBadRequest, "an answer of 1 losses"},
		{"points of the wrong dimension", bowl(2), methodFunc(func(ctx context.Context, _ optimize.Batch, d optimize.Driver) error {
			_, _, err := d.Evaluate(ctx, []float64{1, 2, 3}, false)
			return err
		}), optimize.Settings{}, two, optimize.ErrBadRequest, "3 values do not make points of dimension 2"},
		{"no step at all", bowl(2), methodFunc(func(context.Context, optimize.Batch, optimize.Driver) error { return nil }), optimize.Settings{}, two, optimize.ErrBadRequest, "ended before reporting its starts"},
		{"the method's error", bowl(2), methodFunc(func(context.Context, optimize.Batch, optimize.Driver) error { return errMethod }), optimize.Settings{}, two, errMethod, "the method's own error"},
		// The driver's error wins over what the method made of it.
		{"a dropped error", bowl(2), methodFunc(func(ctx context.Context, _ optimize.Batch, d optimize.Driver) error {
			d.Evaluate(ctx, []float64{1}, false)
			return errMethod
		}), optimize.Settings{}, two, optimize.ErrBadRequest, "1 values"},
		{"the problem's error", &failing{dim: 2}, gd(0.1), optimize.Settings{}, two, errProblem, "no loss today"},
		{"too few losses", short, gd(0.1), optimize.Settings{}, two, optimize.ErrBadAnswer, "1 losses and 4 gradient values for 2 points"},
		{"no gradients", &shortProblem{dim: 2, noGrad: true}, gd(0.1), optimize.Settings{}, two, optimize.ErrBadAnswer, "2 losses and 0 gradient values"},
		{"a start of the wrong dimension", bad, gd(0.1), optimize.Settings{}, [][]float64{{1, 2}, {3}}, optimize.ErrInvalid, "start 2 has 1 values"},
		{"no starts", bad, gd(0.1), optimize.Settings{}, nil, optimize.ErrInvalid, "no starts"},
		{"no parameters", &fn{}, gd(0.1), optimize.Settings{}, [][]float64{{}}, optimize.ErrInvalid, "dimension 0"},
		{"negative steps", bad, gd(0.1), optimize.Settings{MaxSteps: -1}, two, optimize.ErrInvalid, "MaxSteps -1"},
		{"negative divergence", bad, gd(0.1), optimize.Settings{Divergence: -1}, two, optimize.ErrInvalid, "Divergence -1"},
		{"a domain too short", boxed{bad, []float64{0}, []float64{1}}, gd(0.1), optimize.Settings{}, two, optimize.ErrInvalid, "domain of 1 and 1 ends"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := optimize.Minimize(context.Background(), tc.p, tc.starts, tc.m, tc.s)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %v with %q", err, tc.want, tc.msg)
			}
			if res != nil {
				t.Errorf("results with an error: %v", res)
			}
		})
	}
}

var errProblem = errors.New("no loss today")

type failing struct{ dim int }

func (p *failing) Dim() int { return p.dim }
func (p *failing) Evaluate(context.Context, []float64, bool) ([]float64, []float64, error) {
	return nil, nil, errProblem
}

// shortProblem answers with one loss too few, or without gradients.
type shortProblem struct {
	dim    int
	noGrad bool
}

func (p *shortProblem) Dim() int { return p.dim }
func (p *shortProblem) Evaluate(_ context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
	n := len(pts) / p.dim
	if p.noGrad {
		return make([]float64, n), nil, nil
	}
	return make([]float64, n-1), make([]float64, len(pts)), nil
}

// stepCounter passes a Method's calls on, counting the steps its driver
// let go on after ctx ended.
type stepCounter struct {
	optimize.Driver
	late int
}

func (c *stepCounter) Step(ctx context.Context, it optimize.Iterates, req optimize.Request, ans optimize.Answer) bool {
	more := c.Driver.Step(ctx, it, req, ans)
	if more && ctx.Err() != nil {
		c.late++
	}
	return more
}

// counted runs m through a stepCounter.
func counted(m optimize.Method, c *stepCounter) methodFunc {
	return func(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
		c.Driver = d
		return m.Run(ctx, b, c)
	}
}

// A context that ends stops the runs at the next step, even under a method
// that never looks at it.
func TestCanceled(t *testing.T) {
	for _, at := range []int{0, 1, 3} {
		for _, endpoints := range []bool{false, true} {
			ctx, cancel := context.WithCancel(context.Background())
			p := bowl(1)
			p.hook = func(call int) {
				if call == at {
					cancel()
				}
			}
			if at == 0 {
				cancel()
			}
			var c stepCounter
			var err error
			if endpoints {
				_, err = optimize.Endpoints(ctx, p, [][]float64{{1}}, counted(gd(1e-3), &c), optimize.Settings{MaxSteps: 100})
			} else {
				_, err = optimize.Minimize(ctx, p, [][]float64{{1}}, counted(gd(1e-3), &c), optimize.Settings{MaxSteps: 100})
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("canceled at evaluation %d (endpoints %v): error %v", at, endpoints, err)
			}
			if p.calls != at || c.late != 0 {
				t.Errorf("canceled at evaluation %d (endpoints %v): %d evaluations, %d steps after", at, endpoints, p.calls, c.late)
			}
			cancel()
		}
	}
	// A method that stops by itself when ctx ends, before any step.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	quits := methodFunc(func(ctx context.Context, _ optimize.Batch, _ optimize.Driver) error { return nil })
	if _, err := optimize.Minimize(ctx, bowl(1), [][]float64{{1}}, quits, optimize.Settings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a method that quits: error %v", err)
	}
}

// Endpoints takes every step, stopping nothing, and reports progress.
func TestEndpoints(t *testing.T) {
	fail := fake{next: func(i, _ int, x []float64, _ float64, g []float64) ([]float64, bool) {
		if i == 2 {
			return nil, false
		}
		return []float64{x[0] - 0.5*g[0]}, false
	}}
	p := bowl(1)
	var steps []int
	s := optimize.Settings{MaxSteps: 15, Progress: func(step, total int) {
		if total != 15 {
			t.Errorf("progress total %d", total)
		}
		steps = append(steps, step)
	}}
	ends, err := optimize.Endpoints(context.Background(), p, [][]float64{{2}, {-1}, {3}}, fail, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 3 || ends[0][0] != 0 || ends[1][0] != 0 || !math.IsNaN(ends[2][0]) {
		t.Errorf("ends %v, want [[0] [0] [NaN]]", ends)
	}
	// Runs 0 and 1 converge at step 11 and go on to 15: 16 evaluations,
	// none of them for the records.
	if p.calls != 16 || len(steps) != 16 || steps[0] != 0 || steps[15] != 15 {
		t.Errorf("%d evaluations, progress %v", p.calls, steps)
	}
	if _, err := optimize.Endpoints(context.Background(), p, [][]float64{{1}}, step(nil, nil, nil, []int{2}, nil, nil), optimize.Settings{}); !errors.Is(err, optimize.ErrBadRequest) {
		t.Errorf("a malformed request: error %v", err)
	}
}

func TestFunctionConverge(t *testing.T) {
	recs := func(losses ...float64) []optimize.Record {
		r := make([]optimize.Record, len(losses))
		for i, l := range losses {
			r[i] = optimize.Record{Step: i, Loss: l}
		}
		return r
	}
	tests := []struct {
		name      string
		c         optimize.FunctionConverge
		recs      []optimize.Record
		converged bool
		settled   int
	}{
		{"too few records", optimize.FunctionConverge{Window: 2}, recs(1, 1), false, 0},
		{"flat over the window", optimize.FunctionConverge{Window: 2}, recs(5, 1, 1, 1), true, 1},
		{"moved over the window", optimize.FunctionConverge{Window: 2}, recs(5, 3, 1, 1), false, 2},
		{"only the window's ends count", optimize.FunctionConverge{Window: 2}, recs(5, 1, 3, 1), true, 3},
		{"within the tolerance", optimize.FunctionConverge{Window: 1, Tol: 0.1}, recs(1.15, 1), true, 0},
		{"beyond the tolerance", optimize.FunctionConverge{Window: 1, Tol: 0.1}, recs(1.25, 1), false, 1},
		{"relative to the loss", optimize.FunctionConverge{Window: 1, Tol: 0.1}, recs(1002, 1000), true, 0},
		{"default window of 10", optimize.FunctionConverge{}, recs(append([]float64{2}, repeat(1, 10)...)...), false, 1},
		{"default window, flat", optimize.FunctionConverge{}, recs(append([]float64{2}, repeat(1, 11)...)...), true, 1},
		{"default tolerance 1e-9", optimize.FunctionConverge{Window: 1}, recs(1+1e-8, 1), false, 1},
		{"default tolerance, flat", optimize.FunctionConverge{Window: 1}, recs(1+1e-9, 1), true, 0},
		{"no records", optimize.FunctionConverge{}, nil, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Converged(tc.recs); got != tc.converged {
				t.Errorf("Converged = %v, want %v", got, tc.converged)
			}
			if got := tc.c.Settled(tc.recs); got != tc.settled {
				t.Errorf("Settled = %d, want %d", got, tc.settled)
			}
		})
	}
}

func TestPlateauRule(t *testing.T) {
	recs := func(grad float64, losses ...float64) []optimize.Record {
		r := make([]optimize.Record, len(losses))
		for i, l := range losses {
			r[i] = optimize.Record{Step: i, Loss: l, GradNorm: grad}
		}
		return r
	}
	tests := []struct {
		name string
		p    optimize.PlateauRule
		recs []optimize.Record
		want bool
	}{
		{"flat and small gradients", optimize.PlateauRule{Window: 2}, recs(1e-4, 1, 1+1e-5, 1+2e-5), true},
		{"too few records", optimize.PlateauRule{Window: 2}, recs(1e-4, 1, 1), false},
		{"a large gradient", optimize.PlateauRule{Window: 2}, recs(1e-2, 1, 1, 1), false},
		{"the loss moved", optimize.PlateauRule{Window: 2}, recs(1e-4, 1, 1.1, 1), false},
		{"only the window counts", optimize.PlateauRule{Window: 2}, recs(1e-4, 9, 1, 1, 1), true},
		{"a looser loss test", optimize.PlateauRule{Window: 2, Loss: 0.1}, recs(1e-4, 1, 1.1, 1), true},
		{"a looser gradient test", optimize.PlateauRule{Window: 2, Gradient: 0.1}, recs(1e-2, 1, 1, 1), true},
		{"default window of 10", optimize.PlateauRule{}, recs(0, repeat(1, 10)...), false},
		{"default window, stalled", optimize.PlateauRule{}, recs(0, repeat(1, 11)...), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Stalled(tc.recs); got != tc.want {
				t.Errorf("Stalled = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	for s, want := range map[optimize.Status]string{
		optimize.NotTerminated: "not terminated", optimize.Converged: "converged", optimize.Plateau: "stalled on a plateau",
		optimize.MaxSteps: "max steps", optimize.Diverged: "diverged", optimize.Failed: "failed", optimize.Status(99): "Status(99)",
	} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
		b, err := s.MarshalText()
		if s == 99 {
			if !errors.Is(err, optimize.ErrInvalid) {
				t.Errorf("MarshalText(99): error %v", err)
			}
			continue
		}
		var back optimize.Status
		if err != nil || string(b) != want || back.UnmarshalText(b) != nil || back != s {
			t.Errorf("%v: MarshalText %q, %v; read back as %v", s, b, err, back)
		}
	}
	var s optimize.Status
	if err := s.UnmarshalText([]byte("done")); !errors.Is(err, optimize.ErrInvalid) {
		t.Errorf("UnmarshalText(done): error %v", err)
	}
}

// walker is a Method whose runs walk through the points seq in order, one
// per step (asking for each one's loss), reporting X = the point just
// evaluated, Best = the best of them so far (or fixed, when set), a
// temperature 1/t and acceptances alternating from Accepted; done after
// the last point. It is what simulated annealing and a grid search report,
// scripted.
type walker struct {
	seq   [][]float64
	fixed []float64 // Best reported at every step when not nil
}

func (walker) Global() bool { return true }

func (m walker) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	dim, n := b.Dim, len(b.Starts)/b.Dim
	x := append([]float64(nil), b.Starts...)
	var best []float64
	var temp []float64
	var acc []optimize.Acceptance
	fbest := make([]float64, n)
	done := make([]bool, n)
	for t := 0; ; t++ {
		counts := make([]int, n)
		var pts []float64
		if t < len(m.seq) {
			for i := range n {
				counts[i] = 1
				pts = append(pts, m.seq[t]...)
			}
		}
		var ans optimize.Answer
		if len(pts) > 0 {
			l, _, err := d.Evaluate(ctx, pts, false)
			if err != nil {
				return err
			}
			ans.Losses = l
		}
		it := optimize.Iterates{X: append([]float64(nil), x...), LR: make([]float64, n), Done: append([]bool(nil), done...),
			Best: best, Temperature: temp, Accept: acc}
		if !d.Step(ctx, it, optimize.Request{Counts: counts, Points: pts}, ans) || len(pts) == 0 {
			return nil
		}
		if best == nil {
			best, temp, acc = make([]float64, n*dim), make([]float64, n), make([]optimize.Acceptance, n)
		}
		for i := range n {
			copy(x[i*dim:], m.seq[t])
			if t == 0 || ans.Losses[i] < fbest[i] {
				copy(best[i*dim:], m.seq[t])
				fbest[i] = ans.Losses[i]
			}
			if m.fixed != nil {
				copy(best[i*dim:], m.fixed)
			}
			temp[i], acc[i] = 1/float64(t+1), optimize.Rejected
			if t%2 == 0 {
				acc[i] = optimize.Accepted
			}
			done[i] = t == len(m.seq)-1
		}
	}
}

// A walking method's records hold its walk (X and its loss), its best
// point apart (and its loss), the temperature, the acceptance and the
// running acceptance rate; its result is the best point, judged converged
// at its last improvement.
func TestMinimizeWalk(t *testing.T) {
	seq := [][]float64{{3}, {1}, {2}, {-0.5}, {4}, {0.7}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}}
	p := bowl(1)
	res, err := optimize.Minimize(context.Background(), p, [][]float64{{2.5}}, walker{seq: seq}, optimize.Settings{Converger: optimize.FunctionConverge{Window: 5}})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if len(r.Records) != len(seq)+1 {
		t.Fatalf("%d records, want %d", len(r.Records), len(seq)+1)
	}
	first := r.Records[0]
	if first.X[0] != 2.5 || first.Best[0] != 2.5 || first.BestLoss != 6.25 || first.Accept != optimize.AcceptNone || !math.IsNaN(first.Temperature) || !math.IsNaN(first.AcceptRate) {
		t.Errorf("the start's record: %+v", first)
	}
	bestX, accepted := 0.0, 0
	for k, rec := range r.Records[1:] {
		x := seq[k][0]
		if k == 0 || x*x < bestX*bestX {
			bestX = x
		}
		if k%2 == 0 {
			accepted++
		}
		wantA := optimize.Rejected
		if k%2 == 0 {
			wantA = optimize.Accepted
		}
		if rec.X[0] != x || rec.Loss != x*x || rec.Best[0] != bestX || rec.BestLoss != bestX*bestX ||
			rec.Temperature != 1/float64(k+1) || rec.Accept != wantA || rec.AcceptRate != float64(accepted)/float64(k+1) {
			t.Errorf("record %d: %+v; want X %v, best %v, temperature %v, %v, rate %v", k+1, rec, x, bestX, 1/float64(k+1), wantA, float64(accepted)/float64(k+1))
		}
	}
	// The best point (−0.5, step 4) is the result; the walk went on.
	if r.X[0] != -0.5 || r.Loss != 0.25 || r.GradNorm != 1 || r.Steps != len(seq) {
		t.Errorf("location %+v after %d steps, want the best point -0.5 (loss 0.25, gradient norm 1)", r.Location, r.Steps)
	}
	if r.Status != optimize.Converged || r.ConvergedAt != 4 {
		t.Errorf("status %v at %d, want converged at 4 (the last improvement)", r.Status, r.ConvergedAt)
	}
	// Every point was evaluated twice (the walk's ask, the record with a
	// gradient); no best point needed an evaluation of its own.
	if p.points != 2*len(seq)+1 {
		t.Errorf("%d points evaluated, want %d", p.points, 2*len(seq)+1)
	}

	// A best point that is neither the iterate nor the last best point is
	// evaluated, once.
	p = bowl(1)
	res, err = optimize.Minimize(context.Background(), p, [][]float64{{2.5}}, walker{seq: seq[:3], fixed: []float64{0.25}}, optimize.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.X[0] != 0.25 || r.Loss != 0.0625 || r.Records[3].BestLoss != 0.0625 || p.points != 2*3+1+1 {
		t.Errorf("a best point never visited: location %+v, %d points evaluated", r.Location, p.points)
	}

	// Malformed walks are refused: a temperature without acceptances, best
	// points of the wrong size.
	for _, it := range []optimize.Iterates{
		{X: []float64{1}, LR: []float64{0}, Done: []bool{false}, Temperature: []float64{1}},
		{X: []float64{1}, LR: []float64{0}, Done: []bool{false}, Best: []float64{1, 2}},
		{X: []float64{1}, LR: []float64{0}, Done: []bool{false}, Temperature: []float64{1}, Accept: []optimize.Acceptance{9}},
	} {
		_, err := optimize.Minimize(context.Background(), bowl(1), [][]float64{{1}}, stepOnce{it}, optimize.Settings{})
		if !errors.Is(err, optimize.ErrBadRequest) {
			t.Errorf("%+v: %v, want ErrBadRequest", it, err)
		}
	}

	// Endpoints returns the best points.
	ends, err := optimize.Endpoints(context.Background(), bowl(1), [][]float64{{2.5}, {1}}, walker{seq: seq[:5]}, optimize.Settings{MaxSteps: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ends[0][0] != -0.5 || ends[1][0] != -0.5 {
		t.Errorf("Endpoints %v, want the best point -0.5 for both runs", ends)
	}
}

// stepOnce reports it as its one step, asking for nothing.
type stepOnce struct{ it optimize.Iterates }

func (stepOnce) Global() bool { return false }

func (m stepOnce) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	d.Step(ctx, m.it, optimize.Request{Counts: make([]int, len(m.it.LR))}, optimize.Answer{})
	return nil
}
