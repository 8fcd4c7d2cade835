package opt

import "github.com/landscape-go/landscape/sdk"

// GPU step functions (sdk.OptimizerWithGLSL): the same update rules as the
// runs in firstorder.go, in float32, for many runs at once. Each is used
// with schedGLSL, and hyperparameters are float constants of their names.

// schedGLSL is schedule.at in GLSL: the learning rate of step t, after
// k = t−1 completed steps. (pow(0, 0) is undefined in GLSL, hence the test.)
const schedGLSL = `float ls_lr(int t) {
	float k = float(t - 1);
	if (schedule == 1.0) {
		float e = floor(k / step_size);
		return e == 0.0 ? lr : lr * pow(gamma, e);
	}
	if (schedule == 2.0) return k == 0.0 ? lr : lr * pow(gamma, k);
	if (schedule == 3.0) return eta_min + (lr - eta_min) * (1.0 + cos(3.14159265358979 * k / t_max)) / 2.0;
	return lr;
}
`

const gdGLSL = `#define NSTATE 0
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	float a = ls_lr(t);
	for (int i = 0; i < DIM; i++) x[i] -= a * (g[i] + weight_decay * x[i]);
}
`

// sgdGLSL is torch.optim.SGD: s holds the momentum buffer b.
const sgdGLSL = `#define NSTATE DIM
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	float a = ls_lr(t);
	for (int i = 0; i < DIM; i++) {
		float d = g[i] + weight_decay * x[i];
		if (momentum != 0.0) {
			s[i] = t == 1 ? d : momentum * s[i] + (1.0 - dampening) * d;
			d = nesterov == 1.0 ? d + momentum * s[i] : s[i];
		}
		x[i] -= a * d;
	}
}
`

// adamGLSL is torch.optim.Adam, or with decoupled torch.optim.AdamW (decay
// first, then Adam without L2): s holds m, v and v_max (AMSGrad).
func adamGLSL(decoupled bool) string {
	decay, l2 := "", " + weight_decay * x[i]"
	if decoupled {
		decay, l2 = "\t\tx[i] *= 1.0 - a * weight_decay;\n", ""
	}
	return `#define NSTATE (3 * DIM)
void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t) {
	float a = ls_lr(t);
	float ss = a / (1.0 - pow(beta1, float(t)));
	float bc2 = sqrt(1.0 - pow(beta2, float(t)));
	for (int i = 0; i < DIM; i++) {
` + decay + `		float d = g[i]` + l2 + `;
		s[i] = beta1 * s[i] + (1.0 - beta1) * d;
		s[DIM + i] = beta2 * s[DIM + i] + (1.0 - beta2) * d * d;
		float v = s[DIM + i];
		if (amsgrad == 1.0) {
			s[2 * DIM + i] = max(s[2 * DIM + i], v);
			v = s[2 * DIM + i];
		}
		x[i] -= ss * s[i] / (sqrt(v) / bc2 + eps);
	}
}
`
}

// noiseless offers src only when the gradient noise is off: the GPU path
// has no random numbers.
func noiseless(src string) func(sdk.Params) string {
	return func(p sdk.Params) string {
		if p["noise"] != 0 {
			return ""
		}
		return schedGLSL + src
	}
}
