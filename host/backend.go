package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/sdk/client"
)

// ErrBackend: the asked-for backend cannot be used.
var ErrBackend = errors.New("host: backend unavailable")

// glState is the run's GPU context, made on first need.
type glState struct {
	once sync.Once
	ctx  *gl.Context
	eval *gl.Evaluator
	err  error
}

// GL makes (once) the run's OpenGL context and evaluator.
func (a *App) GL() (*gl.Evaluator, error) {
	a.gl.once.Do(func() {
		a.gl.ctx, a.gl.err = gl.New(gl.Options{Platform: a.GLPlatform})
		if a.gl.err == nil {
			a.gl.eval = a.gl.ctx.Evaluator()
			// LANDSCAPE_GL_MAX_DATA caps a surface's data buffer on the
			// GPU (for example "64MiB"), below the driver's own limit.
			if v := os.Getenv("LANDSCAPE_GL_MAX_DATA"); v != "" {
				n, err := ParseBytes(v)
				if err != nil {
					a.gl.err = fmt.Errorf("LANDSCAPE_GL_MAX_DATA: %w", err)
					return
				}
				a.gl.eval.MaxDataBytes = n
			}
		}
	})
	return a.gl.eval, a.gl.err
}

// Evaluate evaluates the scene with the backend asked for: "gl" or "cpu",
// or "auto", which takes the GPU when a context can be made and the surface
// ships GLSL that compiles, and otherwise the CPU, saying why in one line on
// Stderr. It returns the backend that did the work. The grid is evaluated
// tile by tile (see EvaluateBand): a plugin that crashes or hangs is
// restarted and asked again for the tile it was evaluating.
func (a *App) Evaluate(ctx context.Context, backend Backend, sc *Scene, o compute.Options) (*compute.Field, Backend, error) {
	b, used, err := a.EvaluateBand(ctx, backend, sc, o, GridWork{})
	if err != nil {
		return nil, 0, err
	}
	return b.Field(), used, nil
}

// gpuFor is the GPU evaluator and the kernel of s (its data buffer
// fetched the first time), checked against the plugin (verifyKernel), or
// why there is none (ev nil): no GLSL, no GL context, a snippet that does
// not compile or disagrees with the plugin's Loss.
func (a *App) gpuFor(ctx context.Context, s *Surface) (ev *gl.Evaluator, k compute.Kernel, why string, err error) {
	if s.Desc.GLSL == "" {
		return nil, k, fmt.Sprintf("surface %s ships no GLSL", s.Desc.Name), nil
	}
	if ev, err = a.GL(); err != nil {
		return nil, k, UserMessage(err), nil
	}
	if k, err = a.Kernel(ctx, s); err != nil {
		return nil, k, "", err
	}
	if err := a.verifyKernel(ctx, ev, s, k); err != nil {
		why, err := refusal(err)
		return nil, k, why, err
	}
	return ev, k, "", nil
}

// verifyKernel checks (once per configured surface) the GPU's values of s
// at the centre and two opposite corners of its domain against the
// plugin's float64 loss (see VerifyGPU).
func (a *App) verifyKernel(ctx context.Context, ev *gl.Evaluator, s *Surface, k compute.Kernel) error {
	if s.verified {
		return nil
	}
	pts := DomainPoints(s.Desc)
	gpu, err := ev.EvalPoints(ctx, k, pts)
	if err == nil {
		err = a.VerifyGPU(ctx, s, pts, gpu)
	}
	s.verified = err == nil
	return err
}

// verifyGrid checks a grid of sc computed on the GPU (its loss, vals,
// row-major) at its first, middle and last points (see VerifyGPU).
func (a *App) verifyGrid(ctx context.Context, sc *Scene, vals []float32) error {
	g := sc.Grid
	cols, rows := spread(g.Nx), spread(g.Ny)
	pts := make([]float64, 3*g.Dim())
	gpu := make([]float32, 3)
	for i := range gpu {
		g.Point(pts[i*g.Dim():(i+1)*g.Dim()], cols[i], rows[i])
		gpu[i] = vals[rows[i]*g.Nx+cols[i]]
	}
	return a.VerifyGPU(ctx, sc.Surface, pts, gpu)
}

// DomainPoints are the centre and two opposite corners of d's domain, the
// points VerifyGPU checks a kernel at before any grid.
func DomainPoints(d client.Descriptor) []float64 {
	pts := make([]float64, 0, 3*d.Dim)
	for _, t := range []float64{0.5, 0, 1} {
		for _, iv := range d.Domain {
			pts = append(pts, iv.Lo+t*(iv.Hi-iv.Lo))
		}
	}
	return pts
}

// refusal is what the GPU path of withBackend returns for err: why "auto"
// falls back when the GPU refused the work (see gpuRefused), else err.
func refusal(err error) (why string, _ error) {
	if gpuRefused(err) {
		return UserMessage(err), nil
	}
	return "", err
}

// gpuRefused reports whether err says this surface cannot run on this GPU
// (its GLSL does not compile, its data does not fit, the driver cut its
// loops short, its results disagree with the plugin's), so that "auto"
// falls back to the CPU.
func gpuRefused(err error) bool {
	return errors.Is(err, gl.ErrCompile) || errors.Is(err, gl.ErrDataTooLarge) || errors.Is(err, gl.ErrTooManyParams) || errors.Is(err, gl.ErrLoopsCut) || errors.Is(err, errGPUDisagrees)
}

// errGPUDisagrees: a surface's GPU values differ from the plugin's
// float64 ones beyond float32 rounding.
var errGPUDisagrees = errors.New("host: GPU and CPU disagree")

// spread is the first, middle and last of n indices: the points whose GPU
// values verifyGPU checks.
func spread(n int) [3]int { return [3]int{0, n / 2, n - 1} }

// spreadPoints picks those three of the points pts (dim values each) and,
// when vals is not nil, their values.
func spreadPoints(pts []float64, vals []float32, dim int) ([]float64, []float32) {
	out := make([]float64, 0, 3*dim)
	var v []float32
	for _, k := range spread(len(pts) / dim) {
		out = append(out, pts[k*dim:(k+1)*dim]...)
		if vals != nil {
			v = append(v, vals[k])
		}
	}
	return out, v
}

// VerifyGPU checks a surface's GPU values gpu at the points pts
// (s.Desc.Dim values each) against the plugin's float64 loss: undefined
// (NaN or ±Inf) at the same points, and finite values within float32's
// rounding (relative 1e-3). Every grid, curve and batch of runs on the GPU is
// checked so before it is trusted: a snippet that says something else than
// Loss, or a driver's limit on a kernel's loops (llvmpipe ends a shader
// invocation's loops after 65535 iterations in all), would otherwise go
// unnoticed.
func (a *App) VerifyGPU(ctx context.Context, s *Surface, pts []float64, gpu []float32) error {
	cpu := make([]float64, len(gpu))
	if err := a.lossAt(ctx, s, pts, cpu); err != nil {
		return err
	}
	d := s.Desc
	for i, c := range cpu {
		if g := float64(gpu[i]); !agree(g, c) {
			return fmt.Errorf("%w: surface %s: the GPU gives %.6g where the plugin gives %.6g at %v (its GLSL disagrees with its loss, or a driver limit cut its loop)",
				errGPUDisagrees, d.Name, g, c, pts[i*d.Dim:(i+1)*d.Dim])
		}
	}
	return nil
}

// agree reports whether a float32 GPU value g matches the float64 value c.
// As in every grid, NaN and ±Inf both mean undefined (grid.ToFloat32); a
// finite value beyond float32's range is undefined on the GPU.
func agree(g, c float64) bool {
	undefined := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case undefined(c):
		return undefined(g)
	case undefined(g):
		return math.Abs(c) > math.MaxFloat32
	}
	return math.Abs(g-c) <= 1e-3*(1+math.Abs(c))
}

// withBackend runs gpu unless backend is BackendCPU. gpu returns why it
// could not run (and no error) when it cannot: under BackendGL that is an
// error, under BackendAuto one line on Stderr, and cpu runs instead. It
// returns the backend that did the work.
func (a *App) withBackend(backend Backend, gpu func() (why string, err error), cpu func() error) (Backend, error) {
	switch backend {
	case BackendAuto, BackendGL, BackendCPU:
	default:
		return 0, badInput("backend", "%d is no backend", backend)
	}
	if backend != BackendCPU {
		why, err := gpu()
		if err != nil {
			return 0, err
		}
		if why == "" {
			return BackendGL, nil
		}
		if backend == BackendGL {
			return 0, fmt.Errorf("%w: backend gl: %s", ErrBackend, why)
		}
		fmt.Fprintf(a.Stderr, "landscape: cpu backend: %s\n", why)
	}
	return BackendCPU, cpu()
}
