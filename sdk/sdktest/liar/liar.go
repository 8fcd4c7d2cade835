// Package liar serves plugins that break the landscape protocol in ways
// sdk.Serve never does, for testing hosts: a host must catch each lie
// rather than believe it. A test plugin's main is one Serve call, as with
// sdk.Serve:
//
//	func main() { liar.Serve(liar.StaleRows) }
//
// Each lie serves one surface, named after it, over the real go-plugin
// transport (handshake, AutoMTLS, sockets), with every call a host makes
// answered as the SDK answers it but for the lie.
package liar

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"sync"

	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk/grid"
	"github.com/landscape-go/landscape/sdk/internal/plug"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Lie is a way of breaking the protocol.
type Lie string

// The lies.
const (
	// StaleRows writes the rows of its first grid request into the host's
	// shared file, and claims those of later requests without writing
	// them (with the checksum they would have): the file still holds the
	// rows of the first.
	StaleRows Lie = "stale-rows"
	// NaNMinimum declares a minimum whose value is NaN.
	NaNMinimum Lie = "nan-minimum"
	// MinimumOutside declares a minimum outside the surface's domain.
	MinimumOutside Lie = "minimum-outside"
)

// loss is every lying surface's loss: x + y over [-1, 1]².
func loss(p []float64) float64 { return p[0] + p[1] }

// Serve serves the surface of the lie until the host ends the plugin. It
// exits with status 1 for an unknown lie, or when not started by a host.
func Serve(lie Lie) {
	srv := &server{lie: lie}
	switch lie {
	case StaleRows, NaNMinimum, MinimumOutside:
	default:
		fmt.Fprintf(os.Stderr, "liar: no lie %q\n", lie)
		os.Exit(1)
	}
	if os.Getenv(plug.Handshake().MagicCookieKey) != plug.Handshake().MagicCookieValue {
		fmt.Fprintf(os.Stderr, "liar: a test plugin that lies (%s); the landscape host starts it\n", lie)
		os.Exit(1)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plug.Handshake(),
		Plugins: plugin.PluginSet{
			plug.SurfacesKey:   &plug.GRPC{Register: func(s *grpc.Server) { pb.RegisterSurfaceServiceServer(s, srv) }},
			plug.OptimizersKey: &plug.GRPC{Register: func(*grpc.Server) {}},
		},
		GRPCServer: func(o []grpc.ServerOption) *grpc.Server { return grpc.NewServer(append(o, plug.ServerOptions()...)...) },
	})
}

type server struct {
	pb.UnimplementedSurfaceServiceServer
	lie Lie

	mu     sync.Mutex
	shared *os.File
}

func (s *server) info() *pb.SurfaceInfo {
	i := &pb.SurfaceInfo{Name: string(s.lie), Summary: "x + y, served by a liar: " + string(s.lie), Dim: 2,
		Domain: []*pb.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
	switch s.lie {
	case NaNMinimum:
		i.Minima = []*pb.Minimum{{Location: []float64{-1, -1}, Value: math.NaN()}}
	case MinimumOutside:
		i.Minima = []*pb.Minimum{{Location: []float64{-3, -1}, Value: -4}}
	}
	return i
}

func (s *server) ListSurfaces(context.Context, *pb.ListSurfacesRequest) (*pb.ListSurfacesResponse, error) {
	return &pb.ListSurfacesResponse{Surfaces: []*pb.SurfaceInfo{s.info()}}, nil
}

func (s *server) DescribeSurface(_ context.Context, ref *pb.SurfaceRef) (*pb.SurfaceInfo, error) {
	if ref.GetName() != string(s.lie) {
		return nil, status.Errorf(codes.NotFound, "sdk: unknown surface: %q", ref.GetName())
	}
	return s.info(), nil
}

func (s *server) Activity(context.Context, *pb.ActivityRequest) (*pb.ActivityResponse, error) {
	return &pb.ActivityResponse{}, nil
}

func (s *server) Loss(_ context.Context, req *pb.PointsRequest) (*pb.LossResponse, error) {
	pts := req.GetPoints()
	out := make([]float64, len(pts)/2)
	for i := range out {
		out[i] = loss(pts[2*i : 2*i+2])
	}
	return &pb.LossResponse{Values: out}, nil
}

func (s *server) EvalGrid(req *pb.EvalGridRequest, st grpc.ServerStreamingServer[pb.GridChunk]) error {
	q := req.GetPlane()
	p := grid.Plane{Origin: q.GetOrigin(), U: q.GetU(), V: q.GetV(), X: grid.Interval{Lo: q.GetX().GetLo(), Hi: q.GetX().GetHi()},
		Y: grid.Interval{Lo: q.GetY().GetLo(), Hi: q.GetY().GetHi()}, Nx: int(q.GetNx()), Ny: int(q.GetNy())}
	r0, r1 := int(req.GetRow0()), int(req.GetRow1())
	v := make([]float32, (r1-r0)*p.Nx)
	if err := grid.Fill(st.Context(), loss, p, r0, r1, v, 1); err != nil {
		return status.Error(codes.OutOfRange, err.Error())
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	if s.lie != StaleRows || req.GetSharedPath() == "" {
		return st.Send(&pb.GridChunk{Row0: int32(r0), Rows: int32(r1 - r0), Values: b})
	}
	s.mu.Lock()
	first := s.shared == nil
	if first {
		f, err := os.OpenFile(req.GetSharedPath(), os.O_WRONLY, 0)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		s.shared = f
		f.WriteAt(b, 0) // the first request's rows, honestly
	}
	s.mu.Unlock()
	if err := st.Send(&pb.GridChunk{SharedOpen: true}); err != nil {
		return err
	}
	sum := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	return st.Send(&pb.GridChunk{Row0: int32(r0), Rows: int32(r1 - r0), Shared: true, Crc32C: &sum})
}
