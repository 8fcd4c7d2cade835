package gl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

var (
	ctxOnce sync.Once
	shared  *Context
	ctxErr  error
)

// RequireGL reports whether a missing GL context must fail the tests rather
// than skip them: in CI, and under `make test`, it must.
func requireGL() bool {
	return os.Getenv("CI") != "" || os.Getenv("LANDSCAPE_REQUIRE_GL") != ""
}

func testContext(t testing.TB) *Context {
	t.Helper()
	ctxOnce.Do(func() { shared, ctxErr = New(Options{Debug: true}) })
	if ctxErr != nil {
		if requireGL() {
			t.Fatalf("no OpenGL 4.3 context, and CI or LANDSCAPE_REQUIRE_GL demands one: %v", ctxErr)
		}
		t.Skipf("no OpenGL 4.3 context: %v", ctxErr)
	}
	return shared
}

// TestMain serves GL on the main thread, as the landscape binary does (see
// thread_test.go's init), so that GLFW contexts run there.
func TestMain(m *testing.M) {
	os.Exit(Main(func() int {
		code := m.Run()
		if shared != nil {
			shared.Close()
		}
		return code
	}))
}

// wave is sin(3x)·cos(2y) + s·(x² + y²), NaN where x > 1.5 (and for y > 1.8
// the GLSL returns 1/0, which must come back NaN too).
type wave struct{ s float64 }

func (w wave) Info() sdk.Info {
	return sdk.Info{Name: "wave", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "s", Default: w.s, Min: 0, Max: 10}}}
}

func (w wave) Loss(p []float64) float64 {
	if p[0] > 1.5 || p[1] > 1.8 {
		return math.NaN()
	}
	return math.Sin(3*p[0])*math.Cos(2*p[1]) + w.s*(p[0]*p[0]+p[1]*p[1])
}

func (w wave) GLSL() string {
	return `float loss() {
	float x = P(0), y = P(1);
	if (x > 1.5) return 0.0 / 0.0;
	if (y > 1.8) return 1.0 / 0.0;
	return sin(3.0 * x) * cos(2.0 * y) + s * (x * x + y * y);
}`
}

func testGrid(nx, ny int) compute.Grid {
	return compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -2, Hi: 2}, sdk.Interval{Lo: -2, Hi: 2}, nx, ny)}
}

// agree fails unless a and b match within float32 tolerance, NaN for NaN.
func agree(t *testing.T, what string, a, b []float32) {
	t.Helper()
	bad := compute.Disagree(a, b, 1e-5, 2e-6)
	for i, k := range bad {
		if i == 5 {
			t.Errorf("%s: %d values disagree in all", what, len(bad))
			break
		}
		t.Errorf("%s: value %d = %v, want %v", what, k, a[k], b[k])
	}
}

func TestEvaluateAgreesWithCPU(t *testing.T) {
	c := testContext(t)
	t.Logf("%s on %s (%s)", c.Info().Version, c.Info().Renderer, c.Info().Platform)
	s := wave{s: 0.5}
	for _, tc := range []struct {
		name     string
		g        compute.Grid
		tile     int64
		dispatch int64
	}{
		{"one tile", testGrid(37, 23), 0, 0},
		{"tiles and dispatches", testGrid(101, 77), 4 * 101 * 10, 101 * 3},
		{"one row per tile", testGrid(17, 5), 4 * 17, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := c.Evaluator()
			e.TileBytes, e.DispatchWork = tc.tile, tc.dispatch
			var calls int
			var tm compute.Timing
			got, err := e.Evaluate(context.Background(), compute.Local{S: s}, tc.g, compute.Options{Timing: &tm, Progress: func(int, int) { calls++ }})
			if err != nil {
				t.Fatal(err)
			}
			want, err := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, tc.g, compute.Options{})
			if err != nil {
				t.Fatal(err)
			}
			agree(t, tc.name, got.Values, want.Values)
			if st := got.Stats(); st.NaN != want.Stats().NaN || st.NaN == 0 {
				t.Errorf("NaN count %d, cpu %d", st.NaN, want.Stats().NaN)
			}
			if tm.Kernel <= 0 || tm.Readback <= 0 {
				t.Errorf("timing %+v", tm)
			}
			if tc.tile > 0 && calls < 2 {
				t.Errorf("progress called %d times for several tiles", calls)
			}
		})
	}
}

// TestPlaneColumns: the plane kernel evaluating 1 to 5 consecutive
// columns an invocation agrees with the CPU, on grids whose width is no
// multiple of the columns a work group takes, in tiles and dispatches of
// a few rows; the default on a software renderer is 4 columns, 1 on a
// GPU.
func TestPlaneColumns(t *testing.T) {
	c := testContext(t)
	s := wave{s: 0.5}
	want := map[bool]int{true: 4, false: 1}[c.Info().Software]
	if got := c.Evaluator().planeCols(); got != want {
		t.Errorf("planeCols = %d on %s (software %v), want %d", got, c.Info().Renderer, c.Info().Software, want)
	}
	for _, cols := range []int{1, 2, 3, 4, 5} {
		for _, g := range []compute.Grid{testGrid(37, 23), testGrid(259, 9), testGrid(2, 2)} {
			e := c.Evaluator()
			e.cols = cols
			e.TileBytes, e.DispatchWork = int64(4*g.Nx*4), int64(g.Nx*3)
			got, err := e.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ref, err := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
			if err != nil {
				t.Fatal(err)
			}
			agree(t, fmt.Sprintf("%d columns, %dx%d", cols, g.Nx, g.Ny), got.Values, ref.Values)
		}
	}
}

func TestNDimensionalPlane(t *testing.T) {
	c := testContext(t)
	// Rastrigin-like in 5 dimensions, sliced through (0.5, ·, 1, ·, -1).
	s := sum5{}
	g := compute.Grid{Plane: grid.AxisPlane(5, 1, 3, []float64{0.5, 0, 1, 0, -1}, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -2, Hi: 0}, 19, 11)}
	got, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
	agree(t, "5-d slice", got.Values, want.Values)
}

type sum5 struct{}

func (sum5) Info() sdk.Info {
	d := make([]sdk.Interval, 5)
	for i := range d {
		d[i] = sdk.Interval{Lo: -2, Hi: 2}
	}
	return sdk.Info{Name: "sum5", Summary: "test", Dim: 5, Domain: d}
}
func (sum5) Loss(p []float64) float64 {
	s := 0.0
	for i, x := range p {
		s += float64(i+1) * x * x
	}
	return s
}
func (sum5) GLSL() string {
	return "float loss() {\n\tfloat s = 0.0;\n\tfor (int i = 0; i < DIM; i++) s += float(i + 1) * P(i) * P(i);\n\treturn s;\n}\n"
}

func TestEvalPoints(t *testing.T) {
	c := testContext(t)
	s := wave{s: 2}
	pts := []float64{0, 0, 1, -1, 1.6, 0, -0.3, 0.7, 0, 1.9}
	e := c.Evaluator()
	e.DispatchWork = 1 // one work group per dispatch
	got, err := e.EvalPoints(context.Background(), compute.Local{S: s}.Kernel(), pts)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 5)
	for i := range want {
		want[i] = grid.ToFloat32(s.Loss(pts[2*i : 2*i+2]))
	}
	agree(t, "points", got, want)
	if _, err := e.EvalPoints(context.Background(), compute.Local{S: s}.Kernel(), []float64{1, 2, 3}); err == nil {
		t.Error("3 values accepted as 2-d points")
	}
}

type broken struct{ wave }

func (broken) GLSL() string {
	return "float loss() {\n\tfloat x = P(0);\n\treturn x * undefined_thing;\n}\n"
}

func TestCompileErrorNamesSnippetLine(t *testing.T) {
	c := testContext(t)
	_, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: broken{}}, testGrid(4, 4), compute.Options{})
	if !errors.Is(err, ErrCompile) {
		t.Fatalf("err = %v, want ErrCompile", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "surface wave") || !strings.Contains(msg, "GLSL line 3") || !strings.Contains(msg, "undefined_thing") {
		t.Errorf("error %q should name the surface, GLSL line 3 and the identifier", msg)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

func TestNoGLSLAndCancel(t *testing.T) {
	c := testContext(t)
	if _, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: sum5NoGLSL{}}, compute.Grid{Plane: grid.AxisPlane(5, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 4, 4)}, compute.Options{}); !errors.Is(err, ErrNoGLSL) {
		t.Errorf("no GLSL: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Evaluator().Evaluate(ctx, compute.Local{S: wave{}}, testGrid(64, 64), compute.Options{}); !errors.Is(err, compute.ErrCanceled) {
		t.Errorf("cancelled: %v", err)
	}
}

type sum5NoGLSL struct{ s sdk.Surface }

func (sum5NoGLSL) Info() sdk.Info           { return sum5{}.Info() }
func (sum5NoGLSL) Loss(p []float64) float64 { return sum5{}.Loss(p) }

func TestExplainLog(t *testing.T) {
	for _, c := range []struct{ log, want string }{
		{"1:3(12): error: `foo' undeclared\n", "surface s: GLSL line 3: error: `foo' undeclared"},
		{"1(7) : error C1008: undefined variable \"foo\"\n", "surface s: GLSL line 7: error C1008: undefined variable \"foo\""},
		{"0:100040(2): error: x\n0:2(1): error: y\n", "surface s: kernel template line 40: error: x (and 1 more)"},
		{"1:1(1): warning: w\n1:5(3): error: e\n", "surface s: GLSL line 5: error: e"},
	} {
		if got := explainLog("surface s", c.log); got != c.want {
			t.Errorf("explainLog(%q) = %q, want %q", c.log, got, c.want)
		}
	}
}

// TestGLFWContext makes a context through a GLFW invisible window (the
// desktop path) and evaluates on it. `make test` runs under Xvfb and sets
// LANDSCAPE_REQUIRE_GLFW, so there it must work.
func TestGLFWContext(t *testing.T) {
	c, err := New(Options{Platform: "glfw", Debug: true})
	if err != nil {
		if os.Getenv("LANDSCAPE_REQUIRE_GLFW") != "" {
			t.Fatalf("no GLFW context, and LANDSCAPE_REQUIRE_GLFW demands one: %v", err)
		}
		t.Skipf("no GLFW context (run under xvfb-run): %v", err)
	}
	defer c.Close()
	if c.Info().Platform != "glfw" {
		t.Errorf("platform %q", c.Info().Platform)
	}
	s := wave{s: 1}
	got, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: s}, testGrid(40, 30), compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, testGrid(40, 30), compute.Options{})
	agree(t, "glfw", got.Values, want.Values)
}

// TestEGLDevicePlatform: the device platform names what made the context:
// on Mesa's software renderer (CI's llvmpipe) the platform says it is
// Mesa's software device, not a GPU; on a GPU it is plain egl-device.
func TestEGLDevicePlatform(t *testing.T) {
	c, err := New(Options{Platform: "egl-device"})
	if err != nil {
		if os.Getenv("LANDSCAPE_REQUIRE_GL") != "" {
			t.Fatalf("no EGL device context, and LANDSCAPE_REQUIRE_GL demands one: %v", err)
		}
		t.Skipf("no EGL device context: %v", err)
	}
	defer c.Close()
	i := c.Info()
	software := strings.Contains(i.Renderer, "llvmpipe") || strings.Contains(i.Renderer, "softpipe")
	want := "egl-device"
	if software {
		want = "egl-device (Mesa's software device)"
	}
	if i.Platform != want {
		t.Errorf("renderer %q: platform %q, want %q", i.Renderer, i.Platform, want)
	}
}

func TestUnknownPlatform(t *testing.T) {
	if _, err := New(Options{Platform: "vulkan"}); err == nil || !strings.Contains(err.Error(), "accepted") {
		t.Errorf("err = %v", err)
	}
}

// sumN is Σ (i+1)·θ_i² in n dimensions: beyond shaders.SmallDim the plane's
// vectors come from the storage buffer instead of uniforms.
type sumN struct{ n int }

func (s sumN) Info() sdk.Info {
	d := make([]sdk.Interval, s.n)
	for i := range d {
		d[i] = sdk.Interval{Lo: -2, Hi: 2}
	}
	return sdk.Info{Name: "sumn", Summary: "test", Dim: s.n, Domain: d}
}
func (sumN) Loss(p []float64) float64 { return sum5{}.Loss(p) }
func (sumN) GLSL() string             { return sum5{}.GLSL() }

func TestLargeDimensionPlane(t *testing.T) {
	c := testContext(t)
	for _, n := range []int{32, 33, 40} {
		at := make([]float64, n)
		for i := range at {
			at[i] = 0.01 * float64(i)
		}
		g := compute.Grid{Plane: grid.AxisPlane(n, 3, n-1, at, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -0.5, Hi: 1.5}, 23, 17)}
		got, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: sumN{n}}, g, compute.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: sumN{n}}, g, compute.Options{})
		agree(t, fmt.Sprintf("%d-d slice", n), got.Values, want.Values)
	}
}

func TestEvalOnGPUAndMinMax(t *testing.T) {
	c := testContext(t)
	s := wave{s: 0.5}
	g := testGrid(61, 47)
	e := c.Evaluator()
	got := make([]float32, g.Len())
	var lo, hi float32
	var ok bool
	err := c.Do(func() error {
		buf, err := e.EvalOnGPU(compute.Local{S: s}.Kernel(), g)
		if err != nil {
			return err
		}
		if lo, hi, ok, err = e.MinMaxOnGPU(buf, g.Len()); err != nil {
			return err
		}
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, buf)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, 4*g.Len(), unsafe.Pointer(&got[0]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
	agree(t, "on GPU", got, want.Values)
	gpu := compute.Field{Grid: g, Values: got}
	st := gpu.Stats()
	if !ok || float64(lo) != st.Min || float64(hi) != st.Max {
		t.Errorf("min/max on GPU %v, %v (ok %v); of the same values %v, %v", lo, hi, ok, st.Min, st.Max)
	}
	// All NaN: nothing finite.
	err = c.Do(func() error {
		buf, err := e.EvalOnGPU(compute.Local{S: wave{s: 0.5}}.Kernel(), compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: 1.6, Hi: 2}, sdk.Interval{Lo: 0, Hi: 1}, 4, 4)})
		if err != nil {
			return err
		}
		_, _, ok, err = e.MinMaxOnGPU(buf, 16)
		return err
	})
	if err != nil || ok {
		t.Errorf("all-NaN grid: ok %v, %v", ok, err)
	}
}

// TestReadTiles: a grid read back into a Field goes through one buffer of
// at most ReadTileBytes (on a software renderer the buffer is host memory
// beside the Field), tile by tile, and comes back whole.
func TestReadTiles(t *testing.T) {
	c := testContext(t)
	e := c.Evaluator()
	defer e.Close()
	g := testGrid(2900, 2900) // 33.6 MB of values: two tiles
	got, err := e.Evaluate(context.Background(), compute.Local{S: wave{s: 0.5}}, g, compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.bufs[0].cap > ReadTileBytes {
		t.Errorf("output buffer of %d bytes for a %d-byte grid; tiles are %d", e.bufs[0].cap, 4*g.Len(), ReadTileBytes)
	}
	want, err := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: wave{s: 0.5}}, g, compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	agree(t, "tiled", got.Values, want.Values)
}
