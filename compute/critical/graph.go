package critical

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"

	"github.com/landscape-go/landscape/compute"
)

// Descend runs steepest descent from every start, all runs in lockstep
// (one batch of gradients per step), each with its own step length: a
// step x − η∇f is taken when it lowers f by at least 10⁻⁴·η‖∇f‖² (Armijo),
// after which η doubles; otherwise η is quartered. A run stops when its
// gradient is below 10⁻⁶·s.GradScale, after s.MaxIter·50 steps, or when
// inside (if not nil) reports that it left the region searched; then
// Refine takes it the rest of the way to the critical point (a minimum,
// unless the descent ended on a saddle's ridge).
func Descend(ctx context.Context, f Func, starts [][]float64, s Settings, inside func(x []float64) bool) ([]Refined, error) {
	s, err := s.resolved()
	if err != nil {
		return nil, err
	}
	d := f.Dim()
	type run struct {
		x, g  []float64
		val   float64
		eta   float64
		done  bool
		trial []float64
	}
	runs := make([]*run, len(starts))
	var pts []float64
	for i, x := range starts {
		if len(x) != d {
			return nil, fmt.Errorf("%w: start %d has %d values; the function has %d parameters", ErrInvalid, i+1, len(x), d)
		}
		runs[i] = &run{x: append([]float64(nil), x...)}
		pts = append(pts, x...)
	}
	vals, grads, err := gradients(ctx, f, pts)
	if err != nil {
		return nil, err
	}
	for i, r := range runs {
		r.val, r.g = vals[i], append([]float64(nil), grads[i*d:(i+1)*d]...)
		gn := norm(r.g)
		r.eta = s.Step / math.Max(gn, 1e-300)
		r.done = math.IsNaN(r.val) || !Finite(r.g) || gn <= 1e-6*s.GradScale
	}
	maxSteps := 50 * s.MaxIter
	for step := 0; step < maxSteps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("critical: stopped: %w", err)
		}
		var active []*run
		pts = pts[:0]
		for _, r := range runs {
			if r.done {
				continue
			}
			r.trial = make([]float64, d)
			for k := range r.x {
				r.trial[k] = r.x[k] - r.eta*r.g[k]
			}
			active = append(active, r)
			pts = append(pts, r.trial...)
		}
		if len(active) == 0 {
			break
		}
		vals, grads, err := gradients(ctx, f, pts)
		if err != nil {
			return nil, err
		}
		for k, r := range active {
			gn2 := norm(r.g)
			gn2 *= gn2
			if v := vals[k]; !math.IsNaN(v) && v <= r.val-1e-4*r.eta*gn2 {
				r.x, r.val, r.g = r.trial, v, append([]float64(nil), grads[k*d:(k+1)*d]...)
				r.eta *= 2
				if norm(r.g) <= 1e-6*s.GradScale || !Finite(r.g) || inside != nil && !inside(r.x) {
					r.done = true
				}
				continue
			}
			r.eta /= 4
			if r.eta*math.Sqrt(gn2) < 1e-15*s.Step {
				r.done = true // no decrease at any step: at rounding level
			}
		}
	}
	ends := make([][]float64, len(runs))
	for i, r := range runs {
		ends[i] = r.x
	}
	return Refine(ctx, f, ends, s, inside)
}

// Connection is an index-1 saddle and the two minima its unstable
// direction leads down to (-1 for a side that leaves the region or ends
// at no minimum of the list).
type Connection struct {
	Saddle int    `json:"saddle"`
	Minima [2]int `json:"minima"`
}

// Connect finds the minima each index-1 saddle of points connects: it
// steps a tenth of s.Step from the saddle both ways along the eigenvector
// of the plane Hessian's negative eigenvalue and descends (Descend) from
// each side; the minimum a side reaches is matched to the minima of
// points (within a thousandth of s.Step). f is the function of the
// points' coordinates (for Find's points, f restricted to the plane).
func Connect(ctx context.Context, f Func, points []Point, s Settings, inside func(x []float64) bool) ([]Connection, error) {
	d := f.Dim()
	var starts [][]float64
	var saddles []int
	for i, p := range points {
		if p.Kind != Saddle || p.Index != 1 || len(p.X) != d {
			continue
		}
		var h []float64
		err := evalRuns(ctx, f, p.X, func(_ int, _ float64, _, hh []float64) { h = hh })
		if err != nil {
			return nil, err
		}
		e, err := lowestVector(h, d)
		if err != nil {
			continue
		}
		for _, sg := range []float64{1, -1} {
			x := make([]float64, d)
			for k := range x {
				x[k] = p.X[k] + sg*0.1*s.Step*e[k]
			}
			starts = append(starts, x)
		}
		saddles = append(saddles, i)
	}
	if len(starts) == 0 {
		return nil, nil
	}
	ends, err := Descend(ctx, f, starts, s, inside)
	if err != nil {
		return nil, err
	}
	match := func(r Refined) int {
		if !r.Converged {
			return -1
		}
		for i, p := range points {
			if p.Kind == Minimum && dist(p.X, r.X) <= 1e-3*s.Step {
				return i
			}
		}
		return -1
	}
	out := make([]Connection, len(saddles))
	for k, i := range saddles {
		out[k] = Connection{Saddle: i, Minima: [2]int{match(ends[2*k]), match(ends[2*k+1])}}
	}
	return out, nil
}

// lowestVector is the unit eigenvector of the symmetric d×d matrix h's
// lowest eigenvalue.
func lowestVector(h []float64, d int) ([]float64, error) {
	if d == 2 {
		a, b, c := h[0], (h[1]+h[2])/2, h[3]
		lo, _ := compute.Eigen2(a, b, c)
		// (H − λI)v = 0: v ⟂ the larger row of H − λI.
		r0 := [2]float64{a - lo, b}
		r1 := [2]float64{b, c - lo}
		if math.Hypot(r1[0], r1[1]) > math.Hypot(r0[0], r0[1]) {
			r0 = r1
		}
		v := []float64{-r0[1], r0[0]}
		n := math.Hypot(v[0], v[1])
		if n == 0 {
			return []float64{1, 0}, nil
		}
		return []float64{v[0] / n, v[1] / n}, nil
	}
	_, vecs, err := Eigen(h, d)
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

func dist(a, b []float64) float64 { return floats.Distance(a, b, 2) }

// Tree is a disconnectivity graph: the minima joined at the saddles that
// connect them, merged in order of the saddles' values (the barrier at
// which two sets of minima become mutually reachable), as Becker and
// Karplus (1997) and Wales draw energy landscapes.
type Tree struct {
	// Nodes are the leaves (one per minimum, in the order given) and then
	// the merges, each after its children.
	Nodes []TreeNode `json:"nodes"`
	// Roots are the nodes no saddle joins further (more than one when
	// the minima fall apart into sets no saddle of the region connects).
	Roots []int `json:"roots"`
}

// TreeNode is a minimum (a leaf: Minimum ≥ 0, no Children) or a merge at
// a saddle (Saddle ≥ 0) of the sets of minima below its Children.
type TreeNode struct {
	Value    float64 `json:"value"`
	Minimum  int     `json:"minimum"`
	Saddle   int     `json:"saddle"`
	Children []int   `json:"children,omitempty"`
}

// Disconnect builds the disconnectivity graph of the minima (indices into
// points) joined by the connections: Kruskal's order, lowest saddle first;
// a saddle joining minima already joined lower adds nothing.
func Disconnect(points []Point, minima []int, conns []Connection) Tree {
	var t Tree
	leaf := map[int]int{}
	for _, m := range minima {
		leaf[m] = len(t.Nodes)
		t.Nodes = append(t.Nodes, TreeNode{Value: points[m].Value, Minimum: m, Saddle: -1})
	}
	parent := make([]int, len(t.Nodes))
	top := make([]int, len(t.Nodes)) // the tree node of each set's root
	for i := range parent {
		parent[i], top[i] = i, i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	cs := append([]Connection(nil), conns...)
	sort.SliceStable(cs, func(i, j int) bool { return points[cs[i].Saddle].Value < points[cs[j].Saddle].Value })
	for _, c := range cs {
		a, oka := leaf[c.Minima[0]]
		b, okb := leaf[c.Minima[1]]
		if !oka || !okb {
			continue
		}
		ra, rb := find(a), find(b)
		if ra == rb {
			continue
		}
		n := len(t.Nodes)
		t.Nodes = append(t.Nodes, TreeNode{Value: points[c.Saddle].Value, Minimum: -1, Saddle: c.Saddle, Children: []int{top[ra], top[rb]}})
		parent[rb] = ra
		top[ra] = n
	}
	for i := range parent {
		if find(i) == i {
			t.Roots = append(t.Roots, top[i])
		}
	}
	sort.Slice(t.Roots, func(i, j int) bool { return t.lowest(t.Roots[i]) < t.lowest(t.Roots[j]) })
	return t
}

// lowest is the lowest minimum's value below node n.
func (t Tree) lowest(n int) float64 {
	nd := t.Nodes[n]
	if len(nd.Children) == 0 {
		return nd.Value
	}
	v := math.Inf(1)
	for _, c := range nd.Children {
		v = math.Min(v, t.lowest(c))
	}
	return v
}
