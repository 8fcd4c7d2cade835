package host

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// vtsFile is the part of a .vts file the tests read back.
type vtsFile struct {
	XMLName    xml.Name `xml:"VTKFile"`
	Type       string   `xml:"type,attr"`
	Version    string   `xml:"version,attr"`
	ByteOrder  string   `xml:"byte_order,attr"`
	HeaderType string   `xml:"header_type,attr"`
	Grid       struct {
		WholeExtent string `xml:"WholeExtent,attr"`
		Pieces      []struct {
			Extent    string `xml:"Extent,attr"`
			PointData struct {
				Scalars string         `xml:"Scalars,attr"`
				Arrays  []vtsDataArray `xml:"DataArray"`
			} `xml:"PointData"`
			Points struct {
				Arrays []vtsDataArray `xml:"DataArray"`
			} `xml:"Points"`
		} `xml:"Piece"`
	} `xml:"StructuredGrid"`
}

type vtsDataArray struct {
	Type       string `xml:"type,attr"`
	Name       string `xml:"Name,attr"`
	Components int    `xml:"NumberOfComponents,attr"`
	Format     string `xml:"format,attr"`
	Text       string `xml:",chardata"`
}

// decode checks the UInt64 byte-count header and returns the payload.
func (a vtsDataArray) decode(t *testing.T, itemSize, wantItems int) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(a.Text))
	if err != nil {
		t.Fatalf("array %s: %v", a.Name, err)
	}
	if len(raw) < 8 {
		t.Fatalf("array %s: %d bytes, no header", a.Name, len(raw))
	}
	n := binary.LittleEndian.Uint64(raw)
	if want := uint64(itemSize * wantItems); n != want || len(raw)-8 != int(want) {
		t.Fatalf("array %s: header says %d bytes, payload has %d, want %d", a.Name, n, len(raw)-8, want)
	}
	return raw[8:]
}

func (a vtsDataArray) float32s(t *testing.T, n int) []float32 {
	b := a.decode(t, 4, n)
	out := make([]float32, n)
	for k := range out {
		out[k] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:]))
	}
	return out
}

func (a vtsDataArray) float64s(t *testing.T, n int) []float64 {
	b := a.decode(t, 8, n)
	out := make([]float64, n)
	for k := range out {
		out[k] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*k:]))
	}
	return out
}

// vtsField is a 5×3 field with distinct values and a NaN.
func vtsField() (*compute.Field, []NamedField) {
	g := compute.Grid{
		Plane:  grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: 10, Hi: 12.5}, 5, 3),
		XLabel: "x0", YLabel: "weird--label",
	}
	f := compute.NewField(g)
	test := make([]float32, len(f.Values))
	for k := range f.Values {
		f.Values[k] = float32(k) + 0.25
		test[k] = -float32(k)
	}
	f.Values[7] = float32(math.NaN())
	test[2] = float32(math.NaN())
	return f, []NamedField{{Name: "test_loss", Values: test}, {Name: `a<b&"c"`, Values: test}}
}

func TestWriteVTS(t *testing.T) {
	f, extra := vtsField()
	var buf bytes.Buffer
	if err := WriteVTS(&buf, f, extra...); err != nil {
		t.Fatal(err)
	}
	var doc vtsFile
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if doc.Type != "StructuredGrid" || doc.Version != "1.0" || doc.ByteOrder != "LittleEndian" || doc.HeaderType != "UInt64" {
		t.Errorf("VTKFile attributes %q %q %q %q", doc.Type, doc.Version, doc.ByteOrder, doc.HeaderType)
	}
	if !strings.Contains(buf.String(), `x is "x0", y is "weird-_label"`) {
		t.Errorf("axis labels missing from the comment:\n%s", buf.String()[:300])
	}
	const nx, ny, n = 5, 3, 15
	if doc.Grid.WholeExtent != "0 4 0 2 0 0" {
		t.Errorf("WholeExtent %q", doc.Grid.WholeExtent)
	}
	if len(doc.Grid.Pieces) != 1 {
		t.Fatalf("%d pieces", len(doc.Grid.Pieces))
	}
	p := doc.Grid.Pieces[0]
	if p.Extent != "0 4 0 2 0 0" {
		t.Errorf("Extent %q", p.Extent)
	}
	if p.PointData.Scalars != "loss" {
		t.Errorf("Scalars %q", p.PointData.Scalars)
	}
	arrays := p.PointData.Arrays
	wantArrays := []struct{ name, typ string }{{"loss", "Float32"}, {"test_loss", "Float32"}, {`a<b&"c"`, "Float32"}, {"x", "Float64"}, {"y", "Float64"}}
	if len(arrays) != len(wantArrays) {
		t.Fatalf("%d point arrays, want %d", len(arrays), len(wantArrays))
	}
	for k, w := range wantArrays {
		a := arrays[k]
		if a.Name != w.name || a.Type != w.typ || a.Components != 1 || a.Format != "binary" {
			t.Errorf("array %d: %+v, want %s %s, 1 component, binary", k, a, w.name, w.typ)
		}
	}
	same32 := func(name string, got, want []float32) {
		for k := range want {
			if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
				t.Errorf("%s[%d] = %v, want %v", name, k, got[k], want[k])
			}
		}
	}
	same32("loss", arrays[0].float32s(t, n), f.Values)
	same32("test_loss", arrays[1].float32s(t, n), extra[1].Values)
	same32("escaped", arrays[2].float32s(t, n), extra[1].Values)
	xs, ys := arrays[3].float64s(t, n), arrays[4].float64s(t, n)
	if len(p.Points.Arrays) != 1 {
		t.Fatalf("%d Points arrays", len(p.Points.Arrays))
	}
	pa := p.Points.Arrays[0]
	if pa.Type != "Float64" || pa.Components != 3 || pa.Format != "binary" {
		t.Errorf("Points array %+v", pa)
	}
	pts := pa.float64s(t, 3*n)
	// x fastest, then y: point k is column k%nx, row k/nx.
	wantX := []float64{-1, -0.5, 0, 0.5, 1}
	wantY := []float64{10, 11.25, 12.5}
	for j := range ny {
		for i := range nx {
			k := j*nx + i
			if xs[k] != wantX[i] || ys[k] != wantY[j] {
				t.Errorf("point %d: x, y arrays %v, %v, want %v, %v", k, xs[k], ys[k], wantX[i], wantY[j])
			}
			if pts[3*k] != wantX[i] || pts[3*k+1] != wantY[j] || pts[3*k+2] != 0 {
				t.Errorf("point %d at %v, want (%v, %v, 0)", k, pts[3*k:3*k+3], wantX[i], wantY[j])
			}
			if v := arrays[0].float32s(t, n)[k]; !(v != v && k == 7) && v != f.At(i, j) {
				t.Errorf("loss at (%d, %d) = %v, want f.At = %v", i, j, v, f.At(i, j))
			}
		}
	}
	if l := arrays[0].float32s(t, n)[7]; l == l {
		t.Errorf("NaN came back as %v", l)
	}
}

// vtsFailWriter fails once more than n bytes have been written.
type vtsFailWriter struct{ n int }

var errVTSWrite = errors.New("disk full")

func (w *vtsFailWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errVTSWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteVTSWriteErrors(t *testing.T) {
	// A grid large enough for several buffer flushes and encoder blocks.
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 300, 200)}
	f := compute.NewField(g)
	var full bytes.Buffer
	if err := WriteVTS(&full, f); err != nil {
		t.Fatal(err)
	}
	size := full.Len()
	for _, n := range []int{0, 10, 1 << 16, size / 2, size - 1} {
		err := WriteVTS(&vtsFailWriter{n: n}, f)
		if !errors.Is(err, errVTSWrite) {
			t.Errorf("failing after %d of %d bytes: got %v, want the write error", n, size, err)
		}
	}
	if err := WriteVTS(&vtsFailWriter{n: size}, f); err != nil {
		t.Errorf("a writer that takes exactly %d bytes: %v", size, err)
	}
}

func TestWriteVTSBadInput(t *testing.T) {
	f, _ := vtsField()
	short := NamedField{Name: "short", Values: make([]float32, 3)}
	for _, tc := range []struct {
		name  string
		f     *compute.Field
		extra []NamedField
		want  string
	}{
		{"short", f, []NamedField{short}, `point array "short" has 3 values, the 5x3 grid 15`},
		{"unnamed", f, []NamedField{{Values: f.Values}}, "has no name"},
		{"reserved", f, []NamedField{{Name: "x", Values: f.Values}}, `"x" is named twice`},
		{"twice", f, []NamedField{{Name: "a", Values: f.Values}, {Name: "a", Values: f.Values}}, `"a" is named twice`},
		{"field", &compute.Field{Grid: f.Grid, Values: f.Values[:4]}, nil, "field holds 4 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteVTS(&buf, tc.f, tc.extra...)
			if !errors.Is(err, ErrBadOutput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrBadOutput saying %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}
