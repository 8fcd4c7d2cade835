package opt

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/landscape-go/landscape/sdk"
)

// firstOrder is the state every first-order run shares: the iterate, the
// step count, the schedule, L2 weight decay and gradient noise.
type firstOrder struct {
	x     []float64
	pts   [][]float64 // {x}: what Ask returns
	t     int         // completed steps
	sched schedule
	wd    float64 // L2 weight decay added to the gradient (0 for adamw)
	noise float64
	rng   *rand.Rand // nil without noise
}

func newFirstOrder(p sdk.Params, x0 []float64, seed uint64, wd, noise float64) firstOrder {
	r := firstOrder{x: x0, pts: [][]float64{x0}, sched: newSchedule(p), wd: wd, noise: noise}
	if noise > 0 {
		r.rng = newRand(seed)
	}
	return r
}

// Ask asks for the loss and gradient at the current iterate.
func (r *firstOrder) Ask() ([][]float64, sdk.Need) { return r.pts, sdk.NeedGradient }

// begin checks Tell's answer and starts step t+1. It returns the gradient
// and the step's learning rate; for a malformed answer it sets the iterate
// to NaN and returns ok false.
func (r *firstOrder) begin(losses []float64, grads [][]float64) (g []float64, lr float64, ok bool) {
	if len(losses) != 1 || !gradsOK(grads, 1, len(r.x)) {
		fillNaN(r.x)
		return nil, 0, false
	}
	lr = r.sched.at(r.t)
	r.t++
	return grads[0], lr, true
}

// grad is component i of the gradient the method sees: the answer, plus
// noise, plus L2 weight decay (torch: g ← g + λθ).
func (r *firstOrder) grad(g []float64, i int) float64 {
	d := g[i]
	if r.rng != nil {
		d += r.noise * r.rng.NormFloat64()
	}
	if r.wd != 0 {
		d += r.wd * r.x[i]
	}
	return d
}

// gd and the SGD family.

func newGD() *optimizer {
	hp := []sdk.Hyperparameter{
		lrParam(0.01),
		weightDecayParam(0, "L2 penalty: λ·x is added to the gradient"),
		noiseParam(),
	}
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:            "gd",
			Summary:         "gradient descent x ← x − lr·∇f (with noise > 0: SGD on an analytic surface)",
			Hyperparameters: append(hp, scheduleParams()...),
			Gradient:        true,
			Stochastic:      true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			return &sgdRun{firstOrder: newFirstOrder(p, x0, seed, p["weight_decay"], p["noise"])}, nil
		},
		glsl: noiseless(gdGLSL),
	}
}

func newSGD(name, summary string, momentum, nesterov float64) *optimizer {
	hp := []sdk.Hyperparameter{
		lrParam(0.01),
		num("momentum", "momentum factor μ", momentum, 0, 1),
		num("dampening", "dampening τ of the momentum: b ← μb + (1−τ)g", 0, 0, 1),
		weightDecayParam(0, "L2 penalty: λ·x is added to the gradient"),
		flag("nesterov", "Nesterov momentum: step along g + μb instead of b; needs momentum > 0 and dampening 0", nesterov),
		noiseParam(),
	}
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:            name,
			Summary:         summary,
			Hyperparameters: append(hp, scheduleParams()...),
			Gradient:        true,
			Stochastic:      true,
		},
		start: startSGD,
		glsl:  noiseless(sgdGLSL),
	}
}

func startSGD(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	mu, tau, nest := p["momentum"], p["dampening"], p["nesterov"] == 1
	if nest && (mu <= 0 || tau != 0) {
		return nil, fmt.Errorf("%w: nesterov=1 needs momentum > 0 and dampening = 0 (got momentum=%v, dampening=%v)",
			sdk.ErrBadParams, mu, tau)
	}
	r := &sgdRun{firstOrder: newFirstOrder(p, x0, seed, p["weight_decay"], p["noise"]), momentum: mu, dampening: tau, nesterov: nest}
	if mu != 0 {
		r.buf = make([]float64, len(x0))
	}
	return r, nil
}

// sgdRun is torch.optim.SGD (and gd, with momentum 0):
//
//	g ← ∇f(θ) + λθ
//	if μ ≠ 0: b ← g at t = 1, else b ← μb + (1−τ)g;  g ← g + μb if nesterov, else b
//	θ ← θ − γg
type sgdRun struct {
	firstOrder
	momentum, dampening float64
	nesterov            bool
	buf                 []float64
}

func (r *sgdRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	g, lr, ok := r.begin(losses, grads)
	if !ok {
		return sdk.Step{X: r.x}
	}
	first := r.t == 1
	for i := range r.x {
		d := r.grad(g, i)
		if r.momentum != 0 {
			if first {
				r.buf[i] = d
			} else {
				r.buf[i] = r.buf[i]*r.momentum + (1-r.dampening)*d
			}
			if r.nesterov {
				d += r.momentum * r.buf[i]
			} else {
				d = r.buf[i]
			}
		}
		r.x[i] += -lr * d
	}
	return sdk.Step{X: r.x, LR: lr}
}

// Adagrad.

func newAdagrad() *optimizer {
	hp := []sdk.Hyperparameter{
		lrParam(0.01),
		num("lr_decay", "learning-rate decay: step t uses lr/(1+(t−1)·lr_decay)", 0, 0, maxDecay),
		weightDecayParam(0, "L2 penalty: λ·x is added to the gradient"),
		num("initial_accumulator_value", "starting value of the sum of squared gradients", 0, 0, 1e6),
		num("eps", "term added to the denominator for numerical stability", 1e-10, 0, 1),
	}
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:            "adagrad",
			Summary:         "Adagrad (torch.optim.Adagrad): per-coordinate steps scaled by accumulated squared gradients",
			Hyperparameters: append(hp, scheduleParams()...),
			Gradient:        true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			r := &adagradRun{firstOrder: newFirstOrder(p, x0, seed, p["weight_decay"], 0),
				lrDecay: p["lr_decay"], eps: p["eps"], sum: make([]float64, len(x0))}
			for i := range r.sum {
				r.sum[i] = p["initial_accumulator_value"]
			}
			return r, nil
		},
	}
}

// adagradRun is torch.optim.Adagrad:
//
//	g ← ∇f(θ) + λθ;  γ̃ ← γ/(1+(t−1)η);  s ← s + g²;  θ ← θ − γ̃ g/(√s + ε)
type adagradRun struct {
	firstOrder
	lrDecay, eps float64
	sum          []float64
}

func (r *adagradRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	g, lr, ok := r.begin(losses, grads)
	if !ok {
		return sdk.Step{X: r.x}
	}
	clr := lr / (1 + float64(r.t-1)*r.lrDecay)
	for i := range r.x {
		d := r.grad(g, i)
		r.sum[i] += d * d
		r.x[i] += -clr * (d / (math.Sqrt(r.sum[i]) + r.eps))
	}
	return sdk.Step{X: r.x, LR: lr}
}

// RMSprop.

func newRMSprop() *optimizer {
	hp := []sdk.Hyperparameter{
		lrParam(0.01),
		num("alpha", "smoothing constant of the squared-gradient average", 0.99, 0, 1),
		num("eps", "term added to the denominator for numerical stability", 1e-8, 0, 1),
		weightDecayParam(0, "L2 penalty: λ·x is added to the gradient"),
		num("momentum", "momentum factor μ", 0, 0, 1),
		flag("centered", "normalize by the variance of the gradient (the average's square subtracted)", 0),
	}
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:            "rmsprop",
			Summary:         "RMSprop (torch.optim.RMSprop): steps scaled by a running average of squared gradients",
			Hyperparameters: append(hp, scheduleParams()...),
			Gradient:        true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			n := len(x0)
			r := &rmspropRun{firstOrder: newFirstOrder(p, x0, seed, p["weight_decay"], 0),
				alpha: p["alpha"], eps: p["eps"], momentum: p["momentum"], sq: make([]float64, n)}
			if p["centered"] == 1 {
				r.avg = make([]float64, n)
			}
			if r.momentum > 0 {
				r.buf = make([]float64, n)
			}
			return r, nil
		},
	}
}

// rmspropRun is torch.optim.RMSprop:
//
//	g ← ∇f(θ) + λθ;  v ← αv + (1−α)g²;  ṽ ← v
//	centered: ḡ ← αḡ + (1−α)g;  ṽ ← v − ḡ²
//	μ > 0: b ← μb + g/(√ṽ + ε);  θ ← θ − γb;  else θ ← θ − γg/(√ṽ + ε)
type rmspropRun struct {
	firstOrder
	alpha, eps, momentum float64
	sq, avg, buf         []float64 // avg nil unless centered, buf nil without momentum
}

func (r *rmspropRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	g, lr, ok := r.begin(losses, grads)
	if !ok {
		return sdk.Step{X: r.x}
	}
	for i := range r.x {
		d := r.grad(g, i)
		r.sq[i] = r.sq[i]*r.alpha + (1-r.alpha)*d*d
		var den float64
		if r.avg != nil {
			r.avg[i] = lerp(r.avg[i], d, 1-r.alpha)
			den = math.Sqrt(r.sq[i]-r.avg[i]*r.avg[i]) + r.eps
		} else {
			den = math.Sqrt(r.sq[i]) + r.eps
		}
		if r.buf != nil {
			r.buf[i] = r.buf[i]*r.momentum + d/den
			r.x[i] += -lr * r.buf[i]
		} else {
			r.x[i] += -lr * (d / den)
		}
	}
	return sdk.Step{X: r.x, LR: lr}
}

// Adam and AdamW.

func newAdam(name, summary string, wd float64, decoupled bool) *optimizer {
	wdDoc := "L2 penalty: λ·x is added to the gradient"
	if decoupled {
		wdDoc = "decoupled weight decay: x ← x − lr·λ·x before the Adam step"
	}
	hp := []sdk.Hyperparameter{
		lrParam(0.001),
		num("beta1", "decay rate of the gradient average, in [0, 1)", 0.9, 0, 1),
		num("beta2", "decay rate of the squared-gradient average, in [0, 1)", 0.999, 0, 1),
		num("eps", "term added to the denominator for numerical stability", 1e-8, 0, 1),
		weightDecayParam(wd, wdDoc),
		flag("amsgrad", "AMSGrad: normalize by the largest squared-gradient average so far", 0),
	}
	return &optimizer{
		info: sdk.OptimizerInfo{
			Name:            name,
			Summary:         summary,
			Hyperparameters: append(hp, scheduleParams()...),
			Gradient:        true,
		},
		start: func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
			b1, b2 := p["beta1"], p["beta2"]
			if b1 >= 1 || b2 >= 1 {
				return nil, fmt.Errorf("%w: beta1=%v and beta2=%v must be below 1", sdk.ErrBadParams, b1, b2)
			}
			n := len(x0)
			r := &adamRun{beta1: b1, beta2: b2, eps: p["eps"], m: make([]float64, n), v: make([]float64, n)}
			if decoupled {
				r.firstOrder = newFirstOrder(p, x0, seed, 0, 0)
				r.decay = p["weight_decay"]
			} else {
				r.firstOrder = newFirstOrder(p, x0, seed, p["weight_decay"], 0)
			}
			if p["amsgrad"] == 1 {
				r.vmax = make([]float64, n)
			}
			return r, nil
		},
		glsl: func(p sdk.Params) string {
			if p["beta1"] >= 1 || p["beta2"] >= 1 {
				return ""
			}
			return schedGLSL + adamGLSL(decoupled)
		},
	}
}

// adamRun is torch.optim.Adam (decay 0) and torch.optim.AdamW (wd 0):
//
//	AdamW: θ ← θ − γλθ.   Adam: g ← ∇f(θ) + λθ
//	m ← β1 m + (1−β1)g;  v ← β2 v + (1−β2)g²
//	amsgrad: v_max ← max(v_max, v), v ← v_max
//	θ ← θ − γ m/(1−β1^t) / (√(v/(1−β2^t)) + ε)
//
// with AMSGrad's maximum taken before the bias correction, as torch's code
// does (and its documentation says since 2.6).
type adamRun struct {
	firstOrder
	beta1, beta2, eps, decay float64
	m, v, vmax               []float64 // vmax nil without amsgrad
}

func (r *adamRun) Tell(losses []float64, grads [][]float64) sdk.Step {
	g, lr, ok := r.begin(losses, grads)
	if !ok {
		return sdk.Step{X: r.x}
	}
	t := float64(r.t)
	stepSize := lr / (1 - math.Pow(r.beta1, t))
	bc2Sqrt := math.Sqrt(1 - math.Pow(r.beta2, t))
	for i := range r.x {
		if r.decay != 0 {
			r.x[i] *= 1 - lr*r.decay
		}
		d := r.grad(g, i)
		r.m[i] = lerp(r.m[i], d, 1-r.beta1)
		r.v[i] = r.v[i]*r.beta2 + (1-r.beta2)*d*d
		v := r.v[i]
		if r.vmax != nil {
			r.vmax[i] = math.Max(r.vmax[i], v)
			v = r.vmax[i]
		}
		r.x[i] += -stepSize * (r.m[i] / (math.Sqrt(v)/bc2Sqrt + r.eps))
	}
	return sdk.Step{X: r.x, LR: lr}
}
