package formula

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GLSL generation: the loss program and the gradient program become
// straight-line float32 code, one temporary per instruction. Operations
// whose GLSL built-in is undefined somewhere (sqrt, log, pow of a negative
// base, asin outside [−1, 1], atan(0, 0), min and max of NaN) go through
// small helpers that give what Go gives: NaN where the value is undefined,
// ±Inf where Go's is infinite (the host stores both as NaN).

// helpers are the GLSL helper functions, each with the helpers it calls,
// in the order they are emitted.
var helpers = []struct {
	name, src string
	uses      []string
}{
	{"XP_NAN", "#define XP_NAN uintBitsToFloat(0x7fc00000u)\n", nil},
	{"XP_INF", "#define XP_INF uintBitsToFloat(0x7f800000u)\n", nil},
	{"xp_sqrt", "float xp_sqrt(float a) { return (isnan(a) || a < 0.0) ? XP_NAN : sqrt(a); }\n", []string{"XP_NAN"}},
	{"xp_log", "float xp_log(float a) { return (isnan(a) || a < 0.0) ? XP_NAN : (a == 0.0 ? -XP_INF : log(a)); }\n", []string{"XP_NAN", "XP_INF"}},
	{"xp_log2", "float xp_log2(float a) { return (isnan(a) || a < 0.0) ? XP_NAN : (a == 0.0 ? -XP_INF : log2(a)); }\n", []string{"XP_NAN", "XP_INF"}},
	{"xp_log10", "float xp_log10(float a) { return (isnan(a) || a < 0.0) ? XP_NAN : (a == 0.0 ? -XP_INF : log2(a) * 0.30102999566398120); }\n", []string{"XP_NAN", "XP_INF"}},
	// asin and acos through atan(y, x): Mesa's built-in asin and acos are
	// off by up to 3e-4 (a short polynomial), its atan by far less.
	{"xp_asin", "float xp_asin(float a) { return (isnan(a) || abs(a) > 1.0) ? XP_NAN : atan(a, sqrt((1.0 - a) * (1.0 + a))); }\n", []string{"XP_NAN"}},
	{"xp_acos", "float xp_acos(float a) { return (isnan(a) || abs(a) > 1.0) ? XP_NAN : atan(sqrt((1.0 - a) * (1.0 + a)), a); }\n", []string{"XP_NAN"}},
	// tanh(±10) is ±1 in float32; some drivers compute tanh from exp and
	// overflow to NaN beyond.
	{"xp_tanh", "float xp_tanh(float a) { return isnan(a) ? a : tanh(clamp(a, -10.0, 10.0)); }\n", nil},
	// atan(y, x) is undefined at (0, 0); Go's Atan2 gives ±0 or ±π there
	// by the signs of the zeros.
	{"xp_atan2", `float xp_atan2(float y, float x) {
	if (isnan(x) || isnan(y)) return XP_NAN;
	if (y == 0.0 && x == 0.0) {
		float r = (floatBitsToUint(x) >> 31) != 0u ? 3.14159265358979 : 0.0;
		return (floatBitsToUint(y) >> 31) != 0u ? -r : r;
	}
	return atan(y, x);
}
`, []string{"XP_NAN"}},
	{"xp_max", "float xp_max(float a, float b) { return (isnan(a) || isnan(b)) ? XP_NAN : max(a, b); }\n", []string{"XP_NAN"}},
	{"xp_min", "float xp_min(float a, float b) { return (isnan(a) || isnan(b)) ? XP_NAN : min(a, b); }\n", []string{"XP_NAN"}},
	{"xp_sign", "float xp_sign(float a) { return isnan(a) ? a : sign(a); }\n", nil},
	{"xp_step", "float xp_step(float a, float b) { return (isnan(a) || isnan(b)) ? XP_NAN : (a > b ? 1.0 : (a < b ? 0.0 : 0.5)); }\n", []string{"XP_NAN"}},
	// a^n for a whole n, by repeated squaring (exact where the
	// products are, as Go's Pow for whole exponents).
	{"xp_ipow", `float xp_ipow(float a, int n) {
	float r = 1.0, p = a;
	for (int k = abs(n); k > 0; k >>= 1) {
		if ((k & 1) != 0) r *= p;
		p *= p;
	}
	return n < 0 ? 1.0 / r : r;
}
`, nil},
	// a^b as Go's math.Pow: 1 when b = 0 or a = 1, NaN for a negative
	// base and a fractional exponent, the sign of an odd power.
	{"xp_pow", `float xp_pow(float a, float b) {
	if (b == 0.0 || a == 1.0) return 1.0;
	if (isnan(a) || isnan(b)) return XP_NAN;
	if (a == 0.0) return b > 0.0 ? 0.0 : XP_INF;
	if (a < 0.0) {
		if (b != floor(b)) return XP_NAN;
		float r = pow(-a, b);
		return mod(b, 2.0) == 1.0 ? -r : r;
	}
	return pow(a, b);
}
`, []string{"XP_NAN", "XP_INF"}},
}

// glslCall is the GLSL of each operation but pow: a format of its
// arguments, and the helper it needs.
var glslCall = map[opcode][2]string{
	opNeg: {"(-%s)", ""}, opAdd: {"(%s + %s)", ""}, opSub: {"(%s - %s)", ""},
	opMul: {"(%s * %s)", ""}, opDiv: {"(%s / %s)", ""},
	opSqrt: {"xp_sqrt(%s)", "xp_sqrt"}, opExp: {"exp(%s)", ""},
	opLog: {"xp_log(%s)", "xp_log"}, opLog2: {"xp_log2(%s)", "xp_log2"}, opLog10: {"xp_log10(%s)", "xp_log10"},
	opSin: {"sin(%s)", ""}, opCos: {"cos(%s)", ""}, opTan: {"tan(%s)", ""},
	opAsin: {"xp_asin(%s)", "xp_asin"}, opAcos: {"xp_acos(%s)", "xp_acos"}, opAtan: {"atan(%s)", ""},
	opSinh: {"sinh(%s)", ""}, opCosh: {"cosh(%s)", ""}, opTanh: {"xp_tanh(%s)", "xp_tanh"},
	opAbs: {"abs(%s)", ""}, opAtan2: {"xp_atan2(%s, %s)", "xp_atan2"},
	opMax: {"xp_max(%s, %s)", "xp_max"}, opMin: {"xp_min(%s, %s)", "xp_min"},
	opSign: {"xp_sign(%s)", "xp_sign"}, opStep: {"xp_step(%s, %s)", "xp_step"},
}

// glslFloat is v as a GLSL float expression.
func glslFloat(v float64) string {
	f := float32(v)
	switch {
	case f != f:
		return "XP_NAN"
	case math.IsInf(float64(f), 1):
		return "XP_INF"
	case math.IsInf(float64(f), -1):
		return "(-XP_INF)"
	}
	s := strconv.FormatFloat(float64(f), 'g', -1, 32)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	if f < 0 || f == 0 && math.Signbit(float64(f)) {
		s = "(" + s + ")"
	}
	return s
}

// emitter writes programs as GLSL statements and collects the helpers
// they need.
type emitter struct {
	body strings.Builder
	need map[string]bool
}

// statements writes p's instructions as `float xp_tK = ...;` lines and
// returns each output's expression ("0.0" for a structural zero).
func (e *emitter) statements(p program) []string {
	ref := make([]string, len(p.code))
	for k, in := range p.code {
		a, b := "", ""
		if in.op != opConst && in.op != opVar {
			a, b = ref[in.a], ref[in.b]
		}
		var x string
		switch in.op {
		case opConst:
			ref[k] = glslFloat(in.c)
			for _, c := range []string{"XP_NAN", "XP_INF"} {
				if strings.Contains(ref[k], c) {
					e.mark(c)
				}
			}
			continue
		case opVar:
			x = fmt.Sprintf("P(%d)", in.a)
		case opPow:
			x = e.pow(a, b, p.code[in.b])
		default:
			c := glslCall[in.op]
			if in.op.unary() {
				x = fmt.Sprintf(c[0], a)
			} else {
				x = fmt.Sprintf(c[0], a, b)
			}
			if c[1] != "" {
				e.mark(c[1])
			}
		}
		ref[k] = fmt.Sprintf("xp_t%d", k)
		fmt.Fprintf(&e.body, "\tfloat %s = %s;\n", ref[k], x)
	}
	outs := make([]string, len(p.out))
	for k, o := range p.out {
		outs[k] = "0.0"
		if o >= 0 {
			outs[k] = ref[o]
		}
	}
	return outs
}

// pow is a^b: repeated squaring for a whole constant exponent, else the
// helper that follows Go's Pow.
func (e *emitter) pow(a, b string, exp instr) string {
	if c := exp.c; exp.op == opConst && c == math.Trunc(c) && math.Abs(c) <= 1<<30 {
		if c == 2 {
			return fmt.Sprintf("(%s * %s)", a, a)
		}
		e.mark("xp_ipow")
		return fmt.Sprintf("xp_ipow(%s, %d)", a, int(c))
	}
	e.mark("xp_pow")
	return fmt.Sprintf("xp_pow(%s, %s)", a, b)
}

// mark notes that the helper name, and those it uses, are needed.
func (e *emitter) mark(name string) {
	for _, h := range helpers {
		if h.name == name {
			e.need[name] = true
			for _, u := range h.uses {
				e.mark(u)
			}
		}
	}
}

// glslSource is the GLSL snippet of a formula: loss() from the loss
// program, and grad() from the gradient program.
func glslSource(loss, grad program) string {
	e := &emitter{need: map[string]bool{}}
	f := e.statements(loss)
	var src strings.Builder
	src.WriteString("float loss() {\n")
	src.WriteString(e.body.String())
	fmt.Fprintf(&src, "\treturn %s;\n}\n\nvoid grad(out float g[DIM]) {\n", f[0])
	e.body.Reset()
	g := e.statements(grad)
	src.WriteString(e.body.String())
	for i, gi := range g {
		fmt.Fprintf(&src, "\tg[%d] = %s;\n", i, gi)
	}
	src.WriteString("}\n")
	var out strings.Builder
	for _, h := range helpers {
		if e.need[h.name] {
			out.WriteString(h.src)
		}
	}
	if out.Len() > 0 {
		out.WriteString("\n")
	}
	out.WriteString(src.String())
	return out.String()
}
