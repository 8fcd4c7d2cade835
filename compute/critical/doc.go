// Package critical finds and classifies the critical points of a loss:
// every critical point of a surface restricted to a plane (seeded from a
// grid, refined by a safeguarded Newton's method on the gradient,
// deduplicated), classified as minimum, maximum, saddle or degenerate by
// the eigenvalues of the plane Hessian and, for N-dimensional surfaces, of
// the full Hessian; where a run of an optimizer stopped; which minima the
// saddles connect, and the disconnectivity graph of the energy-landscape
// literature; and clusters of end points (basins of attraction).
//
// It works over Func, a small interface (values, gradients and Hessians
// at batches of points), so the same code serves a plugin (the host
// implements Func over it), an in-process surface (Local) and tests.
package critical
