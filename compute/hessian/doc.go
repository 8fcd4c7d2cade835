// Package hessian is landscape's curvature engine: the analysis of a loss
// surface's Hessian at a point, exact where the dimension allows and
// matrix-free where it does not.
//
// Everything takes an Operator: a Hessian seen through its products with
// batches of vectors (one call, many vectors), so that the same code
// serves a plugin's exact Hessian-vector products, differences of its
// gradient, an in-process surface in tests, and the GPU. Adapters build
// Operators from a dense symmetric matrix (Matrix), from a batched
// gradient by central differences (Differences), and restrict one to a
// diagonal block, a parameter group (Restrict). LossHessian assembles a
// Hessian from losses alone, for surfaces without a gradient.
//
// # Dense
//
// Analyze (a matrix) and AnalyzeOperator (an Operator, from its products
// with the unit vectors) symmetrise the Hessian, report its asymmetry,
// decompose it with gonum's EigenSym up to DefaultMaxDense dimensions, and
// return a Spectrum: every eigenvalue and eigenvector, the classification
// (minimum, maximum, saddle with its index, degenerate) with a tolerance
// relative to the largest |λ| that is reported, the condition number, the
// trace and the fractions of positive, negative and zero curvature. A
// Hessian with non-finite entries (a surface not twice differentiable at
// the point) gives Class Undefined and NaN numbers, never a value.
//
// # Matrix-free
//
//   - Lanczos: the top and bottom eigenpairs by (block) Lanczos with full
//     reorthogonalisation, seeded, stopped by the residuals ‖Hv − λv‖, which
//     every pair reports; when its product limit comes first it says so
//     (ErrNotConverged) with the residuals.
//   - Hutchinson and HutchPP: the trace by Hutchinson's estimator and by
//     Hutch++ (Meyer, Musco, Musco and Woodruff 2021), with standard errors.
//   - SLQ: the eigenvalue density by stochastic Lanczos quadrature
//     (Ghorbani, Krishnan and Xiao 2019), as PyHessian computes it.
//   - Blocks: the top eigenvalue and the trace of the diagonal block of
//     each parameter group (sdk.Group), e.g. per layer.
//
// # Results
//
// Every result carries its Method (the algorithm), HVP (how the products
// were computed: Describe(op)), its Seed where it is random, its Products
// count, and its error: residuals for eigenpairs, standard errors for
// estimates, the asymmetry and the tolerance for a dense analysis. The
// random vectors come from math/rand/v2's PCG seeded with the Seed, so a
// seed gives the same numbers on every run; Hutchinson and SLQ with the
// same seed and probe kind draw the same probes.
//
// Settings' zero values are valid. Errors are returned, never panicked:
// ErrInvalid for bad input, ErrTooLarge for a dense analysis above its
// limit, ErrNonFinite for a product with NaN or infinite entries in a
// matrix-free method, ErrNotConverged (with the result) when Lanczos
// stops short, and errors of the Operator and of ctx, wrapped.
package hessian
