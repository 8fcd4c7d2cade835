// Package sdk is what a landscape plugin imports: the contracts of a
// surface and of an optimizer, their descriptions, and Serve. A plugin's
// main is one Serve call:
//
//	func main() { sdk.Serve(sdk.WithSurfaces(MySurface{}), sdk.WithOptimizers(MyMethod{})) }
//
// A surface is a scalar function of a parameter vector θ (a model's loss,
// or an analytic test function). The minimal surface implements Surface;
// each optional capability is an interface of its own that the SDK
// discovers with a type assertion:
//
//   - SurfaceWithGradient: an analytic gradient (otherwise central
//     differences of Loss);
//   - SurfaceWithHessian, SurfaceWithHVP and SurfaceWithBatchHVP: exact
//     second derivatives, a dense Hessian or Hessian-vector products
//     (otherwise central differences of the gradient, or second
//     differences of Loss; the host is told which);
//   - SurfaceWithConfigure and SurfaceWithTexts: hyperparameters (the SDK
//     fills defaults and checks bounds before calling them);
//   - SurfaceWithGLSL: a GLSL snippet for evaluation on the GPU;
//   - SurfaceWithData, SurfaceWithBatches and SurfaceWithTestSet:
//     data-driven surfaces (a data buffer for the GPU, mini-batches, a
//     held-out test set).
//
// An optimizer is driven by reverse communication (Optimizer, Run): it asks
// for evaluations at points and the host answers from whichever surface it
// runs on, so optimizers and surfaces never meet; OptimizerWithGLSL steps
// many runs at once on the GPU.
//
// Hyperparameters are typed (Hyperparameter): numbers, flags, choices and
// texts, which users write by name. Test a plugin with package
// sdk/sdktest (CheckSurface, CheckOptimizer) and its GLSL with
// sdk/sdktest/glsltest; ServeTest serves it inside a test process. The
// host's side of the wire is package sdk/client, which authors never need.
package sdk
