package hessian

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// DefaultMaxDense is the largest dimension the dense analysis takes by
// default (DenseSettings.MaxDim): an n×n eigendecomposition costs O(n³)
// time and 2·n² floats (64 MiB at 2048), and assembling it from products
// costs n of them. Larger Hessians are for Lanczos, SLQ and Hutch++.
const DefaultMaxDense = 2048

// DefaultRelTol is the tolerance of the classification relative to the
// largest |λ| (DenseSettings.RelTol).
const DefaultRelTol = 1e-8

// DenseSettings tune Analyze and AnalyzeOperator. The zero value is valid.
type DenseSettings struct {
	// MaxDim is the largest dimension analysed; 0 means DefaultMaxDense.
	// Larger ones are refused with ErrTooLarge.
	MaxDim int
	// RelTol is the classification's tolerance relative to the largest
	// |λ|; 0 means DefaultRelTol. See Spectrum.Tol.
	RelTol float64
	// Source says where the matrix came from, for Spectrum.HVP (Analyze
	// only; "" means "dense matrix").
	Source string
}

func (s DenseSettings) resolve() (DenseSettings, error) {
	if s.MaxDim == 0 {
		s.MaxDim = DefaultMaxDense
	}
	if s.RelTol == 0 {
		s.RelTol = DefaultRelTol
	}
	if s.MaxDim < 0 {
		return s, errInvalid("dense limit %d: it must be positive", s.MaxDim)
	}
	if !(s.RelTol > 0) || s.RelTol >= 1 {
		return s, errInvalid("relative tolerance %v: it must be in (0, 1)", s.RelTol)
	}
	return s, nil
}

// Class is the kind of a point by the signs of its Hessian's eigenvalues.
// At a point that is not critical (a non-zero gradient) it describes the
// curvature there, not a critical point.
type Class int

const (
	// Undefined: the Hessian has non-finite entries (the surface is not
	// twice differentiable at the point); nothing else is defined.
	Undefined Class = iota
	// Minimum: every eigenvalue is above the tolerance.
	Minimum
	// Maximum: every eigenvalue is below minus the tolerance.
	Maximum
	// Saddle: eigenvalues of both signs beyond the tolerance and none
	// within it; Spectrum.Index counts the negative ones.
	Saddle
	// Degenerate: at least one eigenvalue within the tolerance of zero,
	// so the second-order test decides nothing.
	Degenerate
)

func (c Class) String() string {
	switch c {
	case Undefined:
		return "undefined"
	case Minimum:
		return "minimum"
	case Maximum:
		return "maximum"
	case Saddle:
		return "saddle"
	case Degenerate:
		return "degenerate"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Spectrum is the dense analysis of a Hessian.
type Spectrum struct {
	// Dim is the dimension n.
	Dim int
	// Hessian is the analysed matrix: the symmetric part (H + Hᵀ)/2 of the
	// input.
	Hessian *mat.SymDense
	// Asymmetry is max |H_ij − H_ji| of the input (0 for an exact symmetric
	// Hessian; the size of the error of one assembled by differences), and
	// RelAsymmetry the same over max |H_ij| (0 for the zero matrix).
	Asymmetry, RelAsymmetry float64
	// NonFinite counts the input's NaN and infinite entries. When it is not
	// zero, Class is Undefined and every number below is NaN (Vectors nil):
	// the surface is not twice differentiable at the point.
	NonFinite int
	// Values are the n eigenvalues in ascending order; column i of Vectors
	// is a unit eigenvector of Values[i], with its entry of largest
	// magnitude positive.
	Values  []float64
	Vectors *mat.Dense
	// Class is the classification with tolerance Tol = max(RelTol·max|λ|,
	// Asymmetry): an eigenvalue counts as zero when |λ| ≤ Tol. The
	// asymmetry term keeps the classification from being more confident
	// than the matrix is consistent.
	Class  Class
	RelTol float64
	Tol    float64
	// Index is the number of eigenvalues below −Tol (a saddle's index).
	Index int
	// Positive, Negative and Zero are the fractions of eigenvalues above
	// Tol, below −Tol and within it.
	Positive, Negative, Zero float64
	// Cond is the condition number max|λ| / min|λ| (+Inf when some λ is 0).
	Cond float64
	// Trace is the sum of the diagonal.
	Trace float64
	// Method is the algorithm; HVP says where the matrix came from;
	// Products counts the Hessian-vector products that assembled it (0 for
	// a matrix given whole).
	Method   string
	HVP      string
	Products int
}

// Analyze is the dense analysis of the n×n matrix h: it symmetrises h
// (reporting the asymmetry), decomposes it with gonum's EigenSym (LAPACK
// dsyev), and classifies the point. A matrix with non-finite entries gives
// a Spectrum with Class Undefined and NaN numbers, not an error. Errors:
// ErrInvalid for a matrix that is not square or is empty, ErrTooLarge
// above s.MaxDim.
func Analyze(h mat.Matrix, s DenseSettings) (*Spectrum, error) {
	s, err := s.resolve()
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errInvalid("no matrix")
	}
	r, c := h.Dims()
	if r != c || r == 0 {
		return nil, errInvalid("a %d×%d matrix: a Hessian is square and not empty", r, c)
	}
	n := r
	if n > s.MaxDim {
		return nil, fmt.Errorf("%w: dimension %d is above the limit of %d (use Lanczos for the extreme eigenvalues)", ErrTooLarge, n, s.MaxDim)
	}
	src := s.Source
	if src == "" {
		src = "dense matrix"
	}
	sp := &Spectrum{
		Dim: n, Hessian: mat.NewSymDense(n, nil), RelTol: s.RelTol, HVP: src,
		Method: "dense symmetric eigendecomposition (gonum EigenSym)",
	}
	var big float64
	for i := range n {
		for j := i; j < n; j++ {
			a, b := h.At(i, j), h.At(j, i)
			for _, x := range [2]float64{a, b} {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					sp.NonFinite++
				}
			}
			if i == j && (math.IsNaN(a) || math.IsInf(a, 0)) {
				sp.NonFinite-- // a diagonal entry was counted twice
			}
			big = max(big, math.Abs(a), math.Abs(b))
			sp.Asymmetry = max(sp.Asymmetry, math.Abs(a-b))
			sp.Hessian.SetSym(i, j, (a+b)/2)
		}
	}
	if sp.NonFinite > 0 {
		nan := math.NaN()
		sp.Asymmetry, sp.RelAsymmetry = nan, nan
		sp.Values = make([]float64, n)
		for i := range sp.Values {
			sp.Values[i] = nan
		}
		sp.Tol, sp.Positive, sp.Negative, sp.Zero, sp.Cond, sp.Trace = nan, nan, nan, nan, nan, nan
		sp.Index = -1
		return sp, nil
	}
	if big > 0 {
		sp.RelAsymmetry = sp.Asymmetry / big
	}
	var eig mat.EigenSym
	if !eig.Factorize(sp.Hessian, true) {
		return nil, fmt.Errorf("%w: the symmetric eigendecomposition failed", ErrNotConverged)
	}
	sp.Values = eig.Values(nil)
	sp.Vectors = new(mat.Dense)
	eig.VectorsTo(sp.Vectors)
	col := make([]float64, n)
	for j := range n {
		mat.Col(col, j, sp.Vectors)
		signFix(col)
		sp.Vectors.SetCol(j, col)
	}
	for i := range n {
		sp.Trace += sp.Hessian.At(i, i)
	}
	sp.classify()
	return sp, nil
}

// classify sets Tol, Class, Index, the fractions and Cond from Values.
func (sp *Spectrum) classify() {
	n := len(sp.Values)
	lo, hi := sp.Values[0], sp.Values[n-1]
	maxAbs := max(math.Abs(lo), math.Abs(hi))
	minAbs := math.Inf(1)
	for _, v := range sp.Values {
		minAbs = min(minAbs, math.Abs(v))
	}
	sp.Tol = max(sp.RelTol*maxAbs, sp.Asymmetry)
	var pos, neg int
	for _, v := range sp.Values {
		switch {
		case v > sp.Tol:
			pos++
		case v < -sp.Tol:
			neg++
		}
	}
	zero := n - pos - neg
	sp.Index = neg
	sp.Positive, sp.Negative, sp.Zero = float64(pos)/float64(n), float64(neg)/float64(n), float64(zero)/float64(n)
	switch {
	case zero > 0:
		sp.Class = Degenerate
	case neg == 0:
		sp.Class = Minimum
	case pos == 0:
		sp.Class = Maximum
	default:
		sp.Class = Saddle
	}
	if minAbs == 0 {
		sp.Cond = math.Inf(1)
	} else {
		sp.Cond = maxAbs / minAbs
	}
}

// Assemble is the n×n matrix of op's products with the unit vectors:
// column j is H·e_j, in batches. It is not symmetrised (Analyze reports
// the asymmetry); non-finite entries are kept. Dimensions above maxDim
// (0: DefaultMaxDense) are refused with ErrTooLarge.
func Assemble(ctx context.Context, op Operator, maxDim int) (*mat.Dense, error) {
	p, err := newProducts(op, false)
	if err != nil {
		return nil, err
	}
	return p.assemble(ctx, maxDim)
}

func (p *products) assemble(ctx context.Context, maxDim int) (*mat.Dense, error) {
	n := p.n
	if maxDim == 0 {
		maxDim = DefaultMaxDense
	}
	if n > maxDim {
		return nil, fmt.Errorf("%w: dimension %d is above the limit of %d (use Lanczos for the extreme eigenvalues)", ErrTooLarge, n, maxDim)
	}
	h := mat.NewDense(n, n, nil)
	chunk := max(1, min(n, maxBatchFloats/n))
	vs := make([]float64, chunk*n)
	out := make([]float64, chunk*n)
	for j0 := 0; j0 < n; j0 += chunk {
		k := min(chunk, n-j0)
		clear(vs[:k*n])
		for j := range k {
			vs[j*n+j0+j] = 1
		}
		if err := p.apply(ctx, out[:k*n], vs[:k*n]); err != nil {
			return nil, err
		}
		for j := range k {
			h.SetCol(j0+j, out[j*n:(j+1)*n])
		}
	}
	return h, nil
}

// AnalyzeOperator assembles op's matrix from its products with the n unit
// vectors (Assemble) and analyses it (Analyze): n products.
func AnalyzeOperator(ctx context.Context, op Operator, s DenseSettings) (*Spectrum, error) {
	s, err := s.resolve()
	if err != nil {
		return nil, err
	}
	p, err := newProducts(op, false)
	if err != nil {
		return nil, err
	}
	h, err := p.assemble(ctx, s.MaxDim)
	if err != nil {
		return nil, err
	}
	s.Source = fmt.Sprintf("assembled from %d products with the unit vectors: %s", p.count, Describe(op))
	sp, err := Analyze(h, s)
	if err != nil {
		return nil, err
	}
	sp.Products = p.count
	return sp, nil
}
