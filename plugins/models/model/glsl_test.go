package model

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest/glsltest"
)

// TestGLSL compares every configuration's GLSL loss() with Loss on the GPU.
func TestGLSL(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			opts := []glsltest.Option{glsltest.WithPoints(300)}
			if c.cusps {
				// At a cusp of the sublinear loss, float32's rounding of
				// the residuals (|r| ~ 1e-8 → |r|^¼ ~ 1e-2) decides the
				// value; only a loose check applies there.
				opts = append(opts, glsltest.WithTolerance(1e-3, 1e-2))
			}
			glsltest.CheckGLSL(t, m, opts...)
		})
	}
}

// TestGLSLLarge: surfaces with many parameters, copied into a local array
// (up to glslInline) or read with P(i) where used (beyond). Each keeps its
// loop iterations per point below llvmpipe's limit (see the package
// comment).
func TestGLSLLarge(t *testing.T) {
	// A CSV of 8 rows, 300 features and classes 0..15: softmax has 4816
	// parameters.
	var b strings.Builder
	for f := 0; f < 300; f++ {
		fmt.Fprintf(&b, "f%d,", f)
	}
	b.WriteString("class\n")
	rng := rand.New(rand.NewPCG(5, 6))
	for r := 0; r < 8; r++ {
		for f := 0; f < 300; f++ {
			fmt.Fprintf(&b, "%.3f,", rng.Float64()-0.5)
		}
		fmt.Fprintf(&b, "%d\n", []int{0, 3, 15, 7, 1, 15, 9, 2}[r])
	}
	path := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		config
		inline bool
	}{
		{config{name: "mlp/tanh-1842", base: MLP, p: sdk.Params{"layers": 2, "hidden": 40, "n": 12}}, true},
		{config{name: "mlp/relu-1842", base: MLP, p: sdk.Params{"layers": 2, "hidden": 40, "n": 12, "l2": 0.01}, t: sdk.Texts{"activation": "relu"}}, true},
		{config{name: "softmax/csv-4816", base: Softmax, t: sdk.Texts{"dataset": "csv", "csv": path}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			if (m.dim <= glslInline) != c.inline {
				t.Fatalf("dimension %d: want it on the other side of %d", m.dim, glslInline)
			}
			glsltest.CheckGLSL(t, m, glsltest.WithPoints(40))
		})
	}
}

// TestGLSLGrad compares every configuration's GLSL grad() with Grad on the
// GPU. (Not the large ones: the batch-step kernel keeps DIM-sized arrays
// per invocation, and llvmpipe takes minutes to compile it for a few
// hundred parameters.)
func TestGLSLGrad(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			if !strings.Contains(m.GLSL(), "void grad(out float g[DIM])") {
				t.Fatal("the snippet defines no grad()")
			}
			glsltest.CheckGrad(t, m, glsltest.WithPoints(50), glsltest.WithSeed(3))
		})
	}
}

// broken is a surface whose GLSL is m's with one edit.
type broken struct {
	*Model
	glsl string
}

func (b broken) GLSL() string { return b.glsl }

// TestGLSLCatchesMistakes: the comparisons above see the data (a snippet
// that reads one sample only fails) and the gradient (a doubled grad()
// fails, so the step kernel uses grad() rather than differences of loss()).
func TestGLSLCatchesMistakes(t *testing.T) {
	m := configs[0].build(t)
	src := m.GLSL()
	for _, c := range []struct {
		name, edit string
		compare    func(testing.TB, sdk.SurfaceWithGradient) ([]string, error)
	}{
		{"a snippet that reads only the first sample", strings.Replace(src, "mdl_sample(i * (NF + 1))", "mdl_sample(0)", 1),
			func(t testing.TB, s sdk.SurfaceWithGradient) ([]string, error) {
				return glsltest.Compare(t, s, glsltest.WithPoints(100))
			}},
		{"a doubled gradient", strings.Replace(src, "float wgt = 1.0 / float(NS);", "float wgt = 2.0 / float(NS);", 1),
			func(t testing.TB, s sdk.SurfaceWithGradient) ([]string, error) {
				return glsltest.CompareGrad(t, s, glsltest.WithPoints(20))
			}},
	} {
		if c.edit == src {
			t.Fatalf("%s: edit not applied", c.name)
		}
		problems, err := c.compare(t, broken{m, c.edit})
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) == 0 {
			t.Errorf("%s passed", c.name)
		}
	}
}
