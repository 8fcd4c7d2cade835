package sdk

import (
	"context"
	"strings"
	"testing"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// wide is a bowl of 2049 parameters with a dense Hessian: one more than a
// dense Hessian may have.
type wide struct{}

func (wide) Info() Info {
	d := make([]Interval, 2049)
	for i := range d {
		d[i] = Interval{Lo: -1, Hi: 1}
	}
	return Info{Name: "wide", Summary: "test", Dim: len(d), Domain: d}
}
func (wide) Loss(p []float64) float64 { return 0 }
func (wide) Hessian(dst, _ []float64) { clear(dst) }

// wideGrad has a gradient as well: its products come from differences of
// the gradient instead.
type wideGrad struct{ wide }

func (wideGrad) Info() Info          { i := (wide{}).Info(); i.Name = "wide-grad"; return i }
func (wideGrad) Grad(g, p []float64) { copy(g, p) }

// TestCurvatureRequests: the server refuses malformed requests with
// OutOfRange (the client's sdk.ErrBadRequest), naming what is wrong.
func TestCurvatureRequests(t *testing.T) {
	s, err := newServer([]Surface{quad{s: 1}, wide{}, wideGrad{}}, &activity{}, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 2049
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"point of the wrong length", func() error {
			_, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "quad"}, Point: []float64{1}, Vectors: []float64{1, 2}})
			return err
		}, "a point of dimension 1"},
		{"no vectors", func() error {
			_, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "quad"}, Point: []float64{1, 2}})
			return err
		}, "0 values do not make vectors"},
		{"samples without mini_batch", func() error {
			_, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "quad"}, Point: []float64{1, 2}, Vectors: []float64{1, 2}, Batch: []int32{0}})
			return err
		}, "without mini_batch"},
		{"an empty mini-batch", func() error {
			_, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "quad"}, Point: []float64{1, 2}, Vectors: []float64{1, 2}, MiniBatch: true})
			return err
		}, "no mini-batches"},
		{"a dense Hessian too large", func() error {
			_, err := s.Hessians(ctx, &pb.PointsRequest{Surface: &pb.SurfaceRef{Name: "wide"}, Dim: int32(n), Points: make([]float64, n)})
			return err
		}, "at most 2048"},
		{"products of a dense Hessian too large", func() error {
			_, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "wide"}, Point: make([]float64, n), Vectors: make([]float64, n)})
			return err
		}, "dense Hessian only"},
	} {
		err := c.call()
		if status.Code(err) != codes.OutOfRange || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want OutOfRange with %q", c.name, err, c.want)
		}
	}
	// With a gradient, a surface too large for its dense Hessian answers
	// products by differences of the gradient, and says so.
	r, err := s.HessianVectors(ctx, &pb.HessianVectorsRequest{Surface: &pb.SurfaceRef{Name: "wide-grad"}, Point: make([]float64, n), Vectors: append(make([]float64, n-1), 2)})
	if err != nil || r.GetMethod() != pb.HessianMethod_HESSIAN_METHOD_GRADIENT_DIFFERENCES || r.GetProducts()[n-1] < 1.999 || r.GetProducts()[n-1] > 2.001 {
		t.Errorf("wide-grad: %v by %v, %v", r.GetProducts()[n-1:], r.GetMethod(), err)
	}
}
