package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
)

var update = flag.Bool("update", false, "rewrite the golden grids in testdata/golden")

// TestGoldenGrids evaluates every surface the built-in plugins serve on a
// small non-square grid through the real CLI and plugin processes: on the
// cpu backend (float64 math) against the grids kept in testdata/golden
// (relative 1e-6: float32 rounding may differ across CPUs in the last bit),
// and on the gl backend against the cpu grid within float32 tolerance.
func TestGoldenGrids(t *testing.T) {
	dir := plugins(t)
	t.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
	var list bytes.Buffer
	if code := run([]string{"surfaces"}, &list, os.Stderr); code != 0 {
		t.Fatalf("surfaces exited %d", code)
	}
	var names []string
	for _, line := range strings.Split(list.String(), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 1 {
			if f[1] == "1" { // a curve: see TestCurvesAgree
				continue
			}
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
			if code := run([]string{"eval", name, "--res", "17x13", "--backend", "cpu", "-o", got}, os.Stdout, &stderr); code != 0 {
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
			compareGrids(t, "cpu vs golden", gv, wv, gx, 1e-6, 1e-6)

			glOut := filepath.Join(out, name+"-gl.npy")
			stderr.Reset()
			if code := run([]string{"eval", name, "--res", "17x13", "--backend", "gl", "-o", glOut}, os.Stdout, &stderr); code != 0 {
				if strings.Contains(stderr.String(), "OpenGL 4.3 unavailable") && os.Getenv("CI") == "" && os.Getenv("LANDSCAPE_REQUIRE_GL") == "" {
					t.Skipf("gl half skipped: %s", stderr.String())
				}
				t.Fatalf("eval --backend gl exited %d: %s", code, stderr.String())
			}
			_, _, lv, err := readNPY(glOut)
			if err != nil {
				t.Fatal(err)
			}
			compareGrids(t, "gl vs cpu", lv, gv, gx, 1e-4, 2e-5)
		})
	}
}

// compareGrids fails where got and want disagree (see compute.Disagree).
func compareGrids(t *testing.T, what string, got, want []float32, nx int, rtol, atol float64) {
	t.Helper()
	bad := compute.Disagree(got, want, rtol, atol)
	for i, k := range bad {
		if i == 5 {
			t.Errorf("%s: %d values disagree in all", what, len(bad))
			break
		}
		t.Errorf("%s: value %d (column %d, row %d) = %v, want %v", what, k, k%nx, k/nx, got[k], want[k])
	}
}

// TestCurvesAgree evaluates the one-parameter surfaces (a grid needs two)
// along their domain with slice, on the cpu and the gl backend, and checks
// that the two agree within float32 tolerance.
func TestCurvesAgree(t *testing.T) {
	dir := plugins(t)
	t.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
	out := t.TempDir()
	for _, name := range []string{"line-angle"} {
		var curves [2][]float32
		for k, b := range []string{"cpu", "gl"} {
			path := filepath.Join(out, name+"-"+b+".csv")
			var stderr bytes.Buffer
			if code := run([]string{"slice", name, "--res", "257", "--backend", b, "-o", path}, io.Discard, &stderr); code != 0 {
				t.Fatalf("slice --backend %s exited %d: %s", b, code, stderr.String())
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
				v, err := strconv.ParseFloat(strings.Split(row, ",")[1], 64)
				if err != nil {
					t.Fatalf("%s: row %q", path, row)
				}
				curves[k] = append(curves[k], float32(v))
			}
		}
		if len(curves[0]) != 257 || len(curves[1]) != 257 {
			t.Fatalf("%s: %d and %d values, want 257", name, len(curves[0]), len(curves[1]))
		}
		compareGrids(t, name+": gl vs cpu", curves[1], curves[0], 257, 1e-4, 2e-5)
	}
}
