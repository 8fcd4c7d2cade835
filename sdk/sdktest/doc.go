// Package sdktest is the conformance harness for plugins: call CheckSurface
// or CheckOptimizer from an ordinary Go test and every check runs as a
// subtest. (Package glsltest checks GLSL snippets on a GPU.)
//
// A surface's author writes
//
//	package mysurface_test
//
//	import (
//		"testing"
//
//		"example.com/myplugin/mysurface"
//		"github.com/landscape-go/landscape/sdk"
//		"github.com/landscape-go/landscape/sdk/sdktest"
//	)
//
//	func TestConformance(t *testing.T) {
//		sdktest.CheckSurface(t, mysurface.New())
//		// A configured variant is a surface too; give it its own subtest.
//		t.Run("dim=5", func(t *testing.T) {
//			s, err := sdk.Configure(mysurface.New(), sdk.Params{"dim": 5})
//			if err != nil {
//				t.Fatal(err)
//			}
//			sdktest.CheckSurface(t, s, sdktest.WithSeed(2))
//		})
//	}
//
// and runs go test. CheckSurface's checks, each a subtest named as below:
//
//   - info: Info validates; the name, the one-line summary, the domain and the
//     hyperparameter docs are well formed; Info is deterministic; a surface
//     with hyperparameters configures with its defaults into a valid surface
//     that agrees with the unconfigured one.
//   - minima: every known minimum lies in the domain, its Loss equals its
//     Value, the analytic gradient vanishes there (for a minimum on the
//     domain's boundary: points outward), small steps away do not go down,
//     global minima come first and share one value, and no random point of
//     the domain lies below the global minimum.
//   - gradient: the analytic gradient agrees with central finite differences
//     (h = 1e-6·max(1, |θ_k|), retried with smaller steps close to a kink) at
//     random points of the domain, writes every component and leaves theta
//     alone.
//   - hessian (surfaces with sdk.SurfaceWithHessian, SurfaceWithHVP or
//     SurfaceWithBatchHVP): at random points of the domain the Hessian is
//     symmetric and agrees with central differences of the gradient
//     (second differences of the loss when there is none; see
//     WithHessianTolerance), HVP agrees with the Hessian times a vector
//     (or with differences of the gradient along it) and uᵀ·H·v = vᵀ·H·u,
//     BatchHVP over every sample is the full product and over a random
//     batch agrees with differences of BatchGrad; each writes every entry
//     and leaves theta and the vector alone; at every known minimum inside
//     the domain where the gradient vanishes (not at a cusp) the Hessian,
//     where it exists, is positive semi-definite
//     (H + 1e-6·(1 + max|H_ij|)·I has a Cholesky factor; with products
//     only, for up to 256 parameters).
//   - hyperparameters: values outside the bounds, NaN, ±Inf, unknown names
//     and fractions for integer hyperparameters are refused with an error
//     wrapping sdk.ErrBadParams; both bounds are accepted; odd values of
//     unbounded hyperparameters give an error or a valid surface, never a
//     panic; configuring does not modify the receiver.
//   - concurrency: Loss and Grad (and Hessian, HVP and BatchHVP) called from
//     several goroutines at once give bit-identical results (this catches
//     shared scratch buffers).
//
// Random points are drawn from a seeded generator (WithSeed), so a failure
// repeats. Failures name the surface, the point and the values involved.
//
// An optimizer's author writes
//
//	func TestConformance(t *testing.T) {
//		sdktest.CheckOptimizer(t, myopt.New(),
//			sdktest.WithParams(sdk.Params{"noise": 0.1}), // another path through the code
//			sdktest.WithRefused(sdk.Params{"beta": 1}))   // a constraint bounds cannot say
//	}
//
// and CheckOptimizer drives runs of it on problems of its own, in this
// process and through the SDK's batching over the wire (see CheckOptimizer
// for the checks).
package sdktest
