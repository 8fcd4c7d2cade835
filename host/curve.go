package host

import (
	"context"
	"fmt"
)

// EvaluateLine evaluates the slice with the backend asked for (as
// Evaluate does for grids) and returns one loss per sample, NaN where the
// surface is undefined, and the backend that did the work.
func (a *App) EvaluateLine(ctx context.Context, backend Backend, ls *LineScene) ([]float64, Backend, error) {
	if err := ls.Line.Validate(); err != nil {
		return nil, 0, err
	}
	if ls.Line.Dim() != ls.Desc.Dim {
		return nil, 0, fmt.Errorf("%w: the line has %d parameters, %s has %d", ErrBadInput, ls.Line.Dim(), ls.Desc.Name, ls.Desc.Dim)
	}
	dim, n := ls.Desc.Dim, ls.Line.N
	pts := make([]float64, n*dim)
	for i := 0; i < n; i++ {
		ls.Line.Point(pts[i*dim:(i+1)*dim], i)
	}
	out := make([]float64, n)
	used, err := a.withBackend(backend, func() (string, error) {
		ev, k, why, err := a.gpuFor(ctx, ls.Surface)
		if ev == nil {
			return why, err
		}
		v, err := ev.EvalPoints(ctx, k, pts)
		if err == nil {
			sp, sv := spreadPoints(pts, v, dim)
			err = a.VerifyGPU(ctx, ls.Surface, sp, sv)
		}
		for i, x := range v {
			out[i] = float64(x)
		}
		return refusal(err)
	}, func() error {
		return a.lossAt(ctx, ls.Surface, pts, out)
	})
	return out, used, err
}
