package hessian

import (
	"context"
	"errors"
	"math"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestSLQMatchesNumPy(t *testing.T) {
	ref := loadReference(t).SLQ
	n := ref.N
	p, err := newProducts(Matrix(symFrom(n, ref.A)), true)
	mustNoErr(t, err)
	runs, err := lanczosRuns(context.Background(), p, ref.Starts, ref.Steps, newRand(0, streamLanczos))
	mustNoErr(t, err)
	d := &Density{}
	for j, r := range runs {
		for i, a := range r.alpha {
			if !relClose(a, ref.Alpha[j][i], 1e-10, 1) {
				t.Errorf("run %d: α%d = %.15g, numpy %.15g", j, i, a, ref.Alpha[j][i])
			}
		}
		for i, b := range r.beta {
			if !relClose(b, ref.Beta[j][i], 1e-10, 1) {
				t.Errorf("run %d: β%d = %.15g, numpy %.15g", j, i, b, ref.Beta[j][i])
			}
		}
		nodes, weights, err := gauss(r.alpha, r.beta)
		mustNoErr(t, err)
		for i := range nodes {
			if !relClose(nodes[i], ref.Nodes[j][i], 1e-10, 1) || !relClose(weights[i], ref.Weights[j][i], 1e-8, 1e-6) {
				t.Errorf("run %d node %d: %.15g (w %.6g), numpy %.15g (w %.6g)", j, i, nodes[i], weights[i], ref.Nodes[j][i], ref.Weights[j][i])
			}
		}
	}
	// The smoothing, on NumPy's nodes and weights: PyHessian's
	// density_generate on the documented grid.
	d.Nodes, d.Weights = ref.Nodes, ref.Weights
	mustNoErr(t, d.smooth(ref.Sigma, ref.MinBins))
	if len(d.Lambda) != len(ref.Grid) {
		t.Fatalf("%d grid points, numpy %d", len(d.Lambda), len(ref.Grid))
	}
	peak := floats.Max(ref.Density)
	for g := range d.Lambda {
		if !relClose(d.Lambda[g], ref.Grid[g], 1e-13, 1) || math.Abs(d.Value[g]-ref.Density[g]) > 1e-12*peak {
			t.Fatalf("grid point %d: ρ(%.15g) = %.15g, numpy ρ(%.15g) = %.15g", g, d.Lambda[g], d.Value[g], ref.Grid[g], ref.Density[g])
		}
	}
}

// moments are Σ_g λ^p·ρ_g·Δλ for p = 0, 1.
func moments(d *Density) (m0, m1 float64) {
	dx := d.Lambda[1] - d.Lambda[0]
	for g, v := range d.Value {
		m0 += v * dx
		m1 += d.Lambda[g] * v * dx
	}
	return m0, m1
}

func TestSLQDensity(t *testing.T) {
	ctx := context.Background()
	vals := spread(120, []float64{25, 20}, []float64{-8}, -1, 6)
	a, _ := withSpectrum(vals, 13)
	truth := floats.Sum(vals) / 120
	for _, probe := range []Probe{Rademacher, Gaussian} {
		t.Run(probe.String(), func(t *testing.T) {
			op := &counting{Operator: Matrix(a)}
			d, err := SLQ(ctx, op, DensitySettings{Probes: 6, Steps: 40, Probe: probe, Seed: 7})
			mustNoErr(t, err)
			if d.Products != 240 || op.calls != 40 || len(d.Nodes) != 6 || len(d.Nodes[0]) != 40 {
				t.Errorf("%d products in %d calls, %d runs of %d nodes", d.Products, op.calls, len(d.Nodes), len(d.Nodes[0]))
			}
			for j, w := range d.Weights {
				if s := floats.Sum(w); math.Abs(s-1) > 1e-12 {
					t.Errorf("run %d: weights sum to %v", j, s)
				}
			}
			// Acceptance: the density integrates to 1 and its first moment
			// is the quadrature's, trace/n.
			m0, m1 := moments(d)
			if math.Abs(m0-1) > 1e-12 || math.Abs(d.Mass-1) > 1e-9 {
				t.Errorf("∫ρ = %.15g, mass before normalisation %.15g", m0, d.Mass)
			}
			if math.Abs(m1-d.Mean) > 1e-9*25 {
				t.Errorf("∫λρ = %.15g, quadrature mean %.15g", m1, d.Mean)
			}
			if !relClose(d.Trace.Value, d.Mean*120, 1e-14, 0) {
				t.Errorf("trace %v, n·mean %v", d.Trace.Value, d.Mean*120)
			}
			if math.Abs(d.Mean-truth) > 5*d.Trace.StdErr/120 {
				t.Errorf("mean %v, trace/n %v: beyond 5 standard errors (%v)", d.Mean, truth, d.Trace.StdErr/120)
			}
			// Default kernel: PyHessian's σ² = 1e-5·max(1, range).
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, ns := range d.Nodes {
				lo, hi = min(lo, floats.Min(ns)), max(hi, floats.Max(ns))
			}
			if !relClose(d.Sigma, math.Sqrt(1e-5*(hi-lo)), 1e-14, 0) {
				t.Errorf("σ = %v, want √(1e-5·%v)", d.Sigma, hi-lo)
			}
			if dx := d.Lambda[1] - d.Lambda[0]; dx > d.Sigma/4 || len(d.Lambda) < DefaultBins {
				t.Errorf("spacing %v for σ %v, %d points", dx, d.Sigma, len(d.Lambda))
			}
		})
	}
}

// The first moment of each run's quadrature is q₁ᵀHq₁ exactly, so with
// Rademacher probes SLQ's trace is Hutchinson's from the same probes, to
// rounding.
func TestSLQFirstMomentIsHutchinson(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum(spread(90, []float64{14}, []float64{-9}, -2, 3), 3)
	for seed := range uint64(5) {
		d, err := SLQ(ctx, Matrix(a), DensitySettings{Probes: 8, Steps: 15, Seed: seed})
		mustNoErr(t, err)
		h, err := Hutchinson(ctx, Matrix(a), TraceSettings{Queries: 8, Seed: seed})
		mustNoErr(t, err)
		if !relClose(d.Trace.Value, h.Value, 1e-12, 10) || !relClose(d.Trace.StdErr, h.StdErr, 1e-9, 1) {
			t.Errorf("seed %d: SLQ %.15g ± %.6g, hutchinson %.15g ± %.6g", seed, d.Trace.Value, d.Trace.StdErr, h.Value, h.StdErr)
		}
	}
}

// Gauss quadrature with m nodes is exact for polynomials of degree up to
// 2m−1: Σ w_i θ_i^p = q₁ᵀH^p q₁, computed here from matrix powers.
func TestSLQQuadratureExactness(t *testing.T) {
	ctx := context.Background()
	n, m := 50, 6
	vals := spread(n, []float64{3}, []float64{-2.5}, -1, 1.5)
	a, _ := withSpectrum(vals, 19)
	d, err := SLQ(ctx, Matrix(a), DensitySettings{Probes: 1, Steps: m, Seed: 4})
	mustNoErr(t, err)
	start := make([]float64, n)
	draw(newRand(4, streamProbes), Rademacher, start)
	floats.Scale(1/floats.Norm(start, 2), start)
	hp := append([]float64(nil), start...) // H^p·q₁
	for p := 0; p <= 2*m-1; p++ {
		want := floats.Dot(start, hp)
		var got float64
		for i, th := range d.Nodes[0] {
			got += d.Weights[0][i] * math.Pow(th, float64(p))
		}
		if !relClose(got, want, 1e-9, 1) {
			t.Errorf("p = %d: quadrature %.15g, q₁ᵀH^pq₁ %.15g", p, got, want)
		}
		next := make([]float64, n)
		mat.NewVecDense(n, next).MulVec(a, mat.NewVecDense(n, hp))
		hp = next
	}
}

// With as many steps as the dimension, the nodes are the eigenvalues and
// the weights the squared projections of the start on the eigenvectors.
func TestSLQFullSteps(t *testing.T) {
	ctx := context.Background()
	vals := []float64{-3, -1, 0.5, 2, 2.5, 4, 7, 9}
	a, q := withSpectrum(vals, 29)
	d, err := SLQ(ctx, Matrix(a), DensitySettings{Probes: 1, Steps: 100, Seed: 2})
	mustNoErr(t, err)
	if d.Steps != 8 {
		t.Errorf("steps %d, want the dimension 8", d.Steps)
	}
	start := make([]float64, 8)
	draw(newRand(2, streamProbes), Rademacher, start)
	floats.Scale(1/floats.Norm(start, 2), start)
	for i, th := range d.Nodes[0] {
		if math.Abs(th-vals[i]) > 1e-12*9 {
			t.Errorf("node %d: %v, want %v", i, th, vals[i])
		}
		c := floats.Dot(start, mat.Col(nil, i, q))
		if math.Abs(d.Weights[0][i]-c*c) > 1e-12 {
			t.Errorf("weight %d: %v, want %v", i, d.Weights[0][i], c*c)
		}
	}
}

// A spectrum with few distinct eigenvalues: the runs reach invariant
// subspaces and go on from random vectors (β = 0), whose nodes have weight
// zero; the density still integrates to 1 with its first moment the
// quadrature's.
func TestSLQInvariantSubspace(t *testing.T) {
	ctx := context.Background()
	vals := make([]float64, 24)
	for i := range vals {
		vals[i] = []float64{-1, 2, 5}[i%3]
	}
	a, _ := withSpectrum(vals, 37)
	d, err := SLQ(ctx, Matrix(a), DensitySettings{Probes: 4, Steps: 10, Sigma: 0.1, Seed: 1})
	mustNoErr(t, err)
	for j := range d.Nodes {
		var heavy []float64
		for i, w := range d.Weights[j] {
			if w > 1e-12 {
				heavy = append(heavy, d.Nodes[j][i])
			}
		}
		sort.Float64s(heavy)
		if len(heavy) != 3 || !relClose(heavy[0], -1, 1e-9, 1) || !relClose(heavy[1], 2, 1e-9, 1) || !relClose(heavy[2], 5, 1e-9, 1) {
			t.Errorf("run %d: nodes with weight %v, want -1, 2, 5", j, heavy)
		}
	}
	m0, m1 := moments(d)
	if math.Abs(m0-1) > 1e-12 || !relClose(m1, d.Mean, 1e-9, 1) {
		t.Errorf("∫ρ %v, ∫λρ %v; want 1 and the quadrature mean %v", m0, m1, d.Mean)
	}
}

// TestSLQTraceCoverage: the acceptance "first moment equals trace/n" in
// the statistical sense, as TestTraceCoverage tests Hutch++: n·Mean ±
// 2·StdErr over 30 runs covers the true trace in 90–98.5% of 300 seeds
// (nominal about 94.5% for Student's t with 29 degrees of freedom).
func TestSLQTraceCoverage(t *testing.T) {
	ctx := context.Background()
	vals := spread(60, []float64{20, 12}, []float64{-6}, -1, 4)
	a, _ := withSpectrum(vals, 43)
	truth := floats.Sum(vals)
	covered := 0
	const seeds = 300
	for seed := range seeds {
		d, err := SLQ(ctx, Matrix(a), DensitySettings{Probes: 30, Steps: 10, Seed: uint64(seed), Bins: 2})
		mustNoErr(t, err)
		if math.Abs(d.Trace.Value-truth) <= 2*d.Trace.StdErr {
			covered++
		}
	}
	frac := float64(covered) / seeds
	t.Logf("coverage %.3f", frac)
	if frac < 0.90 || frac > 0.985 {
		t.Errorf("±2·SE covered the trace in %.1f%% of %d seeds, want 90–98.5%%", 100*frac, seeds)
	}
}

func TestSLQErrors(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum([]float64{1, 2, 3}, 1)
	for _, s := range []DensitySettings{{Probes: -1}, {Steps: -2}, {Bins: 1}, {Sigma: -1}, {Sigma: math.NaN()}, {Probe: 3}} {
		if _, err := SLQ(ctx, Matrix(a), s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	// A kernel far too narrow for the spectrum's range needs more than
	// 10⁷ grid points.
	wide, _ := withSpectrum([]float64{-1e6, 0, 1e6}, 1)
	if _, err := SLQ(ctx, Matrix(wide), DensitySettings{Sigma: 1e-3}); !errors.Is(err, ErrInvalid) {
		t.Errorf("narrow kernel: %v", err)
	}
	nan := opFunc{n: 3, f: func(dst, vs []float64) error {
		copy(dst, vs)
		dst[0] = math.NaN()
		return nil
	}}
	if _, err := SLQ(ctx, nan, DensitySettings{}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN products: %v", err)
	}
}
