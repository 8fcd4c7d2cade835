package compute

// Directions and planes through parameter space: random and
// filter-normalized directions, PCA planes of optimizer trajectories,
// projections onto planes, and 1-D slices (lines and interpolation between
// two parameter vectors), after Li et al. 2018, "Visualizing the Loss
// Landscape of Neural Nets" (arXiv:1712.09913) and its reference code
// (github.com/tomgoldstein/loss-landscape).

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// ErrDirections: directions, planes, lines or trajectories that cannot be
// used (zero, parallel or non-finite directions, mismatched lengths,
// degenerate trajectories). Every error of this file wraps it.
var ErrDirections = errors.New("compute: bad directions")

// ErrParallel: two plane directions are parallel (it wraps ErrDirections).
var ErrParallel = fmt.Errorf("%w: plane directions are parallel", ErrDirections)

func errDirections(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrDirections, fmt.Sprintf(format, a...))
}

// parallelTol is how close to 1 |cos(u, v)| may come before two plane
// directions count as parallel.
const parallelTol = 1e-9

// RandomDirection returns a direction of dim N(0, 1) entries drawn from a
// PCG generator seeded with seed: the same seed gives the same direction on
// every platform and Go release that keeps math/rand/v2's PCG and
// NormFloat64 (the Go 1 compatibility promise covers both).
func RandomDirection(dim int, seed uint64) []float64 {
	if dim < 0 {
		dim = 0
	}
	// The second PCG word is a fixed arbitrary constant so that seed alone
	// picks the stream.
	r := rand.New(rand.NewPCG(seed, 0x6c616e6473636170)) // "landscap"
	d := make([]float64, dim)
	for i := range d {
		d[i] = r.NormFloat64()
	}
	return d
}

// BiasRule is what FilterNormalize does with the direction of a bias
// group (sdk.GroupBias: a layer's biases, batch-norm parameters, a
// scalar).
type BiasRule int

const (
	// BiasZero zeroes it: loss-landscape's ignore='biasbn', Li et al.'s
	// choice (the default).
	BiasZero BiasRule = iota
	// BiasCopy sets it to the origin's values: loss-landscape's
	// behaviour without ignore='biasbn'.
	BiasCopy
	// BiasRescale rescales it as a filter is rescaled (landscape's rule
	// before it followed loss-landscape).
	BiasRescale
)

// filterEps is loss-landscape's guard against a zero filter:
// d.mul_(w.norm()/(d.norm() + 1e-10)).
const filterEps = 1e-10

// FilterNormalize returns a copy of d normalized group by group as Li et
// al.'s filter normalization, exactly as loss-landscape's
// normalize_directions_for_weights(direction, weights, norm='filter',
// ignore) computes it (net_plotter.py), with θ = origin:
//
//   - a filter group g (sdk.GroupFilter: one output unit's incoming
//     weights) is rescaled to the norm of the origin's filter,
//     d_g ← d_g · ‖θ_g‖ / (‖d_g‖ + 1e-10): it keeps its orientation, and a
//     filter of the origin that is zero gets a zero direction;
//   - a bias group (sdk.GroupBias: a tensor of one dimension or none) is
//     zeroed (BiasZero, ignore='biasbn'), set to the origin's values
//     (BiasCopy, d = θ, loss-landscape without ignore) or rescaled as a
//     filter (BiasRescale).
//
// Groups are a model's filters and bias vectors as sdk.Info.Groups
// declares them. Parameters that no group covers are left as they are in
// d: a surface that wants them normalized declares them as groups of their
// own (sdk.Group's doc says groups partition the parameters). With no
// groups, the whole vector is one filter: d is rescaled to ‖origin‖.
//
// It fails with ErrDirections when the lengths differ, a group lies
// outside the vector or overlaps another, a value is not finite, or the
// rule is unknown. d and origin are not modified.
func FilterNormalize(d, origin []float64, groups []sdk.Group, bias BiasRule) ([]float64, error) {
	if len(d) != len(origin) {
		return nil, errDirections("direction has %d values, origin %d", len(d), len(origin))
	}
	if len(d) == 0 {
		return nil, errDirections("empty direction")
	}
	if bias < BiasZero || bias > BiasRescale {
		return nil, errDirections("bias rule %d", bias)
	}
	if err := checkFinite("direction", d); err != nil {
		return nil, err
	}
	if err := checkFinite("origin", origin); err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		groups = []sdk.Group{{Name: "all", Start: 0, Len: len(d)}}
	}
	owner := make([]int, len(d)) // 1 + index of the group that covers each parameter
	for gi, g := range groups {
		if g.Start < 0 || g.Len < 1 || g.Start > len(d)-g.Len {
			return nil, errDirections("group %q [%d,+%d) is outside %d parameters", g.Name, g.Start, g.Len, len(d))
		}
		for k := g.Start; k < g.Start+g.Len; k++ {
			if o := owner[k]; o != 0 {
				return nil, errDirections("groups %q and %q overlap at parameter %d", groups[o-1].Name, g.Name, k)
			}
			owner[k] = gi + 1
		}
	}
	out := make([]float64, len(d))
	copy(out, d)
	for _, g := range groups {
		dg, wg := out[g.Start:g.Start+g.Len], origin[g.Start:g.Start+g.Len]
		switch {
		case g.Kind == sdk.GroupBias && bias == BiasZero:
			clear(dg)
		case g.Kind == sdk.GroupBias && bias == BiasCopy:
			copy(dg, wg)
		default:
			floats.Scale(floats.Norm(wg, 2)/(floats.Norm(dg, 2)+filterEps), dg)
		}
	}
	return out, nil
}

// checkFinite reports the first NaN or ±Inf of v.
func checkFinite(name string, v []float64) error {
	for k, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errDirections("%s[%d] = %v is not finite", name, k, x)
		}
	}
	return nil
}

// checkDirection reports an empty, non-finite or zero direction and
// returns its norm.
func checkDirection(name string, d []float64) (float64, error) {
	if len(d) == 0 {
		return 0, errDirections("direction %s is empty", name)
	}
	if err := checkFinite("direction "+name, d); err != nil {
		return 0, err
	}
	n := floats.Norm(d, 2)
	if n == 0 {
		return 0, errDirections("direction %s is zero", name)
	}
	return n, nil
}

// CheckLineDirection reports whether d can span a 1-D slice: it must be
// non-empty, finite and non-zero.
func CheckLineDirection(d []float64) error {
	_, err := checkDirection("d", d)
	return err
}

// CheckPlaneDirections reports whether u and v span a plane: both of one
// length, finite, non-zero and not parallel (|cos(u, v)| ≤ 1 − 1e-9). They
// need not be orthogonal or of unit length.
func CheckPlaneDirections(u, v []float64) error {
	_, err := planeGram(u, v)
	return err
}

// planeGram checks u and v as CheckPlaneDirections does and returns their
// Gram matrix [u·u, u·v, v·v].
func planeGram(u, v []float64) ([3]float64, error) {
	if len(u) != len(v) {
		return [3]float64{}, errDirections("plane directions have lengths %d and %d", len(u), len(v))
	}
	nu, err := checkDirection("u", u)
	if err != nil {
		return [3]float64{}, err
	}
	nv, err := checkDirection("v", v)
	if err != nil {
		return [3]float64{}, err
	}
	// The cosine from the normalised vectors: u·v can overflow where the
	// norms (computed with scaling) do not.
	var c float64
	for k := range u {
		c += (u[k] / nu) * (v[k] / nv)
	}
	if math.Abs(c) > 1-parallelTol {
		return [3]float64{}, fmt.Errorf("%w (|cos| = %.12g)", ErrParallel, math.Abs(c))
	}
	return [3]float64{nu * nu, c * nu * nv, nv * nv}, nil
}

// PCAResult is a plane through an optimizer trajectory (see PCA).
type PCAResult struct {
	// Origin is the trajectory's last point.
	Origin []float64
	// U and V are the first two principal directions: unit length,
	// orthogonal, each with its largest-magnitude component positive.
	U, V []float64
	// Explained is the fraction of the trajectory's variance along U and
	// along V (scikit-learn's explained_variance_ratio_); the sum is at
	// most 1 (up to rounding).
	Explained [2]float64
	// Coords are the trajectory's points projected on the plane:
	// ((θ_i − Origin)·U, (θ_i − Origin)·V), one per point, in order. The
	// last is (0, 0).
	Coords [][2]float64
}

// Plane is the grid through the PCA plane over the ranges x (along U) and
// y (along V) at nx×ny points. The Plane shares r's vectors.
func (r PCAResult) Plane(x, y sdk.Interval, nx, ny int) grid.Plane {
	return grid.Plane{Origin: r.Origin, U: r.U, V: r.V, X: x, Y: y, Nx: nx, Ny: ny}
}

// Bounds are the ranges of Coords, each widened on both sides by margin
// times its width (0.1 leaves a tenth of the width around the
// trajectory); a range of zero width is widened to ±1 around its value
// instead.
func (r PCAResult) Bounds(margin float64) (x, y sdk.Interval) {
	return coordBounds(r.Coords, 0, margin), coordBounds(r.Coords, 1, margin)
}

func coordBounds(c [][2]float64, axis int, margin float64) sdk.Interval {
	if len(c) == 0 {
		return sdk.Interval{Lo: -1, Hi: 1}
	}
	lo, hi := c[0][axis], c[0][axis]
	for _, p := range c[1:] {
		lo, hi = math.Min(lo, p[axis]), math.Max(hi, p[axis])
	}
	w := hi - lo
	if w == 0 {
		return sdk.Interval{Lo: lo - 1, Hi: hi + 1}
	}
	return sdk.Interval{Lo: lo - margin*w, Hi: hi + margin*w}
}

// PCA finds the plane that best shows an optimizer trajectory, as Li et
// al. do (loss-landscape's setup_PCA_directions): the origin is the LAST
// point (the trained model), and U, V are the first two principal
// components of the differences θ_i − θ_last.
//
// Like the reference code, which fits scikit-learn's PCA to those
// differences, the differences are centred at their mean before the SVD:
// the directions are those of largest variance of the trajectory, and
// Explained is σ_k² / Σσ² of the centred matrix (the explained variance
// ratio). Centring does not move the plane's origin, which stays the last
// point, so Coords are taken relative to it.
//
// Each point is a full parameter vector; points must have one length, at
// least 2. PCA fails with ErrDirections for fewer than 3 points, ragged or
// non-finite points, or a trajectory whose centred points have rank < 2
// (all points on one line, or all the same point): it spans no plane.
func PCA(points [][]float64) (PCAResult, error) {
	n := len(points)
	if n < 3 {
		return PCAResult{}, errDirections("PCA needs at least 3 trajectory points, got %d", n)
	}
	dim := len(points[0])
	if dim < 2 {
		return PCAResult{}, errDirections("PCA needs at least 2 parameters, points have %d", dim)
	}
	for i, p := range points {
		if len(p) != dim {
			return PCAResult{}, errDirections("trajectory point %d has %d values, point 0 has %d", i, len(p), dim)
		}
		if err := checkFinite(fmt.Sprintf("point %d", i), p); err != nil {
			return PCAResult{}, err
		}
	}
	last := points[n-1]
	// M holds the centred differences: (θ_i − θ_last) − mean_i(θ_i − θ_last).
	mean := make([]float64, dim)
	for _, p := range points {
		for k, x := range p {
			mean[k] += x - last[k]
		}
	}
	floats.Scale(1/float64(n), mean)
	m := mat.NewDense(n, dim, nil)
	for i, p := range points {
		row := m.RawRowView(i)
		for k, x := range p {
			row[k] = (x - last[k]) - mean[k]
		}
	}
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThinV) {
		return PCAResult{}, errDirections("the SVD of the trajectory did not converge")
	}
	s := svd.Values(nil)
	// Rank as numpy.linalg.matrix_rank counts it.
	tol := s[0] * float64(max(n, dim)) * 0x1p-52
	switch {
	case s[0] == 0:
		return PCAResult{}, errDirections("the trajectory's %d points are all the same point: PCA needs points that span a plane", n)
	case len(s) < 2 || s[1] <= tol:
		return PCAResult{}, errDirections("the trajectory's %d points lie on a line: PCA needs points that span a plane", n)
	}
	var vt mat.Dense
	svd.VTo(&vt) // dim × min(n, dim): columns are the right singular vectors
	u, v := make([]float64, dim), make([]float64, dim)
	mat.Col(u, 0, &vt)
	mat.Col(v, 1, &vt)
	fixSign(u)
	fixSign(v)
	var total float64
	for _, x := range s {
		total += x * x
	}
	r := PCAResult{
		Origin:    append([]float64(nil), last...),
		U:         u,
		V:         v,
		Explained: [2]float64{s[0] * s[0] / total, s[1] * s[1] / total},
		Coords:    make([][2]float64, n),
	}
	for i, p := range points {
		var a, b float64
		for k, x := range p {
			dk := x - last[k]
			a += dk * u[k]
			b += dk * v[k]
		}
		r.Coords[i] = [2]float64{a, b}
	}
	return r, nil
}

// fixSign flips d so that its largest-magnitude component (the first, on a
// tie) is positive: SVD leaves each singular vector's sign arbitrary.
func fixSign(d []float64) {
	best := 0
	for k, x := range d {
		if math.Abs(x) > math.Abs(d[best]) {
			best = k
		}
	}
	if d[best] < 0 {
		floats.Scale(-1, d)
	}
}

// Project returns the coordinates (a, b) of each point's least-squares
// projection on the plane origin + a·u + b·v: the a, b that minimise
// ‖θ − origin − a·u − b·v‖, from the 2×2 Gram system, so u and v need not
// be orthogonal or of unit length. It fails with ErrDirections for
// mismatched lengths or directions that CheckPlaneDirections rejects.
func Project(points [][]float64, origin, u, v []float64) ([][2]float64, error) {
	if len(origin) != len(u) {
		return nil, errDirections("origin has %d values, directions %d", len(origin), len(u))
	}
	g, err := planeGram(u, v)
	if err != nil {
		return nil, err
	}
	uu, uv, vv := g[0], g[1], g[2]
	det := uu*vv - uv*uv
	out := make([][2]float64, len(points))
	for i, p := range points {
		if len(p) != len(origin) {
			return nil, errDirections("point %d has %d values, the plane %d", i, len(p), len(origin))
		}
		var pu, pv float64
		for k, x := range p {
			dk := x - origin[k]
			pu += dk * u[k]
			pv += dk * v[k]
		}
		// Cramer's rule on [uu uv; uv vv]·(a, b) = (pu, pv).
		out[i] = [2]float64{(pu*vv - pv*uv) / det, (pv*uu - pu*uv) / det}
	}
	return out, nil
}

// Line is a 1-D slice through parameter space sampled at N points:
//
//	θ_i = Origin + t_i·Dir,  t_i = Lo + i·(Hi−Lo)/(N−1),
//
// both ends included, as grid.Plane samples its axes.
type Line struct {
	Origin, Dir []float64
	Lo, Hi      float64
	N           int
	// End, when set, is the point at t = 1 (Interpolation sets it to b).
	// Point then computes t ≥ 1/2 from End backwards, End − (1−t)·Dir, so
	// that t = 1 gives End bit for bit (Origin + 1·Dir may be off by an
	// ulp). It must equal Origin + Dir up to rounding.
	End []float64
}

// Dim is the number of parameters of the line's points.
func (l Line) Dim() int { return len(l.Origin) }

// At is the parameter t of sample i (i = 0 is Lo, i = N−1 is Hi).
func (l Line) At(i int) float64 {
	if i == l.N-1 {
		return l.Hi
	}
	return l.Lo + float64(i)*(l.Hi-l.Lo)/float64(l.N-1)
}

// Point writes the parameters of sample i into dst (len Dim()).
func (l Line) Point(dst []float64, i int) {
	t := l.At(i)
	if len(l.End) == len(l.Origin) && t >= 0.5 {
		s := 1 - t
		for k := range dst {
			dst[k] = l.End[k] - s*l.Dir[k]
		}
		return
	}
	for k := range dst {
		dst[k] = l.Origin[k] + t*l.Dir[k]
	}
}

// Validate checks sizes, the range and the direction.
func (l Line) Validate() error {
	d := len(l.Origin)
	if d < 1 || len(l.Dir) != d || (l.End != nil && len(l.End) != d) {
		return errDirections("line vectors have lengths %d, %d, %d", len(l.Origin), len(l.Dir), len(l.End))
	}
	if l.N < 2 {
		return errDirections("line of %d points needs at least 2", l.N)
	}
	if !(l.Lo < l.Hi) || math.IsInf(l.Lo, 0) || math.IsInf(l.Hi, 0) {
		return errDirections("range [%v, %v] is empty or not finite", l.Lo, l.Hi)
	}
	if err := checkFinite("origin", l.Origin); err != nil {
		return err
	}
	return CheckLineDirection(l.Dir)
}

// Interpolation is the line θ(α) = a + α·(b − a) sampled at n values of α
// from lo to hi: α = 0 is a and α = 1 is b, both exactly (see Line.End);
// lo = -0.5, hi = 1.5 also shows the surface beyond either end, as in
// Goodfellow et al.'s linear interpolation plots. It fails with
// ErrDirections when a and b differ in length, are equal (there is no
// direction), or the line is otherwise invalid. The Line holds copies of a
// and b.
func Interpolation(a, b []float64, lo, hi float64, n int) (Line, error) {
	if len(a) != len(b) {
		return Line{}, errDirections("cannot interpolate between vectors of lengths %d and %d", len(a), len(b))
	}
	if len(a) == 0 {
		return Line{}, errDirections("cannot interpolate between empty vectors")
	}
	if err := checkFinite("a", a); err != nil {
		return Line{}, err
	}
	if err := checkFinite("b", b); err != nil {
		return Line{}, err
	}
	dir := make([]float64, len(a))
	same := true
	for k := range a {
		dir[k] = b[k] - a[k]
		same = same && a[k] == b[k]
	}
	if same {
		return Line{}, errDirections("cannot interpolate between a vector and itself")
	}
	l := Line{
		Origin: append([]float64(nil), a...),
		Dir:    dir,
		End:    append([]float64(nil), b...),
		Lo:     lo, Hi: hi, N: n,
	}
	if err := l.Validate(); err != nil {
		return Line{}, err
	}
	return l, nil
}
