package host

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// createTemp opens a temporary file in dir: without a name (O_TMPFILE)
// where the file system allows, else named prefix+PID-random (named true).
func createTemp(dir, prefix string) (f *os.File, named bool, err error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), filepath.Join(dir, prefix+"unnamed")), false, nil
	}
	f, err = os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+"-*")
	return f, true, err
}

// placeTemp puts the temporary file f at path: a named one by renaming
// it; an unnamed one by linking it to a temporary name first (a file
// cannot be linked over another), for the moment the rename takes.
func placeTemp(f *os.File, named bool, path string) error {
	if named {
		return os.Rename(f.Name(), path)
	}
	dir := filepath.Dir(path)
	for range 16 {
		tmp := filepath.Join(dir, tmpPrefix(path)+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(rand.Uint64()>>16, 36))
		err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	return fmt.Errorf("no free temporary name in %s", dir)
}

var (
	umaskOnce sync.Once
	umaskVal  os.FileMode
)

// umask is the process's file mode creation mask, as /proc says it.
func umask() os.FileMode {
	umaskOnce.Do(func() {
		umaskVal = 0o022
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					umaskVal = os.FileMode(n) & 0o777
				}
			}
		}
	})
	return umaskVal
}
