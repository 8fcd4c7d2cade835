package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Surface is a plugin's surface configured for use: where it is served
// (its catalog entry), how it is configured (its Ref: settings, and
// whether its test set is meant), and what the plugin says of it so
// configured. Its data buffer is fetched apart, when the GPU needs it.
type Surface struct {
	Entry Entry
	Ref   client.Ref
	Desc  client.Descriptor

	data     []float32
	verified bool // its GPU kernel agrees with the plugin (verifyKernel)
	// app restarts its plugin when it crashes (see call); nil: never.
	app *App
	// rowRequests counts the times rows were asked for: one per request,
	// and one more per restart of the plugin during one.
	rowRequests atomic.Int64
}

// Settings are the surface's hyperparameter values as given.
func (s *Surface) Settings() client.Settings { return s.Ref.Settings }

// Configure describes the surface e configured with settings (which its
// plugin validates).
func (a *App) Configure(ctx context.Context, e Entry, settings client.Settings) (*Surface, error) {
	return a.configure(ctx, e, client.Ref{Name: e.Name, Settings: settings})
}

func (a *App) configure(ctx context.Context, e Entry, ref client.Ref) (*Surface, error) {
	s := &Surface{Entry: e, Ref: ref, app: a}
	var desc client.Descriptor
	err := s.call(ctx, func() string { return "describing surface " + e.Name }, func(c *client.SurfaceClient) (err error) {
		desc, err = c.Describe(ctx, ref)
		return err
	})
	if err != nil {
		if errors.Is(err, sdk.ErrBadParams) {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		return nil, err
	}
	s.Desc = desc
	if err := a.checkMinima(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkMinima checks the minima s declares against its plugin's loss: the
// loss at each must be its declared value (relative 1e-6). (That they are
// finite and inside the domain the client checked.) A plugin that lies
// about them is refused, not believed: they mark images and judge
// optimizer runs.
func (a *App) checkMinima(ctx context.Context, s *Surface) error {
	d := s.Desc
	if len(d.Minima) == 0 || s.Ref.Test {
		return nil
	}
	pts := make([]float64, 0, len(d.Minima)*d.Dim)
	for _, m := range d.Minima {
		pts = append(pts, m.Location...)
	}
	loss := make([]float64, len(d.Minima))
	if err := a.lossAt(ctx, s, pts, loss); err != nil {
		return err
	}
	for i, m := range d.Minima {
		if !(math.Abs(loss[i]-m.Value) <= 1e-6*(1+math.Abs(loss[i]))) {
			return fmt.Errorf("%w: plugin %s: surface %s declares a minimum of value %.10g at %v, where its loss is %.10g",
				client.ErrPluginFailed, s.Entry.Plugin, d.Name, m.Value, m.Location, loss[i])
		}
	}
	return nil
}

// TestSet is s on its test samples (sdk.SurfaceWithTestSet); ok is false
// (and err nil) when it has none.
func (a *App) TestSet(ctx context.Context, s *Surface) (ts *Surface, ok bool, err error) {
	if !s.Desc.HasTest || s.Ref.Test {
		return nil, false, nil
	}
	ref := s.Ref
	ref.Test = true
	ts, err = a.configure(ctx, s.Entry, ref)
	return ts, err == nil, err
}

// Kernel is what the GPU needs of s: its GLSL, constants and data buffer,
// the buffer fetched from the plugin the first time. Only the GPU kernels
// read the buffer, so commands fetch it when they take the GPU.
func (a *App) Kernel(ctx context.Context, s *Surface) (compute.Kernel, error) {
	if s.Desc.GLSL != "" {
		if err := a.fetchData(ctx, s); err != nil {
			return compute.Kernel{}, err
		}
	}
	k := compute.KernelOf(s.Desc.Info, s.Desc.GLSL, s.data)
	k.Samples = s.Desc.Samples
	return k, nil
}

// pointsBatch bounds the points of one request to a plugin.
const pointsBatch = 4096

// lossAt evaluates s at the points (s.Desc.Dim values each) through its
// plugin, in batches, into out (one value per point).
func (a *App) lossAt(ctx context.Context, s *Surface, pts []float64, out []float64) error {
	dim := s.Desc.Dim
	n := len(pts) / dim
	for lo := 0; lo < n; lo += pointsBatch {
		hi := min(lo+pointsBatch, n)
		var v []float64
		err := s.call(ctx, s.doing("computing losses", hi-lo), func(c *client.SurfaceClient) (err error) {
			v, err = c.Loss(ctx, client.Points{Ref: s.Ref, Dim: dim, Points: pts[lo*dim : hi*dim]})
			return err
		})
		if err != nil {
			return err
		}
		copy(out[lo:hi], v)
	}
	return nil
}

// source adapts s to the engine with the kernel k: its rows come from its
// plugin.
func (s *Surface) source(k compute.Kernel) compute.Source { return remote{s: s, k: k} }

// cpu is s's source for the CPU path, whose kernel needs no data.
func (s *Surface) cpu() compute.Source {
	return s.source(compute.KernelOf(s.Desc.Info, s.Desc.GLSL, nil))
}

type remote struct {
	s *Surface
	k compute.Kernel
}

func (r remote) Kernel() compute.Kernel { return r.k }

func (r remote) EvalRows(ctx context.Context, p grid.Plane, row0, row1 int, dst []float32, progress func(int)) error {
	what := func() string { return fmt.Sprintf("evaluating rows [%d, %d) of surface %s", row0, row1, r.s.Desc.Name) }
	return r.s.callCounted(ctx, what, &r.s.rowRequests, func(c *client.SurfaceClient) error {
		return c.EvalGrid(ctx, client.Rows{Ref: r.s.Ref, Plane: p, Row0: row0, Row1: row1, Dst: dst,
			Progress: progress, SharedDir: r.s.Entry.SharedDir})
	})
}
