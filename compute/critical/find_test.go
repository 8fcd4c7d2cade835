package critical

import (
	"context"
	"errors"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// fn is an in-process test surface: a loss and its analytic gradient.
type fn struct {
	name string
	dim  int
	lo   float64
	hi   float64
	loss func(x []float64) float64
	grad func(g, x []float64)
}

func (f fn) Info() sdk.Info {
	d := make([]sdk.Interval, f.dim)
	for i := range d {
		d[i] = sdk.Interval{Lo: f.lo, Hi: f.hi}
	}
	return sdk.Info{Name: f.name, Dim: f.dim, Domain: d}
}
func (f fn) Loss(x []float64) float64 { return f.loss(x) }
func (f fn) Grad(g, x []float64)      { f.grad(g, x) }

func rastrigin(dim int, a float64) fn {
	return fn{name: "rastrigin", dim: dim, lo: -5.12, hi: 5.12,
		loss: func(x []float64) float64 {
			s := a * float64(len(x))
			for _, v := range x {
				s += v*v - a*math.Cos(2*math.Pi*v)
			}
			return s
		},
		grad: func(g, x []float64) {
			for i, v := range x {
				g[i] = 2*v + 2*math.Pi*a*math.Sin(2*math.Pi*v)
			}
		}}
}

// styblinski is Styblinski–Tang: ½Σ(θ⁴ − 16θ² + 5θ).
func styblinski(dim int) fn {
	return fn{name: "styblinski-tang", dim: dim, lo: -5, hi: 5,
		loss: func(x []float64) float64 {
			s := 0.0
			for _, v := range x {
				s += v*v*v*v - 16*v*v + 5*v
			}
			return s / 2
		},
		grad: func(g, x []float64) {
			for i, v := range x {
				g[i] = (4*v*v*v - 32*v + 5) / 2
			}
		}}
}

func himmelblau() fn {
	return fn{name: "himmelblau", dim: 2, lo: -5, hi: 5,
		loss: func(p []float64) float64 {
			x, y := p[0], p[1]
			a, b := x*x+y-11, x+y*y-7
			return a*a + b*b
		},
		grad: func(g, p []float64) {
			x, y := p[0], p[1]
			a, b := x*x+y-11, x+y*y-7
			g[0] = 4*x*a + 2*b
			g[1] = 2*a + 4*y*b
		}}
}

// root1 is a critical point of a 1-D function and whether it is a
// minimum (else a maximum).
type root1 struct {
	x   float64
	min bool
}

// roots1 solves d(x) = 0 on [lo, hi] independently of the package: by
// bracketing on a fine grid and bisecting to the last bit; dd is the
// second derivative, whose sign says the kind.
func roots1(d, dd func(float64) float64, lo, hi float64) []root1 {
	const n = 200000
	var out []root1
	prev := d(lo)
	for i := 1; i <= n; i++ {
		x := lo + (hi-lo)*float64(i)/n
		cur := d(x)
		if prev == 0 && i == 1 {
			out = append(out, root1{lo, dd(lo) > 0})
		}
		if cur == 0 {
			out = append(out, root1{x, dd(x) > 0})
		} else if prev != 0 && (prev < 0) != (cur < 0) {
			a, b := x-(hi-lo)/n, x
			for k := 0; k < 200 && b-a > 0; k++ {
				m := (a + b) / 2
				if m == a || m == b {
					break
				}
				if (d(m) < 0) == (d(a) < 0) {
					a = m
				} else {
					b = m
				}
			}
			r := (a + b) / 2
			out = append(out, root1{r, dd(r) > 0})
		}
		prev = cur
	}
	return out
}

// product is the critical points of a separable 2-D function whose axes'
// critical points are r: a minimum where both are minima, a maximum where
// both are maxima, a saddle of index 1 otherwise.
func product(r []root1) []Point {
	var out []Point
	for _, py := range r {
		for _, px := range r {
			k, idx := Saddle, 1
			switch {
			case px.min && py.min:
				k, idx = Minimum, 0
			case !px.min && !py.min:
				k, idx = Maximum, 2
			}
			out = append(out, Point{X: []float64{px.x, py.x}, Kind: k, Index: idx})
		}
	}
	return out
}

func axisGrid(dim int, lo, hi float64, res int) compute.Grid {
	iv := sdk.Interval{Lo: lo, Hi: hi}
	return compute.Grid{Plane: grid.AxisPlane(dim, 0, 1, nil, iv, iv, res, res)}
}

// match checks that found is want, point for point (within tol) and kind
// for kind.
func match(t *testing.T, found []Found, want []Point, tol float64) {
	t.Helper()
	if len(found) != len(want) {
		t.Errorf("found %d critical points, want %d", len(found), len(want))
	}
	used := make([]bool, len(found))
	for _, w := range want {
		best, bd := -1, math.Inf(1)
		for i, f := range found {
			if d := math.Hypot(f.X[0]-w.X[0], f.X[1]-w.X[1]); d < bd {
				best, bd = i, d
			}
		}
		if best < 0 || bd > tol {
			t.Errorf("missed the %v at %v (nearest found %.3g away)", w.Kind, w.X, bd)
			continue
		}
		f := found[best]
		if used[best] {
			t.Errorf("%v matched twice", f.X)
		}
		used[best] = true
		if f.Kind != w.Kind || f.Index != w.Index {
			t.Errorf("%v: found %v (index %d), want %v (index %d); eigenvalues %v", w.X, f.Kind, f.Index, w.Kind, w.Index, f.Eigenvalues)
		}
	}
}

// TestRastrigin checks every one of rastrigin's 441 critical points on its
// standard domain, against the 1-D equation 2x + 2πA·sin 2πx = 0 solved
// on each axis by bisection.
func TestRastrigin(t *testing.T) {
	const a = 10
	r := roots1(func(x float64) float64 { return 2*x + 2*math.Pi*a*math.Sin(2*math.Pi*x) },
		func(x float64) float64 { return 2 + 4*math.Pi*math.Pi*a*math.Cos(2*math.Pi*x) }, -5.12, 5.12)
	if len(r) != 21 {
		t.Fatalf("%d 1-D critical points, want 21", len(r))
	}
	want := product(r)
	res, err := Find(context.Background(), Local{rastrigin(2, a)}, axisGrid(2, -5.12, 5.12, 256), Options{})
	if err != nil {
		t.Fatal(err)
	}
	match(t, res.Points, want, 1e-6)
	if res.Count != [4]int{121, 100, 220, 0} {
		t.Errorf("counts %v, want 121 minima, 100 maxima, 220 saddles", res.Count)
	}
	if res.Points[0].Value != 0 || res.Points[0].X[0] != 0 {
		t.Errorf("lowest %+v, want the global minimum at the origin", res.Points[0].Point)
	}
}

// TestStyblinskiTang: 3 critical points per axis, 9 in the plane.
func TestStyblinskiTang(t *testing.T) {
	r := roots1(func(x float64) float64 { return (4*x*x*x - 32*x + 5) / 2 },
		func(x float64) float64 { return (12*x*x - 32) / 2 }, -5, 5)
	if len(r) != 3 {
		t.Fatalf("%d 1-D critical points", len(r))
	}
	res, err := Find(context.Background(), Local{styblinski(2)}, axisGrid(2, -5, 5, 64), Options{})
	if err != nil {
		t.Fatal(err)
	}
	match(t, res.Points, product(r), 1e-9)
}

// TestHimmelblau: four minima, four saddles and a maximum, the saddles
// and the maximum checked against Newton's method on the analytic
// gradient with the analytic Hessian, run here from nearby starts.
func TestHimmelblau(t *testing.T) {
	h := himmelblau()
	exact := func(x, y float64) [4]float64 {
		return [4]float64{12*x*x + 4*y - 42, 4 * (x + y), 4 * (x + y), 4*x + 12*y*y - 26}
	}
	newton := func(x, y float64) []float64 {
		g := make([]float64, 2)
		for range 60 {
			h.grad(g, []float64{x, y})
			m := exact(x, y)
			det := m[0]*m[3] - m[1]*m[2]
			x, y = x-(m[3]*g[0]-m[1]*g[1])/det, y-(-m[2]*g[0]+m[0]*g[1])/det
		}
		return []float64{x, y}
	}
	want := []Point{
		{X: []float64{3, 2}, Kind: Minimum},
		{X: newton(-2.805, 3.131), Kind: Minimum},
		{X: newton(-3.779, -3.283), Kind: Minimum},
		{X: newton(3.584, -1.848), Kind: Minimum},
		{X: newton(-0.271, -0.923), Kind: Maximum, Index: 2},
		{X: newton(3.385, 0.074), Kind: Saddle, Index: 1},
		{X: newton(0.087, 2.884), Kind: Saddle, Index: 1},
		{X: newton(-3.073, -0.081), Kind: Saddle, Index: 1},
		{X: newton(-0.128, -1.954), Kind: Saddle, Index: 1},
	}
	res, err := Find(context.Background(), Local{h}, axisGrid(2, -5, 5, 128), Options{})
	if err != nil {
		t.Fatal(err)
	}
	match(t, res.Points, want, 1e-9)
	for _, p := range res.Points {
		if p.Full != nil {
			t.Errorf("a 2-D surface got a full-space classification")
		}
	}
}

// TestFullSpace: rastrigin in 4-D on the plane of parameters 1 and 3
// through (0.5-ish, ·, 1, ·): every point of the plane's lattice is
// critical in the full space too when the fixed coordinates are, and its
// full index counts the maxima among all four coordinates.
func TestFullSpace(t *testing.T) {
	const a = 10
	r := roots1(func(x float64) float64 { return 2*x + 2*math.Pi*a*math.Sin(2*math.Pi*x) },
		func(x float64) float64 { return 2 + 4*math.Pi*math.Pi*a*math.Cos(2*math.Pi*x) }, -1.2, 1.2)
	// A maximum (near 0.5) on axis 0 and a minimum (near 1) on axis 2.
	var x0, x2 float64
	for _, q := range r {
		if !q.min && q.x > 0 {
			x0 = q.x
		}
		if q.min && q.x > 0.5 {
			x2 = q.x
		}
	}
	iv := sdk.Interval{Lo: -1.2, Hi: 1.2}
	g := compute.Grid{Plane: grid.AxisPlane(4, 1, 3, []float64{x0, 0, x2, 0}, iv, iv, 64, 64)}
	res, err := Find(context.Background(), Local{rastrigin(4, a)}, g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	match(t, res.Points, product(r), 1e-6)
	for _, p := range res.Points {
		if p.Full == nil {
			t.Fatalf("%v: not classified in the full space: %s", p.X, p.FullWhy)
		}
		if p.Full.GradNorm > 1e-6 {
			t.Errorf("%v: full gradient %g", p.X, p.Full.GradNorm)
		}
		// Axis 0 is at a maximum (one more negative eigenvalue), axis 2 at
		// a minimum (one more positive one): a saddle in the full space.
		if want := p.Index + 1; p.Full.Index != want || p.Full.Kind != Saddle {
			t.Errorf("%v (%v in the plane): full %v index %d, want index %d", p.X, p.Kind, p.Full.Kind, p.Full.Index, want)
		}
		if len(p.Theta) != 4 || p.Theta[0] != x0 || p.Theta[2] != x2 || p.Theta[1] != p.X[0] || p.Theta[3] != p.X[1] {
			t.Errorf("theta %v for plane point %v", p.Theta, p.X)
		}
	}
}

// TestSaddleAndDegenerate: x² − y² has one saddle; the monkey saddle
// x³ − 3xy² one degenerate point, both at a grid point and between grid
// points.
func TestSaddleAndDegenerate(t *testing.T) {
	saddle := fn{name: "saddle", dim: 2, lo: -2, hi: 2,
		loss: func(p []float64) float64 { return p[0]*p[0] - p[1]*p[1] },
		grad: func(g, p []float64) { g[0], g[1] = 2*p[0], -2*p[1] }}
	monkey := fn{name: "monkey", dim: 2, lo: -1, hi: 1,
		loss: func(p []float64) float64 { return p[0]*p[0]*p[0] - 3*p[0]*p[1]*p[1] },
		grad: func(g, p []float64) { g[0], g[1] = 3*p[0]*p[0]-3*p[1]*p[1], -6*p[0]*p[1] }}
	for _, res := range []int{33, 32} { // the origin a grid point, or not
		r, err := Find(context.Background(), Local{saddle}, axisGrid(2, -2, 2, res), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Points) != 1 || r.Points[0].Kind != Saddle || r.Points[0].Index != 1 || math.Hypot(r.Points[0].X[0], r.Points[0].X[1]) > 1e-12 {
			t.Errorf("saddle at %d points: %+v", res, r.Points)
		}
		r, err = Find(context.Background(), Local{monkey}, axisGrid(2, -1, 1, res), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Points) != 1 || r.Points[0].Kind != Degenerate || math.Hypot(r.Points[0].X[0], r.Points[0].X[1]) > 1e-6 {
			t.Errorf("monkey saddle at %d points: %+v", res, r.Points)
		}
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	// No critical point in the range: none found, no error.
	r, err := Find(ctx, Local{himmelblau()}, axisGrid(2, 4, 5, 32), Options{})
	if err != nil || len(r.Points) != 0 {
		t.Errorf("a range without critical points: %v, %v", r, err)
	}
	// Too coarse: too few points, and too many sign changes.
	if _, err := Find(ctx, Local{rastrigin(2, 10)}, axisGrid(2, -5.12, 5.12, 4), Options{}); !errors.Is(err, ErrTooCoarse) {
		t.Errorf("a 4x4 grid: %v", err)
	}
	_, err = Find(ctx, Local{rastrigin(2, 10)}, axisGrid(2, -5.12, 5.12, 12), Options{})
	if !errors.Is(err, ErrTooCoarse) {
		t.Fatalf("a 12x12 grid of rastrigin: %v", err)
	}
	t.Log(err)
	// The resolution it asks for is enough.
	m := regexp.MustCompile(`at least (\d+)x(\d+) points`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("no resolution in %q", err)
	}
	nx, _ := strconv.Atoi(m[1])
	ny, _ := strconv.Atoi(m[2])
	if _, err := Find(ctx, Local{rastrigin(2, 10)}, axisGrid(2, -5.12, 5.12, nx), Options{}); err != nil {
		t.Errorf("at the %dx%d asked for: %v", nx, ny, err)
	}
	// A flat surface.
	flat := fn{name: "flat", dim: 2, lo: 0, hi: 1, loss: func([]float64) float64 { return 1 }, grad: func(g, _ []float64) { g[0], g[1] = 0, 0 }}
	if _, err := Find(ctx, Local{flat}, axisGrid(2, 0, 1, 16), Options{}); !errors.Is(err, ErrFlat) {
		t.Errorf("a flat surface: %v", err)
	}
	// Newton runs that do not converge are counted, not kept: this
	// gradient of |x| + y² jumps from −1 to 1 at x = 0 and is nowhere
	// zero, so ‖g‖ has minima that are no zeros.
	absf := fn{name: "abs", dim: 2, lo: -1, hi: 1,
		loss: func(p []float64) float64 { return math.Abs(p[0]) + p[1]*p[1] },
		grad: func(g, p []float64) { g[0], g[1] = math.Copysign(1, p[0]), 2*p[1] }}
	r, err = Find(ctx, Local{absf}, axisGrid(2, -1, 1, 16), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 0 || r.NotConverged() == 0 {
		t.Errorf("|x| + y²: %d points %+v, %d runs not converged (%v)", len(r.Points), r.Points, r.NotConverged(), r.Failed)
	}
}
