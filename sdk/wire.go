package sdk

import (
	"encoding/binary"
	"errors"
	"math"
	"unsafe"

	"github.com/landscape-go/landscape/sdk/grid"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin side's conversions to and from the wire; the host's client
// (package sdk/client) has the opposite ones.

func infoToProto(i Info) *pb.SurfaceInfo {
	out := &pb.SurfaceInfo{Name: i.Name, Summary: i.Summary, Dim: int32(i.Dim)}
	for _, d := range i.Domain {
		out.Domain = append(out.Domain, &pb.Interval{Lo: d.Lo, Hi: d.Hi})
	}
	out.Hyperparameters = hpToProto(i.Hyperparameters)
	for _, m := range i.Minima {
		out.Minima = append(out.Minima, &pb.Minimum{Location: m.Location, Value: m.Value, Local: m.Local})
	}
	for _, g := range i.Groups {
		out.Groups = append(out.Groups, &pb.Group{Name: g.Name, Start: int32(g.Start), Len: int32(g.Len), Kind: pb.GroupKind(g.Kind)})
	}
	out.Periods = i.Periods
	out.ParamNames = i.ParamNames
	return out
}

func hpToProto(hs []Hyperparameter) []*pb.Hyperparameter {
	var out []*pb.Hyperparameter
	for _, h := range hs {
		out = append(out, &pb.Hyperparameter{Name: h.Name, Doc: h.Doc, Default: h.Default, Min: h.Min, Max: h.Max, Integer: h.Integer,
			Options: h.Options, Flag: h.Flag, Text: h.Text, DefaultText: h.DefaultText})
	}
	return out
}

func optInfoToProto(i OptimizerInfo) *pb.OptimizerInfo {
	return &pb.OptimizerInfo{Name: i.Name, Summary: i.Summary, Gradient: i.Gradient, Stochastic: i.Stochastic,
		Hyperparameters: hpToProto(i.Hyperparameters)}
}

func planeFromProto(p *pb.Plane) grid.Plane {
	return grid.Plane{Origin: p.GetOrigin(), U: p.GetU(), V: p.GetV(),
		X: grid.Interval{Lo: p.GetX().GetLo(), Hi: p.GetX().GetHi()}, Y: grid.Interval{Lo: p.GetY().GetLo(), Hi: p.GetY().GetHi()},
		Nx: int(p.GetNx()), Ny: int(p.GetNy())}
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// f32Bytes views (or, on big-endian machines, encodes) v as little-endian bytes.
func f32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4)
	}
	b := make([]byte, len(v)*4)
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// toStatus maps the plugin side's errors onto gRPC status codes, which the
// host's client maps back onto its sentinels.
func toStatus(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errUnknownSurface), errors.Is(err, errUnknownOptimizer):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrBadParams):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrBadRequest), errors.Is(err, grid.ErrBadPlane):
		return status.Error(codes.OutOfRange, err.Error())
	}
	if s, ok := status.FromError(err); ok {
		return s.Err()
	}
	return status.Error(codes.Internal, err.Error())
}
