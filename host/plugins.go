package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// PluginPrefix starts the file name of every plugin executable.
const PluginPrefix = "landscape-plugin-"

// PathEnv names the environment variable of extra plugin folders.
const PathEnv = "LANDSCAPE_PLUGIN_PATH"

// ErrNoPlugins: discovery found no plugin executable.
var ErrNoPlugins = errors.New("host: no plugins found")

// PluginFile is a discovered plugin executable.
type PluginFile struct {
	// Name is the file name without PluginPrefix.
	Name string
	Path string
	// Reattach, when set, reaches a plugin already serving (in this
	// process, for tests: sdk.ServeTest) instead of starting Path.
	Reattach *plugin.ReattachConfig
	// Shadows are the other files of the same name in later folders,
	// which this one hides: they are never run.
	Shadows []string
}

// SearchDirs lists where plugins are looked for, in order: every folder on
// LANDSCAPE_PLUGIN_PATH, the folder of the running binary, and its plugins
// subfolder (where `make build` puts them).
func SearchDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv(PathEnv)) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if exe, err := os.Executable(); err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		dir := filepath.Dir(exe)
		dirs = append(dirs, dir, filepath.Join(dir, "plugins"))
	}
	return dirs
}

// Discover finds plugin executables in dirs. A plugin name found in an
// earlier folder shadows the same name in later ones (as PATH does); the
// shadowed files are recorded (PluginFile.Shadows), not run. A folder
// given twice is read once.
func Discover(dirs []string) ([]PluginFile, error) {
	byName := map[string]int{}
	var out []PluginFile
	var seenDirs []os.FileInfo
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() {
			continue
		}
		dup := false
		for _, s := range seenDirs {
			dup = dup || os.SameFile(s, st)
		}
		if dup {
			continue
		}
		seenDirs = append(seenDirs, st)
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if !strings.HasPrefix(n, PluginPrefix) || len(n) == len(PluginPrefix) {
				continue
			}
			p := filepath.Join(d, n)
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
				continue
			}
			if i, ok := byName[n]; ok {
				if first, err := os.Stat(out[i].Path); err != nil || !os.SameFile(first, st) {
					out[i].Shadows = append(out[i].Shadows, p)
				}
				continue
			}
			byName[n] = len(out)
			out = append(out, PluginFile{Name: strings.TrimPrefix(n, PluginPrefix), Path: p})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w (looked for %s* in %s); run `make build`, or set %s to the folder holding them",
			ErrNoPlugins, PluginPrefix, strings.Join(dirs, ", "), PathEnv)
	}
	return out, nil
}

// Manager starts plugin processes lazily, one per plugin executable, only
// when a command needs one, reuses them across calls and ends them on
// Close. Plugins die with the host (Pdeathsig on Linux) even if Close is
// never reached.
//
// A started plugin runs in a process group of its own, with a minimal
// environment and no standard input, from the very file its lock pins
// (when there is a lock), with its memory bounded; it talks to the host
// over a Unix socket in a folder only this user can enter, under mutual
// TLS (go-plugin's AutoMTLS), and writes grid rows only into files of the
// host's own shared folder. Every call to it runs under a watchdog
// (client.Limits): a plugin that stops making progress is ended and
// reported.
type Manager struct {
	files  []PluginFile
	logger hclog.Logger
	// StartTimeout bounds a plugin's start and handshake.
	StartTimeout time.Duration
	// Limits bound the calls to started plugins (client.Limits).
	Limits client.Limits
	// Memory bounds each plugin's data memory (RLIMIT_DATA, on Linux); 0
	// leaves it unbounded.
	Memory int64
	// Lock, when not nil, pins the plugins (see Lock); nil runs any.
	Lock *Lock
	// CacheDir, when set, is the folder of the catalog's cache (see
	// Catalog).
	CacheDir string
	// Retries is how many times a plugin that crashes while it starts or
	// lists what it serves is started again (see App.Retries).
	Retries int

	mu        sync.Mutex
	procs     map[string]*proc
	dir       string // the host's private folder: the plugins' sockets
	sharedDir string // the host's shared files
	closed    bool
	sums      map[string]string // plugins' sha256 (pluginSum)
}

// closeGrace is how long Close and a hung plugin's end wait for a plugin
// to exit after SIGTERM before SIGKILL.
const closeGrace = 300 * time.Millisecond

type proc struct {
	once     sync.Once
	file     PluginFile
	client   *plugin.Client
	run      *procRunner // nil for a reattached plugin
	sc       *client.SurfaceClient
	oc       *client.OptimizerClient
	protocol int
	err      error
	stopOnce sync.Once
}

// NewManager manages the given plugin files. Plugin and plugin-transport
// logs go to logw at the level named by LANDSCAPE_LOG (trace, debug, info,
// warn, error); by default they are off, since every failure that matters
// reaches the user as an error.
func NewManager(files []PluginFile, logw io.Writer) *Manager {
	lvl := hclog.LevelFromString(os.Getenv("LANDSCAPE_LOG"))
	if lvl == hclog.NoLevel {
		lvl = hclog.Off
	}
	return &Manager{
		files:        files,
		logger:       hclog.New(&hclog.LoggerOptions{Name: "landscape", Output: logw, Level: lvl}),
		StartTimeout: 10 * time.Second,
		Memory:       defaultPluginMemory(),
		procs:        map[string]*proc{},
	}
}

// defaultPluginMemory is half the machine's memory, at least 1 GiB (0,
// unbounded, when the machine does not say).
func defaultPluginMemory() int64 {
	if m := physicalMemory(); m > 0 {
		return max(m/2, 1<<30)
	}
	return 0
}

// Files are the plugin files the manager runs.
func (m *Manager) Files() []PluginFile { return m.files }

// file is the plugin file called name.
func (m *Manager) file(name string) (PluginFile, error) {
	for _, f := range m.files {
		if f.Name == name {
			return f, nil
		}
	}
	return PluginFile{}, fmt.Errorf("host: no plugin named %q", name)
}

// start starts (once) the named plugin.
func (m *Manager) start(name string) (*proc, error) {
	f, err := m.file(name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("host: plugin manager is closed")
	}
	p := m.procs[name]
	if p == nil {
		p = &proc{file: f}
		m.procs[name] = p
	}
	m.mu.Unlock()
	p.once.Do(func() { m.launch(p) })
	return p, p.err
}

// startAgain starts (once) the named plugin and runs f with it (when not
// nil); a plugin killed while it starts or during f is no broken plugin:
// it is started again (as crashed plugins are), up to the retry limit.
func (m *Manager) startAgain(ctx context.Context, name string, f func(p *proc) error) (*proc, error) {
	p, err := m.start(name)
	if err == nil && f != nil {
		err = f(p)
	}
	for try := 0; try < m.retries() && crashed(ctx, p, err); try++ {
		if _, rerr := m.restart(p); rerr != nil {
			break
		}
		if p, err = m.start(name); err == nil && f != nil {
			err = f(p)
		}
	}
	return p, err
}

// Client starts (once) the named plugin and returns its surface client.
func (m *Manager) Client(name string) (*client.SurfaceClient, error) {
	p, err := m.start(name)
	if err != nil {
		return nil, err
	}
	return p.sc, nil
}

// Optimizers starts (once) the named plugin and returns its optimizer client.
func (m *Manager) Optimizers(name string) (*client.OptimizerClient, error) {
	p, err := m.start(name)
	if err != nil {
		return nil, err
	}
	return p.oc, nil
}

// SharedDir is the private folder on tmpfs (under /dev/shm, or
// LANDSCAPE_SHARED_ROOT) through which plugins hand grid rows to the host
// (see client.Rows.SharedDir), made with the first plugin started and
// removed by Close; "" when there is none and rows are streamed.
func (m *Manager) SharedDir() string {
	m.folders()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sharedDir
}

// folders makes (once) the host's private folders, removing first what
// killed hosts left.
func (m *Manager) folders() (dir, shared string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return "", "", errors.New("host: plugin manager is closed")
	}
	if m.dir == "" {
		rt := runtimeDir()
		removeStale(rt, privatePrefix)
		if m.dir, err = privateDir(rt); err != nil {
			return "", "", fmt.Errorf("host: plugin socket folder: %w", err)
		}
		if root := sharedRoot(); root != "" {
			removeStale(root, privatePrefix)
			m.sharedDir, _ = privateDir(root) // none: rows are streamed
		}
	}
	return m.dir, m.sharedDir, nil
}

// launch starts p's plugin and connects to it; p.err says why it could not.
func (m *Manager) launch(p *proc) {
	f := p.file
	fail := func(err error) {
		m.stop(p, 0)
		if errors.Is(err, ErrChecksum) {
			p.err = fmt.Errorf("%w: plugin %s did not start: %w", client.ErrPluginFailed, f.Name, err)
			return
		}
		p.err = fmt.Errorf("%w: plugin %s (%s) did not start: %v", client.ErrPluginFailed, f.Name, f.Path, firstLine(err.Error()))
	}
	cfg := &plugin.ClientConfig{
		HandshakeConfig:  client.Handshake(),
		Plugins:          client.Plugins(),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           m.logger.Named(f.Name),
		StartTimeout:     m.StartTimeout,
		GRPCDialOptions:  client.DialOptions(),
	}
	if f.Reattach != nil {
		cfg.Reattach = f.Reattach
	} else {
		dir, shared, err := m.folders()
		if err != nil {
			p.err = err
			return
		}
		sum := ""
		if m.Lock != nil {
			if sum, err = m.Lock.Sum(f.Path); err != nil {
				p.err = fmt.Errorf("%w: plugin %s: %w", client.ErrPluginFailed, f.Name, err)
				return
			}
		}
		env := pluginEnv(shared)
		cfg.AutoMTLS = true
		cfg.SkipHostEnv = true
		cfg.UnixSocketConfig = &plugin.UnixSocketConfig{TempDir: dir}
		cfg.RunnerFunc = func(l hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			r, err := newRunner(l, f.Path, spec, env, sum, m.Memory)
			if err != nil {
				return nil, err
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.closed {
				return nil, errStopped
			}
			p.run = r
			return r, nil
		}
	}
	c := plugin.NewClient(cfg)
	m.mu.Lock()
	p.client = c
	m.mu.Unlock()
	// Client bounds the handshake by StartTimeout, but not everything
	// after it: bounded here.
	type started struct {
		rpc plugin.ClientProtocol
		err error
	}
	ch := make(chan started, 1)
	go func() {
		rpc, err := c.Client()
		ch <- started{rpc, err}
	}()
	var s started
	select {
	case s = <-ch:
	case <-time.After(m.StartTimeout + time.Second):
		s.err = fmt.Errorf("no connection after %s", m.StartTimeout)
	}
	if s.err != nil {
		fail(s.err)
		return
	}
	sc, oc, err := client.Dispense(s.rpc, f.Name)
	if err != nil {
		m.stop(p, 0)
		p.err = err
		return
	}
	sc.Limits = m.Limits
	sc.OnHung = func() { m.stop(p, closeGrace) }
	p.sc, p.oc, p.protocol = sc, oc, c.NegotiatedVersion()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// stop ends p's plugin (once): SIGTERM, then SIGKILL after grace. It never
// waits on the plugin longer than about grace (go-plugin's own cleanup,
// which can wait on a stopped plugin without a deadline, runs apart).
func (m *Manager) stop(p *proc, grace time.Duration) {
	p.stopOnce.Do(func() {
		m.mu.Lock()
		r, c := p.run, p.client
		m.mu.Unlock()
		if r != nil {
			r.stop(grace)
		}
		if c == nil {
			return
		}
		done := make(chan struct{})
		go func() { defer close(done); c.Kill() }()
		if r == nil { // a reattached plugin: go-plugin ends the connection
			select {
			case <-done:
			case <-time.After(time.Second):
			}
		}
	})
}

// Close ends every plugin process (within about closeGrace, whatever they
// do) and removes the host's private folders.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	procs := m.procs
	m.procs = map[string]*proc{}
	dirs := []string{m.dir, m.sharedDir}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.stop(p, closeGrace)
			if p.sc != nil {
				p.sc.Close()
			}
		}()
	}
	wg.Wait()
	for _, d := range dirs {
		if d != "" {
			os.RemoveAll(d)
		}
	}
}

// Abandon ends every plugin process at once (SIGKILL) and removes the
// host's private folders, waiting on nothing: for a host that must exit
// now.
func (m *Manager) Abandon() {
	m.mu.Lock()
	m.closed = true
	var runs []*procRunner
	for _, p := range m.procs {
		if p.run != nil {
			runs = append(runs, p.run)
		}
	}
	dirs := []string{m.dir, m.sharedDir}
	m.mu.Unlock()
	for _, r := range runs {
		r.stop(0)
	}
	for _, d := range dirs {
		if d != "" {
			os.RemoveAll(d)
		}
	}
}

// Entry is a surface in the catalog.
type Entry struct {
	client.Descriptor
	Plugin string
	// Client is the plugin's client, set when the entry comes from
	// Catalog.Lookup (which starts the plugin).
	Client *client.SurfaceClient
	// SharedDir carries grid rows from the plugin (see Manager.SharedDir).
	SharedDir string
}

// OptEntry is an optimizer in the catalog.
type OptEntry struct {
	sdk.OptimizerInfo
	Plugin string
	// Client: see Entry.Client.
	Client *client.OptimizerClient
}

// Catalog is every surface and optimizer the plugins serve.
type Catalog struct {
	Entries    []Entry
	Optimizers []OptEntry
	// Clashes maps a surface or optimizer name served by several plugins to
	// them.
	Clashes map[string][]string
	// Failed holds one error per plugin that could not be listed.
	Failed []error

	m *Manager
	// failedNow are the failures of this listing (not the cache's).
	failedNow []error
}

// Catalog lists what the plugins serve. With a cache (CacheDir), a
// plugin's listing is taken from it while the plugin's file (and the host's,
// and the plugins' environment) are unchanged, and the plugin is started
// only when a command looks up something it serves (Catalog.Lookup); a
// plugin that failed is then not started again unless retry is set (the
// listing commands set it). Without a cache every plugin is started (in
// parallel) to list it. A plugin that fails is recorded in Failed; the
// others are listed.
func (m *Manager) Catalog(ctx context.Context, retry bool) (*Catalog, error) {
	cache := m.openCache()
	type res struct {
		plugin string
		l      client.Listing
		err    error
		fresh  bool
	}
	out := make([]res, len(m.files))
	var wg sync.WaitGroup
	for i, f := range m.files {
		out[i].plugin = f.Name
		if l, err, ok := cache.get(f, retry); ok {
			out[i].l, out[i].err = l, err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var l client.Listing
			p, err := m.startAgain(ctx, f.Name, func(p *proc) (err error) {
				l, err = client.List(ctx, p.sc, p.oc)
				return err
			})
			if ctx.Err() != nil {
				return
			}
			out[i] = res{plugin: f.Name, l: l, err: err, fresh: true}
			proto := 0
			if p != nil {
				proto = p.protocol
			}
			cache.put(f, l, proto, err)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cache.save()
	c := &Catalog{Clashes: map[string][]string{}, m: m}
	owners, oowners := map[string][]string{}, map[string][]string{}
	for _, r := range out {
		if r.err != nil {
			c.Failed = append(c.Failed, r.err)
			if r.fresh {
				c.failedNow = append(c.failedNow, r.err)
			}
			continue
		}
		for _, d := range r.l.Surfaces {
			owners[d.Name] = append(owners[d.Name], r.plugin)
			c.Entries = append(c.Entries, Entry{Descriptor: d, Plugin: r.plugin})
		}
		for _, o := range r.l.Optimizers {
			oowners[o.Name] = append(oowners[o.Name], r.plugin)
			c.Optimizers = append(c.Optimizers, OptEntry{OptimizerInfo: o, Plugin: r.plugin})
		}
	}
	for n, ps := range oowners {
		if len(ps) > 1 {
			c.Clashes[n] = ps
		}
	}
	sort.SliceStable(c.Optimizers, func(i, j int) bool { return c.Optimizers[i].Name < c.Optimizers[j].Name })
	for n, ps := range owners {
		if len(ps) > 1 {
			c.Clashes[n] = ps
		}
	}
	sort.SliceStable(c.Entries, func(i, j int) bool { return c.Entries[i].Name < c.Entries[j].Name })
	return c, nil
}

// connect starts the plugin of e (when the catalog has a manager) and
// sets its client.
func (c *Catalog) connect(e *Entry) error {
	if c.m == nil || e.Client != nil {
		return nil
	}
	p, err := c.m.startAgain(context.Background(), e.Plugin, nil)
	if err != nil {
		return err
	}
	e.Client = p.sc
	if p.file.Reattach == nil {
		e.SharedDir = c.m.SharedDir()
	}
	return nil
}

// connectOpt is connect for an optimizer.
func (c *Catalog) connectOpt(o *OptEntry) error {
	if c.m == nil || o.Client != nil {
		return nil
	}
	p, err := c.m.startAgain(context.Background(), o.Plugin, nil)
	if err != nil {
		return err
	}
	o.Client = p.oc
	return nil
}
