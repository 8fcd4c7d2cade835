package client

import (
	"os"
	"path/filepath"
	"testing"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/protobuf/proto"
)

// FuzzRowsIn: the checks of a grid's chunks never panic, take only rows
// of the request, each once, and end well only when every row came.
func FuzzRowsIn(f *testing.F) {
	f.Add(0, 4, 3, []byte{0, 2, 0, 2, 2, 0}, false)
	f.Add(1, 3, 2, []byte{1, 1, 0, 2, 1, 0, 3, 1, 0}, true)
	f.Add(0, 2, 1, []byte{0, 2, 1, 0, 2, 3}, true)
	f.Fuzz(func(t *testing.T, row0, row1, nx int, ops []byte, shared bool) {
		if row0 < 0 || row1 <= row0 || row1 > 64 || nx < 1 || nx > 16 {
			return
		}
		in := &rowsIn{plugin: "plugin fuzz", row0: row0, row1: row1, nx: nx, dst: make([]float32, (row1-row0)*nx), got: make([]bool, row1-row0)}
		if shared {
			f, err := os.Create(filepath.Join(t.TempDir(), "grid"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Truncate(int64(len(in.dst) * 4))
			in.sh = &sharedRows{f: f, named: true}
		}
		took := 0
		// Each chunk is 3 bytes: its first row, its rows, and what it is.
		for ; len(ops) >= 3; ops = ops[3:] {
			ch := &pb.GridChunk{Row0: int32(ops[0]) - 2, Rows: int32(ops[1]) - 1}
			switch ops[2] % 5 {
			case 0: // streamed, right size when rows are
				ch.Values = make([]byte, max(0, int(ch.Rows))*nx*4)
			case 1:
				ch.SharedOpen = true
			case 2:
				ch.Shared = true
				sum := crc32Of(make([]byte, max(0, int(ch.Rows))*nx*4))
				ch.Crc32C = &sum
			case 3:
				ch.Shared = true
			case 4:
				ch.Values = make([]byte, int(ops[2]))
			}
			n, err := in.take(ch)
			if err != nil {
				return
			}
			took += n
		}
		if took != in.done || took > row1-row0 {
			t.Fatalf("took %d rows, done %d, of %d", took, in.done, row1-row0)
		}
		if (in.end() == nil) != (took == row1-row0) {
			t.Fatalf("end %v after %d of %d rows", in.end(), took, row1-row0)
		}
	})
}

// FuzzAsks: the checks of an optimizer's asks never panic, and what they
// accept is consistent and bounded.
func FuzzAsks(f *testing.F) {
	f.Add(2, 2, 10, []byte{1, 1}, 4)
	f.Add(1, 3, 5, []byte{9}, 27)
	f.Fuzz(func(t *testing.T, n, dim, maxAsk int, counts []byte, values int) {
		if n < 1 || n > 64 || dim < 1 || dim > 8 || maxAsk < 0 || values < 0 || values > 1<<12 {
			return
		}
		a := Asks{Points: make([]float64, values)}
		for _, c := range counts {
			a.Counts = append(a.Counts, int32(int8(c)))
		}
		total, err := a.check("plugin fuzz", n, dim, maxAsk)
		if err != nil {
			return
		}
		sum := 0
		for _, c := range a.Counts {
			if c < 0 {
				t.Fatalf("accepted a negative count %d", c)
			}
			sum += int(c)
		}
		if len(a.Counts) != n || total != sum || total > maxAsk || len(a.Points) != total*dim {
			t.Fatalf("accepted %d counts, total %d of %d points, %d values", len(a.Counts), total, maxAsk, len(a.Points))
		}
	})
}

// FuzzParseListing: a stored listing never panics the host, and what it
// accepts passes the checks of a live listing.
func FuzzParseListing(f *testing.F) {
	good, _ := proto.Marshal(&pb.Listing{Surfaces: &pb.ListSurfacesResponse{Surfaces: []*pb.SurfaceInfo{{Name: "s", Dim: 1,
		Domain: []*pb.Interval{{Lo: 0, Hi: 1}}, Minima: []*pb.Minimum{{Location: []float64{0.5}, Value: 0}}}}}})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseListing(b, "fuzz")
		if err != nil {
			return
		}
		for _, d := range l.Surfaces {
			if err := d.check(); err != nil {
				t.Fatalf("accepted %+v: %v", d, err)
			}
		}
		for _, o := range l.Optimizers {
			if err := o.Validate(); err != nil {
				t.Fatalf("accepted %+v: %v", o, err)
			}
		}
		if _, err := l.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}
