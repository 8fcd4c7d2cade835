package critical

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/compute"
)

// Kind is what a critical point is.
type Kind int

// The kinds of critical points, by the signs of the Hessian's eigenvalues.
const (
	// Minimum: every eigenvalue positive.
	Minimum Kind = iota
	// Maximum: every eigenvalue negative.
	Maximum
	// Saddle: eigenvalues of both signs, none zero.
	Saddle
	// Degenerate: an eigenvalue is zero (within the tolerance); the
	// second derivatives do not tell the kind.
	Degenerate
)

var kindNames = []string{"minimum", "maximum", "saddle", "degenerate"}

// String is the kind's name.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText writes the kind's name (JSON reports carry words).
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("%w: kind %d", ErrInvalid, int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads what MarshalText wrote.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown kind %q", ErrInvalid, b)
}

// MaxDense is the largest dimension whose Hessian's eigenvalues are
// computed densely (gonum's EigenSym); above it a point is not classified
// (ErrTooLarge).
const MaxDense = 1024

// Eigenvalues are the eigenvalues of the symmetric d×d matrix h
// (row-major), in ascending order.
func Eigenvalues(h []float64, d int) ([]float64, error) {
	if d < 1 || len(h) != d*d {
		return nil, fmt.Errorf("%w: %d values for a %d×%d matrix", ErrInvalid, len(h), d, d)
	}
	if !Finite(h) {
		return nil, fmt.Errorf("%w: the Hessian is not finite", ErrInvalid)
	}
	if d == 1 {
		return []float64{h[0]}, nil
	}
	if d == 2 {
		lo, hi := compute.Eigen2(h[0], (h[1]+h[2])/2, h[3])
		return []float64{lo, hi}, nil
	}
	if d > MaxDense {
		return nil, fmt.Errorf("%w: %d parameters (at most %d)", ErrTooLarge, d, MaxDense)
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), false) {
		return nil, fmt.Errorf("%w: the eigendecomposition did not converge", ErrInvalid)
	}
	v := es.Values(nil)
	sort.Float64s(v)
	return v, nil
}

// Eigen is the eigenvalues of the symmetric d×d matrix h (row-major),
// ascending, and their unit eigenvectors (vecs[i] belongs to vals[i]), up
// to MaxDense.
func Eigen(h []float64, d int) (vals []float64, vecs [][]float64, err error) {
	if d < 1 || len(h) != d*d {
		return nil, nil, fmt.Errorf("%w: %d values for a %d×%d matrix", ErrInvalid, len(h), d, d)
	}
	if d > MaxDense {
		return nil, nil, fmt.Errorf("%w: %d parameters (at most %d)", ErrTooLarge, d, MaxDense)
	}
	if !Finite(h) {
		return nil, nil, fmt.Errorf("%w: the Hessian is not finite", ErrInvalid)
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), true) {
		return nil, nil, fmt.Errorf("%w: the eigendecomposition did not converge", ErrInvalid)
	}
	raw := es.Values(nil)
	var m mat.Dense
	es.VectorsTo(&m)
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return raw[order[a]] < raw[order[b]] })
	for _, i := range order {
		vals = append(vals, raw[i])
		vecs = append(vecs, mat.Col(nil, i, &m))
	}
	return vals, vecs, nil
}

// Classify is the kind and the index (the number of negative eigenvalues)
// of a critical point whose Hessian has the eigenvalues eig (ascending):
// an eigenvalue is zero when its magnitude is at most tol times the
// largest magnitude, or times scale when that is larger.
func Classify(eig []float64, tol, scale float64) (Kind, int) {
	big := scale
	for _, l := range eig {
		big = math.Max(big, math.Abs(l))
	}
	zero := tol * big
	neg, pos, null := 0, 0, 0
	for _, l := range eig {
		switch {
		case l < -zero:
			neg++
		case l > zero:
			pos++
		default:
			null++
		}
	}
	switch {
	case null > 0:
		return Degenerate, neg
	case neg == 0:
		return Minimum, 0
	case pos == 0:
		return Maximum, neg
	}
	return Saddle, neg
}

// Point is a classified point of a Func.
type Point struct {
	X        []float64 `json:"x"`
	Value    float64   `json:"value"`
	GradNorm float64   `json:"grad_norm"`
	// Eigenvalues of the Hessian, ascending.
	Eigenvalues []float64 `json:"eigenvalues"`
	Kind        Kind      `json:"kind"`
	// Index is the number of negative eigenvalues.
	Index int `json:"index"`
}

// ClassifyAt evaluates f's gradient and Hessian at x and classifies x by
// the Hessian's eigenvalues (s.EigTol, s.CurvScale; s.Step is not used):
// whether x is critical at all its GradNorm tells. Dimensions above
// MaxDense give ErrTooLarge.
func ClassifyAt(ctx context.Context, f Func, x []float64, s Settings) (Point, error) {
	d := f.Dim()
	if len(x) != d {
		return Point{}, fmt.Errorf("%w: a point of %d values; the function has %d parameters", ErrInvalid, len(x), d)
	}
	if d > MaxDense {
		return Point{}, fmt.Errorf("%w: %d parameters (at most %d)", ErrTooLarge, d, MaxDense)
	}
	s.Step = 1
	s, _ = s.resolved()
	var p Point
	err := evalRuns(ctx, f, x, func(_ int, v float64, g, h []float64) {
		p = Point{X: append([]float64(nil), x...), Value: v, GradNorm: norm(g)}
		p.Eigenvalues, _ = Eigenvalues(h, d)
	})
	if err != nil {
		return Point{}, err
	}
	if p.Eigenvalues == nil {
		return p, fmt.Errorf("%w: the Hessian at the point is not finite", ErrInvalid)
	}
	p.Kind, p.Index = Classify(p.Eigenvalues, s.EigTol, s.CurvScale)
	return p, nil
}

// Describe is a kind in words, with the index of a saddle: "a minimum",
// "a saddle (index 1)", "a maximum", "a degenerate point".
func Describe(k Kind, index int) string {
	switch k {
	case Saddle:
		return fmt.Sprintf("a saddle (index %d)", index)
	case Degenerate:
		return "a degenerate point"
	}
	return "a " + k.String()
}
