package curv

import (
	"math"
	"testing"
)

// f is a smooth function of 4 variables whose Hessian every pair (k, l)
// touches, each differently: f(θ) = Σ_i θ_i³ + Σ_{i<j} (i+j+1)·θ_i·θ_j·e^{θ_j}/4.
func f(th []float64) float64 {
	var s float64
	for i, x := range th {
		s += x * x * x
		for j := i + 1; j < len(th); j++ {
			s += float64(i+j+1) * x * th[j] * math.Exp(th[j]) / 4
		}
	}
	return s
}

func grad(dst, th []float64) {
	n := len(th)
	for i := range dst {
		dst[i] = 3 * th[i] * th[i]
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			c, e := float64(i+j+1)/4, math.Exp(th[j])
			dst[i] += c * th[j] * e
			dst[j] += c * th[i] * e * (1 + th[j])
		}
	}
}

// hessian is f's Hessian, derived by hand: ∂²/∂θ_i² of θ_i³ is 6θ_i; the
// term c·θ_i·θ_j·e^{θ_j} (i < j) adds c·e^{θ_j}(1+θ_j) to H_ij and
// c·θ_i·e^{θ_j}(2+θ_j) to H_jj.
func hessian(th []float64) []float64 {
	n := len(th)
	h := make([]float64, n*n)
	for i := 0; i < n; i++ {
		h[i*n+i] += 6 * th[i]
		for j := i + 1; j < n; j++ {
			c, e := float64(i+j+1)/4, math.Exp(th[j])
			h[i*n+j] += c * e * (1 + th[j])
			h[j*n+i] += c * e * (1 + th[j])
			h[j*n+j] += c * th[i] * e * (2 + th[j])
		}
	}
	return h
}

var pts = []float64{0.3, -0.2, 0.5, 1.1, -1.5, 2, 0.25, -0.75, 0, 0, 0, 0}

func eval(t *testing.T, calls *int) (Gradients, Losses) {
	g := func(points []float64, origin []int, grads []float64) error {
		*calls++
		for j := range origin {
			grad(grads[4*j:4*j+4], points[4*j:4*j+4])
		}
		return nil
	}
	l := func(points []float64, origin []int, vals []float64) error {
		*calls++
		if len(vals) != len(origin) || len(points) != 4*len(origin) {
			t.Fatalf("%d values for %d origins and %d coordinates", len(vals), len(origin), len(points))
		}
		for j := range origin {
			vals[j] = f(points[4*j : 4*j+4])
		}
		return nil
	}
	return g, l
}

func TestDifferences(t *testing.T) {
	for _, b := range []int{1 << 20, 8, 12} { // one evaluation, and many small ones
		block = b
		var calls int
		g, l := eval(t, &calls)
		for _, c := range []struct {
			name string
			fn   func(dst []float64) error
			tol  float64
		}{
			{"gradients", func(dst []float64) error { return HessiansFromGradients(g, 4, pts, dst) }, 1e-9},
			{"losses", func(dst []float64) error { return HessiansFromLosses(l, 4, pts, dst) }, 1e-7},
		} {
			dst := make([]float64, 3*16)
			if err := c.fn(dst); err != nil {
				t.Fatal(err)
			}
			for p := 0; p < 3; p++ {
				want := hessian(pts[4*p : 4*p+4])
				for k, w := range want {
					if got := dst[16*p+k]; math.Abs(got-w) > c.tol*(1+math.Abs(w)) {
						t.Errorf("block %d: %s: point %d: H[%d][%d] = %v, want %v", b, c.name, p, k/4, k%4, got, w)
					}
				}
			}
		}
		// Products along vectors, one of them zero, one with NaN.
		vs := []float64{1, 0, 0, 0, 0.5, -1, 2, 0.25, 0, 0, 0, 0, 1, math.NaN(), 0, 0}
		dst := make([]float64, len(vs))
		if err := HVPsFromGradients(g, pts[:4], vs, dst); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(vs))
		Products(want, hessian(pts[:4]), vs, 4)
		for i := range want {
			if got := dst[i]; !(math.Abs(got-want[i]) <= 1e-9*(1+math.Abs(want[i]))) && !(math.IsNaN(got) && math.IsNaN(want[i])) {
				t.Errorf("block %d: product %d entry %d = %v, want %v", b, i/4, i%4, got, want[i])
			}
		}
		if b == 1<<20 && calls != 3 {
			t.Errorf("%d evaluations with one block, want one per call", calls)
		}
	}
	block = 1 << 20
}

func TestSymmetrizeAndClean(t *testing.T) {
	h := []float64{1, 2, 4, 3}
	Symmetrize(h, 2)
	if h[1] != 3 || h[2] != 3 || h[0] != 1 || h[3] != 3 {
		t.Errorf("symmetrized %v", h)
	}
	x := []float64{math.Inf(1), 1, math.Inf(-1), math.NaN()}
	Clean(x)
	if !math.IsNaN(x[0]) || x[1] != 1 || !math.IsNaN(x[2]) || !math.IsNaN(x[3]) {
		t.Errorf("cleaned %v", x)
	}
}
