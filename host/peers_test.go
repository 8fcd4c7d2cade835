package host

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// debianPython is the interpreter with python3-numpy that CI installs
// (.ci/deps.sh).
const debianPython = "/usr/bin/python3"

// TestBenchNumpyPeer runs the benchmark's NumPy peer (bench/formulas.py)
// beside the cpu backend on every analytic surface of the standard suite,
// on a non-square grid: the warm-up's check finds NumPy's grids equal to
// landscape's float64 ones within float32 rounding, and the rows carry
// their per-round ratios.
func TestBenchNumpyPeer(t *testing.T) {
	var ss []sdk.Surface
	for _, name := range BenchSurfaces() {
		s, ok := funcs.ByName(name)
		if !ok {
			t.Fatalf("no surface %s", name)
		}
		ss = append(ss, s)
	}
	a := inProcess(t, sdk.WithSurfaces(ss...))
	res, err := a.Bench(context.Background(), BenchOptions{Res: []Res{{33, 17}}, Backends: []string{"cpu", "numpy"},
		Reps: 2, Python: debianPython})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2*len(ss) {
		t.Fatalf("%d results, want %d", len(res), 2*len(ss))
	}
	for _, r := range res {
		switch r.Backend {
		case "numpy":
			if !r.Peer || r.MaxRelDiff == nil || *r.MaxRelDiff > 1e-6 {
				t.Errorf("%s numpy: peer %v, max diff %v", r.Surface, r.Peer, r.MaxRelDiff)
			}
		case "cpu":
			if r.MaxRelDiff != nil {
				t.Errorf("%s: the reference has a difference %v", r.Surface, *r.MaxRelDiff)
			}
		}
		other := map[string]string{"cpu": "numpy", "numpy": "cpu"}[r.Backend]
		v, ok := r.Vs[other]
		if !ok || !(v.Min <= v.Median && v.Median <= v.Max && v.Min > 0) || r.Runs != 2 || !(r.MinMS <= r.MedianMS && r.MedianMS <= r.MaxMS) {
			t.Errorf("%s %s: runs %d, times %v/%v/%v, vs %s %+v", r.Surface, r.Backend, r.Runs, r.MinMS, r.MedianMS, r.MaxMS, other, v)
		}
	}
}

// TestBenchPeerRefusals: a peer asked for where it does not apply is an
// error naming it; by default it is skipped with a line.
func TestBenchPeerRefusals(t *testing.T) {
	bowl, _ := funcs.ByName("bowl")
	a := inProcess(t, sdk.WithSurfaces(bowl))
	ctx := context.Background()
	o := BenchOptions{Surfaces: []string{"bowl"}, Res: []Res{{8, 8}}, Settings: client.Settings{Params: sdk.Params{"dim": 3}},
		Backends: []string{"cpu", "numpy"}, Reps: 1, Python: debianPython}
	if _, err := a.Bench(ctx, o); !errors.Is(err, ErrPeer) || !strings.Contains(err.Error(), "numpy on bowl") {
		t.Errorf("numpy on a 3-parameter surface: %v", err)
	}
	o.Backends = []string{"cpu", "torch-f32"}
	o.Settings = client.Settings{}
	if _, err := a.Bench(ctx, o); !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "torch-f32 on bowl") {
		t.Errorf("torch on a surface without data: %v", err)
	}
	var log bytes.Buffer
	o.Backends, o.Python, o.Log = nil, "/nonexistent/python3", &log
	res, err := a.Bench(ctx, o)
	if err != nil || !strings.Contains(log.String(), "no peers:") {
		t.Errorf("default peers without Python: %v; log %q", err, log.String())
	}
	for _, r := range res {
		if r.Peer {
			t.Errorf("a peer ran: %+v", r)
		}
	}
}

// TestCheckGrid: the benchmark's check passes equal grids, reports the
// largest relative difference, and fails a grid off by more than float32
// rounding, or of the wrong size.
func TestCheckGrid(t *testing.T) {
	ref := &compute.Field{Values: []float32{1, 2, float32(math.NaN()), 4}}
	if d, err := checkGrid("x", []float32{1, 2, float32(math.NaN()), 4}, ref, nil); err != nil || d != 0 {
		t.Errorf("equal: %v, %v", d, err)
	}
	near := float32(2.00001)
	if d, err := checkGrid("x", []float32{1, near, float32(math.NaN())}, ref, nil); err != nil || d != (float64(near)-2)/2 { // relative to the prefix's largest, 2
		t.Errorf("a prefix within rounding: %v, %v", d, err)
	}
	for _, got := range [][]float32{{1, 2.01, float32(math.NaN()), 4}, {1, 2, 3, 4}, {1, 2, float32(math.NaN()), 4, 5}, {}} {
		if _, err := checkGrid("x", got, ref, nil); !errors.Is(err, ErrBenchDisagree) {
			t.Errorf("%v passed: %v", got, err)
		}
	}
}

// TestCheckGridSteep: a point beyond float32 rounding of its value agrees
// when it lies in the range of the reference over the rounding of its
// coordinates, and is left out of the largest difference; a point outside
// that range, or more such points than a steep surface explains, fail.
func TestCheckGridSteep(t *testing.T) {
	ref := &compute.Field{Values: []float32{1, 2, 3, 4}}
	got := []float32{1, 2.5, 3, 4.00001}
	asked := 0
	rng := func(lo, hi float64) func(int) (float64, float64, error) {
		return func(k int) (float64, float64, error) {
			asked++
			if k != 1 {
				t.Errorf("asked about point %d, which agrees", k)
			}
			return lo, hi, nil
		}
	}
	d, err := checkGrid("x", got, ref, rng(1.8, 2.6))
	if err != nil || asked != 1 || d != (float64(got[3])-4)/4 {
		t.Errorf("within the steep range: %v, %v, %d asks", d, err, asked)
	}
	if _, err := checkGrid("x", got, ref, rng(1.9, 2.3)); !errors.Is(err, ErrBenchDisagree) {
		t.Errorf("outside the steep range: %v", err)
	}
	if _, err := checkGrid("x", []float32{1, float32(math.NaN()), 3, 4}, ref, rng(1, 3)); !errors.Is(err, ErrBenchDisagree) {
		t.Errorf("NaN passed: %v", err)
	}
	// 17 points off in a grid of 17: a bug, not steepness.
	many := make([]float32, 17)
	ref = &compute.Field{Values: make([]float32, 17)}
	for k := range many {
		many[k] = 1
	}
	asked = 0
	if _, err := checkGrid("x", many, ref, func(int) (float64, float64, error) { asked++; return -2, 2, nil }); !errors.Is(err, ErrBenchDisagree) || asked != 0 {
		t.Errorf("17 of 17 points off: %v, %d asks", err, asked)
	}
}

// TestRoundingRange: at a point of eggholder's grid beside its cusp
// (x − y − 47 = 0, where √|u| is infinitely steep), the reference's range
// over the float32 rounding of the coordinates is wide, holds the
// reference's own value, and holds values that a float32 evaluation of
// the rounded coordinates gives; away from the cusps it is narrow.
func TestRoundingRange(t *testing.T) {
	s, _ := funcs.ByName("eggholder")
	a := inProcess(t, sdk.WithSurfaces(s))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "eggholder", Res: Res{Nx: 2048, Ny: 2048}})
	if err != nil {
		t.Fatal(err)
	}
	p := sc.Grid.Plane
	// The grid point nearest the cusp in row 72, and one far from both.
	j := 72
	y := p.YAt(j)
	i := int(math.Round((y + 47 - p.X.Lo) / (p.X.Hi - p.X.Lo) * float64(p.Nx-1)))
	egg := func(x, y float64) float64 { return s.Loss([]float64{x, y}) }
	for _, c := range []struct {
		i    int
		wide bool
	}{{i, true}, {1500, false}} {
		x := p.XAt(c.i)
		lo, hi, err := a.roundingRange(ctx, sc, j*p.Nx+c.i)
		if err != nil {
			t.Fatal(err)
		}
		v := egg(x, y)
		if !(lo <= v+1e-4*math.Abs(v) && v-1e-4*math.Abs(v) <= hi) {
			t.Errorf("point (%v, %v): its value %v is outside [%v, %v]", x, y, v, lo, hi)
		}
		// Independently: eggholder at the coordinates as float32 holds them.
		v32 := egg(float64(float32(x)), float64(float32(y)))
		if c.wide && !(lo-1e-9 <= v32 && v32 <= hi+1e-9) {
			t.Errorf("point (%v, %v): the float32 coordinates' value %v is outside [%v, %v]", x, y, v32, lo, hi)
		}
		if w := hi - lo; c.wide != (w > 1e-3*math.Abs(v)) {
			t.Errorf("point (%v, %v), u = %v: range [%v, %v] of width %v (wide: %v)", x, y, x-y-47, lo, hi, w, c.wide)
		}
	}
}

// TestBenchRatios: each run's Vs are the other runs' times over its own,
// round by round.
func TestBenchRatios(t *testing.T) {
	sc := &Scene{Surface: &Surface{}}
	sc.Grid.Nx, sc.Grid.Ny = 10, 10
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	runs := []*benchRun{{sc: sc, backend: "gl", times: ms(10, 20, 10)}, {sc: sc, backend: "numpy", peer: &peerCase{points: 100}, times: ms(50, 40, 30)}}
	res := benchResults(runs)
	if v := res[0].Vs["numpy"]; v != (BenchRatio{Median: 3, Min: 2, Max: 5}) {
		t.Errorf("gl vs numpy %+v", v)
	}
	if v := res[1].Vs["gl"]; math.Abs(v.Median-1/3.0) > 1e-12 || math.Abs(v.Min-0.2) > 1e-12 || v.Max != 0.5 {
		t.Errorf("numpy vs gl %+v", v)
	}
	if r := res[0]; r.MedianMS != 10 || r.MinMS != 10 || r.MaxMS != 20 || r.MevalsPerS != 0.01 || r.Peer || !res[1].Peer || res[1].Points != 0 {
		t.Errorf("results %+v", res)
	}
}

// TestSurfaceData fetches a model's data buffer as a table of samples,
// as the model peers read it (.npy); a surface without data is ErrNoData.
func TestSurfaceData(t *testing.T) {
	ripple, _ := funcs.ByName("ripple")
	a := inProcess(t, sdk.WithSurfaces(model.MLP(), ripple))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	surface := func(name string, p sdk.Params) *Surface {
		e, err := cat.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := a.Configure(ctx, e, client.Settings{Params: p})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tab, err := a.SurfaceData(ctx, surface("mlp", sdk.Params{"n": 50, "split": 0.2}))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.MLP().Configure(sdk.Params{"n": 50, "split": 0.2})
	if err != nil {
		t.Fatal(err)
	}
	want := m.(sdk.SurfaceWithData).Data()
	if tab.Rows != 40 || tab.Cols != 3 || len(tab.Values) != len(want) {
		t.Fatalf("table %dx%d of %d values, want 40x3 of %d", tab.Rows, tab.Cols, len(tab.Values), len(want))
	}
	for i := range want {
		if tab.Values[i] != want[i] {
			t.Fatalf("value %d: %v, want %v", i, tab.Values[i], want[i])
		}
	}
	var npy bytes.Buffer
	if err := writeDataNPY(&npy, tab); err != nil {
		t.Fatal(err)
	}
	rows, err := readNPY(&npy)
	if err != nil || len(rows) != 40 || len(rows[0]) != 3 || float32(rows[39][2]) != want[119] || float32(rows[1][0]) != want[3] {
		t.Fatalf("npy: %v, %d rows", err, len(rows))
	}
	if _, err := a.SurfaceData(ctx, surface("ripple", nil)); !errors.Is(err, ErrNoData) {
		t.Errorf("ripple's data: %v", err)
	}
}
