package compute

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/landscape-go/landscape/sdk/grid"
)

// Quantity is what a map of a surface shows at each grid point.
type Quantity int

// The quantities. The curvature ones are of the plane Hessian: the Hessian
// of (x, y) ↦ f(origin + x·u + y·v), which for an axis plane of a 2-D
// surface is the surface's full Hessian.
const (
	// QLoss is the loss.
	QLoss Quantity = iota
	// QGradNorm is the norm of the full gradient.
	QGradNorm
	// QMinEig and QMaxEig are the plane Hessian's smaller and larger
	// eigenvalues.
	QMinEig
	QMaxEig
	// QEigRatio is |λmin/λmax| of the plane Hessian (loss-landscape's
	// curvature maps): near 0 where the surface is convex along the plane,
	// large where it curves both ways.
	QEigRatio
	// QTrace and QDet are its trace and determinant.
	QTrace
	QDet
	// QIndex is its number of negative eigenvalues: 0 (a minimum's shape),
	// 1 (a saddle's) or 2 (a maximum's).
	QIndex
)

var quantityNames = []string{"loss", "grad-norm", "min-eig", "max-eig", "eig-ratio", "trace", "det", "index"}

// Quantities are the quantities' names, in order.
func Quantities() []string { return append([]string(nil), quantityNames...) }

// String is q's name.
func (q Quantity) String() string {
	if q >= 0 && int(q) < len(quantityNames) {
		return quantityNames[q]
	}
	return fmt.Sprintf("quantity(%d)", int(q))
}

// ParseQuantity reads a quantity's name.
func ParseQuantity(s string) (Quantity, error) {
	for i, n := range quantityNames {
		if s == n {
			return Quantity(i), nil
		}
	}
	return 0, fmt.Errorf("accepted: %s", strings.Join(quantityNames, ", "))
}

// Curvature reports whether q needs second derivatives.
func (q Quantity) Curvature() bool { return q >= QMinEig }

// Curvatures holds, for every point of a grid (row-major y-by-x, as Field),
// the loss, the norm of the full gradient and the plane Hessian (Huu, Huv,
// Hvv: second derivatives along u, across, and along v), NaN where the
// surface is undefined or not twice differentiable. Method says how the
// Hessian was obtained ("exact", "gradient differences", "loss
// differences").
type Curvatures struct {
	Grid           Grid
	Loss, GradNorm []float32
	Huu, Huv, Hvv  []float32
	Method         string
	// Lo and Hi, when not nil, are the smallest and largest eigenvalues of
	// the full Hessian at each point (not the plane's), and the Huu, Huv,
	// Hvv are unset: Field then gives min-eig, max-eig and eig-ratio of the
	// full Hessian (see FullQuantity).
	Lo, Hi []float32
}

// FullQuantity reports whether q can be had from the full Hessian's
// extreme eigenvalues alone.
func FullQuantity(q Quantity) bool {
	return q == QLoss || q == QGradNorm || q == QMinEig || q == QMaxEig || q == QEigRatio
}

// NewCurvatures allocates Curvatures for g.
func NewCurvatures(g Grid) *Curvatures {
	n := g.Len()
	return &Curvatures{Grid: g, Loss: make([]float32, n), GradNorm: make([]float32, n),
		Huu: make([]float32, n), Huv: make([]float32, n), Hvv: make([]float32, n)}
}

// Field is q at every grid point, computed in float64 from the stored
// values.
func (c *Curvatures) Field(q Quantity) *Field {
	f := NewField(c.Grid)
	for k := range f.Values {
		if c.Lo != nil {
			// The extremes as a diagonal matrix give the same min, max and
			// ratio.
			f.Values[k] = grid.ToFloat32(Quantify(q, float64(c.Loss[k]), float64(c.GradNorm[k]), float64(c.Lo[k]), 0, float64(c.Hi[k])))
			continue
		}
		f.Values[k] = grid.ToFloat32(Quantify(q, float64(c.Loss[k]), float64(c.GradNorm[k]), float64(c.Huu[k]), float64(c.Huv[k]), float64(c.Hvv[k])))
	}
	return f
}

// Quantify is q at a point with loss f, gradient norm gn and plane
// Hessian [[huu, huv], [huv, hvv]].
func Quantify(q Quantity, f, gn, huu, huv, hvv float64) float64 {
	switch q {
	case QLoss:
		return f
	case QGradNorm:
		return gn
	}
	lo, hi := Eigen2(huu, huv, hvv)
	switch q {
	case QMinEig:
		return lo
	case QMaxEig:
		return hi
	case QEigRatio:
		if hi == 0 && lo == 0 {
			return 0
		}
		return math.Abs(lo / hi)
	case QTrace:
		return huu + hvv
	case QDet:
		return huu*hvv - huv*huv
	case QIndex:
		if math.IsNaN(lo) || math.IsNaN(hi) {
			return math.NaN()
		}
		// Negative beyond rounding: relative to the larger magnitude.
		tol := 1e-6 * math.Max(math.Abs(lo), math.Abs(hi))
		n := 0.0
		for _, l := range []float64{lo, hi} {
			if l < -tol {
				n++
			}
		}
		return n
	}
	return math.NaN()
}

// Eigen2 is the eigenvalues of the symmetric 2×2 matrix [[a, b], [b, c]],
// smaller first, computed without cancellation.
func Eigen2(a, b, c float64) (lo, hi float64) {
	m := (a + c) / 2
	r := math.Hypot((a-c)/2, b)
	if math.IsNaN(m) || math.IsNaN(r) {
		return math.NaN(), math.NaN()
	}
	hi, lo = m+r, m-r
	// The smaller-magnitude eigenvalue from the determinant, which is exact
	// where m ± r cancels.
	if det := a*c - b*b; math.Abs(hi) >= math.Abs(lo) && hi != 0 {
		lo = det / hi
	} else if lo != 0 {
		hi = det / lo
	}
	return lo, hi
}

// CurvatureSource fills Curvatures rows on the CPU: the loss, gradient
// norm and plane Hessian of rows [row0, row1) of p, each slice of dst
// holding (row1−row0)·Nx values.
type CurvatureSource interface {
	Kernel() Kernel
	CurvatureRows(ctx context.Context, p grid.Plane, row0, row1 int, dst *Curvatures, progress func(rows int)) (method string, err error)
}

// ErrNoCurvature: a backend cannot compute the plane Hessian of a surface.
var ErrNoCurvature = errors.New("compute: no curvature")
