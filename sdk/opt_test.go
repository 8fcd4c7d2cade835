package sdk

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
)

// fakeGD is x ← x − lr·g; a start with x0 = 99 panics in Tell, one with
// x0 = 77 returns a point of the wrong length.
type fakeGD struct{}

func (fakeGD) Info() OptimizerInfo {
	return OptimizerInfo{Name: "fake-gd", Summary: "test", Gradient: true,
		Hyperparameters: []Hyperparameter{{Name: "lr", Default: 0.1, Min: 0, Max: 1}}}
}

func (fakeGD) Start(p Params, x0 []float64, seed uint64) (Run, error) {
	if p["lr"] == 0.5 {
		return nil, errors.New("lr=0.5 is unlucky")
	}
	return &gdRun{x: x0, lr: p["lr"]}, nil
}

type gdRun struct {
	x  []float64
	lr float64
}

func (r *gdRun) Ask() ([][]float64, Need) { return [][]float64{r.x}, NeedGradient }
func (r *gdRun) Tell(l []float64, g [][]float64) Step {
	switch r.x[0] {
	case 99:
		panic("boom")
	case 77:
		return Step{X: []float64{1}}
	}
	for k := range r.x {
		r.x[k] -= r.lr * g[0][k]
	}
	return Step{X: r.x, LR: r.lr}
}

func dialOpt(t *testing.T, opts ...Optimizer) *OptimizerClient {
	t.Helper()
	srv, err := newOptServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	conn := bufConn(t, func(g *grpc.Server) { pb.RegisterOptimizerServiceServer(g, srv) })
	return &OptimizerClient{rpc: pb.NewOptimizerServiceClient(conn), Plugin: "fake"}
}

// bowl answers with f = Σx², ∇f = 2x.
func bowl(_ context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
	l := make([]float64, len(pts)/2)
	var g []float64
	for i := range l {
		l[i] = pts[2*i]*pts[2*i] + pts[2*i+1]*pts[2*i+1]
		if grad {
			g = append(g, 2*pts[2*i], 2*pts[2*i+1])
		}
	}
	return l, g, nil
}

func TestOptimizeBatch(t *testing.T) {
	c := dialOpt(t, fakeGD{})
	infos, err := c.List(context.Background())
	if err != nil || len(infos) != 1 || infos[0].Name != "fake-gd" {
		t.Fatalf("List = %v, %v", infos, err)
	}
	starts := []float64{1, 2, 99, 0, -3, 0.5, 77, 0}
	var steps []Iterates
	err = c.Optimize(context.Background(), "fake-gd", Params{"lr": 0.25}, 2, starts, 7, bowl,
		func(it Iterates, req Request, ans Answer) bool {
			steps = append(steps, Iterates{X: append([]float64(nil), it.X...), Done: append([]bool(nil), it.Done...)})
			if !req.Gradient || len(ans.Grads) != len(req.Points) {
				t.Errorf("request %+v answered %+v", req, ans)
			}
			return len(steps) < 4
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 {
		t.Fatalf("%d steps", len(steps))
	}
	// x ← x − 0.25·2x = x/2 each step.
	last := steps[3].X
	for _, c := range []struct {
		i, k int
		want float64
	}{{0, 0, 0.125}, {0, 1, 0.25}, {2, 0, -0.375}, {2, 1, 0.0625}} {
		if got := last[c.i*2+c.k]; math.Abs(got-c.want) > 1e-15 {
			t.Errorf("run %d x%d = %v, want %v", c.i, c.k, got, c.want)
		}
	}
	// The panicking and the lying run failed (NaN, done); the others went on.
	for _, i := range []int{1, 3} {
		if !math.IsNaN(last[2*i]) || !steps[3].Done[i] {
			t.Errorf("run %d: %v done=%v, want NaN and done", i, last[2*i:2*i+2], steps[3].Done[i])
		}
	}
}

func TestOptimizeErrors(t *testing.T) {
	c := dialOpt(t, fakeGD{})
	never := func(Iterates, Request, Answer) bool { t.Error("stepped"); return false }
	for _, tc := range []struct {
		name   string
		params Params
		want   error
		text   string
	}{
		{"nope", nil, ErrUnknownOptimizer, `"nope"`},
		{"fake-gd", Params{"lr": 3}, ErrBadParams, "out of bounds"},
		{"fake-gd", Params{"momentum": 3}, ErrBadParams, "accepted: lr"},
		{"fake-gd", Params{"lr": 0.5}, ErrBadParams, "unlucky"},
	} {
		err := c.Optimize(context.Background(), tc.name, tc.params, 2, []float64{1, 1}, 1, bowl, never)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s %v: %v, want %v containing %q", tc.name, tc.params, err, tc.want, tc.text)
		}
	}
	if err := c.Optimize(context.Background(), "fake-gd", nil, 2, []float64{1, 1, 1}, 1, bowl, never); !errors.Is(err, ErrBadRequest) {
		t.Errorf("3 values as 2-d starts: %v", err)
	}
}

func TestRunSeed(t *testing.T) {
	seen := map[uint64]bool{}
	for i := 0; i < 1000; i++ {
		s := RunSeed(42, i)
		if seen[s] {
			t.Fatalf("seed repeated at run %d", i)
		}
		seen[s] = true
	}
	if RunSeed(1, 0) == RunSeed(2, 0) {
		t.Error("seeds ignore the batch seed")
	}
}
