package sdk

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"strings"
	"testing"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

// quad is x² + 2y² with hyperparameter s scaling it.
type quad struct{ s float64 }

func (q quad) Info() Info {
	return Info{Name: "quad", Summary: "test", Dim: 2, Domain: []Interval{{-1, 1}, {-1, 1}},
		Hyperparameters: []Hyperparameter{{Name: "s", Default: 1, Min: 0, Max: 10}},
		Minima:          []Minimum{{Location: []float64{0, 0}}}}
}
func (q quad) Loss(p []float64) float64 { return q.s * (p[0]*p[0] + 2*p[1]*p[1]) }
func (q quad) Configure(p Params) (Surface, error) {
	if p["s"] == 7 {
		return nil, errors.New("s=7 is unlucky")
	}
	return quad{s: p["s"]}, nil
}

func TestPlaneLinspace(t *testing.T) {
	p := AxisPlane(3, 2, 0, []float64{5, 6, 7}, Interval{-2, 2}, Interval{0, 1}, 5, 3)
	if p.XAt(0) != -2 || p.XAt(4) != 2 || p.XAt(1) != -1 || p.YAt(2) != 1 || p.YAt(1) != 0.5 {
		t.Errorf("linspace wrong: %v %v %v", p.XAt(0), p.XAt(4), p.YAt(1))
	}
	th := make([]float64, 3)
	p.Point(th, 4, 2)
	// axis i=2 takes x, axis j=0 takes y, the middle stays at 6.
	if th[0] != 1 || th[1] != 6 || th[2] != 2 {
		t.Errorf("Point = %v, want [1 6 2]", th)
	}
	// Non-representable steps still end exactly on Hi.
	q := AxisPlane(2, 0, 1, nil, Interval{0.1, 0.7}, Interval{0, 1}, 7, 2)
	if q.XAt(6) != 0.7 {
		t.Errorf("last column %v, want 0.7", q.XAt(6))
	}
}

func TestEvalRows(t *testing.T) {
	p := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 7, 5)
	dst := make([]float32, 3*7)
	if err := EvalRows(context.Background(), quad{1}, p, 1, 4, dst, 3); err != nil {
		t.Fatal(err)
	}
	th := make([]float64, 2)
	for j := 1; j < 4; j++ {
		for i := 0; i < 7; i++ {
			p.Point(th, i, j)
			if want := float32(quad{1}.Loss(th)); dst[(j-1)*7+i] != want {
				t.Errorf("(%d,%d) = %v, want %v", i, j, dst[(j-1)*7+i], want)
			}
		}
	}
	for _, c := range []struct {
		r0, r1, n int
	}{{0, 6, 42}, {3, 3, 0}, {0, 2, 5}} {
		if err := EvalRows(context.Background(), quad{1}, p, c.r0, c.r1, make([]float32, c.n), 1); !errors.Is(err, ErrBadRequest) {
			t.Errorf("rows %d..%d into %d: %v", c.r0, c.r1, c.n, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 10, 1000)
	if err := EvalRows(ctx, quad{1}, big, 0, 1000, make([]float32, 10000), 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled EvalRows = %v", err)
	}
}

func TestToFloat32(t *testing.T) {
	if v := ToFloat32(math.Inf(1)); v == v {
		t.Errorf("Inf -> %v, want NaN", v)
	}
	if v := ToFloat32(1e300); v != math.MaxFloat32 {
		t.Errorf("1e300 -> %v", v)
	}
	if v := ToFloat32(-1e300); v != -math.MaxFloat32 {
		t.Errorf("-1e300 -> %v", v)
	}
}

func TestConfigure(t *testing.T) {
	s, err := Configure(quad{}, Params{"s": 3})
	if err != nil || s.Loss([]float64{1, 0}) != 3 {
		t.Fatalf("Configure: %v, %v", s, err)
	}
	for _, p := range []Params{{"s": 11}, {"s": math.NaN()}, {"t": 1}, {"s": 7}} {
		if _, err := Configure(quad{}, p); !errors.Is(err, ErrBadParams) {
			t.Errorf("Configure(%v) = %v, want ErrBadParams", p, err)
		}
	}
	if _, err := Configure(quad{}, Params{"x": 1}); err == nil || !strings.Contains(err.Error(), "accepted: s") {
		t.Errorf("unknown name error %v should list accepted names", err)
	}
}

// bufConn serves over an in-memory connection what register registers, and
// returns a client connection to it.
func bufConn(t *testing.T, register func(*grpc.Server)) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	g := grpc.NewServer()
	register(g)
	go g.Serve(lis)
	conn, err := grpc.NewClient("passthrough:///buf",
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return lis.Dial() }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); g.Stop() })
	return conn
}

// dial serves srv and returns a surface client of it.
func dial(t *testing.T, srv pb.SurfaceServiceServer) *SurfaceClient {
	conn := bufConn(t, func(g *grpc.Server) { pb.RegisterSurfaceServiceServer(g, srv) })
	return &SurfaceClient{rpc: pb.NewSurfaceServiceClient(conn), Plugin: "fake"}
}

func TestClientServer(t *testing.T) {
	srv, err := newServer([]Surface{quad{1}})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv)
	ctx := context.Background()
	ds, err := c.List(ctx)
	if err != nil || len(ds) != 1 || ds[0].Name != "quad" || ds[0].HasGradient {
		t.Fatalf("List = %+v, %v", ds, err)
	}
	if _, err := c.Describe(ctx, "quad", Settings{Params: Params{"s": 99}}); !errors.Is(err, ErrBadParams) || !strings.Contains(err.Error(), "out of bounds") {
		t.Errorf("Describe bad params: %v", err)
	}
	if _, err := c.Describe(ctx, "nope", Settings{}); !errors.Is(err, ErrUnknownSurface) {
		t.Errorf("Describe unknown: %v", err)
	}
	v, err := c.Loss(ctx, "quad", Settings{Params: Params{"s": 2}}, 2, []float64{1, 1, 0, 1})
	if err != nil || v[0] != 6 || v[1] != 4 {
		t.Errorf("Loss = %v, %v", v, err)
	}
	_, g, err := c.Gradient(ctx, "quad", Settings{}, 2, []float64{1, 1})
	if err != nil || math.Abs(g[0]-2) > 1e-6 || math.Abs(g[1]-4) > 1e-6 {
		t.Errorf("finite-difference Gradient = %v, %v", g, err)
	}
	if _, err := c.Loss(ctx, "quad", Settings{}, 3, []float64{1, 1, 1}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("wrong dim: %v", err)
	}
	p := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 33, 65)
	got := make([]float32, 60*33)
	if err := c.EvalRows(ctx, "quad", Settings{}, p, 5, 65, got, RowOptions{ChunkRows: 7, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 60*33)
	EvalRows(ctx, quad{1}, p, 5, 65, want, 1)
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("streamed value %d = %v, want %v", k, got[k], want[k])
		}
	}
	// The same through a shared file; the file is gone afterwards.
	dir := t.TempDir()
	clear(got)
	if err := c.EvalRows(ctx, "quad", Settings{}, p, 5, 65, got, RowOptions{ChunkRows: 7, SharedDir: dir}); err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("shared value %d = %v, want %v", k, got[k], want[k])
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("shared folder holds %d files, want the 1 kept for reuse", len(ents))
	}
	c.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("after Close the shared folder keeps %d files", len(ents))
	}
}

// liar answers EvalGrid with chunks chosen by the test.
type liar struct {
	pb.UnimplementedSurfaceServiceServer
	chunks func(req *pb.EvalGridRequest) []*pb.GridChunk
	crash  bool
}

func (l *liar) EvalGrid(req *pb.EvalGridRequest, s grpc.ServerStreamingServer[pb.GridChunk]) error {
	for _, c := range l.chunks(req) {
		if err := s.Send(c); err != nil {
			return err
		}
	}
	if l.crash {
		return errors.New("boom")
	}
	return nil
}

func TestClientSurvivesLiars(t *testing.T) {
	p := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 4, 4)
	row := func(r0, n, nx int) *pb.GridChunk {
		return &pb.GridChunk{Row0: int32(r0), Rows: int32(n), Values: make([]byte, 4*n*nx)}
	}
	for _, c := range []struct {
		name   string
		chunks []*pb.GridChunk
		crash  bool
		want   string
	}{
		{"short", []*pb.GridChunk{row(0, 4, 3)}, false, "bytes"},
		{"outside", []*pb.GridChunk{row(2, 4, 4)}, false, "rows [2, +4)"},
		{"negative", []*pb.GridChunk{row(-1, 1, 4)}, false, "rows [-1"},
		{"twice", []*pb.GridChunk{row(0, 2, 4), row(1, 1, 4)}, false, "twice"},
		{"missing", []*pb.GridChunk{row(0, 2, 4)}, false, "2 of 4 rows"},
		{"crash", []*pb.GridChunk{row(0, 1, 4)}, true, "boom"},
		{"claims shared rows unasked", []*pb.GridChunk{{Row0: 0, Rows: 4, Shared: true}}, false, "rows [0, +4) with 0 bytes"},
		{"claims shared rows unwritten", []*pb.GridChunk{{Row0: 0, Rows: 4, Shared: true}}, false, "did not write"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := dial(t, &liar{chunks: func(*pb.EvalGridRequest) []*pb.GridChunk { return c.chunks }, crash: c.crash})
			o := RowOptions{}
			if c.name == "claims shared rows unwritten" {
				o.SharedDir = t.TempDir()
			}
			err := cl.EvalRows(context.Background(), "x", Settings{}, p, 0, 4, make([]float32, 16), o)
			if !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrPluginFailed containing %q", err, c.want)
			}
		})
	}
}

func TestNewServerRejects(t *testing.T) {
	if _, err := newServer([]Surface{quad{1}, quad{2}}); err == nil {
		t.Error("duplicate names accepted")
	}
}
