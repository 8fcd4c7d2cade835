package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk/client"
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
//
// SIGINT, SIGTERM and SIGHUP stop the command: its context ends, so that
// plugin calls, evaluations and output writes stop and nothing is left
// behind, and run returns 128 plus the signal's number (130, 143, 129).
// Whatever the command and its plugins do, the host exits within
// stopDeadline of the signal (or at a second one): then it kills its
// plugins and removes its temporary files itself.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	app := &host.App{Stderr: stderr}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-finished:
			return
		}
		cancel(stopped{sig})
		select {
		case <-finished:
			return
		case <-sigs:
		case <-time.After(stopDeadline):
		}
		app.Abandon()
		host.RemoveTemporaries()
		fmt.Fprintln(stderr, stopMessage(sig))
		os.Exit(exitCode(sig))
	}()
	defer app.Close()
	root := newRoot(app, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var st stopped
	if errors.As(context.Cause(ctx), &st) {
		fmt.Fprintln(stderr, stopMessage(st.sig))
		return exitCode(st.sig)
	}
	if err == nil {
		if path := os.Getenv(host.PeakFileEnv); path != "" {
			// For the benchmark: this process's peak memory, its plugins apart.
			os.WriteFile(path, []byte(strconv.FormatInt(host.PeakRSS(), 10)), 0o644)
		}
		return 0
	}
	if errors.Is(err, compute.ErrCanceled) || errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, stopMessage(os.Interrupt))
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

// stopDeadline is how long a stopped command has to end cleanly before the
// host exits anyway (the whole stop takes under 2 s).
const stopDeadline = 1500 * time.Millisecond

// stopped is the cause of a command's end by a signal.
type stopped struct{ sig os.Signal }

func (s stopped) Error() string { return "stopped by " + s.sig.String() }

// exitCode is 128 plus the signal's number, as shells report a process
// the signal ended.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// stopMessage is the line a stopped command ends with.
func stopMessage(sig os.Signal) string {
	what := "interrupted"
	switch sig {
	case syscall.SIGTERM:
		what = "terminated"
	case syscall.SIGHUP:
		what = "hung up"
	}
	return "landscape: " + what + "; no output written"
}

// hint is what the CLI suggests after an error the host states without
// knowing the flags.
func hint(err error) string {
	switch {
	case errors.Is(err, host.ErrTooLarge):
		return "; lower --res or raise --max-memory"
	case errors.Is(err, client.ErrPluginHung):
		return "; it was stopped (raise --plugin-timeout if it is only slow)"
	case errors.Is(err, host.ErrChecksum), errors.Is(err, host.ErrNotLocked):
		return " (--insecure-plugins skips the lock file)"
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
	pf := root.PersistentFlags()
	pf.Var(choiceFlag{&app.GLPlatform, []string{"egl", "egl-device", "egl-surfaceless", "egl-default", "glfw"}}, "gl-platform", "OpenGL context platform: egl, egl-device, egl-surfaceless, egl-default or glfw (default: try EGL, then GLFW)")
	pf.Var(durationFlag{&app.PluginTimeout}, "plugin-timeout", "how long a plugin may take to start, or go without progress on a call, before it is stopped (default 10s to start, 30s on a call)")
	pf.Var(retriesFlag{&app.Retries}, "plugin-retries", fmt.Sprintf("how many times a plugin that crashes or hangs is restarted for the same piece of work (a tile, a batch of points, an optimizer's runs) before the command fails; 0 never restarts (default %d)", host.DefaultRetries))
	pf.Var(bytesFlag{&app.PluginMemory}, "plugin-memory", "memory each plugin process may hold (default: half the machine's)")
	pf.BoolVar(&app.Insecure, "insecure-plugins", false, "run plugins without checking them against the lock file (see 'landscape plugins lock'; also "+host.InsecureEnv+"=1)")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(surfacesCmd(app, stdout), pluginsCmd(app, stdout), evalCmd(app, stdout, stderr), sliceCmd(app, stdout, stderr), renderCmd(app, stdout, stderr), infoCmd(app, stdout), benchCmd(app, stdout, stderr), optimizersCmd(app, stdout), optimizeCmd(app, stdout), dataCmd(app, stdout), compareCmd(app, stdout, stderr), basinsCmd(app, stdout, stderr), criticalCmd(app, stdout, stderr), pathCmd(app, stdout, stderr), statsCmd(app, stdout, stderr), viewCmd(app, stdout, stderr), hessianCmd(app, stdout), mergeCmd(stderr), statusCmd(stdout))
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// maxArgs is cobra.MaximumNArgs with a usage error that says what is
// expected.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) > n {
			return usageError{fmt.Errorf("%s takes %s (see '%s --help')", c.CommandPath(), what, c.CommandPath())}
		}
		return nil
	}
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
