package model

import (
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"
)

// The MLP's Hessian-vector products at one θ share a forward pass: the
// hidden layers' values and the loss's factors of every sample do not
// depend on the direction v. Lanczos, Hutch++, SLQ and a dense Hessian
// from products ask for tens to hundreds of products at the same θ, so
// the model keeps the forward passes of the full dataset at the last few
// θs asked twice, and the products at those θs are the R-operator's
// linear part alone (no tanh, no exp). The floating-point operations of a
// product are the same whether its forward pass comes from the cache or
// not, so the product is the same to the bit.

// fwdBytes bounds the memory of the forward passes a model keeps, all
// together.
const fwdBytes = 128 << 20

// fwdState is the forward pass of every sample of the full dataset at
// theta: rows of the hidden values (layers·hid) and of the loss's
// factors and derivatives (2·m).
type fwdState struct {
	theta []float64
	sum   uint64
	h     []float64 // n × layers·hid
	qd    []float64 // n × 2m: q then dz
}

// fwdCache holds the forward passes of a model, most recently used
// first, and the sums of the θs asked once.
type fwdCache struct {
	mu     sync.Mutex
	states []*fwdState
	seen   []uint64
}

var fwdSeed = maphash.MakeSeed()

func thetaSum(th []float64) uint64 {
	var h maphash.Hash
	h.SetSeed(fwdSeed)
	var b [8]byte
	for _, x := range th {
		u := math.Float64bits(x)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// forwardAt is the forward pass of a over ds at th when it is kept, or
// built now when th is asked for the second time and fits; nil otherwise
// (the product then computes each sample's forward pass itself).
func (c *fwdCache) forwardAt(a mlp, ds *dataset, th []float64) *fwdState {
	n := ds.n()
	row := a.layers*a.hid + 2*a.m
	size := 8 * n * row
	keep := min(max(runtime.GOMAXPROCS(0), 2), 16, fwdBytes/max(size, 1))
	if keep < 1 {
		return nil
	}
	sum := thetaSum(th)
	c.mu.Lock()
	for i, f := range c.states {
		if f.sum == sum && slices.Equal(f.theta, th) {
			copy(c.states[1:i+1], c.states[:i])
			c.states[0] = f
			c.mu.Unlock()
			return f
		}
	}
	if !slices.Contains(c.seen, sum) {
		if len(c.seen) >= 2*keep {
			c.seen = c.seen[1:]
		}
		c.seen = append(c.seen, sum)
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	f := a.forwardAll(ds, th)
	f.sum = sum
	c.mu.Lock()
	c.states = append([]*fwdState{f}, c.states...)
	if len(c.states) > keep {
		c.states = c.states[:keep]
	}
	c.mu.Unlock()
	return f
}

// forwardAll computes the forward pass of every sample of ds at th, in
// shares of samples on every core.
func (a mlp) forwardAll(ds *dataset, th []float64) *fwdState {
	n, d, L, m := ds.n(), ds.d, a.layers*a.hid, a.m
	f := &fwdState{theta: slices.Clone(th), h: make([]float64, n*L), qd: make([]float64, n*2*m)}
	inChunks(n, func(_, lo, hi int) {
		z := make([]float64, m)
		for k := lo; k < hi; k++ {
			o := k * (d + 1)
			h, qd := f.h[k*L:(k+1)*L], f.qd[k*2*m:(k+1)*2*m]
			a.forward(th, ds.data[o:o+d], float64(ds.data[o+d]), h[:a.hid], h[a.hid:], qd[:m], qd[m:], z)
		}
	})
	return f
}

// hvpCached is hvpTotal over the samples lo..hi−1 of the full dataset,
// their forward passes read from f.
func (a mlp) hvpCached(th, v []float64, ds *dataset, f *fwdState, lo, hi int, hv []float64, wgt float64) {
	d, L, m := ds.d, a.layers*a.hid, a.m
	w := a.work()
	for k := lo; k < hi; k++ {
		o := k * (d + 1)
		h, qd := f.h[k*L:(k+1)*L], f.qd[k*2*m:(k+1)*2*m]
		w.h1, w.h2, w.q, w.dz = h[:a.hid], h[a.hid:], qd[:m], qd[m:]
		a.rsample(th, v, ds.data[o:o+d], hv, wgt, w)
	}
}
