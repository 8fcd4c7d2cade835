package hessian

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// spread is n eigenvalues: top and bottom given, well separated, and the
// rest evenly in between.
func spread(n int, top, bottom []float64, lo, hi float64) []float64 {
	v := append(append([]float64{}, top...), bottom...)
	for i := range n - len(v) {
		v = append(v, lo+(hi-lo)*float64(i)/float64(n-len(top)-len(bottom)-1))
	}
	return v
}

func TestLanczosAgreesWithDense(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		vals        []float64
		top, bottom int
		block       int
	}{
		{"spd, top 5", spread(200, []float64{20, 18, 16, 14, 12}, nil, 0.1, 8), 5, 0, 0},
		{"indefinite, top 5 and bottom 3", spread(200, []float64{30, 25, 21}, []float64{-12, -10, -9}, -5, 5), 5, 3, 0},
		{"indefinite, bottom 4", spread(150, nil, []float64{-40, -35, -31, -28}, -10, 10), 0, 4, 0},
		{"block 4, top 5 and bottom 2", spread(200, []float64{20, 18, 16, 14, 12}, []float64{-3, -2}, 0, 8), 5, 2, 4},
		{"decaying spd (a Hessian's shape)", floats.LogSpan(make([]float64, 300), 1e-6, 50), 5, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, _ := withSpectrum(c.vals, 17)
			// The reference: gonum's dense decomposition of the same matrix.
			var eig mat.EigenSym
			if !eig.Factorize(a, false) {
				t.Fatal("dense reference failed")
			}
			ref := eig.Values(nil) // ascending
			res, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: c.top, Bottom: c.bottom, Block: c.block, Seed: 5})
			mustNoErr(t, err)
			if !res.Converged || len(res.Top) != c.top || len(res.Bottom) != c.bottom {
				t.Fatalf("converged %v, %d top, %d bottom", res.Converged, len(res.Top), len(res.Bottom))
			}
			n := len(ref)
			check := func(kind string, i int, e Eigenpair, want float64) {
				// Acceptance: 1e-6 relative; the residual bound gives far better.
				if !relClose(e.Value, want, 1e-9, 0) {
					t.Errorf("%s %d: %.15g, dense %.15g", kind, i, e.Value, want)
				}
				if r := residual(a, e.Value, e.Vector); !relClose(r, e.Residual, 1e-3, 1e-12*res.Scale) || r > res.Tol {
					t.Errorf("%s %d: reported residual %g, recomputed %g (tol %g)", kind, i, e.Residual, r, res.Tol)
				}
				if !e.Converged || math.Abs(floats.Norm(e.Vector, 2)-1) > 1e-12 {
					t.Errorf("%s %d: converged %v, ‖v‖ = %v", kind, i, e.Converged, floats.Norm(e.Vector, 2))
				}
			}
			for i, e := range res.Top {
				check("top", i, e, ref[n-1-i])
			}
			for i, e := range res.Bottom {
				check("bottom", i, e, ref[i])
			}
			if res.Products != res.Basis || res.Products > n || res.Seed != 5 || res.Method == "" || res.HVP != "exact (dense matrix)" {
				t.Errorf("products %d basis %d seed %d method %q hvp %q", res.Products, res.Basis, res.Seed, res.Method, res.HVP)
			}
			if !relClose(res.Tol, DefaultTol*res.Scale, 1e-12, 0) || !relClose(res.Scale, max(math.Abs(ref[0]), ref[n-1]), 1e-9, 0) {
				t.Errorf("tol %g scale %g", res.Tol, res.Scale)
			}
			t.Logf("%d products", res.Products)
		})
	}
}

func TestLanczosMultiplicity(t *testing.T) {
	ctx := context.Background()
	// The top eigenvalue 10 has multiplicity 3.
	vals := spread(120, []float64{10, 10, 10, 7}, nil, -1, 5)
	a, q := withSpectrum(vals, 23)
	res, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 4, Block: 3, Seed: 1})
	mustNoErr(t, err)
	for i, want := range []float64{10, 10, 10, 7} {
		if !relClose(res.Top[i].Value, want, 1e-10, 0) {
			t.Errorf("top %d: %v, want %v", i, res.Top[i].Value, want)
		}
	}
	// The three vectors span the eigenspace: their projections onto it
	// (the first three columns of Q) have norm 1.
	for i := range 3 {
		var p float64
		for j := range 3 {
			d := floats.Dot(res.Top[i].Vector, mat.Col(nil, j, q))
			p += d * d
		}
		if math.Abs(p-1) > 1e-9 {
			t.Errorf("vector %d: %v of its norm² in the eigenspace", i, p)
		}
	}
	// With block size 1 one copy is found, and the pairs still carry
	// small residuals (they are eigenpairs; the doc says copies are missed).
	one, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 2, Seed: 1})
	mustNoErr(t, err)
	if !relClose(one.Top[0].Value, 10, 1e-10, 0) || !relClose(one.Top[1].Value, 7, 1e-10, 0) {
		t.Errorf("block 1: top %v, %v; want 10 then 7 (one copy of 10)", one.Top[0].Value, one.Top[1].Value)
	}
}

func TestLanczosInvariantSubspace(t *testing.T) {
	ctx := context.Background()
	// Three distinct eigenvalues, each ten times: a start vector's Krylov
	// space has dimension 3, after which Lanczos goes on from random
	// vectors orthogonal to the basis. With block size 1 that is reported
	// (Restarts), and the pairs are eigenpairs, though copies of 4 may be
	// missed among the top 5; a block of 5 finds five copies.
	vals := make([]float64, 30)
	for i := range vals {
		vals[i] = []float64{4, 1, -2}[i%3]
	}
	a, _ := withSpectrum(vals, 3)
	one, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 5, Bottom: 2, Seed: 9})
	mustNoErr(t, err)
	if one.Restarts == 0 {
		t.Error("no restart reported after an invariant subspace")
	}
	for i, e := range append(one.Top, one.Bottom...) {
		if r := residual(a, e.Value, e.Vector); r > one.Tol || !(relClose(e.Value, 4, 1e-10, 0) || relClose(e.Value, 1, 1e-10, 0) || relClose(e.Value, -2, 1e-10, 0)) {
			t.Errorf("pair %d: %v with residual %g is not an eigenpair", i, e.Value, r)
		}
	}
	res, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 5, Bottom: 2, Block: 5, Seed: 9})
	mustNoErr(t, err)
	for i, e := range res.Top {
		if !relClose(e.Value, 4, 1e-10, 0) {
			t.Errorf("top %d: %v, want 4", i, e.Value)
		}
	}
	for i, e := range res.Bottom {
		if !relClose(e.Value, -2, 1e-10, 0) {
			t.Errorf("bottom %d: %v, want -2", i, e.Value)
		}
	}
}

func TestLanczosExhausted(t *testing.T) {
	ctx := context.Background()
	vals := []float64{5, -1, 3, 0.5, 2, -4, 1, 7}
	a, _ := withSpectrum(vals, 8)
	res, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 8})
	mustNoErr(t, err)
	if !res.Exhausted || res.Basis != 8 || res.Products != 8 {
		t.Errorf("exhausted %v basis %d products %d", res.Exhausted, res.Basis, res.Products)
	}
	for i, w := range sortedDesc(vals) {
		if math.Abs(res.Top[i].Value-w) > 1e-13*7 {
			t.Errorf("top %d: %v, want %v", i, res.Top[i].Value, w)
		}
	}
	// Top and bottom may share pairs when they ask for more than n.
	both, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 5, Bottom: 5})
	mustNoErr(t, err)
	if len(both.Top) != 5 || len(both.Bottom) != 5 || both.Top[4].Value != both.Bottom[3].Value {
		t.Errorf("top %d bottom %d", len(both.Top), len(both.Bottom))
	}
	// A zero operator: every value 0, converged with a zero tolerance.
	zero, err := Lanczos(ctx, Matrix(mat.NewSymDense(6, nil)), LanczosSettings{Top: 2})
	mustNoErr(t, err)
	if zero.Top[0].Value != 0 || !zero.Converged {
		t.Errorf("zero operator: %v, converged %v", zero.Top[0].Value, zero.Converged)
	}
}

func TestLanczosNotConverged(t *testing.T) {
	ctx := context.Background()
	// A clustered top end and a product limit far too small.
	vals := spread(400, nil, nil, 0, 1)
	a, _ := withSpectrum(vals, 31)
	res, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 5, MaxProducts: 15, Seed: 2})
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("err = %v, want ErrNotConverged", err)
	}
	if res == nil || res.Converged || res.Products != 15 {
		t.Fatalf("result %+v", res)
	}
	bad := 0
	for i, e := range res.Top {
		// The reported residuals are the true ones, whatever they are.
		if r := residual(a, e.Value, e.Vector); !relClose(r, e.Residual, 1e-6, 1e-14) {
			t.Errorf("top %d: reported residual %g, true %g", i, e.Residual, r)
		}
		if e.Converged != (e.Residual <= res.Tol) {
			t.Errorf("top %d: converged %v with residual %g, tol %g", i, e.Converged, e.Residual, res.Tol)
		}
		if !e.Converged {
			bad++
		}
	}
	if bad == 0 {
		t.Error("no pair reported unconverged")
	}
	t.Log(err)
}

func TestLanczosDeterministic(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum(spread(80, []float64{9, 8}, nil, -1, 5), 2)
	r1, err := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 2, Seed: 4})
	mustNoErr(t, err)
	r2, _ := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 2, Seed: 4})
	r3, _ := Lanczos(ctx, Matrix(a), LanczosSettings{Top: 2, Seed: 5})
	if r1.Top[0].Value != r2.Top[0].Value || !floats.Equal(r1.Top[1].Vector, r2.Top[1].Vector) {
		t.Error("the same seed gave other results")
	}
	if floats.Equal(r1.Top[1].Vector, r3.Top[1].Vector) {
		t.Error("another seed gave the very same vector")
	}
	// The sign convention makes the vectors of both seeds agree closely.
	if floats.Distance(r1.Top[1].Vector, r3.Top[1].Vector, 2) > 1e-6 {
		t.Error("the sign convention does not hold")
	}
}

func TestLanczosDifferences(t *testing.T) {
	// A quadratic ½xᵀAx through central differences of its gradient A·x:
	// Lanczos on the fallback operator finds A's eigenvalues to about the
	// differences' accuracy.
	ctx := context.Background()
	vals := spread(60, []float64{12, 9}, []float64{-7}, -2, 4)
	a, _ := withSpectrum(vals, 6)
	grad := func(_ context.Context, dst, pts []float64) error {
		n := 60
		for i := 0; i < len(pts); i += n {
			mat.NewVecDense(n, dst[i:i+n]).MulVec(a, mat.NewVecDense(n, pts[i:i+n]))
		}
		return nil
	}
	x := make([]float64, 60)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	op, err := Differences(grad, x, 0)
	mustNoErr(t, err)
	res, err := Lanczos(ctx, op, LanczosSettings{Top: 2, Bottom: 1, Tol: 1e-7})
	mustNoErr(t, err)
	for i, w := range []float64{12, 9} {
		if !relClose(res.Top[i].Value, w, 1e-8, 0) {
			t.Errorf("top %d: %v, want %v", i, res.Top[i].Value, w)
		}
	}
	if !relClose(res.Bottom[0].Value, -7, 1e-8, 0) {
		t.Errorf("bottom: %v", res.Bottom[0].Value)
	}
	if res.HVP != Describe(op) {
		t.Errorf("HVP %q", res.HVP)
	}
}

func TestLanczosErrors(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum([]float64{1, 2, 3, 4}, 1)
	for _, s := range []LanczosSettings{
		{Top: 5}, {Bottom: 5}, {Top: -1}, {Block: 5}, {Block: -1}, {Tol: 1}, {Tol: -1e-3}, {Top: 3, MaxProducts: 2},
	} {
		if _, err := Lanczos(ctx, Matrix(a), s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	nan := opFunc{n: 4, f: func(dst, vs []float64) error {
		for i := range dst {
			dst[i] = 1
		}
		dst[len(dst)-1] = math.NaN()
		return nil
	}}
	if _, err := Lanczos(ctx, nan, LanczosSettings{}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN products: %v", err)
	}
	boom := errors.New("plugin gone")
	failing := opFunc{n: 4, f: func(dst, vs []float64) error { return boom }}
	if _, err := Lanczos(ctx, failing, LanczosSettings{}); !errors.Is(err, boom) {
		t.Errorf("failing operator: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Lanczos(cctx, Matrix(a), LanczosSettings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := Lanczos(ctx, nil, LanczosSettings{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil operator: %v", err)
	}
}
