package dual

import (
	"math"
	"testing"
)

// Each function's first and second derivatives at a point, by hand.
func TestRules(t *testing.T) {
	x := 0.7
	for _, c := range []struct {
		name      string
		f         func(Num) Num
		v, d1, d2 float64
	}{
		{"sin", Sin, math.Sin(x), math.Cos(x), -math.Sin(x)},
		{"cos", Cos, math.Cos(x), -math.Sin(x), -math.Cos(x)},
		{"exp", Exp, math.Exp(x), math.Exp(x), math.Exp(x)},
		{"log", Log, math.Log(x), 1 / x, -1 / (x * x)},
		{"log1p", Log1p, math.Log1p(x), 1 / (1 + x), -1 / ((1 + x) * (1 + x))},
		{"sqrt", Sqrt, math.Sqrt(x), 0.5 / math.Sqrt(x), -0.25 * math.Pow(x, -1.5)},
		{"tanh", Tanh, math.Tanh(x), 1 / (math.Cosh(x) * math.Cosh(x)), -2 * math.Tanh(x) / (math.Cosh(x) * math.Cosh(x))},
		{"pow", func(n Num) Num { return Pow(n, 0.25) }, math.Pow(x, 0.25), 0.25 * math.Pow(x, -0.75), -0.1875 * math.Pow(x, -1.75)},
		{"x³/(1+x)", func(n Num) Num { return Div(Mul(n, Mul(n, n)), Shift(n, 1)) },
			x * x * x / (1 + x), (3*x*x*(1+x) - x*x*x) / ((1 + x) * (1 + x)), (2*x*x*x + 6*x*x + 6*x) / math.Pow(1+x, 3)},
	} {
		got := c.f(Num{V: x, A: 1, B: 1})
		for _, p := range []struct {
			what      string
			got, want float64
		}{{"value", got.V, c.v}, {"ε₁", got.A, c.d1}, {"ε₂", got.B, c.d1}, {"ε₁ε₂", got.AB, c.d2}} {
			if math.Abs(p.got-p.want) > 1e-14*(1+math.Abs(p.want)) {
				t.Errorf("%s: %s = %v, want %v", c.name, p.what, p.got, p.want)
			}
		}
	}
}

// The Hessian of x²y + sin(xy) is [[2y − y²·sin(xy), 2x + cos(xy) − xy·sin(xy)], [·, −x²·sin(xy)]].
func TestHessian(t *testing.T) {
	f := func(v []Num) Num { return Add(Mul(Mul(v[0], v[0]), v[1]), Sin(Mul(v[0], v[1]))) }
	x, y := 0.3, -1.2
	h := Hessian(f, []float64{x, y})
	s, c := math.Sin(x*y), math.Cos(x*y)
	want := []float64{2*y - y*y*s, 2*x + c - x*y*s, 2*x + c - x*y*s, -x * x * s}
	for i := range want {
		if math.Abs(h[i]-want[i]) > 1e-15 {
			t.Errorf("H[%d] = %v, want %v", i, h[i], want[i])
		}
	}
	hv := HVP(f, []float64{x, y}, []float64{2, -3})
	if math.Abs(hv[0]-(2*want[0]-3*want[1])) > 1e-14 || math.Abs(hv[1]-(2*want[2]-3*want[3])) > 1e-14 {
		t.Errorf("H·v = %v", hv)
	}
	g := Gradient(f, []float64{x, y})
	if math.Abs(g[0]-(2*x*y+y*c)) > 1e-15 || math.Abs(g[1]-(x*x+x*c)) > 1e-15 {
		t.Errorf("gradient %v", g)
	}
}
