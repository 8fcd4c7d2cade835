package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// GLFW needs its windows, their events and their GL contexts on the main OS
// thread (macOS). Go starts main on that thread; locking it here, before
// main, keeps main there, and main hands the thread to GL (gl.Main) while
// the CLI runs on another goroutine.
func init() { runtime.LockOSThread() }

func main() {
	os.Exit(gl.Main(func() int { return run(os.Args[1:], os.Stdout, os.Stderr) }))
}

// usageError marks a mistake in the command line itself (exit status 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// run executes the CLI and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &host.App{Stderr: stderr}
	defer app.Close()
	root := newRoot(app, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if ctx.Err() != nil || errors.Is(err, compute.ErrCanceled) {
		fmt.Fprintln(stderr, "landscape: interrupted; no output written")
		return 130
	}
	var u usageError
	if strings.HasPrefix(err.Error(), "unknown command") {
		err = usageError{fmt.Errorf("%v (see 'landscape --help')", err)}
	}
	fmt.Fprintln(stderr, "landscape: "+host.UserMessage(host.NameInputs(err, flagFor))+hint(err))
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// hint is what the CLI suggests after an error the host states without
// knowing the flags.
func hint(err error) string {
	if errors.Is(err, host.ErrTooLarge) {
		return "; lower --res or raise --max-memory"
	}
	return ""
}

// flagError is a mistake in a flag as a usage error: a value the flag's
// type refused reads "--flag "value": why", as the host's errors read.
func flagError(c *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		err = fmt.Errorf("--%s %q: %w", bad.GetFlag().Name, bad.GetValue(), errors.Unwrap(bad))
	}
	return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
}

func newRoot(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "landscape",
		Short: "Evaluate, analyse and render loss surfaces",
		Long: `landscape evaluates loss surfaces (a model's error, or an analytic test
function, as a function of its parameters) on dense grids, on the GPU with
OpenGL compute shaders or on every CPU core, writes them as arrays and images,
and runs optimizers over them. Surfaces and optimizers come from plugins: see
'landscape surfaces' and 'landscape optimizers'; 'landscape info' tells which
backends work here.

Examples:
  landscape surfaces
  landscape render ripple -o ripple.png
  landscape render rosenbrock --log --colormap magma -o rosen.png
  landscape eval rastrigin --res 1024x768 --set A=5 -o grid.npy --summary grid.json
  landscape optimize rosenbrock --optimizer adam --start -1.5,2 --set lr=0.02 -o adam.csv
  landscape compare rosenbrock --optimizers momentum,adam --start -1.5,2 -o cmp.png
  landscape basins himmelblau --optimizer gd --set lr=0.01 -o basins.png`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().Var(choiceFlag{&app.GLPlatform, []string{"egl", "egl-device", "egl-surfaceless", "egl-default", "glfw"}}, "gl-platform", "OpenGL context platform: egl, egl-device, egl-surfaceless, egl-default or glfw (default: try EGL, then GLFW)")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(surfacesCmd(app, stdout), evalCmd(app, stdout, stderr), sliceCmd(app, stdout, stderr), renderCmd(app, stdout, stderr), infoCmd(app, stdout), benchCmd(app, stdout, stderr), optimizersCmd(app, stdout), optimizeCmd(app, stdout), dataCmd(app, stdout), compareCmd(app, stdout, stderr), basinsCmd(app, stdout, stderr), criticalCmd(app, stdout, stderr), pathCmd(app, stdout, stderr), statsCmd(app, stdout, stderr), viewCmd(app, stdout, stderr), hessianCmd(app, stdout))
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// exactArgs is cobra.ExactArgs with a usage error that says what is expected.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %s (see '%s --help')", c.CommandPath(), what, c.CommandPath())}
		}
		return nil
	}
}
