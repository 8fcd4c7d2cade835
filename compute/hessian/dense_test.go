package hessian

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestAnalyzeKnownSpectra(t *testing.T) {
	diag := func(v ...float64) mat.Matrix { return mat.NewDiagDense(len(v), v) }
	conj := func(seed uint64, v ...float64) mat.Matrix { s, _ := withSpectrum(v, seed); return s }
	cases := []struct {
		name   string
		h      mat.Matrix
		want   []float64 // ascending
		class  Class
		index  int
		pos    float64
		neg    float64
		zero   float64
		relTol float64
	}{
		{"diagonal minimum", diag(3, 1, 2), []float64{1, 2, 3}, Minimum, 0, 1, 0, 0, 0},
		{"diagonal maximum", diag(-1, -4), []float64{-4, -1}, Maximum, 2, 0, 1, 0, 0},
		{"indefinite saddle, index 2", conj(1, -3, 5, -1, 2), []float64{-3, -1, 2, 5}, Saddle, 2, 0.5, 0.5, 0, 0},
		{"saddle, index 1", conj(2, 1, 7, -0.5, 3, 2), []float64{-0.5, 1, 2, 3, 7}, Saddle, 1, 0.8, 0.2, 0, 0},
		{"spd, 40 well-spread", conj(3, floats.LogSpan(make([]float64, 40), 1e-3, 1e3)...), floats.LogSpan(make([]float64, 40), 1e-3, 1e3), Minimum, 0, 1, 0, 0, 0},
		{"degenerate, a zero eigenvalue", conj(4, 0, 1, 2), []float64{0, 1, 2}, Degenerate, 0, 2.0 / 3, 0, 1.0 / 3, 0},
		{"degenerate saddle", conj(5, -2, 0, 0, 3), []float64{-2, 0, 0, 3}, Degenerate, 1, 0.25, 0.25, 0.5, 0},
		{"zero matrix", diag(0, 0), []float64{0, 0}, Degenerate, 0, 0, 0, 1, 0},
		{"tiny eigenvalue within the default tolerance", diag(1, 1e-10), []float64{1e-10, 1}, Degenerate, 0, 0.5, 0, 0.5, 0},
		{"tiny eigenvalue beyond a tighter tolerance", diag(1, 1e-10), []float64{1e-10, 1}, Minimum, 0, 1, 0, 0, 1e-12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sp, err := Analyze(c.h, DenseSettings{RelTol: c.relTol})
			mustNoErr(t, err)
			n := len(c.want)
			scale := max(math.Abs(c.want[0]), math.Abs(c.want[n-1]))
			for i, w := range c.want {
				if math.Abs(sp.Values[i]-w) > 1e-12*max(scale, 1) {
					t.Errorf("λ%d = %.17g, want %g", i, sp.Values[i], w)
				}
			}
			if sp.Class != c.class || sp.Index != c.index {
				t.Errorf("class %v index %d, want %v index %d (tol %g)", sp.Class, sp.Index, c.class, c.index, sp.Tol)
			}
			if sp.Positive != c.pos || sp.Negative != c.neg || sp.Zero != c.zero {
				t.Errorf("fractions +%v −%v 0:%v, want +%v −%v 0:%v", sp.Positive, sp.Negative, sp.Zero, c.pos, c.neg, c.zero)
			}
			var tr float64
			for _, w := range c.want {
				tr += w
			}
			if math.Abs(sp.Trace-tr) > 1e-12*max(scale, 1)*float64(n) {
				t.Errorf("trace %v, want %v", sp.Trace, tr)
			}
			// The condition number is max|λ|/min|λ| of the computed values.
			minAbs := math.Inf(1)
			for _, v := range sp.Values {
				minAbs = min(minAbs, math.Abs(v))
			}
			wantCond := math.Inf(1)
			if minAbs > 0 {
				wantCond = max(math.Abs(sp.Values[0]), math.Abs(sp.Values[n-1])) / minAbs
			}
			if sp.Cond != wantCond {
				t.Errorf("cond %v, want %v", sp.Cond, wantCond)
			}
			relTol := c.relTol
			if relTol == 0 {
				relTol = DefaultRelTol
			}
			if sp.RelTol != relTol || !relClose(sp.Tol, relTol*scale, 1e-12, 0) {
				t.Errorf("tolerance %v (relative %v), want %v·%v", sp.Tol, sp.RelTol, relTol, scale)
			}
			// Every column is a unit eigenvector, orthogonal to the others,
			// its largest entry positive.
			col := make([]float64, n)
			for j := range n {
				mat.Col(col, j, sp.Vectors)
				if r := residual(sp.Hessian, sp.Values[j], col); r > 1e-12*max(scale, 1) {
					t.Errorf("vector %d: residual %g", j, r)
				}
				if math.Abs(floats.Norm(col, 2)-1) > 1e-12 {
					t.Errorf("vector %d is not a unit vector", j)
				}
				if big := col[floats.MaxIdx(col)]; big < -col[floats.MinIdx(col)] {
					t.Errorf("vector %d: its largest entry is negative", j)
				}
			}
			var qtq mat.Dense
			qtq.Mul(sp.Vectors.T(), sp.Vectors)
			if !mat.EqualApprox(&qtq, eye(n), 1e-12) {
				t.Error("the eigenvectors are not orthonormal")
			}
		})
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

func TestAnalyzeAsymmetry(t *testing.T) {
	// A symmetric matrix plus an antisymmetric error E: the analysis is of
	// the symmetric part, and the asymmetry max|H_ij − H_ji| = 2·max|E_ij|
	// is reported and enters the tolerance.
	sym, _ := withSpectrum([]float64{-1, 2, 4}, 7)
	h := mat.DenseCopyOf(sym)
	h.Set(0, 2, h.At(0, 2)+3e-7)
	h.Set(2, 0, h.At(2, 0)-3e-7)
	sp, err := Analyze(h, DenseSettings{})
	mustNoErr(t, err)
	if !relClose(sp.Asymmetry, 6e-7, 1e-6, 0) {
		t.Errorf("asymmetry %g, want 6e-7", sp.Asymmetry)
	}
	if !relClose(sp.RelAsymmetry, sp.Asymmetry/mat.Norm(h, math.Inf(1)), 1, 0) || sp.RelAsymmetry <= 0 {
		t.Errorf("relative asymmetry %g", sp.RelAsymmetry)
	}
	if !mat.EqualApprox(sp.Hessian, sym, 1e-15) {
		t.Error("the analysed matrix is not the symmetric part")
	}
	if sp.Tol != sp.Asymmetry {
		t.Errorf("tolerance %g, want the asymmetry %g (above 1e-8·4)", sp.Tol, sp.Asymmetry)
	}
	if sp.Class != Saddle || sp.Index != 1 {
		t.Errorf("class %v index %d", sp.Class, sp.Index)
	}
	// An eigenvalue below the asymmetry cannot be given a sign.
	h2 := mat.NewDense(2, 2, []float64{1, 1e-6, -1e-6, 1e-7})
	sp2, err := Analyze(h2, DenseSettings{})
	mustNoErr(t, err)
	if sp2.Class != Degenerate {
		t.Errorf("λ = 1e-7 beside an asymmetry of 2e-6: class %v, want degenerate", sp2.Class)
	}
}

func TestAnalyzeNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		h := mat.NewDense(3, 3, []float64{2, 0, 0, bad, 1, 0, 0, 0, 3})
		sp, err := Analyze(h, DenseSettings{})
		mustNoErr(t, err)
		if sp.Class != Undefined || sp.NonFinite != 1 || sp.Vectors != nil || sp.Index != -1 {
			t.Errorf("%v: class %v, %d non-finite, vectors %v, index %d", bad, sp.Class, sp.NonFinite, sp.Vectors != nil, sp.Index)
		}
		for _, x := range append(append([]float64{}, sp.Values...), sp.Cond, sp.Trace, sp.Tol, sp.Positive, sp.Negative, sp.Zero, sp.Asymmetry) {
			if !math.IsNaN(x) {
				t.Errorf("%v: a number %v where NaN is due", bad, x)
			}
		}
	}
	diag := mat.NewDense(2, 2, []float64{math.NaN(), 0, 0, 1})
	sp, _ := Analyze(diag, DenseSettings{})
	if sp.NonFinite != 1 {
		t.Errorf("a NaN on the diagonal counted %d times", sp.NonFinite)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	cases := []struct {
		name string
		h    mat.Matrix
		s    DenseSettings
		want error
	}{
		{"not square", mat.NewDense(2, 3, nil), DenseSettings{}, ErrInvalid},
		{"nil", nil, DenseSettings{}, ErrInvalid},
		{"above the limit", mat.NewDense(4, 4, nil), DenseSettings{MaxDim: 3}, ErrTooLarge},
		{"negative tolerance", mat.NewDense(2, 2, nil), DenseSettings{RelTol: -1}, ErrInvalid},
		{"negative limit", mat.NewDense(2, 2, nil), DenseSettings{MaxDim: -1}, ErrInvalid},
	}
	for _, c := range cases {
		if _, err := Analyze(c.h, c.s); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := AnalyzeOperator(context.Background(), Matrix(mat.NewSymDense(5, nil)), DenseSettings{MaxDim: 4}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("operator above the limit: %v", err)
	}
}

func TestAnalyzeOperator(t *testing.T) {
	ctx := context.Background()
	want := []float64{-2, -0.5, 1, 3, 8}
	a, _ := withSpectrum(want, 11)
	op := &counting{Operator: Matrix(a)}
	sp, err := AnalyzeOperator(ctx, op, DenseSettings{})
	mustNoErr(t, err)
	for i, w := range want {
		if math.Abs(sp.Values[i]-w) > 1e-13*8 {
			t.Errorf("λ%d = %v, want %v", i, sp.Values[i], w)
		}
	}
	if sp.Products != 5 || op.vectors != 5 || op.calls != 1 {
		t.Errorf("%d products in %d calls (reported %d), want 5 in one", op.vectors, op.calls, sp.Products)
	}
	if sp.Class != Saddle || sp.Index != 2 || sp.Asymmetry > 1e-14 {
		t.Errorf("class %v index %d asymmetry %g", sp.Class, sp.Index, sp.Asymmetry)
	}
	if sp.HVP != "assembled from 5 products with the unit vectors: exact (dense matrix)" {
		t.Errorf("HVP %q", sp.HVP)
	}

	// A non-finite product leaves NaN entries and an Undefined point.
	nan := opFunc{n: 2, f: func(dst, vs []float64) error {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return nil
	}}
	sp, err = AnalyzeOperator(ctx, nan, DenseSettings{})
	mustNoErr(t, err)
	if sp.Class != Undefined || sp.NonFinite != 4 {
		t.Errorf("NaN products: class %v, %d non-finite", sp.Class, sp.NonFinite)
	}
}

// cubic is f(x, y, z) = x²y + 3y² − z³ + sin(x)·z, its gradient and its
// Hessian, derived by hand.
func cubicLoss(p []float64) float64 {
	x, y, z := p[0], p[1], p[2]
	return x*x*y + 3*y*y - z*z*z + math.Sin(x)*z
}

func cubicGrad(dst, p []float64) {
	x, y, z := p[0], p[1], p[2]
	dst[0] = 2*x*y + math.Cos(x)*z
	dst[1] = x*x + 6*y
	dst[2] = -3*z*z + math.Sin(x)
}

func cubicHessian(p []float64) *mat.SymDense {
	x, y, z := p[0], p[1], p[2]
	return mat.NewSymDense(3, []float64{
		2*y - math.Sin(x)*z, 2 * x, math.Cos(x),
		2 * x, 6, 0,
		math.Cos(x), 0, -6 * z,
	})
}

func batchGrad(f func(dst, p []float64), n int) Gradient {
	return func(_ context.Context, dst, pts []float64) error {
		for i := 0; i < len(pts); i += n {
			f(dst[i:i+n], pts[i:i+n])
		}
		return nil
	}
}

func TestDifferences(t *testing.T) {
	if DefaultStep != math.Cbrt(0x1p-52) || !relClose(defaultLossStep, math.Pow(0x1p-52, 0.25), 1e-15, 0) {
		t.Errorf("default steps %v, %v; want ∛ε %v and ∜ε %v", DefaultStep, float64(defaultLossStep), math.Cbrt(0x1p-52), math.Pow(0x1p-52, 0.25))
	}
	ctx := context.Background()
	at := []float64{0.7, -1.3, 0.4}
	want := cubicHessian(at)
	op, err := Differences(batchGrad(cubicGrad, 3), at, 0)
	mustNoErr(t, err)
	h, err := Assemble(ctx, op, 0)
	mustNoErr(t, err)
	if !mat.EqualApprox(h, want, 1e-8) {
		t.Errorf("differences of the gradient:\n%v\nwant\n%v", mat.Formatted(h), mat.Formatted(want))
	}
	// Products scale with the vector's norm, and a zero vector gives zero.
	vs := []float64{0, 0, 0, 2e3, 0, 0}
	dst := make([]float64, 6)
	mustNoErr(t, op.Apply(ctx, dst, vs))
	if dst[0] != 0 || dst[1] != 0 || dst[2] != 0 {
		t.Errorf("H·0 = %v", dst[:3])
	}
	if !relClose(dst[3], 2e3*want.At(0, 0), 1e-7, 1) {
		t.Errorf("H·(2000 e₀)₀ = %v, want %v", dst[3], 2e3*want.At(0, 0))
	}
	sp, err := AnalyzeOperator(ctx, op, DenseSettings{})
	mustNoErr(t, err)
	if sp.Asymmetry > 1e-8 || sp.Asymmetry == 0 {
		t.Errorf("asymmetry of a difference Hessian %g: want small and not zero", sp.Asymmetry)
	}
	// t = ε^(1/3)·max(1, ‖x‖∞) = 6.06e-6·1.3.
	if got := Describe(op); got != "central differences of the gradient (step 7.87e-06)" {
		t.Errorf("describe: %q", got)
	}
	for _, bad := range []struct {
		x    []float64
		step float64
	}{{nil, 0}, {[]float64{math.NaN()}, 0}, {[]float64{1}, -1}, {[]float64{1}, math.Inf(1)}} {
		if _, err := Differences(batchGrad(cubicGrad, 3), bad.x, bad.step); !errors.Is(err, ErrInvalid) {
			t.Errorf("Differences(%v, %v): %v", bad.x, bad.step, err)
		}
	}
}

func TestLossHessian(t *testing.T) {
	ctx := context.Background()
	at := []float64{0.7, -1.3, 0.4}
	calls := 0
	loss := func(_ context.Context, dst, pts []float64) error {
		calls++
		for i := range dst {
			dst[i] = cubicLoss(pts[i*3 : i*3+3])
		}
		return nil
	}
	h, err := LossHessian(ctx, loss, at, 0, 0)
	mustNoErr(t, err)
	if !mat.EqualApprox(h, cubicHessian(at), 1e-6) {
		t.Errorf("differences of the loss:\n%v\nwant\n%v", mat.Formatted(h), mat.Formatted(cubicHessian(at)))
	}
	if calls != 1 {
		t.Errorf("%d calls of the loss, want 1", calls)
	}
	if _, err := LossHessian(ctx, loss, at, 0, 2); !errors.Is(err, ErrTooLarge) {
		t.Errorf("above the limit: %v", err)
	}
	sp, err := Analyze(h, DenseSettings{Source: "central differences of the loss"})
	mustNoErr(t, err)
	if sp.Asymmetry != 0 || sp.HVP != "central differences of the loss" {
		t.Errorf("asymmetry %g, HVP %q", sp.Asymmetry, sp.HVP)
	}
}

func TestRestrict(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum([]float64{1, 2, 3, 4, 5, 6}, 3)
	op, err := Restrict(Matrix(a), 2, 3)
	mustNoErr(t, err)
	h, err := Assemble(ctx, op, 0)
	mustNoErr(t, err)
	if !mat.Equal(h, a.SliceSym(2, 5)) {
		t.Errorf("block:\n%v\nwant\n%v", mat.Formatted(h), mat.Formatted(a.SliceSym(2, 5)))
	}
	for _, c := range [][2]int{{-1, 2}, {0, 0}, {5, 2}} {
		if _, err := Restrict(Matrix(a), c[0], c[1]); !errors.Is(err, ErrInvalid) {
			t.Errorf("Restrict(%v): %v", c, err)
		}
	}
	if err := Matrix(a).Apply(ctx, make([]float64, 5), make([]float64, 5)); !errors.Is(err, ErrInvalid) {
		t.Errorf("a batch of 5 values in dimension 6: %v", err)
	}
}
