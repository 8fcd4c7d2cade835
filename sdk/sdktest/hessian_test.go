package sdktest

import (
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// hessParaboloid is the paraboloid with its Hessian, 2·scale·I, and
// products with it.
type hessParaboloid struct{ paraboloid }

func (p hessParaboloid) Hessian(dst, t []float64) {
	n := len(t)
	for i := range dst {
		dst[i] = 0
	}
	for i := 0; i < n; i++ {
		dst[i*n+i] = 2 * p.scale
	}
}

func (p hessParaboloid) HVP(dst, t, v []float64) {
	for i, x := range v {
		dst[i] = 2 * p.scale * x
	}
}

// wavy is (x − 1)² + (y − 1)² + ½·x²·sin(y) on [-2, 2]², a surface whose
// Hessian changes from point to point, with every capability; off
// scales its Hessian's off-diagonal entry (1 is right).
type wavy struct {
	off         float64
	noGrad      bool
	withHessian bool
}

func (w wavy) Info() sdk.Info {
	return sdk.Info{Name: "wavy", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}}}
}

func (wavy) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	return (x-1)*(x-1) + (y-1)*(y-1) + 0.5*x*x*math.Sin(y)
}

func (wavy) grad(g, t []float64) {
	x, y := t[0], t[1]
	g[0] = 2*(x-1) + x*math.Sin(y)
	g[1] = 2*(y-1) + 0.5*x*x*math.Cos(y)
}

func (w wavy) hessian(t []float64) [4]float64 {
	x, y := t[0], t[1]
	o := w.off * x * math.Cos(y)
	return [4]float64{2 + math.Sin(y), o, o, 2 - 0.5*x*x*math.Sin(y)}
}

// wavyGrad is wavy with its gradient and products; wavyHess adds the
// dense Hessian; wavyLoss has the dense Hessian and no gradient.
type (
	wavyGrad struct{ wavy }
	wavyHess struct{ wavyGrad }
	wavyLoss struct{ wavy }
)

func (w wavyGrad) Grad(g, t []float64) { w.grad(g, t) }

func (w wavyGrad) HVP(dst, t, v []float64) {
	h := w.hessian(t)
	dst[0], dst[1] = h[0]*v[0]+h[1]*v[1], h[2]*v[0]+h[3]*v[1]
}

func (w wavyHess) Hessian(dst, t []float64) { h := w.hessian(t); copy(dst, h[:]) }

func (w wavyLoss) Hessian(dst, t []float64) { h := w.hessian(t); copy(dst, h[:]) }

// meanSq is the mean over samples x_i = (i, −i)/10 of ‖θ − x_i‖²/2 plus
// l2·‖θ‖²/2: Hessian (1 + l2)·I, on every batch.
type meanSq struct {
	scale float64 // BatchHVP's factor: 1 is right
	n     int
}

func (m meanSq) Info() sdk.Info {
	return sdk.Info{Name: "mean-sq", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}},
		Minima: []sdk.Minimum{{Location: []float64{float64(m.n-1) / 40, -float64(m.n-1) / 40}, Value: m.Loss([]float64{float64(m.n-1) / 40, -float64(m.n-1) / 40})}}}
}

const meanSqL2 = 1

func (m meanSq) Samples() int { return m.n }

func (m meanSq) all() []int {
	idx := make([]int, m.n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func (m meanSq) Loss(t []float64) float64 { return m.BatchLoss(t, m.all()) }
func (m meanSq) Grad(g, t []float64)      { m.BatchGrad(g, t, m.all()) }

func (m meanSq) BatchLoss(t []float64, idx []int) float64 {
	var s float64
	for _, i := range idx {
		a, b := t[0]-float64(i)/10, t[1]+float64(i)/10
		s += (a*a + b*b) / 2
	}
	return s/float64(len(idx)) + meanSqL2*(t[0]*t[0]+t[1]*t[1])/2
}

func (m meanSq) BatchGrad(g, t []float64, idx []int) float64 {
	g[0], g[1] = meanSqL2*t[0], meanSqL2*t[1]
	for _, i := range idx {
		g[0] += (t[0] - float64(i)/10) / float64(len(idx))
		g[1] += (t[1] + float64(i)/10) / float64(len(idx))
	}
	return m.BatchLoss(t, idx)
}

func (m meanSq) HVP(dst, _, v []float64) {
	dst[0], dst[1] = (1+meanSqL2)*v[0], (1+meanSqL2)*v[1]
}

func (m meanSq) BatchHVP(dst, _, v []float64, idx []int) {
	f := m.scale
	if len(idx) == m.n {
		f = 1 // right over every sample, wrong on smaller batches
	}
	dst[0], dst[1] = f*(1+meanSqL2)*v[0], f*(1+meanSqL2)*v[1]
}

// meanSqFull is meanSq whose BatchHVP over every sample disagrees with HVP.
type meanSqFull struct{ meanSq }

func (m meanSqFull) BatchHVP(dst, t, v []float64, idx []int) {
	m.meanSq.BatchHVP(dst, t, v, idx)
	if len(idx) == m.n {
		dst[0] *= 1.5
	}
}

// Broken Hessians, each the paraboloid's but for one fault.
type (
	asymHessian   struct{ hessParaboloid }
	wrongHessian  struct{ hessParaboloid }
	accumHessian  struct{ hessParaboloid }
	mutateHessian struct{ hessParaboloid }
	wrongHVP      struct{ hessParaboloid }
	mutateVector  struct{ hessParaboloid }
	notPSD        struct{ hessParaboloid }
	racyHessian   struct {
		hessParaboloid
		n *atomic.Int64
	}
	// asymHVP has products with [[2, 1], [0, 2]] and no dense Hessian.
	asymHVP struct{ paraboloid }
)

func (a asymHessian) Hessian(dst, t []float64) { a.hessParaboloid.Hessian(dst, t); dst[1] = 0.5 }

func (w wrongHessian) Hessian(dst, t []float64) {
	w.hessParaboloid.Hessian(dst, t)
	for i := range dst {
		dst[i] *= 1.01
	}
}

func (a accumHessian) Hessian(dst, t []float64) {
	h := make([]float64, len(dst))
	a.hessParaboloid.Hessian(h, t)
	for i := range dst {
		dst[i] += h[i]
	}
}

func (m mutateHessian) Hessian(dst, t []float64) { m.hessParaboloid.Hessian(dst, t); t[1] = 42 }

func (w wrongHVP) HVP(dst, t, v []float64) { w.hessParaboloid.HVP(dst, t, v); dst[0] *= 1.01 }

func (m mutateVector) HVP(dst, t, v []float64) { m.hessParaboloid.HVP(dst, t, v); v[0] = 0 }

// Hessian is wrong at the minimum (1, 1) alone, where no random point
// falls: −2 where 2 is right.
func (p notPSD) Hessian(dst, t []float64) {
	p.hessParaboloid.Hessian(dst, t)
	if slices.Equal(t, []float64{1, 1}) {
		dst[0] = -2
	}
}

func (r racyHessian) Hessian(dst, t []float64) {
	r.hessParaboloid.Hessian(dst, t)
	dst[0] += 1e-12 * float64(r.n.Add(1)%3)
}

func (asymHVP) HVP(dst, _, v []float64) { dst[0], dst[1] = 2*v[0]+v[1], 2*v[1] }

func TestHessianCheckPasses(t *testing.T) {
	for _, s := range []sdk.Surface{
		hessParaboloid{newParaboloid()}, hessParaboloid{paraboloid{dim: 5, scale: 3}},
		wavyGrad{wavy{off: 1}}, wavyHess{wavyGrad{wavy{off: 1}}}, wavyLoss{wavy{off: 1}},
		meanSq{scale: 1, n: 20},
	} {
		for _, name := range []string{"hessian", "concurrency"} {
			if errs := runCheck(t, name, s); len(errs) > 0 {
				t.Errorf("%T: %s: a correct surface failed:\n%s", s, name, strings.Join(errs, "\n"))
			}
		}
	}
	// The full harness runs the hessian check.
	CheckSurface(t, hessParaboloid{newParaboloid()})
}

// A surface whose Hessian does not exist at its minimum (NaN there, as at
// the tip of a cone) and one whose minimum is on the domain's boundary
// are not checked there; a NaN Hessian at a random point is a failure.
func TestHessianCheckNaN(t *testing.T) {
	nanAt := func(where []float64) nanHessian { return nanHessian{hessParaboloid{newParaboloid()}, where} }
	if errs := runCheck(t, "hessian", nanAt([]float64{1, 1})); len(errs) > 0 {
		t.Errorf("NaN at the minimum: %s", strings.Join(errs, "\n"))
	}
	if errs := runCheck(t, "hessian", nanAt(nil)); len(errs) == 0 {
		t.Error("a Hessian that is NaN everywhere passed")
	}
	// A minimum listed where the gradient does not vanish (a cusp, as
	// |x|^¼ has) is the minima check's to judge, not this one's.
	for _, at := range [][]float64{{1.5, 1}, {1, 1}} {
		s := negAt{hessParaboloid{newParaboloid()}, at, nil}
		errs := runCheck(t, "hessian", s)
		if stationary := at[0] == 1; stationary != (len(errs) > 0) {
			t.Errorf("a negative Hessian at the minimum listed at %v: %d failures %v", at, len(errs), errs)
		}
	}
	// On the boundary of the domain x ∈ [1, 3], (1, 1) is a minimum of the
	// box, where the Hessian need not be positive semi-definite.
	edge := negAt{hessParaboloid{newParaboloid()}, []float64{1, 1}, []sdk.Interval{{Lo: 1, Hi: 3}, {Lo: -3, Hi: 3}}}
	if errs := runCheck(t, "hessian", edge); len(errs) > 0 {
		t.Errorf("a minimum on the boundary was checked: %s", strings.Join(errs, "\n"))
	}
}

type nanHessian struct {
	hessParaboloid
	where []float64 // nil: everywhere
}

func (n nanHessian) Hessian(dst, t []float64) {
	n.hessParaboloid.Hessian(dst, t)
	if n.where == nil || slices.Equal(t, n.where) {
		dst[3] = math.NaN()
	}
}

func (n nanHessian) HVP(dst, t, v []float64) {
	n.hessParaboloid.HVP(dst, t, v)
	if n.where == nil || slices.Equal(t, n.where) {
		dst[1] = math.NaN()
	}
}

// negAt lists its minimum at where, and has a negative Hessian there
// alone; dom, when set, replaces its domain.
type negAt struct {
	hessParaboloid
	where []float64
	dom   []sdk.Interval
}

func (n negAt) Info() sdk.Info {
	i := n.hessParaboloid.Info()
	if n.dom != nil {
		i.Domain = n.dom
	}
	i.Minima[0].Location = n.where
	i.Minima[0].Value = n.Loss(n.where)
	return i
}

func (n negAt) Hessian(dst, t []float64) {
	n.hessParaboloid.Hessian(dst, t)
	if slices.Equal(t, n.where) {
		dst[0] = -2
	}
}
