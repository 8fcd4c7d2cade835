package gl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/shaders"
)

// ErrNoGLSL: the surface ships no GLSL snippet.
var ErrNoGLSL = errors.New("gl: surface has no GLSL")

// Evaluator evaluates surfaces' GLSL snippets with compute shaders on its
// Context. It implements compute.Evaluator; use it from any goroutine.
type Evaluator struct {
	c *Context
	// TileBytes bounds one output buffer; zero means ReadTileBytes for
	// grids read back into a Field (larger ones are evaluated tile by
	// tile, through one buffer, so that a software renderer's buffer, in
	// host memory, stays small beside the Field), and 256 MiB or the
	// driver's largest storage block, whichever is smaller, for grids
	// left on the GPU (EvalOnGPU), which must fit one buffer.
	TileBytes int64
	// DispatchWork bounds one dispatch, in points × parameters (zero means
	// 2^24), so that no single submission runs long enough to trip a
	// driver's watchdog.
	DispatchWork int64

	// MaxDataBytes bounds a surface's data buffer on the GPU; zero means
	// the driver's largest storage block. A larger one is ErrDataTooLarge.
	MaxDataBytes int64

	// split, when set, replaces chooseSplit's choice for kernels that can
	// split (tests).
	split *shaders.Split
	// cols, when positive, replaces planeCols's choice (tests).
	cols int

	mu    sync.Mutex
	progs map[string]*program
	// data is the buffer last uploaded to binding 2 (GL thread only).
	data []float32

	// Storage buffers kept between calls (GL thread only): allocating
	// fresh ones makes the first kernel that touches them pay for the
	// pages. mm holds the min/max reduction's two keys.
	bufs [3]buffer
	mm   buffer
}

// buffer is a storage buffer that grows as needed.
type buffer struct {
	id  uint32
	cap int
}

// bind makes b hold at least size bytes (contents undefined when it grows),
// fills it from data when not nil, and binds it to binding. GL thread.
func (b *buffer) bind(binding uint32, size int, data unsafe.Pointer) {
	size = max(size, 4)
	if b.id == 0 {
		gl43.GenBuffers(1, &b.id)
	}
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, b.id)
	if size > b.cap {
		gl43.BufferData(gl43.SHADER_STORAGE_BUFFER, size, nil, gl43.DYNAMIC_COPY)
		b.cap = size
	}
	if data != nil {
		gl43.BufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, size, data)
	}
	gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, binding, b.id)
}

func (b *buffer) delete() {
	if b.id != 0 {
		gl43.DeleteBuffers(1, &b.id)
		*b = buffer{}
	}
}

var _ compute.Evaluator = (*Evaluator)(nil)

// Evaluator returns an evaluator on c. Its programs live until c closes.
func (c *Context) Evaluator() *Evaluator {
	return &Evaluator{c: c, progs: map[string]*program{}}
}

// Backend implements compute.Evaluator.
func (*Evaluator) Backend() string { return "gl" }

var planeUniforms = []string{"ls_nx", "ls_ny", "ls_row0", "ls_tile_row0", "ls_tile_rows", "ls_x0", "ls_dx", "ls_x1", "ls_y0", "ls_dy", "ls_y1", "ls_npoints", "ls_o", "ls_u", "ls_v"}

// program builds (or takes from the cache) the kernel for d with the
// sample split sp (the zero value: none). GL thread.
func (e *Evaluator) program(mode shaders.Mode, d compute.Kernel, sp shaders.Split, cols int) (*program, time.Duration, error) {
	if d.GLSL == "" {
		return nil, 0, fmt.Errorf("%w: %s", ErrNoGLSL, d.Name)
	}
	src, err := shaders.Eval(mode, d.GLSL, d.Dim, len(d.Data), surfaceConsts(d), sp, cols)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: surface %s: %v", ErrCompile, d.Name, err)
	}
	return e.cached("surface "+d.Name, src.Source, planeUniforms)
}

// planeCols is how many consecutive columns one invocation of a plane
// kernel without a split evaluates: 4 on a software renderer, where each
// invocation costs about as much as a cheap surface's loss (2048² ripple's
// kernel on llvmpipe went from 27 to 18 ms; 8 was no better, 16 worse,
// with too few work groups for the threads), and 1 on a GPU, whose lanes
// are many and cheap.
func (e *Evaluator) planeCols() int {
	if e.cols > 0 {
		return e.cols
	}
	if e.c.info.Software {
		return 4
	}
	return 1
}

// sampleWork bounds one dispatch of a split kernel, in points × samples
// (the surface's loss terms), as DispatchWork bounds points × parameters.
func (e *Evaluator) sampleWork() int64 {
	w := e.DispatchWork
	if w <= 0 {
		w = 1 << 24
	}
	return 16 * w
}

// splitFor is how a kernel of d shares out each point's samples when a
// dispatch holds points points, nx across (the zero value when d's
// snippet cannot split them; see shaders.Split).
func (e *Evaluator) splitFor(d compute.Kernel, points, nx int) shaders.Split {
	if !shaders.Splits(d.GLSL) {
		return shaders.Split{}
	}
	if e.split != nil {
		return *e.split
	}
	return chooseSplit(e.c.info, points, max(1, d.Samples), nx)
}

// chooseSplit sizes a split for a device: points points in a dispatch, nx
// of them across (a row), samples terms each.
//
// On a software renderer SIMD lanes run over consecutive invocations, made
// consecutive points (PtsFast), so that each sample's
// data is read once for all of them, and work groups are small enough to
// give every thread several: one lane a point, but for the renderer's
// loop limit (65535 iterations an invocation), which a lane's share of at
// most 32768 samples keeps away. On a GPU a warp's lanes share one point
// (its parameters in registers, consecutive samples read together), and
// more lanes join while points × lanes leave the device idle, each lane
// keeping at least 8 samples; a work group holds 256 invocations.
func chooseSplit(info Info, points, samples, nx int) shaders.Split {
	maxInv := max(1, info.MaxWorkGroupInvocations)
	lanes, pts := 1, 1
	if info.Software {
		for samples/lanes > 32768 {
			lanes *= 2
		}
		threads := max(1, info.Parallel/8)
		pts = 64
		for pts > 8 && (points+pts-1)/pts < 4*threads {
			pts /= 2
		}
	} else {
		lanes = 32
		for lanes < 256 && points*lanes < info.Parallel && samples/(2*lanes) >= 8 {
			lanes *= 2
		}
		for lanes > 1 && samples/lanes < 8 {
			lanes /= 2
		}
		pts = max(1, 256/lanes)
	}
	for lanes > maxInv {
		lanes /= 2
	}
	for pts > 1 && (pts > nx || pts*lanes > maxInv) {
		pts /= 2
	}
	return shaders.Split{Lanes: lanes, Pts: pts, PtsFast: info.Software}
}

// surfaceConsts are d's constants as the kernels' (its number, flag and
// choice hyperparameters with their configured values).
func surfaceConsts(d compute.Kernel) []shaders.Const { return constsOf(d.Consts) }

// constsOf is cs as the shader templates take them.
func constsOf(cs []compute.Const) []shaders.Const {
	out := make([]shaders.Const, len(cs))
	for i, c := range cs {
		out[i] = shaders.Const(c)
	}
	return out
}

// ReadTileBytes is the default tile of grids read back into a Field.
const ReadTileBytes = 32 << 20

// ErrDataTooLarge: a surface's data buffer does not fit the GPU's storage
// block (or MaxDataBytes).
var ErrDataTooLarge = errors.New("gl: data buffer too large")

// CheckData says whether d's data buffer fits the GPU: nil, or an error
// wrapping ErrDataTooLarge.
func (e *Evaluator) CheckData(d compute.Kernel) error {
	limit := e.MaxDataBytes
	if m := e.c.info.MaxSSBOSize; m > 0 && (limit <= 0 || m < limit) {
		limit = m
	}
	if need := 4 * int64(len(d.Data)); limit > 0 && need > limit {
		return fmt.Errorf("%w: surface %s has %s of data; the GPU takes at most %s in one buffer", ErrDataTooLarge, d.Name, fmtBytes(need), fmtBytes(limit))
	}
	return nil
}

// bindData binds d's data buffer to binding 2, uploading it unless it is
// the one already there. GL thread.
func (e *Evaluator) bindData(d compute.Kernel) error {
	if err := e.CheckData(d); err != nil {
		return err
	}
	same := len(d.Data) == len(e.data) && (len(d.Data) == 0 || &d.Data[0] == &e.data[0])
	if same && e.bufs[2].id != 0 {
		gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 2, e.bufs[2].id)
		return nil
	}
	e.bufs[2].bind(2, 4*len(d.Data), ptr(d.Data))
	e.data = d.Data
	return e.c.check("data upload")
}

// cached is the program built from src (a compute shader), built on first
// use and kept until Close; the time is the build's (zero when cached).
// GL thread.
func (e *Evaluator) cached(name, src string, uniforms []string) (*program, time.Duration, error) {
	e.mu.Lock()
	p := e.progs[src]
	e.mu.Unlock()
	if p != nil {
		return p, 0, nil
	}
	t0 := time.Now()
	p, err := e.c.buildProgram(name, src, uniforms)
	if err != nil {
		return nil, 0, err
	}
	e.mu.Lock()
	e.progs[src] = p
	e.mu.Unlock()
	return p, time.Since(t0), nil
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func ptr(v []float32) unsafe.Pointer {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Pointer(&v[0])
}

func (e *Evaluator) limits(dim int) (tileBytes, work int64) {
	tileBytes = e.TileBytes
	if tileBytes <= 0 {
		tileBytes = 256 << 20
		if m := e.c.info.MaxSSBOSize; m > 0 && m < tileBytes {
			tileBytes = m
		}
	}
	work = e.DispatchWork
	if work <= 0 {
		work = 1 << 24
	}
	return tileBytes, max(1, work/int64(max(1, dim)))
}

// Evaluate implements compute.Evaluator: it fills a Field with the
// surface's GLSL evaluated on the grid, in tiles of at most TileBytes.
func (e *Evaluator) Evaluate(ctx context.Context, s compute.Source, g compute.Grid, o compute.Options) (*compute.Field, error) {
	f := compute.NewField(g)
	if err := e.EvaluateRows(ctx, s, g, 0, g.Ny, f.Values, o); err != nil {
		return nil, err
	}
	return f, nil
}

// EvaluateRows implements compute.RowsEvaluator: it fills dst with rows
// [row0, row1) of the grid, in tiles of at most TileBytes. A row's values
// do not depend on the rows evaluated with it (the kernel is chosen for
// the whole grid): any cut of a grid into row ranges gives the same
// values, bit for bit.
func (e *Evaluator) EvaluateRows(ctx context.Context, s compute.Source, g compute.Grid, row0, row1 int, dst []float32, o compute.Options) error {
	d := s.Kernel()
	if err := g.Validate(); err != nil {
		return fmt.Errorf("gl: %w", err)
	}
	if d.Dim != g.Dim() {
		return fmt.Errorf("gl: grid has dimension %d, surface %s has %d", g.Dim(), d.Name, d.Dim)
	}
	if err := g.CheckRows(row0, row1, len(dst)); err != nil {
		return fmt.Errorf("gl: %w", err)
	}
	var timing compute.Timing
	err := e.c.Do(func() error { _, err := e.evalPlane(ctx, d, g, row0, row1, dst, o, &timing); return err })
	if o.Timing != nil {
		o.Timing.Kernel += timing.Kernel
		o.Timing.Readback += timing.Readback
		o.Timing.Compile += timing.Compile
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", compute.ErrCanceled, ctx.Err())
		}
		return err
	}
	return nil
}

// evalPlane evaluates rows [row0, row1) of the plane tile by tile into
// dst; with dst nil it leaves the whole grid in the output buffer (which
// must hold it) and returns it.
func (e *Evaluator) evalPlane(ctx context.Context, d compute.Kernel, g compute.Grid, row0, row1 int, dst []float32, o compute.Options, t *compute.Timing) (uint32, error) {
	tileBytes, work := e.limits(d.Dim)
	if dst != nil && e.TileBytes <= 0 {
		tileBytes = min(tileBytes, ReadTileBytes)
	}
	nx, ny := g.Nx, g.Ny
	tileRows := int(max(1, min(int64(row1-row0), tileBytes/int64(4*nx))))
	if dst == nil && tileRows < ny {
		return 0, fmt.Errorf("gl: a %dx%d grid does not fit one GPU buffer of %s", nx, ny, fmtBytes(tileBytes))
	}
	// A split kernel: a work group holds sp.Pts points of one row; else
	// PlaneLocalX × PlaneLocalY points.
	sp := e.splitFor(d, min(g.Len(), int(e.sampleWork()/int64(max(1, d.Samples)))), nx)
	localX, localY := shaders.PlaneLocalX, shaders.PlaneLocalY
	if sp.Lanes > 0 {
		work = max(1, e.sampleWork()/int64(max(1, d.Samples)))
		localX, localY = sp.Pts, 1
	}
	cols := 1
	if sp.Lanes == 0 {
		cols = e.planeCols()
	}
	p, compile, err := e.program(shaders.Plane, d, sp, cols)
	t.Compile = compile
	if err != nil {
		return 0, err
	}
	if err := e.bindData(d); err != nil {
		return 0, err
	}
	dispRows := int(max(1, min(int64(tileRows), work/int64(nx), int64(e.c.info.MaxWorkGroupCount[1])*int64(localY))))
	across := localX * cols // columns a work group evaluates
	if gx := (nx + across - 1) / across; gx > e.c.info.MaxWorkGroupCount[0] {
		return 0, fmt.Errorf("gl: %d columns need %d work groups across; this GPU allows %d", nx, gx, e.c.info.MaxWorkGroupCount[0])
	}

	in := f32(append(append(append([]float64{}, g.Origin...), g.U...), g.V...))
	e.bufs[1].bind(1, 4*len(in), ptr(in))
	e.bufs[0].bind(0, tileRows*nx*4, nil)
	bOut := e.bufs[0].id

	gl43.UseProgram(p.id)
	u := p.uniforms
	gl43.Uniform1ui(u["ls_nx"], uint32(nx))
	gl43.Uniform1ui(u["ls_ny"], uint32(ny))
	dx := (g.X.Hi - g.X.Lo) / float64(nx-1)
	dy := (g.Y.Hi - g.Y.Lo) / float64(ny-1)
	gl43.Uniform1f(u["ls_x0"], float32(g.X.Lo))
	gl43.Uniform1f(u["ls_dx"], float32(dx))
	gl43.Uniform1f(u["ls_x1"], float32(g.X.Hi))
	gl43.Uniform1f(u["ls_y0"], float32(g.Y.Lo))
	gl43.Uniform1f(u["ls_dy"], float32(dy))
	gl43.Uniform1f(u["ls_y1"], float32(g.Y.Hi))
	if d.Dim <= shaders.SmallDim {
		dim := int32(d.Dim)
		gl43.Uniform1fv(u["ls_o"], dim, &in[0])
		gl43.Uniform1fv(u["ls_u"], dim, &in[d.Dim])
		gl43.Uniform1fv(u["ls_v"], dim, &in[2*d.Dim])
	}
	if err := e.c.check("uniforms"); err != nil {
		return 0, err
	}
	for t0 := row0; t0 < row1; t0 += tileRows {
		rows := min(tileRows, row1-t0)
		gl43.Uniform1ui(u["ls_tile_row0"], uint32(t0))
		gl43.Uniform1ui(u["ls_tile_rows"], uint32(rows))
		start := time.Now()
		for r := t0; r < t0+rows; r += dispRows {
			if err := ctx.Err(); err != nil {
				gl43.Finish()
				return 0, err
			}
			n := min(dispRows, t0+rows-r)
			gl43.Uniform1ui(u["ls_row0"], uint32(r))
			gl43.DispatchCompute(uint32((nx+across-1)/across), uint32((n+localY-1)/localY), 1)
			gl43.Flush()
			if err := e.c.check("dispatch"); err != nil {
				return 0, err
			}
		}
		if dst == nil {
			gl43.MemoryBarrier(gl43.SHADER_STORAGE_BARRIER_BIT)
			return bOut, nil
		}
		gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
		gl43.Finish()
		t.Kernel += time.Since(start)
		start = time.Now()
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, bOut)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, rows*nx*4, unsafe.Pointer(&dst[(t0-row0)*nx]))
		t.Readback += time.Since(start)
		if err := e.c.check("read back"); err != nil {
			return 0, err
		}
		if o.Progress != nil {
			o.Progress((t0+rows-row0)*nx, (row1-row0)*nx)
		}
	}
	return bOut, nil
}

func fmtBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// EvalOnGPU evaluates d on g and leaves the values (row-major y-by-x
// float32, NaN where undefined) in a storage buffer for drawing, with no
// read-back; it returns the buffer, valid until the evaluator's next call.
// Call it on the GL thread, inside Context.Do.
func (e *Evaluator) EvalOnGPU(d compute.Kernel, g compute.Grid) (uint32, error) {
	if err := g.Validate(); err != nil {
		return 0, fmt.Errorf("gl: %w", err)
	}
	if d.Dim != g.Dim() {
		return 0, fmt.Errorf("gl: grid has dimension %d, surface %s has %d", g.Dim(), d.Name, d.Dim)
	}
	var t compute.Timing
	return e.evalPlane(context.Background(), d, g, 0, g.Ny, nil, compute.Options{}, &t)
}

// MinMaxOnGPU reduces the first n values of buffer buf to their minimum
// and maximum (NaN and ±Inf skipped), reading back only those two. ok is
// false when no value is finite. Call on the GL thread.
func (e *Evaluator) MinMaxOnGPU(buf uint32, n int) (lo, hi float32, ok bool, err error) {
	p, _, err := e.cached("kernel min/max", shaders.MinMax(), []string{"ls_n"})
	if err != nil {
		return 0, 0, false, err
	}
	keys := []uint32{0xffffffff, 0}
	e.mm.bind(4, 8, unsafe.Pointer(&keys[0]))
	gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, buf)
	gl43.UseProgram(p.id)
	gl43.Uniform1ui(p.uniforms["ls_n"], uint32(n))
	gl43.DispatchCompute(uint32((n+255)/256), 1, 1)
	gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, e.mm.id)
	gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, 8, unsafe.Pointer(&keys[0]))
	if keys[0] > keys[1] {
		return 0, 0, false, e.c.check("min/max")
	}
	unkey := func(k uint32) float32 {
		if k&0x80000000 != 0 {
			return math.Float32frombits(k &^ 0x80000000)
		}
		return math.Float32frombits(^k)
	}
	return unkey(keys[0]), unkey(keys[1]), true, e.c.check("min/max")
}

// EvalPoints evaluates d's GLSL at len(points)/d.Dim points (float32 on the
// GPU) and returns one value per point, NaN where undefined.
func (e *Evaluator) EvalPoints(ctx context.Context, d compute.Kernel, points []float64) ([]float32, error) {
	var out []float32
	err := e.c.Do(func() (err error) {
		out, err = e.evalPoints(ctx, d, points)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EvalPointsOnGPU is EvalPoints for a caller on the GL thread (the
// viewer's frames).
func (e *Evaluator) EvalPointsOnGPU(d compute.Kernel, points []float64) ([]float32, error) {
	return e.evalPoints(context.Background(), d, points)
}

func (e *Evaluator) evalPoints(ctx context.Context, d compute.Kernel, points []float64) ([]float32, error) {
	dim := d.Dim
	if dim < 1 || len(points)%dim != 0 {
		return nil, fmt.Errorf("gl: %d values do not make points of dimension %d", len(points), dim)
	}
	n := len(points) / dim
	out := make([]float32, n)
	if n == 0 {
		return out, nil
	}
	_, work := e.limits(dim)
	local := shaders.PointsLocalX
	sp := e.splitFor(d, min(n, int(e.sampleWork()/int64(max(1, d.Samples)))), n)
	if sp.Lanes > 0 {
		work, local = max(1, e.sampleWork()/int64(max(1, d.Samples))), sp.Pts
	}
	p, _, err := e.program(shaders.Points, d, sp, 1)
	if err != nil {
		return nil, err
	}
	if err := e.bindData(d); err != nil {
		return nil, err
	}
	in := f32(points)
	e.bufs[1].bind(1, 4*len(in), ptr(in))
	e.bufs[0].bind(0, 4*n, nil)
	bOut := e.bufs[0].id
	gl43.UseProgram(p.id)
	gl43.Uniform1ui(p.uniforms["ls_npoints"], uint32(n))
	per := int(max(int64(local), min(work, int64(e.c.info.MaxWorkGroupCount[0])*int64(local))))
	for k := 0; k < n; k += per {
		if err := ctx.Err(); err != nil {
			gl43.Finish()
			return nil, err
		}
		m := min(per, n-k)
		gl43.Uniform1ui(p.uniforms["ls_row0"], uint32(k))
		gl43.DispatchCompute(uint32((m+local-1)/local), 1, 1)
		gl43.Flush()
	}
	gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, bOut)
	gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, 4*n, unsafe.Pointer(&out[0]))
	if err := e.c.check("points"); err != nil {
		return nil, err
	}
	return out, nil
}

// Close deletes the cached programs (the Context keeps running).
func (e *Evaluator) Close() {
	e.mu.Lock()
	progs := e.progs
	e.progs = map[string]*program{}
	e.mu.Unlock()
	e.c.Do(func() error {
		for _, p := range progs {
			p.delete()
		}
		for i := range e.bufs {
			e.bufs[i].delete()
		}
		e.mm.delete()
		return nil
	})
}
