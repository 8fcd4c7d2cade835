package client

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/landscape-go/landscape/sdk"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// cubic is x³ + 2xy² + eʸ on [-1, 1]², with as many capabilities as
// level gives: 0 Loss only, 1 a gradient, 2 a dense Hessian, 3
// Hessian-vector products. Its Hessian is [[6x, 4y], [4y, 4x + eʸ]].
type cubic struct{ level int }

func (c cubic) Info() sdk.Info {
	return sdk.Info{Name: [...]string{"cubic-loss", "cubic-grad", "cubic-hess", "cubic-hvp"}[c.level], Summary: "test", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (cubic) Loss(p []float64) float64 {
	x, y := p[0], p[1]
	return x*x*x + 2*x*y*y + math.Exp(y)
}

func cubicGrad(dst, p []float64) {
	x, y := p[0], p[1]
	dst[0], dst[1] = 3*x*x+2*y*y, 4*x*y+math.Exp(y)
}

func cubicHessian(p []float64) [4]float64 {
	x, y := p[0], p[1]
	return [4]float64{6 * x, 4 * y, 4 * y, 4*x + math.Exp(y)}
}

type cubicG struct{ cubic }

func (cubicG) Grad(dst, p []float64) { cubicGrad(dst, p) }

type cubicH struct{ cubicG }

func (cubicH) Hessian(dst, p []float64) { h := cubicHessian(p); copy(dst, h[:]) }

type cubicV struct{ cubicG }

func (cubicV) HVP(dst, p, v []float64) {
	h := cubicHessian(p)
	dst[0], dst[1] = h[0]*v[0]+h[1]*v[1], h[2]*v[0]+h[3]*v[1]
}

func cubics() []sdk.Surface {
	return []sdk.Surface{cubic{0}, cubicG{cubic{1}}, cubicH{cubicG{cubic{2}}}, cubicV{cubicG{cubic{3}}}}
}

// samplesHVP is samples with exact mini-batch products: the Hessian of
// the mean of (θ − x_i)² is 2.
type samplesHVP struct{ samples }

func (s samplesHVP) Info() sdk.Info { i := s.samples.Info(); i.Name = "samples-hvp"; return i }

func (s samplesHVP) ConfigureTexts(p sdk.Params, t sdk.Texts) (sdk.Surface, error) {
	c, err := s.samples.ConfigureTexts(p, t)
	if err != nil {
		return nil, err
	}
	return samplesHVP{c.(samples)}, nil
}

func (samplesHVP) BatchHVP(dst, _, v []float64, _ []int) { dst[0] = 2 * v[0] }

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// wantCurvature checks products and Hessians of a cubic surface against
// its analytic Hessian.
func wantCurvature(t *testing.T, c *SurfaceClient, name string, method HessianMethod, tol float64) {
	t.Helper()
	ctx := context.Background()
	pts := []float64{0.3, -0.7, -0.9, 0.4, 0, 0}
	hs, err := c.Hessian(ctx, Points{Ref: Ref{Name: name}, Dim: 2, Points: pts})
	if err != nil {
		t.Fatalf("%s: Hessian: %v", name, err)
	}
	if hs.Method != method || len(hs.Values) != 12 {
		t.Fatalf("%s: Hessian by %v with %d values, want %v", name, hs.Method, len(hs.Values), method)
	}
	if (method == Exact) != (hs.Step == 0) {
		t.Errorf("%s: %v with step %v", name, hs.Method, hs.Step)
	}
	for p := 0; p < 3; p++ {
		want := cubicHessian(pts[2*p : 2*p+2])
		for k, w := range want {
			if got := hs.Values[4*p+k]; !near(got, w, tol) {
				t.Errorf("%s: point %d: H[%d] = %v, want %v (%v)", name, p, k, got, w, method)
			}
		}
	}
	vs := []float64{1, 0, 0, 1, 0.5, -2, 0, 0}
	pr, err := c.HVP(ctx, HVPs{Ref: Ref{Name: name}, Point: pts[:2], Vectors: vs})
	if err != nil {
		t.Fatalf("%s: HVP: %v", name, err)
	}
	if pr.Method != method || len(pr.Values) != len(vs) {
		t.Fatalf("%s: HVP by %v with %d values, want %v", name, pr.Method, len(pr.Values), method)
	}
	h := cubicHessian(pts[:2])
	for j := 0; j < 4; j++ {
		v := vs[2*j : 2*j+2]
		for i := 0; i < 2; i++ {
			want := h[2*i]*v[0] + h[2*i+1]*v[1]
			if got := pr.Values[2*j+i]; !near(got, want, tol) {
				t.Errorf("%s: (H·v%d)_%d = %v, want %v (%v)", name, j, i, got, want, method)
			}
		}
	}
}

func TestCurvatureOverTheWire(t *testing.T) {
	c, _ := connect(t, sdk.WithSurfaces(append(cubics(), samples{n: 5}, samplesHVP{samples{n: 5}})...))
	ctx := context.Background()
	ds, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name        string
		h, v, bv    bool
		full, batch HessianMethod
		tol         float64
	}{
		{"cubic-loss", false, false, false, LossDifferences, GradientDifferences, 1e-6},
		{"cubic-grad", false, false, false, GradientDifferences, GradientDifferences, 1e-8},
		{"cubic-hess", true, false, false, Exact, GradientDifferences, 1e-15},
		{"cubic-hvp", false, true, false, Exact, GradientDifferences, 1e-15},
		{"samples", false, false, false, LossDifferences, GradientDifferences, 0},
		{"samples-hvp", false, false, true, LossDifferences, Exact, 0},
	} {
		var d Descriptor
		for _, x := range ds {
			if x.Name == want.name {
				d = x
			}
		}
		if d.HasHessian != want.h || d.HasHVP != want.v || d.HasBatchHVP != want.bv || d.Curvature(false) != want.full || d.Curvature(true) != want.batch {
			t.Errorf("%s: described %v/%v/%v, curvature %v and %v; want %v/%v/%v, %v and %v", want.name, d.HasHessian, d.HasHVP, d.HasBatchHVP,
				d.Curvature(false), d.Curvature(true), want.h, want.v, want.bv, want.full, want.batch)
		}
		if strings.HasPrefix(want.name, "cubic") {
			wantCurvature(t, c, want.name, want.full, want.tol)
		}
	}

	// Mini-batches: the Hessian of the mean of (θ − x_i)² is 2, by
	// differences of BatchGrad or exactly.
	for _, name := range []string{"samples", "samples-hvp"} {
		pr, err := c.HVP(ctx, HVPs{Ref: Ref{Name: name}, Point: []float64{0.5}, Vectors: []float64{1, -3}, Batch: &MiniBatch{Size: 2, Index: []int32{1, 4}}})
		if err != nil || !near(pr.Values[0], 2, 1e-9) || !near(pr.Values[1], -6, 1e-9) {
			t.Errorf("%s: mini-batch HVP = %+v, %v", name, pr, err)
		}
		hs, err := c.Hessian(ctx, Points{Ref: Ref{Name: name}, Dim: 1, Points: []float64{0.5, 2}, Batch: &MiniBatch{Size: 1, Index: []int32{0, 3}}})
		if err != nil || !near(hs.Values[0], 2, 1e-9) || !near(hs.Values[1], 2, 1e-9) {
			t.Errorf("%s: mini-batch Hessians = %+v, %v", name, hs, err)
		}
		if want := map[string]HessianMethod{"samples": GradientDifferences, "samples-hvp": Exact}[name]; pr.Method != want || hs.Method != want {
			t.Errorf("%s: mini-batch methods %v and %v, want %v", name, pr.Method, hs.Method, want)
		}
	}

	// Requests the plugin refuses, and ones the client refuses first.
	for _, bad := range []struct {
		name string
		call func() error
		want string
	}{
		{"wrong dimension", func() error {
			_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "cubic-hvp"}, Point: []float64{1, 2, 3}, Vectors: []float64{1, 2, 3}})
			return err
		}, "dimension 3"},
		{"no vectors", func() error {
			_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "cubic-hvp"}, Point: []float64{1, 2}})
			return err
		}, "vectors"},
		{"ragged vectors", func() error {
			_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "cubic-hvp"}, Point: []float64{1, 2}, Vectors: []float64{1, 2, 3}})
			return err
		}, "vectors"},
		{"batch of a surface without batches", func() error {
			_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "cubic-hvp"}, Point: []float64{1, 2}, Vectors: []float64{1, 2}, Batch: &MiniBatch{Size: 1, Index: []int32{0}}})
			return err
		}, "no mini-batches"},
		{"sample out of range", func() error {
			_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "samples"}, Point: []float64{1}, Vectors: []float64{1}, Batch: &MiniBatch{Size: 1, Index: []int32{5}}})
			return err
		}, "sample 5"},
		{"no points", func() error {
			_, err := c.Hessian(ctx, Points{Ref: Ref{Name: "cubic-hess"}, Dim: 2})
			return err
		}, "no points"},
		{"too large for a dense Hessian", func() error {
			_, err := c.Hessian(ctx, Points{Ref: Ref{Name: "cubic-hvp"}, Dim: MaxHessianDim + 1, Points: make([]float64, MaxHessianDim+1)})
			return err
		}, "at most 2048"},
	} {
		if err := bad.call(); !errors.Is(err, sdk.ErrBadRequest) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want sdk.ErrBadRequest with %q", bad.name, err, bad.want)
		}
	}
}

// TestCurvatureChunks: a request larger than one chunk is split, and the
// parts are put back in order.
func TestCurvatureChunks(t *testing.T) {
	defer func(v int) { chunkValues = v }(chunkValues)
	chunkValues = 5
	c, _ := connect(t, sdk.WithSurfaces(cubics()...))
	ctx := context.Background()
	vs := []float64{1, 0, 0, 1, 2, 3, -1, 1, 0.5, 0.25, 7, 0}
	pr, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "cubic-hvp"}, Point: []float64{0.2, 0.1}, Vectors: vs})
	if err != nil {
		t.Fatal(err)
	}
	h := cubicHessian([]float64{0.2, 0.1})
	for j := 0; j < 6; j++ {
		if want := h[0]*vs[2*j] + h[1]*vs[2*j+1]; !near(pr.Values[2*j], want, 1e-15) {
			t.Errorf("vector %d: %v, want %v", j, pr.Values[2*j], want)
		}
	}
	pts := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}
	hs, err := c.Hessian(ctx, Points{Ref: Ref{Name: "cubic-hess"}, Dim: 2, Points: pts})
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < 3; p++ {
		if want := cubicHessian(pts[2*p:]); hs.Values[4*p+3] != want[3] {
			t.Errorf("point %d: H[1][1] = %v, want %v", p, hs.Values[4*p+3], want[3])
		}
	}
}

// oldPlugin predates the Hessian RPCs: it serves cubic (its Loss and, when
// grad is set, its gradient) and answers Unimplemented to the rest.
type oldPlugin struct {
	pb.UnimplementedSurfaceServiceServer
	grad bool
	// calls counts the points it evaluated.
	calls, points int
}

func (o *oldPlugin) DescribeSurface(_ context.Context, ref *pb.SurfaceRef) (*pb.SurfaceInfo, error) {
	return &pb.SurfaceInfo{Name: ref.GetName(), Summary: "old", Dim: 2, Domain: []*pb.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}, HasGradient: o.grad}, nil
}

func (o *oldPlugin) Loss(_ context.Context, req *pb.PointsRequest) (*pb.LossResponse, error) {
	p := req.GetPoints()
	o.calls++
	o.points += len(p) / 2
	out := &pb.LossResponse{}
	for i := 0; i < len(p); i += 2 {
		out.Values = append(out.Values, cubic{}.Loss(p[i:i+2]))
	}
	return out, nil
}

func (o *oldPlugin) Gradient(_ context.Context, req *pb.PointsRequest) (*pb.GradientResponse, error) {
	if !o.grad {
		return nil, status.Error(codes.Internal, "the host should not ask an old plugin without a gradient for one")
	}
	p := req.GetPoints()
	o.calls++
	o.points += len(p) / 2
	out := &pb.GradientResponse{Grads: make([]float64, len(p))}
	for i := 0; i < len(p); i += 2 {
		out.Values = append(out.Values, cubic{}.Loss(p[i:i+2]))
		cubicGrad(out.Grads[i:i+2], p[i:i+2])
	}
	return out, nil
}

// TestCurvatureFallback: a plugin that predates the Hessian RPCs gets
// differences of its gradients (batched: one Gradient request for all the
// points), or of its losses when it has no gradient, and the method says
// so.
func TestCurvatureFallback(t *testing.T) {
	for _, grad := range []bool{true, false} {
		old := &oldPlugin{grad: grad}
		c := dial(t, old)
		want, tol := GradientDifferences, 1e-8
		if !grad {
			want, tol = LossDifferences, 1e-6
		}
		wantCurvature(t, c, "cubic-old", want, tol)
		// Three Hessians and four products (one of them of a zero
		// vector): one request each for the points, and one Describe each.
		if grad && (old.calls != 2 || old.points != 3*4+2*3) {
			t.Errorf("gradient differences took %d requests for %d points, want 2 for 18", old.calls, old.points)
		}
		if !grad && (old.calls != 2 || old.points != 4*7) {
			t.Errorf("loss differences took %d requests for %d points, want 2 for 28", old.calls, old.points)
		}
	}
}

// predates wraps a client of a current plugin as if it predated the
// Hessian RPCs.
type predates struct{ pb.SurfaceServiceClient }

func (predates) HessianVectors(context.Context, *pb.HessianVectorsRequest, ...grpc.CallOption) (*pb.HessianVectorsResponse, error) {
	return nil, status.Error(codes.Unimplemented, "unknown method HessianVectors")
}

func (predates) Hessians(context.Context, *pb.PointsRequest, ...grpc.CallOption) (*pb.HessiansResponse, error) {
	return nil, status.Error(codes.Unimplemented, "unknown method Hessians")
}

// TestCurvatureFallbackBatches: the fallback takes each point's mini-batch
// through the Gradient RPC.
func TestCurvatureFallbackBatches(t *testing.T) {
	cur, _ := connect(t, sdk.WithSurfaces(samplesHVP{samples{n: 5}}))
	c := &SurfaceClient{rpc: predates{cur.rpc}, conn: &conn{Plugin: "old", activity: cur.rpc}}
	ctx := context.Background()
	ref := Ref{Name: "samples-hvp", Settings: Settings{Texts: sdk.Texts{"scale": "double"}}}
	pr, err := c.HVP(ctx, HVPs{Ref: ref, Point: []float64{0.5}, Vectors: []float64{1, 2}, Batch: &MiniBatch{Size: 3, Index: []int32{0, 2, 4}}})
	if err != nil || pr.Method != GradientDifferences || !near(pr.Values[0], 2, 1e-9) || !near(pr.Values[1], 4, 1e-9) {
		t.Errorf("HVP = %+v, %v", pr, err)
	}
	hs, err := c.Hessian(ctx, Points{Ref: ref, Dim: 1, Points: []float64{0.5, 3}, Batch: &MiniBatch{Size: 1, Index: []int32{1, 2}}})
	if err != nil || hs.Method != GradientDifferences || !near(hs.Values[0], 2, 1e-9) || !near(hs.Values[1], 2, 1e-9) {
		t.Errorf("Hessians = %+v, %v", hs, err)
	}
	if _, err := c.HVP(ctx, HVPs{Ref: ref, Point: []float64{0.5}, Vectors: []float64{1}, Batch: &MiniBatch{Size: 1, Index: []int32{9}}}); !errors.Is(err, sdk.ErrBadRequest) {
		t.Errorf("a sample out of range through the fallback: %v", err)
	}
}

// curvatureLiar answers the Hessian RPCs with what the test chooses.
type curvatureLiar struct {
	pb.UnimplementedSurfaceServiceServer
	products func(req *pb.HessianVectorsRequest) *pb.HessianVectorsResponse
	hessians func(req *pb.PointsRequest) *pb.HessiansResponse
}

func (l *curvatureLiar) HessianVectors(_ context.Context, req *pb.HessianVectorsRequest) (*pb.HessianVectorsResponse, error) {
	return l.products(req), nil
}

func (l *curvatureLiar) Hessians(_ context.Context, req *pb.PointsRequest) (*pb.HessiansResponse, error) {
	return l.hessians(req), nil
}

func TestCurvatureLiars(t *testing.T) {
	defer func(v int) { chunkValues = v }(chunkValues)
	chunkValues = 4
	exact := pb.HessianMethod_HESSIAN_METHOD_EXACT
	grad := pb.HessianMethod_HESSIAN_METHOD_GRADIENT_DIFFERENCES
	calls := 0
	for _, c := range []struct {
		name     string
		products func(*pb.HessianVectorsRequest) *pb.HessianVectorsResponse
		hessians func(*pb.PointsRequest) *pb.HessiansResponse
		want     string
	}{
		{"short products", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())-1), Method: exact}
		}, nil, "returned 3 values"},
		{"infinite product", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			v := make([]float64, len(r.GetVectors()))
			v[1] = math.Inf(1)
			return &pb.HessianVectorsResponse{Products: v, Method: exact}
		}, nil, "finite or NaN"},
		{"no method", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors()))}
		}, nil, "named no method"},
		{"unknown method", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())), Method: 7}
		}, nil, "named no method"},
		{"exact with a step", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())), Method: exact, RelativeStep: 1e-6}
		}, nil, "relative step"},
		{"differences without a step", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())), Method: grad}
		}, nil, "relative step 0"},
		{"two methods in one request", func(r *pb.HessianVectorsRequest) *pb.HessianVectorsResponse {
			calls++
			if calls%2 == 0 {
				return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())), Method: exact}
			}
			return &pb.HessianVectorsResponse{Products: make([]float64, len(r.GetVectors())), Method: grad, RelativeStep: 1e-5}
		}, nil, "by gradient differences and by exact"},
		{"short Hessians", nil, func(r *pb.PointsRequest) *pb.HessiansResponse {
			return &pb.HessiansResponse{Hessians: make([]float64, 3), Method: exact}
		}, "returned 3 values"},
		{"asymmetric Hessian", nil, func(r *pb.PointsRequest) *pb.HessiansResponse {
			return &pb.HessiansResponse{Hessians: []float64{1, 2, 2.001, 1}, Method: exact}
		}, "asymmetric"},
		{"NaN on one side", nil, func(r *pb.PointsRequest) *pb.HessiansResponse {
			return &pb.HessiansResponse{Hessians: []float64{1, math.NaN(), 0, 1}, Method: exact}
		}, "asymmetric"},
		{"infinite Hessian", nil, func(r *pb.PointsRequest) *pb.HessiansResponse {
			return &pb.HessiansResponse{Hessians: []float64{math.Inf(-1), 0, 0, 1}, Method: exact}
		}, "finite or NaN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls = 0
			cl := dial(t, &curvatureLiar{products: c.products, hessians: c.hessians})
			var err error
			if c.products != nil {
				_, err = cl.HVP(context.Background(), HVPs{Ref: Ref{Name: "x"}, Point: []float64{1, 2}, Vectors: []float64{1, 0, 0, 1, 1, 1, 2, 2}})
			} else {
				_, err = cl.Hessian(context.Background(), Points{Ref: Ref{Name: "x"}, Dim: 2, Points: []float64{1, 2}})
			}
			if !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrPluginFailed containing %q", err, c.want)
			}
		})
	}
	// NaN mirrored by NaN is a Hessian that does not exist there: trusted.
	cl := dial(t, &curvatureLiar{hessians: func(*pb.PointsRequest) *pb.HessiansResponse {
		return &pb.HessiansResponse{Hessians: []float64{math.NaN(), math.NaN(), math.NaN(), 1}, Method: exact}
	}})
	if hs, err := cl.Hessian(context.Background(), Points{Ref: Ref{Name: "x"}, Dim: 2, Points: []float64{0, 0}}); err != nil || !math.IsNaN(hs.Values[1]) {
		t.Errorf("a NaN Hessian: %+v, %v", hs, err)
	}
}

func TestHessianMethodString(t *testing.T) {
	for m, want := range map[HessianMethod]string{Exact: "exact", GradientDifferences: "gradient differences", LossDifferences: "loss differences", 0: "HessianMethod(0)"} {
		if m.String() != want {
			t.Errorf("%d: %q, want %q", int(m), m.String(), want)
		}
	}
}

// panics panics in its Hessian and products: the plugin answers with an
// error naming the surface and keeps serving.
type panics struct{ cubicG }

func (panics) Info() sdk.Info {
	return sdk.Info{Name: "panics", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}
func (panics) Hessian(dst, p []float64) { panic("no Hessian today") }
func (panics) HVP(dst, p, v []float64)  { panic("no products today") }

func TestCurvaturePanics(t *testing.T) {
	c, _ := connect(t, sdk.WithSurfaces(panics{}, cubicH{cubicG{cubic{2}}}))
	ctx := context.Background()
	if _, err := c.Hessian(ctx, Points{Ref: Ref{Name: "panics"}, Dim: 2, Points: make([]float64, 2*40)}); !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), "surface panics: the surface panicked: no Hessian today") {
		t.Errorf("Hessian: %v", err)
	}
	if _, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "panics"}, Point: []float64{0, 0}, Vectors: make([]float64, 8)}); !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), "no products today") {
		t.Errorf("HVP: %v", err)
	}
	if _, err := c.Hessian(ctx, Points{Ref: Ref{Name: "cubic-hess"}, Dim: 2, Points: []float64{0, 0}}); err != nil {
		t.Errorf("the plugin stopped serving: %v", err)
	}
}

// slow takes 5 ms per product and counts them.
type slow struct {
	cubicG
	n *atomic.Int64
}

func (slow) Info() sdk.Info {
	return sdk.Info{Name: "slow", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (s slow) HVP(dst, p, v []float64) {
	s.n.Add(1)
	time.Sleep(5 * time.Millisecond)
	cubicV{}.HVP(dst, p, v)
}

// TestCurvatureCancel: when the host gives up, the plugin stops working.
func TestCurvatureCancel(t *testing.T) {
	s := slow{n: new(atomic.Int64)}
	c, _ := connect(t, sdk.WithSurfaces(s))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.HVP(ctx, HVPs{Ref: Ref{Name: "slow"}, Point: []float64{0, 0}, Vectors: make([]float64, 2*10000)})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("HVP returned %v after %v", err, time.Since(start))
	}
	time.Sleep(200 * time.Millisecond)
	done := s.n.Load()
	time.Sleep(200 * time.Millisecond)
	if s.n.Load() != done || done > 2000 {
		t.Errorf("the plugin went on: %d products done, then %d", done, s.n.Load())
	}
}
