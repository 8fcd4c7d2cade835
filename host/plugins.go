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
// earlier folder shadows the same name in later ones (as PATH does).
func Discover(dirs []string) ([]PluginFile, error) {
	seen := map[string]bool{}
	var out []PluginFile
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if !strings.HasPrefix(n, PluginPrefix) || len(n) == len(PluginPrefix) || seen[n] {
				continue
			}
			p := filepath.Join(d, n)
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
				continue
			}
			seen[n] = true
			out = append(out, PluginFile{Name: strings.TrimPrefix(n, PluginPrefix), Path: p})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w (looked for %s* in %s); run `make build`, or set %s to the folder holding them",
			ErrNoPlugins, PluginPrefix, strings.Join(dirs, ", "), PathEnv)
	}
	return out, nil
}

// Manager launches plugin processes lazily, one per plugin executable,
// reuses them across calls and ends them on Close. Plugins die with the host
// (Pdeathsig on Linux) even if Close is never reached.
type Manager struct {
	files  []PluginFile
	logger hclog.Logger
	// StartTimeout bounds a plugin's start and handshake.
	StartTimeout time.Duration
	// CallTimeout bounds short calls (listing, describing).
	CallTimeout time.Duration

	mu        sync.Mutex
	procs     map[string]*proc
	sockDir   string
	sharedDir string
	closed    bool
}

// SharedDir is a private folder on tmpfs (/dev/shm) through which plugins
// hand grid rows to the host (see client.RowOptions.SharedDir), created on first
// use and removed by Close; "" where there is no tmpfs, and rows are streamed.
func (m *Manager) SharedDir() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sharedDir == "" && !m.closed {
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			if d, err := os.MkdirTemp("/dev/shm", "landscape-"); err == nil {
				m.sharedDir = d
			}
		}
	}
	return m.sharedDir
}

type proc struct {
	once   sync.Once
	client *plugin.Client
	sc     *client.SurfaceClient
	oc     *client.OptimizerClient
	err    error
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
		StartTimeout: 15 * time.Second,
		CallTimeout:  30 * time.Second,
		procs:        map[string]*proc{},
	}
}

// Client starts (once) the named plugin and returns its surface client.
func (m *Manager) Client(name string) (*client.SurfaceClient, error) {
	var file *PluginFile
	for i := range m.files {
		if m.files[i].Name == name {
			file = &m.files[i]
		}
	}
	if file == nil {
		return nil, fmt.Errorf("host: no plugin named %q", name)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("host: plugin manager is closed")
	}
	if m.sockDir == "" {
		d, err := os.MkdirTemp(runtimeDir(), "landscape-")
		if err != nil {
			m.mu.Unlock()
			return nil, fmt.Errorf("host: plugin socket folder: %w", err)
		}
		m.sockDir = d
	}
	p := m.procs[name]
	if p == nil {
		p = &proc{}
		m.procs[name] = p
	}
	sock := m.sockDir
	m.mu.Unlock()
	p.once.Do(func() { p.sc, p.oc, p.client, p.err = m.start(*file, sock) })
	return p.sc, p.err
}

// Optimizers starts (once) the named plugin and returns its optimizer client.
func (m *Manager) Optimizers(name string) (*client.OptimizerClient, error) {
	if _, err := m.Client(name); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.procs[name].oc, nil
}

func runtimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return os.TempDir()
}

func (m *Manager) start(f PluginFile, sockDir string) (*client.SurfaceClient, *client.OptimizerClient, *plugin.Client, error) {
	cfg := &plugin.ClientConfig{
		HandshakeConfig:  client.Handshake(),
		Plugins:          client.Plugins(),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           m.logger.Named(f.Name),
		StartTimeout:     m.StartTimeout,
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: sockDir},
		GRPCDialOptions:  client.DialOptions(),
	}
	if f.Reattach != nil {
		cfg.Reattach = f.Reattach
	} else {
		cmd := exec.Command(f.Path)
		setDeathSignal(cmd)
		cfg.Cmd = cmd
	}
	c := plugin.NewClient(cfg)
	var rpc plugin.ClientProtocol
	var err error
	onSpawnThread(func() { rpc, err = c.Client() })
	if err != nil {
		c.Kill()
		return nil, nil, nil, fmt.Errorf("%w: plugin %s (%s) did not start: %v", client.ErrPluginFailed, f.Name, f.Path, firstLine(err.Error()))
	}
	sc, oc, err := client.Dispense(rpc, f.Name)
	if err != nil {
		c.Kill()
		return nil, nil, nil, err
	}
	return sc, oc, c, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Close ends every plugin process and removes their socket folder.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	procs := m.procs
	m.procs = map[string]*proc{}
	dirs := []string{m.sockDir, m.sharedDir}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		if p.sc != nil {
			p.sc.Close()
		}
		if p.client != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.client.Kill() }()
		}
	}
	wg.Wait()
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
	Client *client.SurfaceClient
	// SharedDir carries grid rows from the plugin (see Manager.SharedDir).
	SharedDir string
}

// OptEntry is an optimizer in the catalog.
type OptEntry struct {
	sdk.OptimizerInfo
	Plugin string
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
}

// Catalog starts every plugin (in parallel) and lists their surfaces. A
// plugin that fails is recorded in Failed; the others are listed.
func (m *Manager) Catalog(ctx context.Context) (*Catalog, error) {
	type res struct {
		plugin string
		ds     []client.Descriptor
		os     []sdk.OptimizerInfo
		sc     *client.SurfaceClient
		oc     *client.OptimizerClient
		err    error
	}
	out := make([]res, len(m.files))
	var wg sync.WaitGroup
	for i, f := range m.files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc, err := m.Client(f.Name)
			if err != nil {
				out[i] = res{plugin: f.Name, err: err}
				return
			}
			cctx, cancel := context.WithTimeout(ctx, m.CallTimeout)
			defer cancel()
			ds, err := sc.List(cctx)
			var opts []sdk.OptimizerInfo
			oc, _ := m.Optimizers(f.Name)
			if err == nil {
				opts, err = oc.List(cctx)
			}
			out[i] = res{plugin: f.Name, ds: ds, os: opts, sc: sc, oc: oc, err: err}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &Catalog{Clashes: map[string][]string{}}
	shared := m.SharedDir()
	owners, oowners := map[string][]string{}, map[string][]string{}
	for _, r := range out {
		if r.err != nil {
			c.Failed = append(c.Failed, r.err)
			continue
		}
		for _, d := range r.ds {
			owners[d.Name] = append(owners[d.Name], r.plugin)
			c.Entries = append(c.Entries, Entry{Descriptor: d, Plugin: r.plugin, Client: r.sc, SharedDir: shared})
		}
		for _, o := range r.os {
			oowners[o.Name] = append(oowners[o.Name], r.plugin)
			c.Optimizers = append(c.Optimizers, OptEntry{OptimizerInfo: o, Plugin: r.plugin, Client: r.oc})
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
