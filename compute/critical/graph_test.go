package critical

import (
	"context"
	"errors"
	"math"
	"sort"
	"testing"
)

// TestConnectHimmelblau: each of himmelblau's four saddles joins two
// neighbouring minima, and the disconnectivity graph merges the four
// minima (all at 0) at the saddles' values, lowest first, into one tree.
func TestConnectHimmelblau(t *testing.T) {
	ctx := context.Background()
	g := axisGrid(2, -5, 5, 128)
	res, err := Find(ctx, Local{himmelblau()}, g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pts := make([]Point, len(res.Points))
	var minima []int
	for i, p := range res.Points {
		pts[i] = p.Point
		if p.Kind == Minimum {
			minima = append(minima, i)
		}
	}
	pf, _ := OnPlane(Local{himmelblau()}, g.Origin, g.U, g.V)
	s := Settings{Step: 10.0 / 127, GradScale: res.GradScale}
	conns, err := Connect(ctx, pf, pts, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 4 {
		t.Fatalf("%d connections, want 4", len(conns))
	}
	// Quadrants: the minima at (3, 2), (−2.8, 3.1), (−3.8, −3.3),
	// (3.6, −1.8); the saddle between two neighbours lies between them.
	deg := map[int]int{}
	for _, c := range conns {
		a, b := c.Minima[0], c.Minima[1]
		if a < 0 || b < 0 || a == b {
			t.Fatalf("saddle %v connects %v", pts[c.Saddle].X, c.Minima)
		}
		deg[a]++
		deg[b]++
		sx := pts[c.Saddle].X
		mid := []float64{(pts[a].X[0] + pts[b].X[0]) / 2, (pts[a].X[1] + pts[b].X[1]) / 2}
		if dist(sx, mid) > dist(pts[a].X, pts[b].X) {
			t.Errorf("saddle %v is far from the minima it joins, %v and %v", sx, pts[a].X, pts[b].X)
		}
	}
	for _, m := range minima {
		if deg[m] != 2 {
			t.Errorf("minimum %v joins %d saddles, want 2 (the ring of four)", pts[m].X, deg[m])
		}
	}
	tree := Disconnect(pts, minima, conns)
	if len(tree.Roots) != 1 || len(tree.Nodes) != 4+3 {
		t.Fatalf("tree of %d nodes and roots %v", len(tree.Nodes), tree.Roots)
	}
	// The three merges are at the three lowest saddles' values.
	var sv []float64
	for _, c := range conns {
		sv = append(sv, pts[c.Saddle].Value)
	}
	sort.Float64s(sv)
	for k, n := range tree.Nodes[4:] {
		if n.Value != sv[k] || len(n.Children) != 2 {
			t.Errorf("merge %d at %v (children %v), want %v", k, n.Value, n.Children, sv[k])
		}
	}
	if root := tree.Nodes[tree.Roots[0]]; root.Value != sv[2] {
		t.Errorf("root at %v, want %v", root.Value, sv[2])
	}
}

// TestDisconnectForest: minima no saddle joins stay separate roots,
// lowest first; a saddle that joins minima already joined adds nothing.
func TestDisconnectForest(t *testing.T) {
	pts := []Point{{Value: 1}, {Value: 0}, {Value: 2}, {Value: 5, Kind: Saddle}, {Value: 7, Kind: Saddle}}
	tree := Disconnect(pts, []int{0, 1, 2}, []Connection{{Saddle: 4, Minima: [2]int{1, 0}}, {Saddle: 3, Minima: [2]int{0, 1}}, {Saddle: 3, Minima: [2]int{0, -1}}})
	if len(tree.Nodes) != 4 || len(tree.Roots) != 2 || tree.Roots[0] != 3 || tree.Roots[1] != 2 {
		t.Fatalf("%+v", tree)
	}
	if n := tree.Nodes[3]; n.Value != 5 || n.Saddle != 3 {
		t.Errorf("merge %+v, want at the lower saddle", n)
	}
}

func TestDescend(t *testing.T) {
	// From near rastrigin's maximum at about (0.5, 0.5) descent ends at
	// one of the four minima around it.
	ends, err := Descend(context.Background(), Local{rastrigin(2, 10)}, [][]float64{{0.6, 0.55}, {0.4, 0.45}}, Settings{Step: 0.04, GradScale: 70}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range ends {
		if !e.Converged || math.Abs(math.Abs(e.X[0])-0.9949586) > 1e-6 && math.Abs(e.X[0]) > 1e-9 {
			t.Errorf("run %d ended at %v (%v)", i, e.X, e.Reason)
		}
		if eig, _ := Eigenvalues(e.Hessian, 2); eig[0] <= 0 {
			t.Errorf("run %d ended at a point of eigenvalues %v", i, eig)
		}
	}
}

func TestCluster(t *testing.T) {
	pts := []float64{0, 0, 0.05, 0, 1, 1, 1.04, 0.98, math.NaN(), 0, 0.02, 0.03, 5, 5}
	labels, n, err := Cluster(pts, 2, 0.1)
	if err != nil || n != 3 {
		t.Fatalf("%v clusters, %v", n, err)
	}
	want := []int{0, 0, 1, 1, -1, 0, 2}
	for i := range want {
		if labels[i] != want[i] {
			t.Errorf("labels %v, want %v", labels, want)
			break
		}
	}
	if _, _, err := Cluster(pts, 2, 0); !errors.Is(err, ErrInvalid) {
		t.Error("radius 0 accepted")
	}
	// In 3-D, points close in the first two coordinates but not the third
	// are apart.
	if _, n, _ := Cluster([]float64{0, 0, 0, 0, 0, 1}, 3, 0.5); n != 2 {
		t.Errorf("3-D: %d clusters", n)
	}
}

// TestClassifyAt: x² − y² at the origin is a saddle of index 1; a
// non-critical point is still classified by its Hessian, and its gradient
// norm says it is not critical.
func TestClassifyAt(t *testing.T) {
	saddle := fn{name: "saddle", dim: 2, lo: -2, hi: 2,
		loss: func(p []float64) float64 { return p[0]*p[0] - p[1]*p[1] },
		grad: func(g, p []float64) { g[0], g[1] = 2*p[0], -2*p[1] }}
	p, err := ClassifyAt(context.Background(), Local{saddle}, []float64{0, 0}, Settings{})
	if err != nil || p.Kind != Saddle || p.Index != 1 || p.GradNorm != 0 {
		t.Errorf("%+v %v", p, err)
	}
	if Describe(p.Kind, p.Index) != "a saddle (index 1)" || Describe(Minimum, 0) != "a minimum" {
		t.Error(Describe(p.Kind, p.Index))
	}
	p, _ = ClassifyAt(context.Background(), Local{rastrigin(5, 10)}, []float64{0, 0, 0.5, 0, 0}, Settings{})
	if p.Kind != Saddle || p.Index != 1 || p.GradNorm < 1 {
		t.Errorf("rastrigin 5-D off a critical point: %+v", p)
	}
	if _, err := ClassifyAt(context.Background(), Local{saddle}, []float64{0}, Settings{}); !errors.Is(err, ErrInvalid) {
		t.Error("a point of the wrong length")
	}
}
