// Package grid is the geometry the host and plugins share: intervals,
// planes through parameter space, and the float32 grids of a loss
// evaluated on them. It holds no transport and no plugin contract, so the
// engine (package compute), the host's client and the SDK's server all use
// the same definition of a grid point and of a stored value.
package grid
