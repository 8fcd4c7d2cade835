package host

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadVector(t *testing.T) {
	dir := t.TempDir()
	npy := filepath.Join(dir, "v.npy")
	var b bytes.Buffer
	want := []float64{1.5, -2, 1e-300}
	if err := WriteNPYVector(&b, want); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(npy, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "t.csv")
	os.WriteFile(csv, []byte("step,loss,grad_norm,x0,x1,test_loss\n0,1,1,3,4,9\n1,1,1,5,6,9\n"), 0o644)
	js := filepath.Join(dir, "t.json")
	os.WriteFile(js, []byte(`{"records":[{"x":[1,2]},{"x":[7,8]}]}`), 0o644)
	for in, want := range map[string][]float64{
		npy: want, csv: {5, 6}, csv + "@0": {3, 4}, js: {7, 8}, js + "@0": {1, 2}, "1,2": {1, 2},
	} {
		got, err := LoadVector(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("LoadVector(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{csv + "@2", csv + "@x", filepath.Join(dir, "none.csv"), js + "x.npy"} {
		if v, err := LoadVector(in); err == nil {
			t.Errorf("LoadVector(%q) = %v, want an error", in, v)
		}
	}
}

func FuzzTrajectoryCSV(f *testing.F) {
	for _, s := range []string{"step,loss,x0,x1\n0,1,2,3\n", "x0\n1\n2\n", "x1,x0\n1,2\n", "x0,x1\n1\n", "", "x0\nNaN\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := trajectoryCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, p := range pts {
			if len(p) != len(pts[0]) || len(p) == 0 {
				t.Fatalf("trajectoryCSV(%q): ragged or empty points %v", s, pts)
			}
		}
	})
}

func FuzzReadNPY(f *testing.F) {
	var b bytes.Buffer
	WriteNPYVector(&b, []float64{1, 2, 3})
	f.Add(b.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := readNPY(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(pts) == 0 || len(pts[0]) == 0 {
			t.Fatalf("readNPY accepted an empty array")
		}
		for _, p := range pts {
			if len(p) != len(pts[0]) {
				t.Fatalf("readNPY: ragged rows")
			}
		}
	})
}

// TestLoadBounded: a vector file without newlines, or a device, is refused
// at once, without reading it whole.
func TestLoadBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nonl.csv")
	if err := os.WriteFile(p, bytes.Repeat([]byte("1"), MaxLineBytes+10), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadVector(p); err == nil || !strings.Contains(err.Error(), "a line is longer than 16 MiB") {
		t.Errorf("a file without newlines: %v", err)
	}
	if _, err := LoadTrajectory("/dev/zero.npy"); err == nil {
		t.Error("a missing .npy was read")
	}
	if _, err := LoadTrajectory("/dev/null"); err == nil {
		t.Error("/dev/null was read")
	}
}
