package hessian

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// DefaultQueries is the number of Hessian-vector products of a trace
// estimate by default (TraceSettings.Queries): divisible by 3 for Hutch++.
const DefaultQueries = 99

// TraceSettings tune Hutchinson and HutchPP. The zero value is valid.
type TraceSettings struct {
	// Queries is the number of Hessian-vector products m; 0 means
	// DefaultQueries. Hutchinson needs at least 2, Hutch++ at least 6 and
	// uses 3·⌊m/3⌋.
	Queries int
	// Probe is the distribution of Hutchinson's probes (Rademacher by
	// default). Hutch++ always draws Rademacher signs, as the paper does.
	Probe Probe
	// Seed seeds the probes (PCG). Hutchinson with a seed and a probe kind
	// draws the same probes as SLQ with them.
	Seed uint64
}

// Estimate is a stochastic estimate with its standard error.
type Estimate struct {
	Value float64
	// StdErr is the standard error of Value (see the method's doc for how
	// it is computed); 0 for an exact value.
	StdErr float64
	// Samples is the number of random samples behind StdErr.
	Samples int
	// Products counts the Hessian-vector products.
	Products int
	// Method is the estimator, HVP how the products were computed, Seed
	// the probes' seed.
	Method, HVP string
	Seed        uint64
}

func (s TraceSettings) resolve(least int) (TraceSettings, error) {
	if s.Queries == 0 {
		s.Queries = DefaultQueries
	}
	if s.Queries < least {
		return s, errInvalid("%d queries: at least %d are needed", s.Queries, least)
	}
	if !s.Probe.valid() {
		return s, errInvalid("probe kind %d", int(s.Probe))
	}
	return s, nil
}

// Hutchinson estimates the trace of op by Hutchinson's estimator: the mean
// of vᵀHv over Queries independent probes v (Rademacher or Gaussian,
// seeded), all in batches. Its standard error is the sample standard
// deviation of the vᵀHv (n−1 in the denominator) over √Queries.
func Hutchinson(ctx context.Context, op Operator, s TraceSettings) (*Estimate, error) {
	p, err := newProducts(op, true)
	if err != nil {
		return nil, err
	}
	if s, err = s.resolve(2); err != nil {
		return nil, err
	}
	n := p.n
	r := newRand(s.Seed, streamProbes)
	samples := make([]float64, 0, s.Queries)
	chunk := max(1, min(s.Queries, maxBatchFloats/n))
	vs, hv := make([]float64, chunk*n), make([]float64, chunk*n)
	for done := 0; done < s.Queries; {
		k := min(chunk, s.Queries-done)
		for j := range k {
			draw(r, s.Probe, vs[j*n:(j+1)*n])
		}
		if err := p.apply(ctx, hv[:k*n], vs[:k*n]); err != nil {
			return nil, err
		}
		for j := range k {
			samples = append(samples, floats.Dot(vs[j*n:(j+1)*n], hv[j*n:(j+1)*n]))
		}
		done += k
	}
	est := &Estimate{Samples: len(samples), Products: p.count, HVP: Describe(op), Seed: s.Seed,
		Method: fmt.Sprintf("hutchinson (%s probes)", s.Probe)}
	est.Value, est.StdErr = meanErr(samples)
	return est, nil
}

// HutchPP estimates the trace of op by Hutch++ (Meyer, Musco, Musco and
// Woodruff, "Hutch++: Optimal Stochastic Trace Estimation", SOSA 2021,
// Algorithm 1) with m = 3·⌊Queries/3⌋ products, k = m/3:
//
//  1. S, G ∈ R^{n×k} with independent ±1 entries (seeded);
//  2. Q: an orthonormal basis of the span of H·S (Householder QR, LAPACK
//     dgeqrf/dorgqr);
//  3. estimate = tr(QᵀHQ) + (3/m)·tr(Gᵀ(I−QQᵀ)H(I−QQᵀ)G).
//
// The second term is the mean of the k Hutchinson samples
// g_jᵀ(I−QQᵀ)H(I−QQᵀ)g_j; given S (and so Q) the first term is exact, so
// the standard error is the samples' sample standard deviation (n−1 in the
// denominator) over √k: the estimator's spread over G for this S.
//
// When k ≥ n, H·S spans the space and the trace is exact: it is then
// computed from the n unit vectors (n products, StdErr 0).
func HutchPP(ctx context.Context, op Operator, s TraceSettings) (*Estimate, error) {
	p, err := newProducts(op, true)
	if err != nil {
		return nil, err
	}
	if s, err = s.resolve(6); err != nil {
		return nil, err
	}
	n, k := p.n, s.Queries/3
	if k >= n {
		h, err := p.assemble(ctx, n)
		if err != nil {
			return nil, err
		}
		var tr float64
		for i := range n {
			tr += h.At(i, i)
		}
		return &Estimate{Value: tr, Products: p.count, HVP: Describe(op), Seed: s.Seed,
			Method: "exact trace from the unit vectors (hutch++ would span the space)"}, nil
	}
	r := newRand(s.Seed, streamHutchPP)
	sm, gm := make([]float64, k*n), make([]float64, k*n)
	for j := range k {
		draw(r, Rademacher, sm[j*n:(j+1)*n])
	}
	for j := range k {
		draw(r, Rademacher, gm[j*n:(j+1)*n])
	}
	est, err := hutchPP(ctx, p, sm, gm)
	if err != nil {
		return nil, err
	}
	est.HVP, est.Seed = Describe(op), s.Seed
	return est, nil
}

// hutchPP is Hutch++ with the sketch S and the probes G given, k vectors
// each, row after row.
func hutchPP(ctx context.Context, p *products, sm, gm []float64) (*Estimate, error) {
	n := p.n
	k := len(sm) / n
	as := make([]float64, k*n)
	if err := p.apply(ctx, as, sm); err != nil {
		return nil, err
	}
	q := orthonormal(as, n, k)
	aq := make([]float64, k*n)
	if err := p.apply(ctx, aq, q); err != nil {
		return nil, err
	}
	var t1 float64
	for j := range k {
		t1 += floats.Dot(q[j*n:(j+1)*n], aq[j*n:(j+1)*n])
	}
	// (I − QQᵀ)g_j for every probe: the projection against Q's rows.
	qb := &basis{n: n, rows: q}
	pg := append([]float64(nil), gm...)
	coef := make([]float64, k)
	for j := range k {
		qb.project(pg[j*n:(j+1)*n], coef)
	}
	apg := make([]float64, k*n)
	if err := p.apply(ctx, apg, pg); err != nil {
		return nil, err
	}
	samples := make([]float64, k)
	for j := range k {
		samples[j] = floats.Dot(pg[j*n:(j+1)*n], apg[j*n:(j+1)*n])
	}
	mean, se := meanErr(samples)
	return &Estimate{Value: t1 + mean, StdErr: se, Samples: k, Products: p.count,
		Method: "hutch++ (meyer et al. 2021, algorithm 1)"}, nil
}

// orthonormal returns an orthonormal basis of the span of the k vectors
// in vs (each of n, row after row; k ≤ n) as k rows: the thin Q of the
// Householder QR of the n×k matrix whose columns they are.
func orthonormal(vs []float64, n, k int) []float64 {
	a := blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k)}
	for j := range k {
		for i := range n {
			a.Data[i*k+j] = vs[j*n+i]
		}
	}
	tau := make([]float64, k)
	work := []float64{0}
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, max(int(work[0]), n))
	lapack64.Geqrf(a, tau, work, len(work))
	work = []float64{0}
	lapack64.Orgqr(a, tau, work, -1)
	work = make([]float64, max(int(work[0]), k))
	lapack64.Orgqr(a, tau, work, len(work))
	q := make([]float64, k*n)
	for j := range k {
		for i := range n {
			q[j*n+i] = a.Data[i*k+j]
		}
	}
	return q
}
