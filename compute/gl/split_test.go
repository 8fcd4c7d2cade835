package gl

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
	"github.com/landscape-go/landscape/shaders"
)

// samples is a data-driven surface whose loss is a mean over its samples
// (x, y): (θ0·x + θ1 − y)² + sin(θ0·x), plus 0.1·θ1² outside the mean; its
// snippet can split the samples among invocations.
type samples struct{ data []float32 }

func newSamples(n int) samples {
	s := samples{data: make([]float32, 2*n)}
	for i := 0; i < n; i++ {
		x := math.Sin(float64(i)*0.37) * 2
		s.data[2*i] = float32(x)
		s.data[2*i+1] = float32(0.5*x - 0.2 + 0.1*math.Cos(float64(i)))
	}
	return s
}

func (s samples) Info() sdk.Info {
	return sdk.Info{Name: "samples", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: -2, Hi: 2}}}
}

func (s samples) Loss(p []float64) float64 {
	var sum float64
	n := len(s.data) / 2
	for i := 0; i < n; i++ {
		x, y := float64(s.data[2*i]), float64(s.data[2*i+1])
		r := p[0]*x + p[1] - y
		sum += r*r + math.Sin(p[0]*x)
	}
	return sum/float64(n) + 0.1*p[1]*p[1]
}

func (s samples) Data() []float32 { return s.data }
func (s samples) Samples() int    { return len(s.data) / 2 }
func (s samples) BatchLoss([]float64, []int) float64 {
	return math.NaN()
}
func (s samples) BatchGrad([]float64, []float64, []int) float64 { return math.NaN() }

func (s samples) GLSL() string {
	return fmt.Sprintf(`const int SAMPLES = %d;
float loss_terms(int first, int last, int step) {
	float s = 0.0;
	for (int i = first; i < last; i += step) {
		float x = DATA(2 * i), y = DATA(2 * i + 1);
		float r = P(0) * x + P(1) - y;
		s += r * r + sin(P(0) * x);
	}
	return s;
}
float loss_total(float sum) { return sum / float(SAMPLES) + 0.1 * P(1) * P(1); }
float loss() { return loss_total(loss_terms(0, SAMPLES, 1)); }
`, len(s.data)/2)
}

// TestSplitKernels evaluates a data-driven surface with its samples split
// among 1 to 256 lanes and 1 to 7 points a work group, on a plane whose
// rows are no multiple of the points (and in points mode), with fewer
// samples than lanes too, in several dispatches: every split agrees with
// the CPU's float64 values and with the unsplit kernel within float32
// rounding.
func TestSplitKernels(t *testing.T) {
	c := testContext(t)
	g := testGrid(23, 9)
	pts := []float64{0, 0, 1, -1, -1.5, 0.3, 0.7, 1.9, 2, 2}
	for _, n := range []int{5, 1000, 1537} {
		s := newSamples(n)
		if !shaders.Splits(s.GLSL()) {
			t.Fatal("the snippet does not split")
		}
		want, err := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantPts := make([]float32, len(pts)/2)
		for i := range wantPts {
			wantPts[i] = grid.ToFloat32(s.Loss(pts[2*i : 2*i+2]))
		}
		for _, sp := range []shaders.Split{{Lanes: 1, Pts: 1}, {Lanes: 1, Pts: 8, PtsFast: true}, {Lanes: 2, Pts: 3}, {Lanes: 8, Pts: 7},
			{Lanes: 4, Pts: 5, PtsFast: true}, {Lanes: 64, Pts: 4}, {Lanes: 256, Pts: 1}} {
			t.Run(fmt.Sprintf("%d samples, %d lanes, %d points, points fast %v", n, sp.Lanes, sp.Pts, sp.PtsFast), func(t *testing.T) {
				e := c.Evaluator()
				defer e.Close()
				e.split = &sp
				e.DispatchWork = 1 // several dispatches: 16·1/n points each
				got, err := e.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
				if err != nil {
					t.Fatal(err)
				}
				agree(t, "plane", got.Values, want.Values)
				gp, err := e.EvalPoints(context.Background(), compute.Local{S: s}.Kernel(), pts)
				if err != nil {
					t.Fatal(err)
				}
				agree(t, "points", gp, wantPts)
			})
		}
	}
}

// TestChooseSplit: a software renderer keeps one lane a point (more only
// for its loop limit) and makes several work groups per thread; a GPU
// gives a warp's lanes or more to a point until it is full, each lane
// keeping at least 8 samples.
func TestChooseSplit(t *testing.T) {
	sw := Info{Software: true, Parallel: 16, MaxWorkGroupInvocations: 1024}
	nv := Info{Parallel: 132 * 64 * 32, MaxWorkGroupInvocations: 1024}
	for _, tc := range []struct {
		info                Info
		points, samples, nx int
		want                shaders.Split
	}{
		{sw, 128 * 128, 10000, 128, shaders.Split{Lanes: 1, Pts: 64, PtsFast: true}},
		{sw, 32 * 32, 10000, 32, shaders.Split{Lanes: 1, Pts: 32, PtsFast: true}},
		{sw, 8 * 8, 10000, 8, shaders.Split{Lanes: 1, Pts: 8, PtsFast: true}},
		{sw, 64 * 64, 10000, 64, shaders.Split{Lanes: 1, Pts: 64, PtsFast: true}},
		{sw, 16 * 16, 10000, 16, shaders.Split{Lanes: 1, Pts: 16, PtsFast: true}},
		{sw, 1000, 100000, 1000, shaders.Split{Lanes: 4, Pts: 64, PtsFast: true}},
		{nv, 256 * 256, 10000, 256, shaders.Split{Lanes: 32, Pts: 8}},
		{nv, 32 * 32, 10000, 32, shaders.Split{Lanes: 256, Pts: 1}},
		{nv, 128 * 128, 10000, 128, shaders.Split{Lanes: 32, Pts: 8}},
		{nv, 64 * 64, 10000, 64, shaders.Split{Lanes: 128, Pts: 2}},
		{nv, 32 * 32, 100, 32, shaders.Split{Lanes: 8, Pts: 32}},
		{nv, 1, 3, 1, shaders.Split{Lanes: 1, Pts: 1}},
	} {
		if got := chooseSplit(tc.info, tc.points, tc.samples, tc.nx); got != tc.want {
			t.Errorf("software %v, %d points (%d across), %d samples: %+v, want %+v", tc.info.Software, tc.points, tc.nx, tc.samples, got, tc.want)
		}
	}
}

// TestEvaluateRowsCuts: a grid evaluated in row ranges cut anywhere (as
// the host's tiles and shards cut it) holds the whole grid's values bit
// for bit, for a plain surface and for a data-driven one whose kernel
// splits its samples (the split is chosen for the whole grid, not for a
// range of rows), with one dispatch a tile and with many.
func TestEvaluateRowsCuts(t *testing.T) {
	c := testContext(t)
	g := testGrid(37, 29)
	for _, src := range []compute.Local{{S: wave{s: 0.5}}, {S: newSamples(1537)}} {
		for _, work := range []int64{0, 1, 2} {
			e := c.Evaluator()
			e.DispatchWork = work
			if work == 2 {
				e.split = &shaders.Split{Lanes: 8, Pts: 7}
			}
			whole, err := e.Evaluate(context.Background(), src, g, compute.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, cuts := range [][]int{{0, 29}, {0, 1, 2, 29}, {0, 7, 8, 20, 29}, {0, 13, 28, 29}} {
				got := make([]float32, g.Len())
				for i := 0; i+1 < len(cuts); i++ {
					r0, r1 := cuts[i], cuts[i+1]
					if err := e.EvaluateRows(context.Background(), src, g, r0, r1, got[r0*g.Nx:r1*g.Nx], compute.Options{}); err != nil {
						t.Fatal(err)
					}
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(whole.Values[i]) {
						t.Fatalf("%s, work %d, cuts %v: value %d is %v in rows, %v whole", src.S.Info().Name, work, cuts, i, got[i], whole.Values[i])
					}
				}
			}
			if err := e.EvaluateRows(context.Background(), src, g, 5, 4, nil, compute.Options{}); err == nil {
				t.Errorf("rows [5, 4) evaluated")
			}
			e.Close()
		}
	}
}
