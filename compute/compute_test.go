package compute

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// cone is sqrt(x²+y²), undefined (NaN) where x > 0.9.
type cone struct{}

func (cone) Info() sdk.Info {
	return sdk.Info{Name: "cone", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}
func (cone) Loss(p []float64) float64 {
	if p[0] > 0.9 {
		return math.NaN()
	}
	return math.Hypot(p[0], p[1])
}

func testGrid(nx, ny int) Grid {
	return Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, nx, ny)}
}

func TestCPUEvaluate(t *testing.T) {
	g := testGrid(21, 11)
	var calls, last int
	f, err := CPU{TileBytes: 4 * 21 * 3}.Evaluate(context.Background(), Local{S: cone{}}, g, Options{Progress: func(done, total int) {
		calls++
		if done < last || total != g.Len() {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 4 || last != g.Len() {
		t.Errorf("progress called %d times, last %d", calls, last)
	}
	st := f.Stats()
	if st.Min != 0 || st.ArgMin != [2]int{10, 5} {
		t.Errorf("min %v at %v, want 0 at (10,5)", st.Min, st.ArgMin)
	}
	if st.NaN != 11 { // column x=1 only (x=0.9 is not > 0.9)
		t.Errorf("NaN count %d, want 11", st.NaN)
	}
	if v := f.At(0, 0); math.Abs(float64(v)-math.Sqrt2) > 1e-6 {
		t.Errorf("corner %v", v)
	}
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
}

func TestCPUErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (CPU{}).Evaluate(ctx, Local{S: cone{}}, testGrid(64, 64), Options{}); !errors.Is(err, ErrCanceled) {
		t.Errorf("cancelled: %v", err)
	}
	g3 := Grid{Plane: grid.AxisPlane(3, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 4, 4)}
	if _, err := (CPU{}).Evaluate(context.Background(), Local{S: cone{}}, g3, Options{}); err == nil {
		t.Error("dimension mismatch accepted")
	}
	if _, err := (CPU{}).Evaluate(context.Background(), Local{S: cone{}}, testGrid(1, 4), Options{}); err == nil {
		t.Error("1-wide grid accepted")
	}
}

func TestStatsAllNaN(t *testing.T) {
	f := NewField(testGrid(2, 2))
	for i := range f.Values {
		f.Values[i] = float32(math.NaN())
	}
	if st := f.Stats(); st.NaN != 4 || st.ArgMin[0] != -1 || !math.IsNaN(st.Min) {
		t.Errorf("all-NaN stats %+v", st)
	}
}

func TestDisagree(t *testing.T) {
	nan := float32(math.NaN())
	want := []float32{0, 10, -100, nan, 1}
	if bad := Disagree([]float32{0, 10.0005, -100.001, nan, 1}, want, 1e-4, 1e-6); len(bad) != 0 {
		t.Errorf("within tolerance: %v", bad)
	}
	if bad := Disagree([]float32{0.01, 10, -100, 1, nan}, want, 1e-4, 1e-6); len(bad) != 3 || bad[0] != 0 || bad[1] != 3 || bad[2] != 4 {
		t.Errorf("want 0, 3, 4: %v", bad)
	}
}
