//go:build !linux

package host

import (
	"os"
	"strconv"
	"sync"
	"syscall"
)

// createTemp opens a temporary file in dir named prefix+PID-random.
func createTemp(dir, prefix string) (*os.File, bool, error) {
	f, err := os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+"-*")
	return f, true, err
}

// placeTemp renames the temporary file f to path.
func placeTemp(f *os.File, _ bool, path string) error { return os.Rename(f.Name(), path) }

var (
	umaskOnce sync.Once
	umaskVal  os.FileMode
)

// umask is the process's file mode creation mask, read (and put back)
// once.
func umask() os.FileMode {
	umaskOnce.Do(func() {
		m := syscall.Umask(0o022)
		syscall.Umask(m)
		umaskVal = os.FileMode(m) & 0o777
	})
	return umaskVal
}
