package host

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The host's own folders (the plugins' sockets, the shared files) and the
// temporary files of its outputs carry the host's process id in their
// names, so that a later host can tell the leftovers of one that was
// killed (and had no chance to clean up) from those of one still running.

// privatePrefix starts the name of a host's private folder.
const privatePrefix = "landscape-"

// privateDir creates a folder of this host's in root, readable by this
// user alone.
func privateDir(root string) (string, error) {
	d, err := os.MkdirTemp(root, fmt.Sprintf("%s%d-", privatePrefix, os.Getpid()))
	if err != nil {
		return "", err
	}
	if err := os.Chmod(d, 0o700); err != nil {
		os.Remove(d)
		return "", err
	}
	return d, nil
}

// removeStale removes what dead hosts of this user left in dir: entries
// named prefix + PID + "-" + anything, owned by this user, whose PID is no
// running process. It returns how many it removed.
func removeStale(dir, prefix string) int {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		pid, ok := stalePID(e.Name(), prefix)
		if !ok || alive(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		st, err := os.Lstat(p)
		if err != nil || !ownedByMe(st) {
			continue
		}
		if os.RemoveAll(p) == nil {
			n++
		}
	}
	return n
}

// stalePID is the PID in name, prefix + PID + "-" + suffix.
func stalePID(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(digits)
	if !ok || err != nil || pid <= 0 || strconv.Itoa(pid) != digits {
		return 0, false
	}
	return pid, true
}

// alive reports whether a process pid exists (one of another user's
// counts: its leftovers are not ours to judge).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownedByMe reports whether st is a file or folder of this user.
func ownedByMe(st os.FileInfo) bool {
	s, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(s.Uid) == os.Geteuid()
}

// runtimeDir is where the host's private folder (the plugins' sockets)
// goes: XDG_RUNTIME_DIR (private to the user) when there is one, else the
// temporary folder; either only when its path is short, since a Unix
// socket's path may not be longer than 107 bytes; else /tmp. (The folder
// inside is the user's alone wherever it is.)
func runtimeDir() string {
	for _, d := range []string{os.Getenv("XDG_RUNTIME_DIR"), os.TempDir()} {
		if d == "" || len(d) > maxRuntimeDir {
			continue
		}
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return "/tmp"
}

// maxRuntimeDir bounds runtimeDir's length: with the private folder's
// name (landscape-PID-N), go-plugin's (plugin-dirN) and the socket's
// (pluginN), a socket's path stays under 108 bytes.
const maxRuntimeDir = 40

// SharedRootEnv names the environment variable of the folder (on tmpfs)
// under which the host makes the folder of its shared files (default
// /dev/shm); empty turns shared files off (rows are streamed).
const SharedRootEnv = "LANDSCAPE_SHARED_ROOT"

// sharedRoot is the folder of shared files' folders ("" for none).
func sharedRoot() string {
	root, set := os.LookupEnv(SharedRootEnv)
	if !set {
		root = "/dev/shm"
	}
	if root == "" {
		return ""
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return ""
	}
	return root
}
