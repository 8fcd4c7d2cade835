package render

import (
	"io"
	"math"
	"runtime"
	"testing"

	"github.com/landscape-go/landscape/compute"
)

// TestPNGMemory: what rendering allocates does not grow with the field
// (the image, the contours of a field averaged down to 256², the PNG), so
// that a render needs the field, the image and a constant: a 2048² field
// (16 MiB) allocates less than 4 MiB more than a 512² one, with NaN holes,
// on a linear and a log scale. A float64 copy of the field and an
// 8-byte-a-cell raster of it, as rendering once made, were 24 bytes a cell.
func TestPNGMemory(t *testing.T) {
	allocs := func(f *compute.Field, logScale bool) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := PNG(io.Discard, f, Options{Log: logScale, Title: "memory"}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	holes := func(f *compute.Field) *compute.Field {
		for j := 0; j < f.Grid.Ny; j += 7 {
			for i := 0; i < f.Grid.Nx/8; i++ {
				f.Values[j*f.Grid.Nx+i] = float32(math.NaN())
			}
		}
		return f
	}
	small, large := holes(rosenbrock(512)), holes(rosenbrock(2048))
	for _, logScale := range []bool{false, true} {
		a, b := allocs(small, logScale), allocs(large, logScale)
		if b > a+4<<20 {
			t.Errorf("log %v: a 512² field allocated %d bytes, a 2048² one %d", logScale, a, b)
		}
	}
}
