package sdk

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/landscape-go/landscape/sdk/grid"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// castagnoli is the CRC-32C table that proves shared rows written.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors the plugin side answers with; the host's client maps them, by
// their gRPC status codes, onto its own sentinels.
var (
	errUnknownSurface   = errors.New("sdk: unknown surface")
	errUnknownOptimizer = errors.New("sdk: unknown optimizer")
)

// server is the plugin side of SurfaceService.
type server struct {
	pb.UnimplementedSurfaceServiceServer
	byName map[string]Surface
	names  []string

	mu    sync.Mutex
	cache map[string]Surface // configured surfaces by name and params
	order []string

	act    *activity
	shared *sharedFiles
}

var _ pb.SurfaceServiceServer = (*server)(nil)

// newServer serves surfaces, counting its work into act and writing grid
// rows only into shared files of sharedDir (none when it is "").
func newServer(surfaces []Surface, act *activity, sharedDir string) (*server, error) {
	byName, names, err := byNames("surface", surfaces, func(x Surface) (string, error) {
		i := x.Info()
		return i.Name, i.Validate()
	})
	return &server{byName: byName, names: names, cache: map[string]Surface{}, act: act, shared: newSharedFiles(sharedDir)}, err
}

const cacheSize = 16

// configured returns the named surface configured with the ref's
// settings (on its test set when the ref asks for it), cached.
func (s *server) configured(ref *pb.SurfaceRef) (Surface, error) {
	base, ok := s.byName[ref.GetName()]
	if !ok {
		return nil, fmt.Errorf("%w: %q (this plugin serves %s)", errUnknownSurface, ref.GetName(), strings.Join(s.names, ", "))
	}
	key := cacheKey(ref)
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
	if ref.GetTest() {
		if c = testSet(c); c == nil {
			return nil, fmt.Errorf("%w: surface %s has no test set", ErrBadParams, ref.GetName())
		}
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

// testSet is c on its test samples, or nil when it has none.
func testSet(c Surface) Surface {
	if t, ok := c.(SurfaceWithTestSet); ok {
		return t.TestSet()
	}
	return nil
}

func cacheKey(ref *pb.SurfaceRef) string {
	var b strings.Builder
	b.WriteString(ref.GetName())
	if ref.GetTest() {
		b.WriteString("\x00test")
	}
	p, t := ref.GetParams(), ref.GetTexts()
	for _, k := range sortedKeys(p) {
		b.WriteString("\x00" + k + "=" + strconv.FormatFloat(p[k], 'g', -1, 64))
	}
	for _, k := range sortedKeys(t) {
		b.WriteString("\x00" + k + "=\x01" + strconv.Quote(t[k]))
	}
	return b.String()
}

// describe is what the host learns of a configured surface: its Info and
// which capabilities it has.
func describe(s Surface) *pb.SurfaceInfo {
	out := infoToProto(s.Info())
	_, out.HasGradient = s.(SurfaceWithGradient)
	if g, ok := s.(SurfaceWithGLSL); ok {
		out.Glsl = g.GLSL()
	}
	if b, ok := s.(SurfaceWithBatches); ok {
		out.Samples = int64(b.Samples())
	}
	if d, ok := s.(SurfaceWithData); ok {
		out.DataLen = int64(len(d.Data()))
	}
	out.HasTest = testSet(s) != nil
	_, out.HasHessian = s.(SurfaceWithHessian)
	_, out.HasHvp = s.(SurfaceWithHVP)
	_, out.HasBatchHvp = s.(SurfaceWithBatchHVP)
	_, out.HasDataset = s.(SurfaceWithDataset)
	_, out.HasPredict = s.(SurfaceWithPredict)
	return out
}

func (s *server) ListSurfaces(context.Context, *pb.ListSurfacesRequest) (*pb.ListSurfacesResponse, error) {
	out := &pb.ListSurfacesResponse{}
	for _, n := range s.names {
		c, err := s.configured(&pb.SurfaceRef{Name: n})
		if err != nil {
			return nil, toStatus(err)
		}
		out.Surfaces = append(out.Surfaces, describe(c))
	}
	return out, nil
}

func (s *server) DescribeSurface(_ context.Context, ref *pb.SurfaceRef) (*pb.SurfaceInfo, error) {
	c, err := s.configured(ref)
	if err != nil {
		return nil, toStatus(err)
	}
	return describe(c), nil
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

// grad is the loss and gradient at point i; the evaluations of a
// difference gradient count into t one by one.
func (p pointSurface) grad(i int, dst, theta, scratch []float64, buf *[]int, t *tally) float64 {
	if p.bs == nil {
		gradient(p.c, dst, theta, scratch, t)
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
		if ps, err = miniBatches(c, size, n, req.GetBatch()); err != nil {
			return pointSurface{}, 0, 0, err
		}
	}
	return ps, dim, n, nil
}

// miniBatches is c over n mini-batches of size samples each, listed one
// after another in batch.
func miniBatches(c Surface, size, n int, batch []int32) (pointSurface, error) {
	bs, ok := c.(SurfaceWithBatches)
	if !ok {
		return pointSurface{}, fmt.Errorf("%w: surface %s has no mini-batches", ErrBadRequest, c.Info().Name)
	}
	if size < 1 || len(batch) != n*size {
		return pointSurface{}, fmt.Errorf("%w: %d sample indices for %d points in batches of %d", ErrBadRequest, len(batch), n, size)
	}
	for _, k := range batch {
		if k < 0 || int(k) >= bs.Samples() {
			return pointSurface{}, fmt.Errorf("%w: sample %d outside 0..%d", ErrBadRequest, k, bs.Samples()-1)
		}
	}
	return pointSurface{c: c, bs: bs, size: size, batch: batch}, nil
}

// parallel runs f over [0, n) cut into up to GOMAXPROCS ranges, each on
// its own goroutine, when n is at least minPar.
func parallel(n, minPar int, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < minPar || w == 1 {
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
	parallel(n, 1024, func(lo, hi int) {
		var buf []int
		t := tally{a: s.act}
		defer t.flush()
		for i := lo; i < hi; i++ {
			vals[i] = c.loss(i, pts[i*dim:(i+1)*dim], &buf)
			t.one()
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
	parallel(n, 1024, func(lo, hi int) {
		scratch := make([]float64, dim)
		var buf []int
		t := tally{a: s.act}
		defer t.flush()
		for i := lo; i < hi; i++ {
			vals[i] = c.grad(i, grads[i*dim:(i+1)*dim], pts[i*dim:(i+1)*dim], scratch, &buf, &t)
			t.one()
		}
	})
	return &pb.GradientResponse{Values: vals, Grads: grads}, nil
}

// gradient writes s's gradient at theta into dst: the analytic one when s
// has it, else central differences, each evaluation counted into t (which
// may be nil). scratch (len(theta)) may be nil.
func gradient(s Surface, dst, theta, scratch []float64, t *tally) {
	if g, ok := s.(SurfaceWithGradient); ok {
		g.Grad(dst, theta)
		return
	}
	if len(scratch) != len(theta) {
		scratch = make([]float64, len(theta))
	}
	copy(scratch, theta)
	for k := range theta {
		h := 1e-6 * max(1, math.Abs(theta[k]))
		scratch[k] = theta[k] + h
		fp := s.Loss(scratch)
		scratch[k] = theta[k] - h
		fm := s.Loss(scratch)
		scratch[k] = theta[k]
		dst[k] = (fp - fm) / (2 * h)
		if t != nil {
			t.one()
		}
	}
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
		s.act.done.Add(1)
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
		return toStatus(fmt.Errorf("%w: %w", ErrBadRequest, err))
	}
	if p.Dim() != c.Info().Dim {
		return toStatus(fmt.Errorf("%w: plane has dimension %d, surface %s has %d", ErrBadRequest, p.Dim(), c.Info().Name, c.Info().Dim))
	}
	row0, row1 := int(req.GetRow0()), int(req.GetRow1())
	if row0 < 0 || row1 > p.Ny || row0 >= row1 {
		return toStatus(fmt.Errorf("%w: rows [%d, %d) outside 0..%d", ErrBadRequest, row0, row1, p.Ny))
	}
	workers := int(req.GetWorkers())
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunk := int(req.GetChunkRows())
	if chunk <= 0 {
		// 1 MiB, and at least four chunks a worker when the rows allow: a
		// small grid of a costly loss (a model's, over thousands of
		// samples) in one chunk would run on one core.
		chunk = max(1, min(defaultChunkBytes/(4*p.Nx), (row1-row0)/(4*workers)))
	}
	// Rows go into the host's shared file when it can be opened; otherwise
	// (or if a write fails) they travel in the stream. A path outside the
	// host's folder is refused outright.
	var shared *os.File
	if path := req.GetSharedPath(); path != "" {
		f, err := s.shared.open(path, req.GetSharedInode())
		if errors.Is(err, errNotShared) {
			return status.Error(codes.PermissionDenied, err.Error())
		}
		if err == nil {
			if err := stream.Send(&pb.GridChunk{SharedOpen: true}); err != nil {
				return err
			}
			shared = f
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
				// Progress is counted by rows: a point's worth of counting
				// costs a fast surface more than its evaluation.
				if err := grid.FillCounting(ctx, c.Loss, p, r, r+n, buf, 1, &s.act.done); err != nil {
					fail(err)
					return
				}
				msg := &pb.GridChunk{Row0: int32(r), Rows: int32(n)}
				if shared != nil {
					b := f32Bytes(buf)
					_, err := shared.WriteAt(b, int64(r-row0)*int64(p.Nx)*4)
					if msg.Shared = err == nil; msg.Shared {
						sum := crc32.Checksum(b, castagnoli)
						msg.Crc32C = &sum
					}
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

// SurfaceDataset streams the configured surface's samples (see
// SurfaceWithDataset): the columns first, then rows in chunks.
func (s *server) SurfaceDataset(ref *pb.SurfaceRef, stream grpc.ServerStreamingServer[pb.DatasetChunk]) error {
	c, err := s.configured(ref)
	if err != nil {
		return toStatus(err)
	}
	d, ok := c.(SurfaceWithDataset)
	if !ok {
		return toStatus(fmt.Errorf("%w: surface %s hands over no samples", ErrBadRequest, ref.GetName()))
	}
	var ds Dataset
	if err := safeParallel(stream.Context(), s.act, 1, 2, func(int, int) { ds = d.Dataset() }); err != nil {
		return toStatus(err)
	}
	if err := ds.Validate(); err != nil {
		return toStatus(fmt.Errorf("surface %s: %w", ref.GetName(), err))
	}
	// Whole rows of about defaultChunkBytes per chunk.
	rows := max(1, defaultChunkBytes/(8*len(ds.Columns)))
	step := rows * len(ds.Columns)
	first := &pb.DatasetChunk{Columns: ds.Columns, Classes: int32(ds.Classes)}
	for lo := 0; lo == 0 || lo < len(ds.Values); lo += step {
		msg := &pb.DatasetChunk{Values: ds.Values[lo:min(lo+step, len(ds.Values))]}
		if lo == 0 {
			first.Values, msg = msg.Values, first
		}
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
	return nil
}

// maxPredict bounds the inputs of one Predict request.
const maxPredict = 1 << 20

// Predict evaluates the configured surface's model at the request's inputs
// (see SurfaceWithPredict).
func (s *server) Predict(ctx context.Context, req *pb.PredictRequest) (*pb.PredictResponse, error) {
	c, err := s.configured(req.GetSurface())
	if err != nil {
		return nil, toStatus(err)
	}
	p, ok := c.(SurfaceWithPredict)
	if !ok {
		return nil, toStatus(fmt.Errorf("%w: surface %s makes no predictions", ErrBadRequest, req.GetSurface().GetName()))
	}
	dim, f, in := c.Info().Dim, int(req.GetFeatures()), req.GetInputs()
	switch {
	case len(req.GetTheta()) != dim:
		return nil, toStatus(fmt.Errorf("%w: %d parameters for surface %s of %d", ErrBadRequest, len(req.GetTheta()), c.Info().Name, dim))
	case f < 1 || len(in)%f != 0 || len(in)/f > maxPredict:
		return nil, toStatus(fmt.Errorf("%w: %d input values in inputs of %d features (at most %d inputs)", ErrBadRequest, len(in), f, maxPredict))
	}
	out := make([]float64, len(in)/f)
	if err := safeParallel(ctx, s.act, 1, 2, func(int, int) { p.Predict(out, req.GetTheta(), in) }); err != nil {
		return nil, toStatus(err)
	}
	return &pb.PredictResponse{Values: out}, nil
}
