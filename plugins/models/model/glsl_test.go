package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
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

// gradStep is an optimizer step that stores the gradient in x: one step
// from x0 leaves grad(x0) in the run's point.
const gradStep = `#define NSTATE 0
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	for (int i = 0; i < DIM; i++) x[i] = g[i];
}
`

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

// TestGLSLGrad compares every configuration's GLSL grad() with Grad, one
// step of an optimizer that stores the gradient. (Not the large ones: the
// batch-step kernel keeps DIM-sized arrays per invocation, and llvmpipe
// takes minutes to compile it for a few hundred parameters.)
func TestGLSLGrad(t *testing.T) {
	e := glsltest.Evaluator(t)
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			d := compute.Local{S: m}.Kernel()
			if !strings.Contains(d.GLSL, "void grad(out float g[DIM])") {
				t.Fatal("the snippet defines no grad()")
			}
			rng := rand.New(rand.NewPCG(3, 4))
			const runs = 50
			starts := make([]float64, runs*d.Dim)
			for i := range starts {
				iv := m.Info().Domain[i%d.Dim]
				starts[i] = float64(float32(iv.Lo + (iv.Hi-iv.Lo)*rng.Float64()))
			}
			got, _, err := e.StepRuns(context.Background(), gl.StepSpec{
				Surface: d, OptName: "gradient", OptGLSL: gradStep, Starts: starts, Steps: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, d.Dim)
			bad := 0
			for r := 0; r < runs; r++ {
				th := starts[r*d.Dim : (r+1)*d.Dim]
				m.Grad(want, th)
				scale := 0.0
				for _, w := range want {
					scale = math.Max(scale, math.Abs(w))
				}
				for i, w := range want {
					g := float64(got[r*d.Dim+i])
					if math.Abs(g-w) > 1e-3*math.Abs(w)+1e-4*(1+scale) && bad < 8 {
						bad++
						t.Errorf("at %v: ∂%d: GLSL %v, Go %v", th, i, g, w)
					}
				}
			}
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
// that reads one sample only fails) and the gradient (a doubled one fails).
func TestGLSLCatchesMistakes(t *testing.T) {
	e := glsltest.Evaluator(t)
	m := configs[0].build(t)
	src := m.GLSL()
	one := strings.Replace(src, "mdl_sample(i * (NF + 1))", "mdl_sample(0)", 1)
	if one == src {
		t.Fatal("edit not applied")
	}
	problems, err := glsltest.Compare(e, broken{m, one}, glsltest.WithPoints(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 {
		t.Error("a snippet that reads only the first sample passed")
	}

	twice := strings.Replace(src, "float wgt = 1.0 / float(NS);", "float wgt = 2.0 / float(NS);", 1)
	d := compute.Local{S: broken{m, twice}}.Kernel()
	starts := []float64{0.5, -0.25}
	got, _, err := e.StepRuns(context.Background(), gl.StepSpec{Surface: d, OptName: "gradient", OptGLSL: gradStep, Starts: starts, Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 2)
	m.Grad(want, starts)
	if math.Abs(float64(got[0])-2*want[0]) > 1e-4*(1+math.Abs(want[0])) {
		t.Errorf("doubled gradient: GLSL %v, 2×Go %v; the step kernel did not use grad()", got[0], 2*want[0])
	}
}
