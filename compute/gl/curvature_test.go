package gl

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// waveHessian is wave's exact gradient norm and Hessian at (x, y).
func waveHessian(s, x, y float64) (gn, hxx, hxy, hyy float64) {
	gx := 3*math.Cos(3*x)*math.Cos(2*y) + 2*s*x
	gy := -2*math.Sin(3*x)*math.Sin(2*y) + 2*s*y
	hxx = -9*math.Sin(3*x)*math.Cos(2*y) + 2*s
	hxy = -6 * math.Cos(3*x) * math.Sin(2*y)
	hyy = -4*math.Sin(3*x)*math.Cos(2*y) + 2*s
	return math.Hypot(gx, gy), hxx, hxy, hyy
}

// gradWave is wave with a GLSL grad().
type gradWave struct{ wave }

func (w gradWave) GLSL() string {
	return w.wave.GLSL() + `
void grad(out float g[DIM]) {
	float x = P(0), y = P(1);
	g[0] = 3.0 * cos(3.0 * x) * cos(2.0 * y) + 2.0 * s * x;
	g[1] = -2.0 * sin(3.0 * x) * sin(2.0 * y) + 2.0 * s * y;
}`
}

// nd is Σ c_k sin(θ_k) + Σ θ_k θ_{k+1} over DIM = 6 parameters: its
// Hessian is diag(−c_k sin θ_k) plus ones beside the diagonal.
type nd struct{}

var ndC = []float64{1, 2, 0.5, 1.5, 3, 0.25}

func (nd) Info() sdk.Info {
	d := make([]sdk.Interval, 6)
	for i := range d {
		d[i] = sdk.Interval{Lo: -2, Hi: 2}
	}
	return sdk.Info{Name: "nd", Summary: "test", Dim: 6, Domain: d}
}

func (nd) Loss(p []float64) float64 {
	v := 0.0
	for k, c := range ndC {
		v += c * math.Sin(p[k])
		if k+1 < len(p) {
			v += p[k] * p[k+1]
		}
	}
	return v
}

func (nd) GLSL() string {
	return `float loss() {
	const float c[6] = float[6](1.0, 2.0, 0.5, 1.5, 3.0, 0.25);
	float v = 0.0;
	for (int k = 0; k < 6; k++) {
		v += c[k] * sin(P(k));
		if (k + 1 < 6) v += P(k) * P(k + 1);
	}
	return v;
}`
}

// hess is nd's Hessian at p.
func (nd) hess(p []float64) [][]float64 {
	h := make([][]float64, 6)
	for i := range h {
		h[i] = make([]float64, 6)
		h[i][i] = -ndC[i] * math.Sin(p[i])
		if i+1 < 6 {
			h[i][i+1] = 1
		}
		if i > 0 {
			h[i][i-1] = 1
		}
	}
	return h
}

func quad(h [][]float64, a, b []float64) float64 {
	s := 0.0
	for i := range a {
		for j := range b {
			s += a[i] * h[i][j] * b[j]
		}
	}
	return s
}

// TestCurvatures checks the GPU's plane Hessians against exact ones, from
// grad() differences and from loss differences, on an axis plane of a 2-D
// surface and on a random plane of a 6-D one. The tolerances are those of
// float32 central differences: about ε^(2/3) of the scale for gradient
// differences, ε^(1/2) for second differences of the loss.
func TestCurvatures(t *testing.T) {
	e := testContext(t).Evaluator()
	ctx := context.Background()
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1.4, Hi: 1.4}, sdk.Interval{Lo: -1.7, Hi: 1.7}, 37, 29)}
	for _, tc := range []struct {
		name   string
		s      sdk.Surface
		method string
		tol    float64
	}{
		{"grad", gradWave{wave{s: 0.5}}, "gradient differences", 1e-4},
		{"loss", wave{s: 0.5}, "loss differences", 1e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.Curvatures(ctx, compute.Local{S: tc.s}.Kernel(), g, compute.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.Method != tc.method {
				t.Errorf("method %q, want %q", c.Method, tc.method)
			}
			th := make([]float64, 2)
			for j := 0; j < g.Ny; j++ {
				for i := 0; i < g.Nx; i++ {
					g.Point(th, i, j)
					k := j*g.Nx + i
					gn, hxx, hxy, hyy := waveHessian(0.5, th[0], th[1])
					for _, q := range []struct {
						what      string
						got, want float64
					}{
						{"loss", float64(c.Loss[k]), tc.s.Loss(th)}, {"grad-norm", float64(c.GradNorm[k]), gn},
						{"huu", float64(c.Huu[k]), hxx}, {"huv", float64(c.Huv[k]), hxy}, {"hvv", float64(c.Hvv[k]), hyy},
					} {
						tol := tc.tol * 10 // the Hessian's scale is about 10 here
						if q.what == "loss" {
							tol = 1e-5 * 3
						}
						if math.Abs(q.got-q.want) > tol {
							t.Fatalf("%s at %v = %v, want %v (tolerance %g)", q.what, th, q.got, q.want, tol)
						}
					}
				}
			}
		})
	}
	t.Run("random plane", func(t *testing.T) {
		o := []float64{0.3, -0.2, 0.7, 0.1, -0.5, 0.9}
		u := compute.RandomDirection(6, 1)
		v := compute.RandomDirection(6, 2)
		pg := compute.Grid{Plane: grid.Plane{Origin: o, U: u, V: v, X: sdk.Interval{Lo: -0.5, Hi: 0.5}, Y: sdk.Interval{Lo: -0.5, Hi: 0.5}, Nx: 9, Ny: 7}}
		c, err := e.Curvatures(ctx, compute.Local{S: nd{}}.Kernel(), pg, compute.Options{})
		if err != nil {
			t.Fatal(err)
		}
		th := make([]float64, 6)
		for j := 0; j < pg.Ny; j++ {
			for i := 0; i < pg.Nx; i++ {
				pg.Point(th, i, j)
				h := nd{}.hess(th)
				k := j*pg.Nx + i
				for _, q := range []struct {
					what      string
					got, want float64
				}{{"huu", float64(c.Huu[k]), quad(h, u, u)}, {"huv", float64(c.Huv[k]), quad(h, u, v)}, {"hvv", float64(c.Hvv[k]), quad(h, v, v)}} {
					if math.Abs(q.got-q.want) > 0.05*(1+math.Abs(q.want)) {
						t.Fatalf("%s at %v = %v, want %v", q.what, th, q.got, q.want)
					}
				}
			}
		}
	})
	t.Run("undefined", func(t *testing.T) {
		// wave is NaN for x > 1.5 and Inf for y > 1.8: NaN there, never a
		// number.
		ug := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: 1.6, Hi: 2}, sdk.Interval{Lo: 0, Hi: 1}, 4, 4)}
		c, err := e.Curvatures(ctx, compute.Local{S: wave{s: 0.5}}.Kernel(), ug, compute.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for k := range c.Huu {
			if c.Huu[k] == c.Huu[k] || c.Loss[k] == c.Loss[k] {
				t.Fatalf("point %d: loss %v huu %v, want NaN", k, c.Loss[k], c.Huu[k])
			}
		}
	})
	t.Run("refused", func(t *testing.T) {
		if _, err := e.Curvatures(ctx, compute.Local{S: sum5NoGLSL{}}.Kernel(), compute.Grid{Plane: grid.AxisPlane(5, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 4, 4)}, compute.Options{}); !errors.Is(err, ErrNoGLSL) {
			t.Errorf("no GLSL: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.Curvatures(cctx, compute.Local{S: wave{s: 1}}.Kernel(), testGrid(64, 64), compute.Options{}); !errors.Is(err, compute.ErrCanceled) {
			t.Errorf("cancelled: %v", err)
		}
	})
}
