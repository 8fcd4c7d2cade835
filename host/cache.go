package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// The catalog cache keeps each plugin's listing (what it serves, as it
// answered) so that a command starts only the plugins it uses. An entry
// holds while the plugin's file is the same file, unchanged: the same
// device and inode, size, modification and change times. (The change time
// cannot be set by a user, so a file rewritten in place, even with its old
// size and modification time restored, no longer matches; hashing every
// plugin on every command would cost a tenth of a second or more.) The
// whole cache is dropped when the host's own file or the environment
// plugins start with changes. It lives in the user's cache folder,
// written atomically; a cache that cannot be read or written is no cache.

// cacheFile is the cache's file name in Manager.CacheDir.
const cacheFile = "catalog-v1.json"

// maxCacheBytes bounds the cache file.
const maxCacheBytes = 64 << 20

// DefaultCacheDir is landscape's folder in the user's cache folder
// (~/.cache/landscape), "" when there is none.
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "landscape")
}

type pluginCache struct {
	path  string
	mu    sync.Mutex
	data  cacheData
	dirty bool
}

type cacheData struct {
	// Host identifies the host's file and the plugins' environment.
	Host    string                 `json:"host"`
	Plugins map[string]*cacheEntry `json:"plugins"`
}

type cacheEntry struct {
	// File identifies the plugin's file.
	File     string `json:"file"`
	Protocol int    `json:"protocol,omitempty"`
	// Listing is client.Listing's binary form; Failed, when the plugin
	// could not be listed, says why.
	Listing []byte `json:"listing,omitempty"`
	Failed  string `json:"failed,omitempty"`
}

// fileID identifies the file at path as the cache compares it.
func fileID(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", errors.New("no file identity here")
	}
	return fmt.Sprintf("%d:%d:%d:%d.%d:%d.%d", s.Dev, s.Ino, s.Size, s.Mtim.Sec, s.Mtim.Nsec, s.Ctim.Sec, s.Ctim.Nsec), nil
}

// hostID identifies the host's file and the environment plugins get.
func hostID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	id, err := fileID(exe)
	if err != nil {
		return ""
	}
	var env []string
	for _, kv := range pluginEnv("") {
		if !strings.HasPrefix(kv, "LANDSCAPE_LOG=") { // logs change no listing
			env = append(env, kv)
		}
	}
	sort.Strings(env)
	h := sha256.Sum256([]byte(strings.Join(env, "\x00")))
	return fmt.Sprintf("%s %s v%d", id, hex.EncodeToString(h[:8]), sdk.ProtocolVersion)
}

// openCache reads the manager's cache; nil (which caches nothing) when
// there is no CacheDir.
func (m *Manager) openCache() *pluginCache {
	if m.CacheDir == "" {
		return nil
	}
	host := hostID()
	if host == "" {
		return nil
	}
	c := &pluginCache{path: filepath.Join(m.CacheDir, cacheFile), data: cacheData{Host: host, Plugins: map[string]*cacheEntry{}}}
	f, err := sdk.OpenFile(c.path, maxCacheBytes, 0)
	if err != nil {
		return c
	}
	defer f.Close()
	var d cacheData
	if json.NewDecoder(f).Decode(&d) == nil && d.Host == host && d.Plugins != nil {
		c.data = d
	}
	return c
}

// get is f's cached listing, or its cached failure; ok is false when the
// cache has neither for f as it is now (or the failure is to be retried).
func (c *pluginCache) get(f PluginFile, retry bool) (l client.Listing, failed error, ok bool) {
	if c == nil || f.Reattach != nil {
		return l, nil, false
	}
	c.mu.Lock()
	e := c.data.Plugins[f.Path]
	c.mu.Unlock()
	id, err := fileID(f.Path)
	if e == nil || err != nil || e.File != id {
		return l, nil, false
	}
	if e.Failed != "" {
		if retry {
			return l, nil, false
		}
		return l, fmt.Errorf("%w: %s", client.ErrPluginFailed, e.Failed), true
	}
	l, err = client.ParseListing(e.Listing, f.Name)
	return l, nil, err == nil
}

// protocol is f's cached protocol version (0 when unknown).
func (c *pluginCache) protocol(f PluginFile) int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.data.Plugins[f.Path]; e != nil {
		return e.Protocol
	}
	return 0
}

// put records f's listing, or why it failed.
func (c *pluginCache) put(f PluginFile, l client.Listing, protocol int, failed error) {
	if c == nil || f.Reattach != nil {
		return
	}
	id, err := fileID(f.Path)
	if err != nil {
		return
	}
	e := &cacheEntry{File: id, Protocol: protocol}
	if failed != nil {
		// A plugin the lock refuses has not failed: it was not run.
		if errors.Is(failed, context.Canceled) || errors.Is(failed, ErrNotLocked) || errors.Is(failed, ErrChecksum) {
			return
		}
		e.Failed = UserMessage(failed)
	} else if e.Listing, err = l.MarshalBinary(); err != nil {
		return
	}
	c.mu.Lock()
	c.data.Plugins[f.Path] = e
	c.dirty = true
	c.mu.Unlock()
}

// save writes the cache when it changed (atomically: whole or not at
// all), dropping plugins whose files are gone.
func (c *pluginCache) save() {
	if c == nil || !c.dirty {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.data.Plugins {
		if _, err := os.Stat(p); err != nil {
			delete(c.data.Plugins, p)
		}
	}
	if os.MkdirAll(filepath.Dir(c.path), 0o700) != nil {
		return
	}
	b, err := json.Marshal(c.data)
	if err != nil {
		return
	}
	o, err := CreateOutput(context.Background(), c.path)
	if err != nil {
		return
	}
	defer o.Abort()
	o.mode = 0o600
	if _, err := o.Write(b); err == nil {
		o.Commit()
	}
	c.dirty = false
}
