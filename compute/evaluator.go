package compute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Source is a surface as the engine evaluates it: its kernel (what the
// backends need to know of it) and the rows of a plane filled on the CPU
// (in a plugin process, or in this one).
type Source interface {
	Kernel() Kernel
	// EvalRows fills dst with rows [row0, row1) of p; progress, if not nil,
	// is told how many of those rows are done so far.
	EvalRows(ctx context.Context, p grid.Plane, row0, row1 int, dst []float32, progress func(rows int)) error
}

// Kernel is what a backend needs to know of a surface: its name and
// dimension and, for the GPU, its GLSL snippet, the constants the snippet
// may read (its number, flag and choice hyperparameters) and its data
// buffer (DATA(i) in the snippet). Data is the surface's payload, fetched
// apart from its description and only when the GPU needs it.
type Kernel struct {
	Name   string
	Dim    int
	GLSL   string
	Consts []Const
	Data   []float32
	// Samples is the number of samples one loss is a sum over (0: not a
	// data-driven surface); the GPU sizes its split of them by it.
	Samples int
}

// Const is a named float constant of a GLSL kernel.
type Const struct {
	Name  string
	Value float64
}

// KernelOf is the kernel of a surface described by info (its
// hyperparameters' Default holding the configured values) with the GLSL
// snippet glsl and the data buffer data.
func KernelOf(info sdk.Info, glsl string, data []float32) Kernel {
	k := Kernel{Name: info.Name, Dim: info.Dim, GLSL: glsl, Data: data}
	for _, h := range info.Hyperparameters {
		if !h.Text {
			k.Consts = append(k.Consts, Const{Name: h.Name, Value: h.Default})
		}
	}
	return k
}

// Evaluator fills a Field with a surface on a grid.
type Evaluator interface {
	// Backend names the evaluator ("cpu", "gl").
	Backend() string
	Evaluate(ctx context.Context, s Source, g Grid, o Options) (*Field, error)
}

// RowsEvaluator is an Evaluator that also evaluates a range of a grid's
// rows, the values of each row the same as in a whole grid's evaluation
// (bit for bit): the host cuts grids into tiles of rows to keep what is
// finished (journals, shards, restarted plugins).
type RowsEvaluator interface {
	Evaluator
	// EvaluateRows fills dst ((row1−row0)·Nx values) with rows [row0,
	// row1) of g; Options.Progress counts the points of those rows.
	EvaluateRows(ctx context.Context, s Source, g Grid, row0, row1 int, dst []float32, o Options) error
}

// Options tunes an evaluation; the zero value is valid.
type Options struct {
	// Progress, when set, is called with points done and total.
	Progress func(done, total int)
	// Timing, when set, receives where the time went.
	Timing *Timing
}

// Timing splits an evaluation's time. Backends fill what they measure.
type Timing struct {
	// Kernel is the GPU's work, from the first dispatch to its completion.
	Kernel time.Duration
	// Readback is the copy of the results from the GPU into the Field.
	Readback time.Duration
	// Compile is building the GPU program (zero when it was cached).
	Compile time.Duration
}

// ErrCanceled wraps the context's error when an evaluation is stopped.
var ErrCanceled = errors.New("compute: evaluation canceled")

// CPU evaluates on the CPU through the source's EvalRows, tile by tile.
// The zero value is ready to use.
type CPU struct {
	// TileBytes bounds one tile's values (default 64 MiB); a tile is one
	// request to the surface.
	TileBytes int
}

var _ RowsEvaluator = CPU{}

// Backend implements Evaluator.
func (CPU) Backend() string { return "cpu" }

// Evaluate implements Evaluator.
func (c CPU) Evaluate(ctx context.Context, s Source, g Grid, o Options) (*Field, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("compute: %w", err)
	}
	k := s.Kernel()
	if k.Dim != g.Dim() {
		return nil, fmt.Errorf("compute: grid has dimension %d, surface %s has %d", g.Dim(), k.Name, k.Dim)
	}
	tb := c.TileBytes
	if tb <= 0 {
		tb = 64 << 20
	}
	rows := max(1, tb/(4*g.Nx))
	f := NewField(g)
	total := g.Len()
	for r := 0; r < g.Ny; r += rows {
		n := min(rows, g.Ny-r)
		var prog func(int)
		if o.Progress != nil {
			base := r * g.Nx
			prog = func(done int) { o.Progress(base+done*g.Nx, total) }
		}
		if err := s.EvalRows(ctx, g.Plane, r, r+n, f.Values[r*g.Nx:(r+n)*g.Nx], prog); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())
			}
			return nil, fmt.Errorf("compute: %s: %w", k.Name, err)
		}
	}
	if o.Progress != nil {
		o.Progress(total, total)
	}
	return f, nil
}

// EvaluateRows implements RowsEvaluator: one request to the source.
func (CPU) EvaluateRows(ctx context.Context, s Source, g Grid, row0, row1 int, dst []float32, o Options) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	k := s.Kernel()
	if k.Dim != g.Dim() {
		return fmt.Errorf("compute: grid has dimension %d, surface %s has %d", g.Dim(), k.Name, k.Dim)
	}
	if err := g.CheckRows(row0, row1, len(dst)); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	var prog func(int)
	if o.Progress != nil {
		total := (row1 - row0) * g.Nx
		prog = func(done int) { o.Progress(done*g.Nx, total) }
	}
	if err := s.EvalRows(ctx, g.Plane, row0, row1, dst, prog); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())
		}
		return fmt.Errorf("compute: %s: %w", k.Name, err)
	}
	return nil
}

// Local is a surface evaluated in this process (tests, benchmarks, and
// plugin authors' own tools).
type Local struct {
	S sdk.Surface
	// Workers bounds the goroutines (0: one per CPU).
	Workers int
}

var _ Source = Local{}

// Kernel implements Source: the surface's Info, GLSL and data buffer.
func (l Local) Kernel() Kernel {
	var glsl string
	if g, ok := l.S.(sdk.SurfaceWithGLSL); ok {
		glsl = g.GLSL()
	}
	var data []float32
	if d, ok := l.S.(sdk.SurfaceWithData); ok {
		data = d.Data()
	}
	k := KernelOf(l.S.Info(), glsl, data)
	if b, ok := l.S.(sdk.SurfaceWithBatches); ok {
		k.Samples = b.Samples()
	}
	return k
}

// EvalRows implements Source.
func (l Local) EvalRows(ctx context.Context, p grid.Plane, row0, row1 int, dst []float32, progress func(int)) error {
	if d := l.S.Info().Dim; d != p.Dim() {
		return fmt.Errorf("%w: plane has dimension %d, surface %s has %d", grid.ErrBadPlane, p.Dim(), l.S.Info().Name, d)
	}
	if err := grid.Fill(ctx, l.S.Loss, p, row0, row1, dst, l.Workers); err != nil {
		return err
	}
	if progress != nil {
		progress(row1 - row0)
	}
	return nil
}
