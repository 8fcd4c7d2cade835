// Package compute is landscape's engine: grids, planes and lines through
// parameter space (random, filter-normalized and PCA directions), the
// Fields grids produce, the Evaluator backends that fill them (CPU here,
// the GPU in compute/gl) from a Source (a surface's Kernel and its rows),
// and, in compute/optimize, the optimization engine. It knows nothing of
// the CLI, of plugins' transport, or of windows: it takes evaluation
// interfaces.
package compute
