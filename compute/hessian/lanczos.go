package hessian

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// DefaultTol is Lanczos's residual tolerance relative to the spectrum's
// scale (LanczosSettings.Tol).
const DefaultTol = 1e-8

// DefaultMaxProducts is the least product limit of Lanczos by default
// (LanczosSettings.MaxProducts): max(300, 30·(Top+Bottom)), at most n.
const DefaultMaxProducts = 300

// deflTol: a new Krylov vector whose part outside the basis is at most
// deflTol times its product's norm is replaced by a random one (the basis
// holds an invariant subspace).
const deflTol = 1e-10

// LanczosSettings tune Lanczos. The zero value is valid: the top
// eigenpair, block size 1, DefaultTol, seed 0.
type LanczosSettings struct {
	// Top and Bottom are the numbers of largest and smallest eigenpairs
	// wanted (each at most the dimension); both zero means Top = 1.
	Top, Bottom int
	// Block is the number of vectors the Krylov basis grows by per step
	// (one Apply call); 0 means 1, plain Lanczos. A block of b finds an
	// eigenvalue of multiplicity up to b with all its eigenvectors, and
	// takes b products per round trip; it needs more products in all.
	Block int
	// MaxProducts bounds the basis, and so the products and the memory
	// (2·MaxProducts·n floats); 0 means max(DefaultMaxProducts,
	// 30·(Top+Bottom)). It is capped at n, where the basis spans the space
	// and every value is exact.
	MaxProducts int
	// Tol is the residual tolerance relative to the scale of the spectrum
	// (the largest |Ritz value|): a pair has converged when ‖H·v − λ·v‖ ≤
	// Tol·scale. 0 means DefaultTol. Since H is symmetric, λ is then
	// within Tol·scale of an eigenvalue of H, and within (Tol·scale)²/gap
	// when the other eigenvalues are at least gap away.
	Tol float64
	// Seed seeds the start block (N(0,1) entries, PCG) and the random
	// vectors that replace a deflated one.
	Seed uint64
}

// Eigenpair is an approximate eigenpair of a Hessian.
type Eigenpair struct {
	Value float64
	// Vector is a unit vector, its entry of largest magnitude positive.
	Vector []float64
	// Residual is ‖H·v − λ·v‖, computed from the products of the basis
	// (H·v = Σ s_i·H·q_i, with no further product).
	Residual float64
	// Converged: Residual ≤ Eigs.Tol.
	Converged bool
}

// Eigs is the result of Lanczos.
type Eigs struct {
	// Top holds the largest eigenpairs, largest first; Bottom the smallest,
	// smallest first.
	Top, Bottom []Eigenpair
	// Converged: every pair's residual is within Tol.
	Converged bool
	// Tol is the absolute residual tolerance, RelTol·Scale, where Scale is
	// the largest |Ritz value| of the last basis.
	Tol, RelTol, Scale float64
	// Basis is the size of the Krylov basis; Exhausted says it spans the
	// whole space (then the values are those of the whole matrix).
	Basis     int
	Exhausted bool
	// Restarts counts the new vectors that went on from a random vector
	// because the basis held an invariant subspace. It is a sign of
	// repeated eigenvalues: with Block 1 every start finds one copy of
	// each, so the pairs may miss copies (each pair is still an eigenpair
	// within its residual). A Block at least the multiplicity finds them.
	Restarts int
	// Products counts the Hessian-vector products.
	Products int
	// Method is the algorithm, HVP how the products were computed, Seed
	// the start's seed.
	Method, HVP string
	Seed        uint64
}

func (s LanczosSettings) resolve(n int) (LanczosSettings, error) {
	if s.Top < 0 || s.Bottom < 0 {
		return s, errInvalid("top %d, bottom %d: counts cannot be negative", s.Top, s.Bottom)
	}
	if s.Top == 0 && s.Bottom == 0 {
		s.Top = 1
	}
	if s.Top > n || s.Bottom > n {
		return s, errInvalid("top %d, bottom %d: at most the dimension %d", s.Top, s.Bottom, n)
	}
	if s.Block == 0 {
		s.Block = 1
	}
	if s.Block < 0 || s.Block > n {
		return s, errInvalid("block size %d: it must be in 1..%d", s.Block, n)
	}
	want := min(n, s.Top+s.Bottom)
	if s.MaxProducts == 0 {
		s.MaxProducts = max(DefaultMaxProducts, 30*(s.Top+s.Bottom))
	}
	s.MaxProducts = min(s.MaxProducts, n)
	if s.MaxProducts < max(want, s.Block) {
		return s, errInvalid("product limit %d: at least %d are needed for %d eigenpairs with block size %d", s.MaxProducts, max(want, s.Block), s.Top+s.Bottom, s.Block)
	}
	if s.Tol == 0 {
		s.Tol = DefaultTol
	}
	if !(s.Tol > 0) || s.Tol >= 1 {
		return s, errInvalid("tolerance %v: it must be in (0, 1)", s.Tol)
	}
	return s, nil
}

// Lanczos finds the Top largest and the Bottom smallest eigenpairs of op
// by the (block) Lanczos method with full reorthogonalisation: it grows an
// orthonormal Krylov basis Q from a seeded random start, Block vectors per
// Apply call, orthogonalising every new vector against the whole basis
// twice, and takes Ritz pairs from the Rayleigh–Ritz matrix T = QᵀHQ
// (tridiagonal in exact arithmetic for Block 1). It stops when every
// requested pair's residual ‖H·v − λ·v‖ is within Tol of the spectrum's
// scale (checked on the exact residuals, not on estimates), or at
// MaxProducts. If the basis holds an invariant subspace before that, it
// goes on from a random vector orthogonal to it.
//
// A Krylov space from one start vector holds one eigenvector per distinct
// eigenvalue: with Block 1, an eigenvalue of multiplicity m appears once
// among the pairs (the residuals certify each pair as an eigenpair, not
// that none was missed) unless the basis is exhausted; a Block of at least
// m finds every copy.
//
// When the limit comes first, Lanczos returns the result, with each pair's
// residual, and an error wrapping ErrNotConverged. Other errors:
// ErrInvalid for bad settings, ErrNonFinite for a product with NaN or
// infinite entries; errors of op and of ctx, wrapped.
func Lanczos(ctx context.Context, op Operator, s LanczosSettings) (*Eigs, error) {
	p, err := newProducts(op, true)
	if err != nil {
		return nil, err
	}
	n := p.n
	if s, err = s.resolve(n); err != nil {
		return nil, err
	}
	r := newRand(s.Seed, streamLanczos)
	limit := s.MaxProducts
	// The basis and its products grow as needed (up to 2·limit·n floats).
	q := &basis{n: n}
	var hq []float64   // H·q_i, row after row
	t := [][]float64{} // lower triangle of T: t[i][j], j ≤ i
	coef := make([]float64, limit)
	w := make([]float64, n)
	for range s.Block {
		draw(r, Gaussian, w)
		q.extend(w, 0, r, coef)
	}
	want := min(n, s.Top+s.Bottom)
	nextCheck := want
	var rz *ritz
	restarts := 0
	for {
		start, m := len(hq)/n, q.len() // the new block is q[start:m]
		blk := q.rows[start*n : m*n]
		hb := make([]float64, len(blk))
		if err := p.apply(ctx, hb, blk); err != nil {
			return nil, err
		}
		hq = append(hq, hb...)
		// New rows of T: T_ij = ½(q_i·Hq_j + q_j·Hq_i) for the new j.
		all := blas64.General{Rows: m, Cols: n, Stride: n, Data: q.rows[:m*n]}
		hall := blas64.General{Rows: m, Cols: n, Stride: n, Data: hq}
		c1, c2 := make([]float64, m), make([]float64, m)
		for j := start; j < m; j++ {
			blas64.Gemv(blas.NoTrans, 1, all, vec(hq[j*n:(j+1)*n]), 0, vec(c1))
			blas64.Gemv(blas.NoTrans, 1, hall, vec(q.vec(j)), 0, vec(c2))
			row := make([]float64, j+1)
			for i := range row {
				row[i] = (c1[i] + c2[i]) / 2
			}
			t = append(t, row)
		}
		if m == n {
			rz = newRitz(t)
			break
		}
		// The next block: each new product orthogonalised against the
		// whole basis. Its norms bound the residuals (estimates).
		next := make([]float64, len(hb))
		copy(next, hb)
		bsz := m - start
		refs := make([]float64, bsz)
		for c := range bsz {
			wc := next[c*n : (c+1)*n]
			refs[c] = floats.Norm(wc, 2)
			q.project(wc, coef)
		}
		if m >= nextCheck || m >= limit {
			rz = newRitz(t)
			if rz == nil {
				return nil, fmt.Errorf("%w: the eigendecomposition of the %d×%d projected matrix failed", ErrNotConverged, m, m)
			}
			tol := s.Tol * rz.scale()
			ok := m >= want
			for _, i := range rz.wanted(s.Top, s.Bottom) {
				if !ok {
					break
				}
				// ‖Σ_c s[start+c]·next_c‖ estimates the residual.
				est := make([]float64, n)
				for c := range bsz {
					floats.AddScaled(est, rz.vecs.At(start+c, i), next[c*n:(c+1)*n])
				}
				ok = floats.Norm(est, 2) <= tol
			}
			if ok && rz.converged(q, hq, s, tol) {
				break
			}
			nextCheck = m + max(1, m/16)
		}
		if m >= limit {
			break
		}
		rz = nil
		for c := range min(bsz, n-m, limit-m) {
			if _, kept := q.extend(next[c*n:(c+1)*n], deflTol*refs[c], r, coef); !kept {
				restarts++
			}
		}
	}
	if rz == nil {
		return nil, fmt.Errorf("%w: the eigendecomposition of the projected matrix failed", ErrNotConverged)
	}
	res := rz.result(q, hq, s)
	res.Products = p.count
	res.HVP = Describe(op)
	res.Exhausted = q.len() == n
	res.Restarts = restarts
	if s.Block == 1 {
		res.Method = "lanczos (full reorthogonalisation, rayleigh-ritz)"
	} else {
		res.Method = fmt.Sprintf("block lanczos (block %d, full reorthogonalisation, rayleigh-ritz)", s.Block)
	}
	if !res.Converged {
		bad, worst := 0, 0.0
		for _, e := range append(append([]Eigenpair{}, res.Top...), res.Bottom...) {
			if !e.Converged {
				bad++
				worst = max(worst, e.Residual)
			}
		}
		return res, fmt.Errorf("%w: %d eigenpairs have residuals above %.3g after %d products (largest %.3g); allow more products", ErrNotConverged, bad, res.Tol, res.Products, worst)
	}
	return res, nil
}

func vec(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }

// ritz is the eigendecomposition of T: values ascending, vectors in the
// columns.
type ritz struct {
	vals []float64
	vecs *mat.Dense
}

func newRitz(t [][]float64) *ritz {
	m := len(t)
	sym := mat.NewSymDense(m, nil)
	for i, row := range t {
		for j, v := range row {
			sym.SetSym(i, j, v)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil
	}
	z := &ritz{vals: eig.Values(nil), vecs: new(mat.Dense)}
	eig.VectorsTo(z.vecs)
	return z
}

func (z *ritz) scale() float64 {
	return max(math.Abs(z.vals[0]), math.Abs(z.vals[len(z.vals)-1]))
}

// wanted are the indices of the Top largest values, largest first, then
// of the Bottom smallest, smallest first.
func (z *ritz) wanted(top, bottom int) []int {
	m := len(z.vals)
	var idx []int
	for i := range min(top, m) {
		idx = append(idx, m-1-i)
	}
	for i := range min(bottom, m) {
		idx = append(idx, i)
	}
	return idx
}

// pair is Ritz pair i: the vector y = Qᵀs normalised, and its residual
// ‖Hy − θy‖ with Hy = (HQ)ᵀs.
func (z *ritz) pair(q *basis, hq []float64, i int) Eigenpair {
	m, n := len(z.vals), q.n
	s := mat.Col(nil, i, z.vecs)
	y, hy := make([]float64, n), make([]float64, n)
	blas64.Gemv(blas.Trans, 1, blas64.General{Rows: m, Cols: n, Stride: n, Data: q.rows[:m*n]}, vec(s), 0, vec(y))
	blas64.Gemv(blas.Trans, 1, blas64.General{Rows: m, Cols: n, Stride: n, Data: hq[:m*n]}, vec(s), 0, vec(hy))
	nrm := floats.Norm(y, 2)
	floats.Scale(1/nrm, y)
	floats.Scale(1/nrm, hy)
	th := z.vals[i]
	floats.AddScaled(hy, -th, y)
	res := floats.Norm(hy, 2)
	signFix(y)
	return Eigenpair{Value: th, Vector: y, Residual: res}
}

// converged computes the wanted pairs' exact residuals and reports whether
// all are within tol.
func (z *ritz) converged(q *basis, hq []float64, s LanczosSettings, tol float64) bool {
	for _, i := range z.wanted(s.Top, s.Bottom) {
		if z.pair(q, hq, i).Residual > tol {
			return false
		}
	}
	return true
}

func (z *ritz) result(q *basis, hq []float64, s LanczosSettings) *Eigs {
	res := &Eigs{RelTol: s.Tol, Scale: z.scale(), Basis: len(z.vals), Seed: s.Seed, Converged: true}
	res.Tol = s.Tol * res.Scale
	for k, i := range z.wanted(s.Top, s.Bottom) {
		e := z.pair(q, hq, i)
		e.Converged = e.Residual <= res.Tol
		res.Converged = res.Converged && e.Converged
		if k < s.Top {
			res.Top = append(res.Top, e)
		} else {
			res.Bottom = append(res.Bottom, e)
		}
	}
	return res
}
