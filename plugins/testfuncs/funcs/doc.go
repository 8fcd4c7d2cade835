// Package funcs holds the analytic test functions that the testfuncs plugin
// serves: classic optimization benchmarks with their standard domains,
// analytic gradients, analytic Hessians (and, for the N-dimensional ones,
// Hessian-vector products in O(dim)), and known minima.
//
// Every surface is an immutable value: Loss, Grad, Hessian and HVP are safe
// for concurrent use and allocate nothing, and Configure returns a new
// surface. For a configured surface, Info reports the configured values as
// the hyperparameters' defaults, so configuring it again changes only what
// is given.
//
// Minima are taken from the literature and refined with Newton's method on
// the analytic gradient to full float64 precision (see the tests).
//
// Second derivatives that do not exist are NaN: ackley's at the origin (the
// tip of its cone; its gradient there is taken as 0), eggholder's where
// x/2 + y + 47 or x − y − 47 vanishes (cusps of sin√|u|). Eggholder's
// minimum lies on the domain's boundary x = 512: its gradient does not
// vanish there and its Hessian need not be positive semi-definite.
package funcs
