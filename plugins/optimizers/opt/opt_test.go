package opt

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

var wantNames = []string{
	"gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
	"anneal", "grid-search", "random-restarts",
}

var firstOrderNames = []string{"gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}

// The test quadratic f(x) = ½(a·x₀² + b·x₁²), gradient (a·x₀, b·x₁), from
// (1, −2). Every first-order method here acts coordinate by coordinate, so
// coordinate i follows the one-dimensional recurrence with curvature c_i
// and start s_i: the hand computations below are written for one
// coordinate (c, s) and applied to (a, 1) and (b, −2).
const qa, qb = 2.0, 0.5

var quadStart = []float64{1, -2}

func quadLoss(x []float64) float64 { return 0.5 * (qa*x[0]*x[0] + qb*x[1]*x[1]) }

func quadGrad(x []float64) []float64 { return []float64{qa * x[0], qb * x[1]} }

// Rosenbrock's function (1−x)² + 100(y−x²)², for the long reference runs.
func rosenLoss(x []float64) float64 {
	return (1-x[0])*(1-x[0]) + 100*(x[1]-x[0]*x[0])*(x[1]-x[0]*x[0])
}

func rosenGrad(x []float64) []float64 {
	return []float64{-2*(1-x[0]) - 400*x[0]*(x[1]-x[0]*x[0]), 200 * (x[1] - x[0]*x[0])}
}

// trace is what the host would record of a run.
type trace struct {
	x    [][]float64 // x[t-1] is Step.X after Tell t
	lr   []float64
	done int // the Tell that reported Done (1-based), 0 if none
	// best[t-1], accept[t-1], temp[t-1]: Step.Best (nil where none),
	// Accept and Temperature after Tell t.
	best   [][]float64
	accept []sdk.Acceptance
	temp   []float64
}

// drive plays the host: Ask, evaluate with f (and grad when asked), Tell,
// record a copy of Step.X, for at most steps Tells.
func drive(t *testing.T, name string, p sdk.Params, x0 []float64, seed uint64, steps int,
	f func([]float64) float64, grad func([]float64) []float64) trace {
	t.Helper()
	o, ok := ByName(name)
	if !ok {
		t.Fatalf("no optimizer %q", name)
	}
	r, err := o.Start(p, x0, seed)
	if err != nil {
		t.Fatalf("%s %v: Start: %v", name, p, err)
	}
	var tr trace
	for s := 1; s <= steps; s++ {
		pts, need := r.Ask()
		if len(pts) == 0 {
			t.Fatalf("%s: Ask returned no points", name)
		}
		losses := make([]float64, len(pts))
		var grads [][]float64
		if need == sdk.NeedGradient {
			grads = make([][]float64, len(pts))
		}
		for i, pt := range pts {
			if len(pt) != len(x0) {
				t.Fatalf("%s: Ask point %d has %d coordinates, want %d", name, i, len(pt), len(x0))
			}
			losses[i] = f(pt)
			if grads != nil {
				grads[i] = grad(pt)
			}
		}
		st := r.Tell(losses, grads)
		if len(st.X) != len(x0) {
			t.Fatalf("%s: Step.X has %d coordinates, want %d", name, len(st.X), len(x0))
		}
		tr.x = append(tr.x, slices.Clone(st.X))
		tr.lr = append(tr.lr, st.LR)
		tr.best = append(tr.best, slices.Clone(st.Best))
		tr.accept, tr.temp = append(tr.accept, st.Accept), append(tr.temp, st.Temperature)
		if st.Done {
			tr.done = s
			break
		}
	}
	return tr
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// coord is a hand computation of three steps of one coordinate with
// curvature c from start s.
type coord func(c, s float64) [3]float64

func TestHandComputedSteps(t *testing.T) {
	const eps8 = 1e-8
	cases := []struct {
		name string
		opt  string
		p    sdk.Params
		want coord
	}{
		{
			// torch.optim.SGD docs with μ = 0: θ_t ← θ_{t−1} − γ g_t.
			"gd", "gd", sdk.Params{"lr": 0.1},
			func(c, s float64) [3]float64 {
				x1 := s - 0.1*(c*s)
				x2 := x1 - 0.1*(c*x1)
				x3 := x2 - 0.1*(c*x2)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.SGD docs: g_t ← g_t + λθ_{t−1}; θ_t ← θ_{t−1} − γ g_t.
			"gd weight_decay", "gd", sdk.Params{"lr": 0.1, "weight_decay": 0.3},
			func(c, s float64) [3]float64 {
				x1 := s - 0.1*(c*s+0.3*s)
				x2 := x1 - 0.1*(c*x1+0.3*x1)
				x3 := x2 - 0.1*(c*x2+0.3*x2)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.SGD docs: b_1 ← g_1; b_t ← μb_{t−1} + (1−τ)g_t;
			// θ_t ← θ_{t−1} − γ b_t.
			"sgd momentum", "sgd", sdk.Params{"lr": 0.1, "momentum": 0.9},
			func(c, s float64) [3]float64 {
				g1 := c * s
				b1 := g1
				x1 := s - 0.1*b1
				g2 := c * x1
				b2 := 0.9*b1 + (1-0)*g2
				x2 := x1 - 0.1*b2
				g3 := c * x2
				b3 := 0.9*b2 + (1-0)*g3
				x3 := x2 - 0.1*b3
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// As above with τ = 0.25 (not applied at t = 1, where b_1 ← g_1)
			// and λ = 0.05.
			"sgd momentum dampening", "sgd", sdk.Params{"lr": 0.1, "momentum": 0.8, "dampening": 0.25, "weight_decay": 0.05},
			func(c, s float64) [3]float64 {
				g1 := c*s + 0.05*s
				b1 := g1
				x1 := s - 0.1*b1
				g2 := c*x1 + 0.05*x1
				b2 := 0.8*b1 + (1-0.25)*g2
				x2 := x1 - 0.1*b2
				g3 := c*x2 + 0.05*x2
				b3 := 0.8*b2 + (1-0.25)*g3
				x3 := x2 - 0.1*b3
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.SGD docs, nesterov: g_t ← g_t + μ b_t; θ_t ← θ_{t−1} − γ g_t.
			"sgd nesterov", "sgd", sdk.Params{"lr": 0.1, "momentum": 0.9, "nesterov": 1},
			func(c, s float64) [3]float64 {
				g1 := c * s
				b1 := g1
				x1 := s - 0.1*(g1+0.9*b1)
				g2 := c * x1
				b2 := 0.9*b1 + g2
				x2 := x1 - 0.1*(g2+0.9*b2)
				g3 := c * x2
				b3 := 0.9*b2 + g3
				x3 := x2 - 0.1*(g3+0.9*b3)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.Adagrad docs: γ̃ ← γ/(1+(t−1)η); state_sum_t ←
			// state_sum_{t−1} + g_t²; θ_t ← θ_{t−1} − γ̃ g_t/(√state_sum_t + ε),
			// state_sum_0 = initial_accumulator_value.
			"adagrad", "adagrad", sdk.Params{"lr": 0.1, "lr_decay": 0.5, "initial_accumulator_value": 0.2},
			func(c, s float64) [3]float64 {
				g1 := c * s
				s1 := 0.2 + g1*g1
				x1 := s - 0.1/(1+0*0.5)*g1/(math.Sqrt(s1)+1e-10)
				g2 := c * x1
				s2 := s1 + g2*g2
				x2 := x1 - 0.1/(1+1*0.5)*g2/(math.Sqrt(s2)+1e-10)
				g3 := c * x2
				s3 := s2 + g3*g3
				x3 := x2 - 0.1/(1+2*0.5)*g3/(math.Sqrt(s3)+1e-10)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.RMSprop docs: v_t ← αv_{t−1} + (1−α)g_t²;
			// θ_t ← θ_{t−1} − γ g_t/(√v_t + ε).
			"rmsprop", "rmsprop", sdk.Params{"lr": 0.01, "alpha": 0.9},
			func(c, s float64) [3]float64 {
				g1 := c * s
				v1 := 0.9*0 + (1-0.9)*g1*g1
				x1 := s - 0.01*g1/(math.Sqrt(v1)+eps8)
				g2 := c * x1
				v2 := 0.9*v1 + (1-0.9)*g2*g2
				x2 := x1 - 0.01*g2/(math.Sqrt(v2)+eps8)
				g3 := c * x2
				v3 := 0.9*v2 + (1-0.9)*g3*g3
				x3 := x2 - 0.01*g3/(math.Sqrt(v3)+eps8)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.RMSprop docs, centered and momentum:
			// g_t ← g_t + λθ; v_t ← αv + (1−α)g²; g^ave_t ← αg^ave + (1−α)g;
			// ṽ_t ← v_t − (g^ave_t)²; b_t ← μb_{t−1} + g_t/(√ṽ_t + ε);
			// θ_t ← θ_{t−1} − γ b_t.
			"rmsprop centered momentum", "rmsprop",
			sdk.Params{"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": 1, "weight_decay": 0.1},
			func(c, s float64) [3]float64 {
				g1 := c*s + 0.1*s
				v1 := (1 - 0.9) * g1 * g1
				a1 := (1 - 0.9) * g1
				b1 := 0.5*0 + g1/(math.Sqrt(v1-a1*a1)+eps8)
				x1 := s - 0.01*b1
				g2 := c*x1 + 0.1*x1
				v2 := 0.9*v1 + (1-0.9)*g2*g2
				a2 := 0.9*a1 + (1-0.9)*g2
				b2 := 0.5*b1 + g2/(math.Sqrt(v2-a2*a2)+eps8)
				x2 := x1 - 0.01*b2
				g3 := c*x2 + 0.1*x2
				v3 := 0.9*v2 + (1-0.9)*g3*g3
				a3 := 0.9*a2 + (1-0.9)*g3
				b3 := 0.5*b2 + g3/(math.Sqrt(v3-a3*a3)+eps8)
				x3 := x2 - 0.01*b3
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.Adam docs: m_t ← β1 m + (1−β1)g; v_t ← β2 v + (1−β2)g²;
			// m̂ ← m_t/(1−β1^t); v̂ ← v_t/(1−β2^t); θ_t ← θ_{t−1} − γ m̂/(√v̂ + ε).
			"adam", "adam", sdk.Params{"lr": 0.1},
			func(c, s float64) [3]float64 {
				g1 := c * s
				m1 := (1 - 0.9) * g1
				v1 := (1 - 0.999) * g1 * g1
				x1 := s - 0.1*(m1/(1-0.9))/(math.Sqrt(v1/(1-0.999))+eps8)
				g2 := c * x1
				m2 := 0.9*m1 + (1-0.9)*g2
				v2 := 0.999*v1 + (1-0.999)*g2*g2
				x2 := x1 - 0.1*(m2/(1-0.9*0.9))/(math.Sqrt(v2/(1-0.999*0.999))+eps8)
				g3 := c * x2
				m3 := 0.9*m2 + (1-0.9)*g3
				v3 := 0.999*v2 + (1-0.999)*g3*g3
				x3 := x2 - 0.1*(m3/(1-0.9*0.9*0.9))/(math.Sqrt(v3/(1-0.999*0.999*0.999))+eps8)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.Adam docs (≥ 2.6, matching its code), amsgrad:
			// v_t^max ← max(v_{t−1}^max, v_t); v̂ ← v_t^max/(1−β2^t).
			// β2 = 0.5 and a large step make v fall at step 2, so the maximum
			// matters (checked).
			"adam amsgrad", "adam", sdk.Params{"lr": 0.5, "beta2": 0.5, "amsgrad": 1},
			func(c, s float64) [3]float64 {
				g1 := c * s
				m1 := (1 - 0.9) * g1
				v1 := (1 - 0.5) * g1 * g1
				w1 := math.Max(0, v1)
				x1 := s - 0.5*(m1/(1-0.9))/(math.Sqrt(w1/(1-0.5))+eps8)
				g2 := c * x1
				m2 := 0.9*m1 + (1-0.9)*g2
				v2 := 0.5*v1 + (1-0.5)*g2*g2
				w2 := math.Max(w1, v2)
				x2 := x1 - 0.5*(m2/(1-0.9*0.9))/(math.Sqrt(w2/(1-0.5*0.5))+eps8)
				g3 := c * x2
				m3 := 0.9*m2 + (1-0.9)*g3
				v3 := 0.5*v2 + (1-0.5)*g3*g3
				w3 := math.Max(w2, v3)
				x3 := x2 - 0.5*(m3/(1-0.9*0.9*0.9))/(math.Sqrt(w3/(1-0.5*0.5*0.5))+eps8)
				if c == qa && !(v2 < w2) {
					t.Errorf("the amsgrad case does not exercise the maximum: v2 %v, max %v", v2, w2)
				}
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.Adam docs with weight decay: g_t ← g_t + λθ_{t−1}.
			"adam weight_decay", "adam", sdk.Params{"lr": 0.1, "weight_decay": 0.2},
			func(c, s float64) [3]float64 {
				g1 := c*s + 0.2*s
				m1 := (1 - 0.9) * g1
				v1 := (1 - 0.999) * g1 * g1
				x1 := s - 0.1*(m1/(1-0.9))/(math.Sqrt(v1/(1-0.999))+eps8)
				g2 := c*x1 + 0.2*x1
				m2 := 0.9*m1 + (1-0.9)*g2
				v2 := 0.999*v1 + (1-0.999)*g2*g2
				x2 := x1 - 0.1*(m2/(1-0.9*0.9))/(math.Sqrt(v2/(1-0.999*0.999))+eps8)
				g3 := c*x2 + 0.2*x2
				m3 := 0.9*m2 + (1-0.9)*g3
				v3 := 0.999*v2 + (1-0.999)*g3*g3
				x3 := x2 - 0.1*(m3/(1-0.9*0.9*0.9))/(math.Sqrt(v3/(1-0.999*0.999*0.999))+eps8)
				return [3]float64{x1, x2, x3}
			},
		},
		{
			// torch.optim.AdamW docs: θ_t ← θ_{t−1} − γλθ_{t−1} (with the
			// gradient taken at θ_{t−1}), then the Adam step from there.
			"adamw", "adamw", sdk.Params{"lr": 0.1, "weight_decay": 0.2},
			func(c, s float64) [3]float64 {
				g1 := c * s
				m1 := (1 - 0.9) * g1
				v1 := (1 - 0.999) * g1 * g1
				x1 := s - 0.1*0.2*s - 0.1*(m1/(1-0.9))/(math.Sqrt(v1/(1-0.999))+eps8)
				g2 := c * x1
				m2 := 0.9*m1 + (1-0.9)*g2
				v2 := 0.999*v1 + (1-0.999)*g2*g2
				x2 := x1 - 0.1*0.2*x1 - 0.1*(m2/(1-0.9*0.9))/(math.Sqrt(v2/(1-0.999*0.999))+eps8)
				g3 := c * x2
				m3 := 0.9*m2 + (1-0.9)*g3
				v3 := 0.999*v2 + (1-0.999)*g3*g3
				x3 := x2 - 0.1*0.2*x2 - 0.1*(m3/(1-0.9*0.9*0.9))/(math.Sqrt(v3/(1-0.999*0.999*0.999))+eps8)
				return [3]float64{x1, x2, x3}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := drive(t, c.opt, c.p, quadStart, 1, 3, quadLoss, quadGrad)
			w0, w1 := c.want(qa, quadStart[0]), c.want(qb, quadStart[1])
			for s := range 3 {
				want := []float64{w0[s], w1[s]}
				for i := range 2 {
					if !near(tr.x[s][i], want[i], 1e-12) {
						t.Errorf("x%d = %v, want %v (by hand)", s+1, tr.x[s], want)
						break
					}
				}
				if tr.lr[s] != c.p["lr"] {
					t.Errorf("step %d: LR %v, want %v", s+1, tr.lr[s], c.p["lr"])
				}
			}
		})
	}
}

// TestGDLiterals checks gd against numbers worked out on paper:
// g = (2x₀, ½x₁), x ← x − 0.1g.
func TestGDLiterals(t *testing.T) {
	tr := drive(t, "gd", sdk.Params{"lr": 0.1}, quadStart, 1, 3, quadLoss, quadGrad)
	want := [][]float64{{0.8, -1.9}, {0.64, -1.805}, {0.512, -1.71475}}
	for s := range want {
		for i := range 2 {
			if !near(tr.x[s][i], want[s][i], 1e-12) {
				t.Errorf("x%d = %v, want %v", s+1, tr.x[s], want[s])
			}
		}
	}
}

// TestSchedules checks the learning rates of steps 1..5 (k = 0..4 completed
// steps) against torch's closed forms, and that gd uses them:
// x_t = x_{t−1}(1 − lr_t·c).
func TestSchedules(t *testing.T) {
	r := math.Sqrt2 / 2
	cases := []struct {
		name string
		p    sdk.Params
		lrs  [5]float64
	}{
		{"constant", sdk.Params{"lr": 0.1}, [5]float64{0.1, 0.1, 0.1, 0.1, 0.1}},
		// StepLR: lr·γ^⌊k/step_size⌋.
		{"step", sdk.Params{"lr": 0.1, "schedule": 1, "step_size": 2, "gamma": 0.5},
			[5]float64{0.1, 0.1, 0.05, 0.05, 0.025}},
		// ExponentialLR: lr·γ^k.
		{"exponential", sdk.Params{"lr": 0.1, "schedule": 2, "gamma": 0.5},
			[5]float64{0.1, 0.05, 0.025, 0.0125, 0.00625}},
		// CosineAnnealingLR: η_min + (lr − η_min)(1 + cos(πk/T_max))/2.
		{"cosine", sdk.Params{"lr": 0.1, "schedule": 3, "t_max": 4, "eta_min": 0.01},
			[5]float64{0.1, 0.01 + 0.09*(1+r)/2, 0.055, 0.01 + 0.09*(1-r)/2, 0.01}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := drive(t, "gd", c.p, quadStart, 1, 5, quadLoss, quadGrad)
			x := slices.Clone(quadStart)
			for s := range 5 {
				if !near(tr.lr[s], c.lrs[s], 1e-12) {
					t.Errorf("step %d: LR %v, want %v", s+1, tr.lr[s], c.lrs[s])
				}
				x[0] *= 1 - c.lrs[s]*qa
				x[1] *= 1 - c.lrs[s]*qb
				if !near(tr.x[s][0], x[0], 1e-12) || !near(tr.x[s][1], x[1], 1e-12) {
					t.Errorf("x%d = %v, want %v", s+1, tr.x[s], x)
				}
			}
		})
	}
}

// The references: a second, independent transcription of torch's documented
// formulas on two-vectors, loop-free, run for 50 steps on Rosenbrock.

type v2 [2]float64

func (a v2) add(b v2) v2        { return v2{a[0] + b[0], a[1] + b[1]} }
func (a v2) sub(b v2) v2        { return v2{a[0] - b[0], a[1] - b[1]} }
func (a v2) mul(b v2) v2        { return v2{a[0] * b[0], a[1] * b[1]} }
func (a v2) div(b v2) v2        { return v2{a[0] / b[0], a[1] / b[1]} }
func (a v2) scale(s float64) v2 { return v2{s * a[0], s * a[1]} }
func (a v2) plus(s float64) v2  { return v2{a[0] + s, a[1] + s} }
func (a v2) sqrt() v2           { return v2{math.Sqrt(a[0]), math.Sqrt(a[1])} }
func (a v2) max(b v2) v2        { return v2{math.Max(a[0], b[0]), math.Max(a[1], b[1])} }

// refStep maps (θ_{t−1}, g_t, γ_t, t) to θ_t, keeping its state.
type refStep func(x, g v2, lr float64, t int) v2

// refLR is the learning rate of step t (from 1), as torch's schedulers'
// closed forms give it after t−1 scheduler steps.
func refLR(p sdk.Params, t int) float64 {
	lr, k := p["lr"], float64(t-1)
	switch p["schedule"] {
	case 1:
		return lr * math.Pow(p["gamma"], math.Floor(k/p["step_size"]))
	case 2:
		return lr * math.Pow(p["gamma"], k)
	case 3:
		return p["eta_min"] + 0.5*(lr-p["eta_min"])*(1+math.Cos(k*math.Pi/p["t_max"]))
	}
	return lr
}

func refSGD(p sdk.Params) refStep {
	mu, tau, wd, nest := p["momentum"], p["dampening"], p["weight_decay"], p["nesterov"] == 1
	var b v2
	return func(x, g v2, lr float64, t int) v2 {
		g = g.add(x.scale(wd))
		if mu != 0 {
			if t == 1 {
				b = g
			} else {
				b = b.scale(mu).add(g.scale(1 - tau))
			}
			if nest {
				g = g.add(b.scale(mu))
			} else {
				g = b
			}
		}
		return x.sub(g.scale(lr))
	}
}

func refAdagrad(p sdk.Params) refStep {
	sum := v2{p["initial_accumulator_value"], p["initial_accumulator_value"]}
	return func(x, g v2, lr float64, t int) v2 {
		g = g.add(x.scale(p["weight_decay"]))
		clr := lr / (1 + float64(t-1)*p["lr_decay"])
		sum = sum.add(g.mul(g))
		return x.sub(g.div(sum.sqrt().plus(p["eps"])).scale(clr))
	}
}

func refRMSprop(p sdk.Params) refStep {
	alpha, eps, mu := p["alpha"], p["eps"], p["momentum"]
	var v, gAve, b v2
	return func(x, g v2, lr float64, t int) v2 {
		g = g.add(x.scale(p["weight_decay"]))
		v = v.scale(alpha).add(g.mul(g).scale(1 - alpha))
		vt := v
		if p["centered"] == 1 {
			gAve = gAve.scale(alpha).add(g.scale(1 - alpha))
			vt = vt.sub(gAve.mul(gAve))
		}
		if mu > 0 {
			b = b.scale(mu).add(g.div(vt.sqrt().plus(eps)))
			return x.sub(b.scale(lr))
		}
		return x.sub(g.div(vt.sqrt().plus(eps)).scale(lr))
	}
}

func refAdam(p sdk.Params, decoupled bool) refStep {
	b1, b2, eps, wd := p["beta1"], p["beta2"], p["eps"], p["weight_decay"]
	var m, v, vmax v2
	return func(x, g v2, lr float64, t int) v2 {
		if decoupled {
			x = x.scale(1 - lr*wd)
		} else {
			g = g.add(x.scale(wd))
		}
		m = m.scale(b1).add(g.scale(1 - b1))
		v = v.scale(b2).add(g.mul(g).scale(1 - b2))
		mHat := m.scale(1 / (1 - math.Pow(b1, float64(t))))
		vHat := v.scale(1 / (1 - math.Pow(b2, float64(t))))
		if p["amsgrad"] == 1 {
			vmax = vmax.max(v)
			vHat = vmax.scale(1 / (1 - math.Pow(b2, float64(t))))
		}
		return x.sub(mHat.div(vHat.sqrt().plus(eps)).scale(lr))
	}
}

func TestReferenceTrajectories(t *testing.T) {
	cases := []struct {
		name, opt string
		p         sdk.Params
		ref       func(sdk.Params) refStep
	}{
		{"gd wd step", "gd", sdk.Params{"lr": 1e-3, "weight_decay": 0.01, "schedule": 1, "step_size": 7, "gamma": 0.7}, refSGD},
		{"sgd", "sgd", sdk.Params{"lr": 5e-4}, refSGD},
		{"sgd momentum dampening exp", "sgd", sdk.Params{"lr": 2e-4, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.02, "schedule": 2, "gamma": 0.98}, refSGD},
		{"sgd nesterov cosine", "sgd", sdk.Params{"lr": 2e-4, "momentum": 0.9, "nesterov": 1, "schedule": 3, "t_max": 30, "eta_min": 1e-5}, refSGD},
		{"momentum", "momentum", sdk.Params{"lr": 1e-4}, refSGD},
		{"nesterov", "nesterov", sdk.Params{"lr": 1e-4}, refSGD},
		{"adagrad", "adagrad", sdk.Params{"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01}, refAdagrad},
		{"adagrad step", "adagrad", sdk.Params{"lr": 0.05, "schedule": 1, "step_size": 10, "gamma": 0.5}, refAdagrad},
		{"rmsprop", "rmsprop", sdk.Params{"lr": 1e-3, "alpha": 0.9}, refRMSprop},
		{"rmsprop centered momentum step", "rmsprop", sdk.Params{"lr": 1e-3, "centered": 1, "momentum": 0.5, "weight_decay": 0.01, "schedule": 1, "step_size": 10, "gamma": 0.5}, refRMSprop},
		{"rmsprop momentum", "rmsprop", sdk.Params{"lr": 1e-3, "momentum": 0.9}, refRMSprop},
		{"adam", "adam", sdk.Params{"lr": 0.01}, refAdamL2},
		{"adam amsgrad wd cosine", "adam", sdk.Params{"lr": 0.05, "beta2": 0.9, "amsgrad": 1, "weight_decay": 0.01, "schedule": 3, "t_max": 20}, refAdamL2},
		{"adamw", "adamw", sdk.Params{"lr": 0.01}, refAdamW},
		{"adamw amsgrad exp", "adamw", sdk.Params{"lr": 0.02, "weight_decay": 0.1, "amsgrad": 1, "schedule": 2, "gamma": 0.95}, refAdamW},
	}
	x0 := []float64{-1.2, 1}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, _ := ByName(c.opt)
			full, err := sdk.Resolve(o.Info().Hyperparameters, c.p)
			if err != nil {
				t.Fatal(err)
			}
			tr := drive(t, c.opt, c.p, x0, 1, 50, rosenLoss, rosenGrad)
			step := c.ref(full)
			x := v2{x0[0], x0[1]}
			for s := 1; s <= 50; s++ {
				lr := refLR(full, s)
				g := rosenGrad(x[:])
				x = step(x, v2{g[0], g[1]}, lr, s)
				got := tr.x[s-1]
				if !near(got[0], x[0], 1e-10) || !near(got[1], x[1], 1e-10) || !near(tr.lr[s-1], lr, 1e-12) {
					t.Fatalf("step %d: x %v LR %v, reference %v LR %v", s, got, tr.lr[s-1], x, lr)
				}
			}
			if math.IsNaN(x[0]) || math.IsInf(x[0], 0) || math.Abs(x[0]) > 10 {
				t.Fatalf("reference run diverged (%v): pick a smaller lr for this case", x)
			}
		})
	}
}

func refAdamL2(p sdk.Params) refStep { return refAdam(p, false) }
func refAdamW(p sdk.Params) refStep  { return refAdam(p, true) }

// TestNamedDefaults: momentum and nesterov are sgd with other defaults.
func TestNamedDefaults(t *testing.T) {
	for _, c := range []struct {
		name string
		sgd  sdk.Params
	}{
		{"momentum", sdk.Params{"lr": 0.05, "momentum": 0.9}},
		{"nesterov", sdk.Params{"lr": 0.05, "momentum": 0.9, "nesterov": 1}},
	} {
		a := drive(t, c.name, sdk.Params{"lr": 0.05}, quadStart, 1, 20, quadLoss, quadGrad)
		b := drive(t, "sgd", c.sgd, quadStart, 1, 20, quadLoss, quadGrad)
		for s := range a.x {
			if !slices.Equal(a.x[s], b.x[s]) {
				t.Fatalf("%s step %d: %v, sgd %v: %v", c.name, s+1, a.x[s], c.sgd, b.x[s])
			}
		}
	}
}

// TestNoise: noise is seeded, has the declared standard deviation, and is
// absent at noise 0.
func TestNoise(t *testing.T) {
	flat := func([]float64) float64 { return 0 }
	zero := func(x []float64) []float64 { return make([]float64, len(x)) }
	p := sdk.Params{"lr": 1, "noise": 0.5}
	a := drive(t, "sgd", p, []float64{0, 0}, 7, 10, flat, zero)
	b := drive(t, "sgd", p, []float64{0, 0}, 7, 10, flat, zero)
	c := drive(t, "sgd", p, []float64{0, 0}, 8, 10, flat, zero)
	if !slices.Equal(a.x[9], b.x[9]) {
		t.Errorf("same seed, different runs: %v, %v", a.x[9], b.x[9])
	}
	if slices.Equal(a.x[9], c.x[9]) {
		t.Errorf("different seeds, same run: %v", a.x[9])
	}
	// One step of lr 1 on a flat surface moves by −ξ, ξ ~ N(0, 0.5²).
	var sum, sum2 float64
	const n = 2000
	for seed := range uint64(n) {
		x := drive(t, "gd", p, []float64{0}, seed, 1, flat, zero).x[0][0]
		sum += x
		sum2 += x * x
	}
	mean, sd := sum/n, math.Sqrt(sum2/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 0.05 || math.Abs(sd-0.5) > 0.05 {
		t.Errorf("noise 0.5: mean %v, sd %v over %d runs", mean, sd, n)
	}
	q1 := drive(t, "gd", sdk.Params{"lr": 0.1}, quadStart, 1, 10, quadLoss, quadGrad)
	q2 := drive(t, "gd", sdk.Params{"lr": 0.1}, quadStart, 2, 10, quadLoss, quadGrad)
	if !slices.Equal(q1.x[9], q2.x[9]) {
		t.Errorf("noise 0: the seed changed the run: %v, %v", q1.x[9], q2.x[9])
	}
}

func parabola(x []float64) float64 { return x[0] * x[0] }

func TestAnneal(t *testing.T) {
	p := sdk.Params{}
	a := drive(t, "anneal", p, []float64{10}, 3, 2000, parabola, nil)
	b := drive(t, "anneal", p, []float64{10}, 3, 2000, parabola, nil)
	c := drive(t, "anneal", p, []float64{10}, 4, 2000, parabola, nil)
	if a.done != 0 {
		t.Errorf("anneal reported Done at step %d", a.done)
	}
	for s := range a.x {
		if !slices.Equal(a.x[s], b.x[s]) {
			t.Fatalf("same seed: step %d differs: %v, %v", s+1, a.x[s], b.x[s])
		}
	}
	if slices.EqualFunc(a.x, c.x, slices.Equal[[]float64]) {
		t.Error("different seeds gave the same trajectory")
	}
	for _, tr := range []trace{a, c} {
		rose := false
		for s := 1; s < len(tr.x); s++ {
			if parabola(tr.best[s]) > parabola(tr.best[s-1]) {
				t.Fatalf("step %d: best loss rose from %v to %v", s+1, parabola(tr.best[s-1]), parabola(tr.best[s]))
			}
			// The walk: X moved exactly when the step accepted, and it is
			// never better than the best point.
			moved := !slices.Equal(tr.x[s], tr.x[s-1])
			if moved != (tr.accept[s] == sdk.Accepted) || tr.accept[s] == sdk.AcceptNone {
				t.Fatalf("step %d: X moved %v, acceptance %d", s+1, moved, tr.accept[s])
			}
			if parabola(tr.x[s]) < parabola(tr.best[s]) {
				t.Fatalf("step %d: the current point %v beats the best %v", s+1, tr.x[s], tr.best[s])
			}
			rose = rose || parabola(tr.x[s]) > parabola(tr.x[s-1])
			// T_t = T0·cooling^(t−1) with the defaults 1 and 0.995.
			if want := math.Pow(0.995, float64(s)); math.Abs(tr.temp[s]-want) > 1e-12*want {
				t.Fatalf("step %d: temperature %v, want %v", s+1, tr.temp[s], want)
			}
		}
		if !rose {
			t.Error("the walk never went uphill: no Metropolis acceptance of a worse point")
		}
		if last := tr.best[len(tr.best)-1][0]; math.Abs(last) > 0.05 {
			t.Errorf("after 2000 steps from 10: best x = %v, want near 0", last)
		}
		if tr.lr[0] != 0 {
			t.Errorf("anneal LR %v, want 0", tr.lr[0])
		}
	}

	// T_min ends the walk: T_t = 2·0.5^(t−1) is 0.125 at t = 5, below 0.1
	// at t = 6, so the run is done after step 5.
	m := drive(t, "anneal", sdk.Params{"T0": 2, "cooling": 0.5, "T_min": 0.1}, []float64{1}, 1, 100, parabola, nil)
	if m.done != 5 || m.temp[4] != 0.125 {
		t.Errorf("T_min=0.1 from T0=2, cooling 0.5: done at step %d (temperature %v), want 5 (0.125)", m.done, m.temp[len(m.temp)-1])
	}
	if m := drive(t, "anneal", sdk.Params{"T0": 1, "cooling": 1, "T_min": 1}, []float64{1}, 1, 50, parabola, nil); m.done != 0 {
		t.Errorf("constant temperature at T_min: done at step %d, want never", m.done)
	}
	o0, _ := ByName("anneal")
	if _, err := o0.Start(sdk.Params{"T0": 0.5, "T_min": 1}, []float64{1}, 1); !errors.Is(err, sdk.ErrBadParams) {
		t.Errorf("T_min above T0: %v, want ErrBadParams", err)
	}

	// The first Ask evaluates x0 and the first proposal; later ones a proposal.
	o, _ := ByName("anneal")
	r, _ := o.Start(nil, []float64{10}, 1)
	pts, need := r.Ask()
	if need != sdk.NeedLoss || len(pts) != 2 || pts[0][0] != 10 {
		t.Fatalf("first Ask: %v, %v; want x0 and a proposal, loss only", pts, need)
	}
	st := r.Tell([]float64{100, parabola(pts[1])}, nil)
	if pts, _ := r.Ask(); len(pts) != 1 || len(st.X) != 1 {
		t.Fatalf("second Ask: %v", pts)
	}

	// A start where the loss is NaN: the first finite proposal is taken,
	// and the run goes on from there to the minimum at 3.
	nanLeft := func(x []float64) float64 {
		if x[0] < 0.5 {
			return math.NaN()
		}
		return (x[0] - 3) * (x[0] - 3)
	}
	n := drive(t, "anneal", sdk.Params{"sigma": 1}, []float64{0}, 1, 500, nanLeft, nil)
	if last := n.best[len(n.best)-1][0]; math.Abs(last-3) > 0.1 {
		t.Errorf("from a NaN start: x = %v, want near 3", last)
	}
}

func TestGridSearch(t *testing.T) {
	f := func(x []float64) float64 { return (x[0]-0.33)*(x[0]-0.33) + 2*(x[1]+0.71)*(x[1]+0.71) }
	// One point per step, in mixed radix order (the last parameter
	// fastest), the middle one exactly x0; X is the point just evaluated,
	// Best the best so far; done after the 121st.
	tr := drive(t, "grid-search", nil, []float64{0, 0}, 1, 200, func(x []float64) float64 {
		if x[0] == -1 && x[1] == -1 {
			return math.NaN() // NaN never wins
		}
		return f(x)
	}, nil)
	if tr.done != 121 {
		t.Fatalf("done at step %d, want 121", tr.done)
	}
	seen := map[[2]float64]bool{}
	for k, x := range tr.x {
		i, j := k/11, k%11
		want := [2]float64{0.2 * float64(i-5), 0.2 * float64(j-5)}
		if !near(x[0], want[0], 1e-12) || !near(x[1], want[1], 1e-12) {
			t.Fatalf("step %d: X = %v, want %v", k+1, x, want)
		}
		seen[[2]float64{x[0], x[1]}] = true
		if tr.best[k] == nil || f(tr.best[k]) > f(x) && !(x[0] == -1 && x[1] == -1) {
			t.Fatalf("step %d: Best %v is worse than X %v", k+1, tr.best[k], x)
		}
	}
	if mid := tr.x[60]; mid[0] != 0 || mid[1] != 0 {
		t.Errorf("middle point %v, want x0 exactly", mid)
	}
	// Spacing 0.2: the grid point nearest (0.33, −0.71) is (0.4, −0.8).
	if b := tr.best[120]; !near(b[0], 0.4, 1e-12) || !near(b[1], -0.8, 1e-12) {
		t.Errorf("Best = %v, want (0.4, -0.8)", b)
	}
	// A shifted centre and radius in 1-D.
	tr = drive(t, "grid-search", sdk.Params{"radius": 2, "points": 5}, []float64{1}, 1, 10,
		func(x []float64) float64 { return (x[0] - 2.2) * (x[0] - 2.2) }, nil)
	if tr.done != 5 || tr.best[4][0] != 2 || tr.x[0][0] != -1 || tr.x[4][0] != 3 {
		t.Errorf("1-D grid {-1,0,1,2,3}: done at %d, X %v, Best %v; want 5, -1..3, 2", tr.done, tr.x, tr.best[4])
	}

	// Ranges per parameter, the ends exactly as numpy.linspace's.
	o, _ := ByName("grid-search")
	ot := o.(sdk.OptimizerWithTexts)
	r, err := ot.StartTexts(nil, sdk.Texts{"ranges": "-4:4:3, 0.5:2:4"}, []float64{9, 9}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]float64
	for k := 0; k < 12; k++ {
		pts, need := r.Ask()
		if need != sdk.NeedLoss || len(pts) != 1 {
			t.Fatalf("Ask %d: %v, %v", k, pts, need)
		}
		got = append(got, slices.Clone(pts[0]))
		if st := r.Tell([]float64{-float64(k)}, nil); st.Done != (k == 11) || !slices.Equal(st.X, got[k]) || !slices.Equal(st.Best, got[k]) {
			t.Fatalf("Tell %d: %+v (point %v)", k, st, got[k])
		}
	}
	ys := []float64{0.5, 1, 1.5, 2}
	for k, x := range got {
		if want := []float64{[]float64{-4, 0, 4}[k/4], ys[k%4]}; !slices.Equal(x, want) {
			t.Errorf("point %d: %v, want %v", k, x, want)
		}
	}
	// One range for every parameter, points by default.
	r, err = ot.StartTexts(sdk.Params{"points": 2}, sdk.Texts{"ranges": "0:1"}, []float64{5, 5, 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pts, _ := r.Ask(); !slices.Equal(pts[0], []float64{0, 0, 0}) {
		t.Errorf("first point %v, want the low corner", pts[0])
	}
	for _, bad := range []string{"1:0", "0:1,0:1", "0", "a:b", "0:1:1", "0:1:x", "0:inf", "0:1:1002"} {
		if _, err := ot.StartTexts(nil, sdk.Texts{"ranges": bad}, []float64{0, 0, 0}, 1); !errors.Is(err, sdk.ErrBadParams) {
			t.Errorf("ranges=%q: %v, want ErrBadParams", bad, err)
		}
	}
	if _, err := ot.StartTexts(nil, sdk.Texts{"ranges": "0:1:1001,0:1:1001,0:1:2"}, []float64{0, 0, 0}, 1); !errors.Is(err, sdk.ErrBadParams) {
		t.Errorf("a grid of 2·1001² points: %v, want ErrBadParams", err)
	}
	// After Done the run asks for a point and stays done.
	if pts, _ := r.Ask(); len(pts) != 1 {
		t.Errorf("Ask after start: %v", pts)
	}
}

// doubleWell is (x²−1)² + 0.2x: a local minimum near 0.97, the global one
// near −1.02.
func doubleWell(x []float64) float64 { return (x[0]*x[0]-1)*(x[0]*x[0]-1) + 0.2*x[0] }

func doubleWellGrad(x []float64) []float64 { return []float64{4*x[0]*(x[0]*x[0]-1) + 0.2} }

func TestRandomRestarts(t *testing.T) {
	// Without restarts it is gradient descent into the near (local) well.
	tr := drive(t, "random-restarts", sdk.Params{"restarts": 0}, []float64{1}, 1, 1000, doubleWell, doubleWellGrad)
	if tr.done != 101 {
		t.Errorf("done at Tell %d, want inner_steps+1 = 101", tr.done)
	}
	if x := tr.x[len(tr.x)-1][0]; x < 0.9 || x > 1 {
		t.Errorf("restarts=0: X = %v, want the local well near 0.97", x)
	}
	// The global minimum, by Newton's method.
	xmin := -1.0
	for range 50 {
		xmin -= doubleWellGrad([]float64{xmin})[0] / (12*xmin*xmin - 4)
	}
	for seed := range uint64(5) {
		tr := drive(t, "random-restarts", sdk.Params{"restarts": 20}, []float64{1}, seed, 1000, doubleWell, doubleWellGrad)
		x := tr.x[len(tr.x)-1][0]
		if math.Abs(x-xmin) > 1e-3 {
			t.Errorf("seed %d: X = %v, want the global minimum near -1.02", seed, x)
		}
		for s := 1; s < len(tr.x); s++ {
			if doubleWell(tr.x[s]) > doubleWell(tr.x[s-1]) {
				t.Fatalf("seed %d step %d: best loss rose", seed, s+1)
			}
		}
	}
	o, _ := ByName("random-restarts")
	r, _ := o.Start(sdk.Params{"restarts": 50, "radius": 0.5}, []float64{3, -3}, 9)
	pts, need := r.Ask()
	if need != sdk.NeedGradient || len(pts) != 51 || pts[0][0] != 3 || pts[0][1] != -3 {
		t.Fatalf("first Ask: %d points, need %v, first %v", len(pts), need, pts[0])
	}
	for _, pt := range pts {
		if math.Abs(pt[0]-3) > 0.5 || math.Abs(pt[1]+3) > 0.5 {
			t.Fatalf("start %v outside x0 ± radius", pt)
		}
	}
}

func TestInfo(t *testing.T) {
	all := All()
	if len(all) != len(wantNames) {
		t.Fatalf("%d optimizers, want %d", len(all), len(wantNames))
	}
	stochastic := map[string]bool{"gd": true, "sgd": true, "momentum": true, "nesterov": true, "anneal": true, "random-restarts": true}
	gradient := map[string]bool{"random-restarts": true}
	for _, n := range firstOrderNames {
		gradient[n] = true
	}
	for i, o := range all {
		info := o.Info()
		if info.Name != wantNames[i] {
			t.Errorf("optimizer %d is %q, want %q", i, info.Name, wantNames[i])
		}
		if err := info.Validate(); err != nil {
			t.Errorf("%s: %v", info.Name, err)
		}
		if info.Summary == "" || strings.ContainsAny(info.Summary, "\n\r") {
			t.Errorf("%s: summary %q is not one line", info.Name, info.Summary)
		}
		if info.Gradient != gradient[info.Name] || info.Stochastic != stochastic[info.Name] {
			t.Errorf("%s: Gradient %v Stochastic %v, want %v %v", info.Name, info.Gradient, info.Stochastic, gradient[info.Name], stochastic[info.Name])
		}
		for _, h := range info.Hyperparameters {
			// Numbers are bounded; flags and choices are bounded by kind.
			if h.Text {
				if h.Doc == "" {
					t.Errorf("%s: text %s has no doc", info.Name, h.Name)
				}
				continue
			}
			if h.Doc == "" || !(h.Bounded() || h.Flag || h.Choice()) || h.Check(h.Default) != nil {
				t.Errorf("%s: hyperparameter %+v: want a doc and a default within bounds", info.Name, h)
			}
		}
		for _, n := range []string{"nesterov", "centered", "amsgrad"} {
			if i := slices.IndexFunc(info.Hyperparameters, func(h sdk.Hyperparameter) bool { return h.Name == n }); i >= 0 && !info.Hyperparameters[i].Flag {
				t.Errorf("%s: %s is not a flag (users write %s=true)", info.Name, n, n)
			}
		}
		if i := slices.IndexFunc(info.Hyperparameters, func(h sdk.Hyperparameter) bool { return h.Name == "schedule" }); i >= 0 {
			if h := info.Hyperparameters[i]; !slices.Equal(h.Options, []string{"none", "step", "exponential", "cosine"}) {
				t.Errorf("%s: schedule has options %v, want none, step, exponential, cosine", info.Name, h.Options)
			}
		}
		if slices.Contains(firstOrderNames, info.Name) {
			for _, s := range []string{"lr", "schedule", "gamma", "step_size", "t_max", "eta_min"} {
				if !slices.ContainsFunc(info.Hyperparameters, func(h sdk.Hyperparameter) bool { return h.Name == s }) {
					t.Errorf("%s: no hyperparameter %s", info.Name, s)
				}
			}
		}
		if b, ok := ByName(info.Name); !ok || b.Info().Name != info.Name {
			t.Errorf("ByName(%q) = %v, %v", info.Name, b, ok)
		}
		// Defaults start a run; Info hands out copies.
		if _, err := o.Start(nil, []float64{0.5, -0.5}, 1); err != nil {
			t.Errorf("%s: Start with defaults: %v", info.Name, err)
		}
		info.Hyperparameters[0].Default = -42
		if o.Info().Hyperparameters[0].Default == -42 {
			t.Errorf("%s: Info shares its hyperparameters", info.Name)
		}
	}
	if _, ok := ByName("lbfgs"); ok {
		t.Error("ByName found lbfgs")
	}
}

func TestBadParams(t *testing.T) {
	cases := []struct {
		opt  string
		p    sdk.Params
		dim  int
		want error
	}{
		{"sgd", sdk.Params{"nesterov": 1}, 2, sdk.ErrBadParams},
		{"sgd", sdk.Params{"nesterov": 1, "momentum": 0.9, "dampening": 0.1}, 2, sdk.ErrBadParams},
		{"nesterov", sdk.Params{"momentum": 0}, 2, sdk.ErrBadParams},
		{"nesterov", sdk.Params{"dampening": 0.5}, 2, sdk.ErrBadParams},
		{"sgd", sdk.Params{"nesterov": 0.5}, 2, sdk.ErrBadParams},
		{"gd", sdk.Params{"lr": -1}, 2, sdk.ErrBadParams},
		{"gd", sdk.Params{"momentum": 0.9}, 2, sdk.ErrBadParams},
		{"adam", sdk.Params{"beta1": 1}, 2, sdk.ErrBadParams},
		{"adamw", sdk.Params{"beta2": 1}, 2, sdk.ErrBadParams},
		{"adam", sdk.Params{"lr": math.NaN()}, 2, sdk.ErrBadParams},
		{"rmsprop", sdk.Params{"schedule": 4}, 2, sdk.ErrBadParams},
		{"anneal", sdk.Params{"cooling": 2}, 2, sdk.ErrBadParams},
		{"grid-search", sdk.Params{"points": 101}, 3, sdk.ErrBadParams},
		{"grid-search", sdk.Params{"points": 2}, 30, sdk.ErrBadParams},
		{"random-restarts", sdk.Params{"restarts": 1e5}, 200, sdk.ErrBadParams},
	}
	for _, c := range cases {
		o, _ := ByName(c.opt)
		_, err := o.Start(c.p, make([]float64, c.dim), 1)
		if !errors.Is(err, c.want) {
			t.Errorf("%s %v dim %d: error %v, want %v", c.opt, c.p, c.dim, err, c.want)
		}
	}
	// The largest grids the bounds allow in one and two dimensions start.
	g, _ := ByName("grid-search")
	for _, c := range []struct{ points, dim int }{{1001, 1}, {1001, 2}, {100, 3}} {
		if _, err := g.Start(sdk.Params{"points": float64(c.points)}, make([]float64, c.dim), 1); err != nil {
			t.Errorf("grid %d^%d: %v", c.points, c.dim, err)
		}
	}
	for _, o := range All() {
		if _, err := o.Start(nil, nil, 1); !errors.Is(err, sdk.ErrBadRequest) {
			t.Errorf("%s: empty x0: %v, want ErrBadRequest", o.Info().Name, err)
		}
	}
}

// TestStartCopies: a run does not keep the caller's x0.
func TestStartCopies(t *testing.T) {
	for _, o := range All() {
		x0 := []float64{0.25, -0.75}
		r, err := o.Start(nil, x0, 1)
		if err != nil {
			t.Fatal(err)
		}
		x0[0], x0[1] = 99, 99
		pts, _ := r.Ask()
		for _, pt := range pts {
			if pt[0] == 99 {
				t.Errorf("%s: the run kept x0", o.Info().Name)
			}
		}
	}
}

func allNaN(x []float64) bool {
	for _, v := range x {
		if !math.IsNaN(v) {
			return false
		}
	}
	return len(x) > 0
}

// TestNaNGradient: a NaN gradient makes the iterate NaN; an infinite one
// makes it non-finite; neither panics.
func TestNaNGradient(t *testing.T) {
	for _, name := range firstOrderNames {
		for _, bad := range []float64{math.NaN(), math.Inf(1)} {
			o, _ := ByName(name)
			r, _ := o.Start(sdk.Params{"lr": 0.01}, []float64{1, 2}, 1)
			r.Ask()
			st := r.Tell([]float64{bad}, [][]float64{{bad, bad}})
			for _, v := range st.X {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					t.Errorf("%s: gradient %v gave X %v", name, bad, st.X)
					break
				}
			}
			if math.IsNaN(bad) && !allNaN(st.X) {
				t.Errorf("%s: NaN gradient gave X %v", name, st.X)
			}
			r.Ask()
			r.Tell([]float64{1}, [][]float64{{1, 1}}) // goes on without panicking
		}
	}
}

// TestMalformedTell: answers of the wrong shape give a NaN X, never a panic.
func TestMalformedTell(t *testing.T) {
	for _, o := range All() {
		name := o.Info().Name
		fresh := func() ([][]float64, sdk.Need, sdk.Run) {
			r, err := o.Start(sdk.Params{}, []float64{0.5, 0.5}, 1)
			if err != nil {
				t.Fatal(err)
			}
			pts, need := r.Ask()
			return pts, need, r
		}
		pts, need, _ := fresh()
		n := len(pts)
		good := func(k int) [][]float64 {
			g := make([][]float64, k)
			for i := range g {
				g[i] = []float64{1, 1}
			}
			return g
		}
		type answer struct {
			what   string
			losses []float64
			grads  [][]float64
		}
		answers := []answer{
			{"no losses", nil, good(n)},
			{"a loss too many", make([]float64, n+1), good(n)},
		}
		if n > 1 {
			answers = append(answers, answer{"a loss too few", make([]float64, n-1), good(n)})
		}
		if need == sdk.NeedGradient {
			short := good(n)
			short[0] = []float64{1}
			answers = append(answers,
				answer{"no gradients", make([]float64, n), nil},
				answer{"a gradient too many", make([]float64, n), good(n + 1)},
				answer{"a short gradient", make([]float64, n), short},
			)
		}
		for _, a := range answers {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s, %s: panic %v", name, a.what, p)
					}
				}()
				_, _, r := fresh()
				st := r.Tell(a.losses, a.grads)
				if !allNaN(st.X) {
					t.Errorf("%s, %s: X = %v, want NaN", name, a.what, st.X)
				}
				r.Ask()
				r.Tell(nil, nil)
			}()
		}
	}
}

// TestNoAllocs: after Start, a step allocates nothing.
func TestNoAllocs(t *testing.T) {
	cases := []struct {
		name string
		p    sdk.Params
	}{
		{"gd", sdk.Params{"noise": 0.1}},
		{"nesterov", nil},
		{"adagrad", nil},
		{"rmsprop", sdk.Params{"centered": 1, "momentum": 0.9}},
		{"adam", sdk.Params{"amsgrad": 1, "schedule": 3}},
		{"adamw", nil},
		{"anneal", nil},
		{"random-restarts", sdk.Params{"restarts": 3, "inner_steps": 1e6}},
	}
	for _, c := range cases {
		o, _ := ByName(c.name)
		r, err := o.Start(c.p, []float64{0.3, 0.4}, 1)
		if err != nil {
			t.Fatal(err)
		}
		losses := make([]float64, 4)
		grads := [][]float64{{0.1, 0.2}, {0.1, 0.2}, {0.1, 0.2}, {0.1, 0.2}}
		r.Ask()
		r.Tell(losses[:len(mustAsk(r))], grads[:len(mustAsk(r))]) // past anneal's first, double Ask
		allocs := testing.AllocsPerRun(100, func() {
			pts, need := r.Ask()
			g := grads[:len(pts)]
			if need == sdk.NeedLoss {
				g = nil
			}
			r.Tell(losses[:len(pts)], g)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per step", c.name, allocs)
		}
	}
}

func mustAsk(r sdk.Run) [][]float64 {
	pts, _ := r.Ask()
	return pts
}
