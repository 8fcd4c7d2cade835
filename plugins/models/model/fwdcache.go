package model

import (
	"encoding/binary"
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
// theta, block after block (fwdState.rows): the hidden values
// (layers·hid a sample) and the loss's factors and derivatives (2·m).
type fwdState struct {
	theta []float64
	sum   uint64
	h     []float64 // blocks × layers·hid·hvpBlock
	qd    []float64 // blocks × 2m·hvpBlock: q then dz
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
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
	}
	return h.Sum64()
}

// forwardAt is the forward pass of a over ds at th when it is kept, or
// built now when th is asked for the second time and fits; nil otherwise
// (the product then computes each sample's forward pass itself).
func (c *fwdCache) forwardAt(a mlp, ds *dataset, th []float64) *fwdState {
	blocks := (ds.n() + hvpBlock - 1) / hvpBlock
	size := 8 * blocks * hvpBlock * (a.layers*a.hid + 2*a.m) // as forwardAll allocates
	keep := min(max(runtime.GOMAXPROCS(0), 2), 16, fwdBytes/max(size, 1))
	if keep < 1 {
		return nil
	}
	sum := thetaSum(th)
	c.mu.Lock()
	if i := c.find(sum, th); i >= 0 {
		f := c.states[i]
		copy(c.states[1:i+1], c.states[:i])
		c.states[0] = f
		c.mu.Unlock()
		return f
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
	if i := c.find(sum, th); i >= 0 {
		// Built meanwhile by another product at th.
		g := c.states[i]
		c.mu.Unlock()
		return g
	}
	c.states = append([]*fwdState{f}, c.states...)
	if len(c.states) > keep {
		c.states = c.states[:keep]
	}
	c.mu.Unlock()
	return f
}

// find is the index of the kept forward pass at th (whose thetaSum is
// sum), or −1; c.mu is held.
func (c *fwdCache) find(sum uint64, th []float64) int {
	return slices.IndexFunc(c.states, func(f *fwdState) bool { return f.sum == sum && slices.Equal(f.theta, th) })
}

// forwardAll computes the forward pass of every sample of ds at th, in
// shares of samples on every core, a block (hvpBlock samples, unit-major)
// after another.
func (a mlp) forwardAll(ds *dataset, th []float64) *fwdState {
	n, d := ds.n(), ds.d
	blocks := (n + hvpBlock - 1) / hvpBlock
	f := &fwdState{theta: slices.Clone(th), h: make([]float64, blocks*hvpBlock*a.layers*a.hid), qd: make([]float64, blocks*hvpBlock*2*a.m)}
	inChunks(n, func(_, lo, hi int) {
		w := a.block(d)
		defer w.put()
		for k0 := lo; k0 < hi; k0 += hvpBlock {
			nb := min(hvpBlock, hi-k0)
			w.load(ds, nil, k0, nb)
			h1, h2, q, dz := f.rows(a, k0/hvpBlock)
			a.forward(th, w, d, nb, h1, h2, q, dz)
		}
	})
	return f
}

// rows are block b's hidden values (h2 empty with one hidden layer), the
// loss's factors and derivatives.
func (f *fwdState) rows(a mlp, b int) (h1, h2, q, dz []float64) {
	const B = hvpBlock
	L, m := a.layers*a.hid, a.m
	h := f.h[b*B*L : (b+1)*B*L]
	qd := f.qd[b*B*2*m : (b+1)*B*2*m]
	return h[:a.hid*B], h[a.hid*B:], qd[:m*B], qd[m*B:]
}

// hvpCached is hvpTotal over the samples lo..hi−1 of the full dataset
// (lo a multiple of hvpBlock), their forward passes read from f.
func (a mlp) hvpCached(th, v []float64, ds *dataset, f *fwdState, lo, hi int, hv []float64, wgt float64) {
	w := a.block(ds.d)
	defer w.put()
	for k0 := lo; k0 < hi; k0 += hvpBlock {
		n := min(hvpBlock, hi-k0)
		w.load(ds, nil, k0, n)
		w.h1, w.h2, w.q, w.dz = f.rows(a, k0/hvpBlock)
		a.rpass(th, v, w, ds.d, n, hv, wgt)
	}
}
