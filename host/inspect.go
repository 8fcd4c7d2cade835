package host

import (
	"context"
	"os"
	"sync"

	"github.com/landscape-go/landscape/sdk/client"
)

// PluginStatus is what the host knows of a plugin file: where it is, its
// checksum, the protocol version it speaks, what it serves, whether the
// lock file pins it, and the files of its name it shadows.
type PluginStatus struct {
	Name       string   `json:"name"`
	Path       string   `json:"path"`
	SHA256     string   `json:"sha256"`
	Protocol   int      `json:"protocol"`
	Surfaces   []string `json:"surfaces"`
	Optimizers []string `json:"optimizers"`
	// Lock is "pinned", "differs" or "not pinned" when there is a lock
	// file (LockFile), "" when there is none (or it is not checked).
	Lock     string   `json:"lock,omitempty"`
	LockFile string   `json:"lock_file,omitempty"`
	Shadows  []string `json:"shadows,omitempty"`
	// Error says why the plugin could not be started or listed.
	Error string `json:"error,omitempty"`
}

// InspectPlugins starts every plugin and describes it (see PluginStatus).
func (a *App) InspectPlugins(ctx context.Context) ([]PluginStatus, error) {
	m, err := a.Manager()
	if err != nil {
		return nil, err
	}
	out := make([]PluginStatus, len(m.files))
	var wg sync.WaitGroup
	for i, f := range m.files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := PluginStatus{Name: f.Name, Path: f.Path, Shadows: f.Shadows, Surfaces: []string{}, Optimizers: []string{}}
			defer func() { out[i] = st }()
			if fh, err := os.Open(f.Path); err == nil {
				st.SHA256, _ = fileSum(fh)
				fh.Close()
			}
			if m.Lock != nil {
				st.LockFile = m.Lock.Path
				switch sum, err := m.Lock.Sum(f.Path); {
				case err != nil:
					st.Lock = "not pinned"
				case sum == st.SHA256:
					st.Lock = "pinned"
				default:
					st.Lock = "differs"
				}
			}
			p, err := m.start(f.Name)
			var l client.Listing
			if err == nil {
				st.Protocol = p.protocol
				l, err = client.List(ctx, p.sc, p.oc)
			}
			if err != nil {
				st.Error = UserMessage(err)
				return
			}
			for _, d := range l.Surfaces {
				st.Surfaces = append(st.Surfaces, d.Name)
			}
			for _, o := range l.Optimizers {
				st.Optimizers = append(st.Optimizers, o.Name)
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// LockPlugins writes the lock file (LockFile, or LockPath()), pinning every
// plugin found as it is now.
func (a *App) LockPlugins() (string, []LockedPlugin, error) {
	m, err := a.Manager()
	if err != nil {
		return "", nil, err
	}
	path := a.LockFile
	if path == "" {
		path = LockPath()
	}
	locked, err := WriteLock(path, m.files)
	return path, locked, err
}
