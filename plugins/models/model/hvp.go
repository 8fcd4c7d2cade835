package model

import (
	"math"
	"runtime"
	"sync"

	"github.com/landscape-go/landscape/sdk"
)

// Exact Hessian-vector products (sdk.SurfaceWithHVP, SurfaceWithBatchHVP):
// closed forms for the linear models and line-angle, Pearlmutter's
// R-operator for the MLP (a forward pass of directional derivatives, then
// the backward pass differentiated along v), the L2 term included. The
// cost is about two gradients. At a kink (relu at 0, mae at r = 0, huber
// at |r| = δ) the product is that of the piece Grad takes there; where
// the sublinear loss's second derivative is infinite (a residual of
// exactly 0) it is NaN.

var (
	_ sdk.SurfaceWithHVP      = (*Model)(nil)
	_ sdk.SurfaceWithBatchHVP = (*Model)(nil)
)

// hvpSampler is a sampler with Hessian-vector products.
type hvpSampler interface {
	// hvpTotal adds wgt times the Hessian-vector product of the losses of
	// the samples k = lo..hi−1 of a pass (sample k, or idx[k] when idx is
	// not nil) along v to hv.
	hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64)
}

// HVP writes H·v into dst, H the Hessian of Loss at theta. It is NaN when
// the lengths are not the dimension.
func (m *Model) HVP(dst, theta, v []float64) { m.hvp(dst, theta, v, nil, true) }

// BatchHVP writes H·v into dst, H the Hessian of BatchLoss(·, idx) at
// theta. It is NaN when an index is out of range or idx is empty.
func (m *Model) BatchHVP(dst, theta, v []float64, idx []int) { m.hvp(dst, theta, v, idx, false) }

// hvpChunk is how many samples one goroutine's share of a product holds:
// the shares, and so the order of the sums, depend on the samples alone,
// never on the number of CPUs.
const hvpChunk = 1024

// inChunks calls f on the chunks of hvpChunk samples of count (chunk c
// from lo to hi), on every core.
func inChunks(count int, f func(c, lo, hi int)) {
	chunks := (count + hvpChunk - 1) / hvpChunk
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := 0; c < chunks; c++ {
		next <- c
	}
	close(next)
	for w := 0; w < min(chunks, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				f(c, c*hvpChunk, min((c+1)*hvpChunk, count))
			}
		}()
	}
	wg.Wait()
}

func (m *Model) hvp(dst, th, v []float64, idx []int, all bool) {
	n := m.ds.n()
	count := n
	if !all {
		count = len(idx)
		if idx == nil {
			idx = []int{}
		}
	}
	bad := len(th) != m.dim || len(v) != m.dim || len(dst) != m.dim || count == 0
	for _, i := range idx {
		bad = bad || i < 0 || i >= n
	}
	if bad {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return
	}
	a := m.a.(hvpSampler)
	wgt := 1 / float64(count)
	total := func(lo, hi int, hv []float64) { a.hvpTotal(th, v, m.ds, idx, lo, hi, hv, wgt) }
	if p, ok := a.(mlp); ok && all {
		if f := m.fwd.forwardAt(p, m.ds, th); f != nil {
			total = func(lo, hi int, hv []float64) { p.hvpCached(th, v, m.ds, f, lo, hi, hv, wgt) }
		}
	}
	chunks := (count + hvpChunk - 1) / hvpChunk
	clear(dst)
	if chunks == 1 {
		total(0, count, dst)
	} else {
		parts := make([]float64, chunks*m.dim)
		inChunks(count, func(c, lo, hi int) { total(lo, hi, parts[c*m.dim:(c+1)*m.dim]) })
		for c := 0; c < chunks; c++ {
			for i, x := range parts[c*m.dim : (c+1)*m.dim] {
				dst[i] += x
			}
		}
	}
	if l2 := m.l2; l2 > 0 {
		for i, x := range v {
			dst[i] += l2 * x
		}
	}
}

// reg2 is the second derivative of the regression loss at r, on the piece
// reg's derivative takes (NaN where it is infinite).
func (h head) reg2(r float64) float64 {
	switch h.loss {
	case lossMAE:
		return 0
	case lossHuber:
		if math.Abs(r) >= h.delta {
			return 0
		}
		return 1
	case lossSublinear:
		// (|r|^¼)″ = −(3/16)·|r|^(−7/4), infinite at 0.
		a := math.Abs(r)
		if a == 0 {
			return math.NaN()
		}
		return -3.0 / 16 * math.Sqrt(math.Sqrt(a)) / (a * a)
	default: // mse
		return 2
	}
}

// factors writes what the loss's second derivative at outputs z needs
// into q (softmax p for ce, σ(z) for bce, ℓ″(r) for regression) and, when
// dz is not nil, ∂ℓ/∂z into dz.
func (h head) factors(z []float64, y float64, q, dz []float64) {
	switch h.loss {
	case lossBCE:
		q[0] = sigmoid(z[0])
		if dz != nil {
			dz[0] = q[0] - y
		}
	case lossCE:
		softmax(z, q)
		if dz != nil {
			copy(dz, q)
			dz[int(y)]--
		}
	default:
		r := z[0] - y
		q[0] = h.reg2(r)
		if dz != nil {
			_, dz[0] = h.reg(r)
		}
	}
}

// hessq writes ∇²ℓ·rz into out from the factors q (out may be q): for ce
// ∇²ℓ = diag(p) − p·pᵀ.
func (h head) hessq(q, rz, out []float64) {
	switch h.loss {
	case lossBCE:
		out[0] = q[0] * (1 - q[0]) * rz[0]
	case lossCE:
		var prz float64
		for i, p := range q {
			prz += p * rz[i]
		}
		for i, p := range q {
			out[i] = p * (rz[i] - prz)
		}
	default:
		out[0] = q[0] * rz[0]
	}
}

// hess writes ∇²ℓ(z)·rz into out, ℓ the loss of outputs z for target y;
// it also writes ∂ℓ/∂z into dz when dz is not nil.
func (h head) hess(z []float64, y float64, rz, out, dz []float64) {
	h.factors(z, y, out, dz)
	h.hessq(out, rz, out)
}

// hvpTotal is hvpSampler.hvpTotal for z = W·x + b: R{z} = V·x + c, and the
// product is Σ ∇²ℓ·R{z} ⊗ (x, 1).
func (a linear) hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64) {
	d, m := a.d, a.m
	var zb, rzb, hzb [maxClasses]float64
	z, rz, hz := zb[:m], rzb[:m], hzb[:m]
	for k := lo; k < hi; k++ {
		o := ds.offset(idx, k)
		x, y := ds.data[o:o+d], float64(ds.data[o+d])
		for c := range z {
			s, r := th[m*d+c], v[m*d+c]
			row, vrow := th[c*d:(c+1)*d], v[c*d:(c+1)*d]
			for f, xf := range x {
				s += row[f] * float64(xf)
				r += vrow[f] * float64(xf)
			}
			z[c], rz[c] = s, r
		}
		a.h.hess(z, y, rz, hz, nil)
		for c, hc := range hz {
			hc *= wgt
			row := hv[c*d : (c+1)*d]
			for f, xf := range x {
				row[f] += hc * float64(xf)
			}
			hv[m*d+c] += hc
		}
	}
}

// hvpTotal is hvpSampler.hvpTotal for the line at angle φ: with
// r = −x·sin φ + y·cos φ, r′ = −x·cos φ − y·sin φ and r″ = −r, the
// second derivative of ℓ(r) is ℓ″(r)·r′² − ℓ′(r)·r.
func (a lineAngle) hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64) {
	sin, cos := math.Sincos(th[0])
	var sum float64
	for k := lo; k < hi; k++ {
		o := ds.offset(idx, k)
		x, y := float64(ds.data[o]), float64(ds.data[o+1])
		r := -x*sin + y*cos
		dr := -x*cos - y*sin
		_, d1 := a.h.reg(r)
		sum += a.h.reg2(r)*dr*dr - d1*r
	}
	hv[0] += wgt * sum * v[0]
}

// ddact is the activation's second derivative, from its value h (0 for
// relu, on either piece).
func (a mlp) ddact(h float64) float64 {
	if a.relu {
		return 0
	}
	return -2 * h * (1 - h*h)
}

// rdense sets rout = V·in + c + W·rin, the directional derivative along v
// (whose W and b parts are V and c) of a dense layer's output before
// activation; rin nil means R{in} = 0 (the data).
func rdense[T float32 | float64](th, v []float64, w, b int, in []T, rin, rout []float64) {
	n := len(in)
	for j := range rout {
		r := v[b+j]
		row, vrow := th[w+j*n:w+(j+1)*n], v[w+j*n:w+(j+1)*n]
		for i, x := range in {
			r += vrow[i] * float64(x)
		}
		for i, rx := range rin {
			r += row[i] * rx
		}
		rout[j] = r
	}
}

// ractivate writes σ′ and σ″ of each unit, from its value h, into d1 and
// d2, and R{h} = σ′·R{s} into rh.
func (a mlp) ractivate(h, rs, rh, d1, d2 []float64) {
	for j, hj := range h {
		d1[j], d2[j] = a.dact(hj), a.ddact(hj)
		rh[j] = d1[j] * rs[j]
	}
}

// rback adds the R{·} of a dense layer's gradient to hv, given the
// layer's input in and R{in} (rin, nil for the data), the derivatives of
// the loss with respect to its outputs dout and their R{·} rdout; it
// writes the derivatives with respect to its inputs and their R{·} into
// din and rdin when din is not nil.
func rback[T float32 | float64](th, v, hv []float64, w, b int, in []T, rin, dout, rdout, din, rdin []float64) {
	n := len(in)
	clear(din)
	clear(rdin)
	for j, dj := range dout {
		rj := rdout[j]
		hv[b+j] += rj
		hr := hv[w+j*n : w+(j+1)*n]
		for i, x := range in {
			hr[i] += rj * float64(x)
		}
		for i, rx := range rin {
			hr[i] += dj * rx
		}
		if din != nil {
			row, vrow := th[w+j*n:w+(j+1)*n], v[w+j*n:w+(j+1)*n]
			for i, t := range row {
				din[i] += dj * t
				rdin[i] += vrow[i]*dj + t*rj
			}
		}
	}
}

// rwork holds one sample's forward pass (h1, h2, q, dz: what does not
// depend on v, possibly rows of a forward cache) and the R{·} pass,
// reused from sample to sample.
type rwork struct {
	h1, h2, q, dz      []float64 // hidden values, the loss's factors and ∂ℓ/∂z
	z                  []float64 // outputs, for the forward pass
	rs1, rh1, p1, q1   []float64 // first hidden layer: R{s}, R{h}, σ′, σ″
	rs2, rh2, p2, q2   []float64 // second hidden layer
	dh, rdh, dh1, rdh1 []float64 // backward: δ and R{δ} of the hidden layers
	rz, dzw, rdz       []float64 // outputs: R{z}, wgt·∂ℓ/∂z, wgt·R{∂ℓ/∂z}
}

func (a mlp) work() *rwork {
	buf := make([]float64, 14*a.hid+6*a.m)
	next := func(n int) []float64 {
		out := buf[:n:n]
		buf = buf[n:]
		return out
	}
	w := &rwork{}
	for _, p := range []*[]float64{&w.h1, &w.h2, &w.rs1, &w.rh1, &w.p1, &w.q1, &w.rs2, &w.rh2, &w.p2, &w.q2, &w.dh, &w.rdh, &w.dh1, &w.rdh1} {
		*p = next(a.hid)
	}
	for _, p := range []*[]float64{&w.q, &w.dz, &w.z, &w.rz, &w.dzw, &w.rdz} {
		*p = next(a.m)
	}
	return w
}

// hvpTotal is hvpSampler.hvpTotal for the MLP, by the R-operator.
func (a mlp) hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64) {
	d := ds.d
	w := a.work()
	for k := lo; k < hi; k++ {
		o := ds.offset(idx, k)
		x := ds.data[o : o+d]
		a.forward(th, x, float64(ds.data[o+d]), w.h1, w.h2, w.q, w.dz, w.z)
		a.rsample(th, v, x, hv, wgt, w)
	}
}

// forward is one sample's forward pass: the hidden layers' values into
// h1 (and h2 with two layers), the outputs into z, the loss's factors
// and first derivatives (head.factors) into q and dz.
func (a mlp) forward(th []float64, x []float32, y float64, h1, h2, q, dz, z []float64) {
	dense(a, th, a.w1, a.b1, x, h1, true)
	last := h1
	if a.layers == 2 {
		dense(a, th, a.w2, a.b2, h1, h2, true)
		last = h2
	}
	dense(a, th, a.wo, a.bo, last, z, false)
	a.h.factors(z, y, q, dz)
}

// rsample adds wgt times one sample's Hessian-vector product to hv, given
// its forward pass in w. Forward: R{s} = V·in + W·R{in} + c, R{h} =
// σ′(s)·R{s}; at the output R{z}. Backward: δz = ∂ℓ/∂z, R{δz} = ∇²ℓ·R{z};
// for each layer R{∂W} = R{δs}·inᵀ + δs·R{in}ᵀ, R{∂b} = R{δs}, R{δin} =
// Vᵀ·δs + Wᵀ·R{δs}, and through the activation δs = σ′·δh, R{δs} =
// σ″·R{s}·δh + σ′·R{δh}.
func (a mlp) rsample(th, v []float64, x []float32, hv []float64, wgt float64, w *rwork) {
	rdense(th, v, a.w1, a.b1, x, nil, w.rs1)
	a.ractivate(w.h1, w.rs1, w.rh1, w.p1, w.q1)
	last, rlast := w.h1, w.rh1
	if a.layers == 2 {
		rdense(th, v, a.w2, a.b2, w.h1, w.rh1, w.rs2)
		a.ractivate(w.h2, w.rs2, w.rh2, w.p2, w.q2)
		last, rlast = w.h2, w.rh2
	}
	rdense(th, v, a.wo, a.bo, last, rlast, w.rz)
	a.h.hessq(w.q, w.rz, w.rdz)
	for c, dz := range w.dz {
		w.dzw[c] = dz * wgt
		w.rdz[c] *= wgt
	}
	// Back through the output layer to the last hidden layer's values,
	// then through the activation: δs = σ′·δh, R{δs} = σ″·R{s}·δh + σ′·R{δh}.
	rback(th, v, hv, a.wo, a.bo, last, rlast, w.dzw, w.rdz, w.dh, w.rdh)
	through := func(rs, d1, d2, dh, rdh []float64) {
		for j := range dh {
			rdh[j] = d2[j]*rs[j]*dh[j] + d1[j]*rdh[j]
			dh[j] *= d1[j]
		}
	}
	if a.layers == 2 {
		through(w.rs2, w.p2, w.q2, w.dh, w.rdh)
		rback(th, v, hv, a.w2, a.b2, w.h1, w.rh1, w.dh, w.rdh, w.dh1, w.rdh1)
		through(w.rs1, w.p1, w.q1, w.dh1, w.rdh1)
		rback[float32](th, v, hv, a.w1, a.b1, x, nil, w.dh1, w.rdh1, nil, nil)
		return
	}
	through(w.rs1, w.p1, w.q1, w.dh, w.rdh)
	rback[float32](th, v, hv, a.w1, a.b1, x, nil, w.dh, w.rdh, nil, nil)
}
