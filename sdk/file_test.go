package sdk

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

// TestOpenFile: OpenFile reads a file within its bounds whole, and refuses
// what is larger, grows, has a longer line, or is no regular file, without
// reading more than its bounds.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(path string, limit, line int64) (string, error) {
		f, err := OpenFile(path, limit, line)
		if err != nil {
			return "", err
		}
		defer f.Close()
		// One byte at a time too: the bounds hold across reads.
		b, err := io.ReadAll(iotest.OneByteReader(f))
		return string(b), err
	}
	exact := write("exact", "ab\ncd\n")
	if s, err := read(exact, 6, 2); s != "ab\ncd\n" || err != nil {
		t.Errorf("a file at its bounds: %q, %v", s, err)
	}
	for _, c := range []struct {
		name        string
		path        string
		limit, line int64
		want        string
		bound       bool
	}{
		{"larger", exact, 5, 0, "has 6 bytes, more than the 5 bytes it may have", true},
		{"a long line", exact, 6, 1, "a line is longer than 1 bytes", true},
		{"a long last line", write("last", "a\nbcd"), 100, 2, "a line is longer than 2 bytes", true},
		{"no newline", write("nonl", strings.Repeat("x", 5000)), 1 << 20, 1 << 10, "a line is longer than 1 KiB", true},
		{"a folder", dir, 100, 0, "is not a regular file (a folder)", false},
		{"a device", "/dev/zero", 100, 0, "/dev/zero is not a regular file (a device)", false},
	} {
		_, err := read(c.path, c.limit, c.line)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrFileTooLarge) != c.bound {
			t.Errorf("%s: %v, want %q (ErrFileTooLarge: %v)", c.name, err, c.want, c.bound)
		}
	}
	// A pipe is refused at once, not waited on for a writer.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := read(fifo, 100, 0); err == nil || !strings.Contains(err.Error(), "a pipe") {
		t.Errorf("a pipe: %v", err)
	}
	// A file that grows past its bound while it is read.
	grow := write("grow", "0123456789")
	f, err := OpenFile(grow, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(grow, []byte("0123456789abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "grew past the 10 bytes") {
		t.Errorf("a growing file: %v", err)
	}
}
