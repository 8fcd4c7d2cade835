package host

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/sdk/client"
)

// HessianOperator is s's Hessian at x (over the mini-batch of samples b,
// when b is not nil) as products with vectors, for the analyses of
// compute/hessian: exact from plugins whose surfaces have them, else
// central differences of the gradient; many products per request.
func (a *App) HessianOperator(ctx context.Context, s *Surface, x []float64, b *client.MiniBatch) (hessian.Operator, error) {
	if len(x) != s.Desc.Dim {
		return nil, badInput("point", "has %d values; %s has %d parameters", len(x), s.Desc.Name, s.Desc.Dim)
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, badInput("point", "x%d=%v is not finite", k, v)
		}
	}
	return &pluginOperator{a: a, s: s, x: append([]float64(nil), x...), b: b}, nil
}

// TrackSharpness measures the largest eigenvalue of the Hessian (of the
// full-batch loss) at every k-th record of t, and at its last, by Lanczos
// seeded with seed, into t.Sharpness (NaN at the other records): the
// sharpness that the edge-of-stability picture sets beside 2/lr. A record
// where Lanczos does not converge gets its best estimate and a warning in
// the returned list.
func (a *App) TrackSharpness(ctx context.Context, s *Surface, t *Trajectory, k int, seed uint64) (warnings []string, err error) {
	if k < 1 {
		return nil, badInput("sharpness interval", "%d: want 1 or more steps", k)
	}
	n := len(t.Records)
	t.Sharpness = make([]float64, n)
	for i := range t.Sharpness {
		t.Sharpness[i] = math.NaN()
	}
	for i, r := range t.Records {
		if r.Step%k != 0 && i != n-1 {
			continue
		}
		if !finiteVec(r.X) {
			continue
		}
		op, err := a.HessianOperator(ctx, s, r.X, nil)
		if err != nil {
			return warnings, err
		}
		e, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: 1, Seed: seed})
		switch {
		case errors.Is(err, hessian.ErrNotConverged):
			warnings = append(warnings, fmt.Sprintf("sharpness at step %d: Lanczos did not converge (residual %.2g)", r.Step, e.Top[0].Residual))
		case errors.Is(err, hessian.ErrNonFinite):
			continue // not twice differentiable there: NaN
		case err != nil:
			return warnings, err
		}
		t.Sharpness[i] = e.Top[0].Value
	}
	return warnings, nil
}

func finiteVec(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
