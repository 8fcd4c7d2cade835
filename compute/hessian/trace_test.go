package hessian

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// reference is testdata/reference.json, written by testdata/reference.py
// (NumPy) from matrices and random vectors of its own.
type reference struct {
	Trace struct {
		N              int
		A              []float64
		Trace          float64
		Probes         []float64
		Hutchinson     float64
		HutchinsonSE   float64 `json:"hutchinson_se"`
		S, G           []float64
		HutchPP        float64   `json:"hutchpp"`
		HutchPPSE      float64   `json:"hutchpp_se"`
		HutchPPT1      float64   `json:"hutchpp_t1"`
		HutchPPSamples []float64 `json:"hutchpp_samples"`
	}
	SLQ struct {
		N              int
		A              []float64
		Starts         []float64
		Steps          int
		Alpha, Beta    [][]float64
		Nodes, Weights [][]float64
		Sigma          float64
		MinBins        int `json:"min_bins"`
		Grid, Density  []float64
	}
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	mustNoErr(t, err)
	var r reference
	mustNoErr(t, json.Unmarshal(b, &r))
	return &r
}

func symFrom(n int, a []float64) *mat.SymDense { return mat.NewSymDense(n, a) }

func TestHutchPPMatchesNumPy(t *testing.T) {
	ref := loadReference(t).Trace
	p, err := newProducts(Matrix(symFrom(ref.N, ref.A)), true)
	mustNoErr(t, err)
	est, err := hutchPP(context.Background(), p, ref.S, ref.G)
	mustNoErr(t, err)
	if !relClose(est.Value, ref.HutchPP, 1e-12, 0) || !relClose(est.StdErr, ref.HutchPPSE, 1e-10, 0) {
		t.Errorf("hutch++ %.15g ± %.15g, numpy %.15g ± %.15g", est.Value, est.StdErr, ref.HutchPP, ref.HutchPPSE)
	}
	k := len(ref.S) / ref.N
	if est.Samples != k || est.Products != 3*k {
		t.Errorf("%d samples, %d products; want %d and %d", est.Samples, est.Products, k, 3*k)
	}
}

func TestHutchinsonMatchesNumPy(t *testing.T) {
	ref := loadReference(t).Trace
	// The probes given, through the same mean and standard error.
	a := symFrom(ref.N, ref.A)
	k := len(ref.Probes) / ref.N
	hv := make([]float64, len(ref.Probes))
	mustNoErr(t, Matrix(a).Apply(context.Background(), hv, ref.Probes))
	s := make([]float64, k)
	for j := range k {
		s[j] = floats.Dot(ref.Probes[j*ref.N:(j+1)*ref.N], hv[j*ref.N:(j+1)*ref.N])
	}
	m, se := meanErr(s)
	if !relClose(m, ref.Hutchinson, 1e-12, 0) || !relClose(se, ref.HutchinsonSE, 1e-10, 0) {
		t.Errorf("hutchinson %.15g ± %.15g, numpy %.15g ± %.15g", m, se, ref.Hutchinson, ref.HutchinsonSE)
	}
	if !relClose(trace(a), ref.Trace, 1e-12, 0) {
		t.Errorf("trace %v, numpy %v", trace(a), ref.Trace)
	}
}

// TestTraceCoverage is the acceptance "Hutch++ traces fall within their
// reported error", tested as a confidence statement: over 400 seeds the
// interval estimate ± 2·StdErr covers the true trace. For a mean of k
// samples (k = 33 here) the interval's nominal coverage is about 95%
// (Student's t with 32 degrees of freedom: 94.6%); with 400 seeds the
// observed fraction has a standard deviation of about 1.1%, so it must lie
// in [0.90, 0.99]: a standard error too small (overconfident) or too large
// (uninformative) fails. The mean of the 400 estimates must also be within
// 4 standard errors of the truth (no bias).
func TestTraceCoverage(t *testing.T) {
	ctx := context.Background()
	const seeds = 400
	n := 80
	decaying := make([]float64, n)
	for i := range decaying {
		decaying[i] = 50 / float64((i+1)*(i+1))
	}
	indefinite := spread(n, []float64{40, 25}, []float64{-30}, -3, 6)
	for _, c := range []struct {
		name string
		vals []float64
	}{{"decaying spd", decaying}, {"indefinite", indefinite}} {
		a, _ := withSpectrum(c.vals, 41)
		truth := floats.Sum(c.vals)
		for _, m := range []struct {
			name string
			f    func(context.Context, Operator, TraceSettings) (*Estimate, error)
		}{{"hutch++", HutchPP}, {"hutchinson", Hutchinson}} {
			t.Run(c.name+"/"+m.name, func(t *testing.T) {
				covered := 0
				vals, errs := make([]float64, seeds), make([]float64, seeds)
				for seed := range seeds {
					est, err := m.f(ctx, Matrix(a), TraceSettings{Seed: uint64(seed)})
					mustNoErr(t, err)
					vals[seed], errs[seed] = est.Value, math.Abs(est.Value-truth)
					if errs[seed] <= 2*est.StdErr {
						covered++
					}
				}
				frac := float64(covered) / seeds
				mean, se := meanErr(vals)
				t.Logf("coverage of ±2·SE %.3f; mean %.4f ± %.4f (truth %.4f); mean |error| %.4f", frac, mean, se, truth, floats.Sum(errs)/seeds)
				if frac < 0.90 || frac > 0.99 {
					t.Errorf("±2·SE covered the trace in %.1f%% of %d seeds, want 90–99%%", 100*frac, seeds)
				}
				if math.Abs(mean-truth) > 4*se {
					t.Errorf("mean estimate %.5f, truth %.5f: %.1f standard errors apart", mean, truth, math.Abs(mean-truth)/se)
				}
			})
		}
	}
}

// Hutch++'s point: on a matrix with a decaying spectrum it is far more
// accurate than Hutchinson for the same number of products.
func TestHutchPPBeatsHutchinson(t *testing.T) {
	ctx := context.Background()
	n := 200
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = 100 / float64((i+1)*(i+1))
	}
	a, _ := withSpectrum(vals, 5)
	truth := floats.Sum(vals)
	var eH, eP float64
	for seed := range 50 {
		h, err := Hutchinson(ctx, Matrix(a), TraceSettings{Seed: uint64(seed)})
		mustNoErr(t, err)
		p, err := HutchPP(ctx, Matrix(a), TraceSettings{Seed: uint64(seed)})
		mustNoErr(t, err)
		eH += math.Abs(h.Value - truth)
		eP += math.Abs(p.Value - truth)
	}
	t.Logf("mean |error|: hutchinson %.4g, hutch++ %.4g", eH/50, eP/50)
	if eP*10 > eH {
		t.Errorf("hutch++ mean error %.4g is not a tenth of hutchinson's %.4g", eP/50, eH/50)
	}
}

func TestTraceSettings(t *testing.T) {
	ctx := context.Background()
	vals := []float64{3, -1, 2, 5, 0.5, 1, 4, -2}
	a, _ := withSpectrum(vals, 2)
	truth := floats.Sum(vals)
	// Hutch++ with k ≥ n is exact, from the unit vectors.
	op := &counting{Operator: Matrix(a)}
	est, err := HutchPP(ctx, op, TraceSettings{Queries: 24})
	mustNoErr(t, err)
	if !relClose(est.Value, truth, 1e-13, 1) || est.StdErr != 0 || est.Products != 8 || op.vectors != 8 {
		t.Errorf("exact hutch++: %v ± %v in %d products", est.Value, est.StdErr, est.Products)
	}
	// Default queries: 99 products for either; Hutch++ in three calls.
	op = &counting{Operator: Matrix(mat.NewDiagDense(100, nil))}
	est, err = HutchPP(ctx, op, TraceSettings{})
	mustNoErr(t, err)
	if est.Products != 99 || op.calls != 3 || est.Samples != 33 || est.Value != 0 {
		t.Errorf("hutch++: %d products in %d calls, %d samples, value %v", est.Products, op.calls, est.Samples, est.Value)
	}
	op = &counting{Operator: Matrix(mat.NewDiagDense(100, nil))}
	est, err = Hutchinson(ctx, op, TraceSettings{Probe: Gaussian, Seed: 3})
	mustNoErr(t, err)
	if est.Products != 99 || op.calls != 1 || est.Seed != 3 || est.Method != "hutchinson (gaussian probes)" {
		t.Errorf("hutchinson: %d products in %d calls, seed %d, %q", est.Products, op.calls, est.Seed, est.Method)
	}
	// Queries not divisible by 3: 3·⌊m/3⌋ products.
	est, err = HutchPP(ctx, Matrix(mat.NewDiagDense(100, nil)), TraceSettings{Queries: 10})
	mustNoErr(t, err)
	if est.Products != 9 {
		t.Errorf("10 queries: %d products, want 9", est.Products)
	}
	// The same seed, the same estimate; another, another.
	e1, _ := HutchPP(ctx, Matrix(a), TraceSettings{Queries: 6, Seed: 1})
	e2, _ := HutchPP(ctx, Matrix(a), TraceSettings{Queries: 6, Seed: 1})
	e3, _ := HutchPP(ctx, Matrix(a), TraceSettings{Queries: 6, Seed: 2})
	if e1.Value != e2.Value || e1.Value == e3.Value {
		t.Errorf("seeds: %v %v %v", e1.Value, e2.Value, e3.Value)
	}
	for _, s := range []TraceSettings{{Queries: 5}, {Queries: -3}, {Probe: 7}} {
		if _, err := HutchPP(ctx, Matrix(a), s); !errors.Is(err, ErrInvalid) {
			t.Errorf("hutch++ %+v: %v", s, err)
		}
	}
	if _, err := Hutchinson(ctx, Matrix(a), TraceSettings{Queries: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("hutchinson with one probe: %v", err)
	}
	inf := opFunc{n: 3, f: func(dst, vs []float64) error {
		for i := range dst {
			dst[i] = math.Inf(1)
		}
		return nil
	}}
	for _, f := range []func(context.Context, Operator, TraceSettings) (*Estimate, error){Hutchinson, HutchPP} {
		if _, err := f(ctx, inf, TraceSettings{Queries: 6}); !errors.Is(err, ErrNonFinite) {
			t.Errorf("infinite products: %v", err)
		}
	}
}
