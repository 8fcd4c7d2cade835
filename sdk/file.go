package sdk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrFileTooLarge: a file, or one of its lines, is longer than its reader
// allows.
var ErrFileTooLarge = errors.New("sdk: file too large")

// OpenFile opens a file to read with bounds, for the files users name in
// text hyperparameters (a dataset, say): it must be a regular file (not a
// device such as /dev/zero, a pipe or a folder) of at most limit bytes,
// and when lineLimit > 0 no line may be longer than lineLimit bytes.
// Reading past either bound fails with ErrFileTooLarge, so a file that
// grows while it is read, or one without newlines, costs no more memory
// than its bounds. Opening errors name the file; reading errors do not
// (as with os.File).
func OpenFile(path string, limit, lineLimit int64) (io.ReadCloser, error) {
	// Non-blocking, so that a pipe (which would wait for a writer) is
	// refused at once; reads of a regular file do not care.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, kind(st.Mode()))
	}
	if st.Size() > limit {
		f.Close()
		return nil, &boundError{fmt.Sprintf("%s has %d bytes, more than the %s it may have", path, st.Size(), sizeString(limit))}
	}
	return &bounded{f: f, left: limit, limit: limit, lineLimit: lineLimit}, nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// sizeString writes n bytes in binary units.
func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// bounded reads a file up to its limits.
type bounded struct {
	f               *os.File
	left, limit     int64
	lineLimit, line int64
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a file that grew from one that ended.
		var one [1]byte
		if n, _ := b.f.Read(one[:]); n > 0 {
			return 0, &boundError{fmt.Sprintf("the file grew past the %s it may have", sizeString(b.limit))}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.f.Read(p)
	b.left -= int64(n)
	// Bytes since the last newline, line by line through this read.
	for q := p[:n]; b.lineLimit > 0; {
		i := bytes.IndexByte(q, '\n')
		if i < 0 {
			if b.line += int64(len(q)); b.line > b.lineLimit {
				return 0, b.longLine()
			}
			break
		}
		if b.line+int64(i) > b.lineLimit {
			return 0, b.longLine()
		}
		b.line, q = 0, q[i+1:]
	}
	return n, err
}

func (b *bounded) longLine() error {
	return &boundError{fmt.Sprintf("a line is longer than %s (is it a text file?)", sizeString(b.lineLimit))}
}

// boundError is a file past a bound; it matches ErrFileTooLarge.
type boundError struct{ msg string }

func (e *boundError) Error() string        { return e.msg }
func (e *boundError) Is(target error) bool { return target == ErrFileTooLarge }

func (b *bounded) Close() error { return b.f.Close() }
