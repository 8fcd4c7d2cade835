package model

import (
	"fmt"
	"math"
	"strings"
)

// head is a model's output layer loss: a loss of the residual for
// regression, of one logit (bce) or of k logits (ce) for classification.
type head struct {
	loss  lossKind
	delta float64 // huber's threshold
	out   int     // outputs: k for ce, else 1
}

// reg is the regression loss of the residual r and its derivative.
func (h head) reg(r float64) (v, d float64) {
	switch h.loss {
	case lossMAE:
		return math.Abs(r), sign(r)
	case lossHuber:
		if a := math.Abs(r); a >= h.delta {
			return h.delta * (a - 0.5*h.delta), h.delta * sign(r)
		}
		return 0.5 * r * r, r
	case lossSublinear:
		a := math.Abs(r)
		if a == 0 {
			return 0, 0
		}
		q := math.Sqrt(math.Sqrt(a)) // |r|^(1/4)
		return q, sign(r) * q / (4 * a)
	default: // mse
		return r * r, 2 * r
	}
}

// regFast is reg with mse inlined.
func (h head) regFast(r float64) (v, d float64) {
	if h.loss == lossMSE {
		return r * r, 2 * r
	}
	return h.reg(r)
}

func sign(r float64) float64 {
	switch {
	case r > 0:
		return 1
	case r < 0:
		return -1
	}
	return 0
}

// eval is the loss of outputs z for target y; with dz non-nil it writes the
// derivatives with respect to z there.
func (h head) eval(z []float64, y float64, dz []float64) float64 {
	switch h.loss {
	case lossBCE:
		x := z[0]
		v := math.Max(x, 0) - x*y + math.Log1p(math.Exp(-math.Abs(x)))
		if dz != nil {
			dz[0] = sigmoid(x) - y
		}
		return v
	case lossCE:
		c := int(y)
		lse := softmax(z, dz)
		if dz != nil {
			dz[c]--
		}
		return lse - z[c]
	}
	v, d := h.reg(z[0] - y)
	if dz != nil {
		dz[0] = d
	}
	return v
}

// softmax is logsumexp(z); with p not nil it writes softmax(z) there.
func softmax(z, p []float64) float64 {
	m := z[0]
	for _, x := range z[1:] {
		m = math.Max(m, x)
	}
	var s float64
	for i, x := range z {
		e := math.Exp(x - m)
		s += e
		if p != nil {
			p[i] = e
		}
	}
	for i := range p {
		p[i] /= s
	}
	return m + math.Log(s)
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// glslReg is GLSL for the regression loss of a residual:
// float mdl_reg(float r) and float mdl_dreg(float r) (its derivative).
func (h head) glslReg(b *strings.Builder) {
	var v, d string
	switch h.loss {
	case lossMAE:
		v, d = "abs(r)", "sign(r)"
	case lossHuber:
		dl := glslFloat(h.delta)
		v = fmt.Sprintf("abs(r) < %[1]s ? 0.5 * r * r : %[1]s * (abs(r) - 0.5 * %[1]s)", dl)
		d = fmt.Sprintf("abs(r) < %[1]s ? r : %[1]s * sign(r)", dl)
	case lossSublinear:
		v = "sqrt(sqrt(abs(r)))"
		d = "r == 0.0 ? 0.0 : sign(r) * sqrt(sqrt(abs(r))) / (4.0 * abs(r))"
	default:
		v, d = "r * r", "2.0 * r"
	}
	fmt.Fprintf(b, "float mdl_reg(float r) { return %s; }\nfloat mdl_dreg(float r) { return %s; }\n", v, d)
}

// glsl is GLSL for the loss of the outputs z[NOUT] for target y,
// float mdl_head(float z[NOUT], float y), and its derivatives,
// void mdl_dhead(float z[NOUT], float y, out float dz[NOUT]).
func (h head) glsl(b *strings.Builder) {
	switch h.loss {
	case lossBCE:
		b.WriteString(`float mdl_head(float z[NOUT], float y) {
	float x = z[0];
	return max(x, 0.0) - x * y + log(1.0 + exp(-abs(x)));
}
void mdl_dhead(float z[NOUT], float y, out float dz[NOUT]) {
	float x = z[0];
	float e = exp(-abs(x));
	dz[0] = (x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y;
}
`)
	case lossCE:
		b.WriteString(`float mdl_head(float z[NOUT], float y) {
	float m = z[0];
	for (int c = 1; c < NOUT; c++) m = max(m, z[c]);
	float s = 0.0, zy = 0.0;
	for (int c = 0; c < NOUT; c++) {
		s += exp(z[c] - m);
		if (float(c) == y) zy = z[c];
	}
	return m + log(s) - zy;
}
void mdl_dhead(float z[NOUT], float y, out float dz[NOUT]) {
	float m = z[0];
	for (int c = 1; c < NOUT; c++) m = max(m, z[c]);
	float s = 0.0;
	for (int c = 0; c < NOUT; c++) s += exp(z[c] - m);
	for (int c = 0; c < NOUT; c++) dz[c] = exp(z[c] - m) / s - (float(c) == y ? 1.0 : 0.0);
}
`)
	default:
		h.glslReg(b)
		b.WriteString(`float mdl_head(float z[NOUT], float y) { return mdl_reg(z[0] - y); }
void mdl_dhead(float z[NOUT], float y, out float dz[NOUT]) { dz[0] = mdl_dreg(z[0] - y); }
`)
	}
}
