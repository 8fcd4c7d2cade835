//go:build unix

package sdk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// SharedDirEnv names the environment variable in which the host tells a
// plugin the folder of its shared files (see the EvalGrid request's
// shared_path). A plugin writes only into files of that folder.
const SharedDirEnv = "LANDSCAPE_SHARED_DIR"

// errNotShared: a shared path the plugin refuses to write (outside the
// host's folder, a link, another user's file, another inode).
var errNotShared = errors.New("sdk: not a shared file of the host")

// sharedFiles are the host's shared files a plugin has opened, by inode:
// the host removes a file's name once the plugin has it open, and later
// requests name the same inode.
type sharedFiles struct {
	dir string // the host's folder; "" refuses every shared path

	mu    sync.Mutex
	files map[uint64]*os.File
	order []uint64
}

// keepShared bounds the shared files a plugin keeps open (the host keeps
// fewer).
const keepShared = 8

func newSharedFiles(dir string) *sharedFiles {
	if dir != "" {
		dir = filepath.Clean(dir)
	}
	return &sharedFiles{dir: dir, files: map[uint64]*os.File{}}
}

// open returns the file at path with inode ino, refusing (errNotShared)
// what is not a regular file of this user directly inside the host's
// folder, and reusing a file opened before.
func (s *sharedFiles) open(path string, ino uint64) (*os.File, error) {
	clean := filepath.Clean(path)
	if s.dir == "" || filepath.Dir(clean) != s.dir || !filepath.IsAbs(clean) {
		return nil, fmt.Errorf("%w: %q is not in the host's folder", errNotShared, path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.files[ino]; ok && ino != 0 {
		return f, nil
	}
	fd, err := syscall.Open(clean, syscall.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%w: %q is a link", errNotShared, path)
		}
		return nil, err
	}
	f := os.NewFile(uintptr(fd), clean)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case st.Mode&syscall.S_IFMT != syscall.S_IFREG:
		err = fmt.Errorf("%w: %q is not a regular file", errNotShared, path)
	case int(st.Uid) != os.Geteuid():
		err = fmt.Errorf("%w: %q belongs to another user", errNotShared, path)
	case ino != 0 && st.Ino != ino:
		err = fmt.Errorf("%w: %q is not the file the host named", errNotShared, path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(s.order) >= keepShared {
		old := s.order[0]
		s.files[old].Close()
		delete(s.files, old)
		s.order = s.order[1:]
	}
	s.files[st.Ino] = f
	s.order = append(s.order, st.Ino)
	return f, nil
}
