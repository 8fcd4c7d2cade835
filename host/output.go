package host

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/landscape-go/landscape/compute"
)

// ErrBadOutput: an output path cannot be used.
var ErrBadOutput = errors.New("host: bad output")

// OutputFormat checks path's extension against the accepted ones (".npy",
// ...) and returns it.
func OutputFormat(path string, accepted ...string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, a := range accepted {
		if ext == a {
			return ext, nil
		}
	}
	if ext == "" {
		return "", fmt.Errorf("%w: %q has no extension (accepted: %s)", ErrBadOutput, path, strings.Join(accepted, ", "))
	}
	return "", fmt.Errorf("%w: %q: unknown extension %s (accepted: %s)", ErrBadOutput, path, ext, strings.Join(accepted, ", "))
}

// OutFile is written in full or not at all: data goes to a temporary file
// beside the destination, put in its place by Commit. Abort removes it.
//
// Where the file system allows (Linux's O_TMPFILE), the temporary file has
// no name until Commit, so nothing is left behind whatever becomes of the
// host; elsewhere it is named .NAME.tmp-PID-*, and a later output to the
// same folder removes those of dead hosts. The file keeps the user's
// umask, and a file it replaces keeps its mode. Writes fail with
// ErrInterrupted once ctx ends.
type OutFile struct {
	ctx   context.Context
	path  string
	f     *os.File
	named bool // f has a temporary name (no O_TMPFILE here)
	mode  os.FileMode
	w     *bufio.Writer
	done  bool
}

// ErrInterrupted: an output was being written when the command was
// stopped.
var ErrInterrupted = errors.New("host: interrupted")

// tmpPrefix starts a named temporary output's name after the
// destination's: .NAME.tmp-PID-*.
func tmpPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// CreateOutput opens an OutFile for path ("-" is not accepted). It fails
// at once when the folder is missing or not writable.
func CreateOutput(ctx context.Context, path string) (*OutFile, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty output path", ErrBadOutput)
	}
	mode := os.FileMode(0o666) &^ umask()
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%w: %s is a folder", ErrBadOutput, path)
		}
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	removeStale(dir, tmpPrefix(path))
	f, named, err := createTemp(dir, tmpPrefix(path))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot write %s: %v", ErrBadOutput, path, unwrapPath(err))
	}
	if named {
		temporaries.Store(f.Name(), true)
	}
	return &OutFile{ctx: ctx, path: path, f: f, named: named, mode: mode, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Write implements io.Writer.
func (o *OutFile) Write(p []byte) (int, error) {
	if err := o.ctx.Err(); err != nil {
		return 0, fmt.Errorf("%w: writing %s: %w", ErrInterrupted, o.path, err)
	}
	return o.w.Write(p)
}

// Path is the destination.
func (o *OutFile) Path() string { return o.path }

// Commit flushes, syncs and puts the file in place.
func (o *OutFile) Commit() error {
	if o.done {
		return nil
	}
	o.done = true
	err := o.ctx.Err()
	if err == nil {
		err = o.w.Flush()
	}
	if err == nil {
		err = o.f.Chmod(o.mode)
	}
	if err == nil {
		err = o.f.Sync()
	}
	if err == nil {
		err = placeTemp(o.f, o.named, o.path)
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if o.named {
		temporaries.Delete(o.f.Name())
	}
	if err != nil {
		if o.named {
			os.Remove(o.f.Name())
		}
		return fmt.Errorf("%w: writing %s: %v", ErrBadOutput, o.path, unwrapPath(err))
	}
	return nil
}

// Abort discards the file. It is safe after Commit (a no-op then).
func (o *OutFile) Abort() {
	if o.done {
		return
	}
	o.done = true
	o.f.Close()
	if o.named {
		os.Remove(o.f.Name())
		temporaries.Delete(o.f.Name())
	}
}

// temporaries are the named temporary files of outputs not yet committed
// or aborted, which RemoveTemporaries removes. (Unnamed ones need no
// removal: they vanish with the process.)
var temporaries sync.Map

// RemoveTemporaries removes the temporary files of every output being
// written: for a host that must exit now, from another goroutine than the
// one writing.
func RemoveTemporaries() {
	temporaries.Range(func(k, _ any) bool {
		os.Remove(k.(string))
		temporaries.Delete(k)
		return true
	})
}

// WriteNPY writes the Field as a NumPy .npy array (version 1.0): float32
// little-endian, shape (ny, nx), C order, row 0 at y = Y.Lo.
func WriteNPY(w io.Writer, f *compute.Field) error {
	return writeNPY(w, "<f4", f.Grid.Ny, f.Grid.Nx, len(f.Values), func(i int) uint32 { return math.Float32bits(f.Values[i]) })
}

// WriteNPYInt32 writes labels as a NumPy .npy int32 array of shape (ny, nx).
func WriteNPYInt32(w io.Writer, labels []int32, ny, nx int) error {
	return writeNPY(w, "<i4", ny, nx, len(labels), func(i int) uint32 { return uint32(labels[i]) })
}

// writeNPY writes a .npy v1.0 header for a (ny, nx) array of 4-byte
// little-endian items, then the n items word(0..n-1).
func writeNPY(w io.Writer, descr string, ny, nx, n int, word func(int) uint32) error {
	if err := npyHeader(w, descr, fmt.Sprintf("(%d, %d)", ny, nx)); err != nil {
		return err
	}
	const block = 1 << 16
	b := make([]byte, 0, 4*block)
	for i := 0; i < n; i += block {
		b = b[:0]
		for k := i; k < min(i+block, n); k++ {
			b = binary.LittleEndian.AppendUint32(b, word(k))
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// npyHeader writes a .npy v1.0 header for an array of the given dtype and
// shape ("(3,)", "(ny, nx)").
func npyHeader(w io.Writer, descr, shape string) error {
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	// magic(6) + version(2) + len(2) + header + '\n', padded to 64 bytes.
	total := 10 + len(header) + 1
	pad := (64 - total%64) % 64
	header += strings.Repeat(" ", pad) + "\n"
	buf := make([]byte, 0, 10)
	buf = append(buf, "\x93NUMPY\x01\x00"...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(header)))
	if _, err := w.Write(buf); err != nil {
		return err
	}
	_, err := io.WriteString(w, header)
	return err
}

// WriteNPYVector writes v as a 1-D float64 .npy array.
func WriteNPYVector(w io.Writer, v []float64) error { return writeNPY64(w, -1, len(v), v) }

// WriteCSV writes the Field as x,y,loss rows (row-major, y outer), with NaN
// for undefined points, and a column per extra array (test_loss, say).
func WriteCSV(w io.Writer, f *compute.Field, extra ...NamedField) error {
	if err := checkExtra(f, extra); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("x,y,loss")
	for _, e := range extra {
		bw.WriteString("," + e.Name)
	}
	bw.WriteString("\n")
	appendValue := func(b []byte, v float32) []byte {
		if v != v {
			return append(b, "NaN"...)
		}
		return strconv.AppendFloat(b, float64(v), 'g', -1, 32)
	}
	g := f.Grid
	b := make([]byte, 0, 64)
	for j := 0; j < g.Ny; j++ {
		y := g.YAt(j)
		for i := 0; i < g.Nx; i++ {
			b = b[:0]
			b = strconv.AppendFloat(b, g.XAt(i), 'g', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, y, 'g', -1, 64)
			b = append(b, ',')
			b = appendValue(b, f.At(i, j))
			for _, e := range extra {
				b = appendValue(append(b, ','), e.Values[j*g.Nx+i])
			}
			b = append(b, '\n')
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
