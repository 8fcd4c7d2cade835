package formula

import "math"

// Symbolic differentiation on the graph: deriv(n, i) is a node for
// ∂n/∂x_i, or zero when n does not depend on x_i. Derivatives of
// derivatives (the Hessian) are taken the same way. Structural zeros are
// dropped from sums and products, which is exact: a term that does not
// depend on x_i contributes exactly nothing, even where its partner is
// infinite.

// The zero-aware operations of derivative terms.

func (g *graph) dadd(a, b id) id {
	switch {
	case a == zero:
		return b
	case b == zero:
		return a
	}
	return g.bin(opAdd, a, b)
}

func (g *graph) dsub(a, b id) id {
	switch {
	case b == zero:
		return a
	case a == zero:
		return g.un(opNeg, b)
	}
	return g.bin(opSub, a, b)
}

func (g *graph) dmul(a, b id) id {
	if a == zero || b == zero {
		return zero
	}
	return g.bin(opMul, a, b)
}

// ddiv is a/b for a derivative term a and a formula node b.
func (g *graph) ddiv(a, b id) id {
	if a == zero {
		return zero
	}
	return g.bin(opDiv, a, b)
}

func (g *graph) dneg(a id) id {
	if a == zero {
		return zero
	}
	return g.un(opNeg, a)
}

// deriv is ∂n/∂x_i.
func (g *graph) deriv(n id, i int) id {
	if n == zero || !g.dependsOn(n, i) {
		return zero
	}
	k := [2]int32{int32(n), int32(i)}
	if d, ok := g.dmemo[k]; ok {
		return d
	}
	d := g.rule(n, i)
	g.dmemo[k] = d
	return d
}

// rule applies the derivative rule of n's operation (chain rule included).
func (g *graph) rule(n id, i int) id {
	nd := g.nodes[n]
	a, b := nd.a, nd.b
	if nd.op == opVar {
		return g.konst(1) // dependsOn: the variable is x_i
	}
	da := g.deriv(a, i)
	var db id = zero
	if !nd.op.unary() {
		db = g.deriv(b, i)
	}
	k := g.konst
	switch nd.op {
	case opNeg:
		return g.dneg(da)
	case opAdd:
		return g.dadd(da, db)
	case opSub:
		return g.dsub(da, db)
	case opMul:
		return g.dadd(g.dmul(da, b), g.dmul(a, db))
	case opDiv: // (a/b)' = (a' − (a/b)·b')/b
		return g.ddiv(g.dsub(da, g.dmul(n, db)), b)
	case opPow:
		return g.dpow(n, a, b, da, db)
	case opSqrt: // a'/(2√a)
		return g.ddiv(da, g.bin(opMul, k(2), n))
	case opExp:
		return g.dmul(n, da)
	case opLog:
		return g.ddiv(da, a)
	case opLog2:
		return g.ddiv(da, g.bin(opMul, a, k(math.Ln2)))
	case opLog10:
		return g.ddiv(da, g.bin(opMul, a, k(math.Ln10)))
	case opSin:
		return g.dmul(g.un(opCos, a), da)
	case opCos:
		return g.dneg(g.dmul(g.un(opSin, a), da))
	case opTan: // (1 + tan²a)·a'
		return g.dmul(g.bin(opAdd, k(1), g.bin(opMul, n, n)), da)
	case opAsin:
		return g.ddiv(da, g.un(opSqrt, g.bin(opSub, k(1), g.bin(opMul, a, a))))
	case opAcos:
		return g.dneg(g.ddiv(da, g.un(opSqrt, g.bin(opSub, k(1), g.bin(opMul, a, a)))))
	case opAtan:
		return g.ddiv(da, g.bin(opAdd, k(1), g.bin(opMul, a, a)))
	case opSinh:
		return g.dmul(g.un(opCosh, a), da)
	case opCosh:
		return g.dmul(g.un(opSinh, a), da)
	case opTanh: // (1 − tanh²a)·a'
		return g.dmul(g.bin(opSub, k(1), g.bin(opMul, n, n)), da)
	case opAbs:
		return g.dmul(g.un(opSign, a), da)
	case opAtan2: // atan2(a, b)' = (b·a' − a·b')/(a² + b²)
		return g.ddiv(g.dsub(g.dmul(b, da), g.dmul(a, db)), g.bin(opAdd, g.bin(opMul, a, a), g.bin(opMul, b, b)))
	case opMax:
		return g.dadd(g.dmul(g.bin(opStep, a, b), da), g.dmul(g.bin(opStep, b, a), db))
	case opMin:
		return g.dadd(g.dmul(g.bin(opStep, b, a), da), g.dmul(g.bin(opStep, a, b), db))
	}
	// opSign and opStep: piecewise constant.
	return zero
}

// dpow is the derivative of n = a^b.
func (g *graph) dpow(n, a, b, da, db id) id {
	k := g.konst
	switch {
	case db == zero: // b·a^(b−1)·a'
		c, ok := g.constant(b)
		switch {
		case ok && c == 0:
			return zero // a^0 = 1
		case ok && c-1+1 != c:
			// b − 1 is not representable (|b| ≥ 2⁵³): b·(a^b)/a.
			return g.dmul(g.bin(opDiv, g.bin(opMul, b, n), a), da)
		case ok:
			return g.dmul(g.bin(opMul, b, g.bin(opPow, a, k(c-1))), da)
		}
		return g.dmul(g.bin(opMul, b, g.bin(opPow, a, g.bin(opSub, b, k(1)))), da)
	case da == zero: // a^b·ln a·b'
		return g.dmul(g.bin(opMul, n, g.un(opLog, a)), db)
	}
	// a^b·(b'·ln a + b·a'/a)
	return g.dmul(n, g.dadd(g.dmul(db, g.un(opLog, a)), g.ddiv(g.dmul(b, da), a)))
}
