package model

import "math"

// lossBlock is how many samples the loss-only path carries through the
// layers together.
const lossBlock = 32

// lossOnly is total without a gradient (the loss of grids and line
// evaluations): the samples go through the network a block at a time,
// each layer a tight loop over the block and the activation one loop over
// all of the block's units. Every sample's loss is computed with the same
// float64 operations in the same order as sample does, and summed in the
// same order, so the result is the same to the bit.
func (a mlp) lossOnly(th []float64, ds *dataset, idx []int, count int) float64 {
	const B = lossBlock
	d, hid, m := ds.d, a.hid, a.m
	var hb1, hb2 [maxHidden * B]float64
	var ys [B]float64
	var zb [maxClasses]float64
	w1, b1 := th[a.w1:a.w1+hid*d], th[a.b1:a.b1+hid]
	wo, bo := th[a.wo:a.wo+m*hid], th[a.bo:a.bo+m]
	var sum float64
	for k0 := 0; k0 < count; k0 += B {
		n := min(B, count-k0)
		h := hb1[:n*hid]
		for s := range n {
			o := ds.offset(idx, k0+s)
			x := ds.data[o : o+d]
			ys[s] = float64(ds.data[o+d])
			denseRow(h[s*hid:(s+1)*hid], w1, b1, x)
		}
		a.activateAll(h)
		last := h
		if a.layers == 2 {
			w2, b2 := th[a.w2:a.w2+hid*hid], th[a.b2:a.b2+hid]
			last = hb2[:n*hid]
			for s := range n {
				denseRow(last[s*hid:(s+1)*hid], w2, b2, h[s*hid:(s+1)*hid])
			}
			a.activateAll(last)
		}
		z := zb[:m]
		for s := range n {
			denseRow(z, wo, bo, last[s*hid:(s+1)*hid])
			sum += a.h.value(z, ys[s])
		}
	}
	return sum
}

// denseRow sets out[j] = b[j] + Σ_i w[j·len(in)+i]·in[i], summed in order
// of i (as dense does).
func denseRow[T float32 | float64](out, w, b []float64, in []T) {
	n := len(in)
	for j := range out {
		acc := b[j]
		row := w[j*n : j*n+n]
		for i, v := range in {
			acc += row[i] * float64(v)
		}
		out[j] = acc
	}
}

// activateAll applies the hidden layers' activation to every value of h.
func (a mlp) activateAll(h []float64) {
	if a.relu {
		for i, v := range h {
			h[i] = math.Max(v, 0)
		}
		return
	}
	for i, v := range h {
		h[i] = math.Tanh(v)
	}
}

// value is eval without derivatives: the same value, with the softmax's
// exp(0) = 1 of its largest logit not computed.
func (h head) value(z []float64, y float64) float64 {
	if h.loss != lossCE {
		return h.eval(z, y, nil)
	}
	m := z[0]
	for _, x := range z[1:] {
		m = math.Max(m, x)
	}
	if math.IsInf(m, 0) {
		return h.eval(z, y, nil)
	}
	var s float64
	for _, x := range z {
		if x == m {
			s++
		} else {
			s += math.Exp(x - m)
		}
	}
	return m + math.Log(s) - z[int(y)]
}
