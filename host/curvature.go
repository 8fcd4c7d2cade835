package host

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
	"gonum.org/v1/gonum/floats"
)

// Curvatures evaluates, at every point of the scene's grid, the loss, the
// norm of the full gradient and the plane Hessian (the Hessian of
// (x, y) ↦ f(origin + x·u + y·v); for an axis plane of a 2-D surface its
// full Hessian), with the backend asked for, as Evaluate does: on the GPU
// from the surface's GLSL (float32, differences of its grad() or loss()),
// on the CPU from its plugin (float64). It returns the backend that did
// the work; the result's Method says how the Hessian was obtained.
func (a *App) Curvatures(ctx context.Context, backend Backend, sc *Scene, o compute.Options) (*compute.Curvatures, Backend, error) {
	var c *compute.Curvatures
	used, err := a.withBackend(backend, func() (string, error) {
		ev, k, why, err := a.gpuFor(ctx, sc.Surface)
		if ev == nil {
			return why, err
		}
		c, err = ev.Curvatures(ctx, k, sc.Grid, o)
		if err == nil {
			err = a.verifyGrid(ctx, sc, c.Loss)
		}
		return refusal(err)
	}, func() (err error) {
		c, err = a.cpuCurvatures(ctx, sc, o)
		return err
	})
	return c, used, err
}

// cpuCurvatures asks the plugin for the gradient at every grid point and
// at its neighbours ±h along u and v, in batches, and takes central
// differences of the gradients' components along u and v (float64, h =
// 1e-5·max(1, |coordinate|) in plane units).
func (a *App) cpuCurvatures(ctx context.Context, sc *Scene, o compute.Options) (*compute.Curvatures, error) {
	if sc.Desc.Curvature(false) == client.Exact && sc.Desc.Dim <= exactCurvatureDim {
		return a.exactCurvatures(ctx, sc, o)
	}
	g := sc.Grid
	dim, n := g.Dim(), g.Len()
	c := compute.NewCurvatures(g)
	c.Method = "gradient differences"
	const per = 5 // the point, then ±h along u, ±h along v
	batch := max(1, pointsBatch/per)
	th := make([]float64, dim)
	dot := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	for lo := 0; lo < n; lo += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+batch, n)
		pts := make([]float64, 0, (hi-lo)*per*dim)
		hs := make([][2]float64, 0, hi-lo)
		for k := lo; k < hi; k++ {
			i, j := k%g.Nx, k/g.Nx
			x, y := g.XAt(i), g.YAt(j)
			hu, hv := 1e-5*math.Max(1, math.Abs(x)), 1e-5*math.Max(1, math.Abs(y))
			hs = append(hs, [2]float64{hu, hv})
			for _, d := range [per][2]float64{{0, 0}, {hu, 0}, {-hu, 0}, {0, hv}, {0, -hv}} {
				for q := range th {
					th[q] = g.Origin[q] + (x+d[0])*g.U[q] + (y+d[1])*g.V[q]
				}
				pts = append(pts, th...)
			}
		}
		l, gr, err := sc.gradient(ctx, client.Points{Ref: sc.Ref, Dim: dim, Points: pts})
		if err != nil {
			return nil, err
		}
		for k := lo; k < hi; k++ {
			b := (k - lo) * per
			gd := func(m int) []float64 { return gr[(b+m)*dim : (b+m+1)*dim] }
			hu, hv := hs[k-lo][0], hs[k-lo][1]
			huu := (dot(gd(1), g.U) - dot(gd(2), g.U)) / (2 * hu)
			hvu := (dot(gd(1), g.V) - dot(gd(2), g.V)) / (2 * hu)
			huv := (dot(gd(3), g.U) - dot(gd(4), g.U)) / (2 * hv)
			hvv := (dot(gd(3), g.V) - dot(gd(4), g.V)) / (2 * hv)
			c.Loss[k] = grid.ToFloat32(l[b])
			c.GradNorm[k] = grid.ToFloat32(math.Sqrt(dot(gd(0), gd(0))))
			c.Huu[k], c.Huv[k], c.Hvv[k] = grid.ToFloat32(huu), grid.ToFloat32((huv+hvu)/2), grid.ToFloat32(hvv)
		}
		if o.Progress != nil {
			o.Progress(hi, n)
		}
	}
	return c, nil
}

// FullCurvatures evaluates, at every point of the scene's grid, the loss,
// the gradient's norm and the smallest and largest eigenvalues of the
// surface's full Hessian (not the plane's), by Lanczos on Hessian-vector
// products from its plugin (what loss-landscape's curvature maps show).
// It runs on the CPU, point by point, and reports progress; warnings name
// the points where Lanczos did not converge (their best estimates are
// kept).
func (a *App) FullCurvatures(ctx context.Context, sc *Scene, seed uint64, o compute.Options) (c *compute.Curvatures, warnings []string, err error) {
	g := sc.Grid
	n, dim := g.Len(), g.Dim()
	c = compute.NewCurvatures(g)
	c.Lo, c.Hi = make([]float32, n), make([]float32, n)
	th := make([]float64, dim)
	unconverged := 0
	for k := 0; k < n; k++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		g.Point(th, k%g.Nx, k/g.Nx)
		x := append([]float64(nil), th...)
		l, gr, err := sc.gradient(ctx, client.Points{Ref: sc.Ref, Dim: dim, Points: x})
		if err != nil {
			return nil, nil, err
		}
		c.Loss[k], c.GradNorm[k] = grid.ToFloat32(l[0]), grid.ToFloat32(floats.Norm(gr, 2))
		c.Lo[k], c.Hi[k] = float32(math.NaN()), float32(math.NaN())
		op, err := a.HessianOperator(ctx, sc.Surface, x, nil)
		if err != nil {
			return nil, nil, err
		}
		if c.Method == "" {
			c.Method = hessian.Describe(op) + ", extreme eigenvalues by Lanczos"
		}
		e, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: 1, Bottom: 1, Seed: seed})
		switch {
		case errors.Is(err, hessian.ErrNotConverged):
			unconverged++
		case errors.Is(err, hessian.ErrNonFinite):
			continue // not twice differentiable there: NaN
		case err != nil:
			return nil, nil, err
		}
		c.Lo[k], c.Hi[k] = grid.ToFloat32(e.Bottom[0].Value), grid.ToFloat32(e.Top[0].Value)
		if o.Progress != nil {
			o.Progress(k+1, n)
		}
	}
	if unconverged > 0 {
		warnings = append(warnings, fmt.Sprintf("Lanczos did not converge at %d of %d points; their best estimates are kept", unconverged, n))
	}
	return c, warnings, nil
}

// exactCurvatureDim bounds the dimension whose plane Hessians come from
// the plugin's dense Hessians (dim² values per grid point).
const exactCurvatureDim = 64

// exactCurvatures asks the plugin for the gradient and the exact Hessian H
// at every grid point, in batches, and restricts H to the plane:
// huu = uᵀHu, huv = uᵀHv, hvv = vᵀHv.
func (a *App) exactCurvatures(ctx context.Context, sc *Scene, o compute.Options) (*compute.Curvatures, error) {
	g := sc.Grid
	dim, n := g.Dim(), g.Len()
	c := compute.NewCurvatures(g)
	batch := max(1, pointsBatch/dim)
	hu, hv := make([]float64, dim), make([]float64, dim)
	for lo := 0; lo < n; lo += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+batch, n)
		pts := make([]float64, (hi-lo)*dim)
		for k := lo; k < hi; k++ {
			g.Point(pts[(k-lo)*dim:(k-lo+1)*dim], k%g.Nx, k/g.Nx)
		}
		l, gr, err := sc.gradient(ctx, client.Points{Ref: sc.Ref, Dim: dim, Points: pts})
		if err != nil {
			return nil, err
		}
		h, method, err := a.Hessians(ctx, sc.Surface, pts)
		if err != nil {
			return nil, err
		}
		c.Method = method
		for k := lo; k < hi; k++ {
			m := h[(k-lo)*dim*dim : (k-lo+1)*dim*dim]
			for i := 0; i < dim; i++ {
				hu[i], hv[i] = floats.Dot(m[i*dim:(i+1)*dim], g.U), floats.Dot(m[i*dim:(i+1)*dim], g.V)
			}
			c.Loss[k] = grid.ToFloat32(l[k-lo])
			c.GradNorm[k] = grid.ToFloat32(floats.Norm(gr[(k-lo)*dim:(k-lo+1)*dim], 2))
			c.Huu[k] = grid.ToFloat32(floats.Dot(g.U, hu))
			c.Huv[k] = grid.ToFloat32(floats.Dot(g.V, hu))
			c.Hvv[k] = grid.ToFloat32(floats.Dot(g.V, hv))
		}
		if o.Progress != nil {
			o.Progress(hi, n)
		}
	}
	return c, nil
}
