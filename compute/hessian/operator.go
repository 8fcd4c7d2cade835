package hessian

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Sentinel errors, for errors.Is. Errors of an Operator, a Gradient or a
// Loss are returned wrapped as they are, and so is the context's error
// when ctx ends.
var (
	// ErrInvalid: an operator, a matrix, a group or a setting that cannot
	// be used (wrong sizes, negative counts, more eigenpairs than the
	// dimension, ...).
	ErrInvalid = errors.New("hessian: invalid input")
	// ErrTooLarge: a dense analysis above its dimension limit (see
	// DefaultMaxDense); the matrix-free methods (Lanczos) have none.
	ErrTooLarge = errors.New("hessian: too large for a dense analysis")
	// ErrNonFinite: a Hessian-vector product with a NaN or an infinite
	// entry, where a matrix-free method cannot go on (the surface is not
	// twice differentiable at the point, or overflowed).
	ErrNonFinite = errors.New("hessian: non-finite hessian-vector product")
	// ErrNotConverged: Lanczos stopped at its product limit before every
	// requested eigenpair's residual met the tolerance. The result is
	// returned with the error and holds the residuals.
	ErrNotConverged = errors.New("hessian: did not converge")
)

func errInvalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Operator is a Hessian at a point, seen through its products with
// vectors: a symmetric linear map of R^Dim. One call takes a batch of
// vectors, so that an operator served by a plugin, or on a GPU, answers
// many products per round trip.
type Operator interface {
	// Dim is the dimension (at least 1).
	Dim() int
	// Apply sets dst to the products of the Hessian with the vectors in
	// vs: vs holds k = len(vs)/Dim vectors one after another, and dst
	// receives H·v for each, in the same layout. len(dst) == len(vs), a
	// multiple of Dim; dst and vs do not overlap. Apply may return NaN
	// entries where the Hessian is undefined; the analyses report them.
	Apply(ctx context.Context, dst, vs []float64) error
}

// Describer is an Operator that says how its products are computed
// ("exact", "central differences of the gradient (step 6.1e-06)", ...).
// Every result of this package carries that text, as its HVP field.
type Describer interface {
	Describe() string
}

// Describe is how op's products are computed: its Describe(), or
// "unspecified hessian-vector products" when op says nothing.
func Describe(op Operator) string {
	if d, ok := op.(Describer); ok {
		return d.Describe()
	}
	return "unspecified hessian-vector products"
}

// maxBatchFloats bounds the floats of one Apply call that this package
// makes (32 MiB of vectors): larger batches are split into several calls.
const maxBatchFloats = 1 << 22

// products applies an Operator for the analyses: it checks sizes, splits
// large batches, counts products and, when finite is set, turns a
// non-finite product into ErrNonFinite.
type products struct {
	op     Operator
	n      int
	count  int
	finite bool
}

func newProducts(op Operator, finite bool) (*products, error) {
	if op == nil {
		return nil, errInvalid("no operator")
	}
	n := op.Dim()
	if n < 1 {
		return nil, errInvalid("operator of dimension %d", n)
	}
	return &products{op: op, n: n, finite: finite}, nil
}

// apply sets dst to H·vs (len(vs)/n vectors).
func (p *products) apply(ctx context.Context, dst, vs []float64) error {
	k := len(vs) / p.n
	chunk := max(1, maxBatchFloats/p.n)
	for i := 0; i < k; i += chunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("hessian: %w", err)
		}
		j := min(k, i+chunk)
		d, v := dst[i*p.n:j*p.n], vs[i*p.n:j*p.n]
		if err := p.op.Apply(ctx, d, v); err != nil {
			return fmt.Errorf("hessian: products: %w", err)
		}
		p.count += j - i
		if p.finite {
			for e, x := range d {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("%w: entry %d of the product with vector %d is %v", ErrNonFinite, e%p.n, i+e/p.n, x)
				}
			}
		}
	}
	return nil
}

// checkBatch is the size check every Operator of this package makes.
func checkBatch(n int, dst, vs []float64) error {
	if len(vs)%n != 0 || len(dst) != len(vs) {
		return errInvalid("a batch of %d values into %d for dimension %d", len(vs), len(dst), n)
	}
	return nil
}

// Matrix is the Operator of a dense symmetric matrix: exact products.
func Matrix(a mat.Symmetric) Operator { return matrixOp{a} }

type matrixOp struct{ a mat.Symmetric }

func (m matrixOp) Dim() int         { return m.a.SymmetricDim() }
func (m matrixOp) Describe() string { return "exact (dense matrix)" }

func (m matrixOp) Apply(_ context.Context, dst, vs []float64) error {
	n := m.Dim()
	if err := checkBatch(n, dst, vs); err != nil {
		return err
	}
	k := len(vs) / n
	if k == 0 {
		return nil
	}
	// Rows of V·A are (A·v)ᵀ since A is symmetric.
	mat.NewDense(k, n, dst).Mul(mat.NewDense(k, n, vs), m.a)
	return nil
}

// Gradient evaluates a gradient at a batch of points: points holds
// len(points)/dim points one after another, and dst receives each one's
// gradient in the same layout.
type Gradient func(ctx context.Context, dst, points []float64) error

// DefaultStep is the relative step of Differences: ε^(1/3) for float64
// (∛2⁻⁵²), which balances the truncation error of a central difference
// (O(t²)) against the rounding of the gradients (O(ε/t)).
const DefaultStep = 6.055454452393339e-06

// defaultLossStep is LossHessian's: ε^(1/4) = 2⁻¹³, which balances O(t²)
// against the O(ε/t²) rounding of second differences of losses.
const defaultLossStep = 0x1p-13

// Differences is the Operator of the Hessian at x by central differences
// of grad: for a vector v ≠ 0 with u = v/‖v‖,
//
//	H·v ≈ ‖v‖ · (∇f(x + t·u) − ∇f(x − t·u)) / (2t),  t = step·max(1, ‖x‖∞),
//
// two gradients per product, all of a batch in one call of grad. A step
// of 0 means DefaultStep. Products are accurate to O(t²) and are neither
// exactly linear nor exactly symmetric; the dense analysis reports the
// asymmetry this leaves.
func Differences(grad Gradient, x []float64, step float64) (Operator, error) {
	if grad == nil {
		return nil, errInvalid("no gradient function")
	}
	t, err := diffStep(x, step, DefaultStep)
	if err != nil {
		return nil, err
	}
	return &diffOp{grad: grad, x: append([]float64(nil), x...), t: t}, nil
}

// diffStep checks a point and a relative step (0: def) and returns the
// absolute step step·max(1, ‖x‖∞).
func diffStep(x []float64, step, def float64) (float64, error) {
	if len(x) == 0 {
		return 0, errInvalid("an empty point")
	}
	if step == 0 {
		step = def
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return 0, errInvalid("difference step %v: it must be positive and finite", step)
	}
	scale := 1.0
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, errInvalid("coordinate %d of the point is %v", i, v)
		}
		scale = max(scale, math.Abs(v))
	}
	return step * scale, nil
}

type diffOp struct {
	grad Gradient
	x    []float64
	t    float64
}

func (d *diffOp) Dim() int { return len(d.x) }

func (d *diffOp) Describe() string {
	return fmt.Sprintf("central differences of the gradient (step %.3g)", d.t)
}

func (d *diffOp) Apply(ctx context.Context, dst, vs []float64) error {
	n := len(d.x)
	if err := checkBatch(n, dst, vs); err != nil {
		return err
	}
	k := len(vs) / n
	norms := make([]float64, k)
	var pts []float64
	for j := range k {
		v := vs[j*n : (j+1)*n]
		norms[j] = floats.Norm(v, 2)
		if norms[j] == 0 {
			continue
		}
		s := d.t / norms[j]
		for _, sign := range [2]float64{1, -1} {
			for i, xi := range d.x {
				pts = append(pts, xi+sign*s*v[i])
			}
		}
	}
	grads := make([]float64, len(pts))
	if len(pts) > 0 {
		if err := d.grad(ctx, grads, pts); err != nil {
			return err
		}
	}
	p := 0
	for j := range k {
		out := dst[j*n : (j+1)*n]
		if norms[j] == 0 {
			clear(out)
			continue
		}
		c := norms[j] / (2 * d.t)
		gp, gm := grads[p*n:(p+1)*n], grads[(p+1)*n:(p+2)*n]
		for i := range out {
			out[i] = c * (gp[i] - gm[i])
		}
		p += 2
	}
	return nil
}

// Restrict is the Operator of the diagonal block of op on the n
// coordinates from start: H_BB·v is H·(v placed at those coordinates,
// zero elsewhere), read back at those coordinates. A parameter group's
// block is Restrict(op, g.Start, g.Len).
func Restrict(op Operator, start, n int) (Operator, error) {
	if op == nil {
		return nil, errInvalid("no operator")
	}
	if dim := op.Dim(); start < 0 || n < 1 || start+n > dim {
		return nil, errInvalid("block [%d, %d) outside the %d coordinates", start, start+n, dim)
	}
	return &blockOp{op: op, start: start, n: n}, nil
}

type blockOp struct {
	op       Operator
	start, n int
}

func (b *blockOp) Dim() int         { return b.n }
func (b *blockOp) Describe() string { return Describe(b.op) }

func (b *blockOp) Apply(ctx context.Context, dst, vs []float64) error {
	if err := checkBatch(b.n, dst, vs); err != nil {
		return err
	}
	k, dim := len(vs)/b.n, b.op.Dim()
	full := make([]float64, k*dim)
	for j := range k {
		copy(full[j*dim+b.start:], vs[j*b.n:(j+1)*b.n])
	}
	out := make([]float64, k*dim)
	if err := b.op.Apply(ctx, out, full); err != nil {
		return err
	}
	for j := range k {
		copy(dst[j*b.n:(j+1)*b.n], out[j*dim+b.start:j*dim+b.start+b.n])
	}
	return nil
}

// Loss evaluates a loss at a batch of points: points holds len(dst)
// points one after another, and dst receives their losses.
type Loss func(ctx context.Context, dst, points []float64) error

// LossHessian is the Hessian at x by central differences of loss alone,
// for surfaces without a gradient, with t = step·max(1, ‖x‖∞) (step 0:
// ε^(1/4), which balances O(t²) truncation against O(ε/t²) rounding):
//
//	H_ii = (f(x+t·e_i) − 2f(x) + f(x−t·e_i)) / t²
//	H_ij = (f(x+t·e_i+t·e_j) − f(x+t·e_i−t·e_j) − f(x−t·e_i+t·e_j) + f(x−t·e_i−t·e_j)) / (4t²)
//
// It takes 2n² − n + 1 losses, all in one call of loss, and refuses
// dimensions above maxDim (0: DefaultMaxDense) with ErrTooLarge. The
// matrix is symmetric by construction; NaN losses leave NaN entries.
func LossHessian(ctx context.Context, loss Loss, x []float64, step float64, maxDim int) (*mat.SymDense, error) {
	if loss == nil {
		return nil, errInvalid("no loss function")
	}
	t, err := diffStep(x, step, defaultLossStep)
	if err != nil {
		return nil, err
	}
	n := len(x)
	if maxDim == 0 {
		maxDim = DefaultMaxDense
	}
	if n > maxDim {
		return nil, fmt.Errorf("%w: dimension %d is above the limit of %d", ErrTooLarge, n, maxDim)
	}
	// Points: x, then x±t·e_i, then for i<j the four x±t·e_i±t·e_j.
	pts := append(make([]float64, 0, (2*n*n-n+1)*n), x...)
	add := func(i int, si float64, j int, sj float64) {
		o := len(pts)
		pts = append(pts, x...)
		pts[o+i] += si * t
		if j >= 0 {
			pts[o+j] += sj * t
		}
	}
	for i := range n {
		add(i, 1, -1, 0)
		add(i, -1, -1, 0)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			add(i, 1, j, 1)
			add(i, 1, j, -1)
			add(i, -1, j, 1)
			add(i, -1, j, -1)
		}
	}
	f := make([]float64, len(pts)/n)
	if err := loss(ctx, f, pts); err != nil {
		return nil, fmt.Errorf("hessian: losses: %w", err)
	}
	h := mat.NewSymDense(n, nil)
	for i := range n {
		h.SetSym(i, i, (f[1+2*i]-2*f[0]+f[2+2*i])/(t*t))
	}
	p := 1 + 2*n
	for i := range n {
		for j := i + 1; j < n; j++ {
			h.SetSym(i, j, (f[p]-f[p+1]-f[p+2]+f[p+3])/(4*t*t))
			p += 4
		}
	}
	return h, nil
}
