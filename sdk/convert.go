package sdk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"unsafe"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func infoToProto(d Descriptor) *pb.SurfaceInfo {
	i := d.Info
	out := &pb.SurfaceInfo{Name: i.Name, Summary: i.Summary, Dim: int32(i.Dim), HasGradient: d.HasGradient, Glsl: d.GLSL,
		Samples: int64(d.Samples), DataLen: int64(d.DataLen)}
	for _, d := range i.Domain {
		out.Domain = append(out.Domain, &pb.Interval{Lo: d.Lo, Hi: d.Hi})
	}
	out.Hyperparameters = hpToProto(i.Hyperparameters)
	for _, m := range i.Minima {
		out.Minima = append(out.Minima, &pb.Minimum{Location: m.Location, Value: m.Value, Local: m.Local})
	}
	for _, g := range i.Groups {
		out.Groups = append(out.Groups, &pb.Group{Name: g.Name, Start: int32(g.Start), Len: int32(g.Len)})
	}
	return out
}

func infoFromProto(p *pb.SurfaceInfo) Descriptor {
	i := Info{Name: p.GetName(), Summary: p.GetSummary(), Dim: int(p.GetDim())}
	for _, d := range p.GetDomain() {
		i.Domain = append(i.Domain, Interval{Lo: d.GetLo(), Hi: d.GetHi()})
	}
	i.Hyperparameters = hpFromProto(p.GetHyperparameters())
	for _, m := range p.GetMinima() {
		i.Minima = append(i.Minima, Minimum{Location: m.GetLocation(), Value: m.GetValue(), Local: m.GetLocal()})
	}
	for _, g := range p.GetGroups() {
		i.Groups = append(i.Groups, Group{Name: g.GetName(), Start: int(g.GetStart()), Len: int(g.GetLen())})
	}
	return Descriptor{Info: i, HasGradient: p.GetHasGradient(), GLSL: p.GetGlsl(),
		Samples: int(p.GetSamples()), DataLen: int(p.GetDataLen())}
}

func hpToProto(hs []Hyperparameter) []*pb.Hyperparameter {
	var out []*pb.Hyperparameter
	for _, h := range hs {
		out = append(out, &pb.Hyperparameter{Name: h.Name, Doc: h.Doc, Default: h.Default, Min: h.Min, Max: h.Max, Integer: h.Integer,
			Options: h.Options, Text: h.Text, DefaultText: h.DefaultText})
	}
	return out
}

func hpFromProto(ps []*pb.Hyperparameter) []Hyperparameter {
	var out []Hyperparameter
	for _, h := range ps {
		out = append(out, Hyperparameter{Name: h.GetName(), Doc: h.GetDoc(), Default: h.GetDefault(), Min: h.GetMin(), Max: h.GetMax(), Integer: h.GetInteger(),
			Options: h.GetOptions(), Text: h.GetText(), DefaultText: h.GetDefaultText()})
	}
	return out
}

func planeToProto(p Plane) *pb.Plane {
	return &pb.Plane{Origin: p.Origin, U: p.U, V: p.V,
		X: &pb.Interval{Lo: p.X.Lo, Hi: p.X.Hi}, Y: &pb.Interval{Lo: p.Y.Lo, Hi: p.Y.Hi},
		Nx: int32(p.Nx), Ny: int32(p.Ny)}
}

func planeFromProto(p *pb.Plane) Plane {
	return Plane{Origin: p.GetOrigin(), U: p.GetU(), V: p.GetV(),
		X: Interval{Lo: p.GetX().GetLo(), Hi: p.GetX().GetHi()}, Y: Interval{Lo: p.GetY().GetLo(), Hi: p.GetY().GetHi()},
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

// putF32 decodes little-endian float32 bytes into dst (len(b) == 4·len(dst)).
func putF32(dst []float32, b []byte) {
	if len(dst) == 0 {
		return
	}
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*4), b)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}

// readF32 reads len(dst) little-endian float32 values at offset off of f.
func readF32(f *os.File, dst []float32, off int64) error {
	if len(dst) == 0 {
		return nil
	}
	if littleEndian {
		_, err := f.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*4), off)
		return err
	}
	b := make([]byte, len(dst)*4)
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	putF32(dst, b)
	return nil
}

// toStatus maps SDK errors onto gRPC status codes so the client can map them back.
func toStatus(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnknownSurface):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrBadParams):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrBadRequest):
		return status.Error(codes.OutOfRange, err.Error())
	}
	if s, ok := status.FromError(err); ok {
		return s.Err()
	}
	return status.Error(codes.Internal, err.Error())
}

// fromStatus maps a gRPC error from a plugin onto the SDK's sentinels.
func fromStatus(plugin string, err error) error {
	if err == nil {
		return nil
	}
	s, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%w: %s: %v", ErrPluginFailed, plugin, err)
	}
	msg := s.Message()
	strip := func(sentinel error) string {
		m := strings.TrimPrefix(msg, sentinel.Error())
		return strings.TrimPrefix(m, ": ")
	}
	switch s.Code() {
	case codes.NotFound:
		return fmt.Errorf("%w: %s", ErrUnknownSurface, strip(ErrUnknownSurface))
	case codes.InvalidArgument:
		return fmt.Errorf("%w: %s", ErrBadParams, strip(ErrBadParams))
	case codes.OutOfRange:
		return fmt.Errorf("%w: %s", ErrBadRequest, strip(ErrBadRequest))
	case codes.Canceled:
		return fmt.Errorf("sdk: %s: %w", plugin, context.Canceled)
	case codes.DeadlineExceeded:
		return fmt.Errorf("%w: %s did not answer in time", ErrPluginFailed, plugin)
	case codes.Unavailable:
		return fmt.Errorf("%w: %s exited or crashed (%s)", ErrPluginFailed, plugin, msg)
	}
	return fmt.Errorf("%w: %s: %s", ErrPluginFailed, plugin, msg)
}
