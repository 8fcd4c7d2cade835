package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
)

// Descriptor is what the host learns of a surface: its Info and which
// optional capabilities the plugin implements for it. It never holds the
// surface's data buffer (see SurfaceClient.Data).
type Descriptor struct {
	sdk.Info
	HasGradient bool
	// GLSL is the surface's snippet for GPU evaluation; "" when none.
	GLSL string
	// Samples is the number of training samples of a surface that
	// evaluates mini-batches (SurfaceWithBatches); 0 when it does not.
	Samples int
	// DataLen is the length in floats of the surface's GLSL data buffer
	// (SurfaceWithData); 0 when it has none.
	DataLen int
	// HasTest is true when the surface has a non-empty test set
	// (sdk.SurfaceWithTestSet): a Ref with Test set reaches it.
	HasTest bool
	// HasHessian, HasHVP and HasBatchHVP say which exact second
	// derivatives the surface has: a dense Hessian
	// (sdk.SurfaceWithHessian), Hessian-vector products
	// (sdk.SurfaceWithHVP), mini-batch ones (sdk.SurfaceWithBatchHVP).
	// Curvature says what SurfaceClient.Hessian and HVP will use.
	HasHessian, HasHVP, HasBatchHVP bool
	// HasDataset: the surface hands over its samples (Dataset);
	// HasPredict: it predicts targets from inputs (Predict).
	HasDataset, HasPredict bool
}

// Period is the period of parameter k (0 when it is not periodic).
func (d Descriptor) Period(k int) float64 {
	if k < len(d.Periods) {
		return d.Periods[k]
	}
	return 0
}

// Wrap writes x into dst with every periodic parameter wrapped into
// [Domain[k].Lo, Domain[k].Lo + Period(k)) (see sdk.Info.Periods); dst
// may be x.
func (d Descriptor) Wrap(dst, x []float64) []float64 {
	dst = append(dst[:0], x...)
	for k := range dst {
		dst[k] = d.WrapParam(k, dst[k])
	}
	return dst
}

// WrapParam is the value v of parameter k wrapped as Wrap wraps it.
func (d Descriptor) WrapParam(k int, v float64) float64 {
	if p := d.Period(k); p > 0 && k < len(d.Domain) && !math.IsNaN(v) && !math.IsInf(v, 0) {
		lo := d.Domain[k].Lo
		return lo + mod(v-lo, p)
	}
	return v
}

// Difference is a − b with periodic parameters' differences wrapped into
// [−Period/2, Period/2): the shortest way from b to a.
func (d Descriptor) Difference(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for k := range a {
		out[k] = a[k] - b[k]
		if p := d.Period(k); p > 0 {
			out[k] = mod(out[k]+p/2, p) - p/2
		}
	}
	return out
}

// mod is x mod p in [0, p) for p > 0 (NaN stays NaN).
func mod(x, p float64) float64 {
	m := math.Mod(x, p)
	if m < 0 {
		m += p
	}
	if m >= p { // −tiny + p rounds to p
		m = 0
	}
	return m
}

// Settings are the hyperparameter values a surface is configured with:
// numbers (and choices by index) in Params, texts (and choices by name) in
// Texts. The zero value means the surface's defaults.
type Settings struct {
	Params sdk.Params
	Texts  sdk.Texts
}

// Ref names a configured surface of a plugin: its name, its settings, and
// whether the surface on its test samples is meant (Descriptor.HasTest).
type Ref struct {
	Name     string
	Settings Settings
	Test     bool
}

// SurfaceClient is the host's handle on one plugin process's surfaces. It is
// what go-plugin's Dispense(PluginKey) returns. Its methods are safe for
// concurrent use. Every call runs under a watchdog (see Limits); what the
// plugin answers is checked before it is trusted.
type SurfaceClient struct {
	*conn
	rpc pb.SurfaceServiceClient

	mu   sync.Mutex
	free []*os.File // shared files not in use, kept so their pages stay mapped
}

// sharedFile takes a free shared file in dir, or creates one; fresh says
// which.
func (c *SurfaceClient) sharedFile(dir string) (f *os.File, fresh bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.free {
		if filepath.Dir(f.Name()) == dir {
			c.free = append(c.free[:i], c.free[i+1:]...)
			return f, false, nil
		}
	}
	f, err = os.CreateTemp(dir, "grid-*")
	return f, true, err
}

// keepShared returns f, whose name is gone and which the plugin keeps
// open, to the free list (at most a few are kept).
func (c *SurfaceClient) keepShared(f *os.File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.free) < 4 {
		c.free = append(c.free, f)
		return
	}
	f.Close()
}

// dropShared closes f and removes its name (when it still has one).
func dropShared(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// Close closes the shared files the client keeps. The plugin process is the
// host's to end.
func (c *SurfaceClient) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.free {
		f.Close()
	}
	c.free = nil
}

// List describes every surface the plugin serves, with default hyperparameters.
func (c *SurfaceClient) List(ctx context.Context) ([]Descriptor, error) {
	r, err := c.list(ctx)
	if err != nil {
		return nil, err
	}
	return descriptors(c.name(), r)
}

func (c *SurfaceClient) list(ctx context.Context) (r *pb.ListSurfacesResponse, err error) {
	err = c.watched(ctx, func() string { return "listing its surfaces" }, func(ctx context.Context, _ func()) error {
		r, err = c.rpc.ListSurfaces(ctx, &pb.ListSurfacesRequest{})
		return err
	})
	if err != nil {
		return nil, c.status(err)
	}
	return r, nil
}

// descriptors checks and converts a listing of surfaces (plugin names the
// plugin in errors).
func descriptors(plugin string, r *pb.ListSurfacesResponse) ([]Descriptor, error) {
	if n := len(r.GetSurfaces()); n > maxListed {
		return nil, fmt.Errorf("%w: %s lists %d surfaces, more than %d", ErrPluginFailed, plugin, n, maxListed)
	}
	out := make([]Descriptor, 0, len(r.GetSurfaces()))
	for _, s := range r.GetSurfaces() {
		d := descFromProto(s)
		if err := d.check(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrPluginFailed, plugin, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Bounds on what a plugin may describe: surfaces and optimizers it lists,
// the length of a GLSL snippet, the parameters of a surface, the minima,
// groups and hyperparameters it declares.
const (
	maxListed   = 4096
	maxGLSL     = 1 << 20
	maxDim      = 1 << 24
	maxDeclared = 1 << 16
)

// check is Info.Validate and the host's own bounds on a description.
func (d Descriptor) check() error {
	if err := d.Info.Validate(); err != nil {
		return err
	}
	switch {
	case len(d.GLSL) > maxGLSL:
		return fmt.Errorf("surface %s: GLSL of %d bytes, more than %d", d.Name, len(d.GLSL), maxGLSL)
	case d.Dim > maxDim:
		return fmt.Errorf("surface %s: %d parameters, more than %d", d.Name, d.Dim, maxDim)
	case len(d.Minima) > maxDeclared || len(d.Groups) > maxDeclared || len(d.Hyperparameters) > maxDeclared:
		return fmt.Errorf("surface %s: %d minima, %d groups and %d hyperparameters, more than %d", d.Name, len(d.Minima), len(d.Groups), len(d.Hyperparameters), maxDeclared)
	case d.Samples < 0 || d.DataLen < 0 || d.DataLen > maxData:
		return fmt.Errorf("surface %s: %d samples, a data buffer of %d floats", d.Name, d.Samples, d.DataLen)
	}
	return nil
}

// Describe describes the surface ref names, configured with its settings,
// which the plugin validates (sdk.ErrBadParams).
func (c *SurfaceClient) Describe(ctx context.Context, ref Ref) (Descriptor, error) {
	var r *pb.SurfaceInfo
	err := c.watched(ctx, func() string { return "describing surface " + ref.Name }, func(ctx context.Context, _ func()) (err error) {
		r, err = c.rpc.DescribeSurface(ctx, ref.proto())
		return err
	})
	if err != nil {
		return Descriptor{}, c.status(err)
	}
	d := descFromProto(r)
	if err := d.check(); err != nil {
		return Descriptor{}, fmt.Errorf("%w: %s: %v", ErrPluginFailed, c.name(), err)
	}
	if d.Name != ref.Name {
		return Descriptor{}, fmt.Errorf("%w: %s described %q when asked for %q", ErrPluginFailed, c.name(), d.Name, ref.Name)
	}
	return d, nil
}

// status maps a surface call's gRPC error onto the sentinels.
func (c *SurfaceClient) status(err error) error { return fromStatus(c.name(), err, ErrUnknownSurface) }

// MiniBatch names the samples of one mini-batch per point: Size indices
// each, one after another in Index (len(points)/dim · Size in all).
type MiniBatch struct {
	Size  int
	Index []int32
}

func (b *MiniBatch) check(n int) error {
	if b != nil && (b.Size < 1 || len(b.Index) != n*b.Size) {
		return fmt.Errorf("%w: %d sample indices for %d points in batches of %d", sdk.ErrBadRequest, len(b.Index), n, b.Size)
	}
	return nil
}

// Points asks for the surface's values at points.
type Points struct {
	Ref
	// Dim is the dimension of each point; Points holds len(Points)/Dim
	// points one after another.
	Dim    int
	Points []float64
	// Batch, when not nil, takes each point's loss (and gradient) over a
	// mini-batch of samples; nil means the full loss. Surfaces without
	// mini-batches refuse it (sdk.ErrBadRequest).
	Batch *MiniBatch
}

// doing says what a request of p is, for errors.
func (p Points) doing(verb string) string {
	n := 0
	if p.Dim > 0 {
		n = len(p.Points) / p.Dim
	}
	return fmt.Sprintf("%s %d points of surface %s", verb, n, p.Name)
}

func (p Points) proto() (*pb.PointsRequest, error) {
	if p.Dim < 1 || len(p.Points)%p.Dim != 0 {
		return nil, fmt.Errorf("%w: %d values do not make points of dimension %d", sdk.ErrBadRequest, len(p.Points), p.Dim)
	}
	if err := p.Batch.check(len(p.Points) / p.Dim); err != nil {
		return nil, err
	}
	req := &pb.PointsRequest{Surface: p.Ref.proto(), Dim: int32(p.Dim), Points: p.Points}
	if p.Batch != nil {
		req.BatchSize, req.Batch = int32(p.Batch.Size), p.Batch.Index
	}
	return req, nil
}

// Loss evaluates the surface at the points: one value per point.
func (c *SurfaceClient) Loss(ctx context.Context, p Points) ([]float64, error) {
	req, err := p.proto()
	if err != nil {
		return nil, err
	}
	var r *pb.LossResponse
	err = c.watched(ctx, func() string { return p.doing("evaluating") }, func(ctx context.Context, _ func()) (err error) {
		r, err = c.rpc.Loss(ctx, req)
		return err
	})
	if err != nil {
		return nil, c.status(err)
	}
	if n := len(p.Points) / p.Dim; len(r.GetValues()) != n {
		return nil, fmt.Errorf("%w: %s returned %d values for %d points", ErrPluginFailed, c.name(), len(r.GetValues()), n)
	}
	return r.GetValues(), nil
}

// Gradient evaluates loss and gradient at the points (grads: Dim values
// per point). Surfaces without an analytic gradient answer with central
// differences.
func (c *SurfaceClient) Gradient(ctx context.Context, p Points) (values, grads []float64, err error) {
	req, err := p.proto()
	if err != nil {
		return nil, nil, err
	}
	var r *pb.GradientResponse
	err = c.watched(ctx, func() string { return p.doing("computing gradients at") }, func(ctx context.Context, _ func()) (err error) {
		r, err = c.rpc.Gradient(ctx, req)
		return err
	})
	if err != nil {
		return nil, nil, c.status(err)
	}
	dim := p.Dim
	n := len(p.Points) / dim
	if len(r.GetValues()) != n || len(r.GetGrads()) != n*dim {
		return nil, nil, fmt.Errorf("%w: %s returned %d values and %d gradient entries for %d points", ErrPluginFailed, c.name(), len(r.GetValues()), len(r.GetGrads()), n)
	}
	return r.GetValues(), r.GetGrads(), nil
}

// Rows asks for rows [Row0, Row1) of a plane, into Dst (row-major, len
// (Row1−Row0)·Nx). The zero values of the tuning fields let the plugin
// choose.
type Rows struct {
	Ref
	Plane      grid.Plane
	Row0, Row1 int
	Dst        []float32
	// ChunkRows bounds the rows per streamed chunk.
	ChunkRows int
	// Workers bounds the plugin's goroutines.
	Workers int
	// Progress, when set, is called with the number of rows received so far.
	Progress func(rows int)
	// SharedDir, when set, is a private folder (ideally on tmpfs) where a
	// file carries the rows from the plugin instead of the stream: two
	// copies instead of six, which matters when the host and the plugin
	// share few cores. Empty means stream everything.
	SharedDir string
}

// EvalGrid evaluates the rows asked for. The plugin streams chunks; a
// chunk outside the request, of the wrong size or repeated, rows left
// missing, or shared rows whose bytes do not match their checksum, are
// ErrPluginFailed.
func (c *SurfaceClient) EvalGrid(ctx context.Context, o Rows) error {
	p, row0, row1, dst := o.Plane, o.Row0, o.Row1, o.Dst
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: %w", sdk.ErrBadRequest, err)
	}
	if row0 < 0 || row1 > p.Ny || row0 >= row1 || len(dst) != (row1-row0)*p.Nx {
		return fmt.Errorf("%w: rows [%d, %d) of %d into %d values", sdk.ErrBadRequest, row0, row1, p.Ny, len(dst))
	}
	req := &pb.EvalGridRequest{
		Surface: o.Ref.proto(), Plane: planeToProto(p),
		Row0: int32(row0), Row1: int32(row1), ChunkRows: int32(o.ChunkRows), Workers: int32(o.Workers)}
	var sh *sharedRows
	if o.SharedDir != "" {
		// The host only reads the file (never maps it), so a plugin that
		// truncates or never writes it yields a short read, not a crash.
		if f, fresh, err := c.sharedFile(o.SharedDir); err == nil {
			if sh, err = newSharedRows(f, fresh); err != nil {
				dropShared(f)
				sh = nil
			} else {
				req.SharedPath, req.SharedInode = f.Name(), sh.ino
			}
		}
	}
	err := c.watched(ctx, func() string { return fmt.Sprintf("evaluating rows [%d, %d) of surface %s", row0, row1, o.Name) },
		func(ctx context.Context, beat func()) error {
			return c.evalGrid(ctx, o, req, sh, beat)
		})
	if sh != nil {
		if sh.opened && err == nil {
			c.keepShared(sh.f)
		} else {
			dropShared(sh.f)
		}
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// sharedRows is a request's shared file.
type sharedRows struct {
	f      *os.File
	ino    uint64
	opened bool // the plugin said it opened the file; its name is gone
	named  bool // the file still has its name
}

func (c *SurfaceClient) evalGrid(ctx context.Context, o Rows, req *pb.EvalGridRequest, sh *sharedRows, beat func()) error {
	stream, err := c.rpc.EvalGrid(ctx, req)
	if err != nil {
		return c.status(err)
	}
	in := &rowsIn{plugin: c.name(), row0: o.Row0, row1: o.Row1, nx: o.Plane.Nx, dst: o.Dst, sh: sh, got: make([]bool, o.Row1-o.Row0)}
	for {
		ch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return in.end()
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.status(err)
		}
		beat()
		n, err := in.take(ch)
		if err != nil {
			return err
		}
		if n > 0 && o.Progress != nil {
			o.Progress(in.done)
		}
	}
}

// rowsIn checks and takes the chunks of one EvalGrid request: rows
// [row0, row1) of nx values into dst, streamed or in the shared file sh.
type rowsIn struct {
	plugin         string
	row0, row1, nx int
	dst            []float32
	sh             *sharedRows
	got            []bool
	done           int
}

// take checks a chunk and copies its rows; n is how many it brought. A
// chunk outside the request, of the wrong size, repeating a row, claiming
// shared rows before the file was opened or without their checksum, or
// whose shared bytes do not match it, is refused.
func (in *rowsIn) take(ch *pb.GridChunk) (n int, err error) {
	if ch.GetSharedOpen() {
		sh := in.sh
		if sh == nil || sh.opened || ch.GetRows() != 0 || ch.GetShared() || len(ch.GetValues()) != 0 {
			return 0, fmt.Errorf("%w: %s said it opened a shared file out of turn", ErrPluginFailed, in.plugin)
		}
		// The plugin keeps the file open: its name can go, so that
		// nothing is left behind whatever becomes of the host.
		sh.opened = true
		if sh.named {
			os.Remove(sh.f.Name())
			sh.named = false
		}
		return 0, nil
	}
	r0, n := int(ch.GetRow0()), int(ch.GetRows())
	want := n * in.nx * 4
	if ch.GetShared() {
		want = 0
	}
	if r0 < in.row0 || n < 1 || r0 > in.row1-n || len(ch.GetValues()) != want || ch.GetShared() && (in.sh == nil || !in.sh.opened) {
		return 0, fmt.Errorf("%w: %s sent rows [%d, +%d) with %d bytes for a request of rows [%d, %d) × %d", ErrPluginFailed, in.plugin, r0, n, len(ch.GetValues()), in.row0, in.row1, in.nx)
	}
	for r := r0; r < r0+n; r++ {
		if in.got[r-in.row0] {
			return 0, fmt.Errorf("%w: %s sent row %d twice", ErrPluginFailed, in.plugin, r)
		}
		in.got[r-in.row0] = true
	}
	rows := in.dst[(r0-in.row0)*in.nx : (r0-in.row0+n)*in.nx]
	if ch.GetShared() {
		if ch.Crc32C == nil {
			return 0, fmt.Errorf("%w: %s claimed rows [%d, +%d) in the shared file without their checksum", ErrPluginFailed, in.plugin, r0, n)
		}
		sum, err := readF32(in.sh.f, rows, int64(r0-in.row0)*int64(in.nx)*4)
		if err != nil || sum != ch.GetCrc32C() {
			return 0, fmt.Errorf("%w: %s claimed rows [%d, +%d) it did not write", ErrPluginFailed, in.plugin, r0, n)
		}
	} else {
		putF32(rows, ch.GetValues())
	}
	in.done += n
	return n, nil
}

// end checks that every row came.
func (in *rowsIn) end() error {
	if in.done != in.row1-in.row0 {
		return fmt.Errorf("%w: %s sent %d of %d rows", ErrPluginFailed, in.plugin, in.done, in.row1-in.row0)
	}
	return nil
}

// maxData bounds a data buffer the host accepts (1 GiB of floats).
const maxData = 1 << 28

// Data fetches the configured surface's GLSL data buffer (want floats, as
// its Descriptor's DataLen says).
func (c *SurfaceClient) Data(ctx context.Context, ref Ref, want int) ([]float32, error) {
	if want < 0 || want > maxData {
		return nil, fmt.Errorf("%w: %s: data buffer of %d floats", ErrPluginFailed, c.name(), want)
	}
	out := make([]float32, 0, want)
	err := c.watched(ctx, func() string { return "sending the data of surface " + ref.Name }, func(ctx context.Context, beat func()) error {
		stream, err := c.rpc.SurfaceData(ctx, ref.proto())
		if err != nil {
			return c.status(err)
		}
		for {
			ch, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return c.status(err)
			}
			beat()
			b := ch.GetValues()
			if len(b)%4 != 0 || len(out)+len(b)/4 > want {
				return fmt.Errorf("%w: %s sent more data than the %d floats it declared", ErrPluginFailed, c.name(), want)
			}
			n := len(out)
			out = out[:n+len(b)/4]
			putF32(out[n:], b)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(out) != want {
		return nil, fmt.Errorf("%w: %s sent %d of the %d data floats it declared", ErrPluginFailed, c.name(), len(out), want)
	}
	return out, nil
}

// maxDatasetValues bounds a dataset the host accepts (2 GiB of float64).
const maxDatasetValues = 1 << 28

// Dataset fetches the samples of the configured surface ref (of its test
// set when ref.Test is set): see sdk.SurfaceWithDataset. The answer is
// checked (columns named, whole rows). Descriptor.HasDataset says whether
// the surface has any.
func (c *SurfaceClient) Dataset(ctx context.Context, ref Ref) (sdk.Dataset, error) {
	var ds sdk.Dataset
	err := c.watched(ctx, func() string { return "sending the samples of surface " + ref.Name }, func(ctx context.Context, beat func()) error {
		stream, err := c.rpc.SurfaceDataset(ctx, ref.proto())
		if err != nil {
			return c.status(err)
		}
		first := true
		for {
			ch, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return c.status(err)
			}
			beat()
			if first {
				ds.Columns, ds.Classes = ch.GetColumns(), int(ch.GetClasses())
				first = false
			} else if len(ch.GetColumns()) > 0 {
				return fmt.Errorf("%w: %s named the columns of its samples twice", ErrPluginFailed, c.name())
			}
			if len(ds.Values)+len(ch.GetValues()) > maxDatasetValues {
				return fmt.Errorf("%w: %s sent more than %d sample values", ErrPluginFailed, c.name(), maxDatasetValues)
			}
			ds.Values = append(ds.Values, ch.GetValues()...)
		}
	})
	if err != nil {
		return sdk.Dataset{}, err
	}
	if err := ds.Validate(); err != nil {
		return sdk.Dataset{}, fmt.Errorf("%w: %s: %v", ErrPluginFailed, c.name(), err)
	}
	return ds, nil
}

// Predict asks the configured surface ref's model for its predictions at
// theta of the targets of inputs, features values each (see
// sdk.SurfaceWithPredict): one per input.
func (c *SurfaceClient) Predict(ctx context.Context, ref Ref, theta, inputs []float64, features int) ([]float64, error) {
	if features < 1 || len(inputs)%features != 0 {
		return nil, fmt.Errorf("%w: %d input values in inputs of %d features", sdk.ErrBadRequest, len(inputs), features)
	}
	var r *pb.PredictResponse
	err := c.watched(ctx, func() string {
		return fmt.Sprintf("predicting %d targets of surface %s", len(inputs)/features, ref.Name)
	},
		func(ctx context.Context, _ func()) (err error) {
			r, err = c.rpc.Predict(ctx, &pb.PredictRequest{Surface: ref.proto(), Theta: theta, Features: int32(features), Inputs: inputs})
			return err
		})
	if err != nil {
		return nil, c.status(err)
	}
	if n := len(inputs) / features; len(r.GetValues()) != n {
		return nil, fmt.Errorf("%w: %s sent %d predictions for %d inputs", ErrPluginFailed, c.name(), len(r.GetValues()), n)
	}
	return r.GetValues(), nil
}
