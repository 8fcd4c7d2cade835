package critical

import (
	"fmt"
	"math"
)

// Cluster groups points (dim values each, point after point) that lie
// within radius of a cluster's first point (the leader algorithm, in the
// order given; leaders are looked up in cells of side radius over the
// first two coordinates). It returns a label per point (-1 for a point
// with a coordinate that is not finite) and the number of clusters.
func Cluster(pts []float64, dim int, radius float64) ([]int, int, error) {
	if dim < 1 || len(pts)%dim != 0 {
		return nil, 0, fmt.Errorf("%w: %d values do not make points of dimension %d", ErrInvalid, len(pts), dim)
	}
	if !(radius > 0) || math.IsInf(radius, 0) {
		return nil, 0, fmt.Errorf("%w: cluster radius %v: want a positive length", ErrInvalid, radius)
	}
	n := len(pts) / dim
	labels := make([]int, n)
	type cell struct{ a, b int64 }
	cellOf := func(x []float64) cell {
		c := cell{int64(math.Floor(x[0] / radius)), 0}
		if dim > 1 {
			c.b = int64(math.Floor(x[1] / radius))
		}
		return c
	}
	leaders := map[cell][]int{} // cluster indices whose leader lies in the cell
	var lead [][]float64
	for i := 0; i < n; i++ {
		x := pts[i*dim : (i+1)*dim]
		if !Finite(x) {
			labels[i] = -1
			continue
		}
		c := cellOf(x)
		best, bd := -1, math.Inf(1)
		for da := int64(-1); da <= 1; da++ {
			for db := int64(-1); db <= 1; db++ {
				for _, k := range leaders[cell{c.a + da, c.b + db}] {
					if d := dist(lead[k], x); d <= radius && d < bd {
						best, bd = k, d
					}
				}
			}
		}
		if best < 0 {
			best = len(lead)
			lead = append(lead, x)
			leaders[c] = append(leaders[c], best)
		}
		labels[i] = best
	}
	return labels, len(lead), nil
}
