#!/usr/bin/python3
"""Reference values for compute/stats: scipy.ndimage.gaussian_filter with its
defaults (mode 'reflect', truncate 4.0) and the roughness
mean |a - gaussian_filter(a, sigma)|, on float64 grids.

Run from this directory with Debian's python3-scipy:

    /usr/bin/python3 gaussian.py > gaussian.json
"""
import json

import numpy as np
import scipy
from scipy.ndimage import gaussian_filter

rng = np.random.default_rng(12)


def rastrigin(nx, ny, lo=-5.12, hi=5.12, a=10.0):
    # As landscape evaluates it: float64 loss at linspace points, stored as
    # float32 (a Field), then read back as float64.
    x = np.linspace(lo, hi, nx)
    y = np.linspace(lo, hi, ny)
    X, Y = np.meshgrid(x, y)  # rows are y
    f = 2 * a + X**2 - a * np.cos(2 * np.pi * X) + Y**2 - a * np.cos(2 * np.pi * Y)
    return f.astype(np.float32).astype(np.float64)


cases = [
    ("random 23x17, sigma 1", rng.normal(size=(17, 23)), 1.0),
    ("random 23x17, sigma 2.5", rng.normal(size=(17, 23)), 2.5),
    ("tiny 5x3, sigma 2 (the kernel reaches past both ends)", rng.normal(size=(3, 5)), 2.0),
    ("one row 9x1, sigma 0.7", rng.normal(size=(1, 9)), 0.7),
    ("rastrigin 64x48, sigma 1", rastrigin(64, 48), 1.0),
    ("rastrigin 64x48, sigma 3", rastrigin(64, 48), 3.0),
    ("ramp 12x10, sigma 1.3", np.add.outer(np.arange(10.0), 0.5 * np.arange(12.0)) ** 2, 1.3),
]
out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": []}
for name, a, sigma in cases:
    a = np.ascontiguousarray(a, dtype=np.float64)
    g = gaussian_filter(a, sigma)
    out["cases"].append({
        "name": name,
        "nx": a.shape[1],
        "ny": a.shape[0],
        "sigma": sigma,
        "values": [float(v) for v in a.ravel()],
        "filtered": [float(v) for v in g.ravel()],
        "roughness": float(np.mean(np.abs(a - g))),
    })
print(json.dumps(out, indent=1))
