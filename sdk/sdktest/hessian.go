package sdktest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/internal/curv"
)

// WithHessianTolerance sets the relative tolerance of the hessian check:
// an exact second derivative d against its central difference of the
// gradient fd must satisfy |d − fd| ≤ rel·(1 + |d| + |fd|) plus the
// rounding error of the difference (default 1e-4); against second
// differences of the loss (a surface without a gradient) the tolerance is
// 100·rel.
func WithHessianTolerance(rel float64) Option { return func(c *config) { c.hessRel = rel } }

// hessianSurface is the second-derivative capabilities of a surface.
type hessianSurface struct {
	s    sdk.Surface
	name string
	n    int
	hess sdk.SurfaceWithHessian
	hvp  sdk.SurfaceWithHVP
	bhvp sdk.SurfaceWithBatchHVP
	grad sdk.SurfaceWithGradient
}

func hessianOf(s sdk.Surface) (hessianSurface, bool) {
	h := hessianSurface{s: s, name: surfaceName(s)}
	h.hess, _ = s.(sdk.SurfaceWithHessian)
	h.hvp, _ = s.(sdk.SurfaceWithHVP)
	h.bhvp, _ = s.(sdk.SurfaceWithBatchHVP)
	h.grad, _ = s.(sdk.SurfaceWithGradient)
	return h, h.hess != nil || h.hvp != nil || h.bhvp != nil
}

// dense is the Hessian at theta from the dense Hessian, else from products
// with the coordinate vectors; nil when the surface has neither.
func (h hessianSurface) dense(theta []float64) []float64 {
	n := len(theta)
	out := make([]float64, n*n)
	switch {
	case h.hess != nil:
		h.hess.Hessian(out, theta)
	case h.hvp != nil:
		e, col := make([]float64, n), make([]float64, n)
		for k := range e {
			e[k] = 1
			h.hvp.HVP(col, theta, e)
			e[k] = 0
			for i, v := range col {
				out[i*n+k] = v
			}
		}
	default:
		return nil
	}
	return out
}

// maxDenseCheck bounds the dimension at which the hessian check forms a
// dense Hessian from products (at known minima).
const maxDenseCheck = 256

// ---- hessian ----

func checkHessian(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	h, ok := hessianOf(s)
	if !ok {
		return
	}
	info := s.Info()
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, Hessian not checked: %v", h.name, err)
		return
	}
	h.n = info.Dim
	rng := newRand(c.seed + 4)
	l := limit(r, 10)
	points := max(1, c.points/10)
	theta := make([]float64, h.n)
	nan := 0
	for i := 0; i < points; i++ {
		randomPoint(rng, info.Domain, theta)
		if math.IsNaN(s.Loss(theta)) {
			nan++
			continue
		}
		if h.hess != nil {
			h.checkDense(l, theta, c)
		}
		if h.hvp != nil {
			h.checkProducts(l, rng, theta, c)
		}
		if h.bhvp != nil {
			h.checkBatch(l, rng, theta, c)
		}
	}
	l.done("hessian")
	if nan > points/2 {
		r.Errorf("%s: Loss is NaN at %d of %d random points of the domain", h.name, nan, points)
	}
	h.checkMinima(r, info, c)
}

// lossHessian is the Hessian at theta by second differences of the loss.
func (h hessianSurface) lossHessian(theta []float64) []float64 {
	n := len(theta)
	full := make([]float64, n*n)
	curv.HessiansFromLosses(func(pts []float64, _ []int, vals []float64) error {
		for j := range vals {
			vals[j] = h.s.Loss(pts[j*n : (j+1)*n])
		}
		return nil
	}, n, theta, full)
	return full
}

// fdColumn is column k of the Hessian at theta by central differences of
// the gradient, with the step scaled down by div, and the rounding error
// of the difference quotient.
func (h hessianSurface) fdColumn(theta []float64, k int, div float64) (col []float64, noise float64) {
	n := len(theta)
	tp := append([]float64(nil), theta...)
	gp, gm := make([]float64, n), make([]float64, n)
	step := 1e-5 * math.Max(1, math.Abs(theta[k])) / div
	tp[k] = theta[k] + step
	hp := tp[k] - theta[k]
	h.grad.Grad(gp, tp)
	tp[k] = theta[k] - step
	hm := theta[k] - tp[k]
	h.grad.Grad(gm, tp)
	col = make([]float64, n)
	var g float64
	for i := range col {
		col[i] = (gp[i] - gm[i]) / (hp + hm)
		g = math.Max(g, math.Abs(gp[i])+math.Abs(gm[i]))
	}
	return col, 1024 * 0x1p-52 * g / (hp + hm)
}

// fdProduct is H·v at theta by central differences of grad along v, with
// the step scaled by div, and the rounding error.
func fdProduct(grad func(dst, theta []float64), theta, v []float64, div float64) ([]float64, float64) {
	n := len(theta)
	vn := 0.0
	for _, x := range v {
		vn = math.Max(vn, math.Abs(x))
	}
	tn := 0.0
	for _, x := range theta {
		tn = math.Max(tn, math.Abs(x))
	}
	step := 1e-5 * math.Max(1, tn) / vn / div
	tp, tm := make([]float64, n), make([]float64, n)
	for i := range theta {
		tp[i], tm[i] = theta[i]+step*v[i], theta[i]-step*v[i]
	}
	gp, gm := make([]float64, n), make([]float64, n)
	grad(gp, tp)
	grad(gm, tm)
	out := make([]float64, n)
	var g float64
	for i := range out {
		out[i] = (gp[i] - gm[i]) / (2 * step)
		g = math.Max(g, math.Abs(gp[i])+math.Abs(gm[i]))
	}
	return out, 1024 * 0x1p-52 * g / (2 * step)
}

// agrees reports whether an exact second derivative d matches its
// difference fd.
func agrees(d, fd, rel, noise float64) bool {
	return math.Abs(d-fd) <= rel*(1+math.Abs(d)+math.Abs(fd))+noise
}

// matches compares exact values with differences, retrying with smaller
// steps (a kink within the step, as relu's, spoils one difference but not
// three); it returns the first mismatch at the smallest step, or -1.
func matches(exact []float64, diff func(div float64) ([]float64, float64), rel float64) (int, []float64) {
	var fd []float64
	bad := -1
	for try, div := 0, 1.0; try < 3; try, div = try+1, div*16 {
		var noise float64
		fd, noise = diff(div)
		bad = -1
		for i, d := range exact {
			if !agrees(d, fd[i], rel, noise) {
				bad = i
				break
			}
		}
		if bad < 0 {
			return -1, fd
		}
	}
	return bad, fd
}

func (h hessianSurface) checkDense(l *limited, theta []float64, c *config) {
	l.Helper()
	n := h.n
	saved := append([]float64(nil), theta...)
	hm := make([]float64, n*n)
	for i := range hm {
		hm[i] = math.NaN() // Hessian must write every entry, not add to it
	}
	h.hess.Hessian(hm, theta)
	if !equalBits(theta, saved) {
		l.Errorf("%s: Hessian modified theta: %v became %v", h.name, saved, theta)
		copy(theta, saved)
	}
	var scale float64
	for _, v := range hm {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := hm[i*n+j], hm[j*n+i]
			if math.IsNaN(a) && math.IsNaN(b) {
				continue // does not exist; the differences below tell
			}
			if !(math.Abs(a-b) <= 1e-10*(1+scale)) {
				l.Errorf("%s: at %v: Hessian is not symmetric: H[%d][%d] = %v, H[%d][%d] = %v", h.name, theta, i, j, a, j, i, b)
			}
		}
	}
	if h.grad == nil {
		fd := h.lossHessian(theta)
		for i, d := range hm {
			if !agrees(d, fd[i], 100*c.hessRel, 0) {
				l.Errorf("%s: at %v: H[%d][%d] = %v, but second differences of the loss give %v", h.name, theta, i/n, i%n, d, fd[i])
				return
			}
		}
		return
	}
	col := make([]float64, n)
	for k := 0; k < n; k++ {
		for i := range col {
			col[i] = hm[i*n+k]
		}
		if i, fd := matches(col, func(div float64) ([]float64, float64) { return h.fdColumn(theta, k, div) }, c.hessRel); i >= 0 {
			l.Errorf("%s: at %v: H[%d][%d] = %v, but central differences of the gradient give %v", h.name, theta, i, k, col[i], fd[i])
		}
	}
}

// randomVector is a vector of standard normal entries.
func randomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// checkProducts checks HVP at theta along random vectors: against
// differences of the gradient (or of the dense Hessian of loss
// differences), against the dense Hessian when there is one, and for
// symmetry (uᵀ·H·v = vᵀ·H·u).
func (h hessianSurface) checkProducts(l *limited, rng *rand.Rand, theta []float64, c *config) {
	l.Helper()
	n := h.n
	u, v := randomVector(rng, n), randomVector(rng, n)
	hu, hv := h.product(l, "HVP", func(dst, th, x []float64) { h.hvp.HVP(dst, th, x) }, theta, u), make([]float64, n)
	h.hvp.HVP(hv, theta, v)
	a, b := dot(u, hv), dot(v, hu)
	var norm float64
	for i := range hu {
		norm += math.Abs(hu[i])*math.Abs(v[i]) + math.Abs(hv[i])*math.Abs(u[i])
	}
	if !(math.Abs(a-b) <= 1e-10*(1+norm)) {
		l.Errorf("%s: at %v: HVP is not symmetric: uᵀ·H·v = %v, vᵀ·H·u = %v", h.name, theta, a, b)
	}
	switch {
	case h.hess != nil:
		hm := make([]float64, n*n)
		h.hess.Hessian(hm, theta)
		want := make([]float64, n)
		curv.Products(want, hm, u, n)
		for i := range want {
			if !(math.Abs(hu[i]-want[i]) <= 1e-10*(1+math.Abs(want[i])+math.Abs(hu[i]))) {
				l.Errorf("%s: at %v: (HVP(u))_%d = %v, but (Hessian·u)_%d = %v", h.name, theta, i, hu[i], i, want[i])
				break
			}
		}
	case h.grad != nil:
		if i, fd := matches(hu, func(div float64) ([]float64, float64) { return fdProduct(h.grad.Grad, theta, u, div) }, c.hessRel); i >= 0 {
			l.Errorf("%s: at %v: (HVP(u))_%d = %v, but central differences of the gradient along u give %v", h.name, theta, i, hu[i], fd[i])
		}
	default:
		want := make([]float64, n)
		curv.Products(want, h.lossHessian(theta), u, n)
		for i := range want {
			if !agrees(hu[i], want[i], 100*c.hessRel, 0) {
				l.Errorf("%s: at %v: (HVP(u))_%d = %v, but second differences of the loss give %v", h.name, theta, i, hu[i], want[i])
				break
			}
		}
	}
}

// product calls f(dst, theta, v) with dst filled with NaN and checks that
// it left theta and v alone; it returns dst.
func (h hessianSurface) product(l *limited, what string, f func(dst, theta, v []float64), theta, v []float64) []float64 {
	l.Helper()
	st, sv := append([]float64(nil), theta...), append([]float64(nil), v...)
	dst := make([]float64, len(theta))
	for i := range dst {
		dst[i] = math.NaN() // f must write every entry, not add to it
	}
	f(dst, theta, v)
	if !equalBits(theta, st) {
		l.Errorf("%s: %s modified theta: %v became %v", h.name, what, st, theta)
		copy(theta, st)
	}
	if !equalBits(v, sv) {
		l.Errorf("%s: %s modified the vector: %v became %v", h.name, what, sv, v)
		copy(v, sv)
	}
	return dst
}

// checkBatch checks BatchHVP: over every sample it is the full product,
// and over a random subset it agrees with differences of BatchGrad.
func (h hessianSurface) checkBatch(l *limited, rng *rand.Rand, theta []float64, c *config) {
	l.Helper()
	n, ns := h.n, h.bhvp.Samples()
	u := randomVector(rng, n)
	all := make([]int, ns)
	for i := range all {
		all[i] = i
	}
	full := h.product(l, "BatchHVP", func(dst, th, x []float64) { h.bhvp.BatchHVP(dst, th, x, all) }, theta, u)
	var want []float64
	switch {
	case h.hvp != nil:
		want = make([]float64, n)
		h.hvp.HVP(want, theta, u)
	case h.hess != nil:
		hm := make([]float64, n*n)
		h.hess.Hessian(hm, theta)
		want = make([]float64, n)
		curv.Products(want, hm, u, n)
	}
	for i := range want {
		if !(math.Abs(full[i]-want[i]) <= 1e-10*(1+math.Abs(want[i])+math.Abs(full[i]))) {
			l.Errorf("%s: at %v: BatchHVP over every sample, entry %d = %v, but the full product %v", h.name, theta, i, full[i], want[i])
			break
		}
	}
	idx := make([]int, 1+rng.IntN(min(ns, 16)))
	for i := range idx {
		idx[i] = rng.IntN(ns)
	}
	hu := h.product(l, "BatchHVP", func(dst, th, x []float64) { h.bhvp.BatchHVP(dst, th, x, idx) }, theta, u)
	grad := func(dst, th []float64) { h.bhvp.BatchGrad(dst, th, idx) }
	if i, fd := matches(hu, func(div float64) ([]float64, float64) { return fdProduct(grad, theta, u, div) }, c.hessRel); i >= 0 {
		l.Errorf("%s: at %v: BatchHVP over samples %v, entry %d = %v, but central differences of BatchGrad give %v", h.name, theta, idx, i, hu[i], fd[i])
	}
}

// checkMinima checks that the Hessian is positive semi-definite at every
// known minimum inside the domain where the gradient vanishes (the
// second-order condition of a stationary point; at a cusp, where one-sided
// derivatives are infinite, it does not apply) and the Hessian exists (NaN
// entries, as at the tip of a cone, leave a minimum unchecked): H + τ·I
// has a Cholesky factor for τ = 1e-6·(1 + max |H_ij|).
func (h hessianSurface) checkMinima(r reporter, info sdk.Info, c *config) {
	r.Helper()
	if h.hess == nil && (h.hvp == nil || h.n > maxDenseCheck) {
		return
	}
	for i, m := range info.Minima {
		inside := true
		for k, x := range m.Location {
			inside = inside && x > info.Domain[k].Lo && x < info.Domain[k].Hi
		}
		if !inside {
			continue // a minimum of the box need not be one of the surface
		}
		if h.grad != nil {
			g := make([]float64, h.n)
			h.grad.Grad(g, append([]float64(nil), m.Location...))
			if !(math.Sqrt(dot(g, g)) <= c.statRel*(1+math.Abs(m.Value))) {
				continue // not stationary: a cusp (the minima check tells)
			}
		}
		hm := h.dense(append([]float64(nil), m.Location...))
		var scale float64
		nan := false
		for _, v := range hm {
			nan = nan || math.IsNaN(v)
			scale = math.Max(scale, math.Abs(v))
		}
		if nan {
			continue
		}
		tau := 1e-6 * (1 + scale)
		if k, ok := cholesky(hm, h.n, tau); !ok {
			r.Errorf("%s: minimum #%d at %v: the Hessian is not positive semi-definite (H + %.3g·I has no Cholesky factor; pivot %d fails)%s",
				h.name, i, m.Location, tau, k, smallMatrix(hm, h.n))
		}
	}
}

// cholesky reports whether h + tau·I (n×n) has a Cholesky factor, and
// else the pivot where it fails.
func cholesky(h []float64, n int, tau float64) (int, bool) {
	a := append([]float64(nil), h...)
	for k := 0; k < n; k++ {
		a[k*n+k] += tau
	}
	for j := 0; j < n; j++ {
		d := a[j*n+j]
		for k := 0; k < j; k++ {
			d -= a[j*n+k] * a[j*n+k]
		}
		if !(d > 0) {
			return j, false
		}
		d = math.Sqrt(d)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := 0; k < j; k++ {
				s -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = s / d
		}
	}
	return -1, true
}

// smallMatrix is ": H = [[…]]" for a matrix small enough to print.
func smallMatrix(h []float64, n int) string {
	if n > 4 {
		return ""
	}
	s := ": H = ["
	for i := 0; i < n; i++ {
		s += fmt.Sprint(h[i*n : (i+1)*n])
	}
	return s + "]"
}

// checkHessianConcurrency calls Hessian, HVP and BatchHVP from several
// goroutines at once at some of pts and compares the results, bit for
// bit, with those of single calls.
func checkHessianConcurrency(r reporter, s sdk.Surface, c *config, pts [][]float64) {
	r.Helper()
	h, ok := hessianOf(s)
	if !ok {
		return
	}
	n := s.Info().Dim
	pts = pts[:min(len(pts), 20)]
	v := randomVector(newRand(c.seed+5), n)
	var idx []int
	if h.bhvp != nil {
		for i := 0; i < min(h.bhvp.Samples(), 8); i++ {
			idx = append(idx, (i*7919)%h.bhvp.Samples())
		}
	}
	// eval is every second derivative the surface has at p, in one slice.
	eval := func(p []float64) []float64 {
		var out []float64
		if h.hess != nil {
			hm := make([]float64, n*n)
			h.hess.Hessian(hm, p)
			out = append(out, hm...)
		}
		if h.hvp != nil {
			hv := make([]float64, n)
			h.hvp.HVP(hv, p, v)
			out = append(out, hv...)
		}
		if h.bhvp != nil {
			hv := make([]float64, n)
			h.bhvp.BatchHVP(hv, p, v, idx)
			out = append(out, hv...)
		}
		return out
	}
	want := make([][]float64, len(pts))
	for i, p := range pts {
		want[i] = eval(p)
	}
	errs := make(chan string, c.goroutines)
	for w := 0; w < c.goroutines; w++ {
		go func(w int) {
			msg := ""
			defer func() {
				if p := recover(); p != nil {
					msg = fmt.Sprintf("%s: concurrent Hessian evaluation panicked: %v", h.name, p)
				}
				errs <- msg
			}()
			order := rand.New(rand.NewPCG(uint64(w), 9)).Perm(len(pts))
			for rep := 0; rep < 3 && msg == ""; rep++ {
				for _, i := range order {
					p := append([]float64(nil), pts[i]...)
					if got := eval(p); !equalBits(got, want[i]) {
						msg = fmt.Sprintf("%s: concurrent second derivatives at %v in goroutine %d differ from single calls; Hessian, HVP and BatchHVP must be safe for concurrent use", h.name, pts[i], w)
						break
					}
				}
			}
		}(w)
	}
	for w := 0; w < c.goroutines; w++ {
		if msg := <-errs; msg != "" {
			r.Errorf("%s", msg)
		}
	}
}
