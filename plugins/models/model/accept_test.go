package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
	"gonum.org/v1/gonum/mat"
)

// ridge is the minimum of mean (w·x + b − y)² + ½·l2·‖θ‖², computed
// independently of the package: the least-squares solution of X·θ ≈ y
// stacked over √(n·l2/2)·I·θ ≈ 0, by QR.
func ridge(t *testing.T, m *Model, l2 float64) []float64 {
	t.Helper()
	n, p := m.ds.n(), m.ds.d+1
	rows := n
	if l2 > 0 {
		rows += p
	}
	a := mat.NewDense(rows, p, nil)
	y := mat.NewVecDense(rows, nil)
	for i := 0; i < n; i++ {
		x, yi := m.ds.sample(i)
		for j, v := range x {
			a.Set(i, j, float64(v))
		}
		a.Set(i, p-1, 1)
		y.SetVec(i, yi)
	}
	if l2 > 0 {
		s := math.Sqrt(float64(n) * l2 / 2)
		for j := 0; j < p; j++ {
			a.Set(n+j, j, s)
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var th mat.VecDense
	if err := qr.SolveVecTo(&th, false, y); err != nil {
		t.Fatal(err)
	}
	return th.RawVector().Data
}

// TestLinRegLeastSquares: mse linreg's minimum is the least-squares
// solution: its gradient vanishes there, the grid's argmin is within one
// spacing of it, and Info lists it.
func TestLinRegLeastSquares(t *testing.T) {
	for _, l2 := range []float64{0, 0.7} {
		s, err := sdk.Configure(LinReg(), sdk.Params{"noise": 0.3, "l2": l2, "n": 150, "seed": 4})
		if err != nil {
			t.Fatal(err)
		}
		m := s.(*Model)
		th := ridge(t, m, l2)

		g := make([]float64, 2)
		m.Grad(g, th)
		if n := math.Hypot(g[0], g[1]); n > 1e-10 {
			t.Errorf("l2=%v: gradient %v at the least-squares solution %v", l2, g, th)
		}
		mins := m.Info().Minima
		if len(mins) != 1 || math.Abs(mins[0].Location[0]-th[0]) > 1e-9 || math.Abs(mins[0].Location[1]-th[1]) > 1e-9 {
			t.Errorf("l2=%v: Info minima %v, want %v", l2, mins, th)
		}

		// A grid around it, off-centre so that it is no grid point.
		const nx, ny = 161, 121
		pl := grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: th[0] - 0.37, Hi: th[0] + 0.61},
			sdk.Interval{Lo: th[1] - 0.53, Hi: th[1] + 0.29}, nx, ny)
		vals := make([]float32, nx*ny)
		if err := grid.Fill(context.Background(), m.Loss, pl, 0, ny, vals, 0); err != nil {
			t.Fatal(err)
		}
		best := 0
		for k, v := range vals {
			if v < vals[best] {
				best = k
			}
		}
		w, b := pl.XAt(best%nx), pl.YAt(best/nx)
		dx, dy := (pl.X.Hi-pl.X.Lo)/(nx-1), (pl.Y.Hi-pl.Y.Lo)/(ny-1)
		if math.Abs(w-th[0]) > dx || math.Abs(b-th[1]) > dy {
			t.Errorf("l2=%v: grid argmin (%v, %v), least squares (%v, %v), spacing (%v, %v)", l2, w, b, th[0], th[1], dx, dy)
		}
	}
}

// gridMinima are the local minima of f over [−π/2, π/2) on a grid of n
// points that wraps around (φ and φ+π are the same line).
func gridMinima(f func(float64) float64, n int) []float64 {
	at := func(i int) float64 { return -math.Pi/2 + math.Pi*float64(i)/float64(n) }
	v := make([]float64, n)
	for i := range v {
		v[i] = f(at(i))
	}
	var out []float64
	for i := range v {
		prev, next := v[(i+n-1)%n], v[(i+1)%n]
		if v[i] < prev && v[i] <= next {
			out = append(out, at(i))
		}
	}
	return out
}

// angleDist is the distance between two line angles (modulo π).
func angleDist(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), math.Pi)
	return math.Min(d, math.Pi-d)
}

// TestRosette: on a noiseless rosette of k lines the sublinear loss has
// exactly k local minima, at the lines' angles; mse has exactly one, where
// Info says.
func TestRosette(t *testing.T) {
	for _, k := range []int{1, 2, 3, 5} {
		s, err := sdk.Configure(LineAngle(), sdk.Params{"k": float64(k), "n": 300})
		if err != nil {
			t.Fatal(err)
		}
		m := s.(*Model)
		loss := func(phi float64) float64 { return m.Loss([]float64{phi}) }
		mins := gridMinima(loss, 20000)
		if len(mins) != k {
			t.Errorf("k=%d: sublinear has %d local minima %v, want %d", k, len(mins), mins, k)
		}
		for _, phi := range mins {
			d := math.Inf(1)
			for j := 0; j < k; j++ {
				d = math.Min(d, angleDist(phi, rosetteAngle(j, k)))
			}
			if d > 0.01 {
				t.Errorf("k=%d: sublinear minimum at %v is %v from the nearest line", k, phi, d)
			}
		}
		if info := m.Info(); len(info.Minima) != k || info.Minima[0].Local {
			t.Errorf("k=%d: Info lists minima %+v", k, info.Minima)
		}

		s, err = sdk.ConfigureTexts(m, nil, sdk.Texts{"loss": "mse"})
		if err != nil {
			t.Fatal(err)
		}
		mse := s.(*Model)
		loss = func(phi float64) float64 { return mse.Loss([]float64{phi}) }
		mins = gridMinima(loss, 20000)
		if len(mins) != 1 {
			t.Errorf("k=%d: mse has %d local minima %v, want 1", k, len(mins), mins)
			continue
		}
		if info := mse.Info(); len(info.Minima) != 1 || angleDist(info.Minima[0].Location[0], mins[0]) > 2*math.Pi/20000 {
			t.Errorf("k=%d: mse minimum on the grid %v, Info %+v", k, mins[0], info.Minima)
		}
	}
}

// TestBatches: BatchLoss over every sample is Loss, BatchGrad is its
// gradient (against central differences of BatchLoss) and returns it.
func TestBatches(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			info := m.Info()
			rng := rand.New(rand.NewPCG(7, 8))
			n := m.Samples()
			all := make([]int, n)
			for i := range all {
				all[i] = i
			}
			th := make([]float64, info.Dim)
			g := make([]float64, info.Dim)
			gb := make([]float64, info.Dim)
			for trial := 0; trial < 5; trial++ {
				for i, d := range info.Domain {
					th[i] = d.Lo + (d.Hi-d.Lo)*rng.Float64()
				}
				if a, b := m.BatchLoss(th, all), m.Loss(th); a != b {
					t.Errorf("BatchLoss over all samples %v, Loss %v", a, b)
				}
				m.Grad(g, th)
				if v := m.BatchGrad(gb, th, all); v != m.Loss(th) {
					t.Errorf("BatchGrad returned %v, Loss %v", v, m.Loss(th))
				}
				for i := range g {
					if math.Abs(g[i]-gb[i]) > 1e-12*(1+math.Abs(g[i])) {
						t.Errorf("BatchGrad over all samples ∂%d = %v, Grad %v", i, gb[i], g[i])
					}
				}

				idx := make([]int, 1+rng.IntN(min(n, 16)))
				for i := range idx {
					idx[i] = rng.IntN(n)
				}
				v := m.BatchGrad(gb, th, idx)
				if bl := m.BatchLoss(th, idx); v != bl {
					t.Errorf("BatchGrad returned %v, BatchLoss %v", v, bl)
				}
				tp := append([]float64(nil), th...)
				for i := range th {
					h := 1e-6 * math.Max(1, math.Abs(th[i]))
					tp[i] = th[i] + h
					fp := m.BatchLoss(tp, idx)
					tp[i] = th[i] - h
					fm := m.BatchLoss(tp, idx)
					tp[i] = th[i]
					fd := (fp - fm) / (2 * h)
					if math.Abs(fd-gb[i]) > 1e-4*(1+math.Abs(fd)+math.Abs(gb[i])) {
						t.Errorf("batch %v at %v: ∂%d = %v, central difference %v", idx, th, i, gb[i], fd)
					}
				}
			}
			if v := m.BatchLoss(th, []int{n}); !math.IsNaN(v) {
				t.Errorf("BatchLoss with sample %d of %d = %v, want NaN", n, n, v)
			}
			if v := m.BatchLoss(th, nil); !math.IsNaN(v) {
				t.Errorf("BatchLoss of no samples = %v, want NaN", v)
			}
		})
	}
}
