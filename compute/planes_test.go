package compute

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/sdk"
)

func TestRandomDirection(t *testing.T) {
	a, b, c := RandomDirection(1000, 1), RandomDirection(1000, 1), RandomDirection(1000, 2)
	if len(a) != 1000 {
		t.Fatalf("len = %d, want 1000", len(a))
	}
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different directions")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same direction")
	}
	// N(0, 1): mean ≈ 0, variance ≈ 1 (5 standard errors).
	mean := floats.Sum(a) / 1000
	var v float64
	for _, x := range a {
		v += (x - mean) * (x - mean)
	}
	v /= 999
	if math.Abs(mean) > 5/math.Sqrt(1000) || math.Abs(v-1) > 5*math.Sqrt(2.0/999) {
		t.Errorf("mean %v, variance %v: not N(0, 1)", mean, v)
	}
	if len(RandomDirection(0, 1)) != 0 || len(RandomDirection(-1, 1)) != 0 {
		t.Error("dim ≤ 0 should give an empty direction")
	}
}

func TestFilterNormalize(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	randVec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64() * 3
		}
		return v
	}
	origin := randVec(12)
	origin[4], origin[5], origin[6] = 0, 0, 0 // filter "w2" is zero in the origin
	groups := []sdk.Group{{Name: "w1", Start: 0, Len: 4}, {Name: "w2", Start: 4, Len: 3},
		{Name: "b", Start: 7, Len: 2, Kind: sdk.GroupBias}, {Name: "s", Start: 9, Len: 1, Kind: sdk.GroupBias}}
	// Parameters 10 and 11 are in no group.
	for _, tc := range []struct {
		name   string
		groups []sdk.Group
		bias   BiasRule
	}{
		{"zero", groups, BiasZero},
		{"copy", groups, BiasCopy},
		{"rescale", groups, BiasRescale},
		{"none", nil, BiasZero},
		{"single", []sdk.Group{{Name: "all", Start: 0, Len: 12}}, BiasZero},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := randVec(12)
			keep := slices.Clone(d)
			got, err := FilterNormalize(d, origin, tc.groups, tc.bias)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d, keep) {
				t.Error("FilterNormalize modified its input")
			}
			gs := tc.groups
			if len(gs) == 0 {
				gs = []sdk.Group{{Name: "all", Start: 0, Len: 12}}
			}
			covered := map[int]bool{}
			for _, g := range gs {
				dg, og, wg := got[g.Start:g.Start+g.Len], d[g.Start:g.Start+g.Len], origin[g.Start:g.Start+g.Len]
				for k := g.Start; k < g.Start+g.Len; k++ {
					covered[k] = true
				}
				switch {
				case g.Kind == sdk.GroupBias && tc.bias == BiasZero:
					if floats.Norm(dg, 2) != 0 {
						t.Errorf("bias %s: %v, want zero", g.Name, dg)
					}
					continue
				case g.Kind == sdk.GroupBias && tc.bias == BiasCopy:
					if !slices.Equal(dg, wg) {
						t.Errorf("bias %s: %v, want the origin's %v", g.Name, dg, wg)
					}
					continue
				}
				// A filter (or a rescaled bias): d·‖w‖/(‖d‖ + 1e-10), the
				// origin's norm up to 1e-10 relative, the same orientation.
				want := floats.Norm(wg, 2)
				if n := floats.Norm(dg, 2); math.Abs(n-want) > 1e-9*want {
					t.Errorf("group %s: norm %v, want the origin's %v", g.Name, n, want)
				}
				if want == 0 {
					continue
				}
				cos := floats.Dot(dg, og) / (floats.Norm(dg, 2) * floats.Norm(og, 2))
				if math.Abs(cos-1) > 1e-12 {
					t.Errorf("group %s: cos with the original = %v, want 1", g.Name, cos)
				}
			}
			for k := range got {
				if !covered[k] && got[k] != d[k] {
					t.Errorf("ungrouped parameter %d changed: %v -> %v", k, d[k], got[k])
				}
			}
		})
	}
	// The 1e-10: a zero direction filter stays zero (no error), and one of
	// norm 1e-10 gets half the origin's norm, as loss-landscape's does.
	o := []float64{3, 4}
	if got, err := FilterNormalize([]float64{0, 0}, o, nil, BiasZero); err != nil || got[0] != 0 || got[1] != 0 {
		t.Errorf("a zero direction: %v, %v", got, err)
	}
	if got, err := FilterNormalize([]float64{1e-10, 0}, o, nil, BiasZero); err != nil || math.Abs(got[0]-2.5) > 1e-12 {
		t.Errorf("a direction of norm 1e-10: %v, %v; want 5·1e-10/(2e-10) = 2.5", got, err)
	}
}

func TestFilterNormalizeErrors(t *testing.T) {
	o := []float64{1, 2, 3, 4}
	for _, tc := range []struct {
		name   string
		d, o   []float64
		groups []sdk.Group
		bias   BiasRule
		want   string
	}{
		{"lengths", []float64{1, 2, 3}, o, nil, BiasZero, "direction has 3 values, origin 4"},
		{"empty", nil, nil, nil, BiasZero, "empty direction"},
		{"rule", []float64{1, 1, 1, 1}, o, nil, BiasRule(3), "bias rule 3"},
		{"outside", []float64{1, 1, 1, 1}, o, []sdk.Group{{Name: "a", Start: 2, Len: 3}}, BiasZero, `group "a" [2,+3) is outside 4 parameters`},
		{"negative", []float64{1, 1, 1, 1}, o, []sdk.Group{{Name: "a", Start: -1, Len: 2}}, BiasZero, "outside"},
		{"empty group", []float64{1, 1, 1, 1}, o, []sdk.Group{{Name: "a", Start: 0, Len: 0}}, BiasZero, "outside"},
		{"overlap", []float64{1, 1, 1, 1}, o, []sdk.Group{{Name: "a", Start: 0, Len: 3}, {Name: "b", Start: 2, Len: 2}}, BiasZero, `groups "a" and "b" overlap at parameter 2`},
		{"nan", []float64{1, math.NaN(), 1, 1}, o, nil, BiasZero, "direction[1] = NaN is not finite"},
		{"inf origin", []float64{1, 1, 1, 1}, []float64{1, 1, math.Inf(1), 1}, nil, BiasZero, "origin[2] = +Inf is not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FilterNormalize(tc.d, tc.o, tc.groups, tc.bias)
			checkErr(t, err, tc.want)
		})
	}
}

// checkErr wants an ErrDirections error that says want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("no error, want %q", want)
	case !errors.Is(err, ErrDirections):
		t.Errorf("error %q does not wrap ErrDirections", err)
	case !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not say %q", err, want)
	case !strings.HasPrefix(err.Error(), "compute: "):
		t.Errorf("error %q lacks the package prefix", err)
	}
}

func TestCheckDirections(t *testing.T) {
	for _, tc := range []struct {
		name string
		u, v []float64
		want string // "" for no error
	}{
		{"orthogonal", []float64{1, 0, 0}, []float64{0, 1, 0}, ""},
		{"oblique", []float64{1, 0}, []float64{1, 1e-3}, ""},
		{"huge", []float64{1e300, 1e300}, []float64{1e300, -1e300}, ""},
		{"parallel", []float64{1, 2, 3}, []float64{2, 4, 6}, "plane directions are parallel (|cos| = 1)"},
		{"antiparallel", []float64{1, 2, 3}, []float64{-1, -2, -3}, "parallel"},
		{"nearly parallel", []float64{1, 0}, []float64{1, 1e-6}, "parallel"},
		{"zero u", []float64{0, 0}, []float64{0, 1}, "direction u is zero"},
		{"zero v", []float64{1, 0}, []float64{0, 0}, "direction v is zero"},
		{"nan v", []float64{1, 0}, []float64{math.NaN(), 1}, "direction v[0] = NaN is not finite"},
		{"inf u", []float64{math.Inf(-1), 0}, []float64{0, 1}, "direction u[0] = -Inf is not finite"},
		{"empty", nil, nil, "direction u is empty"},
		{"lengths", []float64{1, 0}, []float64{0, 1, 0}, "lengths 2 and 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPlaneDirections(tc.u, tc.v)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkErr(t, err, tc.want)
		})
	}
	if err := CheckLineDirection([]float64{0, 3}); err != nil {
		t.Error(err)
	}
	checkErr(t, CheckLineDirection([]float64{0, 0}), "direction d is zero")
	checkErr(t, CheckLineDirection(nil), "empty")
	checkErr(t, CheckLineDirection([]float64{math.NaN()}), "not finite")
}

// trajectory builds points last + 3·a_i·e1 + b_i·e2 (+ noise·N(0,1)) in
// dim dimensions, with e1, e2 orthonormal (a random rotation of the first
// two axes).
func trajectory(dim int, a, b []float64, noise float64, seed uint64) (pts [][]float64, last, e1, e2 []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	last = make([]float64, dim)
	for k := range last {
		last[k] = r.NormFloat64()
	}
	// Orthonormal e1, e2 by Gram–Schmidt of two random vectors.
	e1, e2 = RandomDirection(dim, seed+100), RandomDirection(dim, seed+200)
	floats.Scale(1/floats.Norm(e1, 2), e1)
	floats.AddScaled(e2, -floats.Dot(e1, e2), e1)
	floats.Scale(1/floats.Norm(e2, 2), e2)
	for i := range a {
		p := slices.Clone(last)
		floats.AddScaled(p, 3*a[i], e1)
		floats.AddScaled(p, b[i], e2)
		if i < len(a)-1 {
			for k := range p {
				p[k] += noise * r.NormFloat64()
			}
		}
		pts = append(pts, p)
	}
	return pts, last, e1, e2
}

// explainedRef is the explained variance ratios from the eigenvalues of
// the covariance matrix of the points (an independent computation).
func explainedRef(t *testing.T, pts [][]float64) []float64 {
	n, d := len(pts), len(pts[0])
	mean := make([]float64, d)
	for _, p := range pts {
		floats.Add(mean, p)
	}
	floats.Scale(1/float64(n), mean)
	c := mat.NewSymDense(d, nil)
	for _, p := range pts {
		x := slices.Clone(p)
		floats.Sub(x, mean)
		c.SymRankOne(c, 1/float64(n-1), mat.NewVecDense(d, x))
	}
	var eig mat.EigenSym
	if !eig.Factorize(c, false) {
		t.Fatal("EigenSym failed")
	}
	ev := eig.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(ev)))
	total := floats.Sum(ev)
	return []float64{ev[0] / total, ev[1] / total}
}

func TestPCA(t *testing.T) {
	// Coefficients with zero mean, so that centring does not move them and
	// the coordinates (relative to the last point, where a = b = 0) are
	// exactly 3·a_i and b_i. Uncorrelated: Σa_i·b_i = 0, so e1 and e2 are
	// the principal axes, with variances 9·Σa² and Σb².
	a := []float64{-2, -1, 1, 2, 0}
	b := []float64{1, -1, -1, 1, 0}
	for _, tc := range []struct {
		name  string
		dim   int
		noise float64
	}{
		{"exact 2d", 2, 0},
		{"exact 5d", 5, 0},
		{"exact 300d", 300, 0},
		{"noisy 50d", 50, 1e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pts, last, e1, e2 := trajectory(tc.dim, a, b, tc.noise, 3)
			r, err := PCA(pts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Origin, last) {
				t.Error("origin is not the last point")
			}
			// Orthonormal.
			if e := math.Abs(floats.Norm(r.U, 2) - 1); e > 1e-12 {
				t.Errorf("|U| - 1 = %g", e)
			}
			if e := math.Abs(floats.Norm(r.V, 2) - 1); e > 1e-12 {
				t.Errorf("|V| - 1 = %g", e)
			}
			if e := math.Abs(floats.Dot(r.U, r.V)); e > 1e-12 {
				t.Errorf("U·V = %g", e)
			}
			// Sign convention: the largest-magnitude component is positive.
			for _, d := range [][]float64{r.U, r.V} {
				if k := floats.MaxIdx(absAll(d)); d[k] < 0 {
					t.Errorf("largest component %d is %v < 0", k, d[k])
				}
			}
			// Explained variance against the covariance eigenvalues.
			ref := explainedRef(t, pts)
			for k := range 2 {
				if math.Abs(r.Explained[k]-ref[k]) > 1e-9 {
					t.Errorf("Explained[%d] = %v, covariance eigenvalues give %v", k, r.Explained[k], ref[k])
				}
			}
			if s := r.Explained[0] + r.Explained[1]; s > 1+1e-12 || r.Explained[1] > r.Explained[0] || r.Explained[1] <= 0 {
				t.Errorf("Explained = %v (sum %v)", r.Explained, s)
			}
			tol := 1e-9
			if tc.noise == 0 {
				// Closed form: variances 9·Σa² = 90 and Σb² = 4.
				if math.Abs(r.Explained[0]-90.0/94) > 1e-12 || math.Abs(r.Explained[1]-4.0/94) > 1e-12 {
					t.Errorf("Explained = %v, want [90/94 4/94]", r.Explained)
				}
			} else {
				tol = 20 * tc.noise
			}
			// U = ±e1, V = ±e2, and the coordinates are (3a_i, b_i) up to
			// those signs.
			su, sv := math.Copysign(1, floats.Dot(r.U, e1)), math.Copysign(1, floats.Dot(r.V, e2))
			if c := math.Abs(floats.Dot(r.U, e1)); math.Abs(c-1) > tol {
				t.Errorf("|U·e1| = %v, want 1", c)
			}
			if c := math.Abs(floats.Dot(r.V, e2)); math.Abs(c-1) > tol {
				t.Errorf("|V·e2| = %v, want 1", c)
			}
			if len(r.Coords) != len(pts) {
				t.Fatalf("%d coordinates for %d points", len(r.Coords), len(pts))
			}
			for i, c := range r.Coords {
				if math.Abs(su*c[0]-3*a[i]) > 10*tol || math.Abs(sv*c[1]-b[i]) > 10*tol {
					t.Errorf("point %d at %v, want ±(%v, %v)", i, c, 3*a[i], b[i])
				}
			}
			if r.Coords[len(pts)-1] != [2]float64{} {
				t.Errorf("last point at %v, want (0, 0)", r.Coords[len(pts)-1])
			}
			// Project onto the PCA plane agrees with Coords.
			pc, err := Project(pts, r.Origin, r.U, r.V)
			if err != nil {
				t.Fatal(err)
			}
			for i := range pc {
				if math.Abs(pc[i][0]-r.Coords[i][0]) > 1e-12 || math.Abs(pc[i][1]-r.Coords[i][1]) > 1e-12 {
					t.Errorf("Project gives %v, Coords %v", pc[i], r.Coords[i])
				}
			}
			// The bounds hold every point.
			x, y := r.Bounds(0.1)
			for _, c := range r.Coords {
				if c[0] < x.Lo || c[0] > x.Hi || c[1] < y.Lo || c[1] > y.Hi {
					t.Errorf("%v outside bounds %v × %v", c, x, y)
				}
			}
			if err := r.Plane(x, y, 3, 4).Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func absAll(d []float64) []float64 {
	out := make([]float64, len(d))
	for i, x := range d {
		out[i] = math.Abs(x)
	}
	return out
}

// TestPCACentred checks the centring on a trajectory whose mean is far
// from the last point: uncentred PCA would take the offset for the first
// direction.
func TestPCACentred(t *testing.T) {
	// The points go round an ellipse (semi-axes 1 along x, 2 along y)
	// centred 10 away from the last point along x. Uncentred, the offset
	// along x would dominate the first component; centred, the explained
	// variances are those of the covariance matrix.
	var pts [][]float64
	for k := range 8 {
		th := 2 * math.Pi * float64(k) / 8
		pts = append(pts, []float64{10 + math.Cos(th), 2 * math.Sin(th), 0})
	}
	pts = append(pts, []float64{0, 0, 0})
	r, err := PCA(pts)
	if err != nil {
		t.Fatal(err)
	}
	ref := explainedRef(t, pts)
	for k := range 2 {
		if math.Abs(r.Explained[k]-ref[k]) > 1e-12 {
			t.Errorf("Explained[%d] = %v, covariance eigenvalues give %v", k, r.Explained[k], ref[k])
		}
	}
}

func TestPCAErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		pts  [][]float64
		want string
	}{
		{"two points", [][]float64{{0, 0}, {1, 1}}, "at least 3 trajectory points, got 2"},
		{"none", nil, "got 0"},
		{"one dimension", [][]float64{{0}, {1}, {2}}, "at least 2 parameters"},
		{"ragged", [][]float64{{0, 0}, {1, 1, 1}, {2, 2}}, "point 1 has 3 values, point 0 has 2"},
		{"line", [][]float64{{0, 0, 0}, {1, 2, 3}, {2, 4, 6}, {5, 10, 15}}, "lie on a line"},
		{"line off the origin", [][]float64{{1, 1, 1}, {2, 1, 1}, {3, 1, 1}}, "lie on a line"},
		{"point", [][]float64{{1, 2}, {1, 2}, {1, 2}}, "all the same point"},
		{"nan", [][]float64{{0, 0}, {1, math.NaN()}, {2, 1}}, "point 1[1] = NaN is not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PCA(tc.pts)
			checkErr(t, err, tc.want)
		})
	}
}

func TestProject(t *testing.T) {
	origin := []float64{1, -2, 3, 0.5}
	u := []float64{1, 1, 0, 0}
	v := []float64{2, 0, 1, 0} // neither orthogonal to u nor of unit length
	coef := [][2]float64{{0, 0}, {1, 0}, {0, 1}, {-2.5, 3.25}, {1e3, -7}}
	var pts [][]float64
	for _, c := range coef {
		p := slices.Clone(origin)
		floats.AddScaled(p, c[0], u)
		floats.AddScaled(p, c[1], v)
		pts = append(pts, p)
	}
	// A point off the plane by w ⟂ u, v projects to the same coordinates.
	off := slices.Clone(pts[3])
	off[3] += 5 // e4 is orthogonal to u and v
	pts = append(pts, off)
	coef = append(coef, coef[3])
	got, err := Project(pts, origin, u, v)
	if err != nil {
		t.Fatal(err)
	}
	for i := range coef {
		if math.Abs(got[i][0]-coef[i][0]) > 1e-10 || math.Abs(got[i][1]-coef[i][1]) > 1e-10 {
			t.Errorf("point %d at %v, want %v", i, got[i], coef[i])
		}
	}
	for _, tc := range []struct {
		name     string
		pts      [][]float64
		o, u, v  []float64
		wantText string
	}{
		{"parallel", pts, origin, u, []float64{-2, -2, 0, 0}, "parallel"},
		{"zero", pts, origin, u, make([]float64, 4), "direction v is zero"},
		{"origin", pts, origin[:3], u, v, "origin has 3 values, directions 4"},
		{"point", [][]float64{{1, 2}}, origin, u, v, "point 0 has 2 values, the plane 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Project(tc.pts, tc.o, tc.u, tc.v)
			checkErr(t, err, tc.wantText)
		})
	}
}

func TestInterpolation(t *testing.T) {
	// Values for which a + 1·(b − a) is not b in floating point.
	a := []float64{0.1, 1e20, -3, 0.7}
	b := []float64{0.3, 1, 1e-300, 0.7 + 1e-16}
	if a[2]+(b[2]-a[2]) == b[2] {
		t.Fatal("a + (b − a) == b: the test values do not need Line.End")
	}
	for _, tc := range []struct {
		lo, hi float64
		n      int
		ia, ib int // sample indices of α = 0 and α = 1
	}{
		{0, 1, 2, 0, 1},
		{0, 1, 11, 0, 10},
		{-0.5, 1.5, 5, 1, 3},
		{-1, 2, 4, 1, 2},
	} {
		l, err := Interpolation(a, b, tc.lo, tc.hi, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if l.At(tc.ia) != 0 || l.At(tc.ib) != 1 {
			t.Fatalf("[%v, %v]/%d: α at %d, %d is %v, %v", tc.lo, tc.hi, tc.n, tc.ia, tc.ib, l.At(tc.ia), l.At(tc.ib))
		}
		if l.At(0) != tc.lo || l.At(tc.n-1) != tc.hi {
			t.Errorf("ends %v, %v, want %v, %v", l.At(0), l.At(tc.n-1), tc.lo, tc.hi)
		}
		p := make([]float64, len(a))
		l.Point(p, tc.ia)
		if !slices.Equal(p, a) {
			t.Errorf("α = 0 gives %v, want a = %v", p, a)
		}
		l.Point(p, tc.ib)
		if !slices.Equal(p, b) {
			t.Errorf("α = 1 gives %v, want b = %v", p, b)
		}
		// Every sample lies on the line: θ − a ∥ b − a, at α·|b − a|.
		for i := range tc.n {
			l.Point(p, i)
			for k := range p {
				want := a[k] + l.At(i)*(b[k]-a[k])
				if math.Abs(p[k]-want) > 1e-15*math.Max(math.Abs(a[k]), math.Abs(b[k]))*4 {
					t.Errorf("sample %d, parameter %d: %v, want %v", i, k, p[k], want)
				}
			}
		}
	}
	// The line does not alias its inputs.
	l, _ := Interpolation(a, b, 0, 1, 3)
	l.Origin[0], l.End[0] = 99, 99
	if a[0] == 99 || b[0] == 99 {
		t.Error("the Line aliases a or b")
	}
}

func TestInterpolationErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a, b   []float64
		lo, hi float64
		n      int
		want   string
	}{
		{"lengths", []float64{1, 2, 3}, []float64{1, 2, 3, 4}, 0, 1, 10, "compute: bad directions: cannot interpolate between vectors of lengths 3 and 4"},
		{"equal", []float64{1, 2}, []float64{1, 2}, 0, 1, 10, "between a vector and itself"},
		{"empty", nil, nil, 0, 1, 10, "empty vectors"},
		{"one point", []float64{1}, []float64{2}, 0, 1, 1, "line of 1 points needs at least 2"},
		{"range", []float64{1}, []float64{2}, 1, 0, 10, "range [1, 0] is empty"},
		{"inf range", []float64{1}, []float64{2}, 0, math.Inf(1), 10, "not finite"},
		{"nan", []float64{1}, []float64{math.NaN()}, 0, 1, 10, "b[0] = NaN is not finite"},
		{"overflow", []float64{-1e308}, []float64{1e308}, 0, 1, 10, "direction d[0] = +Inf is not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Interpolation(tc.a, tc.b, tc.lo, tc.hi, tc.n)
			checkErr(t, err, tc.want)
		})
	}
}

func TestLine(t *testing.T) {
	l := Line{Origin: []float64{1, 2}, Dir: []float64{0, 2}, Lo: -1, Hi: 1, N: 5}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if l.Dim() != 2 {
		t.Errorf("Dim = %d", l.Dim())
	}
	wantT := []float64{-1, -0.5, 0, 0.5, 1}
	p := make([]float64, 2)
	for i, w := range wantT {
		if l.At(i) != w {
			t.Errorf("At(%d) = %v, want %v", i, l.At(i), w)
		}
		l.Point(p, i)
		if want := []float64{1, 2 + 2*w}; !slices.Equal(p, want) {
			t.Errorf("Point(%d) = %v, want %v", i, p, want)
		}
	}
	for _, tc := range []struct {
		name string
		l    Line
		want string
	}{
		{"zero dir", Line{Origin: []float64{1}, Dir: []float64{0}, Lo: 0, Hi: 1, N: 3}, "direction d is zero"},
		{"lengths", Line{Origin: []float64{1}, Dir: []float64{0, 1}, Lo: 0, Hi: 1, N: 3}, "line vectors have lengths 1, 2, 0"},
		{"end", Line{Origin: []float64{1}, Dir: []float64{1}, End: []float64{1, 2}, Lo: 0, Hi: 1, N: 3}, "line vectors have lengths 1, 1, 2"},
		{"empty", Line{Lo: 0, Hi: 1, N: 3}, "lengths 0"},
		{"n", Line{Origin: []float64{1}, Dir: []float64{1}, Lo: 0, Hi: 1}, "line of 0 points"},
		{"range", Line{Origin: []float64{1}, Dir: []float64{1}, Lo: 1, Hi: 1, N: 3}, "range [1, 1] is empty"},
		{"nan origin", Line{Origin: []float64{math.NaN()}, Dir: []float64{1}, Lo: 0, Hi: 1, N: 3}, "origin[0] = NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.l.Validate(), tc.want)
		})
	}
}
