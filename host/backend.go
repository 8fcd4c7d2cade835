package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/sdk"
)

// Backends accepted by --backend.
var backendNames = []string{"auto", "gl", "cpu"}

// ErrBackend: the asked-for backend cannot be used.
var ErrBackend = errors.New("host: backend unavailable")

// CheckBackend validates a --backend value.
func CheckBackend(b string) error {
	for _, n := range backendNames {
		if b == n {
			return nil
		}
	}
	return fmt.Errorf("%w: --backend %q (accepted: %s)", ErrBadFlag, b, strings.Join(backendNames, ", "))
}

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
// Stderr. It returns the backend that did the work.
func (a *App) Evaluate(ctx context.Context, backend string, sc *Scene, o compute.Options) (*compute.Field, string, error) {
	var f *compute.Field
	used, err := a.withBackend(backend, func() (string, error) {
		if sc.Desc.GLSL == "" {
			return fmt.Sprintf("surface %s ships no GLSL", sc.Desc.Name), nil
		}
		ev, err := a.GL()
		if err != nil {
			return UserMessage(err), nil
		}
		f, err = ev.Evaluate(ctx, sc.Surface(), sc.Grid, o)
		if err == nil && sc.Desc.DataLen > 0 {
			g := sc.Grid
			err = a.verifyGPU(ctx, sc.Entry, sc.Settings, sc.Desc, func(i int, theta []float64) float32 {
				c, r := [3]int{0, g.Nx / 2, g.Nx - 1}[i], [3]int{0, g.Ny / 2, g.Ny - 1}[i]
				g.Point(theta, c, r)
				return f.At(c, r)
			})
		}
		if gpuRefused(err) {
			return UserMessage(err), nil
		}
		return "", err
	}, func() (err error) {
		f, err = compute.CPU{}.Evaluate(ctx, sc.Surface(), sc.Grid, o)
		return err
	})
	return f, used, err
}

// gpuRefused reports whether err says this surface cannot run on this GPU
// (its GLSL does not compile, its data does not fit, its results disagree
// with the plugin's), so that "auto" falls back to the CPU.
func gpuRefused(err error) bool {
	return errors.Is(err, gl.ErrCompile) || errors.Is(err, gl.ErrDataTooLarge) || errors.Is(err, gl.ErrTooManyParams) || errors.Is(err, errGPUDisagrees)
}

// errGPUDisagrees: a data-driven surface's GPU values differ from the
// plugin's float64 ones beyond float32 rounding.
var errGPUDisagrees = errors.New("host: GPU and CPU disagree")

// verifyGPU checks a data-driven surface's GPU results at three points
// (at(i, theta) writes point i into theta and returns the GPU's value)
// against the plugin's float64 loss. Kernels that loop over thousands of
// samples meet driver limits (llvmpipe ends a shader invocation's loops
// after 65535 iterations in all), which would otherwise go unnoticed.
func (a *App) verifyGPU(ctx context.Context, e Entry, s sdk.Settings, d sdk.Descriptor, at func(i int, theta []float64) float32) error {
	pts := make([]float64, 3*d.Dim)
	gpu := make([]float32, 3)
	for i := range gpu {
		gpu[i] = at(i, pts[i*d.Dim:(i+1)*d.Dim])
	}
	cpu := make([]float64, 3)
	if err := a.lossAt(ctx, e, s, d.Dim, pts, cpu); err != nil {
		return err
	}
	for i, c := range cpu {
		g := float64(gpu[i])
		if math.IsNaN(c) != math.IsNaN(g) || math.Abs(g-c) > 1e-3*(1+math.Abs(c)) {
			return fmt.Errorf("%w: surface %s: the GPU gives %.6g where the plugin gives %.6g (a driver limit on the samples' loop?)", errGPUDisagrees, d.Name, g, c)
		}
	}
	return nil
}

// withBackend runs gpu unless backend is "cpu". gpu returns why it could
// not run (and no error) when it cannot: under "gl" that is an error, under
// "auto" one line on Stderr, and cpu runs instead. It returns the backend
// that did the work.
func (a *App) withBackend(backend string, gpu func() (why string, err error), cpu func() error) (string, error) {
	if err := CheckBackend(backend); err != nil {
		return "", err
	}
	if backend != "cpu" {
		why, err := gpu()
		if err != nil {
			return "", err
		}
		if why == "" {
			return "gl", nil
		}
		if backend == "gl" {
			return "", fmt.Errorf("%w: --backend gl: %s", ErrBackend, why)
		}
		fmt.Fprintf(a.Stderr, "landscape: cpu backend: %s\n", why)
	}
	return "cpu", cpu()
}
