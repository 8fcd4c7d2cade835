// Package dual is hyper-dual arithmetic (Fike and Alonso, "The development
// of hyper-dual numbers for exact second-derivative calculations", 2011):
// a number x + a·ε₁ + b·ε₂ + d·ε₁ε₂ with ε₁² = ε₂² = 0. Evaluating a
// function on θ + u·ε₁ + v·ε₂ yields f(θ), ∇f·u, ∇f·v and uᵀ·H·v exactly
// (to rounding): no step, no truncation error. The plugins' tests use it to
// derive Hessians independently of the analytic ones they check, by
// writing the loss a second time over Num.
package dual

import "math"

// Num is a hyper-dual number V + A·ε₁ + B·ε₂ + AB·ε₁ε₂.
type Num struct{ V, A, B, AB float64 }

// C is the constant v.
func C(v float64) Num { return Num{V: v} }

// Add is x + y.
func Add(x, y Num) Num { return Num{x.V + y.V, x.A + y.A, x.B + y.B, x.AB + y.AB} }

// Sub is x − y.
func Sub(x, y Num) Num { return Num{x.V - y.V, x.A - y.A, x.B - y.B, x.AB - y.AB} }

// Mul is x·y.
func Mul(x, y Num) Num {
	return Num{x.V * y.V, x.V*y.A + x.A*y.V, x.V*y.B + x.B*y.V, x.V*y.AB + x.A*y.B + x.B*y.A + x.AB*y.V}
}

// Scale is s·x.
func Scale(s float64, x Num) Num { return Num{s * x.V, s * x.A, s * x.B, s * x.AB} }

// Shift is x + s.
func Shift(x Num, s float64) Num { x.V += s; return x }

// chain is f(x) given f, f′ and f″ at x.V.
func chain(x Num, f, d1, d2 float64) Num {
	return Num{f, d1 * x.A, d1 * x.B, d1*x.AB + d2*x.A*x.B}
}

// Div is x/y.
func Div(x, y Num) Num {
	inv := 1 / y.V
	return Mul(x, chain(y, inv, -inv*inv, 2*inv*inv*inv))
}

// Sin is sin x.
func Sin(x Num) Num { s, c := math.Sincos(x.V); return chain(x, s, c, -s) }

// Cos is cos x.
func Cos(x Num) Num { s, c := math.Sincos(x.V); return chain(x, c, -s, -c) }

// Exp is eˣ.
func Exp(x Num) Num { e := math.Exp(x.V); return chain(x, e, e, e) }

// Log is ln x.
func Log(x Num) Num { return chain(x, math.Log(x.V), 1/x.V, -1/(x.V*x.V)) }

// Log1p is ln(1 + x).
func Log1p(x Num) Num { u := 1 + x.V; return chain(x, math.Log1p(x.V), 1/u, -1/(u*u)) }

// Sqrt is √x.
func Sqrt(x Num) Num { r := math.Sqrt(x.V); return chain(x, r, 0.5/r, -0.25/(r*x.V)) }

// Tanh is tanh x.
func Tanh(x Num) Num { t := math.Tanh(x.V); return chain(x, t, 1-t*t, -2*t*(1-t*t)) }

// Abs is |x|, differentiated on the side of x's sign (as +x at 0).
func Abs(x Num) Num {
	if x.V < 0 {
		return Scale(-1, x)
	}
	return x
}

// Pow is |x|^p, for x ≠ 0.
func Pow(x Num, p float64) Num {
	a := Abs(x)
	v := math.Pow(a.V, p)
	return chain(a, v, p*v/a.V, p*(p-1)*v/(a.V*a.V))
}

// Relu is max(x, 0), the piece of x's sign (0 at 0).
func Relu(x Num) Num {
	if x.V > 0 {
		return x
	}
	return Num{}
}

// Hessian is the Hessian of f at theta (len(theta)² values, row-major):
// entry (i, j) is the ε₁ε₂ part of f(θ + e_i·ε₁ + e_j·ε₂), one evaluation
// per entry of the upper triangle.
func Hessian(f func([]Num) Num, theta []float64) []float64 {
	n := len(theta)
	h := make([]float64, n*n)
	x := make([]Num, n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			for k, t := range theta {
				x[k] = C(t)
			}
			x[i].A = 1
			x[j].B = 1
			v := f(x).AB
			h[i*n+j], h[j*n+i] = v, v
		}
	}
	return h
}

// HVP is H·v, H the Hessian of f at theta: entry i is the ε₁ε₂ part of
// f(θ + e_i·ε₁ + v·ε₂), one evaluation per entry.
func HVP(f func([]Num) Num, theta, v []float64) []float64 {
	n := len(theta)
	out := make([]float64, n)
	x := make([]Num, n)
	for i := range out {
		for k, t := range theta {
			x[k] = Num{V: t, B: v[k]}
		}
		x[i].A = 1
		out[i] = f(x).AB
	}
	return out
}

// Gradient is the gradient of f at theta: the ε₁ parts of f(θ + e_i·ε₁).
func Gradient(f func([]Num) Num, theta []float64) []float64 {
	n := len(theta)
	g := make([]float64, n)
	x := make([]Num, n)
	for i := range g {
		for k, t := range theta {
			x[k] = C(t)
		}
		x[i].A = 1
		g[i] = f(x).A
	}
	return g
}
