package hessian

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Defaults of DensitySettings.
const (
	// DefaultProbes is the number of SLQ runs (PyHessian's n_v is 1; more
	// give a standard error).
	DefaultProbes = 10
	// DefaultSteps is the Lanczos steps per run (PyHessian's iter).
	DefaultSteps = 100
	// DefaultBins is the least number of grid points (PyHessian's
	// num_bins).
	DefaultBins = 10000
	// DefaultSigma2 is the kernel's variance per unit of the spectrum's
	// range (PyHessian's sigma_squared).
	DefaultSigma2 = 1e-5
	// kernelReach is how many kernel widths the grid extends beyond the
	// extreme nodes and where each kernel is cut off (its mass beyond is
	// below 1e-15).
	kernelReach = 8
	// maxBins bounds the grid (80 MB of float64s).
	maxBins = 10_000_000
)

// DensitySettings tune SLQ. The zero value is valid.
type DensitySettings struct {
	// Probes is the number of independent runs; 0 means DefaultProbes.
	Probes int
	// Steps is the Lanczos steps of each run (the quadrature's nodes); 0
	// means DefaultSteps; at most the dimension n (capped).
	Steps int
	// Probe is the distribution of the start vectors (Rademacher by
	// default, as PyHessian).
	Probe Probe
	// Seed seeds the starts (PCG): with the same seed and probe kind they
	// are Hutchinson's probes.
	Seed uint64
	// Sigma is the standard deviation of the Gaussian kernel; 0 means
	// PyHessian's rule √(DefaultSigma2·max(1, λmax − λmin)) over the
	// nodes' range.
	Sigma float64
	// Bins is the least number of grid points; 0 means DefaultBins. More
	// are used when needed for a spacing of at most Sigma/4 (at most
	// 10⁷).
	Bins int
}

// Density is an eigenvalue density estimated by stochastic Lanczos
// quadrature.
type Density struct {
	// Lambda is the grid, evenly spaced; Value the density on it,
	// normalised so that Σ Value·Δλ = 1.
	Lambda, Value []float64
	// Sigma is the kernel's standard deviation; Mass is Σ ρ·Δλ of the
	// density before normalisation (1 up to the grid's discretisation: a
	// check that the grid holds every kernel).
	Sigma, Mass float64
	// Nodes and Weights are each run's Gauss quadrature: the eigenvalues
	// θ of its tridiagonal matrix T and the squares of the first
	// components of their unit eigenvectors (they sum to 1).
	Nodes, Weights [][]float64
	// Mean is the quadrature's first moment averaged over the runs,
	// (1/runs)·Σ_runs Σ_i w_i·θ_i: an estimate of trace/n. For each run
	// Σ w_i θ_i = T₁₁ = q₁ᵀHq₁ exactly, with q₁ the normalised start, so
	// n·Mean is Hutchinson's estimate from the same (Rademacher) probes.
	Mean float64
	// Trace is n·Mean with its standard error over the runs (the sample
	// standard deviation of the runs' n·q₁ᵀHq₁ over √runs).
	Trace Estimate
	// Steps and Probes are those used; Products counts the products.
	Steps, Probes, Products int
	// Method is the algorithm, HVP how the products were computed, Seed
	// the starts' seed.
	Method, HVP string
	Seed        uint64
}

func (s DensitySettings) resolve(n int) (DensitySettings, error) {
	if s.Probes == 0 {
		s.Probes = DefaultProbes
	}
	if s.Steps == 0 {
		s.Steps = DefaultSteps
	}
	if s.Bins == 0 {
		s.Bins = DefaultBins
	}
	if s.Probes < 1 || s.Steps < 1 || s.Bins < 2 || s.Bins > maxBins {
		return s, errInvalid("probes %d, steps %d, bins %d: probes and steps at least 1, bins 2..%d", s.Probes, s.Steps, s.Bins, maxBins)
	}
	if !s.Probe.valid() {
		return s, errInvalid("probe kind %d", int(s.Probe))
	}
	if s.Sigma < 0 || math.IsNaN(s.Sigma) || math.IsInf(s.Sigma, 0) {
		return s, errInvalid("kernel width %v: it must be positive and finite", s.Sigma)
	}
	s.Steps = min(s.Steps, n)
	return s, nil
}

// SLQ estimates the eigenvalue density of op by stochastic Lanczos
// quadrature (Ghorbani, Krishnan and Xiao, "An Investigation into Neural
// Net Optimization via Hessian Eigenvalue Density", ICML 2019), as
// PyHessian's density() and density_generate() compute it:
//
//   - Probes runs, each from a seeded start v (Rademacher or Gaussian)
//     normalised to q₁ = v/‖v‖, of Steps Lanczos steps with full
//     reorthogonalisation (every new vector orthogonalised against the
//     run's basis, twice; the runs advance together, one Apply call per
//     step); a run whose next vector vanishes (an invariant subspace)
//     goes on from a random vector orthogonal to its basis with β = 0, as
//     PyHessian does;
//   - each run's nodes are the eigenvalues θ_i of its tridiagonal T, its
//     weights the squares of the first components of their eigenvectors;
//   - the density is ρ(λ) = (1/runs)·Σ_runs Σ_i w_i·N(λ; θ_i, σ²), with
//     σ² = DefaultSigma2·max(1, λmax − λmin) unless Sigma is given, on an
//     evenly spaced grid, normalised by its Riemann sum.
//
// Unlike PyHessian, whose grid spans the runs' mean extreme nodes ± 0.01,
// the grid spans every node ± 8σ, so that the normalisation removes only
// discretisation error (Mass) and the density's first moment equals the
// quadrature's (Mean); and PyHessian's β is the norm before
// reorthogonalisation, this one's after.
func SLQ(ctx context.Context, op Operator, s DensitySettings) (*Density, error) {
	p, err := newProducts(op, true)
	if err != nil {
		return nil, err
	}
	n := p.n
	if s, err = s.resolve(n); err != nil {
		return nil, err
	}
	r := newRand(s.Seed, streamProbes)
	starts := make([]float64, s.Probes*n)
	for j := range s.Probes {
		draw(r, s.Probe, starts[j*n:(j+1)*n])
	}
	runs, err := lanczosRuns(ctx, p, starts, s.Steps, newRand(s.Seed, streamLanczos))
	if err != nil {
		return nil, err
	}
	d := &Density{Steps: s.Steps, Probes: s.Probes, Seed: s.Seed, HVP: Describe(op),
		Method: fmt.Sprintf("stochastic lanczos quadrature (%d %s runs of %d steps, full reorthogonalisation)", s.Probes, s.Probe, s.Steps)}
	traces := make([]float64, s.Probes)
	for j, run := range runs {
		nodes, weights, err := gauss(run.alpha, run.beta)
		if err != nil {
			return nil, err
		}
		d.Nodes = append(d.Nodes, nodes)
		d.Weights = append(d.Weights, weights)
		var m1 float64
		for i := range nodes {
			m1 += weights[i] * nodes[i]
		}
		traces[j] = float64(n) * m1
	}
	d.Products = p.count
	mean, se := meanErr(traces)
	d.Mean = mean / float64(n)
	d.Trace = Estimate{Value: mean, StdErr: se, Samples: s.Probes, Products: p.count, HVP: d.HVP, Seed: s.Seed,
		Method: "stochastic lanczos quadrature, first moment × n"}
	if err := d.smooth(s.Sigma, s.Bins); err != nil {
		return nil, err
	}
	return d, nil
}

// run is one Lanczos run's recurrence coefficients: T has alpha on its
// diagonal and beta beside it.
type run struct {
	alpha, beta []float64
}

// lanczosRuns runs Lanczos with full reorthogonalisation from each start
// (row after row) for steps steps, all runs in one Apply call per step.
func lanczosRuns(ctx context.Context, p *products, starts []float64, steps int, r *rand.Rand) ([]run, error) {
	n := p.n
	k := len(starts) / n
	bases := make([]*basis, k)
	runs := make([]run, k)
	cur := make([]float64, k*n) // each run's current vector q_i
	for j := range k {
		v := starts[j*n : (j+1)*n]
		nrm := floats.Norm(v, 2)
		if nrm == 0 {
			return nil, errInvalid("a zero start vector")
		}
		floats.ScaleTo(cur[j*n:(j+1)*n], 1/nrm, v)
		bases[j] = &basis{n: n, rows: append(make([]float64, 0, steps*n), cur[j*n:(j+1)*n]...)}
	}
	hq := make([]float64, k*n)
	coef := make([]float64, steps)
	for i := range steps {
		if err := p.apply(ctx, hq, cur); err != nil {
			return nil, err
		}
		for j := range k {
			w := hq[j*n : (j+1)*n]
			q := cur[j*n : (j+1)*n]
			a := floats.Dot(q, w)
			ref := floats.Norm(w, 2)
			runs[j].alpha = append(runs[j].alpha, a)
			if i == steps-1 {
				continue
			}
			// w = Hq_i − α_i q_i − β_{i−1} q_{i−1}, then against the whole
			// basis, twice.
			floats.AddScaled(w, -a, q)
			if i > 0 {
				floats.AddScaled(w, -runs[j].beta[i-1], bases[j].vec(i-1))
			}
			b, kept := bases[j].extend(w, deflTol*ref, r, coef)
			if !kept {
				b = 0
			}
			runs[j].beta = append(runs[j].beta, b)
			copy(q, bases[j].vec(i+1))
		}
	}
	return runs, nil
}

// gauss is the Gauss quadrature of the tridiagonal matrix with diagonal
// alpha and off-diagonal beta: its eigenvalues and the squares of the
// first components of their unit eigenvectors.
func gauss(alpha, beta []float64) (nodes, weights []float64, err error) {
	m := len(alpha)
	t := mat.NewSymDense(m, nil)
	for i, a := range alpha {
		t.SetSym(i, i, a)
		if i+1 < m {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, true) {
		return nil, nil, fmt.Errorf("%w: the eigendecomposition of a %d×%d tridiagonal matrix failed", ErrNotConverged, m, m)
	}
	nodes = eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	weights = make([]float64, m)
	for i := range weights {
		weights[i] = v.At(0, i) * v.At(0, i)
	}
	return nodes, weights, nil
}

// smooth sets the grid, the kernel width and the density from the nodes
// and weights.
func (d *Density) smooth(sigma float64, bins int) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ns := range d.Nodes {
		lo, hi = min(lo, floats.Min(ns)), max(hi, floats.Max(ns))
	}
	if sigma == 0 {
		sigma = math.Sqrt(DefaultSigma2 * max(1, hi-lo))
	}
	d.Sigma = sigma
	a, b := lo-kernelReach*sigma, hi+kernelReach*sigma
	if need := math.Ceil((b-a)/(sigma/4)) + 1; need > float64(bins) {
		if need > maxBins {
			return errInvalid("kernel width %.3g over a spectrum of range %.3g needs %.0f grid points, more than %d: choose a wider kernel", sigma, hi-lo, need, maxBins)
		}
		bins = int(need)
	}
	dx := (b - a) / float64(bins-1)
	d.Lambda = make([]float64, bins)
	for g := range bins {
		d.Lambda[g] = a + float64(g)*dx
	}
	d.Lambda[bins-1] = b
	d.Value = make([]float64, bins)
	c := 1 / (math.Sqrt(2*math.Pi) * sigma * float64(len(d.Nodes)))
	for j, ns := range d.Nodes {
		for i, th := range ns {
			w := d.Weights[j][i]
			if w == 0 {
				continue
			}
			g0 := max(0, int(math.Floor((th-kernelReach*sigma-a)/dx)))
			g1 := min(bins-1, int(math.Ceil((th+kernelReach*sigma-a)/dx)))
			for g := g0; g <= g1; g++ {
				z := (d.Lambda[g] - th) / sigma
				d.Value[g] += c * w * math.Exp(-z*z/2)
			}
		}
	}
	d.Mass = floats.Sum(d.Value) * dx
	floats.Scale(1/d.Mass, d.Value)
	return nil
}
