package client

import (
	"context"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/internal/curv"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// HessianMethod is how second derivatives were obtained. Every Hessian
// and Hessian-vector product carries one, so that an output can say which.
type HessianMethod int

const (
	// Exact: the surface's own Hessian or Hessian-vector products
	// (sdk.SurfaceWithHessian, SurfaceWithHVP, SurfaceWithBatchHVP).
	Exact HessianMethod = iota + 1
	// GradientDifferences: central differences of the surface's analytic
	// gradient, with relative step ∛ε ≈ 6.1e-6 (ε = 2⁻⁵²): along a
	// coordinate k the step is ∛ε·max(1, |θ_k|), along a vector v it is
	// ∛ε·max(1, ‖θ‖∞)/‖v‖∞. The error is O(step²) from truncation plus
	// O(ε/step) from rounding: about 1e-10 relative on smooth surfaces.
	// Dense Hessians are symmetrized, (H + Hᵀ)/2.
	GradientDifferences
	// LossDifferences: second differences of the loss (a surface without
	// a gradient), with relative step ε^¼ ≈ 1.2e-4: about 1e-7 relative
	// on smooth surfaces, n²+n+1 losses per dense Hessian of dimension
	// n; Hessian-vector products come from that dense Hessian.
	LossDifferences
)

var methodNames = [...]string{Exact: "exact", GradientDifferences: "gradient differences", LossDifferences: "loss differences"}

// String is the method as outputs print it: "exact", "gradient
// differences" or "loss differences".
func (m HessianMethod) String() string {
	if m < Exact || m > LossDifferences {
		return fmt.Sprintf("HessianMethod(%d)", int(m))
	}
	return methodNames[m]
}

// MaxHessianDim bounds the dimension of a dense Hessian (SurfaceClient.
// Hessian); larger surfaces have Hessian-vector products only.
const MaxHessianDim = curv.MaxHessianDim

// Curvature is the method SurfaceClient.Hessian uses for d's full loss
// (batch false) or a mini-batch of it, and SurfaceClient.HVP too except
// for a surface with a dense Hessian only and more than MaxHessianDim
// parameters (gradient differences then). Each reply says which it got.
func (d Descriptor) Curvature(batch bool) HessianMethod {
	switch {
	case batch && d.HasBatchHVP, !batch && (d.HasHessian || d.HasHVP):
		return Exact
	case batch || d.HasGradient:
		return GradientDifferences
	}
	return LossDifferences
}

// HVPs asks for Hessian-vector products at one point.
type HVPs struct {
	Ref
	// Point is where the Hessian is taken (the surface's dimension).
	Point []float64
	// Vectors holds len(Vectors)/len(Point) vectors, one after another.
	Vectors []float64
	// Batch, when not nil, takes the Hessian of the loss over one
	// mini-batch (Size indices in Index) instead of the full loss.
	Batch *MiniBatch
}

// Products are Hessian-vector products and how they were obtained.
type Products struct {
	// Values holds H·v for each vector, in order, len(Point) values each.
	// NaN where a second derivative does not exist.
	Values []float64
	Method HessianMethod
	// Step is the relative step of a difference method (see
	// HessianMethod); 0 for Exact.
	Step float64
}

// Hessians are dense Hessians and how they were obtained.
type Hessians struct {
	// Values holds one Dim×Dim symmetric matrix per point, row-major.
	// NaN where a second derivative does not exist.
	Values []float64
	Method HessianMethod
	// Step is as for Products.
	Step float64
}

// reply is what one request for second derivatives answered.
type reply struct {
	values []float64
	method HessianMethod
	step   float64
}

// check trusts r only when it is well formed: want values, none ±Inf, a
// known method with a step that fits it, the same method as the earlier
// chunks' (prev, zero for the first).
func (c *SurfaceClient) check(r reply, want int, prev reply, what string) error {
	if len(r.values) != want {
		return fmt.Errorf("%w: %s returned %d values for %s of %d", ErrPluginFailed, c.name(), len(r.values), what, want)
	}
	for i, v := range r.values {
		if math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s returned %v in %s (value %d): second derivatives are finite or NaN", ErrPluginFailed, c.name(), v, what, i)
		}
	}
	switch {
	case r.method < Exact || r.method > LossDifferences:
		return fmt.Errorf("%w: %s named no method for its %s (%d)", ErrPluginFailed, c.name(), what, int(r.method))
	case r.method == Exact && r.step != 0, r.method != Exact && !(r.step > 0 && r.step < 1):
		return fmt.Errorf("%w: %s: %s by %s with relative step %v", ErrPluginFailed, c.name(), what, r.method, r.step)
	case prev.method != 0 && (r.method != prev.method || r.step != prev.step):
		return fmt.Errorf("%w: %s answered parts of one request by %s and by %s", ErrPluginFailed, c.name(), prev.method, r.method)
	}
	return nil
}

// symmetric checks each n×n matrix of hs: |H_ij − H_ji| at most 1e-6 of
// the matrix's largest |entry|, NaN mirrored by NaN.
func (c *SurfaceClient) symmetric(hs []float64, n int) error {
	for p := 0; p < len(hs)/(n*n); p++ {
		h := hs[p*n*n : (p+1)*n*n]
		var scale float64
		for _, v := range h {
			if !math.IsNaN(v) {
				scale = math.Max(scale, math.Abs(v))
			}
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				a, b := h[i*n+j], h[j*n+i]
				if math.IsNaN(a) != math.IsNaN(b) || math.Abs(a-b) > 1e-6*scale {
					return fmt.Errorf("%w: %s returned an asymmetric Hessian (point %d: H[%d][%d] = %v, H[%d][%d] = %v)", ErrPluginFailed, c.name(), p, i, j, a, j, i, b)
				}
			}
		}
	}
	return nil
}

// chunkValues is how many values go into one request for second
// derivatives (a variable so that tests can split small requests).
var chunkValues = curv.ChunkValues

// unimplemented reports whether err is a plugin's answer to an RPC it
// predates.
func unimplemented(err error) bool { return status.Code(err) == codes.Unimplemented }

// HVP multiplies the Hessian at r.Point by each of r.Vectors: exactly when
// the surface has exact second derivatives, else by differences (see
// HessianMethod); the result says which. Many vectors travel in one
// request (split into several above a few million values). A plugin that
// predates the HessianVectors RPC gets central differences of gradients
// from the host (batched Gradient requests), or of losses when the
// surface has no gradient.
func (c *SurfaceClient) HVP(ctx context.Context, r HVPs) (Products, error) {
	n := len(r.Point)
	if n < 1 || len(r.Vectors) < n || len(r.Vectors)%n != 0 {
		return Products{}, fmt.Errorf("%w: %d values do not make vectors of dimension %d", sdk.ErrBadRequest, len(r.Vectors), n)
	}
	if err := r.Batch.check(1); err != nil {
		return Products{}, err
	}
	per := max(1, chunkValues/n) // vectors per request
	out := make([]float64, 0, len(r.Vectors))
	var prev reply
	for lo := 0; lo < len(r.Vectors); lo += per * n {
		vs := r.Vectors[lo:min(lo+per*n, len(r.Vectors))]
		req := &pb.HessianVectorsRequest{Surface: r.Ref.proto(), Point: r.Point, Vectors: vs}
		if r.Batch != nil {
			req.MiniBatch, req.Batch = true, r.Batch.Index
		}
		var resp *pb.HessianVectorsResponse
		err := c.watched(ctx, func() string {
			return fmt.Sprintf("computing %d Hessian-vector products of surface %s", len(vs)/n, r.Name)
		},
			func(ctx context.Context, _ func()) (err error) {
				resp, err = c.rpc.HessianVectors(ctx, req)
				return err
			})
		if err != nil {
			if lo == 0 && unimplemented(err) {
				return c.hvpByDifferences(ctx, r)
			}
			return Products{}, c.status(err)
		}
		got := reply{resp.GetProducts(), HessianMethod(resp.GetMethod()), resp.GetRelativeStep()}
		if err := c.check(got, len(vs), prev, "Hessian-vector products"); err != nil {
			return Products{}, err
		}
		prev = got
		out = append(out, got.values...)
	}
	return Products{Values: out, Method: prev.method, Step: prev.step}, nil
}

// Hessian evaluates the dense Hessian at each of p's points (each over its
// own mini-batch when p.Batch is set): exactly when the surface has exact
// second derivatives, else by differences (see HessianMethod); the result
// says which. The dimension is at most MaxHessianDim. A plugin that
// predates the Hessians RPC gets differences of gradients (or losses)
// from the host, as for HVP.
func (c *SurfaceClient) Hessian(ctx context.Context, p Points) (Hessians, error) {
	if _, err := p.proto(); err != nil {
		return Hessians{}, err
	}
	n := p.Dim
	if n > MaxHessianDim {
		return Hessians{}, fmt.Errorf("%w: a dense Hessian of %d parameters; at most %d (use Hessian-vector products)", sdk.ErrBadRequest, n, MaxHessianDim)
	}
	np := len(p.Points) / n
	if np == 0 {
		return Hessians{}, fmt.Errorf("%w: no points to take Hessians at", sdk.ErrBadRequest)
	}
	per := max(1, chunkValues/(n*n)) // points per request
	out := make([]float64, 0, np*n*n)
	var prev reply
	for lo := 0; lo < np; lo += per {
		hi := min(lo+per, np)
		part := Points{Ref: p.Ref, Dim: n, Points: p.Points[lo*n : hi*n]}
		if p.Batch != nil {
			part.Batch = &MiniBatch{Size: p.Batch.Size, Index: p.Batch.Index[lo*p.Batch.Size : hi*p.Batch.Size]}
		}
		req, _ := part.proto()
		var resp *pb.HessiansResponse
		err := c.watched(ctx, func() string { return part.doing("computing Hessians at") },
			func(ctx context.Context, _ func()) (err error) {
				resp, err = c.rpc.Hessians(ctx, req)
				return err
			})
		if err != nil {
			if lo == 0 && unimplemented(err) {
				return c.hessianByDifferences(ctx, p)
			}
			return Hessians{}, c.status(err)
		}
		got := reply{resp.GetHessians(), HessianMethod(resp.GetMethod()), resp.GetRelativeStep()}
		if err := c.check(got, (hi-lo)*n*n, prev, "Hessians"); err != nil {
			return Hessians{}, err
		}
		if err := c.symmetric(got.values, n); err != nil {
			return Hessians{}, err
		}
		prev = got
		out = append(out, got.values...)
	}
	return Hessians{Values: out, Method: prev.method, Step: prev.step}, nil
}

// fallback is the difference method for a plugin that predates the
// Hessian RPCs: gradient differences when the surface has a gradient (a
// mini-batch always has BatchGrad), loss differences otherwise.
func (c *SurfaceClient) fallback(ctx context.Context, ref Ref, batch bool) (HessianMethod, error) {
	if batch {
		return GradientDifferences, nil
	}
	d, err := c.Describe(ctx, ref)
	if err != nil {
		return 0, err
	}
	if d.HasGradient {
		return GradientDifferences, nil
	}
	return LossDifferences, nil
}

// batchOf is the mini-batch of each perturbed point: that of the request's
// point origin[j] (b holds one batch per request point), or nil.
func batchOf(b *MiniBatch, origin []int) *MiniBatch {
	if b == nil {
		return nil
	}
	out := &MiniBatch{Size: b.Size, Index: make([]int32, 0, len(origin)*b.Size)}
	for _, o := range origin {
		out.Index = append(out.Index, b.Index[o*b.Size:(o+1)*b.Size]...)
	}
	return out
}

// inChunks calls f on the ranges [lo, hi) of count points of dimension n
// that make requests of at most chunkValues coordinates.
func inChunks(count, n int, f func(lo, hi int) error) error {
	per := max(1, chunkValues/n)
	for lo := 0; lo < count; lo += per {
		if err := f(lo, min(lo+per, count)); err != nil {
			return err
		}
	}
	return nil
}

// gradients evaluates gradients through the Gradient RPC, a chunk of
// points at a time.
func (c *SurfaceClient) gradients(ctx context.Context, ref Ref, n int, b *MiniBatch) curv.Gradients {
	return func(points []float64, origin []int, grads []float64) error {
		return inChunks(len(origin), n, func(lo, hi int) error {
			_, g, err := c.Gradient(ctx, Points{Ref: ref, Dim: n, Points: points[lo*n : hi*n], Batch: batchOf(b, origin[lo:hi])})
			copy(grads[lo*n:hi*n], g)
			return err
		})
	}
}

// losses evaluates losses through the Loss RPC likewise.
func (c *SurfaceClient) losses(ctx context.Context, ref Ref, n int, b *MiniBatch) curv.Losses {
	return func(points []float64, origin []int, vals []float64) error {
		return inChunks(len(origin), n, func(lo, hi int) error {
			v, err := c.Loss(ctx, Points{Ref: ref, Dim: n, Points: points[lo*n : hi*n], Batch: batchOf(b, origin[lo:hi])})
			copy(vals[lo:hi], v)
			return err
		})
	}
}

func (c *SurfaceClient) hvpByDifferences(ctx context.Context, r HVPs) (Products, error) {
	m, err := c.fallback(ctx, r.Ref, r.Batch != nil)
	if err != nil {
		return Products{}, err
	}
	n := len(r.Point)
	out := make([]float64, len(r.Vectors))
	if m == GradientDifferences {
		if err := curv.HVPsFromGradients(c.gradients(ctx, r.Ref, n, r.Batch), r.Point, r.Vectors, out); err != nil {
			return Products{}, err
		}
		curv.Clean(out)
		return Products{Values: out, Method: m, Step: curv.GradStep}, nil
	}
	if n > MaxHessianDim {
		return Products{}, fmt.Errorf("%w: surface %s has no gradient: its Hessian-vector products come from a dense Hessian of loss differences, at most %d parameters, not %d", sdk.ErrBadRequest, r.Name, MaxHessianDim, n)
	}
	h := make([]float64, n*n)
	if err := curv.HessiansFromLosses(c.losses(ctx, r.Ref, n, r.Batch), n, r.Point, h); err != nil {
		return Products{}, err
	}
	curv.Products(out, h, r.Vectors, n)
	curv.Clean(out)
	return Products{Values: out, Method: m, Step: curv.LossStep}, nil
}

func (c *SurfaceClient) hessianByDifferences(ctx context.Context, p Points) (Hessians, error) {
	m, err := c.fallback(ctx, p.Ref, p.Batch != nil)
	if err != nil {
		return Hessians{}, err
	}
	n := p.Dim
	out := make([]float64, len(p.Points)*n)
	step := curv.GradStep
	if m == GradientDifferences {
		err = curv.HessiansFromGradients(c.gradients(ctx, p.Ref, n, p.Batch), n, p.Points, out)
	} else {
		step = curv.LossStep
		err = curv.HessiansFromLosses(c.losses(ctx, p.Ref, n, p.Batch), n, p.Points, out)
	}
	if err != nil {
		return Hessians{}, err
	}
	curv.Clean(out)
	return Hessians{Values: out, Method: m, Step: step}, nil
}
