package glsltest

import (
	"math"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

type bowl struct{ glsl string }

func (bowl) Info() sdk.Info {
	return sdk.Info{Name: "bowl", Summary: "test", Dim: 3, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -1, Hi: 1}, {Lo: 0, Hi: 3}},
		Minima: []sdk.Minimum{{Location: []float64{0, 0, 0}, Value: 0}}}
}
func (bowl) Loss(p []float64) float64 {
	if p[2] > 2.5 {
		return math.NaN()
	}
	return p[0]*p[0] + 2*p[1]*p[1] + math.Sin(p[2])
}
func (b bowl) GLSL() string { return b.glsl }

const good = "float loss() {\n\tif (P(2) > 2.5) return 0.0 / 0.0;\n\treturn P(0) * P(0) + 2.0 * P(1) * P(1) + sin(P(2));\n}\n"

func TestCheckGLSLPasses(t *testing.T) { CheckGLSL(t, bowl{good}) }

func TestCompareCatchesMistakes(t *testing.T) {
	e := Evaluator(t)
	for _, c := range []struct{ name, glsl string }{
		{"coefficient", strings.Replace(good, "2.0 *", "2.01 *", 1)},
		{"missing NaN", strings.Replace(good, "0.0 / 0.0", "1.0", 1)},
		{"swapped parameters", strings.Replace(good, "sin(P(2))", "sin(P(1))", 1)},
	} {
		problems, err := Compare(e, bowl{c.glsl}, WithPoints(500))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(problems) == 0 {
			t.Errorf("%s: a wrong snippet passed", c.name)
		}
	}
	if _, err := Compare(e, bowl{""}); err == nil {
		t.Error("no GLSL accepted")
	}
	if _, err := Compare(e, bowl{"float loss() { return undefined; }"}); err == nil || !strings.Contains(err.Error(), "GLSL line 1") {
		t.Errorf("compile error: %v", err)
	}
}
