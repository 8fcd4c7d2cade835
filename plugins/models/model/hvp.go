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
	chunks := (count + hvpChunk - 1) / hvpChunk
	clear(dst)
	if chunks == 1 {
		a.hvpTotal(th, v, m.ds, idx, 0, count, dst, wgt)
	} else {
		parts := make([]float64, chunks*m.dim)
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
					a.hvpTotal(th, v, m.ds, idx, c*hvpChunk, min((c+1)*hvpChunk, count), parts[c*m.dim:(c+1)*m.dim], wgt)
				}
			}()
		}
		wg.Wait()
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

// hess writes ∇²ℓ(z)·rz into out, ℓ the loss of outputs z for target y;
// it also writes ∂ℓ/∂z into dz when dz is not nil.
func (h head) hess(z []float64, y float64, rz, out, dz []float64) {
	switch h.loss {
	case lossBCE:
		s := sigmoid(z[0])
		out[0] = s * (1 - s) * rz[0]
		if dz != nil {
			dz[0] = s - y
		}
	case lossCE:
		// ∇²ℓ = diag(p) − p·pᵀ with p = softmax(z).
		softmax(z, out)
		var prz float64
		for i, p := range out {
			prz += p * rz[i]
		}
		if dz != nil {
			copy(dz, out)
			dz[int(y)]--
		}
		for i, p := range out {
			out[i] = p * (rz[i] - prz)
		}
	default:
		r := z[0] - y
		out[0] = h.reg2(r) * rz[0]
		if dz != nil {
			_, dz[0] = h.reg(r)
		}
	}
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

// rdense sets out = W·in + b and rout = V·in + W·rin + c (the directional
// derivative along v, whose W and b parts are V and c), before
// activation; rin nil means R{in} = 0 (the data).
func rdense[T float32 | float64](th, v []float64, w, b int, in []T, rin, out, rout []float64) {
	n := len(in)
	for j := range out {
		s, r := th[b+j], v[b+j]
		row, vrow := th[w+j*n:w+(j+1)*n], v[w+j*n:w+(j+1)*n]
		for i, x := range in {
			s += row[i] * float64(x)
			r += vrow[i] * float64(x)
		}
		for i, rx := range rin {
			r += row[i] * rx
		}
		out[j], rout[j] = s, r
	}
}

// activate applies the activation to s (into h) and its derivative to rs
// (into rh), and keeps σ′ and σ″ of each unit.
func (a mlp) activate(s, rs, h, rh, d1, d2 []float64) {
	for j, sj := range s {
		hj := a.act(sj)
		h[j] = hj
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

// rwork holds one sample's activations and their R{·}, reused from sample
// to sample.
type rwork struct {
	s1, rs1, h1, rh1, p1, q1 []float64 // first hidden layer: s, R{s}, h, R{h}, σ′, σ″
	s2, rs2, h2, rh2, p2, q2 []float64 // second hidden layer
	dh, rdh, dh1, rdh1       []float64 // backward: δ and R{δ} of the hidden layers
	z, rz, dz, rdz           []float64 // outputs
}

func (a mlp) work() *rwork {
	buf := make([]float64, 16*a.hid+4*a.m)
	next := func(n int) []float64 {
		out := buf[:n:n]
		buf = buf[n:]
		return out
	}
	w := &rwork{}
	for _, p := range []*[]float64{&w.s1, &w.rs1, &w.h1, &w.rh1, &w.p1, &w.q1, &w.s2, &w.rs2, &w.h2, &w.rh2, &w.p2, &w.q2, &w.dh, &w.rdh, &w.dh1, &w.rdh1} {
		*p = next(a.hid)
	}
	w.z, w.rz, w.dz, w.rdz = next(a.m), next(a.m), next(a.m), next(a.m)
	return w
}

// hvpTotal is hvpSampler.hvpTotal for the MLP, by the R-operator.
func (a mlp) hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64) {
	d := ds.d
	w := a.work()
	for k := lo; k < hi; k++ {
		o := ds.offset(idx, k)
		a.rsample(th, v, ds.data[o:o+d], float64(ds.data[o+d]), hv, wgt, w)
	}
}

// rsample adds wgt times one sample's Hessian-vector product to hv.
// Forward: s = W·in + b, h = σ(s), R{s} = V·in + W·R{in} + c, R{h} =
// σ′(s)·R{s}; at the output R{z}. Backward: δz = ∂ℓ/∂z, R{δz} = ∇²ℓ·R{z};
// for each layer R{∂W} = R{δs}·inᵀ + δs·R{in}ᵀ, R{∂b} = R{δs}, R{δin} =
// Vᵀ·δs + Wᵀ·R{δs}, and through the activation δs = σ′·δh, R{δs} =
// σ″·R{s}·δh + σ′·R{δh}.
func (a mlp) rsample(th, v []float64, x []float32, y float64, hv []float64, wgt float64, w *rwork) {
	rdense(th, v, a.w1, a.b1, x, nil, w.s1, w.rs1)
	a.activate(w.s1, w.rs1, w.h1, w.rh1, w.p1, w.q1)
	last, rlast := w.h1, w.rh1
	if a.layers == 2 {
		rdense(th, v, a.w2, a.b2, w.h1, w.rh1, w.s2, w.rs2)
		a.activate(w.s2, w.rs2, w.h2, w.rh2, w.p2, w.q2)
		last, rlast = w.h2, w.rh2
	}
	rdense(th, v, a.wo, a.bo, last, rlast, w.z, w.rz)
	a.h.hess(w.z, y, w.rz, w.rdz, w.dz)
	for c := range w.dz {
		w.dz[c] *= wgt
		w.rdz[c] *= wgt
	}
	// Back through the output layer to the last hidden layer's values,
	// then through the activation: δs = σ′·δh, R{δs} = σ″·R{s}·δh + σ′·R{δh}.
	rback(th, v, hv, a.wo, a.bo, last, rlast, w.dz, w.rdz, w.dh, w.rdh)
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
