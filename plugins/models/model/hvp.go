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

// The MLP's products go through the network a block of samples at a
// time, each layer's values unit-major (unit j of the block's sample s at
// j·hvpBlock + s), so that every loop runs over the block's samples.

// hvpBlock is how many samples the MLP's products carry together; the
// products' shares (hvpChunk) hold whole blocks.
const hvpBlock = 64

// rblock is a block's forward pass (h1, h2, q, dz: what does not depend on
// the direction, possibly a block of the forward cache) and the scratch
// of its R{·} pass.
type rblock struct {
	shape              [3]int       // features, hidden units, outputs
	own                [4][]float64 // its own h1, h2, q and dz (which may be set to a cache's)
	x, y               []float64    // features (d×B) and targets (B)
	h1, h2, q, dz      []float64    // hidden values, the loss's factors (head.factors) and ∂ℓ/∂z
	z, zs, qs, ds      []float64    // the outputs (m×B); one sample's outputs, factors and derivatives
	rs1, rh1, rs2, rh2 []float64    // R{s} and R{h} of the hidden layers
	rz, dzw, rdz       []float64    // R{z}, wgt·∂ℓ/∂z and wgt·R{∂ℓ/∂z}
	dh, rdh, dh1, rdh1 []float64    // δ and R{δ} of the hidden layers
}

// blockPool keeps rblocks between products: a product over 10,000 samples
// would otherwise leave half a megabyte of them to the collector.
var blockPool sync.Pool

// block is an rblock for a's layers and d features, from blockPool when one
// of that shape is there; give it back with put.
func (a mlp) block(d int) *rblock {
	if w, ok := blockPool.Get().(*rblock); ok {
		if w.shape == [3]int{d, a.hid, a.m} {
			w.h1, w.h2, w.q, w.dz = w.own[0], w.own[1], w.own[2], w.own[3]
			return w
		}
	}
	const B = hvpBlock
	hid, m := a.hid, a.m
	buf := make([]float64, B*(d+1+12*hid+6*m)+3*m)
	next := func(n int) []float64 {
		out := buf[:n:n]
		buf = buf[n:]
		return out
	}
	w := &rblock{shape: [3]int{d, hid, m}, x: next(d * B), y: next(B)}
	for _, p := range []*[]float64{&w.h1, &w.h2, &w.rs1, &w.rh1, &w.rs2, &w.rh2, &w.dh, &w.rdh, &w.dh1, &w.rdh1} {
		*p = next(hid * B)
	}
	for _, p := range []*[]float64{&w.q, &w.dz, &w.z, &w.rz, &w.dzw, &w.rdz} {
		*p = next(m * B)
	}
	w.zs, w.qs, w.ds = next(m), next(m), next(m)
	w.own = [4][]float64{w.h1, w.h2, w.q, w.dz}
	return w
}

// put gives w back to blockPool.
func (w *rblock) put() { blockPool.Put(w) }

// load reads the samples k0..k0+n−1 of a pass (through idx when it is not
// nil) into w.x and w.y.
func (w *rblock) load(ds *dataset, idx []int, k0, n int) {
	const B = hvpBlock
	d := ds.d
	for s := 0; s < n; s++ {
		o := ds.offset(idx, k0+s)
		for i, v := range ds.data[o : o+d] {
			w.x[i*B+s] = float64(v)
		}
		w.y[s] = float64(ds.data[o+d])
	}
}

// affine sets out = W·in + b over n samples of a block (W at th[wo:],
// len(out)/B × nin, b at th[bo:]).
func affine(th []float64, wo, bo int, in []float64, nin, nout, n int, out []float64) {
	const B = hvpBlock
	for j := 0; j < nout; j++ {
		o := out[j*B : j*B+n]
		bj := th[bo+j]
		for s := range o {
			o[s] = bj
		}
		row := th[wo+j*nin : wo+(j+1)*nin]
		for i, wji := range row {
			in := in[i*B : i*B+n]
			for s, x := range in {
				o[s] += wji * x
			}
		}
	}
}

// addMul adds W·in to out over n samples of a block (W at th[wo:], nout ×
// nin).
func addMul(th []float64, wo int, in []float64, nin, nout, n int, out []float64) {
	const B = hvpBlock
	for j := 0; j < nout; j++ {
		o := out[j*B : j*B+n]
		row := th[wo+j*nin : wo+(j+1)*nin]
		for i, wji := range row {
			in := in[i*B : i*B+n]
			for s, x := range in {
				o[s] += wji * x
			}
		}
	}
}

// forward is the forward pass of the block's n samples (loaded in w.x and
// w.y): the hidden layers' values into h1 (and h2), the loss's factors
// and first derivatives (head.factors) into q and dz.
func (a mlp) forward(th []float64, w *rblock, d, n int, h1, h2, q, dz []float64) {
	const B = hvpBlock
	hid, m := a.hid, a.m
	activate := func(h []float64) {
		for j := 0; j < hid; j++ {
			o := h[j*B : j*B+n]
			for s, v := range o {
				o[s] = a.act(v)
			}
		}
	}
	affine(th, a.w1, a.b1, w.x, d, hid, n, h1)
	activate(h1)
	last := h1
	if a.layers == 2 {
		affine(th, a.w2, a.b2, h1, hid, hid, n, h2)
		activate(h2)
		last = h2
	}
	affine(th, a.wo, a.bo, last, hid, m, n, w.z)
	for s := 0; s < n; s++ {
		for c := range w.zs {
			w.zs[c] = w.z[c*B+s]
		}
		a.h.factors(w.zs, w.y[s], w.qs, w.ds)
		for c := range w.qs {
			q[c*B+s], dz[c*B+s] = w.qs[c], w.ds[c]
		}
	}
}

// hvpTotal is hvpSampler.hvpTotal for the MLP, by the R-operator.
func (a mlp) hvpTotal(th, v []float64, ds *dataset, idx []int, lo, hi int, hv []float64, wgt float64) {
	w := a.block(ds.d)
	defer w.put()
	for k0 := lo; k0 < hi; k0 += hvpBlock {
		n := min(hvpBlock, hi-k0)
		w.load(ds, idx, k0, n)
		a.forward(th, w, ds.d, n, w.h1, w.h2, w.q, w.dz)
		a.rpass(th, v, w, ds.d, n, hv, wgt)
	}
}

// rpass adds wgt times the Hessian-vector product of the block's n
// samples to hv, given their features in w.x and forward pass in w.h1,
// w.h2, w.q and w.dz. Forward: R{s} = V·in + W·R{in} + c, R{h} =
// σ′(s)·R{s}; at the output R{z}. Backward: δz = ∂ℓ/∂z, R{δz} = ∇²ℓ·R{z};
// for each layer R{∂W} = R{δs}·inᵀ + δs·R{in}ᵀ, R{∂b} = R{δs}, R{δin} =
// Vᵀ·δs + Wᵀ·R{δs}, and through the activation δs = σ′·δh, R{δs} =
// σ″·R{s}·δh + σ′·R{δh}.
func (a mlp) rpass(th, v []float64, w *rblock, d, n int, hv []float64, wgt float64) {
	const B = hvpBlock
	hid, m := a.hid, a.m
	// R{h} = σ′·R{s}, σ′ from h.
	rhOf := func(h, rs, rh []float64) {
		for j := 0; j < hid; j++ {
			hj, rsj, rhj := h[j*B:j*B+n], rs[j*B:j*B+n], rh[j*B:j*B+n]
			for s, x := range hj {
				rhj[s] = a.dact(x) * rsj[s]
			}
		}
	}
	affine(v, a.w1, a.b1, w.x, d, hid, n, w.rs1)
	rhOf(w.h1, w.rs1, w.rh1)
	last, rlast, rs := w.h1, w.rh1, w.rs1
	if a.layers == 2 {
		affine(v, a.w2, a.b2, w.h1, hid, hid, n, w.rs2)
		addMul(th, a.w2, w.rh1, hid, hid, n, w.rs2)
		rhOf(w.h2, w.rs2, w.rh2)
		last, rlast, rs = w.h2, w.rh2, w.rs2
	}
	affine(v, a.wo, a.bo, last, hid, m, n, w.rz)
	addMul(th, a.wo, rlast, hid, m, n, w.rz)
	// R{δz} = ∇²ℓ·R{z} (head.hessq), times wgt; δz times wgt.
	for s := 0; s < n; s++ {
		for c := 0; c < m; c++ {
			w.zs[c], w.qs[c] = w.rz[c*B+s], w.q[c*B+s]
		}
		a.h.hessq(w.qs, w.zs, w.ds)
		for c := 0; c < m; c++ {
			w.rdz[c*B+s] = w.ds[c] * wgt
			w.dzw[c*B+s] = w.dz[c*B+s] * wgt
		}
	}
	// A dense layer's part of the product, its input in (nin units) with
	// R{in} (nil for the data), δ and R{δ} of its outputs (nout units);
	// with din not nil, δ and R{δ} of its inputs into din and rdin.
	layer := func(wo, bo int, in, rin []float64, nin int, dout, rdout []float64, nout int, din, rdin []float64) {
		for j := 0; j < nout; j++ {
			dj, rj := dout[j*B:j*B+n], rdout[j*B:j*B+n]
			var sb float64
			for _, r := range rj {
				sb += r
			}
			hv[bo+j] += sb
			for i := 0; i < nin; i++ {
				x := in[i*B : i*B+n]
				var sw float64
				for s, r := range rj {
					sw += r * x[s]
				}
				if rin != nil {
					rx := rin[i*B : i*B+n]
					for s, dd := range dj {
						sw += dd * rx[s]
					}
				}
				hv[wo+j*nin+i] += sw
			}
		}
		if din == nil {
			return
		}
		for i := 0; i < nin; i++ {
			di, rdi := din[i*B:i*B+n], rdin[i*B:i*B+n]
			clear(di)
			clear(rdi)
			for j := 0; j < nout; j++ {
				t, u := th[wo+j*nin+i], v[wo+j*nin+i]
				dj, rj := dout[j*B:j*B+n], rdout[j*B:j*B+n]
				for s, dd := range dj {
					di[s] += dd * t
					rdi[s] += u*dd + t*rj[s]
				}
			}
		}
	}
	// Through the activation: δs = σ′·δh, R{δs} = σ″·R{s}·δh + σ′·R{δh}.
	through := func(h, rs, dh, rdh []float64) {
		for j := 0; j < hid; j++ {
			hj, rsj, dj, rj := h[j*B:j*B+n], rs[j*B:j*B+n], dh[j*B:j*B+n], rdh[j*B:j*B+n]
			for s, x := range hj {
				d1, d2 := a.dact(x), a.ddact(x)
				rj[s] = d2*rsj[s]*dj[s] + d1*rj[s]
				dj[s] *= d1
			}
		}
	}
	layer(a.wo, a.bo, last, rlast, hid, w.dzw, w.rdz, m, w.dh, w.rdh)
	through(last, rs, w.dh, w.rdh)
	dh, rdh := w.dh, w.rdh
	if a.layers == 2 {
		layer(a.w2, a.b2, w.h1, w.rh1, hid, w.dh, w.rdh, hid, w.dh1, w.rdh1)
		through(w.h1, w.rs1, w.dh1, w.rdh1)
		dh, rdh = w.dh1, w.rdh1
	}
	layer(a.w1, a.b1, w.x, nil, d, dh, rdh, hid, nil, nil)
}
