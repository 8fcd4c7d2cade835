// Package curv holds the difference schemes for Hessians and
// Hessian-vector products, shared by the plugin side (package sdk, for a
// surface without exact second derivatives) and the host side (package
// sdk/client, for a plugin that predates the Hessian RPCs), and the limits
// both sides enforce.
//
// Steps. ε = 2⁻⁵² is float64's machine epsilon.
//
//   - Central differences of a gradient, (g(θ+h·v) − g(θ−h·v))/(2h), err
//     by O(h²) (truncation) plus O(ε/h) (rounding of g); the two balance at
//     h ∝ ∛ε ≈ 6.1e-6. Along a coordinate e_k the step is
//     h_k = ∛ε·max(1, |θ_k|); along a vector v it is
//     h = ∛ε·max(1, ‖θ‖∞)/‖v‖∞, so that no coordinate moves by more than
//     ∛ε·max(1, ‖θ‖∞).
//   - Second differences of the loss err by O(h²) plus O(ε/h²), which
//     balance at h ∝ ε^¼ ≈ 1.2e-4: h_k = ε^¼·max(1, |θ_k|), with
//     H_kk = (f(θ+h_k e_k) − 2f(θ) + f(θ−h_k e_k))/h_k² and, for k ≠ l,
//     H_kl = (f(θ+h_k e_k+h_l e_l) + f(θ−h_k e_k−h_l e_l) − f(θ+h_k e_k)
//     − f(θ−h_k e_k) − f(θ+h_l e_l) − f(θ−h_l e_l) + 2f(θ))/(2h_k h_l),
//     n²+n+1 losses for a dim-n Hessian.
//
// Each step is the one actually taken ((θ_k + h) − θ_k, exact in floating
// point), so the rounding of θ + h adds no error of its own.
package curv

import (
	"math"
)

// Relative steps (see the package comment).
var (
	// GradStep is ∛ε, the relative step of central differences of a
	// gradient.
	GradStep = math.Cbrt(0x1p-52)
	// LossStep is ε^¼, the relative step of second differences of a loss.
	LossStep = math.Sqrt(math.Sqrt(0x1p-52))
)

// Limits both sides enforce.
const (
	// MaxHessianDim bounds the dimension of a dense Hessian (2048² values
	// are 32 MiB).
	MaxHessianDim = 2048
	// MaxValues bounds the values of one request's vectors, and of one
	// reply's products or Hessians.
	MaxValues = 1 << 24
	// ChunkValues is how many values the host puts in one request (and
	// asks for in one reply) before it splits the work into several.
	ChunkValues = 1 << 21
)

// block bounds the coordinates of the perturbed points handed to one
// evaluation (a variable so that tests can make blocks small).
var block = 1 << 20

// Gradients writes the gradients at points (dim values each) into grads.
// origin[j] is the index of the request's point that point j perturbs,
// which names its mini-batch.
type Gradients func(points []float64, origin []int, grads []float64) error

// Losses writes the losses at points (dim values each) into losses;
// origin is as for Gradients.
type Losses func(points []float64, origin []int, losses []float64) error

// step is the step actually taken from x by about h.
func step(x, h float64) float64 { return (x + h) - x }

// normInf is the largest |x_i|.
func normInf(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// HVPsFromGradients writes H·v for each vector of vs (len(theta) values
// each) into dst, by central differences of g along v, at most block
// coordinates at a time. The origin of every point is 0. A zero vector's
// product is zero.
func HVPsFromGradients(g Gradients, theta, vs, dst []float64) error {
	n := len(theta)
	k := len(vs) / n
	scale := GradStep * math.Max(1, normInf(theta))
	per := max(1, block/(2*n)) // vectors per evaluation
	pts := make([]float64, 0, 2*min(per, k)*n)
	grads := make([]float64, 2*min(per, k)*n)
	origin := make([]int, 2*min(per, k))
	hs := make([]float64, 0, min(per, k))
	which := make([]int, 0, min(per, k))
	flush := func() error {
		if len(which) == 0 {
			return nil
		}
		m := 2 * len(which)
		if err := g(pts, origin[:m], grads[:m*n]); err != nil {
			return err
		}
		for u, j := range which {
			gp, gm := grads[2*u*n:(2*u+1)*n], grads[(2*u+1)*n:(2*u+2)*n]
			out := dst[j*n : (j+1)*n]
			for i := range out {
				out[i] = (gp[i] - gm[i]) / (2 * hs[u])
			}
		}
		pts, hs, which = pts[:0], hs[:0], which[:0]
		return nil
	}
	for j := 0; j < k; j++ {
		v := vs[j*n : (j+1)*n]
		vn := normInf(v)
		if vn == 0 || math.IsNaN(vn) {
			fill(dst[j*n:(j+1)*n], zeroOrNaN(vn))
			continue
		}
		h := scale / vn
		for _, sgn := range []float64{1, -1} {
			for i, x := range theta {
				pts = append(pts, x+sgn*h*v[i])
			}
		}
		hs, which = append(hs, h), append(which, j)
		if len(which) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func zeroOrNaN(x float64) float64 {
	if math.IsNaN(x) {
		return math.NaN()
	}
	return 0
}

func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}

// HessiansFromGradients writes the Hessian at each of points (dim values
// each) into dst (dim² values each, row-major) by central differences of
// g along the coordinates, then symmetrizes each, (H + Hᵀ)/2.
func HessiansFromGradients(g Gradients, dim int, points, dst []float64) error {
	n := dim
	np := len(points) / n
	per := max(1, block/(2*n)) // columns per evaluation
	pts := make([]float64, 0, 2*min(per, np*n)*n)
	grads := make([]float64, 2*min(per, np*n)*n)
	origin := make([]int, 0, 2*min(per, np*n))
	type col struct {
		p, k   int
		hp, hm float64
	}
	cols := make([]col, 0, min(per, np*n))
	flush := func() error {
		if len(cols) == 0 {
			return nil
		}
		m := 2 * len(cols)
		if err := g(pts, origin, grads[:m*n]); err != nil {
			return err
		}
		for u, c := range cols {
			gp, gm := grads[2*u*n:(2*u+1)*n], grads[(2*u+1)*n:(2*u+2)*n]
			h := dst[c.p*n*n : (c.p+1)*n*n]
			for i := 0; i < n; i++ {
				h[i*n+c.k] = (gp[i] - gm[i]) / (c.hp + c.hm)
			}
		}
		pts, origin, cols = pts[:0], origin[:0], cols[:0]
		return nil
	}
	for p := 0; p < np; p++ {
		theta := points[p*n : (p+1)*n]
		for k, x := range theta {
			h := GradStep * math.Max(1, math.Abs(x))
			hp, hm := step(x, h), x-(x-h)
			pts = append(pts, theta...)
			pts[len(pts)-n+k] = x + hp
			pts = append(pts, theta...)
			pts[len(pts)-n+k] = x - hm
			origin = append(origin, p, p)
			cols = append(cols, col{p, k, hp, hm})
			if len(cols) == per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for p := 0; p < np; p++ {
		Symmetrize(dst[p*n*n:(p+1)*n*n], n)
	}
	return nil
}

// LossPoints is how many losses HessiansFromLosses evaluates per point of
// dimension n.
func LossPoints(n int) int { return n*n + n + 1 }

// HessiansFromLosses writes the Hessian at each of points (dim values
// each) into dst (dim² values each, row-major) by second differences of
// the loss (see the package comment), evaluating at most block
// coordinates at a time.
func HessiansFromLosses(losses Losses, dim int, points, dst []float64) error {
	n := dim
	np := len(points) / n
	m := LossPoints(n)
	hs := make([]float64, np*n)
	for j, x := range points {
		hs[j] = step(x, LossStep*math.Max(1, math.Abs(x)))
	}
	vals := make([]float64, np*m)
	per := max(1, block/n) // points per evaluation
	pts := make([]float64, 0, min(per, np*m)*n)
	origin := make([]int, 0, min(per, np*m))
	// Point q of the m of point p: 0 is θ; 1+k and 1+n+k are θ ± h_k e_k;
	// then for each k < l in row-major order, θ + h_k e_k + h_l e_l and
	// θ − h_k e_k − h_l e_l. (k, l, sgn) walks the pairs.
	k, l, sgn := 0, 1, 1.0
	lo := 0
	for u := 0; u < np*m; u++ {
		p, q := u/m, u%m
		theta, h := points[p*n:(p+1)*n], hs[p*n:(p+1)*n]
		pts = append(pts, theta...)
		x := pts[len(pts)-n:]
		switch {
		case q == 0:
			k, l, sgn = 0, 1, 1
		case q <= n:
			x[q-1] += h[q-1]
		case q <= 2*n:
			x[q-1-n] -= h[q-1-n]
		default:
			x[k] += sgn * h[k]
			x[l] += sgn * h[l]
			if sgn = -sgn; sgn == 1 {
				if l++; l == n {
					k++
					l = k + 1
				}
			}
		}
		origin = append(origin, p)
		if len(origin) == per || u == np*m-1 {
			if err := losses(pts, origin, vals[lo:u+1]); err != nil {
				return err
			}
			pts, origin, lo = pts[:0], origin[:0], u+1
		}
	}
	for p := 0; p < np; p++ {
		v, h, H := vals[p*m:(p+1)*m], hs[p*n:(p+1)*n], dst[p*n*n:(p+1)*n*n]
		f0, fp, fm := v[0], v[1:1+n], v[1+n:1+2*n]
		q := 1 + 2*n
		for k := 0; k < n; k++ {
			H[k*n+k] = (fp[k] - 2*f0 + fm[k]) / (h[k] * h[k])
			for l := k + 1; l < n; l++ {
				d := (v[q] + v[q+1] - fp[k] - fm[k] - fp[l] - fm[l] + 2*f0) / (2 * h[k] * h[l])
				H[k*n+l], H[l*n+k] = d, d
				q += 2
			}
		}
	}
	return nil
}

// Products writes h·v for each vector of vs (n values each) into dst,
// where h is a dense n×n matrix.
func Products(dst, h, vs []float64, n int) {
	for j := 0; j < len(vs)/n; j++ {
		v, out := vs[j*n:(j+1)*n], dst[j*n:(j+1)*n]
		for i := 0; i < n; i++ {
			row := h[i*n : (i+1)*n]
			var s float64
			for c, x := range v {
				s += row[c] * x
			}
			out[i] = s
		}
	}
}

// Symmetrize replaces the n×n matrix h by (h + hᵀ)/2.
func Symmetrize(h []float64, n int) {
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := 0.5 * (h[i*n+j] + h[j*n+i])
			h[i*n+j], h[j*n+i] = v, v
		}
	}
}

// Clean replaces ±Inf by NaN: a second derivative that is not a finite
// number does not exist.
func Clean(x []float64) {
	for i, v := range x {
		if math.IsInf(v, 0) {
			x[i] = math.NaN()
		}
	}
}
