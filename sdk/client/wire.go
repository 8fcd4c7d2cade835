package client

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"strings"
	"unsafe"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The host side's conversions to and from the wire; the plugin side
// (package sdk) has the opposite ones.

func (r Ref) proto() *pb.SurfaceRef {
	return &pb.SurfaceRef{Name: r.Name, Params: r.Settings.Params, Texts: r.Settings.Texts, Test: r.Test}
}

func descFromProto(p *pb.SurfaceInfo) Descriptor {
	i := sdk.Info{Name: p.GetName(), Summary: p.GetSummary(), Dim: int(p.GetDim())}
	for _, d := range p.GetDomain() {
		i.Domain = append(i.Domain, sdk.Interval{Lo: d.GetLo(), Hi: d.GetHi()})
	}
	i.Hyperparameters = hpFromProto(p.GetHyperparameters())
	for _, m := range p.GetMinima() {
		i.Minima = append(i.Minima, sdk.Minimum{Location: m.GetLocation(), Value: m.GetValue(), Local: m.GetLocal()})
	}
	for _, g := range p.GetGroups() {
		i.Groups = append(i.Groups, sdk.Group{Name: g.GetName(), Start: int(g.GetStart()), Len: int(g.GetLen()), Kind: sdk.GroupKind(g.GetKind())})
	}
	i.Periods = p.GetPeriods()
	i.ParamNames = p.GetParamNames()
	return Descriptor{Info: i, HasGradient: p.GetHasGradient(), GLSL: p.GetGlsl(),
		Samples: int(p.GetSamples()), DataLen: int(p.GetDataLen()), HasTest: p.GetHasTest(),
		HasHessian: p.GetHasHessian(), HasHVP: p.GetHasHvp(), HasBatchHVP: p.GetHasBatchHvp(),
		HasDataset: p.GetHasDataset(), HasPredict: p.GetHasPredict()}
}

func hpFromProto(ps []*pb.Hyperparameter) []sdk.Hyperparameter {
	var out []sdk.Hyperparameter
	for _, h := range ps {
		out = append(out, sdk.Hyperparameter{Name: h.GetName(), Doc: h.GetDoc(), Default: h.GetDefault(), Min: h.GetMin(), Max: h.GetMax(), Integer: h.GetInteger(),
			Options: h.GetOptions(), Flag: h.GetFlag(), Text: h.GetText(), DefaultText: h.GetDefaultText()})
	}
	return out
}

func optInfoFromProto(p *pb.OptimizerInfo) sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: p.GetName(), Summary: p.GetSummary(), Gradient: p.GetGradient(), Stochastic: p.GetStochastic(),
		Hyperparameters: hpFromProto(p.GetHyperparameters())}
}

func planeToProto(p grid.Plane) *pb.Plane {
	return &pb.Plane{Origin: p.Origin, U: p.U, V: p.V,
		X: &pb.Interval{Lo: p.X.Lo, Hi: p.X.Hi}, Y: &pb.Interval{Lo: p.Y.Lo, Hi: p.Y.Hi},
		Nx: int32(p.Nx), Ny: int32(p.Ny)}
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

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

// castagnoli is the CRC-32C table of shared rows' checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// readF32 reads len(dst) little-endian float32 values at offset off of f,
// and returns the CRC-32C of their bytes.
func readF32(f *os.File, dst []float32, off int64) (uint32, error) {
	if len(dst) == 0 {
		return crc32.Checksum(nil, castagnoli), nil
	}
	if littleEndian {
		b := unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*4)
		if _, err := f.ReadAt(b, off); err != nil {
			return 0, err
		}
		return crc32.Checksum(b, castagnoli), nil
	}
	b := make([]byte, len(dst)*4)
	if _, err := f.ReadAt(b, off); err != nil {
		return 0, err
	}
	putF32(dst, b)
	return crc32.Checksum(b, castagnoli), nil
}

// fromStatus maps a gRPC error from a plugin onto the sentinels; notFound
// is the one a NotFound status means (an unknown surface or optimizer).
func fromStatus(plugin string, err error, notFound error) error {
	if err == nil || errors.Is(err, ErrPluginHung) {
		return err
	}
	s, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%w: %s: %v", ErrPluginFailed, plugin, err)
	}
	// The plugin side's messages start with its own sentinel's words.
	msg := s.Message()
	for _, p := range []string{"sdk: unknown surface: ", "sdk: unknown optimizer: ", "sdk: bad request: ", "sdk: bad hyperparameter: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	switch s.Code() {
	case codes.NotFound:
		return fmt.Errorf("%w: %s", notFound, msg)
	case codes.InvalidArgument:
		return fmt.Errorf("%w: %s", sdk.ErrBadParams, msg)
	case codes.OutOfRange:
		return fmt.Errorf("%w: %s", sdk.ErrBadRequest, msg)
	case codes.Canceled:
		return fmt.Errorf("client: %s: %w", plugin, context.Canceled)
	case codes.DeadlineExceeded:
		return fmt.Errorf("%w: %s did not answer in time", ErrPluginFailed, plugin)
	case codes.Unavailable:
		return fmt.Errorf("%w: %s exited or crashed (%s)", ErrPluginFailed, plugin, msg)
	case codes.PermissionDenied:
		return fmt.Errorf("%w: %s refused: %s", ErrPluginFailed, plugin, msg)
	}
	return fmt.Errorf("%w: %s: %s", ErrPluginFailed, plugin, msg)
}

// crc32Of is the CRC-32C of b.
func crc32Of(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
