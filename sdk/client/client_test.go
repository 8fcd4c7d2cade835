package client

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// connect serves opts in this process (sdk.ServeTest) and returns clients
// of it, connected as the host connects to a plugin process.
func connect(t *testing.T, opts ...sdk.ServeOption) (*SurfaceClient, *OptimizerClient) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rc, done, err := sdk.ServeTest(ctx, append(opts, sdk.WithLogger(hclog.NewNullLogger()))...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := plugin.NewClient(&plugin.ClientConfig{HandshakeConfig: Handshake(), Plugins: Plugins(), Reattach: rc,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC}, GRPCDialOptions: DialOptions(), Logger: hclog.NewNullLogger()})
	t.Cleanup(func() { c.Kill(); cancel(); <-done })
	rpc, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	sc, oc, err := Dispense(rpc, "fake")
	if err != nil {
		t.Fatal(err)
	}
	return sc, oc
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

// dial returns a surface client of srv, a fake plugin.
func dial(t *testing.T, srv pb.SurfaceServiceServer) *SurfaceClient {
	cc := bufConn(t, func(g *grpc.Server) { pb.RegisterSurfaceServiceServer(g, srv) })
	return &SurfaceClient{rpc: pb.NewSurfaceServiceClient(cc), conn: &conn{Plugin: "fake", activity: pb.NewSurfaceServiceClient(cc)}}
}

// quad is x² + 2y² with hyperparameter s scaling it.
type quad struct{ s float64 }

func (q quad) Info() sdk.Info {
	return sdk.Info{Name: "quad", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "s", Default: 1, Min: 0, Max: 10}},
		Minima:          []sdk.Minimum{{Location: []float64{0, 0}}}}
}
func (q quad) Loss(p []float64) float64 { return q.s * (p[0]*p[0] + 2*p[1]*p[1]) }
func (q quad) Configure(p sdk.Params) (sdk.Surface, error) {
	if p["s"] == 7 {
		return nil, errors.New("s=7 is unlucky")
	}
	return quad{s: p["s"]}, nil
}

// fakeGD is x ← x − lr·g; a start with x0 = 99 panics in Tell, one with
// x0 = 77 returns a point of the wrong length.
type fakeGD struct{}

func (fakeGD) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "fake-gd", Summary: "test", Gradient: true,
		Hyperparameters: []sdk.Hyperparameter{{Name: "lr", Default: 0.1, Min: 0, Max: 1}}}
}

func (fakeGD) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	if p["lr"] == 0.5 {
		return nil, errors.New("lr=0.5 is unlucky")
	}
	return &gdRun{x: x0, lr: p["lr"]}, nil
}

type gdRun struct {
	x  []float64
	lr float64
}

func (r *gdRun) Ask() ([][]float64, sdk.Need) { return [][]float64{r.x}, sdk.NeedGradient }
func (r *gdRun) Tell(l []float64, g [][]float64) sdk.Step {
	switch r.x[0] {
	case 99:
		panic("boom")
	case 77:
		return sdk.Step{X: []float64{1}}
	}
	for k := range r.x {
		r.x[k] -= r.lr * g[0][k]
	}
	return sdk.Step{X: r.x, LR: r.lr}
}

// samples is a data-driven surface: the mean of (θ0 − x_i)² over its
// samples x_i = i, with a text setting that scales the data.
type samples struct {
	n     int
	scale string
}

func (s samples) Info() sdk.Info {
	return sdk.Info{Name: "samples", Dim: 1, Domain: []sdk.Interval{{Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "scale", Text: true, DefaultText: s.scale}}}
}

func (s samples) x(i int) float64 {
	if s.scale == "double" {
		return 2 * float64(i)
	}
	return float64(i)
}

func (s samples) ConfigureTexts(_ sdk.Params, t sdk.Texts) (sdk.Surface, error) {
	if t["scale"] != "" && t["scale"] != "double" {
		return nil, errors.New("scale: want double or nothing")
	}
	return samples{n: s.n, scale: t["scale"]}, nil
}

func (s samples) Data() []float32 {
	d := make([]float32, s.n)
	for i := range d {
		d[i] = float32(s.x(i))
	}
	return d
}

func (s samples) Samples() int { return s.n }

func (s samples) Loss(th []float64) float64 {
	all := make([]int, s.n)
	for i := range all {
		all[i] = i
	}
	return s.BatchLoss(th, all)
}

func (s samples) BatchLoss(th []float64, idx []int) float64 {
	var v float64
	for _, i := range idx {
		v += (th[0] - s.x(i)) * (th[0] - s.x(i))
	}
	return v / float64(len(idx))
}

func (s samples) BatchGrad(dst, th []float64, idx []int) float64 {
	dst[0] = 0
	for _, i := range idx {
		dst[0] += 2 * (th[0] - s.x(i)) / float64(len(idx))
	}
	return s.BatchLoss(th, idx)
}

func bowl(_ context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
	l := make([]float64, len(pts)/2)
	var g []float64
	for i := range l {
		l[i] = pts[2*i]*pts[2*i] + pts[2*i+1]*pts[2*i+1]
		if grad {
			g = append(g, 2*pts[2*i], 2*pts[2*i+1])
		}
	}
	return l, g, nil
}

func TestClientServer(t *testing.T) {
	c, _ := connect(t, sdk.WithSurfaces(quad{1}))
	ctx := context.Background()
	ds, err := c.List(ctx)
	if err != nil || len(ds) != 1 || ds[0].Name != "quad" || ds[0].HasGradient {
		t.Fatalf("List = %+v, %v", ds, err)
	}
	if _, err := c.Describe(ctx, Ref{Name: "quad", Settings: Settings{Params: sdk.Params{"s": 99}}}); !errors.Is(err, sdk.ErrBadParams) || !strings.Contains(err.Error(), "out of bounds") {
		t.Errorf("Describe bad params: %v", err)
	}
	if _, err := c.Describe(ctx, Ref{Name: "nope"}); !errors.Is(err, ErrUnknownSurface) {
		t.Errorf("Describe unknown: %v", err)
	}
	v, err := c.Loss(ctx, Points{Ref: Ref{Name: "quad", Settings: Settings{Params: sdk.Params{"s": 2}}}, Dim: 2, Points: []float64{1, 1, 0, 1}})
	if err != nil || v[0] != 6 || v[1] != 4 {
		t.Errorf("Loss = %v, %v", v, err)
	}
	_, g, err := c.Gradient(ctx, Points{Ref: Ref{Name: "quad"}, Dim: 2, Points: []float64{1, 1}})
	if err != nil || math.Abs(g[0]-2) > 1e-6 || math.Abs(g[1]-4) > 1e-6 {
		t.Errorf("finite-difference Gradient = %v, %v", g, err)
	}
	if _, err := c.Loss(ctx, Points{Ref: Ref{Name: "quad"}, Dim: 3, Points: []float64{1, 1, 1}}); !errors.Is(err, sdk.ErrBadRequest) {
		t.Errorf("wrong dim: %v", err)
	}
	p := grid.AxisPlane(2, 0, 1, nil, grid.Interval{Lo: -1, Hi: 1}, grid.Interval{Lo: -1, Hi: 1}, 33, 65)
	got := make([]float32, 60*33)
	if err := c.EvalGrid(ctx, Rows{Ref: Ref{Name: "quad"}, Plane: p, Row0: 5, Row1: 65, Dst: got, ChunkRows: 7, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 60*33)
	grid.Fill(ctx, quad{1}.Loss, p, 5, 65, want, 1)
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("streamed value %d = %v, want %v", k, got[k], want[k])
		}
	}
}

// TestSharedRows: rows through a shared file of the host's folder, whose
// name is gone as soon as the plugin has it open; the file is reused; a
// file outside the folder is refused.
func TestSharedRows(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(sdk.SharedDirEnv, dir) // the plugin, served in this process, reads it at start
	c, _ := connect(t, sdk.WithSurfaces(quad{1}))
	ctx := context.Background()
	p := grid.AxisPlane(2, 0, 1, nil, grid.Interval{Lo: -1, Hi: 1}, grid.Interval{Lo: -1, Hi: 1}, 33, 65)
	want := make([]float32, 60*33)
	grid.Fill(ctx, quad{1}.Loss, p, 5, 65, want, 1)
	for round := range 3 {
		got := make([]float32, 60*33)
		if err := c.EvalGrid(ctx, Rows{Ref: Ref{Name: "quad"}, Plane: p, Row0: 5, Row1: 65, Dst: got, ChunkRows: 7, SharedDir: dir}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: shared values differ", round)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("round %d: the shared folder holds %d files, want none (the open file has no name)", round, len(ents))
		}
		c.mu.Lock()
		kept := len(c.free)
		c.mu.Unlock()
		if kept != 1 {
			t.Errorf("round %d: %d shared files kept, want 1 (reused)", round, kept)
		}
	}
	c.Close()

	// A path outside the host's folder is refused, and the file untouched.
	other := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(other, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	req := &pb.EvalGridRequest{Surface: Ref{Name: "quad"}.proto(), Plane: planeToProto(p), Row0: 0, Row1: 2, SharedPath: other}
	stream, err := c.rpc.EvalGrid(ctx, req)
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "not in the host's folder") {
		t.Errorf("a shared path outside the folder: %v, want PermissionDenied", err)
	}
	// A link inside the folder to a file outside is refused too.
	link := filepath.Join(dir, "grid-link")
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	req.SharedPath = link
	if stream, err = c.rpc.EvalGrid(ctx, req); err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "is a link") {
		t.Errorf("a link in the folder: %v, want PermissionDenied", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep me" {
		t.Errorf("the file outside the folder now holds %q", b)
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
	p := grid.AxisPlane(2, 0, 1, nil, grid.Interval{Lo: -1, Hi: 1}, grid.Interval{Lo: -1, Hi: 1}, 4, 4)
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
		{"claims shared rows unwritten", []*pb.GridChunk{{SharedOpen: true}, {Row0: 0, Rows: 4, Shared: true, Crc32C: sum(make([]byte, 64))}}, false, "did not write"},
		{"claims shared rows without a checksum", []*pb.GridChunk{{SharedOpen: true}, {Row0: 0, Rows: 4, Shared: true}}, false, "without their checksum"},
		{"claims shared rows before opening", []*pb.GridChunk{{Row0: 0, Rows: 4, Shared: true, Crc32C: sum(make([]byte, 64))}}, false, "with 0 bytes"},
		{"opens twice", []*pb.GridChunk{{SharedOpen: true}, {SharedOpen: true}}, false, "out of turn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := dial(t, &liar{chunks: func(*pb.EvalGridRequest) []*pb.GridChunk { return c.chunks }, crash: c.crash})
			o := Rows{Ref: Ref{Name: "x"}, Plane: p, Row0: 0, Row1: 4, Dst: make([]float32, 16)}
			if strings.HasPrefix(c.name, "claims shared") || c.name == "opens twice" {
				o.SharedDir = t.TempDir()
			}
			err := cl.EvalGrid(context.Background(), o)
			if !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrPluginFailed containing %q", err, c.want)
			}
		})
	}
}

func sum(b []byte) *uint32 {
	s := crc32.Checksum(b, castagnoli)
	return &s
}

// stale writes the rows of its first request into the shared file and
// claims those of later ones without writing them, with their checksum:
// the file still holds the first request's rows.
type stale struct {
	pb.UnimplementedSurfaceServiceServer
	f *os.File
}

func (s *stale) EvalGrid(req *pb.EvalGridRequest, st grpc.ServerStreamingServer[pb.GridChunk]) error {
	p := grid.Plane{Origin: req.Plane.Origin, U: req.Plane.U, V: req.Plane.V, X: grid.Interval{Lo: req.Plane.X.Lo, Hi: req.Plane.X.Hi},
		Y: grid.Interval{Lo: req.Plane.Y.Lo, Hi: req.Plane.Y.Hi}, Nx: int(req.Plane.Nx), Ny: int(req.Plane.Ny)}
	v := make([]float32, int(req.Row1-req.Row0)*p.Nx)
	grid.Fill(st.Context(), quad{1}.Loss, p, int(req.Row0), int(req.Row1), v, 1)
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	if s.f == nil {
		f, err := os.OpenFile(req.SharedPath, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		s.f = f
		s.f.WriteAt(b, 0)
	}
	st.Send(&pb.GridChunk{SharedOpen: true})
	return st.Send(&pb.GridChunk{Row0: req.Row0, Rows: req.Row1 - req.Row0, Shared: true, Crc32C: sum(b)})
}

// TestStaleRows: rows claimed in the shared file but not written, which
// leaves the previous request's rows there, are refused.
func TestStaleRows(t *testing.T) {
	c := dial(t, &stale{})
	dir := t.TempDir()
	p := grid.AxisPlane(2, 0, 1, nil, grid.Interval{Lo: -1, Hi: 1}, grid.Interval{Lo: -1, Hi: 1}, 8, 8)
	if err := c.EvalGrid(context.Background(), Rows{Ref: Ref{Name: "quad"}, Plane: p, Row0: 0, Row1: 4, Dst: make([]float32, 32), SharedDir: dir}); err != nil {
		t.Fatalf("the honest first request: %v", err)
	}
	err := c.EvalGrid(context.Background(), Rows{Ref: Ref{Name: "quad"}, Plane: p, Row0: 4, Row1: 8, Dst: make([]float32, 32), SharedDir: dir})
	if !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), "claimed rows [4, +4) it did not write") {
		t.Errorf("stale rows: %v", err)
	}
}

func TestOptimizeBatch(t *testing.T) {
	_, c := connect(t, sdk.WithOptimizers(fakeGD{}))
	infos, err := c.List(context.Background())
	if err != nil || len(infos) != 1 || infos[0].Name != "fake-gd" {
		t.Fatalf("List = %v, %v", infos, err)
	}
	starts := []float64{1, 2, 99, 0, -3, 0.5, 77, 0}
	var steps []Iterates
	err = c.Optimize(context.Background(), Batch{Name: "fake-gd", Params: sdk.Params{"lr": 0.25}, Dim: 2, Starts: starts, Seed: 7, Eval: bowl,
		Step: func(it Iterates, req Asks, ans Answer) bool {
			steps = append(steps, Iterates{X: append([]float64(nil), it.X...), Done: append([]bool(nil), it.Done...)})
			if !req.Gradient || len(ans.Grads) != len(req.Points) {
				t.Errorf("request %+v answered %+v", req, ans)
			}
			return len(steps) < 4
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 {
		t.Fatalf("%d steps", len(steps))
	}
	// x ← x − 0.25·2x = x/2 each step.
	last := steps[3].X
	for _, c := range []struct {
		i, k int
		want float64
	}{{0, 0, 0.125}, {0, 1, 0.25}, {2, 0, -0.375}, {2, 1, 0.0625}} {
		if got := last[c.i*2+c.k]; math.Abs(got-c.want) > 1e-15 {
			t.Errorf("run %d x%d = %v, want %v", c.i, c.k, got, c.want)
		}
	}
	// The panicking and the lying run failed (NaN, done); the others went on.
	for _, i := range []int{1, 3} {
		if !math.IsNaN(last[2*i]) || !steps[3].Done[i] {
			t.Errorf("run %d: %v done=%v, want NaN and done", i, last[2*i:2*i+2], steps[3].Done[i])
		}
	}
}

func TestOptimizeErrors(t *testing.T) {
	_, c := connect(t, sdk.WithOptimizers(fakeGD{}))
	never := func(Iterates, Asks, Answer) bool { t.Error("stepped"); return false }
	for _, tc := range []struct {
		name   string
		params sdk.Params
		want   error
		text   string
	}{
		{"nope", nil, ErrUnknownOptimizer, `"nope"`},
		{"fake-gd", sdk.Params{"lr": 3}, sdk.ErrBadParams, "out of bounds"},
		{"fake-gd", sdk.Params{"momentum": 3}, sdk.ErrBadParams, "accepted: lr"},
		{"fake-gd", sdk.Params{"lr": 0.5}, sdk.ErrBadParams, "unlucky"},
	} {
		err := c.Optimize(context.Background(), Batch{Name: tc.name, Params: tc.params, Dim: 2, Starts: []float64{1, 1}, Seed: 1, Eval: bowl, Step: never})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s %v: %v, want %v containing %q", tc.name, tc.params, err, tc.want, tc.text)
		}
	}
	if err := c.Optimize(context.Background(), Batch{Name: "fake-gd", Dim: 2, Starts: []float64{1, 1, 1}, Seed: 1, Eval: bowl, Step: never}); !errors.Is(err, sdk.ErrBadRequest) {
		t.Errorf("3 values as 2-d starts: %v", err)
	}
}

func TestBatchIndices(t *testing.T) {
	const n, size = 10, 4
	// Each epoch is ⌈10/4⌉ = 3 batches of 4, 4, 2 covering 0..9 once.
	for epoch := 0; epoch < 3; epoch++ {
		var all []int
		for b := 0; b < 3; b++ {
			idx := BatchIndices(n, size, 7, epoch*3+b)
			if want := []int{4, 4, 2}[b]; len(idx) != want {
				t.Fatalf("epoch %d batch %d has %d samples, want %d", epoch, b, len(idx), want)
			}
			all = append(all, idx...)
		}
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("epoch %d covers %v, want 0..9 once each", epoch, all)
			}
		}
	}
	if !slices.Equal(BatchIndices(n, size, 7, 4), BatchIndices(n, size, 7, 4)) {
		t.Error("the same seed and batch gave different samples")
	}
	if slices.Equal(BatchIndices(n, size, 7, 0), BatchIndices(n, size, 7, 3)) && slices.Equal(BatchIndices(n, size, 7, 1), BatchIndices(n, size, 7, 4)) {
		t.Error("two epochs were shuffled alike")
	}
	if got := BatchIndices(n, 0, 7, 5); len(got) != n || got[9] != 9 {
		t.Errorf("size 0 is not the full batch in order: %v", got)
	}
}

func TestDataAndBatchesOverTheWire(t *testing.T) {
	const n = 300_000 // more than one streamed chunk
	c, _ := connect(t, sdk.WithSurfaces(samples{n: n}, quad{1}))
	ctx := context.Background()
	dbl := Ref{Name: "samples", Settings: Settings{Texts: sdk.Texts{"scale": "double"}}}
	d, err := c.Describe(ctx, dbl)
	if err != nil || d.Samples != n || d.DataLen != n || d.Hyperparameters[0].DefaultText != "double" {
		t.Fatalf("Describe = %+v, %v", d, err)
	}
	data, err := c.Data(ctx, dbl, d.DataLen)
	if err != nil || len(data) != n || data[1] != 2 || data[n-1] != float32(2*(n-1)) {
		t.Fatalf("Data: %d values, %v", len(data), err)
	}
	if _, err := c.Data(ctx, dbl, n+1); !errors.Is(err, ErrPluginFailed) {
		t.Errorf("Data with a wrong length: %v", err)
	}
	if _, err := c.Describe(ctx, Ref{Name: "samples", Settings: Settings{Texts: sdk.Texts{"scale": "triple"}}}); !errors.Is(err, sdk.ErrBadParams) {
		t.Errorf("a bad text was accepted: %v", err)
	}
	// Two points, each with its own batch of two samples: {0, 1} and {3, 3}.
	b := &MiniBatch{Size: 2, Index: []int32{0, 1, 3, 3}}
	v, g, err := c.Gradient(ctx, Points{Ref: Ref{Name: "samples"}, Dim: 1, Points: []float64{0, 1}, Batch: b})
	if err != nil || v[0] != 0.5 || v[1] != 4 || g[0] != -1 || g[1] != -4 {
		t.Fatalf("BatchGradient = %v, %v, %v", v, g, err)
	}
	for _, bad := range []*MiniBatch{{Size: 2, Index: []int32{0, n}}, {Size: 2, Index: []int32{0}}} {
		if _, err := c.Loss(ctx, Points{Ref: Ref{Name: "samples"}, Dim: 1, Points: []float64{0}, Batch: bad}); !errors.Is(err, sdk.ErrBadRequest) {
			t.Errorf("BatchLoss(%v): %v, want sdk.ErrBadRequest", bad.Index, err)
		}
	}
	if _, err := c.Loss(ctx, Points{Ref: Ref{Name: "quad"}, Dim: 2, Points: []float64{0, 0}, Batch: &MiniBatch{Size: 1, Index: []int32{0}}}); !errors.Is(err, sdk.ErrBadRequest) || !strings.Contains(err.Error(), "no mini-batches") {
		t.Errorf("a batch for a surface without mini-batches: %v", err)
	}
}

// TestIteratesChecked: what a plugin reports beyond the iterates (best
// points, temperatures, acceptances) is taken only in the sizes and values
// the protocol allows.
func TestIteratesChecked(t *testing.T) {
	c := &OptimizerClient{conn: &conn{Plugin: "liar"}}
	x, lr, done := []float64{1, 2, 3, 4}, []float64{0, 0}, []bool{false, false}
	out := func(edit func(*pb.OptimizeOut)) *pb.OptimizeOut {
		o := &pb.OptimizeOut{X: x, Lr: lr, Done: done}
		edit(o)
		return o
	}
	it, err := c.iterates(out(func(o *pb.OptimizeOut) {
		o.Best = []float64{0, 0, 1, 1}
		o.Temperature = []float64{0.5, math.NaN()}
		o.Accept = []pb.Acceptance{pb.Acceptance_ACCEPTANCE_REJECTED, pb.Acceptance_ACCEPTANCE_NONE}
	}), 2, 2)
	if err != nil || len(it.Best) != 4 || it.Temperature[0] != 0.5 || it.Accept[0] != sdk.Rejected || it.Accept[1] != sdk.AcceptNone {
		t.Fatalf("a good message: %+v, %v", it, err)
	}
	if it, err := c.iterates(out(func(*pb.OptimizeOut) {}), 2, 2); err != nil || it.Best != nil || it.Accept != nil {
		t.Errorf("a message without them: %+v, %v", it, err)
	}
	for _, bad := range []struct {
		name string
		edit func(*pb.OptimizeOut)
	}{
		{"best of 3", func(o *pb.OptimizeOut) { o.Best = []float64{1, 2, 3} }},
		{"one temperature", func(o *pb.OptimizeOut) {
			o.Temperature, o.Accept = []float64{1}, []pb.Acceptance{pb.Acceptance_ACCEPTANCE_ACCEPTED, pb.Acceptance_ACCEPTANCE_ACCEPTED}
		}},
		{"no acceptances", func(o *pb.OptimizeOut) { o.Temperature = []float64{1, 1} }},
		{"acceptance 7", func(o *pb.OptimizeOut) { o.Temperature, o.Accept = []float64{1, 1}, []pb.Acceptance{7, 1} }},
		{"short x", func(o *pb.OptimizeOut) { o.X = x[:3] }},
	} {
		if _, err := c.iterates(out(bad.edit), 2, 2); !errors.Is(err, ErrPluginFailed) {
			t.Errorf("%s: %v, want ErrPluginFailed", bad.name, err)
		}
	}
}

// TestPeriodicDescriptor: periodic parameters wrap into [lo, lo + period)
// and differ the shortest way round; the others are left alone.
func TestPeriodicDescriptor(t *testing.T) {
	d := Descriptor{Info: sdk.Info{Dim: 2, Domain: []sdk.Interval{{Lo: -math.Pi / 2, Hi: math.Pi / 2}, {Lo: -1, Hi: 1}}, Periods: []float64{math.Pi, 0}}}
	for _, c := range []struct{ in, want float64 }{
		{0.3, 0.3}, {2 * math.Pi / 3, -math.Pi / 3}, {-math.Pi / 2, -math.Pi / 2}, {math.Pi / 2, -math.Pi / 2},
		{-7, -7 + 2*math.Pi}, {math.NaN(), math.NaN()},
	} {
		got := d.Wrap(nil, []float64{c.in, 5})
		if !(math.Abs(got[0]-c.want) < 1e-12 || math.IsNaN(c.want) && math.IsNaN(got[0])) || got[1] != 5 {
			t.Errorf("Wrap(%v, 5) = %v, want (%v, 5)", c.in, got, c.want)
		}
	}
	diff := d.Difference([]float64{1.4, 0.5}, []float64{-1.4, -0.5})
	if math.Abs(diff[0]-(2.8-math.Pi)) > 1e-12 || diff[1] != 1 {
		t.Errorf("Difference = %v, want (2.8−π, 1)", diff)
	}
	if nd := (Descriptor{Info: sdk.Info{Dim: 1, Domain: []sdk.Interval{{Lo: 0, Hi: 1}}}}); nd.Wrap(nil, []float64{7})[0] != 7 || nd.Period(0) != 0 {
		t.Error("a surface without periods wrapped a parameter")
	}
}

// costly is a surface whose every loss takes a while, counting how many
// run at once.
type costly struct{ now, most *atomic.Int32 }

func (c costly) Info() sdk.Info {
	return sdk.Info{Name: "costly", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (c costly) Loss(p []float64) float64 {
	n := c.now.Add(1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(time.Millisecond)
	c.now.Add(-1)
	return p[0] + p[1]
}

// TestSmallGridOnEveryWorker: a small grid of a costly loss, with no
// chunk size asked, is cut so that every worker has rows: its 16 rows of
// 16 points would fit one 1 MiB chunk, which one worker would evaluate.
func TestSmallGridOnEveryWorker(t *testing.T) {
	var now, most atomic.Int32
	c, _ := connect(t, sdk.WithSurfaces(costly{&now, &most}))
	p := grid.AxisPlane(2, 0, 1, nil, grid.Interval{Lo: -1, Hi: 1}, grid.Interval{Lo: -1, Hi: 1}, 16, 16)
	got := make([]float32, 16*16)
	if err := c.EvalGrid(context.Background(), Rows{Ref: Ref{Name: "costly"}, Plane: p, Row0: 0, Row1: 16, Dst: got, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if m := most.Load(); m != 2 {
		t.Errorf("%d losses at once at most, want 2 (a worker each)", m)
	}
	if got[16*16-1] != 2 || got[0] != -2 {
		t.Errorf("values %v … %v", got[0], got[16*16-1])
	}
}
