package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
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
		}
	})
	return a.gl.eval, a.gl.err
}

// Evaluate evaluates the scene with the backend asked for: "gl" or "cpu",
// or "auto", which takes the GPU when a context can be made and the surface
// ships GLSL that compiles, and otherwise the CPU, saying why in one line on
// Stderr. It returns the backend that did the work.
func (a *App) Evaluate(ctx context.Context, backend string, sc *Scene, o compute.Options) (*compute.Field, string, error) {
	if err := CheckBackend(backend); err != nil {
		return nil, "", err
	}
	cpu := func() (*compute.Field, string, error) {
		f, err := compute.CPU{}.Evaluate(ctx, sc.Surface(), sc.Grid, o)
		return f, "cpu", err
	}
	if backend == "cpu" {
		return cpu()
	}
	why := ""
	if sc.Desc.GLSL == "" {
		why = fmt.Sprintf("surface %s ships no GLSL", sc.Desc.Name)
	} else if ev, err := a.GL(); err != nil {
		why = UserMessage(err)
	} else {
		f, err := ev.Evaluate(ctx, sc.Surface(), sc.Grid, o)
		if err == nil || backend == "gl" || !errors.Is(err, gl.ErrCompile) {
			return f, "gl", err
		}
		why = UserMessage(err)
	}
	if backend == "gl" {
		return nil, "", fmt.Errorf("%w: --backend gl: %s", ErrBackend, why)
	}
	fmt.Fprintf(a.Stderr, "landscape: cpu backend: %s\n", why)
	return cpu()
}
