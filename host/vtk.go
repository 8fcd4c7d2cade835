package host

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
)

// NamedField is an additional point array for WriteVTS ("test_loss",
// "basin", ...): one value per grid point, in the Field's order (row-major
// y-by-x), NaN where undefined.
type NamedField struct {
	Name   string
	Values []float32
}

// vtsBlock is how many tuples WriteVTS encodes at a time.
const vtsBlock = 1 << 14

// WriteVTS writes the Field as a VTK XML StructuredGrid (.vts), the format
// ParaView and VisIt open as they are:
//
//   - one Piece covering WholeExtent "0 Nx−1 0 Ny−1 0 0", points in VTK's
//     order (x fastest, then y), which is the Field's row-major y-by-x;
//   - Points: Float64 (x, y, 0), x and y the grid's plane coordinates
//     (Grid.XAt(i), Grid.YAt(j)), so the grid is flat and ParaView's "Warp
//     By Scalar" lifts it into a surface;
//   - PointData: "loss" (Float32, the active scalars), each of extra
//     (Float32) in order, then "x" and "y" (Float64), the coordinates once
//     more as arrays to color or plot by;
//   - the axis labels in an XML comment (VTK has no place for them that
//     ParaView shows).
//
// Arrays are inline base64 (format="binary", header_type="UInt64"): each is
// one base64 stream of the byte count as a little-endian uint64 followed by
// the little-endian values. NaN stays NaN. The output is streamed: memory
// does not grow with the grid.
//
// It fails with ErrBadOutput when f is invalid or an extra array is
// unnamed, named twice (or "loss", "x", "y") or of the wrong length, and
// returns w's first write error.
func WriteVTS(w io.Writer, f *compute.Field, extra ...NamedField) error {
	if err := checkExtra(f, extra); err != nil {
		return err
	}
	g := f.Grid
	nx, ny := g.Nx, g.Ny
	xs, ys := make([]float64, nx), make([]float64, ny)
	for i := range xs {
		xs[i] = g.XAt(i)
	}
	for j := range ys {
		ys[j] = g.YAt(j)
	}
	v := &vtsWriter{w: bufio.NewWriterSize(w, 1<<16)}
	extent := fmt.Sprintf("0 %d 0 %d 0 0", nx-1, ny-1)
	v.printf("<?xml version=\"1.0\"?>\n")
	v.printf("<VTKFile type=\"StructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n")
	v.printf("  <!-- landscape: %dx%d grid; x is %s, y is %s -->\n", nx, ny, vtsComment(g.XLabel, "x"), vtsComment(g.YLabel, "y"))
	v.printf("  <StructuredGrid WholeExtent=\"%s\">\n", extent)
	v.printf("    <Piece Extent=\"%s\">\n", extent)
	v.printf("      <PointData Scalars=\"loss\">\n")
	float32s := func(vals []float32) func([]byte, int) []byte {
		return func(b []byte, k int) []byte { return binary.LittleEndian.AppendUint32(b, math.Float32bits(vals[k])) }
	}
	v.array("Float32", "loss", 1, 4, nx*ny, float32s(f.Values))
	for _, e := range extra {
		v.array("Float32", e.Name, 1, 4, nx*ny, float32s(e.Values))
	}
	v.array("Float64", "x", 1, 8, nx*ny, func(b []byte, k int) []byte {
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(xs[k%nx]))
	})
	v.array("Float64", "y", 1, 8, nx*ny, func(b []byte, k int) []byte {
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(ys[k/nx]))
	})
	v.printf("      </PointData>\n")
	v.printf("      <Points>\n")
	v.array("Float64", "Points", 3, 24, nx*ny, func(b []byte, k int) []byte {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(xs[k%nx]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(ys[k/nx]))
		return binary.LittleEndian.AppendUint64(b, 0)
	})
	v.printf("      </Points>\n")
	v.printf("    </Piece>\n")
	v.printf("  </StructuredGrid>\n")
	v.printf("</VTKFile>\n")
	if v.err != nil {
		return v.err
	}
	return v.w.Flush()
}

// vtsWriter writes through w and keeps the first error; after one, writes
// do nothing.
type vtsWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

// checkExtra checks f and the arrays written alongside its loss.
func checkExtra(f *compute.Field, extra []NamedField) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadOutput, err)
	}
	seen := map[string]bool{"loss": true, "x": true, "y": true}
	for _, e := range extra {
		switch {
		case e.Name == "":
			return fmt.Errorf("%w: a point array has no name", ErrBadOutput)
		case seen[e.Name]:
			return fmt.Errorf("%w: point array %q is named twice", ErrBadOutput, e.Name)
		case len(e.Values) != len(f.Values):
			return fmt.Errorf("%w: point array %q has %d values, the %dx%d grid %d", ErrBadOutput, e.Name, len(e.Values), f.Grid.Nx, f.Grid.Ny, len(f.Values))
		}
		seen[e.Name] = true
	}
	return nil
}

func (v *vtsWriter) printf(format string, a ...any) {
	if v.err == nil {
		_, v.err = fmt.Fprintf(v.w, format, a...)
	}
}

// array writes a DataArray of n tuples of size bytes each (comps
// components), put appending tuple k's little-endian bytes.
func (v *vtsWriter) array(typ, name string, comps, size, n int, put func(b []byte, k int) []byte) {
	v.printf("        <DataArray type=\"%s\" Name=\"%s\" NumberOfComponents=\"%d\" format=\"binary\">\n          ", typ, vtsAttr(name), comps)
	if v.err != nil {
		return
	}
	enc := base64.NewEncoder(base64.StdEncoding, v.w)
	v.buf = binary.LittleEndian.AppendUint64(v.buf[:0], uint64(n)*uint64(size))
	_, v.err = enc.Write(v.buf)
	for k0 := 0; k0 < n && v.err == nil; k0 += vtsBlock {
		b := v.buf[:0]
		for k := k0; k < min(k0+vtsBlock, n); k++ {
			b = put(b, k)
		}
		v.buf = b
		_, v.err = enc.Write(b)
	}
	if v.err == nil {
		v.err = enc.Close()
	}
	v.printf("\n        </DataArray>\n")
}

// vtsAttr escapes s for an XML attribute value.
func vtsAttr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // cannot fail on a strings.Builder
	return b.String()
}

// vtsComment quotes an axis label for an XML comment, which may not hold
// "--"; an empty label reads as def.
func vtsComment(label, def string) string {
	if label == "" {
		label = def
	}
	for strings.Contains(label, "--") {
		label = strings.ReplaceAll(label, "--", "-_")
	}
	return strconv.Quote(label)
}
