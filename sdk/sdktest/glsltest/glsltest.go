// Package glsltest checks a surface's GLSL snippet against its Go Loss on a
// real GPU context (a headless OpenGL 4.3 context: EGL, or a GLFW invisible
// window). It is apart from sdktest so that plugins without GLSL need no cgo
// or GL libraries to test.
//
//	func TestGLSL(t *testing.T) { glsltest.CheckGLSL(t, MySurface{}) }
//
// Without a GL context the check skips, unless the environment variable CI
// or LANDSCAPE_REQUIRE_GL is set, where it fails: a GL check that skips in
// CI proves nothing.
package glsltest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/sdk"
)

var (
	once sync.Once
	eval *gl.Evaluator
	err  error
)

// Evaluator is the shared GPU evaluator of this test binary; it fails or
// skips t (see the package comment) when there is no GL context.
func Evaluator(t testing.TB) *gl.Evaluator {
	t.Helper()
	once.Do(func() {
		var c *gl.Context
		if c, err = gl.New(gl.Options{}); err == nil {
			eval = c.Evaluator()
		}
	})
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("LANDSCAPE_REQUIRE_GL") != "" {
			t.Fatalf("no OpenGL 4.3 context, and CI or LANDSCAPE_REQUIRE_GL demands one: %v", err)
		}
		t.Skipf("no OpenGL 4.3 context: %v", err)
	}
	return eval
}

type config struct {
	points     int
	seed       uint64
	rtol, atol float64
}

// Option tunes CheckGLSL.
type Option func(*config)

// WithPoints sets the number of random points (default 2000).
func WithPoints(n int) Option { return func(c *config) { c.points = n } }

// WithSeed sets the random seed (default 1).
func WithSeed(s uint64) Option { return func(c *config) { c.seed = s } }

// WithTolerance sets the agreement test |gpu − go| ≤ rtol·|go| + atol·S,
// where S is the largest |loss| among the points (defaults 1e-4, 2e-5).
func WithTolerance(rtol, atol float64) Option { return func(c *config) { c.rtol, c.atol = rtol, atol } }

// CheckGLSL evaluates s's GLSL on the GPU at random points of its domain and
// around its known minima, and compares with Loss at the same float32-rounded
// points, so that only float32 arithmetic separates them. NaN must match NaN.
func CheckGLSL(t *testing.T, s sdk.Surface, opts ...Option) {
	t.Helper()
	problems, err := Compare(Evaluator(t), s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range problems {
		if i == 8 {
			t.Errorf("... %d disagreements in all", len(problems))
			break
		}
		t.Error(p)
	}
}

// Compare is CheckGLSL's comparison: it returns one line per point where
// the GLSL and Go disagree.
func Compare(e *gl.Evaluator, s sdk.Surface, opts ...Option) ([]string, error) {
	cfg := config{points: 2000, seed: 1, rtol: 1e-4, atol: 2e-5}
	for _, o := range opts {
		o(&cfg)
	}
	d := s.Info()
	k := compute.Local{S: s}.Kernel()
	if k.GLSL == "" {
		return nil, fmt.Errorf("%s: no GLSL (implement sdk.SurfaceWithGLSL)", d.Name)
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 0x61736c))
	dim := d.Dim
	var pts []float64
	for k := 0; k < cfg.points; k++ {
		for i := 0; i < dim; i++ {
			iv := d.Domain[i]
			pts = append(pts, float64(float32(iv.Lo+rng.Float64()*(iv.Hi-iv.Lo))))
		}
	}
	for _, m := range d.Minima {
		for k := 0; k < 20; k++ {
			for i := 0; i < dim; i++ {
				iv := d.Domain[i]
				jit := 0.0
				if k > 0 {
					jit = (rng.Float64() - 0.5) * 1e-3 * (iv.Hi - iv.Lo)
				}
				pts = append(pts, float64(float32(m.Location[i]+jit)))
			}
		}
	}
	got, err := e.EvalPoints(context.Background(), k, pts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	n := len(pts) / dim
	want := make([]float64, n)
	scale := 0.0
	for k := range want {
		v := s.Loss(pts[k*dim : (k+1)*dim])
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		want[k] = v
		if v == v {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	var problems []string
	for k := range want {
		g, w := float64(got[k]), want[k]
		tol := cfg.rtol*math.Abs(w) + cfg.atol*scale
		if (g != g) != (w != w) || w == w && math.Abs(g-w) > tol {
			problems = append(problems, fmt.Sprintf("%s at %v: GLSL %v, Go %v (tolerance %.3g)", d.Name, pts[k*dim:(k+1)*dim], g, w, tol))
		}
	}
	return problems, nil
}
