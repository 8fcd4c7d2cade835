//go:build unix

package client

import (
	"os"
	"syscall"
)

// newSharedRows describes the shared file f (fresh: just created, so
// still named).
func newSharedRows(f *os.File, fresh bool) (*sharedRows, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	return &sharedRows{f: f, ino: st.Ino, named: fresh}, nil
}
