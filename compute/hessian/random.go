package hessian

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// Probe is the distribution of the random vectors of Hutchinson's
// estimator and of stochastic Lanczos quadrature.
type Probe int

const (
	// Rademacher: independent ±1 entries, each with probability ½ (the
	// zero value; PyHessian's and Hutch++'s).
	Rademacher Probe = iota
	// Gaussian: independent N(0, 1) entries.
	Gaussian
)

func (p Probe) String() string {
	switch p {
	case Rademacher:
		return "rademacher"
	case Gaussian:
		return "gaussian"
	}
	return fmt.Sprintf("Probe(%d)", int(p))
}

func (p Probe) valid() bool { return p == Rademacher || p == Gaussian }

// Streams of the seeded PCG generators (math/rand/v2): Hutchinson and SLQ
// share one, so that the same seed and probe kind give them the same
// probes.
const (
	streamProbes  = 0x70726f626573   // "probes"
	streamHutchPP = 0x6875746368     // "hutch"
	streamLanczos = 0x6c616e637a6f73 // "lanczos"
)

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// draw fills v with entries of distribution p from r. Rademacher signs
// come from the bits of r.Uint64, low bit first, 64 to a draw.
func draw(r *rand.Rand, p Probe, v []float64) {
	if p == Gaussian {
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return
	}
	var bits uint64
	for i := range v {
		if i%64 == 0 {
			bits = r.Uint64()
		}
		if bits&1 == 1 {
			v[i] = 1
		} else {
			v[i] = -1
		}
		bits >>= 1
	}
}

// basis is an orthonormal set of vectors of R^n stored row after row.
type basis struct {
	n    int
	rows []float64
}

func (b *basis) len() int            { return len(b.rows) / b.n }
func (b *basis) vec(i int) []float64 { return b.rows[i*b.n : (i+1)*b.n] }

func (b *basis) general() blas64.General {
	return blas64.General{Rows: b.len(), Cols: b.n, Stride: b.n, Data: b.rows}
}

// project removes from w its components along the basis, twice
// (classical Gram–Schmidt with reorthogonalisation: "twice is enough").
func (b *basis) project(w, coef []float64) {
	m := b.len()
	if m == 0 {
		return
	}
	c := coef[:m]
	for range 2 {
		g := b.general()
		blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: m, Inc: 1, Data: w}, 0, blas64.Vector{N: m, Inc: 1, Data: c})
		blas64.Gemv(blas.Trans, -1, g, blas64.Vector{N: m, Inc: 1, Data: c}, 1, blas64.Vector{N: b.n, Inc: 1, Data: w})
	}
}

// extend orthonormalises w against the basis and appends it; when w has
// (almost) nothing outside the basis (‖w‖ ≤ tiny after projection), it
// appends a random vector from r orthonormalised instead and reports
// false. The basis must have fewer than n vectors.
func (b *basis) extend(w []float64, tiny float64, r *rand.Rand, coef []float64) (norm float64, kept bool) {
	b.project(w, coef)
	norm = floats.Norm(w, 2)
	kept = norm > tiny
	for !(norm > tiny) {
		draw(r, Gaussian, w)
		b.project(w, coef)
		norm = floats.Norm(w, 2)
		tiny = 0 // a random vector has a part outside a proper subspace
	}
	floats.Scale(1/norm, w)
	b.rows = append(b.rows, w...)
	return norm, kept
}

// signFix flips v so that its entry of largest magnitude (the first such)
// is positive: eigenvectors are reported with this sign, the same on
// every run.
func signFix(v []float64) {
	best, at := -1.0, 0
	for i, x := range v {
		if math.Abs(x) > best {
			best, at = math.Abs(x), i
		}
	}
	if v[at] < 0 {
		floats.Scale(-1, v)
	}
}

// meanErr is the mean of xs and its standard error, the sample standard
// deviation (n−1 in the denominator) over √n; NaN for fewer than 2.
func meanErr(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	mean = floats.Sum(xs) / n
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}
