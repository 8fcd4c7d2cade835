package hessian_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/compute/hessian"
)

// The Hessian of f(x, y) = x² − 3y² + xy at any point, from differences of
// its gradient, classified: a saddle of index 1.
func Example() {
	grad := func(_ context.Context, dst, pts []float64) error {
		for i := 0; i < len(pts); i += 2 {
			x, y := pts[i], pts[i+1]
			dst[i], dst[i+1] = 2*x+y, -6*y+x
		}
		return nil
	}
	op, err := hessian.Differences(grad, []float64{0.5, -1}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	sp, err := hessian.AnalyzeOperator(context.Background(), op, hessian.DenseSettings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v of index %d\n", sp.Class, sp.Index)
	fmt.Printf("eigenvalues %.4f %.4f (exact: −2 ∓ √17 = %.4f %.4f)\n", sp.Values[0], sp.Values[1], -2-math.Sqrt(17), -2+math.Sqrt(17))
	fmt.Printf("trace %.4f, condition number %.3f\n", sp.Trace, sp.Cond)
	fmt.Println(sp.HVP)
	// Output:
	// saddle of index 1
	// eigenvalues -6.1231 2.1231 (exact: −2 ∓ √17 = -6.1231 2.1231)
	// trace -4.0000, condition number 2.884
	// assembled from 2 products with the unit vectors: central differences of the gradient (step 6.06e-06)
}

// The extreme eigenvalues, the trace and the density of a 200×200
// diagonal Hessian, matrix-free.
func ExampleLanczos() {
	d := make([]float64, 200)
	for i := range d {
		d[i] = float64(i%20) - 5 // −5..14, ten times each
	}
	d[0], d[1] = 40, -30 // the trace is 10·90 + 45 − 26 = 919
	op := hessian.Matrix(mat.NewDiagDense(200, d))
	ctx := context.Background()

	eig, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: 2, Bottom: 1, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("top %.6f %.6f, bottom %.6f, converged %v\n", eig.Top[0].Value, eig.Top[1].Value, eig.Bottom[0].Value, eig.Converged)

	tr, err := hessian.HutchPP(ctx, op, hessian.TraceSettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("trace 919: %s within 3 standard errors: %v\n", tr.Method, math.Abs(tr.Value-919) < 3*tr.StdErr)

	dens, err := hessian.SLQ(ctx, op, hessian.DensitySettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("density over [%.1f, %.1f] from %d runs of %d steps\n", dens.Lambda[0], dens.Lambda[len(dens.Lambda)-1], dens.Probes, dens.Steps)
	// Output:
	// top 40.000000 14.000000, bottom -30.000000, converged true
	// trace 919: hutch++ (meyer et al. 2021, algorithm 1) within 3 standard errors: true
	// density over [-30.2, 40.2] from 10 runs of 100 steps
}
