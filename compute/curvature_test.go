package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestEigen2 checks the 2×2 eigenvalues against gonum's EigenSym, including
// nearly singular and nearly equal cases.
func TestEigen2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := [][3]float64{{1, 0, 1}, {2, 0, -3}, {1, 1, 1}, {1e8, 1, 1e-8}, {0, 0, 0}, {1, 1e-9, 1}, {-4, 2, -1}}
	for range 200 {
		cases = append(cases, [3]float64{rng.NormFloat64() * 10, rng.NormFloat64(), rng.NormFloat64() * 0.1})
	}
	for _, c := range cases {
		lo, hi := Eigen2(c[0], c[1], c[2])
		var es mat.EigenSym
		es.Factorize(mat.NewSymDense(2, []float64{c[0], c[1], c[1], c[2]}), false)
		v := es.Values(nil)
		scale := math.Max(1e-300, math.Max(math.Abs(v[0]), math.Abs(v[1])))
		if math.Abs(lo-v[0]) > 1e-12*scale || math.Abs(hi-v[1]) > 1e-12*scale {
			t.Errorf("Eigen2%v = %v, %v; gonum %v", c, lo, hi, v)
		}
	}
	if lo, hi := Eigen2(math.NaN(), 0, 1); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("NaN entry: %v %v", lo, hi)
	}
}

func TestQuantify(t *testing.T) {
	// [[2, 0], [0, -3]]: a saddle.
	for q, want := range map[Quantity]float64{QLoss: 5, QGradNorm: 7, QMinEig: -3, QMaxEig: 2, QEigRatio: 1.5, QTrace: -1, QDet: -6, QIndex: 1} {
		if got := Quantify(q, 5, 7, 2, 0, -3); got != want {
			t.Errorf("%v = %v, want %v", q, got, want)
		}
	}
	if Quantify(QIndex, 0, 0, -1, 0, -2) != 2 || Quantify(QIndex, 0, 0, 1, 0, 2) != 0 || Quantify(QIndex, 0, 0, 1, 0, -1e-12) != 0 {
		t.Error("index of a maximum, a minimum or a degenerate direction is wrong")
	}
	if !math.IsNaN(Quantify(QIndex, 0, 0, math.NaN(), 0, 1)) || Quantify(QEigRatio, 0, 0, 0, 0, 0) != 0 {
		t.Error("undefined or zero curvature mishandled")
	}
	for i, n := range Quantities() {
		q, err := ParseQuantity(n)
		if err != nil || int(q) != i || q.String() != n {
			t.Errorf("ParseQuantity(%q) = %v, %v", n, q, err)
		}
	}
	if _, err := ParseQuantity("curl"); err == nil {
		t.Error("an unknown quantity was accepted")
	}
	c := NewCurvatures(Grid{})
	if c.Field(QLoss) == nil {
		t.Error("no field of an empty grid")
	}
}
