package host

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/landscape-go/landscape/compute"
)

// GridFormats are the file types a grid is written as.
func GridFormats() []string { return []string{".npy", ".npz", ".csv", ".vts"} }

// WriteGrid writes f as format (one of GridFormats) with the extra arrays
// (the test loss, say) alongside:
//
//   - .npy: the loss alone, float32 (ny, nx);
//   - .npz: loss, each extra (float32 (ny, nx)), the axes' coordinates x
//     (nx,) and y (ny,), and the plane's origin, u and v (float64), as
//     numpy.load reads them;
//   - .csv: x,y,loss and a column per extra;
//   - .vts: a VTK structured grid with every array, for ParaView.
func WriteGrid(w io.Writer, format string, f *compute.Field, extra ...NamedField) error {
	switch format {
	case ".npy":
		return WriteNPY(w, f)
	case ".npz":
		return WriteNPZ(w, f, extra...)
	case ".csv":
		return WriteCSV(w, f, extra...)
	case ".vts":
		return WriteVTS(w, f, extra...)
	}
	return fmt.Errorf("%w: unknown grid format %q", ErrBadOutput, format)
}

// WriteNPZ writes an uncompressed NumPy .npz archive: loss and each extra
// array as float32 (ny, nx), and x, y, origin, u, v as float64 vectors.
func WriteNPZ(w io.Writer, f *compute.Field, extra ...NamedField) error {
	if err := checkExtra(f, extra); err != nil {
		return err
	}
	g := f.Grid
	z := zip.NewWriter(w)
	field := func(v []float32) func(io.Writer) error {
		return func(w io.Writer) error {
			return writeNPY(w, "<f4", g.Ny, g.Nx, len(v), func(i int) uint32 { return math.Float32bits(v[i]) })
		}
	}
	if err := npzMember(z, "loss", field(f.Values)); err != nil {
		return err
	}
	for _, e := range extra {
		if err := npzMember(z, e.Name, field(e.Values)); err != nil {
			return err
		}
	}
	if err := npzPlane(z, g); err != nil {
		return err
	}
	return z.Close()
}

// writePlaneNPZ writes the .npz members of g's plane alone (x, y, origin,
// u, v), as WriteNPZ writes them.
func writePlaneNPZ(w io.Writer, g compute.Grid) error {
	z := zip.NewWriter(w)
	if err := npzPlane(z, g); err != nil {
		return err
	}
	return z.Close()
}

// npzPlane adds g's axes' coordinates x (nx,) and y (ny,) and its plane's
// origin, u and v to z, as float64 vectors.
func npzPlane(z *zip.Writer, g compute.Grid) error {
	xs, ys := make([]float64, g.Nx), make([]float64, g.Ny)
	for i := range xs {
		xs[i] = g.XAt(i)
	}
	for j := range ys {
		ys[j] = g.YAt(j)
	}
	for _, m := range []struct {
		name string
		v    []float64
	}{{"x", xs}, {"y", ys}, {"origin", g.Origin}, {"u", g.U}, {"v", g.V}} {
		if err := npzMember(z, m.name, func(w io.Writer) error { return WriteNPYVector(w, m.v) }); err != nil {
			return err
		}
	}
	return nil
}

// npzMember adds name.npy to z, stored (no compression: numpy reads it as
// fast as a .npy), with the contents write writes.
func npzMember(z *zip.Writer, name string, write func(io.Writer) error) error {
	m, err := z.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store, Modified: time.Unix(0, 0)})
	if err != nil {
		return err
	}
	return write(m)
}
