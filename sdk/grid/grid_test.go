package grid

import (
	"context"
	"errors"
	"math"
	"testing"
)

// quad is x² + 2y².
func quad(p []float64) float64 { return p[0]*p[0] + 2*p[1]*p[1] }

func TestPlaneLinspace(t *testing.T) {
	p := AxisPlane(3, 2, 0, []float64{5, 6, 7}, Interval{-2, 2}, Interval{0, 1}, 5, 3)
	if p.XAt(0) != -2 || p.XAt(4) != 2 || p.XAt(1) != -1 || p.YAt(2) != 1 || p.YAt(1) != 0.5 {
		t.Errorf("linspace wrong: %v %v %v", p.XAt(0), p.XAt(4), p.YAt(1))
	}
	th := make([]float64, 3)
	p.Point(th, 4, 2)
	// axis i=2 takes x, axis j=0 takes y, the middle stays at 6.
	if th[0] != 1 || th[1] != 6 || th[2] != 2 {
		t.Errorf("Point = %v, want [1 6 2]", th)
	}
	// Non-representable steps still end exactly on Hi.
	q := AxisPlane(2, 0, 1, nil, Interval{0.1, 0.7}, Interval{0, 1}, 7, 2)
	if q.XAt(6) != 0.7 {
		t.Errorf("last column %v, want 0.7", q.XAt(6))
	}
	if q.Len() != 14 || q.Dim() != 2 {
		t.Errorf("Len %d Dim %d, want 14 and 2", q.Len(), q.Dim())
	}
}

func TestValidate(t *testing.T) {
	ok := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 2, 2)
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]Plane{
		"short u":   {Origin: []float64{0, 0}, U: []float64{1}, V: []float64{0, 1}, X: ok.X, Y: ok.Y, Nx: 2, Ny: 2},
		"empty":     {X: ok.X, Y: ok.Y, Nx: 2, Ny: 2},
		"one point": {Origin: ok.Origin, U: ok.U, V: ok.V, X: ok.X, Y: ok.Y, Nx: 1, Ny: 2},
		"inverted":  {Origin: ok.Origin, U: ok.U, V: ok.V, X: Interval{1, -1}, Y: ok.Y, Nx: 2, Ny: 2},
		"infinite":  {Origin: ok.Origin, U: ok.U, V: ok.V, X: ok.X, Y: Interval{0, math.Inf(1)}, Nx: 2, Ny: 2},
	} {
		if err := p.Validate(); !errors.Is(err, ErrBadPlane) {
			t.Errorf("%s: Validate = %v, want ErrBadPlane", name, err)
		}
	}
}

func TestFill(t *testing.T) {
	p := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 7, 5)
	dst := make([]float32, 3*7)
	if err := Fill(context.Background(), quad, p, 1, 4, dst, 3); err != nil {
		t.Fatal(err)
	}
	th := make([]float64, 2)
	for j := 1; j < 4; j++ {
		for i := 0; i < 7; i++ {
			p.Point(th, i, j)
			if want := float32(quad(th)); dst[(j-1)*7+i] != want {
				t.Errorf("(%d,%d) = %v, want %v", i, j, dst[(j-1)*7+i], want)
			}
		}
	}
	// Three parameters take the general loop.
	p3 := AxisPlane(3, 0, 2, []float64{0, 0.5, 0}, Interval{-1, 1}, Interval{-1, 1}, 4, 3)
	sum := func(x []float64) float64 { return x[0] + 10*x[1] + 100*x[2] }
	d3 := make([]float32, 12)
	if err := Fill(context.Background(), sum, p3, 0, 3, d3, 0); err != nil {
		t.Fatal(err)
	}
	th3 := make([]float64, 3)
	for j := 0; j < 3; j++ {
		for i := 0; i < 4; i++ {
			p3.Point(th3, i, j)
			if want := float32(sum(th3)); d3[j*4+i] != want {
				t.Errorf("3-D (%d,%d) = %v, want %v", i, j, d3[j*4+i], want)
			}
		}
	}
	for _, c := range []struct {
		r0, r1, n int
	}{{0, 6, 42}, {3, 3, 0}, {0, 2, 5}} {
		if err := Fill(context.Background(), quad, p, c.r0, c.r1, make([]float32, c.n), 1); !errors.Is(err, ErrBadPlane) {
			t.Errorf("rows %d..%d into %d: %v", c.r0, c.r1, c.n, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := AxisPlane(2, 0, 1, nil, Interval{-1, 1}, Interval{-1, 1}, 10, 1000)
	if err := Fill(ctx, quad, big, 0, 1000, make([]float32, 10000), 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Fill = %v", err)
	}
}

func TestToFloat32(t *testing.T) {
	if v := ToFloat32(math.Inf(1)); v == v {
		t.Errorf("Inf -> %v, want NaN", v)
	}
	if v := ToFloat32(math.NaN()); v == v {
		t.Errorf("NaN -> %v, want NaN", v)
	}
	if v := ToFloat32(1e300); v != math.MaxFloat32 {
		t.Errorf("1e300 -> %v", v)
	}
	if v := ToFloat32(-1e300); v != -math.MaxFloat32 {
		t.Errorf("-1e300 -> %v", v)
	}
	if v := ToFloat32(0.1); v != float32(0.1) {
		t.Errorf("0.1 -> %v", v)
	}
}
