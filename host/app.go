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
	// PluginTimeout, when set, bounds a plugin's start and how long any
	// call to one may go without progress (client.Limits.Stall).
	PluginTimeout time.Duration
	// PluginMemory, when set, bounds each plugin's memory (Manager.Memory).
	PluginMemory int64
	// Insecure skips the checks of the lock file (see Lock), saying so.
	Insecure bool
	// LockFile is the lock file; "" means LockPath().
	LockFile string
	// CacheDir is the catalog cache's folder; "" means DefaultCacheDir(),
	// "-" no cache.
	CacheDir string
	// Retries is how many times a plugin that crashes or hangs is
	// restarted for the same piece of work (a tile, a batch of points, an
	// optimizer's batch) before the command fails; 0 means
	// DefaultRetries, negative none.
	Retries int

	restarts restartCount
	gl       glState
	once     sync.Once
	mgr      *Manager
	cat      *Catalog
	full     bool
	err      error
}

// Manager discovers plugins and reads the lock file (once), reports
// shadowed plugins, and returns the manager.
func (a *App) Manager() (*Manager, error) {
	a.once.Do(func() { a.mgr, a.err = a.newManager() })
	return a.mgr, a.err
}

func (a *App) newManager() (*Manager, error) {
	files := a.Plugins
	if files == nil {
		dirs := a.Dirs
		if dirs == nil {
			dirs = SearchDirs()
		}
		var err error
		if files, err = Discover(dirs); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		for _, s := range f.Shadows {
			fmt.Fprintf(a.Stderr, "landscape: warning: plugin %s at %s shadows %s, which is not run\n", f.Name, f.Path, s)
		}
	}
	m := NewManager(files, a.Stderr)
	if a.PluginTimeout > 0 {
		m.StartTimeout, m.Limits.Stall = a.PluginTimeout, a.PluginTimeout
	}
	if a.PluginMemory > 0 {
		m.Memory = a.PluginMemory
	}
	m.Retries = a.Retries
	switch a.CacheDir {
	case "":
		m.CacheDir = DefaultCacheDir()
	case "-":
	default:
		m.CacheDir = a.CacheDir
	}
	path := a.LockFile
	if path == "" {
		path = LockPath()
	}
	lock, err := ReadLock(path)
	if err != nil {
		return nil, err
	}
	if lock != nil && (a.Insecure || os.Getenv(InsecureEnv) == "1") {
		fmt.Fprintf(a.Stderr, "landscape: warning: plugins are not checked against the lock file %s (--insecure-plugins)\n", lock.Path)
		lock = nil
	}
	m.Lock = lock
	return m, nil
}

// Catalog lists every surface and optimizer (once per App), from the
// catalog cache where it can (see Manager.Catalog): only the plugins a
// command uses are started.
func (a *App) Catalog(ctx context.Context) (*Catalog, error) {
	return a.catalog(ctx, false)
}

// FullCatalog is Catalog, retrying the plugins that failed before: for the
// commands that list every plugin.
func (a *App) FullCatalog(ctx context.Context) (*Catalog, error) {
	return a.catalog(ctx, true)
}

func (a *App) catalog(ctx context.Context, retry bool) (*Catalog, error) {
	m, err := a.Manager()
	if err != nil {
		return nil, err
	}
	if a.cat == nil || retry && !a.full {
		c, err := m.Catalog(ctx, retry)
		if err != nil {
			return nil, err
		}
		for _, f := range c.failedNow {
			fmt.Fprintf(a.Stderr, "landscape: warning: %s\n", UserMessage(f))
		}
		a.cat, a.full = c, retry
	}
	return a.cat, nil
}

// Restart ends the plugin processes; the next call that needs them
// discovers and starts them afresh (after a plugin crashed, say). Not for
// concurrent use with other calls.
func (a *App) Restart() {
	if a.mgr != nil {
		a.mgr.Close()
	}
	a.mgr, a.cat, a.full, a.err, a.once = nil, nil, false, nil, sync.Once{}
}

// Close ends the plugin processes (within a fraction of a second,
// whatever they do) and the GL context.
func (a *App) Close() {
	if a.mgr != nil {
		a.mgr.Close()
	}
	if a.gl.ctx != nil {
		a.gl.ctx.Close()
	}
}

// Abandon kills the plugin processes and removes the host's private
// folders without waiting on anything: for a host that must exit now
// (while another goroutine may still be using the App).
func (a *App) Abandon() {
	if m := a.mgr; m != nil {
		m.Abandon()
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
