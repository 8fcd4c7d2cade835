// Package bench holds the benchmark's peers: Python scripts that evaluate
// landscape's benchmark grids the way other tools do (NumPy for the
// analytic surfaces; PyTorch, vectorised and as loss-landscape's
// point-by-point loop, for the model surfaces). The host's benchmark
// (host.App.Bench) writes them to a temporary folder and drives peers.py
// --serve, so that the peers are timed alternately with landscape's own
// backends in one run. They run by hand too: see peers.py. (hvp_torch.py,
// the curvature benchmark's PyTorch peer, is host's BenchmarkHessianMLP's.)
package bench

import "embed"

// Scripts are the peers' Python sources: peers.py (the entry point),
// formulas.py (NumPy) and models.py (PyTorch).
//
//go:embed peers.py formulas.py models.py
var Scripts embed.FS
