package funcs

import (
	"math"
	"sort"
	"strconv"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest"
)

var wantNames = []string{
	"ripple", "bowl", "saddle", "rastrigin", "ackley", "rosenbrock", "himmelblau",
	"beale", "booth", "goldstein-price", "styblinski-tang", "six-hump-camel",
	"eggholder", "levi13", "matyas", "mccormick",
}

// configured are surfaces configured away from their defaults, checked as
// thoroughly as the defaults.
var configured = []struct {
	name string
	p    sdk.Params
}{
	{"rastrigin", sdk.Params{"dim": 5}},
	{"rastrigin", sdk.Params{"A": 3}},
	{"rastrigin", sdk.Params{"dim": 3, "A": 3}},
	{"rosenbrock", sdk.Params{"dim": 6}},
	{"styblinski-tang", sdk.Params{"dim": 3}},
	{"styblinski-tang", sdk.Params{"dim": 1}},
	{"bowl", sdk.Params{"dim": 4, "cond": 1000}},
	{"bowl", sdk.Params{"dim": 1}},
	{"ackley", sdk.Params{"dim": 3}},
	{"ackley", sdk.Params{"dim": 5}},
	{"ackley", sdk.Params{"dim": 3, "a": 10, "b": 0.5, "c": 3}},
}

// forEachSurface runs check on every built-in surface, then on every
// configured variant, each as a subtest.
func forEachSurface(t *testing.T, check func(*testing.T, sdk.Surface)) {
	for _, s := range All() {
		t.Run(s.Info().Name, func(t *testing.T) { check(t, s) })
	}
	for _, c := range configured {
		s, _ := ByName(c.name)
		cs, err := sdk.Configure(s, c.p)
		if err != nil {
			t.Fatalf("%s %v: %v", c.name, c.p, err)
		}
		t.Run(c.name+" "+fmtParams(c.p), func(t *testing.T) { check(t, cs) })
	}
}

func TestConformance(t *testing.T) {
	forEachSurface(t, func(t *testing.T, s sdk.Surface) { sdktest.CheckSurface(t, s) })
}

func fmtParams(p sdk.Params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ","
		}
		out += k + "=" + ftoa(p[k])
	}
	return out
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func TestNames(t *testing.T) {
	all := All()
	if len(all) != len(wantNames) {
		t.Fatalf("All() has %d surfaces, want %d", len(all), len(wantNames))
	}
	seen := map[string]bool{}
	for i, s := range all {
		n := s.Info().Name
		if n != wantNames[i] {
			t.Errorf("All()[%d] is %q, want %q", i, n, wantNames[i])
		}
		if seen[n] {
			t.Errorf("name %q repeated", n)
		}
		seen[n] = true
		got, ok := ByName(n)
		if !ok || got.Info().Name != n {
			t.Errorf("ByName(%q) = %v, %v", n, got, ok)
		}
	}
	if s, ok := ByName("no-such"); ok || s != nil {
		t.Errorf("ByName(no-such) = %v, %v", s, ok)
	}
}

func TestValues(t *testing.T) {
	cases := []struct {
		name  string
		p     sdk.Params
		theta []float64
		want  float64
	}{
		{"ripple", nil, []float64{0, 0}, 0},
		{"ripple", nil, []float64{0.5, 0.25}, math.Sin(2)*math.Cos(1) + 2*0.3125},
		{"bowl", nil, []float64{1, 1}, 0.5 * (1 + 10)},
		{"bowl", sdk.Params{"dim": 3, "cond": 100}, []float64{1, 1, 1}, 0.5 * (1 + 10 + 100)},
		{"saddle", nil, []float64{1, 2}, -3},
		{"rastrigin", nil, []float64{0, 0}, 0},
		{"rastrigin", nil, []float64{1, 1}, 2},
		{"rastrigin", sdk.Params{"dim": 3}, []float64{0.5, 0.5, 0.5}, 3 * (10 + 0.25 + 10)},
		{"ackley", nil, []float64{0, 0}, 0},
		{"ackley", nil, []float64{1, 1}, -20*math.Exp(-0.2) - math.E + 20 + math.E},
		{"rosenbrock", nil, []float64{1, 1}, 0},
		{"rosenbrock", nil, []float64{0, 0}, 1},
		{"rosenbrock", sdk.Params{"dim": 3}, []float64{0, 1, 0}, 100 + 1 + 100},
		{"himmelblau", nil, []float64{3, 2}, 0},
		{"himmelblau", nil, []float64{0, 0}, 121 + 49},
		{"beale", nil, []float64{3, 0.5}, 0},
		{"beale", nil, []float64{0, 0}, 1.5*1.5 + 2.25*2.25 + 2.625*2.625},
		{"booth", nil, []float64{1, 3}, 0},
		{"booth", nil, []float64{0, 0}, 74},
		{"goldstein-price", nil, []float64{0, -1}, 3},
		{"goldstein-price", nil, []float64{0, 0}, 600},
		{"styblinski-tang", nil, []float64{0, 0}, 0},
		{"styblinski-tang", nil, []float64{1, -1}, 0.5 * (1 - 16 + 5 + 1 - 16 - 5)},
		{"six-hump-camel", nil, []float64{0, 0}, 0},
		{"six-hump-camel", nil, []float64{1, 1}, 4 - 2.1 + 1.0/3 + 1},
		{"eggholder", nil, []float64{0, -47}, 0},
		{"levi13", nil, []float64{1, 1}, 0},
		{"levi13", nil, []float64{0, 0}, 2},
		{"matyas", nil, []float64{0, 0}, 0},
		{"matyas", nil, []float64{1, 1}, 0.04},
		{"mccormick", nil, []float64{0, 0}, 1},
	}
	for _, c := range cases {
		s, ok := ByName(c.name)
		if !ok {
			t.Fatalf("no surface %s", c.name)
		}
		s, err := sdk.Configure(s, c.p)
		if err != nil {
			t.Fatalf("%s %v: %v", c.name, c.p, err)
		}
		got := s.Loss(c.theta)
		if math.Abs(got-c.want) > 1e-12*(1+math.Abs(c.want)) {
			t.Errorf("%s %v: Loss(%v) = %.17g, want %.17g", c.name, c.p, c.theta, got, c.want)
		}
	}
}

// TestMinimaAreNewtonFixedPoints: Newton's method started at each listed
// minimum stays there (coordinates on the domain's boundary held fixed), so
// the hard-coded locations are stationary to float64 precision, and the
// listed values are the losses there.
func TestMinimaAreNewtonFixedPoints(t *testing.T) {
	var all []sdk.Surface
	all = append(all, All()...)
	for _, c := range []struct {
		name string
		p    sdk.Params
	}{{"rastrigin", sdk.Params{"dim": 5}}, {"rosenbrock", sdk.Params{"dim": 6}}, {"styblinski-tang", sdk.Params{"dim": 3}}} {
		s, _ := ByName(c.name)
		cs, err := sdk.Configure(s, c.p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs)
	}
	for _, s := range all {
		info := s.Info()
		g := s.(sdk.SurfaceWithGradient)
		for i, m := range info.Minima {
			if info.Name == "ackley" {
				continue // the cone's tip: no Hessian
			}
			fixed := make([]bool, info.Dim)
			for k, x := range m.Location {
				fixed[k] = x == info.Domain[k].Lo || x == info.Domain[k].Hi
			}
			x, ok := newton(g, m.Location, fixed, 20)
			if !ok {
				t.Errorf("%s minimum #%d: Newton did not converge from %v (reached %v)", info.Name, i, m.Location, x)
				continue
			}
			for k := range x {
				if d := math.Abs(x[k] - m.Location[k]); d > 1e-13*(1+math.Abs(x[k])) {
					t.Errorf("%s minimum #%d: coordinate %d is %.17g, Newton says %.17g (off by %.2g)", info.Name, i, k, m.Location[k], x[k], d)
				}
			}
			if v := s.Loss(x); math.Abs(v-m.Value) > 1e-12*(1+math.Abs(v)) {
				t.Errorf("%s minimum #%d: value %.17g, Loss there %.17g", info.Name, i, m.Value, v)
			}
		}
	}
}

// TestRippleMinima repeats the search that found ripple's minima: Newton's
// method from a grid of starts over the domain; every converged point with a
// positive definite Hessian must be a listed minimum, and every listed
// minimum must be found.
func TestRippleMinima(t *testing.T) {
	s := Ripple{}
	info := s.Info()
	found := make([]bool, len(info.Minima))
	const n = 40
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			x0 := []float64{-2 + 4*float64(i)/n, -2 + 4*float64(j)/n}
			x, ok := newton(s, x0, nil, 50)
			if !ok || math.Abs(x[0]) > 2 || math.Abs(x[1]) > 2 {
				continue
			}
			h := hessian(s, x)
			if !(h[0][0] > 0 && h[0][0]*h[1][1]-h[0][1]*h[1][0] > 0) {
				continue // a saddle or a maximum
			}
			match := -1
			for k, m := range info.Minima {
				if math.Hypot(x[0]-m.Location[0], x[1]-m.Location[1]) < 1e-10 {
					match = k
				}
			}
			if match < 0 {
				t.Errorf("ripple: unlisted minimum at %.17g, value %.17g", x, s.Loss(x))
				continue
			}
			found[match] = true
		}
	}
	for k, f := range found {
		if !f {
			t.Errorf("ripple: listed minimum %v not found by the search", info.Minima[k].Location)
		}
	}
}

// newton runs Newton's method on the gradient, the Hessian by central
// differences of the analytic gradient, holding the fixed coordinates. It
// reports whether the free gradient vanished.
func newton(s sdk.SurfaceWithGradient, x0 []float64, fixed []bool, iters int) ([]float64, bool) {
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	for it := 0; it < iters; it++ {
		s.Grad(g, x)
		h := hessian(s, x)
		for i := 0; i < n; i++ {
			if fixed != nil && fixed[i] {
				for j := range h[i] {
					h[i][j], h[j][i] = 0, 0
				}
				h[i][i], g[i] = 1, 0
			}
		}
		d := solve(h, g)
		for i := range x {
			x[i] -= d[i]
		}
	}
	s.Grad(g, x)
	var norm2 float64
	for i := range g {
		if fixed == nil || !fixed[i] {
			norm2 += g[i] * g[i]
		}
	}
	return x, math.Sqrt(norm2) < 1e-9
}

func hessian(s sdk.SurfaceWithGradient, x []float64) [][]float64 {
	n := len(x)
	h := make([][]float64, n)
	gp := make([]float64, n)
	gm := make([]float64, n)
	xp := make([]float64, n)
	for i := range h {
		h[i] = make([]float64, n)
	}
	for j := 0; j < n; j++ {
		step := 1e-5 * math.Max(1, math.Abs(x[j]))
		copy(xp, x)
		xp[j] = x[j] + step
		s.Grad(gp, xp)
		xp[j] = x[j] - step
		s.Grad(gm, xp)
		for i := 0; i < n; i++ {
			h[i][j] = (gp[i] - gm[i]) / (2 * step)
		}
	}
	return h
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x
}

func TestConfigure(t *testing.T) {
	s, _ := ByName("rastrigin")
	cs, err := sdk.Configure(s, sdk.Params{"dim": 7, "A": 4})
	if err != nil {
		t.Fatal(err)
	}
	info := cs.Info()
	if info.Dim != 7 || len(info.Domain) != 7 || len(info.Minima[0].Location) != 7 {
		t.Errorf("configured dim 7: Dim %d, domain %d, minimum %v", info.Dim, len(info.Domain), info.Minima[0].Location)
	}
	if s.Info().Dim != 2 {
		t.Errorf("Configure changed the receiver: Dim %d", s.Info().Dim)
	}
	// The configured values are the new defaults: configuring again changes
	// only what is given.
	cs2, err := sdk.Configure(cs, sdk.Params{"A": 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := cs2.Info().Dim; d != 7 {
		t.Errorf("reconfiguring A reset dim to %d", d)
	}
	// A·n + Σ(θ² − A·cos 2πθ) = 7 + (0.25 + 1) + 6·(0 − 1)
	if got := cs2.Loss([]float64{0.5, 0, 0, 0, 0, 0, 0}); math.Abs(got-2.25) > 1e-12 {
		t.Errorf("A=1, dim 7: Loss = %v, want 2.25", got)
	}
	r, _ := ByName("rosenbrock")
	if _, err := sdk.Configure(r, sdk.Params{"dim": 1}); err == nil {
		t.Error("rosenbrock accepted dim 1")
	}
	// Calling Configure directly, bypassing sdk.Configure, still checks.
	if _, err := NewBowl().Configure(sdk.Params{"dim": -3}); err == nil {
		t.Error("Bowl.Configure accepted dim -3")
	}
}

func TestNoAllocations(t *testing.T) {
	for _, s := range All() {
		info := s.Info()
		theta := make([]float64, info.Dim)
		for k, d := range info.Domain {
			theta[k] = d.Lo + 0.3*(d.Hi-d.Lo)
		}
		g := make([]float64, info.Dim)
		gs := s.(sdk.SurfaceWithGradient)
		if a := testing.AllocsPerRun(100, func() { s.Loss(theta) }); a != 0 {
			t.Errorf("%s: Loss allocates %v times per call", info.Name, a)
		}
		if a := testing.AllocsPerRun(100, func() { gs.Grad(g, theta) }); a != 0 {
			t.Errorf("%s: Grad allocates %v times per call", info.Name, a)
		}
		h := make([]float64, info.Dim*info.Dim)
		if a := testing.AllocsPerRun(100, func() { s.(sdk.SurfaceWithHessian).Hessian(h, theta) }); a != 0 {
			t.Errorf("%s: Hessian allocates %v times per call", info.Name, a)
		}
		if hv, ok := s.(sdk.SurfaceWithHVP); ok {
			if a := testing.AllocsPerRun(100, func() { hv.HVP(g, theta, theta) }); a != 0 {
				t.Errorf("%s: HVP allocates %v times per call", info.Name, a)
			}
		}
	}
}

func BenchmarkLoss(b *testing.B) {
	for _, s := range All() {
		info := s.Info()
		theta := make([]float64, info.Dim)
		b.Run(info.Name, func(b *testing.B) {
			var sink float64
			for i := 0; b.Loop(); i++ {
				x := float64(i%1000) / 1000
				for k, d := range info.Domain {
					theta[k] = d.Lo + x*(d.Hi-d.Lo)
				}
				sink += s.Loss(theta)
			}
			_ = sink
		})
	}
}
