package sdk

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/landscape-go/landscape/sdk/internal/curv"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin side of HessianVectors and Hessians: exact from the surface's
// own capability when it has one, else by differences (package curv).

// curvature is how a configured surface answers for second derivatives,
// over its full loss or over one mini-batch per point.
type curvature struct {
	ctx  context.Context
	act  *activity // what is finished counts into it
	ps   pointSurface
	name string
	dim  int
	hess SurfaceWithHessian                               // nil: none (or a mini-batch)
	hvp  func(dst, theta, v []float64, i int, buf *[]int) // nil: none
	grad bool                                             // an analytic gradient (or BatchGrad)
}

func newCurvature(ctx context.Context, ps pointSurface, act *activity) curvature {
	c := curvature{ctx: ctx, act: act, ps: ps, name: ps.c.Info().Name, dim: ps.c.Info().Dim}
	if ps.bs != nil {
		// A mini-batch: BatchGrad is the surface's own gradient.
		c.grad = true
		if b, ok := ps.c.(SurfaceWithBatchHVP); ok {
			c.hvp = func(dst, theta, v []float64, i int, buf *[]int) { b.BatchHVP(dst, theta, v, ps.idx(i, buf)) }
		}
		return c
	}
	_, c.grad = ps.c.(SurfaceWithGradient)
	c.hess, _ = ps.c.(SurfaceWithHessian)
	if h, ok := ps.c.(SurfaceWithHVP); ok {
		c.hvp = func(dst, theta, v []float64, _ int, _ *[]int) { h.HVP(dst, theta, v) }
	}
	return c
}

// gradients evaluates gradients of the surface (or of point origin[j]'s
// mini-batch) on every core.
func (c curvature) gradients(points []float64, origin []int, grads []float64) error {
	n := c.dim
	return safeParallel(c.ctx, c.act, len(points)/n, 64, func(lo, hi int) {
		scratch := make([]float64, n)
		var buf []int
		for j := lo; j < hi; j++ {
			c.ps.grad(origin[j], grads[j*n:(j+1)*n], points[j*n:(j+1)*n], scratch, &buf, nil)
		}
	})
}

// losses evaluates losses likewise.
func (c curvature) losses(points []float64, origin []int, vals []float64) error {
	n := c.dim
	return safeParallel(c.ctx, c.act, len(points)/n, 256, func(lo, hi int) {
		var buf []int
		for j := lo; j < hi; j++ {
			vals[j] = c.ps.loss(origin[j], points[j*n:(j+1)*n], &buf)
		}
	})
}

// safeParallel is parallel that turns a panic of the surface into an
// error instead of a crash of the plugin, and stops early (with ctx's
// error) when ctx ends: f sees ranges of at most 8 items, each counted
// into act when it is done.
func safeParallel(ctx context.Context, act *activity, n, minPar int, f func(lo, hi int)) error {
	var (
		mu    sync.Mutex
		first any
	)
	parallel(n, minPar, func(lo, hi int) {
		defer func() {
			if p := recover(); p != nil {
				mu.Lock()
				if first == nil {
					first = p
				}
				mu.Unlock()
			}
		}()
		for b := lo; b < hi && ctx.Err() == nil; b += 8 {
			f(b, min(b+8, hi))
			act.done.Add(uint64(min(b+8, hi) - b))
		}
	})
	if first != nil {
		return fmt.Errorf("the surface panicked: %v", first)
	}
	return ctx.Err()
}

// difference is the method and relative step of the difference scheme
// that c falls back on.
func (c curvature) difference() (pb.HessianMethod, float64) {
	if c.grad {
		return pb.HessianMethod_HESSIAN_METHOD_GRADIENT_DIFFERENCES, curv.GradStep
	}
	return pb.HessianMethod_HESSIAN_METHOD_LOSS_DIFFERENCES, curv.LossStep
}

// hessians writes the Hessian at each point into dst; point i's
// mini-batch is batch i of c.ps.
func (c curvature) hessians(points, dst []float64) (pb.HessianMethod, float64, error) {
	n := c.dim
	np := len(points) / n
	var err error
	switch {
	case c.hess != nil:
		err = safeParallel(c.ctx, c.act, np, 16, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				c.hess.Hessian(dst[p*n*n:(p+1)*n*n], points[p*n:(p+1)*n])
			}
		})
	case c.hvp != nil:
		// Column k of point p is H·e_k.
		err = safeParallel(c.ctx, c.act, np*n, 16, func(lo, hi int) {
			e := make([]float64, n)
			col := make([]float64, n)
			var buf []int
			for u := lo; u < hi; u++ {
				p, k := u/n, u%n
				e[k] = 1
				c.hvp(col, points[p*n:(p+1)*n], e, p, &buf)
				e[k] = 0
				h := dst[p*n*n : (p+1)*n*n]
				for i, v := range col {
					h[i*n+k] = v
				}
			}
		})
		for p := 0; p < np && err == nil; p++ {
			curv.Symmetrize(dst[p*n*n:(p+1)*n*n], n)
		}
	default:
		m, s := c.difference()
		if c.grad {
			err = curv.HessiansFromGradients(c.gradients, n, points, dst)
		} else {
			err = curv.HessiansFromLosses(c.losses, n, points, dst)
		}
		curv.Clean(dst)
		return m, s, err
	}
	curv.Clean(dst)
	return pb.HessianMethod_HESSIAN_METHOD_EXACT, 0, err
}

// products writes H·v at theta for each vector of vs into dst (mini-batch
// 0 of c.ps).
func (c curvature) products(theta, vs, dst []float64) (pb.HessianMethod, float64, error) {
	n := c.dim
	k := len(vs) / n
	var err error
	switch {
	case c.hvp != nil:
		err = safeParallel(c.ctx, c.act, k, 2, func(lo, hi int) {
			var buf []int
			for j := lo; j < hi; j++ {
				c.hvp(dst[j*n:(j+1)*n], theta, vs[j*n:(j+1)*n], 0, &buf)
			}
		})
	case c.hess != nil && (n <= curv.MaxHessianDim || !c.grad):
		if n > curv.MaxHessianDim {
			return 0, 0, fmt.Errorf("%w: surface %s has a dense Hessian only, and %d parameters are more than the %d it may have", ErrBadRequest, c.name, n, curv.MaxHessianDim)
		}
		h := make([]float64, n*n)
		if err := safeParallel(c.ctx, c.act, 1, 2, func(int, int) { c.hess.Hessian(h, theta) }); err != nil {
			return 0, 0, err
		}
		curv.Products(dst, h, vs, n)
	default:
		m, s := c.difference()
		if c.grad {
			err = curv.HVPsFromGradients(c.gradients, theta, vs, dst)
		} else {
			if n > curv.MaxHessianDim {
				return 0, 0, fmt.Errorf("%w: surface %s has no gradient: its Hessian-vector products come from a dense Hessian of loss differences, at most %d parameters, not %d", ErrBadRequest, c.name, curv.MaxHessianDim, n)
			}
			h := make([]float64, n*n)
			if err = curv.HessiansFromLosses(c.losses, n, theta, h); err == nil {
				curv.Products(dst, h, vs, n)
			}
		}
		curv.Clean(dst)
		return m, s, err
	}
	curv.Clean(dst)
	return pb.HessianMethod_HESSIAN_METHOD_EXACT, 0, err
}

// curvatureStatus is the status of a failed Hessian request: the
// request's fault, or the surface's (a panic), named.
func curvatureStatus(name string, err error) error {
	if errors.Is(err, ErrBadRequest) {
		return toStatus(err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, fmt.Sprintf("surface %s: %v", name, err))
}

func (s *server) HessianVectors(ctx context.Context, req *pb.HessianVectorsRequest) (*pb.HessianVectorsResponse, error) {
	c, err := s.configured(req.GetSurface())
	if err != nil {
		return nil, toStatus(err)
	}
	info := c.Info()
	n := info.Dim
	theta, vs := req.GetPoint(), req.GetVectors()
	switch {
	case len(theta) != n:
		return nil, toStatus(fmt.Errorf("%w: a point of dimension %d, surface %s has %d", ErrBadRequest, len(theta), info.Name, n))
	case len(vs) == 0 || len(vs)%n != 0:
		return nil, toStatus(fmt.Errorf("%w: %d values do not make vectors of dimension %d", ErrBadRequest, len(vs), n))
	case len(vs) > curv.MaxValues:
		return nil, toStatus(fmt.Errorf("%w: %d vector values, more than the %d a request may carry", ErrBadRequest, len(vs), curv.MaxValues))
	}
	ps := pointSurface{c: c}
	if req.GetMiniBatch() {
		ps, err = miniBatches(c, len(req.GetBatch()), 1, req.GetBatch())
		if err != nil {
			return nil, toStatus(err)
		}
	} else if len(req.GetBatch()) > 0 {
		return nil, toStatus(fmt.Errorf("%w: sample indices without mini_batch", ErrBadRequest))
	}
	dst := make([]float64, len(vs))
	m, step, err := newCurvature(ctx, ps, s.act).products(theta, vs, dst)
	if err != nil {
		return nil, curvatureStatus(info.Name, err)
	}
	return &pb.HessianVectorsResponse{Products: dst, Method: m, RelativeStep: step}, nil
}

func (s *server) Hessians(ctx context.Context, req *pb.PointsRequest) (*pb.HessiansResponse, error) {
	ps, n, np, err := s.points(req)
	if err != nil {
		return nil, toStatus(err)
	}
	name := ps.c.Info().Name
	if n > curv.MaxHessianDim {
		return nil, toStatus(fmt.Errorf("%w: surface %s has %d parameters; a dense Hessian may have at most %d", ErrBadRequest, name, n, curv.MaxHessianDim))
	}
	if np*n*n > curv.MaxValues {
		return nil, toStatus(fmt.Errorf("%w: %d Hessians of %d values, more than the %d a reply may carry", ErrBadRequest, np, n*n, curv.MaxValues))
	}
	dst := make([]float64, np*n*n)
	m, step, err := newCurvature(ctx, ps, s.act).hessians(req.GetPoints(), dst)
	if err != nil {
		return nil, curvatureStatus(name, err)
	}
	return &pb.HessiansResponse{Hessians: dst, Method: m, RelativeStep: step}, nil
}
