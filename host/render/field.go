package render

import (
	"math"

	"gonum.org/v1/plot/plotter"

	"github.com/landscape-go/landscape/compute"
)

// colouring is the quantity that colours and contours a field, computed
// from the field's values as it is read (a copy would cost twice the
// field's memory again).
type colouring struct {
	values []float32 // the field's, row-major
	lo, hi float64   // colour range, lo < hi always
	// vmin and vmax are the field's defined extremes.
	vmin, vmax float64
	// constant: every defined value is equal; the colour range is widened
	// around it and there are no contours.
	constant bool
	// log: z = log10(v − vmin + eps).
	log bool
	eps float64
	nan int // undefined points (NaN or ±Inf)
	// name is what the values are ("" means the loss), for labels.
	name string
}

// quantity is c's name for labels.
func (c colouring) quantity() string {
	if c.name == "" {
		return "loss"
	}
	return c.name
}

// colourField computes the colour range of f. Non-finite values count as
// undefined. symmetric centres a linear range on zero.
func colourField(f *compute.Field, logScale, symmetric bool) (colouring, error) {
	c := colouring{values: f.Values}
	first := true
	for _, v := range f.Values {
		x := float64(v)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.nan++
			continue
		}
		if first || x < c.vmin {
			c.vmin = x
		}
		if first || x > c.vmax {
			c.vmax = x
		}
		first = false
	}
	if first {
		return c, ErrNoValues
	}
	switch {
	case c.vmin == c.vmax:
		// Widen the range so the colourbar has extent and the value sits
		// in the middle of the colormap.
		c.constant = true
		d := math.Abs(c.vmin) * 0.05
		if d == 0 {
			d = 0.5
		}
		c.lo, c.hi = c.vmin-d, c.vmin+d
	case logScale:
		c.log = true
		rng := c.vmax - c.vmin
		c.eps = rng * 1e-6
		c.lo, c.hi = math.Log10(c.eps), math.Log10(rng+c.eps)
	case symmetric:
		m := math.Max(math.Abs(c.vmin), math.Abs(c.vmax))
		c.lo, c.hi = -m, m
	default:
		c.lo, c.hi = c.vmin, c.vmax
	}
	return c, nil
}

// at is the coloured quantity of point k: NaN where undefined, the value,
// or on a log scale log10(v − vmin + eps) pinned to [lo, hi] (rounding can
// put the extremes a hair outside, and the heatmap would leave such cells
// blank).
func (c *colouring) at(k int) float64 {
	x := float64(c.values[k])
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN()
	case c.log:
		return min(max(math.Log10(x-c.vmin+c.eps), c.lo), c.hi)
	}
	return x
}

// xyzGrid is a plotter.GridXYZ over row-major values.
type xyzGrid struct {
	nx, ny int
	xs, ys []float64
	z      []float64
}

var _ plotter.GridXYZ = (*xyzGrid)(nil)

func (g *xyzGrid) Dims() (c, r int)   { return g.nx, g.ny }
func (g *xyzGrid) Z(c, r int) float64 { return g.z[r*g.nx+c] }
func (g *xyzGrid) X(c int) float64    { return g.xs[c] }
func (g *xyzGrid) Y(r int) float64    { return g.ys[r] }

// fieldXYZ is the full-resolution grid of a field, its Z the coloured
// quantity computed as it is read.
type fieldXYZ struct {
	nx, ny int
	xs, ys []float64
	col    *colouring
}

var _ plotter.GridXYZ = (*fieldXYZ)(nil)

func (g *fieldXYZ) Dims() (c, r int)   { return g.nx, g.ny }
func (g *fieldXYZ) Z(c, r int) float64 { return g.col.at(r*g.nx + c) }
func (g *fieldXYZ) X(c int) float64    { return g.xs[c] }
func (g *fieldXYZ) Y(r int) float64    { return g.ys[r] }

// fieldGrid is the full-resolution grid of f coloured by col.
func fieldGrid(f *compute.Field, col *colouring) *fieldXYZ {
	g := f.Grid
	xs := make([]float64, g.Nx)
	for i := range xs {
		xs[i] = g.XAt(i)
	}
	ys := make([]float64, g.Ny)
	for j := range ys {
		ys[j] = g.YAt(j)
	}
	return &fieldXYZ{nx: g.Nx, ny: g.Ny, xs: xs, ys: ys, col: col}
}

// contourGrid prepares g for plotter.Contour: it averages blocks of a grid
// finer than contourMax per axis (the lines need no more; a 1024² field
// contours in a fraction of the time) and fills undefined points.
//
// gonum's CONREC treats NaN corners as lying on every level and draws
// spurious segments, so holes are filled from their defined neighbours
// (breadth first, each point the mean of those already known). Lines then
// continue smoothly into holes, and the caller paints the holes over them.
func contourGrid(g *fieldXYZ) *xyzGrid {
	out := downsample(g, contourMax)
	inpaint(out)
	return out
}

// downsample averages kx×ky blocks (ignoring NaN) so that neither axis
// exceeds n points; the block's coordinates are the means of its members'.
// A grid that fits is copied.
func downsample(g *fieldXYZ, n int) *xyzGrid {
	kx := (g.nx + n - 1) / n
	ky := (g.ny + n - 1) / n
	nx := (g.nx + kx - 1) / kx
	ny := (g.ny + ky - 1) / ky
	out := &xyzGrid{nx: nx, ny: ny, xs: make([]float64, nx), ys: make([]float64, ny), z: make([]float64, nx*ny)}
	for i := range out.xs {
		out.xs[i] = mean(g.xs[i*kx : min((i+1)*kx, g.nx)])
	}
	for j := range out.ys {
		out.ys[j] = mean(g.ys[j*ky : min((j+1)*ky, g.ny)])
	}
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			sum, cnt := 0.0, 0
			for r := j * ky; r < min((j+1)*ky, g.ny); r++ {
				for c := i * kx; c < min((i+1)*kx, g.nx); c++ {
					if v := g.Z(c, r); !math.IsNaN(v) {
						sum += v
						cnt++
					}
				}
			}
			if cnt == 0 {
				out.z[j*nx+i] = math.NaN()
			} else {
				out.z[j*nx+i] = sum / float64(cnt)
			}
		}
	}
	return out
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// inpaint replaces NaN points of g, breadth first from the defined ones,
// with the mean of their already-defined 4-neighbours. g must hold at least
// one defined point.
func inpaint(g *xyzGrid) {
	var queue []int
	queued := make([]bool, len(g.z))
	for k, v := range g.z {
		if math.IsNaN(v) {
			continue
		}
		g.neighbours(k, func(n int) {
			if math.IsNaN(g.z[n]) && !queued[n] {
				queued[n] = true
				queue = append(queue, n)
			}
		})
	}
	for len(queue) > 0 {
		next := queue[:0:0]
		// Fill this ring from the defined points, then queue the next.
		vals := make([]float64, len(queue))
		for q, k := range queue {
			sum, cnt := 0.0, 0
			g.neighbours(k, func(n int) {
				if v := g.z[n]; !math.IsNaN(v) {
					sum += v
					cnt++
				}
			})
			vals[q] = sum / float64(cnt)
		}
		for q, k := range queue {
			g.z[k] = vals[q]
		}
		for _, k := range queue {
			g.neighbours(k, func(n int) {
				if math.IsNaN(g.z[n]) && !queued[n] {
					queued[n] = true
					next = append(next, n)
				}
			})
		}
		queue = next
	}
}

// neighbours calls f with the index of each of cell k's four neighbours
// inside the grid.
func (g *xyzGrid) neighbours(k int, f func(n int)) {
	i, j := k%g.nx, k/g.nx
	for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
		if a, b := i+d[0], j+d[1]; a >= 0 && a < g.nx && b >= 0 && b < g.ny {
			f(b*g.nx + a)
		}
	}
}
