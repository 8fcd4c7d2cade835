package hessian

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// orthogonal is a random n×n orthogonal matrix: the Q of the QR
// decomposition of a Gaussian matrix (gonum's mat.QR, independent of this
// package's own QR).
func orthogonal(n int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 99))
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	q := new(mat.Dense)
	qr.QTo(q)
	return q
}

// withSpectrum is Q·diag(vals)·Qᵀ for a random orthogonal Q (seeded): a
// symmetric matrix whose eigenvalues are known exactly, and Q, whose
// columns are its eigenvectors.
func withSpectrum(vals []float64, seed uint64) (*mat.SymDense, *mat.Dense) {
	n := len(vals)
	q := orthogonal(n, seed)
	var qd mat.Dense
	qd.Mul(q, mat.NewDiagDense(n, vals))
	var a mat.Dense
	a.Mul(&qd, q.T())
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s, q
}

func sortedDesc(v []float64) []float64 {
	out := append([]float64(nil), v...)
	sort.Sort(sort.Reverse(sort.Float64Slice(out)))
	return out
}

// relClose reports |a−b| ≤ tol·max(|a|, |b|, floor).
func relClose(a, b, tol, floor float64) bool {
	return math.Abs(a-b) <= tol*max(math.Abs(a), math.Abs(b), floor)
}

// residual is ‖A·v − λ·v‖ computed directly from the matrix.
func residual(a mat.Symmetric, lambda float64, v []float64) float64 {
	n := len(v)
	av := make([]float64, n)
	mat.NewVecDense(n, av).MulVec(a, mat.NewVecDense(n, v))
	floats.AddScaled(av, -lambda, v)
	return floats.Norm(av, 2)
}

// trace is the sum of a's diagonal.
func trace(a mat.Symmetric) float64 {
	var t float64
	for i := range a.SymmetricDim() {
		t += a.At(i, i)
	}
	return t
}

// opFunc is an Operator from a function, for faulty operators.
type opFunc struct {
	n int
	f func(dst, vs []float64) error
}

func (o opFunc) Dim() int { return o.n }
func (o opFunc) Apply(_ context.Context, dst, vs []float64) error {
	return o.f(dst, vs)
}

// counting counts the Apply calls and vectors of an Operator.
type counting struct {
	Operator
	calls, vectors int
}

func (c *counting) Describe() string { return Describe(c.Operator) }

func (c *counting) Apply(ctx context.Context, dst, vs []float64) error {
	c.calls++
	c.vectors += len(vs) / c.Dim()
	return c.Operator.Apply(ctx, dst, vs)
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
