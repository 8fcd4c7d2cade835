package sdk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
)

// ProtocolVersion is the plugin protocol's major version. It is part of the
// go-plugin handshake and of the wire package name (landscape.v1).
const ProtocolVersion = 1

// maxMessage bounds a gRPC message either way (batches of points).
const maxMessage = 256 << 20

// Handshake is the go-plugin handshake shared by the host and plugins.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   "LANDSCAPE_PLUGIN",
		MagicCookieValue: "9c6f1e0a-landscape-surface-plugin",
	}
}

// PluginKey is the name under which surfaces are dispensed.
const PluginKey = "surfaces"

// ServeOption configures Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	surfaces   []Surface
	optimizers []Optimizer
	logger     hclog.Logger
}

// WithSurfaces adds surfaces to those the plugin serves.
func WithSurfaces(s ...Surface) ServeOption {
	return func(c *serveConfig) { c.surfaces = append(c.surfaces, s...) }
}

// WithLogger sets the plugin's logger (default: hclog to stderr). A plugin
// must never write to stdout: the handshake lives there.
func WithLogger(l hclog.Logger) ServeOption {
	return func(c *serveConfig) { c.logger = l }
}

// Serve runs the plugin: a plugin's main is one Serve call. It returns only
// when the host ends the plugin, or exits with status 1 after printing why
// when the surfaces are malformed or the program was not started by a host.
func Serve(opts ...ServeOption) {
	var cfg serveConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = hclog.New(&hclog.LoggerOptions{
			Name:   filepath.Base(os.Args[0]),
			Output: os.Stderr,
			Level:  hclog.LevelFromString(os.Getenv("LANDSCAPE_LOG")),
		})
	}
	srv, err := newServer(cfg.surfaces)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	osrv, err := newOptServer(cfg.optimizers)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	if os.Getenv(Handshake().MagicCookieKey) != Handshake().MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s is a landscape plugin: the landscape host starts it; it serves %s\n",
			filepath.Base(os.Args[0]), strings.Join(append(append([]string(nil), srv.names...), osrv.names...), ", "))
		os.Exit(1)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake(),
		Plugins:         pluginSet(srv, osrv),
		GRPCServer: func(o []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(o, grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage),
				grpc.InitialWindowSize(window), grpc.InitialConnWindowSize(window),
				grpc.WriteBufferSize(1<<20), grpc.ReadBufferSize(1<<20))...)
		},
		Logger: cfg.logger,
	})
}

// grpcPlugin joins one of the SDK's services to go-plugin: register serves
// it (plugin side), client makes its client (host side).
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	register func(*grpc.Server)
	client   func(*grpc.ClientConn) any
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.register(s)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return p.client(c), nil
}

var _ plugin.GRPCPlugin = (*grpcPlugin)(nil)

// pluginSet is the SDK's go-plugin set: surfaces and optimizers. The
// servers are nil on the host side.
func pluginSet(srv *server, osrv *optServer) plugin.PluginSet {
	return plugin.PluginSet{
		PluginKey: &grpcPlugin{
			register: func(s *grpc.Server) { pb.RegisterSurfaceServiceServer(s, srv) },
			client:   func(c *grpc.ClientConn) any { return &SurfaceClient{rpc: pb.NewSurfaceServiceClient(c)} },
		},
		OptimizerKey: &grpcPlugin{
			register: func(s *grpc.Server) { pb.RegisterOptimizerServiceServer(s, osrv) },
			client:   func(c *grpc.ClientConn) any { return &OptimizerClient{rpc: pb.NewOptimizerServiceClient(c)} },
		},
	}
}

// server is the plugin side of SurfaceService.
type server struct {
	pb.UnimplementedSurfaceServiceServer
	byName map[string]Surface
	names  []string

	mu    sync.Mutex
	cache map[string]Surface // configured surfaces by name and params
	order []string
}

var _ pb.SurfaceServiceServer = (*server)(nil)

func newServer(surfaces []Surface) (*server, error) {
	byName, names, err := byNames("surface", surfaces, func(x Surface) (string, error) {
		i := x.Info()
		return i.Name, i.Validate()
	})
	return &server{byName: byName, names: names, cache: map[string]Surface{}}, err
}

// byNames indexes what a plugin serves by name, in order, refusing an
// invalid description (describe's error) or a name served twice.
func byNames[T any](kind string, items []T, describe func(T) (string, error)) (map[string]T, []string, error) {
	byName := map[string]T{}
	var names []string
	for _, it := range items {
		name, err := describe(it)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := byName[name]; dup {
			return nil, nil, fmt.Errorf("sdk: %s %s is served twice", kind, name)
		}
		byName[name] = it
		names = append(names, name)
	}
	return byName, names, nil
}

const cacheSize = 16

// configured returns the named surface configured with params, cached.
func (s *server) configured(ref *pb.SurfaceRef) (Surface, error) {
	base, ok := s.byName[ref.GetName()]
	if !ok {
		return nil, fmt.Errorf("%w: %q (this plugin serves %s)", ErrUnknownSurface, ref.GetName(), strings.Join(s.names, ", "))
	}
	key := cacheKey(ref.GetName(), ref.GetParams(), ref.GetTexts())
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := ConfigureTexts(base, ref.GetParams(), ref.GetTexts())
	if err != nil {
		return nil, err
	}
	if err := c.Info().Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadParams, err)
	}
	s.mu.Lock()
	if len(s.order) >= cacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
	s.cache[key] = c
	s.order = append(s.order, key)
	s.mu.Unlock()
	return c, nil
}

func cacheKey(name string, p map[string]float64, t map[string]string) string {
	var b strings.Builder
	b.WriteString(name)
	for _, k := range sortedKeys(p) {
		b.WriteString("\x00" + k + "=" + strconv.FormatFloat(p[k], 'g', -1, 64))
	}
	for _, k := range sortedKeys(t) {
		b.WriteString("\x00" + k + "=\x01" + strconv.Quote(t[k]))
	}
	return b.String()
}

func hasGrad(s Surface) bool { _, ok := s.(SurfaceWithGradient); return ok }

// GLSLOf is s's GLSL snippet, or "" when it has none.
func GLSLOf(s Surface) string {
	if g, ok := s.(SurfaceWithGLSL); ok {
		return g.GLSL()
	}
	return ""
}

// Describe is the Descriptor of an in-process surface.
func Describe(s Surface) Descriptor {
	d := Descriptor{Info: s.Info(), HasGradient: hasGrad(s), GLSL: GLSLOf(s)}
	if b, ok := s.(SurfaceWithBatches); ok {
		d.Samples = b.Samples()
	}
	if b, ok := s.(SurfaceWithData); ok {
		d.Data = b.Data()
		d.DataLen = len(d.Data)
	}
	return d
}

func (s *server) ListSurfaces(context.Context, *pb.ListSurfacesRequest) (*pb.ListSurfacesResponse, error) {
	out := &pb.ListSurfacesResponse{}
	for _, n := range s.names {
		c, err := s.configured(&pb.SurfaceRef{Name: n})
		if err != nil {
			return nil, toStatus(err)
		}
		out.Surfaces = append(out.Surfaces, infoToProto(Describe(c)))
	}
	return out, nil
}

func (s *server) DescribeSurface(_ context.Context, ref *pb.SurfaceRef) (*pb.SurfaceInfo, error) {
	c, err := s.configured(ref)
	if err != nil {
		return nil, toStatus(err)
	}
	return infoToProto(Describe(c)), nil
}

// pointSurface evaluates the points of one request: the configured
// surface, or a mini-batch of it per point.
type pointSurface struct {
	c     Surface
	bs    SurfaceWithBatches
	size  int
	batch []int32
}

// idx is point i's mini-batch, in *buf (reused from point to point).
func (p pointSurface) idx(i int, buf *[]int) []int {
	*buf = (*buf)[:0]
	for _, k := range p.batch[i*p.size : (i+1)*p.size] {
		*buf = append(*buf, int(k))
	}
	return *buf
}

func (p pointSurface) loss(i int, theta []float64, buf *[]int) float64 {
	if p.bs == nil {
		return p.c.Loss(theta)
	}
	return p.bs.BatchLoss(theta, p.idx(i, buf))
}

func (p pointSurface) grad(i int, dst, theta, scratch []float64, buf *[]int) float64 {
	if p.bs == nil {
		Gradient(p.c, dst, theta, scratch)
		return p.c.Loss(theta)
	}
	return p.bs.BatchGrad(dst, theta, p.idx(i, buf))
}

func (s *server) points(req *pb.PointsRequest) (pointSurface, int, int, error) {
	c, err := s.configured(req.GetSurface())
	if err != nil {
		return pointSurface{}, 0, 0, err
	}
	dim := int(req.GetDim())
	if dim != c.Info().Dim {
		return pointSurface{}, 0, 0, fmt.Errorf("%w: points have dimension %d, surface %s has %d", ErrBadRequest, dim, c.Info().Name, c.Info().Dim)
	}
	if len(req.GetPoints())%dim != 0 {
		return pointSurface{}, 0, 0, fmt.Errorf("%w: %d values do not make points of dimension %d", ErrBadRequest, len(req.GetPoints()), dim)
	}
	n := len(req.GetPoints()) / dim
	ps := pointSurface{c: c}
	if size := int(req.GetBatchSize()); size > 0 || len(req.GetBatch()) > 0 {
		bs, ok := c.(SurfaceWithBatches)
		if !ok {
			return pointSurface{}, 0, 0, fmt.Errorf("%w: surface %s has no mini-batches", ErrBadRequest, c.Info().Name)
		}
		if size < 1 || len(req.GetBatch()) != n*size {
			return pointSurface{}, 0, 0, fmt.Errorf("%w: %d sample indices for %d points in batches of %d", ErrBadRequest, len(req.GetBatch()), n, size)
		}
		for _, k := range req.GetBatch() {
			if k < 0 || int(k) >= bs.Samples() {
				return pointSurface{}, 0, 0, fmt.Errorf("%w: sample %d outside 0..%d", ErrBadRequest, k, bs.Samples()-1)
			}
		}
		ps.bs, ps.size, ps.batch = bs, size, req.GetBatch()
	}
	return ps, dim, n, nil
}

// parallel runs f(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < 1024 || w == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + w - 1) / w
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		go func() { defer wg.Done(); f(lo, hi) }()
	}
	wg.Wait()
}

func (s *server) Loss(_ context.Context, req *pb.PointsRequest) (*pb.LossResponse, error) {
	c, dim, n, err := s.points(req)
	if err != nil {
		return nil, toStatus(err)
	}
	pts := req.GetPoints()
	vals := make([]float64, n)
	parallel(n, func(lo, hi int) {
		var buf []int
		for i := lo; i < hi; i++ {
			vals[i] = c.loss(i, pts[i*dim:(i+1)*dim], &buf)
		}
	})
	return &pb.LossResponse{Values: vals}, nil
}

func (s *server) Gradient(_ context.Context, req *pb.PointsRequest) (*pb.GradientResponse, error) {
	c, dim, n, err := s.points(req)
	if err != nil {
		return nil, toStatus(err)
	}
	pts := req.GetPoints()
	vals := make([]float64, n)
	grads := make([]float64, n*dim)
	parallel(n, func(lo, hi int) {
		scratch := make([]float64, dim)
		var buf []int
		for i := lo; i < hi; i++ {
			vals[i] = c.grad(i, grads[i*dim:(i+1)*dim], pts[i*dim:(i+1)*dim], scratch, &buf)
		}
	})
	return &pb.GradientResponse{Values: vals, Grads: grads}, nil
}

// Gradient writes s's gradient at theta into dst: the analytic one when s
// has it, else central differences. scratch (len(theta)) may be nil.
func Gradient(s Surface, dst, theta, scratch []float64) {
	if g, ok := s.(SurfaceWithGradient); ok {
		g.Grad(dst, theta)
		return
	}
	if len(scratch) != len(theta) {
		scratch = make([]float64, len(theta))
	}
	copy(scratch, theta)
	for k := range theta {
		h := 1e-6 * max(1, abs(theta[k]))
		scratch[k] = theta[k] + h
		fp := s.Loss(scratch)
		scratch[k] = theta[k] - h
		fm := s.Loss(scratch)
		scratch[k] = theta[k]
		dst[k] = (fp - fm) / (2 * h)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// SurfaceData streams the configured surface's data buffer.
func (s *server) SurfaceData(ref *pb.SurfaceRef, stream grpc.ServerStreamingServer[pb.DataChunk]) error {
	c, err := s.configured(ref)
	if err != nil {
		return toStatus(err)
	}
	d, ok := c.(SurfaceWithData)
	if !ok {
		return nil
	}
	data := d.Data()
	const chunk = defaultChunkBytes / 4
	for lo := 0; lo < len(data); lo += chunk {
		if err := stream.Send(&pb.DataChunk{Values: f32Bytes(data[lo:min(lo+chunk, len(data))])}); err != nil {
			return err
		}
	}
	return nil
}

// defaultChunkBytes is the target size of one streamed grid chunk.
const defaultChunkBytes = 1 << 20

func (s *server) EvalGrid(req *pb.EvalGridRequest, stream grpc.ServerStreamingServer[pb.GridChunk]) error {
	c, err := s.configured(req.GetSurface())
	if err != nil {
		return toStatus(err)
	}
	p := planeFromProto(req.GetPlane())
	if err := p.Validate(); err != nil {
		return toStatus(err)
	}
	if p.Dim() != c.Info().Dim {
		return toStatus(fmt.Errorf("%w: plane has dimension %d, surface %s has %d", ErrBadRequest, p.Dim(), c.Info().Name, c.Info().Dim))
	}
	row0, row1 := int(req.GetRow0()), int(req.GetRow1())
	if row0 < 0 || row1 > p.Ny || row0 >= row1 {
		return toStatus(fmt.Errorf("%w: rows [%d, %d) outside 0..%d", ErrBadRequest, row0, row1, p.Ny))
	}
	chunk := int(req.GetChunkRows())
	if chunk <= 0 {
		chunk = max(1, defaultChunkBytes/(4*p.Nx))
	}
	workers := int(req.GetWorkers())
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Rows go into the host's shared file when it can be opened; otherwise
	// (or if a write fails) they travel in the stream.
	var shared *os.File
	if path := req.GetSharedPath(); path != "" {
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			shared = f
			defer f.Close()
		}
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	starts := make(chan int)
	go func() {
		defer close(starts)
		for r := row0; r < row1; r += chunk {
			select {
			case starts <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	var (
		wg      sync.WaitGroup
		sendMu  sync.Mutex
		errOnce sync.Once
		first   error
	)
	fail := func(err error) { errOnce.Do(func() { first = err; cancel() }) }
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Rows written to the shared file leave the buffer free again;
			// streamed ones belong to the message until Send has sent it.
			var own []float32
			for r := range starts {
				n := min(chunk, row1-r)
				if len(own) < n*p.Nx || shared == nil {
					own = make([]float32, chunk*p.Nx)
				}
				buf := own[:n*p.Nx]
				if err := EvalRows(ctx, c, p, r, r+n, buf, 1); err != nil {
					fail(err)
					return
				}
				msg := &pb.GridChunk{Row0: int32(r), Rows: int32(n)}
				if shared != nil {
					_, err := shared.WriteAt(f32Bytes(buf), int64(r-row0)*int64(p.Nx)*4)
					msg.Shared = err == nil
				}
				if !msg.Shared {
					msg.Values = f32Bytes(buf)
					own = nil
				}
				sendMu.Lock()
				err := stream.Send(msg)
				sendMu.Unlock()
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return toStatus(first)
}

// window is the HTTP/2 flow-control window of plugin connections. The
// default (64 KiB, grown by probing) throttles streamed grids over a local
// socket; a large fixed window lets the plugin run ahead of the host.
const window = 16 << 20

// DialOptions are the gRPC options the host passes to go-plugin
// (ClientConfig.GRPCDialOptions) to match the plugin side.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window),
		grpc.WithWriteBufferSize(1 << 20), grpc.WithReadBufferSize(1 << 20),
	}
}

// ClientPlugins is the go-plugin plugin set the host passes to
// plugin.ClientConfig: its Dispense(PluginKey) yields a *SurfaceClient.
func ClientPlugins() plugin.PluginSet {
	return pluginSet(nil, nil)
}
