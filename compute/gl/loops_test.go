package gl

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// longBowl is mean_k(w_k)·(x² + y²) with the mean taken by a loop over
// its n data values (all 1): a bowl whose every loss() runs n loop
// iterations, to reach a driver's limit on an invocation's loops.
type longBowl struct{ n int }

func (b longBowl) Info() sdk.Info {
	return sdk.Info{Name: "long-bowl-" + strconv.Itoa(b.n), Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}}}
}
func (longBowl) Loss(p []float64) float64 { return p[0]*p[0] + p[1]*p[1] }
func (b longBowl) Data() []float32 {
	w := make([]float32, b.n)
	for i := range w {
		w[i] = 1
	}
	return w
}
func (longBowl) GLSL() string {
	return `float loss() {
	float w = 0.0;
	for (int k = 0; k < NDATA; k++) w += DATA(k);
	return w / float(NDATA) * (P(0) * P(0) + P(1) * P(1));
}
`
}

// llvmpipe reports whether c is Mesa's software renderer, which ends an
// invocation's loops after 65535 iterations in all.
func llvmpipe(c *Context) bool { return strings.Contains(c.Info().Renderer, "llvmpipe") }

// TestStepRunsLongKernels: a batch whose steps run more loop iterations
// than a driver allows one invocation (300 steps of 5 losses of 1,000
// iterations each, 1.5 million) ends where gradient descent on the bowl
// ends, x·(1 − 2·lr)^300, as it does in dispatches of one step; a batch
// one of whose steps alone is more than llvmpipe runs is refused there
// with ErrLoopsCut, never returned cut short.
func TestStepRunsLongKernels(t *testing.T) {
	c := testContext(t)
	cs := []compute.Const{{Name: "lr", Value: 0.001}}
	starts := []float64{1, -2, 0.5, 0.25, -1.5, 1.5}
	const steps = 300
	run := func(s longBowl, dispatch int64) ([]float32, error) {
		e := c.Evaluator()
		e.DispatchWork = dispatch
		x, _, err := e.StepRuns(context.Background(), StepSpec{Surface: compute.Local{S: s}.Kernel(), OptName: "gd", OptGLSL: gdStep,
			OptConsts: cs, Starts: starts, Steps: steps})
		return x, err
	}
	s := longBowl{n: 1000}
	got, err := run(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	one, err := run(s, 5*int64(len(starts)/2)) // one step per dispatch
	if err != nil {
		t.Fatal(err)
	}
	f := math.Pow(1-2*0.001, steps)
	for i, x0 := range starts {
		if got[i] != one[i] {
			t.Errorf("coordinate %d: %v in the default dispatches, %v one step at a time", i, got[i], one[i])
		}
		// Central differences of a quadratic in float32: exact up to
		// rounding.
		if want := x0 * f; math.Abs(float64(got[i])-want) > 1e-4 {
			t.Errorf("coordinate %d: GPU %v, gradient descent %v", i, got[i], want)
		}
	}
	_, err = run(longBowl{n: 20000}, 0) // 100,000 iterations a step
	if llvmpipe(c) {
		if !errors.Is(err, ErrLoopsCut) {
			t.Errorf("a step of 100,000 loop iterations on llvmpipe: %v, want ErrLoopsCut", err)
		}
	} else if err != nil {
		t.Errorf("a step of 100,000 loop iterations on %s: %v", c.Info().Renderer, err)
	}
}

// TestCurvaturesLongKernels: a curvature map whose points need more loop
// iterations than llvmpipe runs in one invocation (13 losses of 20,000)
// is refused there with ErrLoopsCut; one that fits is the bowl's (Hessian
// 2·I).
func TestCurvaturesLongKernels(t *testing.T) {
	c := testContext(t)
	e := c.Evaluator()
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 9, 9)}
	cv, err := e.Curvatures(context.Background(), compute.Local{S: longBowl{n: 1000}}.Kernel(), g, compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k := range cv.Huu {
		if math.Abs(float64(cv.Huu[k])-2) > 0.05 || math.Abs(float64(cv.Hvv[k])-2) > 0.05 || math.Abs(float64(cv.Huv[k])) > 0.05 {
			t.Fatalf("point %d: Hessian (%v, %v, %v), want (2, 0, 2)", k, cv.Huu[k], cv.Huv[k], cv.Hvv[k])
		}
	}
	_, err = e.Curvatures(context.Background(), compute.Local{S: longBowl{n: 20000}}.Kernel(), g, compute.Options{})
	if llvmpipe(c) {
		if !errors.Is(err, ErrLoopsCut) {
			t.Errorf("curvature of 260,000 loop iterations a point on llvmpipe: %v, want ErrLoopsCut", err)
		}
	} else if err != nil {
		t.Errorf("curvature on %s: %v", c.Info().Renderer, err)
	}
}
