package model

import "math"

// eval is the objective over every sample of the subset (idx nil) or over
// the samples idx, with its gradient written into g when g is non-nil.
func (m *Model) eval(th []float64, idx []int, g []float64, all bool) float64 {
	n := m.ds.n()
	count := n
	if !all {
		count = len(idx)
		if idx == nil {
			idx = []int{} // nil means all samples below
		}
	}
	bad := len(th) != m.dim || g != nil && len(g) != m.dim || count == 0
	for _, i := range idx {
		bad = bad || i < 0 || i >= n
	}
	if bad {
		for i := range g {
			g[i] = math.NaN()
		}
		return math.NaN()
	}
	if g != nil {
		clear(g)
	}
	v := m.a.total(th, m.ds, idx, count, g, 1/float64(count)) / float64(count)
	if l2 := m.l2; l2 > 0 {
		var q float64
		for i, t := range th {
			q += t * t
			if g != nil {
				g[i] += l2 * t
			}
		}
		v += 0.5 * l2 * q
	}
	return v
}

// offset is where the k-th sample of a pass starts in ds.data: sample k,
// or sample idx[k] when idx is not nil.
func (ds *dataset) offset(idx []int, k int) int {
	if idx == nil {
		return k * (ds.d + 1)
	}
	return idx[k] * (ds.d + 1)
}
