package formula

// A program is the part of a graph that some outputs need, compiled into a
// straight-line list of instructions: instruction k computes register k
// from earlier registers. It is immutable, so evaluation is safe for
// concurrent use; each evaluation has its own registers.

type instr struct {
	op   opcode
	a, b int32   // argument registers (b = a for unary ops); opVar: the variable's index
	c    float64 // opConst's value
}

type program struct {
	code []instr
	// out[k] is the register of output k, or -1 for a structural zero.
	out []int32
}

// compile is the program of the outputs outs (zero for a structural zero).
func (g *graph) compile(outs []id) program {
	need := make([]bool, len(g.nodes))
	for _, o := range outs {
		if o != zero {
			need[o] = true
		}
	}
	// Arguments come before their nodes: one backward pass marks them all.
	for n := len(g.nodes) - 1; n >= 0; n-- {
		if !need[n] {
			continue
		}
		nd := g.nodes[n]
		if nd.op == opConst || nd.op == opVar {
			continue
		}
		need[nd.a] = true
		if !nd.op.unary() {
			need[nd.b] = true
		}
	}
	reg := make([]int32, len(g.nodes))
	var p program
	for n, nd := range g.nodes {
		if !need[n] {
			continue
		}
		in := instr{op: nd.op, c: nd.c}
		switch {
		case nd.op == opVar:
			in.a = int32(nd.a)
		case nd.op == opConst:
		case nd.op.unary():
			in.a, in.b = reg[nd.a], reg[nd.a]
		default:
			in.a, in.b = reg[nd.a], reg[nd.b]
		}
		reg[n] = int32(len(p.code))
		p.code = append(p.code, in)
	}
	p.out = make([]int32, len(outs))
	for k, o := range outs {
		p.out[k] = -1
		if o != zero {
			p.out[k] = reg[o]
		}
	}
	return p
}

// smallRegs is how many registers an evaluation keeps on the stack.
const smallRegs = 128

// run evaluates the program at x into r (len(r) ≥ len(p.code)).
func (p *program) run(x, r []float64) {
	for k, in := range p.code {
		switch in.op {
		case opConst:
			r[k] = in.c
		case opVar:
			r[k] = x[in.a]
		// The arithmetic inline (eval gives the same values).
		case opAdd:
			r[k] = r[in.a] + r[in.b]
		case opSub:
			r[k] = r[in.a] - r[in.b]
		case opMul:
			r[k] = r[in.a] * r[in.b]
		case opDiv:
			r[k] = r[in.a] / r[in.b]
		case opNeg:
			r[k] = -r[in.a]
		default:
			r[k] = eval(in.op, r[in.a], r[in.b])
		}
	}
}

// eval writes the program's outputs at x into dst (len(dst) = len(p.out)).
func (p *program) eval(dst, x []float64) {
	var small [smallRegs]float64
	r := small[:]
	if len(p.code) > smallRegs {
		r = make([]float64, len(p.code))
	}
	p.run(x, r)
	for k, o := range p.out {
		if o < 0 {
			dst[k] = 0
		} else {
			dst[k] = r[o]
		}
	}
}

// eval1 is the program's one output at x.
func (p *program) eval1(x []float64) float64 {
	var v [1]float64
	p.eval(v[:], x)
	return v[0]
}
