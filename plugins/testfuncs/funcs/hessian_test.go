package funcs

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/landscape-go/landscape/plugins/internal/dual"
	"github.com/landscape-go/landscape/sdk"
	"gonum.org/v1/gonum/mat"
)

// dualLoss is surface s's loss written a second time, over hyper-dual
// numbers, from the textbook definitions (not from the package's Loss):
// its Hessian (dual.Hessian) is exact and independent of the analytic
// Hessians under test.
func dualLoss(t *testing.T, s sdk.Surface) func([]dual.Num) dual.Num {
	t.Helper()
	info := s.Info()
	hp := map[string]float64{}
	for _, h := range info.Hyperparameters {
		hp[h.Name] = h.Default
	}
	C, add, sub, mul, sq := dual.C, dual.Add, dual.Sub, dual.Mul, func(x dual.Num) dual.Num { return dual.Mul(x, x) }
	sc := dual.Scale
	pi := math.Pi
	switch info.Name {
	case "ripple":
		return func(v []dual.Num) dual.Num {
			return add(mul(dual.Sin(sc(4, v[0])), dual.Cos(sc(4, v[1]))), sc(2, add(sq(v[0]), sq(v[1]))))
		}
	case "bowl":
		n, cond := info.Dim, hp["cond"]
		return func(v []dual.Num) dual.Num {
			s := C(0)
			for i, x := range v {
				ci := 1.0
				if n > 1 {
					ci = math.Pow(cond, float64(i)/float64(n-1))
				}
				s = add(s, sc(ci/2, sq(x)))
			}
			return s
		}
	case "saddle":
		return func(v []dual.Num) dual.Num { return sub(sq(v[0]), sq(v[1])) }
	case "rastrigin":
		a := hp["A"]
		return func(v []dual.Num) dual.Num {
			s := C(a * float64(len(v)))
			for _, x := range v {
				s = add(s, sub(sq(x), sc(a, dual.Cos(sc(2*pi, x)))))
			}
			return s
		}
	case "ackley":
		a, b, c := hp["a"], hp["b"], hp["c"]
		return func(v []dual.Num) dual.Num {
			n := float64(len(v))
			s2, scos := C(0), C(0)
			for _, x := range v {
				s2 = add(s2, sq(x))
				scos = add(scos, dual.Cos(sc(c, x)))
			}
			t1 := sc(-a, dual.Exp(sc(-b, dual.Sqrt(sc(1/n, s2)))))
			t2 := sc(-1, dual.Exp(sc(1/n, scos)))
			return dual.Shift(add(t1, t2), a+math.E)
		}
	case "rosenbrock":
		return func(v []dual.Num) dual.Num {
			s := C(0)
			for i := 0; i+1 < len(v); i++ {
				s = add(s, add(sc(100, sq(sub(v[i+1], sq(v[i])))), sq(sub(C(1), v[i]))))
			}
			return s
		}
	case "himmelblau":
		return func(v []dual.Num) dual.Num {
			return add(sq(dual.Shift(add(sq(v[0]), v[1]), -11)), sq(dual.Shift(add(v[0], sq(v[1])), -7)))
		}
	case "beale":
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			r := func(c float64, yk dual.Num) dual.Num { return dual.Shift(sub(mul(x, yk), x), c) }
			return add(add(sq(r(1.5, y)), sq(r(2.25, sq(y)))), sq(r(2.625, mul(y, sq(y)))))
		}
	case "booth":
		return func(v []dual.Num) dual.Num {
			return add(sq(dual.Shift(add(v[0], sc(2, v[1])), -7)), sq(dual.Shift(add(sc(2, v[0]), v[1]), -5)))
		}
	case "goldstein-price":
		// As the literature writes it, in x and y (the analytic Hessian
		// uses s = x+y and w = 2x−3y instead).
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			xy := mul(x, y)
			a := add(add(add(add(add(C(19), sc(-14, x)), sc(3, sq(x))), sc(-14, y)), sc(6, xy)), sc(3, sq(y)))
			b := add(add(add(add(add(C(18), sc(-32, x)), sc(12, sq(x))), sc(48, y)), sc(-36, xy)), sc(27, sq(y)))
			p := dual.Shift(mul(sq(dual.Shift(add(x, y), 1)), a), 1)
			q := dual.Shift(mul(sq(sub(sc(2, x), sc(3, y))), b), 30)
			return mul(p, q)
		}
	case "styblinski-tang":
		return func(v []dual.Num) dual.Num {
			s := C(0)
			for _, x := range v {
				s = add(s, add(add(sq(sq(x)), sc(-16, sq(x))), sc(5, x)))
			}
			return sc(0.5, s)
		}
	case "six-hump-camel":
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			x2, y2 := sq(x), sq(y)
			return add(add(mul(add(dual.Shift(sc(-2.1, x2), 4), sc(1.0/3, sq(x2))), x2), mul(x, y)), mul(dual.Shift(sc(4, y2), -4), y2))
		}
	case "eggholder":
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			s := dual.Shift(y, 47)
			u := dual.Sin(dual.Sqrt(dual.Abs(add(sc(0.5, x), s))))
			w := dual.Sin(dual.Sqrt(dual.Abs(sub(x, s))))
			return sub(sc(-1, mul(s, u)), mul(x, w))
		}
	case "levi13":
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			a := sq(dual.Sin(sc(3*pi, x)))
			b := sq(dual.Sin(sc(3*pi, y)))
			c := sq(dual.Sin(sc(2*pi, y)))
			return add(add(a, mul(sq(dual.Shift(x, -1)), dual.Shift(b, 1))), mul(sq(dual.Shift(y, -1)), dual.Shift(c, 1)))
		}
	case "matyas":
		return func(v []dual.Num) dual.Num {
			return sub(sc(0.26, add(sq(v[0]), sq(v[1]))), sc(0.48, mul(v[0], v[1])))
		}
	case "mccormick":
		return func(v []dual.Num) dual.Num {
			x, y := v[0], v[1]
			return dual.Shift(add(add(dual.Sin(add(x, y)), sq(sub(x, y))), sub(sc(2.5, y), sc(1.5, x))), 1)
		}
	}
	t.Fatalf("no hyper-dual loss for %s", info.Name)
	return nil
}

// hessianOf is s's analytic Hessian at x.
func hessianOf(s sdk.Surface, x []float64) []float64 {
	n := len(x)
	h := make([]float64, n*n)
	s.(sdk.SurfaceWithHessian).Hessian(h, x)
	return h
}

// close reports whether h agrees with want to rel of want's largest
// entry, entry by entry, and the worst entry.
func closeTo(h, want []float64, rel float64) (bool, int) {
	var scale float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	worst, wi := 0.0, -1
	for i := range want {
		if d := math.Abs(h[i] - want[i]); !(d <= worst) {
			worst, wi = d, i
		}
	}
	return worst <= rel*scale, wi
}

// TestHessianAgainstHyperDual: at random points of the domain of every
// surface (and configured variant), the analytic Hessian agrees with the
// hyper-dual Hessian of the loss written independently, and the products
// of the N-dimensional ones with the Hessian times the vector.
func TestHessianAgainstHyperDual(t *testing.T) {
	forEachSurface(t, func(t *testing.T, s sdk.Surface) {
		info := s.Info()
		f := dualLoss(t, s)
		rng := rand.New(rand.NewPCG(3, uint64(info.Dim)))
		x := make([]float64, info.Dim)
		for trial := 0; trial < 25; trial++ {
			for k, d := range info.Domain {
				x[k] = d.Lo + (d.Hi-d.Lo)*rng.Float64()
			}
			h := hessianOf(s, x)
			want := dual.Hessian(f, x)
			if ok, i := closeTo(h, want, 1e-12); !ok {
				t.Errorf("at %v: H[%d][%d] = %.17g, hyper-dual %.17g", x, i/info.Dim, i%info.Dim, h[i], want[i])
			}
			hv, ok := s.(sdk.SurfaceWithHVP)
			if !ok {
				continue
			}
			v := make([]float64, info.Dim)
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			got := make([]float64, info.Dim)
			hv.HVP(got, x, v)
			wantV := make([]float64, info.Dim)
			mat.NewVecDense(info.Dim, wantV).MulVec(mat.NewDense(info.Dim, info.Dim, want), mat.NewVecDense(info.Dim, v))
			if ok, i := closeTo(got, wantV, 1e-12); !ok {
				t.Errorf("at %v: (H·v)_%d = %.17g, hyper-dual %.17g", x, i, got[i], wantV[i])
			}
		}
	})
}

// critical is a critical point with its Hessian's independent values.
type critical struct {
	name string
	p    sdk.Params
	// at is the point, or a start for Newton's method when newton is set
	// (the point is then where Newton's method on the analytic gradient
	// converges).
	at     []float64
	newton bool
	kind   string // "minimum", "maximum", "saddle"
	// want, when set, is the Hessian derived by hand (see the comments);
	// otherwise the hyper-dual Hessian of the loss is the reference.
	want []float64
	// eig, when set, are the eigenvalues derived by hand, ascending.
	eig []float64
}

var (
	sqrt3 = math.Sqrt(3)
	pi2   = math.Pi * math.Pi
	// stRoots are the roots of ∂/∂x ½(x⁴ − 16x² + 5x) = 2x³ − 16x + 2.5:
	// a minimum, a maximum, a minimum of each coordinate (Newton's method
	// on the cubic in the test finds them).
	stRoots = []float64{stX, 0.156731, 2.746803}
)

// criticalPoints lists minima, maxima and saddles whose Hessians are
// derived independently. The hand derivations:
//
//   - bowl ½·Σ c_i θ_i², c = (1, 10) for dim 2, cond 10: diag(1, 10).
//   - saddle x² − y²: diag(2, −2), a saddle at the origin.
//   - rastrigin: ∂²/∂θ² (θ² − A·cos 2πθ) = 2 + 4π²A·cos 2πθ, at the origin
//     2 + 40π² for A = 10; near ±½ (where 2θ + 2πA·sin 2πθ = 0) it is
//     negative: maxima.
//   - rosenbrock at (1, 1): 1200 − 400 + 2 = 802, −400, 200; dim 4 at
//     (1, …, 1): diagonal 802, 1002, 1002, 200, off-diagonal −400.
//   - himmelblau at (3, 2): 12·9 + 8 − 42 = 74, 4·5 = 20, 12 + 48 − 26 = 34.
//   - beale at (3, ½), where a = b = c = 0: 2·JᵀJ with rows (y−1, x) =
//     (−½, 3), (y²−1, 2xy) = (−¾, 3), (y³−1, 3xy²) = (−⅞, 9/4):
//     2·(¼ + 9/16 + 49/64) = 3.15625, −2·(3/2 + 9/4 + 63/32) = −11.4375,
//     2·(9 + 9 + 81/16) = 46.125.
//   - booth: [[2+8, 4+4], [4+4, 8+2]].
//   - goldstein-price at (0, −1), s = x+y = −1, w = 2x−3y = 3: P(s) = 1 +
//     (s+1)²(19−14s+3s²) has P = 1, P′ = 0, P″ = 2·36 = 72; Q(w) = 30 +
//     w²(18−16w+3w²) has Q = 30 − 27 = 3, Q′ = 2·3·(−3) + 9·2 = 0, Q″ =
//     2·(−3) + 4·3·2 + 9·6 = 72; H = P″Q·[[1,1],[1,1]] + PQ″·[[4,−6],[−6,9]]
//     = [[216+288, 216−432], [216−432, 216+648]].
//   - styblinski-tang: diag(6θ_i² − 16) at the roots of 2x³ − 16x + 2.5.
//   - six-hump camel at the origin: 8 − 0 + 0, 1, −8 + 0: eigenvalues ±√65.
//   - levi13 at (1, 1): 18π²·cos 6π + 2(1 + sin² 3π) = 18π² + 2, 6π·0 = 0,
//     0 + 2(1 + sin² 2π) + 0 + 0 = 2.
//   - matyas: [[0.52, −0.48], [−0.48, 0.52]], eigenvalues 0.04 and 1.
//   - mccormick where x − y = 1 and cos(x+y) = −½: sin(x+y) = ∓√3/2, so
//     H = [[2 ± √3/2, −2 ± √3/2], …]: the minima have x+y = −2π/3 (global)
//     and 4π/3 (local), sin = −√3/2, eigenvalues 4 and √3; the saddle has
//     x+y = 2π/3, sin = +√3/2, eigenvalues 4 and −√3.
var criticalPoints = []critical{
	{name: "bowl", at: []float64{0, 0}, kind: "minimum", want: []float64{1, 0, 0, 10}, eig: []float64{1, 10}},
	{name: "saddle", at: []float64{0, 0}, kind: "saddle", want: []float64{2, 0, 0, -2}, eig: []float64{-2, 2}},
	{name: "rastrigin", at: []float64{0, 0}, kind: "minimum", want: []float64{2 + 40*pi2, 0, 0, 2 + 40*pi2}},
	{name: "rastrigin", at: []float64{0.5, -0.5}, newton: true, kind: "maximum"},
	{name: "rastrigin", at: []float64{0.5, 0}, newton: true, kind: "saddle"},
	{name: "rosenbrock", at: []float64{1, 1}, kind: "minimum", want: []float64{802, -400, -400, 200},
		eig: []float64{501 - math.Sqrt(501*501-400), 501 + math.Sqrt(501*501-400)}},
	{name: "rosenbrock", p: sdk.Params{"dim": 4}, at: []float64{1, 1, 1, 1}, kind: "minimum",
		want: []float64{802, -400, 0, 0, -400, 1002, -400, 0, 0, -400, 1002, -400, 0, 0, -400, 200}},
	{name: "himmelblau", at: []float64{3, 2}, kind: "minimum", want: []float64{74, 20, 20, 34}},
	{name: "himmelblau", at: []float64{-2.805118, 3.131312}, newton: true, kind: "minimum"},
	{name: "himmelblau", at: []float64{-0.270845, -0.923039}, newton: true, kind: "maximum"},
	{name: "himmelblau", at: []float64{0.086678, 2.884254}, newton: true, kind: "saddle"},
	{name: "himmelblau", at: []float64{-3.073026, -0.081353}, newton: true, kind: "saddle"},
	{name: "himmelblau", at: []float64{3.385154, 0.073852}, newton: true, kind: "saddle"},
	{name: "himmelblau", at: []float64{-0.127961, -1.953715}, newton: true, kind: "saddle"},
	{name: "beale", at: []float64{3, 0.5}, kind: "minimum", want: []float64{3.15625, -11.4375, -11.4375, 46.125}},
	{name: "booth", at: []float64{1, 3}, kind: "minimum", want: []float64{10, 8, 8, 10}, eig: []float64{2, 18}},
	{name: "goldstein-price", at: []float64{0, -1}, kind: "minimum", want: []float64{504, -216, -216, 864}},
	{name: "goldstein-price", at: []float64{-0.6, -0.4}, kind: "minimum"},
	{name: "goldstein-price", at: []float64{1.8, 0.2}, kind: "minimum"},
	{name: "styblinski-tang", at: []float64{stRoots[0], stRoots[0]}, kind: "minimum"},
	{name: "styblinski-tang", at: []float64{stRoots[1], stRoots[1]}, newton: true, kind: "maximum"},
	{name: "styblinski-tang", at: []float64{stRoots[0], stRoots[1]}, newton: true, kind: "saddle"},
	{name: "styblinski-tang", p: sdk.Params{"dim": 3}, at: []float64{stRoots[2], stRoots[1], stRoots[0]}, newton: true, kind: "saddle"},
	{name: "six-hump-camel", at: []float64{0, 0}, kind: "saddle", want: []float64{8, 1, 1, -8}, eig: []float64{-math.Sqrt(65), math.Sqrt(65)}},
	{name: "six-hump-camel", at: []float64{0.089842013100318062422, -0.7126564030207396334}, kind: "minimum"},
	{name: "levi13", at: []float64{1, 1}, kind: "minimum", want: []float64{18*pi2 + 2, 0, 0, 2}},
	{name: "matyas", at: []float64{0, 0}, kind: "minimum", want: []float64{0.52, -0.48, -0.48, 0.52}, eig: []float64{0.04, 1}},
	{name: "mccormick", at: []float64{0.5 - math.Pi/3, -0.5 - math.Pi/3}, kind: "minimum",
		want: []float64{2 + sqrt3/2, -2 + sqrt3/2, -2 + sqrt3/2, 2 + sqrt3/2}, eig: []float64{sqrt3, 4}},
	{name: "mccormick", at: []float64{0.5 + 2*math.Pi/3, -0.5 + 2*math.Pi/3}, kind: "minimum",
		want: []float64{2 + sqrt3/2, -2 + sqrt3/2, -2 + sqrt3/2, 2 + sqrt3/2}, eig: []float64{sqrt3, 4}},
	{name: "mccormick", at: []float64{0.5 + math.Pi/3, -0.5 + math.Pi/3}, kind: "saddle",
		want: []float64{2 - sqrt3/2, -2 - sqrt3/2, -2 - sqrt3/2, 2 - sqrt3/2}, eig: []float64{-sqrt3, 4}},
	{name: "ripple", at: []float64{rippleX, 0}, kind: "minimum"},
	{name: "ripple", at: []float64{0.2928689541448699036, 0.6059572626455170944}, kind: "minimum"},
}

// TestHessianAtCriticalPoints: at minima, maxima and saddles of the
// surfaces, the analytic Hessian agrees with the hand-derived one (and
// that with the hyper-dual one) to 1e-6 relative to its largest entry,
// its eigenvalues with the hand-derived ones to 1e-6 relative, and their
// signs with the kind of point.
func TestHessianAtCriticalPoints(t *testing.T) {
	for _, c := range criticalPoints {
		s, _ := ByName(c.name)
		s, err := sdk.Configure(s, c.p)
		if err != nil {
			t.Fatal(err)
		}
		x := c.at
		if c.newton {
			var ok bool
			if x, ok = newton(s.(sdk.SurfaceWithGradient), c.at, nil, 50); !ok {
				t.Errorf("%s %v: Newton did not converge from %v (reached %v)", c.name, c.p, c.at, x)
				continue
			}
		}
		g := make([]float64, len(x))
		s.(sdk.SurfaceWithGradient).Grad(g, x)
		if n := math.Sqrt(floatsDot(g, g)); n > 1e-6 {
			t.Errorf("%s at %v: not a critical point, gradient norm %v", c.name, x, n)
		}
		h := hessianOf(s, x)
		ref := dual.Hessian(dualLoss(t, s), x)
		if c.want != nil {
			if ok, i := closeTo(ref, c.want, 1e-12); !ok {
				t.Errorf("%s at %v: the hand-derived H[%d] = %v, but hyper-dual %v: one derivation is wrong", c.name, x, i, c.want[i], ref[i])
			}
			ref = c.want
		}
		if ok, i := closeTo(h, ref, 1e-6); !ok {
			t.Errorf("%s %s at %v: H[%d] = %.17g, independently %.17g", c.name, c.kind, x, i, h[i], ref[i])
		}
		n := len(x)
		var es mat.EigenSym
		if !es.Factorize(mat.NewSymDense(n, h), false) {
			t.Fatalf("%s: no eigendecomposition", c.name)
		}
		eig := es.Values(nil)
		if c.eig != nil {
			if ok, i := closeTo(eig, c.eig, 1e-6); !ok {
				t.Errorf("%s at %v: eigenvalue %d = %.17g, by hand %.17g", c.name, x, i, eig[i], c.eig[i])
			}
		}
		neg := 0
		for _, e := range eig {
			if e < 0 {
				neg++
			}
		}
		kind := map[bool]string{true: "saddle"}[neg > 0 && neg < n]
		switch {
		case neg == 0 && eig[0] > 0:
			kind = "minimum"
		case neg == n:
			kind = "maximum"
		}
		if kind != c.kind {
			t.Errorf("%s at %v: eigenvalues %v make it a %q, want a %s", c.name, x, eig, kind, c.kind)
		}
	}
}

func floatsDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestStyblinskiTangRoots: the roots of 2x³ − 16x + 2.5 that the critical
// points start from, refined by Newton's method on the cubic alone.
func TestStyblinskiTangRoots(t *testing.T) {
	for _, x0 := range stRoots {
		x := x0
		for i := 0; i < 50; i++ {
			x -= (2*x*x*x - 16*x + 2.5) / (6*x*x - 16)
		}
		if math.Abs(x-x0) > 1e-6 {
			t.Errorf("root near %v is %v", x0, x)
		}
	}
}

// TestHessianWhereUndefined: NaN where a second derivative does not exist,
// never a finite stand-in.
func TestHessianWhereUndefined(t *testing.T) {
	nan := func(v []float64) bool {
		for _, x := range v {
			if !math.IsNaN(x) {
				return false
			}
		}
		return true
	}
	for _, c := range []struct {
		name string
		p    sdk.Params
		at   []float64
	}{
		{"ackley", nil, []float64{0, 0}},
		{"ackley", sdk.Params{"dim": 5}, make([]float64, 5)},
		{"eggholder", nil, []float64{0, -47}},   // x/2 + y + 47 = 0 and x − y − 47 = −0
		{"eggholder", nil, []float64{100, -97}}, // x/2 + y + 47 = 0
		{"eggholder", nil, []float64{100, 53}},  // x − y − 47 = 0
	} {
		s, _ := ByName(c.name)
		s, _ = sdk.Configure(s, c.p)
		if h := hessianOf(s, c.at); !nan(h) {
			t.Errorf("%s at %v: Hessian %v, want NaN (not differentiable there)", c.name, c.at, h)
		}
		if hv, ok := s.(sdk.SurfaceWithHVP); ok {
			dst := make([]float64, len(c.at))
			hv.HVP(dst, c.at, slices.Repeat([]float64{1}, len(c.at)))
			if !nan(dst) {
				t.Errorf("%s at %v: HVP %v, want NaN", c.name, c.at, dst)
			}
		}
	}
	// Without the cone (a = 0) ackley's Hessian exists at the origin:
	// (e·c²/n)·I, the ripples' curvature, with e = exp(1).
	s, _ := sdk.Configure(NewAckley(), sdk.Params{"a": 0})
	h := hessianOf(s, []float64{0, 0})
	want := math.E * 4 * pi2 / 2
	if ok, i := closeTo(h, []float64{want, 0, 0, want}, 1e-14); !ok {
		t.Errorf("ackley a=0 at the origin: H[%d] = %v, want %v", i, h[i], want)
	}
}
