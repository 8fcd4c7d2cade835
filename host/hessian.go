package host

import (
	"context"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk/client"
)

// Hessians are s's Hessians at the points pts (s.Desc.Dim values each):
// dim² values per point, row-major and symmetrised, and how they were
// obtained. Until the plugin answers with its own (exact) Hessians they
// are central differences of its gradient: h = 1e-5·max(1, |θ_k|), whose
// truncation and rounding errors balance near float64's ε^(1/3).
func (a *App) Hessians(ctx context.Context, s *Surface, pts []float64) (h []float64, method string, err error) {
	dim := s.Desc.Dim
	if dim < 1 || len(pts)%dim != 0 {
		return nil, "", fmt.Errorf("%w: %d values do not make points of dimension %d", ErrBadInput, len(pts), dim)
	}
	n := len(pts) / dim
	h = make([]float64, n*dim*dim)
	// Per point 2·dim shifted copies, batched into requests of at most
	// pointsBatch points.
	per := max(1, pointsBatch/(2*dim))
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		shifted := make([]float64, 0, (hi-lo)*2*dim*dim)
		steps := make([]float64, 0, (hi-lo)*dim)
		for i := lo; i < hi; i++ {
			x := pts[i*dim : (i+1)*dim]
			for k := 0; k < dim; k++ {
				step := 1e-5 * math.Max(1, math.Abs(x[k]))
				steps = append(steps, step)
				for _, sgn := range []float64{1, -1} {
					n := len(shifted)
					shifted = append(shifted, x...)
					shifted[n+k] += sgn * step
				}
			}
		}
		cctx, cancel := a.CallTimeout(ctx)
		_, g, err := s.Entry.Client.Gradient(cctx, client.Points{Ref: s.Ref, Dim: dim, Points: shifted})
		cancel()
		if err != nil {
			return nil, "", err
		}
		for i := lo; i < hi; i++ {
			out := h[i*dim*dim : (i+1)*dim*dim]
			for k := 0; k < dim; k++ {
				b := ((i-lo)*2*dim + 2*k) * dim
				gp, gm := g[b:b+dim], g[b+dim:b+2*dim]
				for j := 0; j < dim; j++ {
					out[k*dim+j] = (gp[j] - gm[j]) / (2 * steps[(i-lo)*dim+k])
				}
			}
			symmetrize(out, dim)
		}
	}
	return h, "gradient differences", nil
}

// symmetrize replaces the dim×dim matrix m by (m + mᵀ)/2.
func symmetrize(m []float64, dim int) {
	for i := 0; i < dim; i++ {
		for j := i + 1; j < dim; j++ {
			v := (m[i*dim+j] + m[j*dim+i]) / 2
			m[i*dim+j], m[j*dim+i] = v, v
		}
	}
}
