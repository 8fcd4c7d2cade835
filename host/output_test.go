package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

func smallField() *compute.Field {
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: 0, Hi: 2}, 3, 2)}
	f := compute.NewField(g)
	for j := 0; j < g.Ny; j++ {
		for i := 0; i < g.Nx; i++ {
			f.Values[j*g.Nx+i] = float32(10*j + i)
		}
	}
	f.Values[4] = float32(math.NaN())
	return f
}

func TestWriteNPY(t *testing.T) {
	var b bytes.Buffer
	if err := WriteNPY(&b, smallField()); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if string(data[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("magic %q", data[:8])
	}
	hl := int(binary.LittleEndian.Uint16(data[8:10]))
	if (10+hl)%64 != 0 {
		t.Errorf("header end %d not 64-aligned", 10+hl)
	}
	header := string(data[10 : 10+hl])
	if !strings.Contains(header, "'descr': '<f4'") || !strings.Contains(header, "'shape': (2, 3)") || !strings.Contains(header, "'fortran_order': False") || !strings.HasSuffix(header, "\n") {
		t.Errorf("header %q", header)
	}
	body := data[10+hl:]
	if len(body) != 6*4 {
		t.Fatalf("body %d bytes, want 24", len(body))
	}
	want := []float32{0, 1, 2, 10, float32(math.NaN()), 12}
	for k, w := range want {
		got := math.Float32frombits(binary.LittleEndian.Uint32(body[4*k:]))
		if got != w && !(math.IsNaN(float64(w)) && got != got) {
			t.Errorf("value %d = %v, want %v", k, got, w)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, smallField()); err != nil {
		t.Fatal(err)
	}
	want := "x,y,loss\n-1,0,0\n0,0,1\n1,0,2\n-1,2,10\n0,2,NaN\n1,2,12\n"
	if b.String() != want {
		t.Errorf("CSV =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestOutFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.npy")
	o, err := CreateOutput(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("partial"))
	o.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("Abort left %v", ents)
	}
	o, err = CreateOutput(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("whole"))
	if _, err := os.Stat(p); err == nil {
		t.Error("destination exists before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	o.Abort()
	if b, err := os.ReadFile(p); err != nil || string(b) != "whole" {
		t.Errorf("after Commit: %q, %v", b, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("folder holds %d files, want 1", len(ents))
	}
	for _, bad := range []string{filepath.Join(dir, "missing", "x.npy"), dir, ""} {
		if _, err := CreateOutput(context.Background(), bad); !errors.Is(err, ErrBadOutput) {
			t.Errorf("CreateOutput(%q) = %v, want ErrBadOutput", bad, err)
		}
	}
}

func TestOutputFormat(t *testing.T) {
	if f, err := OutputFormat("a/B.NPY", ".npy", ".csv"); err != nil || f != ".npy" {
		t.Errorf("got %q, %v", f, err)
	}
	for _, p := range []string{"x.png", "x"} {
		if _, err := OutputFormat(p, ".npy", ".csv"); err == nil || !strings.Contains(err.Error(), "accepted: .npy, .csv") {
			t.Errorf("OutputFormat(%q) = %v", p, err)
		}
	}
}

func TestUserMessage(t *testing.T) {
	for in, want := range map[string]string{
		"host: backend unavailable: --backend gl: surface x ships no GLSL": "backend unavailable: --backend gl: surface x ships no GLSL",
		"client: plugin failed: plugin a did not start":                    "plugin a did not start",
		"compute: ripple: client: plugin failed: plugin t exited":          "ripple: plugin t exited",
		"render: unknown colormap \"x\"":                                   "unknown colormap \"x\"",
		"view: no window: no display":                                      "no window: no display",
		"sdk: bad hyperparameter: lr=-1 is out of bounds":                  "bad hyperparameter: lr=-1 is out of bounds",
		"gl: shader build failed: surface s: GLSL line 3: error":           "surface s: GLSL line 3: error",
		"x\n  y":      "x y",
		"legal: fine": "legal: fine",
	} {
		if got := UserMessage(errors.New(in)); got != want {
			t.Errorf("UserMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
