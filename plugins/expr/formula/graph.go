package formula

import (
	"math"
)

// A formula is held as a graph of operations (a DAG): every node is an
// operation on earlier nodes, so node ids are a topological order. Equal
// nodes are built once (hash-consing), so that a formula and its
// derivatives share their common subexpressions. Simplification is exact:
// only rewrites that give the same float64 result for every input
// (including NaN and ±Inf) are made, and constants are folded with the same
// arithmetic that evaluation uses.

// id is a node of a graph. zero is the structural zero of a derivative:
// the derivative of a node that does not depend on the variable, which is
// exactly 0 wherever the node is defined.
type id int32

const zero id = -1

type opcode uint8

const (
	opConst opcode = iota
	opVar
	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opSqrt
	opExp
	opLog
	opLog2
	opLog10
	opSin
	opCos
	opTan
	opAsin
	opAcos
	opAtan
	opSinh
	opCosh
	opTanh
	opAbs
	opAtan2
	opMax
	opMin
	// opSign is sign(a) (NaN for NaN), the derivative of abs; its own
	// derivative is taken as 0 (see doc.go).
	opSign
	// opStep is the weight of a in max(a, b): 1 if a > b, 0 if a < b, ½ on
	// a tie (as torch's maximum splits its gradient), NaN if either is
	// NaN; its derivative is taken as 0.
	opStep
)

// unary reports whether op takes one argument.
func (op opcode) unary() bool {
	return op == opNeg || op >= opSqrt && op <= opAbs || op == opSign
}

type node struct {
	op   opcode
	a, b id      // arguments (b unused by unary ops); for opVar, a is the variable's index
	c    float64 // opConst's value
}

// key is a node as a map key: constants by their bits, so that -0 and +0
// (and NaNs) stay apart.
type key struct {
	op   opcode
	a, b id
	c    uint64
}

type graph struct {
	nodes []node
	memo  map[key]id
	nvars int
	words int      // 64-bit words of a dependency set
	deps  []uint64 // node k's variables: deps[k*words : (k+1)*words]
	dmemo map[[2]int32]id
}

func newGraph(nvars int) *graph {
	w := (nvars + 63) / 64
	return &graph{memo: map[key]id{}, nvars: nvars, words: max(w, 1), dmemo: map[[2]int32]id{}}
}

// dependsOn reports whether node n depends on variable i.
func (g *graph) dependsOn(n id, i int) bool {
	return g.deps[int(n)*g.words+i/64]&(1<<(i%64)) != 0
}

// insert adds n, or returns the equal node already there.
func (g *graph) insert(n node) id {
	k := key{n.op, n.a, n.b, math.Float64bits(n.c)}
	if i, ok := g.memo[k]; ok {
		return i
	}
	i := id(len(g.nodes))
	g.nodes = append(g.nodes, n)
	g.memo[k] = i
	d := make([]uint64, g.words)
	switch {
	case n.op == opVar:
		d[int(n.a)/64] |= 1 << (int(n.a) % 64)
	case n.op != opConst:
		for w := range d {
			d[w] = g.deps[int(n.a)*g.words+w]
			if !n.op.unary() {
				d[w] |= g.deps[int(n.b)*g.words+w]
			}
		}
	}
	g.deps = append(g.deps, d...)
	return i
}

func (g *graph) konst(c float64) id { return g.insert(node{op: opConst, c: c}) }

func (g *graph) variable(i int) id { return g.insert(node{op: opVar, a: id(i)}) }

// constant reports whether n is a constant, and its value.
func (g *graph) constant(n id) (float64, bool) {
	if g.nodes[n].op == opConst {
		return g.nodes[n].c, true
	}
	return 0, false
}

// is reports whether n is the constant c.
func (g *graph) is(n id, c float64) bool {
	v, ok := g.constant(n)
	return ok && v == c
}

// negated returns x when n is −x.
func (g *graph) negated(n id) (id, bool) {
	if g.nodes[n].op == opNeg {
		return g.nodes[n].a, true
	}
	return 0, false
}

// un is op(a), simplified.
func (g *graph) un(op opcode, a id) id {
	if c, ok := g.constant(a); ok {
		return g.konst(eval(op, c, 0))
	}
	if op == opNeg {
		if x, ok := g.negated(a); ok {
			return x
		}
	}
	return g.insert(node{op: op, a: a})
}

// bin is op(a, b), simplified: constants folded, ±1 factors and
// negations moved out where that is exact, commutative arguments in a
// canonical order.
func (g *graph) bin(op opcode, a, b id) id {
	ca, aConst := g.constant(a)
	cb, bConst := g.constant(b)
	if aConst && bConst {
		return g.konst(eval(op, ca, cb))
	}
	switch op {
	case opAdd:
		if y, ok := g.negated(b); ok { // a + (−y) = a − y
			return g.bin(opSub, a, y)
		}
		if x, ok := g.negated(a); ok { // (−x) + b = b − x
			return g.bin(opSub, b, x)
		}
	case opSub:
		if y, ok := g.negated(b); ok { // a − (−y) = a + y
			return g.bin(opAdd, a, y)
		}
	case opMul, opDiv:
		switch {
		case g.is(b, 1):
			return a
		case g.is(b, -1):
			return g.un(opNeg, a)
		case op == opMul && g.is(a, 1):
			return b
		case op == opMul && g.is(a, -1):
			return g.un(opNeg, b)
		}
		// Rounding is symmetric in sign: (−x)·y = −(x·y), x/(−y) = −(x/y).
		x, nx := g.negated(a)
		y, ny := g.negated(b)
		switch {
		case nx && ny:
			return g.bin(op, x, y)
		case nx:
			return g.un(opNeg, g.bin(op, x, b))
		case ny:
			return g.un(opNeg, g.bin(op, a, y))
		}
	case opPow:
		switch {
		case g.is(b, 1): // x^1 = x
			return a
		case g.is(b, 0): // x^0 = 1 for every x, NaN included (math.Pow)
			return g.konst(1)
		}
	}
	if (op == opAdd || op == opMul || op == opMax || op == opMin) && b < a {
		a, b = b, a
	}
	return g.insert(node{op: op, a: a, b: b})
}

// eval is op applied to a (and b): the one definition of every operation's
// value in Go, used by evaluation and by constant folding.
func eval(op opcode, a, b float64) float64 {
	switch op {
	case opNeg:
		return -a
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opPow:
		return math.Pow(a, b)
	case opSqrt:
		return math.Sqrt(a)
	case opExp:
		return math.Exp(a)
	case opLog:
		return math.Log(a)
	case opLog2:
		return math.Log2(a)
	case opLog10:
		return math.Log10(a)
	case opSin:
		return math.Sin(a)
	case opCos:
		return math.Cos(a)
	case opTan:
		return math.Tan(a)
	case opAsin:
		return math.Asin(a)
	case opAcos:
		return math.Acos(a)
	case opAtan:
		return math.Atan(a)
	case opSinh:
		return math.Sinh(a)
	case opCosh:
		return math.Cosh(a)
	case opTanh:
		return math.Tanh(a)
	case opAbs:
		return math.Abs(a)
	case opAtan2:
		return math.Atan2(a, b)
	case opMax:
		return math.Max(a, b)
	case opMin:
		return math.Min(a, b)
	case opSign:
		switch {
		case a > 0:
			return 1
		case a < 0:
			return -1
		case a == 0:
			return 0
		}
		return math.NaN()
	case opStep:
		switch {
		case a > b:
			return 1
		case a < b:
			return 0
		case a == b:
			return 0.5
		}
		return math.NaN()
	}
	return math.NaN()
}
