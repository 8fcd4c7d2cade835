package host

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/sdk/client"
)

// HessianOperator is s's Hessian at x (over the mini-batch of samples b,
// when b is not nil) as products with vectors, for the analyses of
// compute/hessian: central differences of its plugin's gradient, many
// products per request, until the plugin answers with its own.
func (a *App) HessianOperator(ctx context.Context, s *Surface, x []float64, b *client.MiniBatch) (hessian.Operator, error) {
	dim := s.Desc.Dim
	if len(x) != dim {
		return nil, badInput("point", "has %d values; %s has %d parameters", len(x), s.Desc.Name, dim)
	}
	grad := func(ctx context.Context, dst, pts []float64) error {
		n := len(pts) / dim
		for lo := 0; lo < n; lo += pointsBatch {
			hi := min(lo+pointsBatch, n)
			p := client.Points{Ref: s.Ref, Dim: dim, Points: pts[lo*dim : hi*dim]}
			if b != nil {
				p.Batch = &client.MiniBatch{Size: b.Size}
				for range hi - lo {
					p.Batch.Index = append(p.Batch.Index, b.Index...)
				}
			}
			cctx, cancel := a.CallTimeout(ctx)
			_, g, err := s.Entry.Client.Gradient(cctx, p)
			cancel()
			if err != nil {
				return err
			}
			copy(dst[lo*dim:hi*dim], g)
		}
		return nil
	}
	op, err := hessian.Differences(grad, x, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	return op, nil
}
