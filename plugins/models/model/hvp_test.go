package model

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/plugins/internal/dual"
	"github.com/landscape-go/landscape/sdk"
)

// dualModel is m's objective over the samples idx (all when nil) written a
// second time, over hyper-dual numbers, from the definitions in the
// package comment (the parameter layout, the losses, the L2 term): second-
// order forward-mode automatic differentiation, independent of the
// R-operator under test. dual.Hessian of it is the exact Hessian.
func dualModel(m *Model, idx []int) func([]dual.Num) dual.Num {
	ds := m.ds
	if idx == nil {
		idx = make([]int, ds.n())
		for i := range idx {
			idx[i] = i
		}
	}
	add, mul, sc := dual.Add, dual.Mul, dual.Scale
	loss := m.s.loss
	// head is the loss of outputs z for target y.
	head := func(z []dual.Num, y float64) dual.Num {
		switch loss {
		case lossBCE:
			x := z[0]
			return add(dual.Sub(dual.Relu(x), sc(y, x)), dual.Log1p(dual.Exp(sc(-1, dual.Abs(x)))))
		case lossCE:
			mx := z[0].V
			for _, x := range z {
				mx = math.Max(mx, x.V)
			}
			s := dual.C(0)
			for _, x := range z {
				s = add(s, dual.Exp(dual.Shift(x, -mx)))
			}
			return dual.Sub(dual.Shift(dual.Log(s), mx), z[int(y)])
		}
		r := dual.Shift(z[0], -y)
		switch loss {
		case lossMAE:
			return dual.Abs(r)
		case lossHuber:
			if math.Abs(r.V) < m.s.delta {
				return sc(0.5, mul(r, r))
			}
			return sc(m.s.delta, dual.Shift(dual.Abs(r), -0.5*m.s.delta))
		case lossSublinear:
			return dual.Pow(r, 0.25)
		}
		return mul(r, r)
	}
	// dense is act(W·in + b) with W (out×len(in), row-major) at th[w:],
	// then b.
	dense := func(th, in []dual.Num, w, out int, act func(dual.Num) dual.Num) []dual.Num {
		res := make([]dual.Num, out)
		b := w + out*len(in)
		for j := range res {
			s := th[b+j]
			for i, x := range in {
				s = add(s, mul(th[w+j*len(in)+i], x))
			}
			if act != nil {
				s = act(s)
			}
			res[j] = s
		}
		return res
	}
	act := dual.Tanh
	if m.s.activation == actReLU {
		act = dual.Relu
	}
	outs := 1
	if loss == lossCE {
		outs = ds.classes
	}
	return func(th []dual.Num) dual.Num {
		total := dual.C(0)
		for _, i := range idx {
			x32, y := ds.sample(i)
			x := make([]dual.Num, len(x32))
			for f, v := range x32 {
				x[f] = dual.C(float64(v))
			}
			var z []dual.Num
			switch m.kind {
			case kindLineAngle:
				// r = −x·sin φ + y·cos φ, a residual against target 0.
				r := dual.Sub(mul(dual.Cos(th[0]), dual.C(y)), mul(dual.Sin(th[0]), x[0]))
				z, y = []dual.Num{r}, 0
			case kindMLP:
				h := dense(th, x, 0, m.s.hidden, act)
				w := m.s.hidden*ds.d + m.s.hidden
				if m.s.layers == 2 {
					h = dense(th, h, w, m.s.hidden, act)
					w += m.s.hidden*m.s.hidden + m.s.hidden
				}
				z = dense(th, h, w, outs, nil)
			default:
				z = dense(th, x, 0, outs, nil)
			}
			total = add(total, head(z, y))
		}
		v := sc(1/float64(len(idx)), total)
		if m.l2 > 0 {
			q := dual.C(0)
			for _, t := range th {
				q = add(q, mul(t, t))
			}
			v = add(v, sc(0.5*m.l2, q))
		}
		return v
	}
}

// hvpHessian is the dense Hessian from m's products with the coordinate
// vectors (BatchHVP over idx when idx is not nil).
func hvpHessian(m *Model, th []float64, idx []int) []float64 {
	n := len(th)
	h := make([]float64, n*n)
	e, col := make([]float64, n), make([]float64, n)
	for k := 0; k < n; k++ {
		e[k] = 1
		if idx == nil {
			m.HVP(col, th, e)
		} else {
			m.BatchHVP(col, th, e, idx)
		}
		e[k] = 0
		for i, v := range col {
			h[i*n+k] = v
		}
	}
	return h
}

// maxRelDiff is max |a − b| over max |b|.
func maxRelDiff(a, b []float64) float64 {
	var d, s float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
			d = math.Inf(1)
		}
		s = math.Max(s, math.Abs(b[i]))
	}
	return d / math.Max(s, 1e-300)
}

// checkAgainstDual compares m's products, full and on a mini-batch, with
// the hyper-dual Hessian at a few random points of the domain; the
// hyper-dual loss must also reproduce Loss and Grad (so that it is the
// same model).
func checkAgainstDual(t *testing.T, m *Model, tol float64) {
	t.Helper()
	info := m.Info()
	rng := rand.New(rand.NewPCG(11, uint64(info.Dim)))
	th := make([]float64, info.Dim)
	g := make([]float64, info.Dim)
	var worst float64
	for trial := 0; trial < 2; trial++ {
		for i, d := range info.Domain {
			th[i] = d.Lo + (d.Hi-d.Lo)*rng.Float64()
		}
		f := dualModel(m, nil)
		x := make([]dual.Num, len(th))
		for i, v := range th {
			x[i] = dual.C(v)
		}
		if v, l := f(x).V, m.Loss(th); math.Abs(v-l) > 1e-12*(1+math.Abs(l)) {
			t.Fatalf("the hyper-dual loss is %v, Loss %v: not the same model", v, l)
		}
		m.Grad(g, th)
		if d := maxRelDiff(g, dual.Gradient(f, th)); d > 1e-10 {
			t.Fatalf("the hyper-dual gradient differs from Grad by %.3g: not the same model", d)
		}
		want := dual.Hessian(f, th)
		got := hvpHessian(m, th, nil)
		if d := maxRelDiff(got, want); !(d <= tol) {
			t.Errorf("at %v: the Hessian from HVP differs from hyper-dual AD by %.3g relative (tolerance %g)", th, d, tol)
		}
		worst = math.Max(worst, maxRelDiff(got, want))
		// A mini-batch, with a sample twice.
		n := m.Samples()
		idx := []int{rng.IntN(n), rng.IntN(n), rng.IntN(n)}
		idx = append(idx, idx[0])
		want = dual.Hessian(dualModel(m, idx), th)
		got = hvpHessian(m, th, idx)
		if d := maxRelDiff(got, want); !(d <= tol) {
			t.Errorf("at %v: the Hessian of mini-batch %v from BatchHVP differs from hyper-dual AD by %.3g relative", th, idx, d)
		}
		worst = math.Max(worst, maxRelDiff(got, want))
	}
	t.Logf("%s (dim %d, %d samples): largest difference from hyper-dual AD %.2g relative", info.Name, info.Dim, m.Samples(), worst)
}

// TestHVPAgainstHyperDual: for every configuration of the conformance
// tests (each model, loss, activation and depth; L2 and test subsets), the
// Hessian built from the exact products agrees with hyper-dual automatic
// differentiation of the model written independently.
func TestHVPAgainstHyperDual(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			if m.s.loss == lossSublinear {
				// |r|^¼ is far from quadratic: its second derivative
				// −(3/16)|r|^(−7/4) cancels against the rest only to a
				// few digits more than the rounding of r.
				checkAgainstDual(t, m, 1e-9)
				return
			}
			// Rounding only: sums over samples of products of
			// weights up to 3 in size cancel to about 1e-12.
			checkAgainstDual(t, m, 1e-10)
		})
	}
}

// csvFile writes a classification CSV of rows samples: 4 features and a
// label 0..2 that depends on them.
func csvFile(t *testing.T, rows int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("a,b,label,c,d\n")
	for i := 0; i < rows; i++ {
		x := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		label := 0
		if x[0]+0.5*x[1] > 0.3 {
			label = 1
		}
		if x[2]-x[3] > 1 {
			label = 2
		}
		b.WriteString(strings.Join([]string{ftoa(x[0]), ftoa(x[1]), ftoa(float64(label)), ftoa(x[2]), ftoa(x[3])}, ",") + "\n")
	}
	path := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// setProcs sets GOMAXPROCS and returns the old value.
func setProcs(n int) int { return runtime.GOMAXPROCS(n) }

// TestMLPHessianCSV is the acceptance check: for the MLP on a CSV dataset
// (one and two hidden layers, tanh and relu, cross-entropy and bce, L2),
// the full Hessian agrees with independent float64 automatic
// differentiation (hyper-dual numbers) to 1e-6.
func TestMLPHessianCSV(t *testing.T) {
	path := csvFile(t, 40)
	for _, c := range []struct {
		name string
		p    sdk.Params
		t    sdk.Texts
	}{
		{"tanh", sdk.Params{"hidden": 6}, nil},
		{"tanh-2-l2", sdk.Params{"hidden": 5, "layers": 2, "l2": 0.05}, nil},
		{"relu-2", sdk.Params{"hidden": 5, "layers": 2}, sdk.Texts{"activation": "relu"}},
		{"relu-l2", sdk.Params{"hidden": 7, "l2": 0.3}, sdk.Texts{"activation": "relu"}},
		{"mse-regression", sdk.Params{"hidden": 4, "layers": 2}, sdk.Texts{"loss": "mse", "target": "d"}},
		{"huber-regression", sdk.Params{"hidden": 4, "delta": 0.5}, sdk.Texts{"loss": "huber", "target": "a"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			texts := sdk.Texts{"dataset": "csv", "csv": path, "target": "label"}
			for k, v := range c.t {
				texts[k] = v
			}
			s, err := sdk.ConfigureTexts(MLP(), c.p, texts)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstDual(t, s.(*Model), 1e-6)
		})
	}
}

// TestHVPManySamples: above one share of samples the product is summed in
// parallel shares; it still agrees with hyper-dual AD (one product, by
// ε₁ = e_i, ε₂ = v), and it is the same whatever the number of CPUs.
func TestHVPManySamples(t *testing.T) {
	for _, c := range []config{
		{name: "mlp", base: MLP, p: sdk.Params{"n": 2500, "layers": 2, "hidden": 4}},
		{name: "softmax", base: Softmax, p: sdk.Params{"n": 3000}},
		{name: "line-angle", base: LineAngle, p: sdk.Params{"n": 2100, "noise": 0.1}, t: sdk.Texts{"loss": "huber"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			info := m.Info()
			rng := rand.New(rand.NewPCG(2, 3))
			th, v := make([]float64, info.Dim), make([]float64, info.Dim)
			for i := range th {
				th[i], v[i] = rng.Float64()-0.5, rng.NormFloat64()
			}
			got := make([]float64, info.Dim)
			m.HVP(got, th, v)
			if d := maxRelDiff(got, dual.HVP(dualModel(m, nil), th, v)); d > 1e-12 {
				t.Errorf("H·v differs from hyper-dual AD by %.3g relative", d)
			}
			again := make([]float64, info.Dim)
			defer setProcs(setProcs(1))
			m.HVP(again, th, v)
			if !slices.EqualFunc(got, again, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Errorf("H·v on one CPU differs from H·v on all: %v, %v", again, got)
			}
		})
	}
}

// TestHVPWhereUndefined: the sublinear loss's second derivative is
// infinite at a residual of exactly 0: NaN, never a finite value. Wrong
// lengths and samples are NaN too.
func TestHVPWhereUndefined(t *testing.T) {
	s, err := sdk.ConfigureTexts(LinReg(), sdk.Params{"n": 5, "noise": 0}, sdk.Texts{"loss": "sublinear"})
	if err != nil {
		t.Fatal(err)
	}
	m := s.(*Model)
	// w·x + b − y = 0 for sample 2 when w = 0 and b = y.
	_, y := m.ds.sample(2)
	dst := make([]float64, 2)
	m.HVP(dst, []float64{0, y}, []float64{1, 0})
	if !math.IsNaN(dst[0]) || !math.IsNaN(dst[1]) {
		t.Errorf("a residual of 0 under the sublinear loss: H·v = %v, want NaN", dst)
	}
	for _, c := range []struct {
		name         string
		th, v, dst   []float64
		idx          []int
		batch, empty bool
	}{
		{"short theta", []float64{1}, []float64{1, 0}, make([]float64, 2), nil, false, false},
		{"short vector", []float64{1, 1}, []float64{1}, make([]float64, 2), nil, false, false},
		{"sample out of range", []float64{1, 1}, []float64{1, 0}, make([]float64, 2), []int{5}, true, false},
		{"no samples", []float64{1, 1}, []float64{1, 0}, make([]float64, 2), nil, true, true},
	} {
		if c.batch {
			m.BatchHVP(c.dst, c.th, c.v, c.idx)
		} else {
			m.HVP(c.dst, c.th, c.v)
		}
		if !math.IsNaN(c.dst[0]) || !math.IsNaN(c.dst[1]) {
			t.Errorf("%s: %v, want NaN", c.name, c.dst)
		}
	}
}

// TestHVPForwardCache: the products at a θ asked again read the samples'
// forward passes from the model's cache; they are the same to the bit as
// the products that compute them, for every MLP configuration, and a
// cache full of other θs changes nothing.
func TestHVPForwardCache(t *testing.T) {
	bits := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
	}
	for _, c := range []config{
		{name: "tanh-ce", base: MLP, p: sdk.Params{"n": 2500}},
		{name: "tanh-2-l2", base: MLP, p: sdk.Params{"n": 300, "layers": 2, "hidden": 5, "l2": 0.1}},
		{name: "relu-2", base: MLP, p: sdk.Params{"n": 1500, "layers": 2, "hidden": 4}, t: sdk.Texts{"activation": "relu"}},
		{name: "bce", base: MLP, p: sdk.Params{"n": 200, "hidden": 3}, t: sdk.Texts{"loss": "bce"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fresh := func() *Model { return c.build(t) }
			m := fresh()
			n := m.Info().Dim
			rng := rand.New(rand.NewPCG(8, 9))
			th := make([]float64, n)
			vs := make([][]float64, 4)
			for i := range th {
				th[i] = rng.Float64() - 0.5
			}
			for j := range vs {
				vs[j] = make([]float64, n)
				for i := range vs[j] {
					vs[j][i] = rng.NormFloat64()
				}
			}
			// Each direction's product on a model that has never seen θ
			// (computed sample by sample) ...
			want := make([][]float64, len(vs))
			for j, v := range vs {
				want[j] = make([]float64, n)
				fresh().HVP(want[j], th, v)
			}
			// ... equals its product on a model asked at θ before (the
			// first ask remembers θ, the second builds the cache).
			got := make([]float64, n)
			for round := 0; round < 2; round++ {
				for j, v := range vs {
					m.HVP(got, th, v)
					if !bits(got, want[j]) {
						t.Fatalf("round %d, direction %d: the product from the cache differs: %v, want %v", round, j, got, want[j])
					}
				}
			}
			if len(m.fwd.states) != 1 {
				t.Fatalf("%d forward passes kept after products at one θ, want 1", len(m.fwd.states))
			}
			// Other θs fill the cache, each product right; θ's products
			// stay the same.
			other := slices.Clone(th)
			alone := make([]float64, n)
			for k := 0; k < 12; k++ {
				other[k%n] += 0.01
				fresh().HVP(alone, other, vs[1])
				for range 2 {
					m.HVP(got, other, vs[1])
					if !bits(got, alone) {
						t.Fatalf("at another θ (%d): %v, want %v", k, got, alone)
					}
				}
			}
			for j, v := range vs {
				m.HVP(got, th, v)
				if !bits(got, want[j]) {
					t.Fatalf("after other θs, direction %d differs: %v, want %v", j, got, want[j])
				}
			}
			if k := len(m.fwd.states); k > max(runtime.GOMAXPROCS(0), 2) {
				t.Fatalf("%d forward passes kept, more than the bound", k)
			}
		})
	}
}
