package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// App is one run of the host: it discovers plugins on first need, keeps
// their processes for the run, and ends them on Close.
type App struct {
	Stderr io.Writer
	// Dirs overrides SearchDirs (tests).
	Dirs []string
	// Plugins, when set, are the plugins instead of those discovery finds
	// (tests: plugins served in-process, see PluginFile.Reattach).
	Plugins []PluginFile
	// GLPlatform picks the GL platform (see gl.Options); "" tries all.
	GLPlatform string

	gl   glState
	once sync.Once
	mgr  *Manager
	cat  *Catalog
	err  error
}

// Manager discovers plugins (once) and returns the manager.
func (a *App) Manager() (*Manager, error) {
	a.once.Do(func() {
		files := a.Plugins
		if files == nil {
			dirs := a.Dirs
			if dirs == nil {
				dirs = SearchDirs()
			}
			var err error
			if files, err = Discover(dirs); err != nil {
				a.err = err
				return
			}
		}
		a.mgr = NewManager(files, a.Stderr)
	})
	return a.mgr, a.err
}

// Catalog lists every surface (once per App).
func (a *App) Catalog(ctx context.Context) (*Catalog, error) {
	m, err := a.Manager()
	if err != nil {
		return nil, err
	}
	if a.cat == nil {
		c, err := m.Catalog(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range c.Failed {
			fmt.Fprintf(a.Stderr, "landscape: warning: %s\n", UserMessage(f))
		}
		a.cat = c
	}
	return a.cat, nil
}

// CallTimeout derives a context for a short plugin call.
func (a *App) CallTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	d := 30 * time.Second
	if a.mgr != nil {
		d = a.mgr.CallTimeout
	}
	return context.WithTimeout(ctx, d)
}

// Restart ends the plugin processes; the next call that needs them
// discovers and starts them afresh (after a plugin crashed, say). Not for
// concurrent use with other calls.
func (a *App) Restart() {
	if a.mgr != nil {
		a.mgr.Close()
	}
	a.mgr, a.cat, a.err, a.once = nil, nil, nil, sync.Once{}
}

// Close ends the plugin processes and the GL context.
func (a *App) Close() {
	if a.mgr != nil {
		a.mgr.Close()
	}
	if a.gl.ctx != nil {
		a.gl.ctx.Close()
	}
}

// Progress returns a progress callback that draws a bar on w when w is a
// terminal and the work is large enough to wait for; otherwise it does
// nothing. Call the returned stop when the work ends.
func Progress(w io.Writer, label string, total int) (update func(done, total int), stop func()) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || total < 1<<20 {
		return func(int, int) {}, func() {}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
	var mu sync.Mutex
	return func(done, _ int) {
			mu.Lock()
			bar.Set(done)
			mu.Unlock()
		}, func() {
			mu.Lock()
			bar.Finish()
			bar.Clear()
			mu.Unlock()
		}
}

// UserMessage is err as one line for a person: whitespace folded, and the
// package prefixes that errors carry for programs ("host: ", "render: ",
// ...) and the bare sentinel words some add ("plugin failed: ") dropped.
// It is the one place errors become what a user reads.
func UserMessage(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return prefixRE.ReplaceAllString(s, "$1")
}

// prefixRE matches package prefixes at the start or after ": ": every
// package whose errors reach users names itself so.
var prefixRE = regexp.MustCompile(`(^|: )(?:(?:client: plugin failed|gl: shader build failed|host|sdk|client|grid|compute|optimize|neb|critical|stats|gl|render|view): )+`)
