package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
)

// Subset and its options name the choice hyperparameter by which a
// data-driven surface with a train/test split picks the samples its loss is
// over (plugins/models declares it). A surface that has no test samples
// refuses subset=test with sdk.ErrBadParams.
const (
	SubsetParam = "subset"
	SubsetTest  = "test"
)

// TestSet describes the surface configured by s on its test samples, when
// it has a train/test split with a non-empty test set; ok is false (and err
// nil) when it has none.
func TestSet(ctx context.Context, e Entry, s sdk.Settings, desc sdk.Descriptor, callTimeout func(context.Context) (context.Context, context.CancelFunc)) (ts sdk.Settings, td sdk.Descriptor, ok bool, err error) {
	declared := false
	for _, h := range desc.Hyperparameters {
		if h.Name == SubsetParam && h.Option(SubsetTest) >= 0 {
			declared = true
		}
	}
	if !declared {
		return ts, td, false, nil
	}
	ts = sdk.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}
	for k, v := range s.Params {
		ts.Params[k] = v
	}
	for k, v := range s.Texts {
		ts.Texts[k] = v
	}
	delete(ts.Params, SubsetParam)
	ts.Texts[SubsetParam] = SubsetTest
	td, err = Describe(ctx, e, ts, callTimeout)
	if errors.Is(err, sdk.ErrBadParams) {
		return ts, td, false, nil // no test samples (split=0)
	}
	return ts, td, err == nil, err
}

// LineScene is a 1-D slice through a surface's parameter space.
type LineScene struct {
	Entry    Entry
	Settings sdk.Settings
	Desc     sdk.Descriptor
	Line     compute.Line
	// Label names the line's parameter ("alpha", "x0", "d").
	Label string
}

// pointsBatch bounds the points of one request to a plugin.
const pointsBatch = 4096

// EvaluateLine evaluates the slice with the backend asked for (as
// Evaluate does for grids) and returns one loss per sample, NaN where the
// surface is undefined, and the backend that did the work.
func (a *App) EvaluateLine(ctx context.Context, backend string, ls *LineScene) ([]float64, string, error) {
	if err := ls.Line.Validate(); err != nil {
		return nil, "", err
	}
	if ls.Line.Dim() != ls.Desc.Dim {
		return nil, "", fmt.Errorf("%w: the line has %d parameters, %s has %d", ErrBadFlag, ls.Line.Dim(), ls.Desc.Name, ls.Desc.Dim)
	}
	dim, n := ls.Desc.Dim, ls.Line.N
	pts := make([]float64, n*dim)
	for i := 0; i < n; i++ {
		ls.Line.Point(pts[i*dim:(i+1)*dim], i)
	}
	out := make([]float64, n)
	used, err := a.withBackend(backend, func() (string, error) {
		ev, why, err := a.gpuFor(ctx, ls.Entry, ls.Settings, &ls.Desc)
		if ev == nil {
			return why, err
		}
		v, err := ev.EvalPoints(ctx, ls.Desc, pts)
		if err == nil && ls.Desc.DataLen > 0 {
			sp, sv := spreadPoints(pts, v, dim)
			err = a.verifyGPU(ctx, ls.Entry, ls.Settings, ls.Desc, sp, sv)
		}
		for i, x := range v {
			out[i] = float64(x)
		}
		return refusal(err)
	}, func() error {
		return a.lossAt(ctx, ls.Entry, ls.Settings, dim, pts, out)
	})
	return out, used, err
}

// lossAt evaluates the surface at the points through its plugin, in
// batches, into out (one value per point).
func (a *App) lossAt(ctx context.Context, e Entry, s sdk.Settings, dim int, pts []float64, out []float64) error {
	n := len(pts) / dim
	for lo := 0; lo < n; lo += pointsBatch {
		hi := min(lo+pointsBatch, n)
		cctx, cancel := a.CallTimeout(ctx)
		v, err := e.Client.Loss(cctx, e.Name, s, dim, pts[lo*dim:hi*dim])
		cancel()
		if err != nil {
			return err
		}
		copy(out[lo:hi], v)
	}
	return nil
}
