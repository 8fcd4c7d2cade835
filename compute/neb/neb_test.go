package neb

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/sdk"
)

type fn struct {
	dim  int
	loss func(x []float64) float64
	grad func(g, x []float64)
}

func (f fn) Info() sdk.Info {
	return sdk.Info{Name: "test", Dim: f.dim, Domain: make([]sdk.Interval, f.dim)}
}
func (f fn) Loss(x []float64) float64 { return f.loss(x) }
func (f fn) Grad(g, x []float64)      { f.grad(g, x) }

func himmelblau() fn {
	return fn{dim: 2,
		loss: func(p []float64) float64 {
			a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
			return a*a + b*b
		},
		grad: func(g, p []float64) {
			x, y := p[0], p[1]
			a, b := x*x+y-11, x+y*y-7
			g[0], g[1] = 4*x*a+2*b, 2*a+4*y*b
		}}
}

// newton solves ∇f = 0 from (x, y) with himmelblau's analytic Hessian,
// independently of the package.
func newton(x, y float64) []float64 {
	h := himmelblau()
	g := make([]float64, 2)
	for range 60 {
		h.grad(g, []float64{x, y})
		a, b, c := 12*x*x+4*y-42, 4*(x+y), 4*x+12*y*y-26
		det := a*c - b*b
		x, y = x-(c*g[0]-b*g[1])/det, y-(-b*g[0]+a*g[1])/det
	}
	return []float64{x, y}
}

// TestHimmelblau: between each pair of neighbouring minima the band finds
// the saddle between them and the barrier to 1e-4, with the climbing
// image alone and after refinement.
func TestHimmelblau(t *testing.T) {
	h := himmelblau()
	mins := [][]float64{{3, 2}, newton(-2.805, 3.131), newton(-3.779, -3.283), newton(3.584, -1.848)}
	saddles := [][]float64{newton(0.087, 2.884), newton(-3.073, -0.081), newton(-0.128, -1.954), newton(3.385, 0.074)}
	for i := range mins {
		a, b, want := mins[i], mins[(i+1)%4], saddles[i]
		wantV := h.loss(want)
		for _, refine := range []bool{false, true} {
			r, err := Run(context.Background(), critical.Local{S: h}, a, b, Settings{NoRefine: !refine, ForceTol: 1e-7})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Converged || r.Saddle == nil {
				t.Fatalf("%v → %v: converged %v after %d iterations, max force %g, saddle %v", a, b, r.Converged, r.Iter, r.MaxForce, r.Saddle)
			}
			if d := math.Hypot(r.Saddle[0]-want[0], r.Saddle[1]-want[1]); d > 1e-4 {
				t.Errorf("%v → %v (refine %v): saddle %v, want %v (%.2g away)", a, b, refine, r.Saddle, want, d)
			}
			if math.Abs(r.Barrier[0]-wantV) > 1e-4 || math.Abs(r.Barrier[1]-(wantV-h.loss(b))) > 1e-4 {
				t.Errorf("%v → %v (refine %v): barriers %v, want %v", a, b, refine, r.Barrier, wantV)
			}
			if refine && (!r.Refined || r.Index != 1 || math.Abs(r.SaddleValue-wantV) > 1e-9) {
				t.Errorf("refined: %v index %d value %v, want %v", r.Refined, r.Index, r.SaddleValue, wantV)
			}
			if r.Arc[0] != 0 || r.Arc[len(r.Arc)-1] != 1 || len(r.Images) != 17 {
				t.Errorf("arc %v", r.Arc)
			}
			// The path is a minimum-energy path: it climbs monotonically to
			// the climbing image and falls after it.
			for k := 1; k < len(r.Values); k++ {
				up := r.Values[k] > r.Values[k-1]
				if up != (k <= r.Climber) {
					t.Errorf("%v → %v: the profile is not single-peaked at image %d: %v", a, b, k, r.Values)
					break
				}
			}
		}
	}
}

func TestNoBarrier(t *testing.T) {
	bowl := fn{dim: 3, loss: func(x []float64) float64 { return x[0]*x[0] + 2*x[1]*x[1] + 3*x[2]*x[2] },
		grad: func(g, x []float64) { g[0], g[1], g[2] = 2*x[0], 4*x[1], 6*x[2] }}
	r, err := Run(context.Background(), critical.Local{S: bowl}, []float64{0, 0, 0}, []float64{1, 1, 1}, Settings{Images: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Saddle != nil || r.Barrier != [2]float64{} {
		t.Errorf("a bowl's path has a saddle %v", r.Saddle)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	h := critical.Local{S: himmelblau()}
	if _, err := Run(ctx, h, []float64{1, 2}, []float64{1, 2}, Settings{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("the same point twice: %v", err)
	}
	if _, err := Run(ctx, h, []float64{1, 2}, []float64{1, 2, 3}, Settings{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ends of different lengths: %v", err)
	}
	if _, err := Run(ctx, h, []float64{1, 2}, []float64{3, 2}, Settings{Images: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("-1 images: %v", err)
	}
	// log(1 − x²): undefined beyond |x| = 1, which the straight line from
	// −2 to 2 crosses.
	hole := fn{dim: 2, loss: func(x []float64) float64 { return math.Log(x[0]*x[0]-1) + x[1]*x[1] },
		grad: func(g, x []float64) { g[0], g[1] = 2*x[0]/(x[0]*x[0]-1), 2*x[1] }}
	if _, err := Run(ctx, critical.Local{S: hole}, []float64{-2, 0}, []float64{2, 0}, Settings{}); !errors.Is(err, ErrUndefined) {
		t.Errorf("through NaN: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Run(cctx, h, []float64{3, 2}, []float64{-2.8, 3.1}, Settings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSample(t *testing.T) {
	pts, arc := Sample([][]float64{{0, 0}, {1, 0}, {1, 3}}, 2)
	want := [][]float64{{0, 0}, {0.5, 0}, {1, 0}, {1, 1.5}, {1, 3}}
	wantArc := []float64{0, 0.125, 0.25, 0.625, 1}
	if len(pts) != len(want) {
		t.Fatalf("%v", pts)
	}
	for i := range want {
		if pts[i][0] != want[i][0] || pts[i][1] != want[i][1] || math.Abs(arc[i]-wantArc[i]) > 1e-15 {
			t.Errorf("point %d: %v at %v, want %v at %v", i, pts[i], arc[i], want[i], wantArc[i])
		}
	}
}
