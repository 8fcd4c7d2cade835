package client

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrPluginHung: a plugin stopped making progress on a call (it is stopped,
// deadlocked, or in a loop that never ends). Errors that match it match
// ErrPluginFailed too.
var ErrPluginHung = errors.New("client: plugin hung")

// Limits bound how long the host waits on a plugin and how much it takes
// from one. The zero value of a field means its default (DefaultLimits).
type Limits struct {
	// Stall bounds how long a call may go without the plugin making
	// progress: answering, sending a message, or finishing work (an
	// evaluation, an optimizer step), which the watchdog learns by asking
	// the plugin (the Activity call) while the call is in flight. So a
	// call's deadline follows its work: a grid that takes an hour is
	// fine as long as its points keep being evaluated.
	Stall time.Duration
	// MaxPoints bounds the points one optimizer request may ask for: at
	// most MaxPoints, or 4 per run in batches of more than MaxPoints/4
	// runs.
	MaxPoints int
}

// DefaultLimits are the limits of the zero Limits.
func DefaultLimits() Limits { return Limits{Stall: 30 * time.Second, MaxPoints: 1 << 22} }

func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.Stall <= 0 {
		l.Stall = d.Stall
	}
	if l.MaxPoints <= 0 {
		l.MaxPoints = d.MaxPoints
	}
	return l
}

// maxAsk is the most points a request of a batch of runs may ask for.
func (l Limits) maxAsk(runs int) int { return max(l.MaxPoints, 4*runs) }

// hungError is a call ended by the watchdog.
type hungError struct {
	plugin, what string
	stall        time.Duration
	reports      bool
}

func (e *hungError) Error() string {
	s := fmt.Sprintf("client: %s made no progress for %s while %s", e.plugin, e.stall, e.what)
	if !e.reports {
		s += " (it does not report its progress: rebuild it with the current SDK)"
	}
	return s
}

// Is matches ErrPluginHung and ErrPluginFailed.
func (e *hungError) Is(target error) bool {
	return target == ErrPluginHung || target == ErrPluginFailed
}

// errStalled is the watchdog's cause when it ends a call.
var errStalled = errors.New("client: no progress")

// conn is what both of a plugin's clients share: its name, its limits,
// the question the watchdog asks, and what to do when it hangs.
type conn struct {
	// Plugin names the plugin in errors; the host sets it.
	Plugin string
	// Limits bound the waits on the plugin; the host sets them before the
	// first call.
	Limits Limits
	// OnHung, when set, is called (once per hung call, before the call
	// returns) when the watchdog ends a call: the host ends the plugin.
	OnHung func()

	activity pb.SurfaceServiceClient
}

func (c *conn) name() string {
	if c.Plugin == "" {
		return "plugin"
	}
	return "plugin " + c.Plugin
}

// watch is one call under the watchdog.
type watch struct {
	c       *conn
	stall   time.Duration
	last    atomic.Int64 // unix nanoseconds of the last progress
	paused  atomic.Bool
	reports atomic.Bool // the plugin answers Activity
	cancel  context.CancelCauseFunc
	ctx     context.Context
	done    chan struct{}
}

// watchCall starts the watchdog over a call: the returned context ends
// when the plugin makes no progress for the stall limit. Call beat for
// progress the call sees itself (a message received), pause and resume
// around work of the host's own, and end when the call is over, with its
// error, which end turns into a hung error when the watchdog ended it.
func (c *conn) watchCall(ctx context.Context) (context.Context, *watch) {
	lim := c.Limits.orDefault()
	w := &watch{c: c, stall: lim.Stall, done: make(chan struct{})}
	w.ctx, w.cancel = context.WithCancelCause(ctx)
	w.reports.Store(true)
	w.beat()
	go w.run()
	return w.ctx, w
}

func (w *watch) beat() { w.last.Store(time.Now().UnixNano()) }

// pause stops the clock while the host works; resume restarts it.
func (w *watch) pause() { w.paused.Store(true) }
func (w *watch) resume() {
	w.beat()
	w.paused.Store(false)
}

// run ticks, asks the plugin for its activity (one question at a time),
// and ends the call when nothing moved for the stall limit.
func (w *watch) run() {
	every := min(max(w.stall/4, 5*time.Millisecond), time.Second)
	tick := time.NewTicker(every)
	defer tick.Stop()
	type answer struct {
		n   uint64
		err error
	}
	answers := make(chan answer, 1)
	asking, known := false, false
	var seen uint64
	for {
		select {
		case <-w.done:
			return
		case <-w.ctx.Done():
			return
		case a := <-answers:
			asking = false
			switch {
			case status.Code(a.err) == codes.Unimplemented:
				w.reports.Store(false)
			case a.err == nil:
				if known && a.n != seen {
					w.beat()
				}
				seen, known = a.n, true
			}
		case <-tick.C:
			if w.paused.Load() {
				continue
			}
			if time.Since(time.Unix(0, w.last.Load())) > w.stall {
				w.cancel(errStalled)
				return
			}
			if !asking && w.reports.Load() && w.c.activity != nil {
				asking = true
				go func() {
					ctx, cancel := context.WithTimeout(w.ctx, w.stall)
					defer cancel()
					r, err := w.c.activity.Activity(ctx, &pb.ActivityRequest{})
					answers <- answer{r.GetDone(), err}
				}()
			}
		}
	}
}

// end stops the watchdog; err is the call's outcome. When the watchdog
// ended the call it reports the plugin as hung (what says what it was
// doing), after calling OnHung.
func (w *watch) end(err error, what func() string) error {
	close(w.done)
	hung := err != nil && errors.Is(context.Cause(w.ctx), errStalled)
	w.cancel(nil)
	if !hung {
		return err
	}
	if w.c.OnHung != nil {
		w.c.OnHung()
	}
	return &hungError{plugin: w.c.name(), what: what(), stall: w.stall, reports: w.reports.Load()}
}

// watched runs one call under the watchdog (see watchCall); f calls beat
// for the progress it sees itself.
func (c *conn) watched(ctx context.Context, what func() string, f func(ctx context.Context, beat func()) error) error {
	wctx, w := c.watchCall(ctx)
	return w.end(f(wctx, w.beat), what)
}
