package host

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/sdk/client"
)

// Hessians are s's Hessians at the points pts (s.Desc.Dim values each):
// dim² values per point, row-major and symmetric, and how they were
// obtained: exact from plugins whose surfaces have them, else differences
// of the gradient (or the loss), taken by the plugin or its client.
func (a *App) Hessians(ctx context.Context, s *Surface, pts []float64) (h []float64, method string, err error) {
	dim := s.Desc.Dim
	if dim < 1 || len(pts)%dim != 0 {
		return nil, "", fmt.Errorf("%w: %d values do not make points of dimension %d", ErrBadInput, len(pts), dim)
	}
	n := len(pts) / dim
	// Requests of at most pointsBatch points' worth of values.
	per := max(1, pointsBatch*8/max(dim*dim, 1))
	h = make([]float64, 0, n*dim*dim)
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		r, err := s.hessian(ctx, client.Points{Ref: s.Ref, Dim: dim, Points: pts[lo*dim : hi*dim]})
		if err != nil {
			return nil, "", err
		}
		h = append(h, r.Values...)
		method = r.Method.String()
	}
	return h, method, nil
}
