package critical

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// Errors, for errors.Is.
var (
	// ErrInvalid: a function, point, grid or setting that cannot be used.
	ErrInvalid = errors.New("critical: invalid input")
	// ErrBadAnswer: a Func answered with the wrong number of values.
	ErrBadAnswer = errors.New("critical: malformed answer")
	// ErrTooCoarse: a grid too coarse to seed the search (the error says
	// what resolution is needed).
	ErrTooCoarse = errors.New("critical: grid too coarse")
	// ErrFlat: the gradient is zero at every point of a grid.
	ErrFlat = errors.New("critical: the gradient is zero at every grid point: the surface is flat over this range")
	// ErrTooLarge: a dense Hessian of this dimension is too large here.
	ErrTooLarge = errors.New("critical: dimension too large for a dense Hessian")
)

// Func is a twice-differentiable function as the analyses see it: values,
// gradients and Hessians at batches of points. The host implements it over
// a surface's plugin; Local over an in-process surface.
type Func interface {
	// Dim is the number of parameters (at least 1).
	Dim() int
	// Gradients returns the values and gradients at n points (Dim values
	// each, point after point): n values and n·Dim gradient values, NaN
	// where the function is undefined.
	Gradients(ctx context.Context, pts []float64) (vals, grads []float64, err error)
	// Hessians returns the Hessians at n points: Dim² values per point,
	// row-major and symmetric.
	Hessians(ctx context.Context, pts []float64) ([]float64, error)
}

// gradients calls f and checks the answer's size.
func gradients(ctx context.Context, f Func, pts []float64) ([]float64, []float64, error) {
	dim := f.Dim()
	n := len(pts) / dim
	if n == 0 {
		return nil, nil, nil
	}
	v, g, err := f.Gradients(ctx, pts)
	if err != nil {
		return nil, nil, err
	}
	if len(v) != n || len(g) != n*dim {
		return nil, nil, fmt.Errorf("%w: %d values and %d gradient values for %d points of dimension %d", ErrBadAnswer, len(v), len(g), n, dim)
	}
	return v, g, nil
}

// hessians calls f and checks the answer's size.
func hessians(ctx context.Context, f Func, pts []float64) ([]float64, error) {
	dim := f.Dim()
	n := len(pts) / dim
	if n == 0 {
		return nil, nil
	}
	h, err := f.Hessians(ctx, pts)
	if err != nil {
		return nil, err
	}
	if len(h) != n*dim*dim {
		return nil, fmt.Errorf("%w: %d Hessian values for %d points of dimension %d", ErrBadAnswer, len(h), n, dim)
	}
	return h, nil
}

// plane is f restricted to θ = origin + a·u + b·v, as a function of (a, b).
type plane struct {
	f            Func
	origin, u, v []float64
	dense        bool
}

// DenseMax is the largest dimension whose plane Hessians OnPlane takes
// from the full Hessian (uᵀHu, uᵀHv, vᵀHv: 2·dim gradients a point by
// differences, or exact); above it, from central differences of the
// gradient along u and v (four gradients a point).
const DenseMax = 8

// OnPlane is f restricted to the plane θ = origin + a·u + b·v: a Func of
// the two coordinates (a, b), whose gradient is (∇f·u, ∇f·v) and whose
// Hessian is the plane Hessian.
func OnPlane(f Func, origin, u, v []float64) (Func, error) {
	d := f.Dim()
	if d < 1 || len(origin) != d || len(u) != d || len(v) != d {
		return nil, fmt.Errorf("%w: a plane of vectors of %d, %d and %d values through a function of %d parameters", ErrInvalid, len(origin), len(u), len(v), d)
	}
	return plane{f: f, origin: origin, u: u, v: v, dense: d <= DenseMax}, nil
}

func (p plane) Dim() int { return 2 }

// Point is the full parameter vector at plane coordinates (a, b).
func (p plane) point(dst []float64, a, b float64) {
	for k := range dst {
		dst[k] = p.origin[k] + a*p.u[k] + b*p.v[k]
	}
}

func (p plane) full(ab []float64) []float64 {
	d := p.f.Dim()
	n := len(ab) / 2
	out := make([]float64, n*d)
	for i := 0; i < n; i++ {
		p.point(out[i*d:(i+1)*d], ab[2*i], ab[2*i+1])
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func (p plane) Gradients(ctx context.Context, ab []float64) ([]float64, []float64, error) {
	d := p.f.Dim()
	v, g, err := gradients(ctx, p.f, p.full(ab))
	if err != nil {
		return nil, nil, err
	}
	out := make([]float64, 2*len(v))
	for i := range v {
		gi := g[i*d : (i+1)*d]
		out[2*i], out[2*i+1] = dot(gi, p.u), dot(gi, p.v)
	}
	return v, out, nil
}

func (p plane) Hessians(ctx context.Context, ab []float64) ([]float64, error) {
	d := p.f.Dim()
	n := len(ab) / 2
	out := make([]float64, 4*n)
	if p.dense {
		h, err := hessians(ctx, p.f, p.full(ab))
		if err != nil {
			return nil, err
		}
		hu, hv := make([]float64, d), make([]float64, d)
		for i := 0; i < n; i++ {
			hi := h[i*d*d : (i+1)*d*d]
			for r := 0; r < d; r++ {
				hu[r], hv[r] = dot(hi[r*d:(r+1)*d], p.u), dot(hi[r*d:(r+1)*d], p.v)
			}
			uu, uv, vu, vv := dot(p.u, hu), dot(p.v, hu), dot(p.u, hv), dot(p.v, hv)
			out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = uu, (uv+vu)/2, (uv+vu)/2, vv
		}
		return out, nil
	}
	// Central differences of the in-plane gradient along a and b.
	shifted := make([]float64, 0, 8*n)
	steps := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a, b := ab[2*i], ab[2*i+1]
		for k, c := range []float64{a, b} {
			h := 1e-5 * math.Max(1, math.Abs(c))
			steps[2*i+k] = h
			for _, s := range []float64{h, -h} {
				if k == 0 {
					shifted = append(shifted, a+s, b)
				} else {
					shifted = append(shifted, a, b+s)
				}
			}
		}
	}
	_, g, err := p.Gradients(ctx, shifted)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		q := g[8*i:]
		// Column k: (g(+h e_k) − g(−h e_k)) / 2h.
		ha, hb := steps[2*i], steps[2*i+1]
		aa, ba := (q[0]-q[2])/(2*ha), (q[1]-q[3])/(2*ha)
		ab2, bb := (q[4]-q[6])/(2*hb), (q[5]-q[7])/(2*hb)
		out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = aa, (ba+ab2)/2, (ba+ab2)/2, bb
	}
	return out, nil
}

// Local is an in-process surface with an analytic gradient as a Func
// (tests, and plugin authors' own tools). Its Hessians are central
// differences of the gradient, h = 1e-5·max(1, |θ_k|), symmetrised, as
// the host's are for plugins.
type Local struct {
	S sdk.SurfaceWithGradient
}

var _ Func = Local{}

// Dim implements Func.
func (l Local) Dim() int { return l.S.Info().Dim }

// Gradients implements Func.
func (l Local) Gradients(_ context.Context, pts []float64) ([]float64, []float64, error) {
	d := l.Dim()
	if d < 1 || len(pts)%d != 0 {
		return nil, nil, fmt.Errorf("%w: %d values do not make points of dimension %d", ErrInvalid, len(pts), d)
	}
	n := len(pts) / d
	v, g := make([]float64, n), make([]float64, n*d)
	for i := 0; i < n; i++ {
		x := pts[i*d : (i+1)*d]
		v[i] = l.S.Loss(x)
		l.S.Grad(g[i*d:(i+1)*d], x)
	}
	return v, g, nil
}

// Hessians implements Func.
func (l Local) Hessians(ctx context.Context, pts []float64) ([]float64, error) {
	return DiffHessians(ctx, l, pts)
}

// DiffHessians are f's Hessians at pts by central differences of its
// gradient: h = 1e-5·max(1, |θ_k|), whose truncation and rounding errors
// balance near float64's ε^(1/3); symmetrised.
func DiffHessians(ctx context.Context, f Func, pts []float64) ([]float64, error) {
	d := f.Dim()
	if d < 1 || len(pts)%d != 0 {
		return nil, fmt.Errorf("%w: %d values do not make points of dimension %d", ErrInvalid, len(pts), d)
	}
	n := len(pts) / d
	shifted := make([]float64, 0, n*2*d*d)
	steps := make([]float64, 0, n*d)
	for i := 0; i < n; i++ {
		x := pts[i*d : (i+1)*d]
		for k := 0; k < d; k++ {
			h := 1e-5 * math.Max(1, math.Abs(x[k]))
			steps = append(steps, h)
			for _, s := range []float64{h, -h} {
				m := len(shifted)
				shifted = append(shifted, x...)
				shifted[m+k] += s
			}
		}
	}
	_, g, err := gradients(ctx, f, shifted)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n*d*d)
	for i := 0; i < n; i++ {
		m := out[i*d*d : (i+1)*d*d]
		for k := 0; k < d; k++ {
			b := (i*2*d + 2*k) * d
			for j := 0; j < d; j++ {
				m[k*d+j] = (g[b+j] - g[b+d+j]) / (2 * steps[i*d+k])
			}
		}
		for r := 0; r < d; r++ {
			for c := r + 1; c < d; c++ {
				s := (m[r*d+c] + m[c*d+r]) / 2
				m[r*d+c], m[c*d+r] = s, s
			}
		}
	}
	return out, nil
}
