package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// LockEnv names the environment variable of the lock file's path.
const LockEnv = "LANDSCAPE_PLUGIN_LOCK"

// InsecureEnv names the environment variable that, set to 1, skips the
// lock file's checks (as --insecure-plugins does).
const InsecureEnv = "LANDSCAPE_INSECURE_PLUGINS"

// ErrNotLocked: a plugin is not in the lock file.
var ErrNotLocked = errors.New("host: plugin not in the lock file")

// Lock pins plugin executables by their sha256: when a lock file exists,
// a plugin whose path it does not list, or whose file has another
// checksum, is not started (a binary planted on the plugin path, or one
// that shadows the real one, is refused).
type Lock struct {
	// Path is the lock file.
	Path string
	// Sums maps a plugin file's absolute path to its sha256, in hex.
	Sums map[string]string
}

// LockPath is where the lock file is: LANDSCAPE_PLUGIN_LOCK when set, else
// plugins.lock in landscape's folder of the user's configuration
// (~/.config/landscape).
func LockPath() string {
	if p := os.Getenv(LockEnv); p != "" {
		return p
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "landscape", "plugins.lock")
}

// maxLockBytes bounds a lock file.
const maxLockBytes = 1 << 20

// ReadLock reads the lock file at path; nil (and no error) when there is
// none.
func ReadLock(path string) (*Lock, error) {
	if path == "" {
		return nil, nil
	}
	f, err := sdk.OpenFile(path, maxLockBytes, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("host: lock file: %w", err)
	}
	defer f.Close()
	l := &Lock{Path: path, Sums: map[string]string{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, p, ok := strings.Cut(line, " ")
		sum, ok2 := strings.CutPrefix(sum, "sha256:")
		if !ok || !ok2 || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || !filepath.IsAbs(strings.TrimSpace(p)) {
			return nil, fmt.Errorf("host: lock file %s:%d: want sha256:HEX /absolute/path", path, n)
		}
		l.Sums[strings.TrimSpace(p)] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("host: lock file %s: %w", path, err)
	}
	return l, nil
}

// Sum is the checksum the lock pins for the plugin file path, or
// ErrNotLocked.
func (l *Lock) Sum(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if s, ok := l.Sums[abs]; ok {
		return s, nil
	}
	return "", fmt.Errorf("%w: %s is not in %s; if you trust it, run `landscape plugins lock`", ErrNotLocked, abs, l.Path)
}

// LockedPlugin is one entry WriteLock wrote.
type LockedPlugin struct {
	Name, Path, Sum string
}

// WriteLock pins the files (discovered plugins; shadowed ones are not
// run, so not pinned) in a lock file at path, replacing any, and returns
// what it pinned.
func WriteLock(path string, files []PluginFile) ([]LockedPlugin, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no folder for the lock file (set %s)", ErrBadOutput, LockEnv)
	}
	var out []LockedPlugin
	for _, f := range files {
		if f.Reattach != nil {
			continue
		}
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			return nil, err
		}
		fh, err := os.Open(abs)
		if err != nil {
			return nil, fmt.Errorf("host: %w", err)
		}
		sum, err := fileSum(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("host: %s: %w", abs, err)
		}
		out = append(out, LockedPlugin{Name: f.Name, Path: abs, Sum: sum})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOutput, err)
	}
	o, err := CreateOutput(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer o.Abort()
	fmt.Fprintln(o, "# landscape plugin lock, written by `landscape plugins lock`: a plugin not listed here,")
	fmt.Fprintln(o, "# or whose sha256 differs, is not started (--insecure-plugins skips this check).")
	for _, p := range out {
		fmt.Fprintf(o, "sha256:%s %s\n", p.Sum, p.Path)
	}
	return out, o.Commit()
}
