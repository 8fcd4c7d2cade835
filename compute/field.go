package compute

import (
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk/grid"
)

// Grid is a plane through parameter space sampled at Nx×Ny points, with the
// names of its axes.
type Grid struct {
	grid.Plane
	// XLabel and YLabel name the axes ("x0", "x1", "u", ...).
	XLabel, YLabel string
}

// Len is the number of grid points.
func (g Grid) Len() int { return g.Nx * g.Ny }

// Bytes is the memory a float32 Field of g needs.
func (g Grid) Bytes() int64 { return int64(g.Nx) * int64(g.Ny) * 4 }

// Field holds a surface evaluated on a grid: Values is row-major y-by-x,
// row 0 at Y.Lo, NaN where the surface is undefined.
type Field struct {
	Grid   Grid
	Values []float32
}

// NewField allocates a Field for g.
func NewField(g Grid) *Field {
	return &Field{Grid: g, Values: make([]float32, g.Len())}
}

// At is the value at column i, row j.
func (f *Field) At(i, j int) float32 { return f.Values[j*f.Grid.Nx+i] }

// Stats summarises a Field.
type Stats struct {
	Min, Max float64
	// ArgMin and ArgMax are (column, row) indices; -1 when every value is NaN.
	ArgMin, ArgMax [2]int
	// NaN counts undefined points.
	NaN int
}

// Stats scans the Field.
func (f *Field) Stats() Stats {
	s := Stats{Min: math.NaN(), Max: math.NaN(), ArgMin: [2]int{-1, -1}, ArgMax: [2]int{-1, -1}}
	nx := f.Grid.Nx
	first := true
	for k, v := range f.Values {
		if v != v {
			s.NaN++
			continue
		}
		x := float64(v)
		if first || x < s.Min {
			s.Min, s.ArgMin = x, [2]int{k % nx, k / nx}
		}
		if first || x > s.Max {
			s.Max, s.ArgMax = x, [2]int{k % nx, k / nx}
		}
		first = false
	}
	return s
}

// Validate checks that the Field's storage matches its grid.
func (f *Field) Validate() error {
	if err := f.Grid.Validate(); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	if len(f.Values) != f.Grid.Len() {
		return fmt.Errorf("compute: field holds %d values, grid %dx%d needs %d", len(f.Values), f.Grid.Nx, f.Grid.Ny, f.Grid.Len())
	}
	return nil
}

// Disagree returns the indices where got and want differ by more than
// rtol·|want| + atol·S, S being the largest |want|, or where one is NaN and
// the other not. It compares grids from different backends (float32 GPU
// math against float64 CPU math) or against kept references.
func Disagree(got, want []float32, rtol, atol float64) []int {
	scale := 0.0
	for _, v := range want {
		if v == v {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
	}
	var bad []int
	for k := range want {
		a, b := float64(got[k]), float64(want[k])
		if (a != a) != (b != b) || math.Abs(a-b) > rtol*math.Abs(b)+atol*scale {
			bad = append(bad, k)
		}
	}
	return bad
}
