package hessian

import (
	"context"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The benchmarks' Hessian: 1000×1000 with a decaying spectrum (a few
// large eigenvalues, a bulk near zero, a few negative ones), the shape of
// a network's Hessian. Every algorithm here is bound by the number of
// products; products/op says how many it took, and BenchmarkApply what
// one costs on its own.
var (
	benchOnce sync.Once
	benchA    *mat.SymDense
)

const benchN = 1000

func benchMatrix(b *testing.B) Operator {
	b.Helper()
	benchOnce.Do(func() {
		vals := make([]float64, benchN)
		for i := range vals {
			vals[i] = 100 / float64((i+1)*(i+1))
		}
		vals[benchN-1], vals[benchN-2] = -3, -2
		benchA, _ = withSpectrum(vals, 1)
	})
	return Matrix(benchA)
}

func BenchmarkApply(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	for _, k := range []int{1, 32} {
		vs, dst := make([]float64, k*benchN), make([]float64, k*benchN)
		for i := range vs {
			vs[i] = float64(i%7) - 3
		}
		b.Run(map[int]string{1: "1vector", 32: "32vectors"}[k], func(b *testing.B) {
			for b.Loop() {
				if err := op.Apply(ctx, dst, vs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(k), "products/op")
		})
	}
}

func BenchmarkLanczosTop5(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	var products int
	for b.Loop() {
		res, err := Lanczos(ctx, op, LanczosSettings{Top: 5, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		products = res.Products
	}
	b.ReportMetric(float64(products), "products/op")
}

func BenchmarkLanczosTop5Bottom2(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	var products int
	for b.Loop() {
		res, err := Lanczos(ctx, op, LanczosSettings{Top: 5, Bottom: 2, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		products = res.Products
	}
	b.ReportMetric(float64(products), "products/op")
}

func BenchmarkHutchinson(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := Hutchinson(ctx, op, TraceSettings{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(DefaultQueries, "products/op")
}

func BenchmarkHutchPP(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := HutchPP(ctx, op, TraceSettings{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(DefaultQueries, "products/op")
}

func BenchmarkSLQ(b *testing.B) {
	op := benchMatrix(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := SLQ(ctx, op, DensitySettings{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(DefaultProbes*DefaultSteps, "products/op")
}

func BenchmarkAnalyzeOperator(b *testing.B) {
	a, _ := withSpectrum(spread(200, []float64{9, 8}, []float64{-4}, -1, 5), 1)
	op := Matrix(a)
	ctx := context.Background()
	for b.Loop() {
		if _, err := AnalyzeOperator(ctx, op, DenseSettings{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(200, "products/op")
}
