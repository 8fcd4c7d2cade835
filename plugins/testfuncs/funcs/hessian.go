package funcs

import (
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// Analytic Hessians (sdk.SurfaceWithHessian) of every surface, and
// Hessian-vector products (sdk.SurfaceWithHVP) of the N-dimensional ones,
// which cost O(dim) instead of O(dim²). Where a second derivative does not
// exist the entries are NaN: ackley at the origin (the tip of its cone),
// eggholder where x/2 + y + 47 or x − y − 47 vanishes (cusps of √|u|).
// The tests check each against central differences of the gradient, and
// against values derived independently (by hand, and by hyper-dual
// arithmetic on the loss) at minima, maxima and saddles.

var (
	_ sdk.SurfaceWithHessian = Ripple{}
	_ sdk.SurfaceWithHessian = Saddle{}
	_ sdk.SurfaceWithHessian = Himmelblau{}
	_ sdk.SurfaceWithHessian = Beale{}
	_ sdk.SurfaceWithHessian = Booth{}
	_ sdk.SurfaceWithHessian = GoldsteinPrice{}
	_ sdk.SurfaceWithHessian = SixHumpCamel{}
	_ sdk.SurfaceWithHessian = Eggholder{}
	_ sdk.SurfaceWithHessian = Levi13{}
	_ sdk.SurfaceWithHessian = Matyas{}
	_ sdk.SurfaceWithHessian = McCormick{}

	_ sdk.SurfaceWithHessian = Bowl{}
	_ sdk.SurfaceWithHVP     = Bowl{}
	_ sdk.SurfaceWithHessian = Rastrigin{}
	_ sdk.SurfaceWithHVP     = Rastrigin{}
	_ sdk.SurfaceWithHessian = Ackley{}
	_ sdk.SurfaceWithHVP     = Ackley{}
	_ sdk.SurfaceWithHessian = Rosenbrock{}
	_ sdk.SurfaceWithHVP     = Rosenbrock{}
	_ sdk.SurfaceWithHessian = StyblinskiTang{}
	_ sdk.SurfaceWithHVP     = StyblinskiTang{}
)

// put2 writes the symmetric 2×2 matrix [[xx, xy], [xy, yy]] into h.
func put2(h []float64, xx, xy, yy float64) {
	h[0], h[1], h[2], h[3] = xx, xy, xy, yy
}

// ---- two-dimensional ----

// Hessian of sin(4x)cos(4y) + 2(x²+y²).
func (Ripple) Hessian(h, t []float64) {
	sx, cx := math.Sincos(4 * t[0])
	sy, cy := math.Sincos(4 * t[1])
	d := -16*sx*cy + 4
	put2(h, d, -16*cx*sy, d)
}

// Hessian of x² − y².
func (Saddle) Hessian(h, _ []float64) { put2(h, 2, 0, -2) }

// Hessian of (x²+y−11)² + (x+y²−7)².
func (Himmelblau) Hessian(h, t []float64) {
	x, y := t[0], t[1]
	put2(h, 12*x*x+4*y-42, 4*(x+y), 4*x+12*y*y-26)
}

// Hessian of a² + b² + c², with a = 1.5−x+xy, b = 2.25−x+xy²,
// c = 2.625−x+xy³: 2·Σ (∇r·∇rᵀ + r·∇²r) over r = a, b, c, where
// ∇a = (y−1, x), ∇b = (y²−1, 2xy), ∇c = (y³−1, 3xy²), ∇²a = [[0, 1], [1, 0]],
// ∇²b = [[0, 2y], [2y, 2x]], ∇²c = [[0, 3y²], [3y², 6xy]].
func (Beale) Hessian(h, t []float64) {
	x, y := t[0], t[1]
	y2 := y * y
	y3 := y2 * y
	a := 1.5 - x + x*y
	b := 2.25 - x + x*y2
	c := 2.625 - x + x*y3
	ax, ay := y-1, x
	bx, by := y2-1, 2*x*y
	cx, cy := y3-1, 3*x*y2
	put2(h,
		2*(ax*ax+bx*bx+cx*cx),
		2*(ax*ay+bx*by+cx*cy+a+2*y*b+3*y2*c),
		2*(ay*ay+by*by+cy*cy+2*x*b+6*x*y*c))
}

// Hessian of (x+2y−7)² + (2x+y−5)²: constant.
func (Booth) Hessian(h, _ []float64) { put2(h, 10, 8, 10) }

// Hessian of the Goldstein–Price function. Its factors depend on one
// combination each: 1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²) is
// P(s) = 1 + (s+1)²(19 − 14s + 3s²) with s = x + y, and 30 + (2x−3y)²(18 −
// 32x + 12x² + 48y − 36xy + 27y²) is Q(w) = 30 + w²(18 − 16w + 3w²) with
// w = 2x − 3y. So f = P(s)·Q(w) and H = P″·Q·[[1, 1], [1, 1]] +
// P·Q″·[[4, −6], [−6, 9]] + P′·Q′·[[4, −1], [−1, −6]].
func (GoldsteinPrice) Hessian(h, t []float64) {
	s, w := t[0]+t[1], 2*t[0]-3*t[1]
	u := s + 1
	a, da := 19-14*s+3*s*s, -14+6*s
	p := 1 + u*u*a
	dp := 2*u*a + u*u*da
	ddp := 2*a + 4*u*da + 6*u*u
	b, db := 18-16*w+3*w*w, -16+6*w
	q := 30 + w*w*b
	dq := 2*w*b + w*w*db
	ddq := 2*b + 4*w*db + 6*w*w
	ps, pq, pp := ddp*q, p*ddq, dp*dq
	put2(h, ps+4*pq+4*pp, ps-6*pq-pp, ps+9*pq-6*pp)
}

// Hessian of (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y².
func (SixHumpCamel) Hessian(h, t []float64) {
	x2 := t[0] * t[0]
	put2(h, 8-25.2*x2+10*x2*x2, 1, -8+48*t[1]*t[1])
}

// Hessian of −s·φ(A) − x·φ(B), with s = y+47, A = x/2 + s, B = x − s and
// φ(u) = sin√|u|, whose derivatives are φ′(u) = cos t·sign(u)/(2t) and
// φ″(u) = −(t·sin t + cos t)/(4t³), t = √|u| (for either sign of u).
// Undefined (NaN) where A or B vanishes.
func (Eggholder) Hessian(h, t []float64) {
	x, y := t[0], t[1]
	s := y + 47
	a, b := x/2+s, x-s
	ta, tb := math.Sqrt(math.Abs(a)), math.Sqrt(math.Abs(b))
	if ta == 0 || tb == 0 {
		put2(h, math.NaN(), math.NaN(), math.NaN())
		return
	}
	sa, ca := math.Sincos(ta)
	sb, cb := math.Sincos(tb)
	d1a, d1b := ca*sign(a)/(2*ta), cb*sign(b)/(2*tb)
	d2a, d2b := -(ta*sa+ca)/(4*ta*ta*ta), -(tb*sb+cb)/(4*tb*tb*tb)
	put2(h,
		-s*d2a/4-2*d1b-x*d2b,
		-d1a/2-s*d2a/2+d1b+x*d2b,
		-2*d1a-s*d2a-x*d2b)
}

// Hessian of sin²(3πx) + (x−1)²(1+sin²(3πy)) + (y−1)²(1+sin²(2πy)).
func (Levi13) Hessian(h, t []float64) {
	x1, y1 := t[0]-1, t[1]-1
	b := math.Sin(3 * math.Pi * t[1])
	c := math.Sin(2 * math.Pi * t[1])
	pi2 := math.Pi * math.Pi
	put2(h,
		18*pi2*math.Cos(6*math.Pi*t[0])+2*(1+b*b),
		6*math.Pi*x1*math.Sin(6*math.Pi*t[1]),
		18*pi2*x1*x1*math.Cos(6*math.Pi*t[1])+2*(1+c*c)+8*math.Pi*y1*math.Sin(4*math.Pi*t[1])+8*pi2*y1*y1*math.Cos(4*math.Pi*t[1]))
}

// Hessian of 0.26(x²+y²) − 0.48xy: constant.
func (Matyas) Hessian(h, _ []float64) { put2(h, 0.52, -0.48, 0.52) }

// Hessian of sin(x+y) + (x−y)² − 1.5x + 2.5y + 1.
func (McCormick) Hessian(h, t []float64) {
	s := math.Sin(t[0] + t[1])
	put2(h, 2-s, -2-s, 2-s)
}

// ---- N-dimensional ----

// diagonal writes the diagonal matrix diag(d(θ_i)) into h.
func diagonal(h, t []float64, d func(x float64, i int) float64) {
	n := len(t)
	h = h[:n*n]
	clear(h)
	for i, x := range t {
		h[i*n+i] = d(x, i)
	}
}

// Hessian of ½·Σ c_i θ_i²: diag(c).
func (b Bowl) Hessian(h, t []float64) {
	diagonal(h, t, func(_ float64, i int) float64 { return b.c[i] })
}

// HVP is c ⊙ v.
func (b Bowl) HVP(dst, t, v []float64) {
	for i := range t {
		dst[i] = b.c[i] * v[i]
	}
}

// diag is ∂²/∂θ² of θ² − A·cos 2πθ.
func (r Rastrigin) diag(x float64) float64 {
	return 2 + 4*math.Pi*math.Pi*r.a*math.Cos(2*math.Pi*x)
}

// Hessian of A·n + Σ (θ_i² − A·cos 2πθ_i): diagonal.
func (r Rastrigin) Hessian(h, t []float64) {
	diagonal(h, t, func(x float64, _ int) float64 { return r.diag(x) })
}

// HVP multiplies by the diagonal.
func (r Rastrigin) HVP(dst, t, v []float64) {
	for i, x := range t {
		dst[i] = r.diag(x) * v[i]
	}
}

// ackleyTerms are the scalars of Ackley's Hessian at t,
//
//	H = k·I − l·θθᵀ + (e·c²/n)·diag(cos cθ_i) − (e·c²/n²)·σσᵀ,
//
// with r = √(Σθ_i²/n), k = a·b·e^(−br)/(n·r), l = a·b·e^(−br)·(b·r + 1)/(n²·r³)
// (from −a·exp(−b·r): ∂/∂θ_i = k·θ_i, and ∂k/∂θ_j = −l·θ_j), e =
// exp(Σcos(cθ_i)/n) and σ_i = sin(cθ_i) (from −exp(Σcos(cθ_i)/n)). At
// the origin k and l are infinite unless a·b = 0: ok is false.
func (f Ackley) terms(t []float64) (k, l, e float64, ok bool) {
	var s2, sc float64
	for _, x := range t {
		s2 += x * x
		sc += math.Cos(f.c * x)
	}
	n := float64(len(t))
	r := math.Sqrt(s2 / n)
	if ab := f.a * f.b; ab != 0 {
		if r == 0 {
			return 0, 0, 0, false
		}
		ex := math.Exp(-f.b * r)
		k = ab * ex / (n * r)
		l = ab * ex * (f.b*r + 1) / (n * n * r * r * r)
	}
	return k, l, math.Exp(sc / n), true
}

// Hessian of Ackley's function (see terms); NaN at the tip of the cone.
func (f Ackley) Hessian(h, t []float64) {
	n := len(t)
	h = h[:n*n]
	k, l, e, ok := f.terms(t)
	if !ok {
		for i := range h {
			h[i] = math.NaN()
		}
		return
	}
	fn := float64(n)
	c2 := f.c * f.c
	for i, xi := range t {
		si, ci := math.Sincos(f.c * xi)
		for j := i; j < n; j++ {
			sj := math.Sin(f.c * t[j])
			v := -l*xi*t[j] - e*c2/(fn*fn)*si*sj
			if i == j {
				v += k + e*c2/fn*ci
			}
			h[i*n+j], h[j*n+i] = v, v
		}
	}
}

// HVP is H·v in O(n) (see terms); NaN at the tip of the cone.
func (f Ackley) HVP(dst, t, v []float64) {
	k, l, e, ok := f.terms(t)
	if !ok {
		for i := range t {
			dst[i] = math.NaN()
		}
		return
	}
	n := float64(len(t))
	c2 := f.c * f.c
	var xv, sv float64
	for i, x := range t {
		xv += x * v[i]
		sv += math.Sin(f.c*x) * v[i]
	}
	for i, x := range t {
		s, c := math.Sincos(f.c * x)
		dst[i] = k*v[i] - l*x*xv + e*c2/n*c*v[i] - e*c2/(n*n)*s*sv
	}
}

// Hessian of Σ 100(θ_{i+1} − θ_i²)² + (1 − θ_i)²: tridiagonal. Term i adds
// 1200θ_i² − 400θ_{i+1} + 2 to H_ii, −400θ_i to H_i,i+1 and H_i+1,i, and
// 200 to H_i+1,i+1.
func (Rosenbrock) Hessian(h, t []float64) {
	n := len(t)
	h = h[:n*n]
	clear(h)
	for i := 0; i+1 < n; i++ {
		x, y := t[i], t[i+1]
		h[i*n+i] += 1200*x*x - 400*y + 2
		h[i*n+i+1] = -400 * x
		h[(i+1)*n+i] = -400 * x
		h[(i+1)*n+i+1] += 200
	}
}

// HVP multiplies by the tridiagonal Hessian.
func (Rosenbrock) HVP(dst, t, v []float64) {
	n := len(t)
	dst = dst[:n]
	clear(dst)
	for i := 0; i+1 < n; i++ {
		x, y := t[i], t[i+1]
		dst[i] += (1200*x*x-400*y+2)*v[i] - 400*x*v[i+1]
		dst[i+1] += -400*x*v[i] + 200*v[i+1]
	}
}

// Hessian of ½·Σ (θ_i⁴ − 16θ_i² + 5θ_i): diag(6θ_i² − 16).
func (StyblinskiTang) Hessian(h, t []float64) {
	diagonal(h, t, func(x float64, _ int) float64 { return 6*x*x - 16 })
}

// HVP multiplies by the diagonal.
func (StyblinskiTang) HVP(dst, t, v []float64) {
	for i, x := range t {
		dst[i] = (6*x*x - 16) * v[i]
	}
}
