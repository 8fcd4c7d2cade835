package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden grids in testdata/golden")

// TestGoldenGrids evaluates every surface the built-in plugins serve on a
// small non-square grid through the real CLI and plugin processes, and
// compares with the grids kept in testdata/golden (relative 1e-6: float32
// rounding of float64 math may differ across CPUs in the last bit).
func TestGoldenGrids(t *testing.T) {
	dir := plugins(t)
	t.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
	var list bytes.Buffer
	if code := run([]string{"surfaces"}, &list, os.Stderr); code != 0 {
		t.Fatalf("surfaces exited %d", code)
	}
	var names []string
	for _, line := range strings.Split(list.String(), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	if len(names) < 17 {
		t.Fatalf("only %d surfaces listed: %v", len(names), names)
	}
	out := t.TempDir()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got := filepath.Join(out, name+".npy")
			var stderr bytes.Buffer
			if code := run([]string{"eval", name, "--res", "17x13", "-o", got}, os.Stdout, &stderr); code != 0 {
				t.Fatalf("eval exited %d: %s", code, stderr.String())
			}
			want := filepath.Join("testdata", "golden", name+".npy")
			if *update {
				b, _ := os.ReadFile(got)
				if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(want, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			gy, gx, gv, err := readNPY(got)
			if err != nil {
				t.Fatal(err)
			}
			wy, wx, wv, err := readNPY(want)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/landscape -run TestGoldenGrids -update)", err)
			}
			if gy != wy || gx != wx {
				t.Fatalf("shape (%d, %d), golden (%d, %d)", gy, gx, wy, wx)
			}
			bad := 0
			for k := range wv {
				a, b := float64(gv[k]), float64(wv[k])
				if (a != a) != (b != b) || math.Abs(a-b) > 1e-6*(1+math.Abs(b)) {
					if bad++; bad <= 5 {
						t.Errorf("value %d (column %d, row %d) = %v, golden %v", k, k%gx, k/gx, a, b)
					}
				}
			}
		})
	}
}
