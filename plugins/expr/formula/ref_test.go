package formula

import (
	"fmt"
	"math"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Independent references for the tests: the formula's value by walking the
// parser's tree directly (no graph, no simplification, no compilation), and
// its gradient by forward-mode dual numbers over the same tree (no symbolic
// differentiation), with the textbook derivative of each function.

// refTree parses src for the references.
func refTree(src string) (ast.Node, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, err
	}
	return tree.Node, nil
}

// dual is a value, its gradient, and which variables it depends on (a
// derivative with respect to a variable it does not depend on is exactly
// zero, even where the chain rule's factors are infinite).
type dual struct {
	v   float64
	d   []float64
	dep []bool
	// m bounds the magnitude of the terms summed into d (the chain rule
	// with absolute values): d's rounding error is a small multiple of
	// ε·m, however much the terms cancel.
	m []float64
}

func (u dual) constant() bool {
	for _, b := range u.dep {
		if b {
			return false
		}
	}
	return true
}

// refEval is the formula's value and gradient at x (vars names the
// variables in order).
func refEval(n ast.Node, vars []string, x []float64) dual {
	dim := len(x)
	konst := func(c float64) dual { return dual{c, make([]float64, dim), make([]bool, dim), make([]float64, dim)} }
	// lin is a·u' + b·v', each term only along the variables its dual
	// depends on.
	lin := func(val, a float64, u dual, b float64, v dual) dual {
		d := make([]float64, dim)
		dep := make([]bool, dim)
		m := make([]float64, dim)
		for i := range d {
			if u.dep[i] {
				d[i] += a * u.d[i]
				m[i] += math.Abs(a) * u.m[i]
			}
			if v.dep[i] {
				d[i] += b * v.d[i]
				m[i] += math.Abs(b) * v.m[i]
			}
			dep[i] = u.dep[i] || v.dep[i]
		}
		return dual{val, d, dep, m}
	}
	scale := func(val, a float64, u dual) dual { return lin(val, a, u, 0, konst(0)) }
	switch n := n.(type) {
	case *ast.IntegerNode:
		return konst(float64(n.Value))
	case *ast.FloatNode:
		return konst(n.Value)
	case *ast.IdentifierNode:
		switch n.Value {
		case "pi":
			return konst(math.Pi)
		case "e":
			return konst(math.E)
		}
		for i, v := range vars {
			if v == n.Value {
				r := konst(x[i])
				r.d[i] = 1
				r.dep[i] = true
				r.m[i] = 1
				return r
			}
		}
		panic("refEval: unknown variable " + n.Value)
	case *ast.UnaryNode:
		a := refEval(n.Node, vars, x)
		if n.Operator == "-" {
			return scale(-a.v, -1, a)
		}
		return a
	case *ast.BinaryNode:
		a, b := refEval(n.Left, vars, x), refEval(n.Right, vars, x)
		switch n.Operator {
		case "+":
			return lin(a.v+b.v, 1, a, 1, b)
		case "-":
			return lin(a.v-b.v, 1, a, -1, b)
		case "*":
			return lin(a.v*b.v, b.v, a, a.v, b)
		case "/":
			return lin(a.v/b.v, 1/b.v, a, -a.v/(b.v*b.v), b)
		case "^", "**":
			return refPow(a, b, lin)
		}
	case *ast.CallNode, *ast.BuiltinNode:
		name, args := call(n)
		as := make([]dual, len(args))
		for i, a := range args {
			as[i] = refEval(a, vars, x)
		}
		a := as[0]
		switch name {
		case "sqrt":
			return scale(math.Sqrt(a.v), 0.5/math.Sqrt(a.v), a)
		case "exp":
			return scale(math.Exp(a.v), math.Exp(a.v), a)
		case "log":
			return scale(math.Log(a.v), 1/a.v, a)
		case "log2":
			return scale(math.Log2(a.v), 1/(a.v*math.Ln2), a)
		case "log10":
			return scale(math.Log10(a.v), 1/(a.v*math.Ln10), a)
		case "sin":
			return scale(math.Sin(a.v), math.Cos(a.v), a)
		case "cos":
			return scale(math.Cos(a.v), -math.Sin(a.v), a)
		case "tan":
			c := math.Cos(a.v)
			return scale(math.Tan(a.v), 1/(c*c), a)
		case "asin":
			return scale(math.Asin(a.v), 1/math.Sqrt(1-a.v*a.v), a)
		case "acos":
			return scale(math.Acos(a.v), -1/math.Sqrt(1-a.v*a.v), a)
		case "atan":
			return scale(math.Atan(a.v), 1/(1+a.v*a.v), a)
		case "atan2":
			y, xx := as[0], as[1]
			r := y.v*y.v + xx.v*xx.v
			return lin(math.Atan2(y.v, xx.v), xx.v/r, y, -y.v/r, xx)
		case "sinh":
			return scale(math.Sinh(a.v), math.Cosh(a.v), a)
		case "cosh":
			return scale(math.Cosh(a.v), math.Sinh(a.v), a)
		case "tanh":
			c := math.Cosh(a.v)
			return scale(math.Tanh(a.v), 1/(c*c), a)
		case "abs":
			s := 0.0
			switch {
			case a.v > 0:
				s = 1
			case a.v < 0:
				s = -1
			case a.v != 0:
				s = math.NaN()
			}
			return scale(math.Abs(a.v), s, a)
		case "pow":
			return refPow(as[0], as[1], lin)
		case "max", "min":
			r := as[0]
			for _, b := range as[1:] {
				pick := r.v > b.v
				if name == "min" {
					pick = r.v < b.v
				}
				w := 0.5 // a tie
				switch {
				case math.IsNaN(r.v) || math.IsNaN(b.v):
					w = math.NaN()
				case pick:
					w = 1
				case r.v != b.v:
					w = 0
				}
				v := math.Max(r.v, b.v)
				if name == "min" {
					v = math.Min(r.v, b.v)
				}
				r = lin(v, w, r, 1-w, b)
			}
			return r
		}
	}
	panic(fmt.Sprintf("refEval: %T %v", n, n))
}

// refPow is a^b with d(a^b) = b·a^(b−1)·a' + a^b·ln(a)·b', a term left
// out when its derivative is zero.
func refPow(a, b dual, lin func(float64, float64, dual, float64, dual) dual) dual {
	v := math.Pow(a.v, b.v)
	var wa, wb float64
	if !a.constant() {
		wa = b.v * math.Pow(a.v, b.v-1)
	}
	if !b.constant() {
		wb = v * math.Log(a.v)
	}
	return lin(v, wa, a, wb, b)
}
