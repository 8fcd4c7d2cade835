package host

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// Crash recovery. A plugin that crashes (its process exits) or hangs (the
// watchdog ends it) in the middle of a command is started again and the
// piece of work it was doing is asked for again: a grid's tile, a batch of
// points, an optimizer's batch of runs (whose state the host rebuilds by
// replaying the answers it gave, see replay.go). What was finished is
// kept. Each restart is one line on Stderr; a plugin that fails the same
// piece of work more than Retries times in a row is reported with it.

// DefaultRetries is how many times a plugin is restarted for one piece of
// work when App.Retries is zero.
const DefaultRetries = 3

// ErrRetries: a plugin kept crashing or hanging on the same piece of work.
var ErrRetries = errors.New("host: plugin keeps failing")

// RetryError is the failure of a piece of work that a plugin crashed or
// hung on every time it was asked, the first time and after each restart.
type RetryError struct {
	Plugin string
	// What is the piece of work ("evaluating rows [0, 64) of surface
	// crashy").
	What string
	// Tries counts the attempts.
	Tries int
	Last  error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("plugin %s failed %d times %s, restarted after each: %v", e.Plugin, e.Tries, e.What, e.Last)
}

// Unwrap matches ErrRetries and the last failure.
func (e *RetryError) Unwrap() []error { return []error{ErrRetries, e.Last} }

// retries is the number of restarts allowed for one piece of work.
func (a *App) retries() int { return retriesOf(a.Retries) }

func (m *Manager) retries() int { return retriesOf(m.Retries) }

// retriesOf is a Retries setting's number: 0 means DefaultRetries,
// negative none.
func retriesOf(n int) int {
	switch {
	case n < 0:
		return 0
	case n == 0:
		return DefaultRetries
	}
	return n
}

// Restarts counts the plugin restarts of this run (all commands of the
// App).
func (a *App) Restarts() int { return int(a.restarts.Load()) }

// restartCount is App's counter (see Restarts).
type restartCount = atomic.Int64

// errNoRestart: the plugin cannot be restarted (it is served in this
// process, or the host is closing).
var errNoRestart = errors.New("host: plugin cannot be restarted")

// restart ends old (a plugin process the caller saw crash or hang) and
// makes a new process of its plugin current, unless another caller did
// already; fresh says whether this call did. The new process starts on
// its first use (current).
func (m *Manager) restart(old *proc) (fresh bool, err error) {
	if old.file.Reattach != nil {
		return false, errNoRestart
	}
	name := old.file.Name
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false, errNoRestart
	}
	if m.procs[name] == old {
		m.procs[name] = &proc{file: old.file}
		fresh = true
	}
	m.mu.Unlock()
	if fresh {
		m.stop(old, 0)
		if old.sc != nil {
			old.sc.Close()
		}
	}
	return fresh, nil
}

// current is the plugin's process now, started if it is not (err says
// why it did not start).
func (m *Manager) current(name string) (*proc, error) {
	p, err := m.start(name)
	if p == nil && err == nil {
		err = errNoRestart
	}
	return p, err
}

// died reports whether p's process has exited, waiting up to wait for it
// to be seen (a broken stream is seen before the process is reaped); a
// plugin served in this process never has.
func (p *proc) died(wait time.Duration) bool {
	r := p.run
	if r == nil {
		return false
	}
	select {
	case <-r.exited:
		return true
	case <-time.After(wait):
		return false
	}
}

// crashed reports whether err, the failure of a call to p, came from the
// plugin crashing or hanging (which a restart may cure), rather than from
// a refusal, a lie, or the command being stopped.
func crashed(ctx context.Context, p *proc, err error) bool {
	if err == nil || ctx.Err() != nil || p == nil || p.file.Reattach != nil {
		return false
	}
	if errors.Is(err, ErrChecksum) || errors.Is(err, ErrNotLocked) {
		return false // it must not start at all
	}
	if errors.Is(err, ErrRetries) || errors.Is(err, ErrNoReplay) {
		return false // reported already, or no restart can help
	}
	if errors.Is(err, client.ErrPluginHung) {
		return true
	}
	return errors.Is(err, client.ErrPluginFailed) && p.died(500*time.Millisecond)
}

// onPlugin runs f with the current process of the named plugin and, when
// the plugin crashes or hangs during f (or while it starts again), starts
// it again and runs f again, up to the retry limit; each restart is one
// line on Stderr naming the plugin and what (the piece of work). Before f
// runs on a restarted process, renew (when not nil) makes it ready (it
// configures a surface again). Without a manager (plugins given
// in-process) it returns errNoRestart at once.
func (a *App) onPlugin(ctx context.Context, plugin string, what func() string, renew func(p *proc) error, f func(p *proc) error) error {
	return a.onPluginCounted(ctx, plugin, what, nil, nil, renew, f)
}

// onPluginCounted is onPlugin counting its tries into tries (when not
// nil): one per time the work is asked for, whether the plugin then fails
// while it starts, is configured again or does the work. When at is not
// nil, it says where in the work f got to (an optimizer's step): a
// failure further on is a failure of another piece of work, whose tries
// are counted afresh.
func (a *App) onPluginCounted(ctx context.Context, plugin string, what func() string, tries *atomic.Int64, at func() int, renew func(p *proc) error, f func(p *proc) error) error {
	m := a.mgr
	if m == nil {
		return errNoRestart
	}
	limit := a.retries()
	renewed := true
	where := 0
	if at != nil {
		where = at()
	}
	for try := 1; ; try++ {
		if tries != nil {
			tries.Add(1)
		}
		p, err := m.current(plugin)
		if err == nil && !renewed && renew != nil {
			err = renew(p)
		}
		if err == nil {
			renewed = true
			err = f(p)
		}
		if !crashed(ctx, p, err) {
			return err
		}
		if at != nil {
			if w := at(); w != where {
				where, try = w, 1 // it got further: another piece of work
			}
		}
		if try > limit {
			if limit == 0 {
				return err
			}
			return &RetryError{Plugin: plugin, What: what(), Tries: try, Last: err}
		}
		fresh, rerr := m.restart(p)
		if rerr != nil {
			return err
		}
		renewed = false
		if fresh {
			a.restarts.Add(1)
			how := "exited or crashed"
			if errors.Is(err, client.ErrPluginHung) {
				how = "hung"
			}
			fmt.Fprintf(a.Stderr, "landscape: plugin %s %s while %s; restarted it (%d of %d)\n", plugin, how, what(), try, limit)
		}
	}
}

// call runs f with s's plugin client, restarting the plugin when it
// crashes or hangs during f (see onPlugin): f is one piece of work, asked
// for again whole. what says what it is, for the messages.
func (s *Surface) call(ctx context.Context, what func() string, f func(c *client.SurfaceClient) error) error {
	return s.callCounted(ctx, what, nil, f)
}

// callCounted is call counting its tries into tries (see
// onPluginCounted).
func (s *Surface) callCounted(ctx context.Context, what func() string, tries *atomic.Int64, f func(c *client.SurfaceClient) error) error {
	a := s.app
	if a == nil || a.mgr == nil || s.Entry.Plugin == "" {
		if tries != nil {
			tries.Add(1)
		}
		return f(s.Entry.Client)
	}
	err := a.onPluginCounted(ctx, s.Entry.Plugin, what, tries, nil, func(p *proc) error {
		// Settings travel with every call; describing the surface again
		// has the new process configure it (and fetch or build its data)
		// and checks it is the surface it was.
		d, err := p.sc.Describe(ctx, s.Ref)
		if err != nil {
			return err
		}
		if s.Desc.Name != "" && (d.Dim != s.Desc.Dim || d.Name != s.Desc.Name) {
			return fmt.Errorf("%w: plugin %s describes surface %s differently after a restart", client.ErrPluginFailed, s.Entry.Plugin, s.Desc.Name)
		}
		return nil
	}, func(p *proc) error {
		s.Entry.Client = p.sc
		return f(p.sc)
	})
	if errors.Is(err, errNoRestart) {
		if tries != nil {
			tries.Add(1)
		}
		return f(s.Entry.Client)
	}
	return err
}

// doing describes a batch of points asked of s, for the messages.
func (s *Surface) doing(verb string, n int) func() string {
	return func() string { return fmt.Sprintf("%s at %d points of surface %s", verb, n, s.Desc.Name) }
}

// The calls to a surface's plugin, each one piece of work that a
// restarted plugin is asked for again (see call).

func (s *Surface) loss(ctx context.Context, p client.Points) (v []float64, err error) {
	err = s.call(ctx, s.doing("computing losses", len(p.Points)/max(p.Dim, 1)), func(c *client.SurfaceClient) error {
		v, err = c.Loss(ctx, p)
		return err
	})
	return v, err
}

func (s *Surface) gradient(ctx context.Context, p client.Points) (v, g []float64, err error) {
	err = s.call(ctx, s.doing("computing gradients", len(p.Points)/max(p.Dim, 1)), func(c *client.SurfaceClient) error {
		v, g, err = c.Gradient(ctx, p)
		return err
	})
	return v, g, err
}

func (s *Surface) hessian(ctx context.Context, p client.Points) (h client.Hessians, err error) {
	err = s.call(ctx, s.doing("computing Hessians", len(p.Points)/max(p.Dim, 1)), func(c *client.SurfaceClient) error {
		h, err = c.Hessian(ctx, p)
		return err
	})
	return h, err
}

func (s *Surface) hvp(ctx context.Context, h client.HVPs) (p client.Products, err error) {
	what := func() string { return "computing Hessian-vector products of surface " + s.Desc.Name }
	err = s.call(ctx, what, func(c *client.SurfaceClient) error {
		p, err = c.HVP(ctx, h)
		return err
	})
	return p, err
}

func (s *Surface) dataset(ctx context.Context, ref client.Ref) (d sdk.Dataset, err error) {
	what := func() string { return "sending the samples of surface " + s.Desc.Name }
	err = s.call(ctx, what, func(c *client.SurfaceClient) error {
		d, err = c.Dataset(ctx, ref)
		return err
	})
	return d, err
}
