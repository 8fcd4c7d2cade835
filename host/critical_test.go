package host

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/compute/stats"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
)

// topology is an App serving the test functions and gd in this process,
// with its catalog.
func topology(t testing.TB) (*App, *Catalog) {
	t.Helper()
	var surfaces []sdk.Surface
	for _, n := range []string{"rastrigin", "himmelblau", "saddle"} {
		s, _ := funcs.ByName(n)
		surfaces = append(surfaces, s)
	}
	gd, _ := opt.ByName("gd")
	a := inProcess(t, sdk.WithSurfaces(surfaces...), sdk.WithOptimizers(gd))
	cat, err := a.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return a, cat
}

// rastrigin1 is the critical points of x² + A(1 − cos 2πx) on [lo, hi]
// and whether each is a minimum, solved here by bracketing and bisection
// of its derivative 2x + 2πA·sin 2πx.
func rastrigin1(a, lo, hi float64) (xs []float64, isMin []bool) {
	d := func(x float64) float64 { return 2*x + 2*math.Pi*a*math.Sin(2*math.Pi*x) }
	const n = 100000
	prev := d(lo)
	for i := 1; i <= n; i++ {
		x := lo + (hi-lo)*float64(i)/n
		cur := d(x)
		var r float64
		switch {
		case cur == 0:
			r = x
		case prev != 0 && (prev < 0) != (cur < 0):
			l, h := x-(hi-lo)/n, x
			for range 200 {
				m := (l + h) / 2
				if (d(m) < 0) == (d(l) < 0) {
					l = m
				} else {
					h = m
				}
			}
			r = (l + h) / 2
		default:
			prev = cur
			continue
		}
		xs = append(xs, r)
		isMin = append(isMin, 2+4*math.Pi*math.Pi*a*math.Cos(2*math.Pi*r) > 0)
		prev = cur
	}
	return xs, isMin
}

// TestCriticalRastrigin finds all 441 critical points of the rastrigin
// plugin's surface on its domain and checks each against the 1-D
// solutions, to 1e-6, and its kind.
func TestCriticalRastrigin(t *testing.T) {
	a, cat := topology(t)
	ctx := context.Background()
	sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "rastrigin", Res: Res{Nx: 256, Ny: 256}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Critical(ctx, CriticalSpec{Scene: sc})
	if err != nil {
		t.Fatal(err)
	}
	xs, isMin := rastrigin1(10, -5.12, 5.12)
	if len(xs) != 21 {
		t.Fatalf("%d 1-D critical points", len(xs))
	}
	if len(res.Points) != 21*21 {
		t.Errorf("%d critical points, want 441", len(res.Points))
	}
	for j, y := range xs {
		for i, x := range xs {
			want := critical.Saddle
			switch {
			case isMin[i] && isMin[j]:
				want = critical.Minimum
			case !isMin[i] && !isMin[j]:
				want = critical.Maximum
			}
			found := false
			for _, p := range res.Points {
				if math.Abs(p.X[0]-x) <= 1e-6 && math.Abs(p.X[1]-y) <= 1e-6 {
					found = true
					if p.Kind != want {
						t.Errorf("(%v, %v) is a %v, want a %v", x, y, p.Kind, want)
					}
				}
			}
			if !found {
				t.Errorf("(%v, %v) not found", x, y)
			}
		}
	}
	if res.HessianMethod == "" || res.Counts().Minima != 121 {
		t.Errorf("method %q, counts %+v", res.HessianMethod, res.Counts())
	}
	// Too coarse: an input error of the resolution, with what is needed.
	sc.Grid.Nx, sc.Grid.Ny = 12, 12
	_, err = a.Critical(ctx, CriticalSpec{Scene: sc})
	var in *InputError
	if !errors.As(err, &in) || in.Input != "resolution" || !errors.Is(err, critical.ErrTooCoarse) {
		t.Errorf("a 12x12 grid: %v", err)
	}
}

// newtonHimmelblau solves himmelblau's gradient = 0 from (x, y) with its
// analytic Hessian.
func newtonHimmelblau(x, y float64) (float64, float64) {
	for range 60 {
		a, b := x*x+y-11, x+y*y-7
		gx, gy := 4*x*a+2*b, 2*a+4*y*b
		hxx, hxy, hyy := 12*x*x+4*y-42, 4*(x+y), 4*x+12*y*y-26
		det := hxx*hyy - hxy*hxy
		x, y = x-(hyy*gx-hxy*gy)/det, y-(-hxy*gx+hxx*gy)/det
	}
	return x, y
}

// TestMinimumPath: between himmelblau's first two declared minima the
// band's saddle and barrier agree with Newton's method on the analytic
// gradient to 1e-4; the profile starts and ends at the ends' losses and
// lies below the straight line's maximum.
func TestMinimumPath(t *testing.T) {
	a, cat := topology(t)
	ctx := context.Background()
	e, _ := cat.Lookup("himmelblau")
	s, err := a.Configure(ctx, e, Configured(e.Hyperparameters))
	if err != nil {
		t.Fatal(err)
	}
	min0, min1 := s.Desc.Minima[0].Location, s.Desc.Minima[1].Location
	m, err := a.MinimumPath(ctx, MEPSpec{Surface: s, From: Endpoint{Minimum: 0, Text: "min0"}, To: Endpoint{X: min1, Minimum: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// The saddle between the two declared minima.
	sx, sy := newtonHimmelblau((min0[0]+min1[0])/2, (min0[1]+min1[1])/2)
	h, _ := funcs.ByName("himmelblau")
	want := h.Loss([]float64{sx, sy})
	if m.Saddle == nil || math.Hypot(m.Saddle[0]-sx, m.Saddle[1]-sy) > 1e-4 {
		t.Fatalf("saddle %v, want (%v, %v)", m.Saddle, sx, sy)
	}
	if math.Abs(m.Barrier[0]-(want-h.Loss(min0))) > 1e-4 || math.Abs(m.Barrier[1]-(want-h.Loss(min1))) > 1e-4 || !m.Refined {
		t.Errorf("barriers %v (refined %v), want %v", m.Barrier, m.Refined, want)
	}
	top := 0.0
	for _, v := range m.LineLoss {
		top = math.Max(top, v)
	}
	if m.Loss[0] != m.Values[0] || m.Arc[len(m.Arc)-1] != 1 || top <= m.SaddleValue {
		t.Errorf("profile from %v, line top %v, saddle %v", m.Loss[0], top, m.SaddleValue)
	}
	// Bad ends.
	for _, c := range []struct {
		from, to Endpoint
		input    string
	}{
		{Endpoint{Minimum: 0}, Endpoint{X: min0, Minimum: -1}, "to"},
		{Endpoint{X: []float64{1, 2}, Minimum: -1}, Endpoint{X: []float64{1, 2, 3}, Minimum: -1}, "to"},
		{Endpoint{X: []float64{1, 2, 3}, Minimum: -1}, Endpoint{X: []float64{4, 5, 6}, Minimum: -1}, "from"},
		{Endpoint{Minimum: 9, Text: "min9"}, Endpoint{Minimum: 0}, "from"},
	} {
		_, err := a.MinimumPath(ctx, MEPSpec{Surface: s, From: c.from, To: c.to})
		var in *InputError
		if !errors.As(err, &in) || in.Input != c.input {
			t.Errorf("%+v → %+v: %v, want an error of %s", c.from, c.to, err, c.input)
		}
	}
}

// TestStats: the roughness is stats.Roughness of the grid, and the share
// where rastrigin's (diagonal) Hessian is positive definite is counted
// here from its second derivative 2 + 4π²A·cos 2πx on each axis.
func TestStats(t *testing.T) {
	a, cat := topology(t)
	ctx := context.Background()
	sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "rastrigin", Res: Res{Nx: 96, Ny: 80}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.Stats(ctx, StatsSpec{Scene: sc, Backend: BackendCPU, Sigma: 1.5, Dirs: []ProfileDir{{Direction: Direction{Kind: PlaneAxis}}, {Hessian: true}}})
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := a.Evaluate(ctx, BackendCPU, sc, compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, len(f.Values))
	for k, x := range f.Values {
		v[k] = float64(x)
	}
	want, _, _ := stats.Roughness(v, 96, 80, 1.5)
	if rep.Roughness == nil || *rep.Roughness != want {
		t.Errorf("roughness %v, want %v", rep.Roughness, want)
	}
	g := sc.Grid
	pos := func(x float64) bool { return 2+4*math.Pi*math.Pi*10*math.Cos(2*math.Pi*x) > 0 }
	n := 0
	for j := 0; j < g.Ny; j++ {
		for i := 0; i < g.Nx; i++ {
			if pos(g.XAt(i)) && pos(g.YAt(j)) {
				n++
			}
		}
	}
	if w := float64(n) / float64(g.Len()); rep.PositiveDefinite == nil || *rep.PositiveDefinite != w {
		t.Errorf("positive definite on %v, want %v", rep.PositiveDefinite, w)
	}
	if c := rep.Critical; c == nil || c.Minima+c.Maxima+c.Saddles != 441 {
		t.Errorf("critical %+v (%s)", c, rep.CriticalNote)
	}
	// axis:0 through the global minimum (the default), and the Hessian's
	// two eigenvectors there (the axes: rastrigin's Hessian at 0 is
	// 2 + 40π² on both).
	if len(rep.Profiles) != 3 || rep.Profiles[0].Points != 201 || rep.Profiles[0].Lo != -5.12 {
		t.Fatalf("profiles %+v", rep.Profiles)
	}
	for _, p := range rep.Profiles[1:] {
		if math.Abs(p.Convexity-rep.Profiles[1].Convexity) > 1e-12 || p.Smoothness <= 0 {
			t.Errorf("hessian profiles differ: %+v", rep.Profiles[1:])
		}
	}
	if _, err := a.Stats(ctx, StatsSpec{Scene: sc, Backend: BackendCPU, Sigma: -1}); err == nil {
		t.Error("σ = -1 accepted")
	}
}

// TestBasinsClustered: gradient descent on rastrigin from a grid of starts
// reaches every one of its 121 local minima in the domain, each basin a
// minimum of the 1-D solutions'; on the saddle surface runs end at the
// saddle, diverge, or stay unconverged.
func TestBasinsClustered(t *testing.T) {
	a, cat := topology(t)
	ctx := context.Background()
	gd, _ := cat.LookupOptimizer("gd")
	sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "rastrigin", Res: Res{Nx: 66, Ny: 66}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Basins(ctx, BasinsSpec{Scene: sc, Opt: gd, OptParams: sdk.Params{"lr": 0.002}, Steps: 300, Backend: BackendCPU})
	if err != nil {
		t.Fatal(err)
	}
	xs, isMin := rastrigin1(10, -5.12, 5.12)
	var mins []float64
	for i, x := range xs {
		if isMin[i] {
			mins = append(mins, x)
		}
	}
	if len(res.Basins) != 121 {
		t.Errorf("%d basins, want 121", len(res.Basins))
	}
	total := 0
	for _, b := range res.Basins {
		total += b.Count
		ok := func(v float64) bool {
			for _, m := range mins {
				if math.Abs(v-m) < 1e-6 {
					return true
				}
			}
			return false
		}
		if !ok(b.X[0]) || !ok(b.X[1]) || b.Count == 0 {
			t.Errorf("basin at %v (%d starts) is no minimum of rastrigin", b.X, b.Count)
		}
	}
	if total+res.None+res.Saddles+res.Lost != g66 || res.Basins[0].Value != 0 || res.Basins[0].Known != 0 {
		t.Errorf("%d in basins, %d none, %d saddles, %d lost; lowest %+v", total, res.None, res.Saddles, res.Lost, res.Basins[0])
	}

	// The saddle x² − y²: the middle row converges to the saddle, far rows
	// diverge, the rest have not converged after 300 steps.
	sc, err = a.ResolveScene(ctx, cat, SceneSpec{Surface: "saddle", Res: Res{Nx: 9, Ny: 9}})
	if err != nil {
		t.Fatal(err)
	}
	res, err = a.Basins(ctx, BasinsSpec{Scene: sc, Opt: gd, OptParams: sdk.Params{"lr": 0.01}, Steps: 300, Backend: BackendCPU})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 9; i++ {
		if l := res.Labels[4*9+i]; l != render.AtSaddle {
			t.Errorf("start (%d, middle row) labelled %d, want at a saddle", i, l)
		}
		if l := res.Labels[i]; l != render.Failed {
			t.Errorf("start (%d, bottom row) labelled %d, want diverged", i, l)
		}
		if l := res.Labels[3*9+i]; l != render.NoBasin {
			t.Errorf("start (%d, row 3) labelled %d, want no minimum", i, l)
		}
	}
	if len(res.Basins) != 0 || res.Saddles != 9 {
		t.Errorf("%d basins, %d at the saddle", len(res.Basins), res.Saddles)
	}
}

const g66 = 66 * 66

// TestClassifyStops: gradient descent from (1, 0) on x² − y² converges to
// the saddle; from (1, 1) it does not converge and is not classified.
func TestClassifyStops(t *testing.T) {
	a, cat := topology(t)
	ctx := context.Background()
	e, _ := cat.Lookup("saddle")
	s, _ := a.Configure(ctx, e, Configured(e.Hyperparameters))
	gd, _ := cat.LookupOptimizer("gd")
	trajs, err := a.Optimize(ctx, OptimizeSpec{Surface: s, Opt: gd, OptParams: sdk.Params{}, Starts: [][]float64{{1, 0}, {1, 1}}, Steps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	stops, err := a.ClassifyStops(ctx, s, trajs)
	if err != nil {
		t.Fatal(err)
	}
	if st := stops[0]; st == nil || st.Kind != critical.Saddle || st.Index != 1 || st.Describe() != "a saddle (index 1)" {
		t.Errorf("from (1, 0): %v (%+v)", trajs[0].Status, st)
	}
	if stops[1] != nil {
		t.Errorf("from (1, 1) (%v): classified as %+v", trajs[1].Status, stops[1])
	}
}

// TestCriticalBuiltins: on the built-in 2-D surfaces' standard domains the
// set found from a 256² grid is the set found from a grid three times as
// fine (each point to 1e-6, each kind alike), every point is a zero of
// the surface's analytic gradient, and the counts known from the
// literature hold (Himmelblau's 4 minima, 4 saddles and a maximum; the
// six-hump camel's 6 minima, 7 saddles and 2 maxima; Styblinski–Tang's
// product of two minima and a maximum per axis).
func TestCriticalBuiltins(t *testing.T) {
	names := []string{"ripple", "bowl", "saddle", "ackley", "rosenbrock", "himmelblau", "beale", "booth",
		"goldstein-price", "styblinski-tang", "six-hump-camel", "matyas", "mccormick"}
	var ss []sdk.Surface
	for _, n := range names {
		s, _ := funcs.ByName(n)
		ss = append(ss, s)
	}
	a := inProcess(t, sdk.WithSurfaces(ss...))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string][3]int{"himmelblau": {4, 4, 1}, "six-hump-camel": {6, 7, 2}, "styblinski-tang": {4, 4, 1}}
	for i, n := range names {
		find := func(res int) *CriticalResult {
			sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: n, Res: Res{Nx: res, Ny: res}})
			if err != nil {
				t.Fatal(err)
			}
			r, err := a.Critical(ctx, CriticalSpec{Scene: sc, Finer: true})
			if err != nil {
				t.Fatalf("%s at %d: %v", n, res, err)
			}
			return r
		}
		coarse, fine := find(256), find(768)
		if len(coarse.Points) != len(fine.Points) || len(coarse.Points) == 0 {
			t.Errorf("%s: %d critical points from 256², %d from 768²", n, len(coarse.Points), len(fine.Points))
			continue
		}
		g := make([]float64, 2)
		for _, p := range coarse.Points {
			match := false
			for _, q := range fine.Points {
				if math.Abs(p.X[0]-q.X[0]) <= 1e-6 && math.Abs(p.X[1]-q.X[1]) <= 1e-6 && p.Kind == q.Kind {
					match = true
				}
			}
			if !match {
				t.Errorf("%s: the %v at %v is not found from the finer grid", n, p.Kind, p.X)
			}
			ss[i].(sdk.SurfaceWithGradient).Grad(g, p.X)
			if gn := math.Hypot(g[0], g[1]); gn > 1e-7*(1+coarse.GradScale) {
				t.Errorf("%s: gradient %g at the %v %v", n, gn, p.Kind, p.X)
			}
		}
		if k, ok := known[n]; ok {
			c := coarse.Counts()
			if [3]int{c.Minima, c.Saddles, c.Maxima} != k {
				t.Errorf("%s: %+v, want minima, saddles, maxima %v", n, c, k)
			}
		}
	}
}

// quadratic is ½Σ c_i·θ_i² in dim parameters, c_0 = c0 and the others
// from 1 to 2: a minimum at the origin when c0 > 0, a saddle of index 1
// when c0 < 0.
type quadratic struct {
	dim int
	c0  float64
}

func (q quadratic) c(i int) float64 {
	if i == 0 {
		return q.c0
	}
	return 1 + float64(i)/float64(q.dim)
}

func (q quadratic) Info() sdk.Info {
	d := make([]sdk.Interval, q.dim)
	for i := range d {
		d[i] = sdk.Interval{Lo: -1, Hi: 1}
	}
	name := "bigbowl"
	if q.c0 < 0 {
		name = "bigsaddle"
	}
	return sdk.Info{Name: name, Dim: q.dim, Domain: d}
}

func (q quadratic) Loss(x []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += 0.5 * q.c(i) * v * v
	}
	return s
}

func (q quadratic) Grad(g, x []float64) {
	for i, v := range x {
		g[i] = q.c(i) * v
	}
}

// TestClassifyStopsLanczos: above the dense limit, where a run stopped is
// classified by Lanczos's lowest and highest eigenvalues.
func TestClassifyStopsLanczos(t *testing.T) {
	const dim = hessian.DefaultMaxDense + 52
	a := inProcess(t, sdk.WithSurfaces(quadratic{dim, 0.5}, quadratic{dim, -0.5}))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"bigbowl": "a minimum", "bigsaddle": "a saddle (index ≥ 1)"} {
		e, _ := cat.Lookup(name)
		s, err := a.Configure(ctx, e, Configured(e.Hyperparameters))
		if err != nil {
			t.Fatal(err)
		}
		tr := &Trajectory{Result: optimize.Result{Location: optimize.Location{X: make([]float64, dim)}, Status: optimize.Converged}}
		stops, err := a.ClassifyStops(ctx, s, []*Trajectory{tr})
		if err != nil {
			t.Fatal(err)
		}
		st := stops[0]
		if st == nil || st.Describe() != want || len(st.Eigenvalues) != 2 || st.Note != "" {
			t.Fatalf("%s: %+v", name, st)
		}
		// The lowest is c0 (±0.5), the highest 1 + (dim−1)/dim.
		if lo, hi := st.Eigenvalues[0], st.Eigenvalues[1]; math.Abs(hi-(1+float64(dim-1)/dim)) > 1e-4 || math.Abs(math.Abs(lo)-0.5) > 1e-4 {
			t.Errorf("%s: eigenvalues %v", name, st.Eigenvalues)
		}
	}
}
