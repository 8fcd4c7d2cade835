package compute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/landscape-go/landscape/sdk"
)

// Surface is a surface as the engine sees it: described, and able to fill
// rows of a plane on the CPU (in a plugin process, or in this one).
type Surface interface {
	Descriptor() sdk.Descriptor
	// EvalRows fills dst with rows [row0, row1) of p; progress, if not nil,
	// is told how many of those rows are done so far.
	EvalRows(ctx context.Context, p sdk.Plane, row0, row1 int, dst []float32, progress func(rows int)) error
}

// Evaluator fills a Field with a surface on a grid.
type Evaluator interface {
	// Backend names the evaluator ("cpu", "gl").
	Backend() string
	Evaluate(ctx context.Context, s Surface, g Grid, o Options) (*Field, error)
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

// CPU evaluates on the CPU through the surface's EvalRows, tile by tile.
// The zero value is ready to use.
type CPU struct {
	// TileBytes bounds one tile's values (default 64 MiB); a tile is one
	// request to the surface.
	TileBytes int
}

var _ Evaluator = CPU{}

// Backend implements Evaluator.
func (CPU) Backend() string { return "cpu" }

// Evaluate implements Evaluator.
func (c CPU) Evaluate(ctx context.Context, s Surface, g Grid, o Options) (*Field, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("compute: %w", err)
	}
	if d := s.Descriptor().Dim; d != g.Dim() {
		return nil, fmt.Errorf("compute: grid has dimension %d, surface %s has %d", g.Dim(), s.Descriptor().Name, d)
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
			return nil, fmt.Errorf("compute: %s: %w", s.Descriptor().Name, err)
		}
	}
	if o.Progress != nil {
		o.Progress(total, total)
	}
	return f, nil
}

// Local is a surface evaluated in this process (tests, benchmarks, and
// plugin authors' own tools).
type Local struct {
	S sdk.Surface
	// Workers bounds the goroutines (0: one per CPU).
	Workers int
}

var _ Surface = Local{}

// Descriptor implements Surface.
func (l Local) Descriptor() sdk.Descriptor { return sdk.Describe(l.S) }

// EvalRows implements Surface.
func (l Local) EvalRows(ctx context.Context, p sdk.Plane, row0, row1 int, dst []float32, progress func(int)) error {
	if err := sdk.EvalRows(ctx, l.S, p, row0, row1, dst, l.Workers); err != nil {
		return err
	}
	if progress != nil {
		progress(row1 - row0)
	}
	return nil
}
