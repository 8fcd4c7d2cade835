package stats

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// reference is testdata/gaussian.json, written by testdata/gaussian.py with
// scipy.ndimage.gaussian_filter.
type reference struct {
	Scipy string
	Cases []struct {
		Name             string
		NX, NY           int
		Sigma            float64
		Values, Filtered []float64
		Roughness        float64
	}
}

// TestScipyReference checks GaussianFilter and Roughness against scipy's
// values on the same grids, to 1e-9 of each value's scale.
func TestScipyReference(t *testing.T) {
	b, err := os.ReadFile("testdata/gaussian.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 5 {
		t.Fatalf("%d reference cases", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		got, err := GaussianFilter(c.Values, c.NX, c.NY, c.Sigma)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		scale := 0.0
		for _, v := range c.Values {
			scale = math.Max(scale, math.Abs(v))
		}
		for k, w := range c.Filtered {
			if math.Abs(got[k]-w) > 1e-9*math.Max(1, scale) {
				t.Fatalf("%s: value %d = %.17g, scipy %.17g", c.Name, k, got[k], w)
			}
		}
		r, nan, err := Roughness(c.Values, c.NX, c.NY, c.Sigma)
		if err != nil || nan != 0 {
			t.Fatalf("%s: %v, %d NaN", c.Name, err, nan)
		}
		if math.Abs(r-c.Roughness) > 1e-9*math.Max(1, c.Roughness) {
			t.Errorf("%s: roughness %.17g, scipy %.17g", c.Name, r, c.Roughness)
		}
	}
}

// direct is an independent computation of the same filter: the grid padded
// by mirroring (built by walking back and forth, not by Reflect's modulo)
// and correlated with the 2-D kernel, the outer product of the weights
// computed here again.
func direct(v []float64, nx, ny int, sigma float64) []float64 {
	r := int(4*sigma + 0.5)
	w := make([]float64, 2*r+1)
	s := 0.0
	for i := -r; i <= r; i++ {
		w[i+r] = math.Exp(-float64(i*i) / (2 * sigma * sigma))
		s += w[i+r]
	}
	for i := range w {
		w[i] /= s
	}
	// mirror walks from index 0 by off steps, turning at each end (the
	// half-sample symmetric extension repeats each end value).
	mirror := func(i, n int) int {
		pos, dir := 0, 1
		steps := i
		if steps < 0 {
			dir, steps = -1, -steps
		}
		for ; steps > 0; steps-- {
			next := pos + dir
			if next < 0 || next >= n {
				dir = -dir // stay on the end value once
				continue
			}
			pos = next
		}
		return pos
	}
	out := make([]float64, nx*ny)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			acc := 0.0
			for b := -r; b <= r; b++ {
				for a := -r; a <= r; a++ {
					acc += w[a+r] * w[b+r] * v[mirror(j+b, ny)*nx+mirror(i+a, nx)]
				}
			}
			out[j*nx+i] = acc
		}
	}
	return out
}

func TestAgainstDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		nx, ny int
		sigma  float64
	}{{10, 7, 1}, {4, 3, 3}, {1, 6, 1.5}, {30, 2, 0.4}, {16, 16, 0.1}} {
		v := make([]float64, c.nx*c.ny)
		for k := range v {
			v[k] = rng.NormFloat64()*3 + float64(k%5)
		}
		got, err := GaussianFilter(v, c.nx, c.ny, c.sigma)
		if err != nil {
			t.Fatal(err)
		}
		want := direct(v, c.nx, c.ny, c.sigma)
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-12*(1+math.Abs(want[k])) {
				t.Fatalf("%+v: value %d = %v, direct %v", c, k, got[k], want[k])
			}
		}
	}
}

func TestReflect(t *testing.T) {
	// scipy's correlate1d of [1, 2, 3] with a unit weight at offset o
	// (checked with scipy 1.10): value at index i is a[Reflect(i+o, 3)].
	want := map[int][3]float64{-5: {2, 3, 3}, -4: {3, 3, 2}, -3: {3, 2, 1}, -2: {2, 1, 1}, -1: {1, 1, 2}, 0: {1, 2, 3}, 1: {2, 3, 3}, 2: {3, 3, 2}, 3: {3, 2, 1}, 4: {2, 1, 1}, 5: {1, 1, 2}}
	a := []float64{1, 2, 3}
	for o, w := range want {
		for i := 0; i < 3; i++ {
			if got := a[Reflect(i+o, 3)]; got != w[i] {
				t.Errorf("offset %d index %d: %v, scipy %v", o, i, got, w[i])
			}
		}
	}
	if Reflect(-7, 1) != 0 || Reflect(9, 1) != 0 {
		t.Error("a line of one value")
	}
}

func TestBadInput(t *testing.T) {
	v := make([]float64, 6)
	for _, s := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := GaussianFilter(v, 3, 2, s); !errors.Is(err, ErrInvalid) {
			t.Errorf("σ %v: %v", s, err)
		}
	}
	if _, err := GaussianFilter(v, 4, 2, 1); !errors.Is(err, ErrInvalid) {
		t.Error("a size mismatch was accepted")
	}
	if _, err := GaussianFilter(v, 3, 2, 1e300); !errors.Is(err, ErrInvalid) {
		t.Error("a kernel of 4e300 cells was accepted")
	}
	v[2] = math.NaN()
	if r, nan, err := Roughness(v, 3, 2, 1); err != nil || nan != 1 || !math.IsNaN(r) {
		t.Errorf("a NaN grid: %v, %d, %v", r, nan, err)
	}
	if _, err := ProfileOf([]float64{1, 2}); !errors.Is(err, ErrInvalid) {
		t.Error("a profile of 2 values was accepted")
	}
}

func TestProfile(t *testing.T) {
	// x² at 0..4: differences 1,3,5,7 (mean 4), all second differences 2.
	p, err := ProfileOf([]float64{0, 1, 4, 9, 16})
	if err != nil || p.Smoothness != 4 || p.Convexity != 1 || p.Points != 5 {
		t.Errorf("x²: %+v %v", p, err)
	}
	// −x²: concave.
	if p, _ := ProfileOf([]float64{0, -1, -4, -9}); p.Convexity != 0 || p.Smoothness != 3 {
		t.Errorf("−x²: %+v", p)
	}
	// cos at a fine spacing over one period: half the second differences
	// positive.
	v := make([]float64, 401)
	for i := range v {
		v[i] = math.Cos(2 * math.Pi * float64(i) / 400)
	}
	if p, _ := ProfileOf(v); math.Abs(p.Convexity-0.5) > 0.01 {
		t.Errorf("cos: convexity %v", p.Convexity)
	}
	// A NaN leaves out the differences touching it.
	p, _ = ProfileOf([]float64{0, 1, math.NaN(), 9, 16, 25})
	if p.NaN != 1 || p.Smoothness != (1+7+9)/3.0 || p.Convexity != 1 {
		t.Errorf("with a NaN: %+v", p)
	}
}
