// Package funcs holds the analytic test functions that the testfuncs plugin
// serves: classic optimization benchmarks with their standard domains,
// analytic gradients and known minima.
//
// Every surface is an immutable value: Loss and Grad are safe for concurrent
// use and allocate nothing, and Configure returns a new surface. For a
// configured surface, Info reports the configured values as the
// hyperparameters' defaults, so configuring it again changes only what is
// given.
//
// Minima are taken from the literature and refined with Newton's method on
// the analytic gradient to full float64 precision (see the tests).
package funcs
