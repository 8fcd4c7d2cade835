#!/usr/bin/env python3
"""Reference values for compute/hessian's tests, computed with NumPy alone.

Run from the repository root (Debian's python3-numpy):

    /usr/bin/python3 compute/hessian/testdata/reference.py > compute/hessian/testdata/reference.json

It writes, for fixed matrices and fixed random vectors drawn here:
  - hutchinson: the mean of v^T A v over the probes and its standard error
    (sample standard deviation, ddof=1, over sqrt(k));
  - hutchpp: Meyer et al. 2021, Algorithm 1, with S and G given:
    Q = qr(A S) (numpy.linalg.qr, reduced), tr(Q^T A Q) + mean of the k
    samples g^T (I-QQ^T) A (I-QQ^T) g, and their standard error;
  - slq: Lanczos with full reorthogonalisation (three-term recurrence, then
    Gram-Schmidt against the whole basis twice, beta the norm after it) from
    each start, the Gauss quadrature (eigenvalues of T, squared first
    components of its eigenvectors; numpy.linalg.eigh), and the density as
    PyHessian's density_generate computes it: the mean over runs of
    sum_i w_i * gaussian(theta_i, lambda, sigma^2) on an even grid,
    normalised by sum(density) * dx, on the grid the Go package documents
    (every node +- 8 sigma, spacing at most sigma/4).
"""
import json
import math

import numpy as np


def spectrum_matrix(vals, rng):
    n = len(vals)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = q @ np.diag(vals) @ q.T
    return (a + a.T) / 2


def rademacher(rng, k, n):
    return rng.choice([-1.0, 1.0], size=(k, n))


def hutchinson(a, v):
    s = np.einsum("ij,jk,ik->i", v, a, v)
    return s.mean(), s.std(ddof=1) / math.sqrt(len(s)), s


def hutchpp(a, s, g):
    # s, g: k x n (vectors as rows); the paper's S, G are their transposes.
    k = s.shape[0]
    q, _ = np.linalg.qr(a @ s.T)  # n x k
    t1 = np.trace(q.T @ a @ q)
    p = np.eye(a.shape[0]) - q @ q.T
    samples = np.array([g[j] @ p @ a @ p @ g[j] for j in range(k)])
    return t1 + samples.mean(), samples.std(ddof=1) / math.sqrt(k), t1, samples


def lanczos(a, v, steps):
    n = len(v)
    qs = [v / np.linalg.norm(v)]
    alpha, beta = [], []
    for i in range(steps):
        w = a @ qs[i]
        al = qs[i] @ w
        alpha.append(al)
        if i == steps - 1:
            break
        w = w - al * qs[i]
        if i > 0:
            w = w - beta[i - 1] * qs[i - 1]
        basis = np.array(qs)
        for _ in range(2):
            w = w - basis.T @ (basis @ w)
        b = np.linalg.norm(w)
        beta.append(b)
        qs.append(w / b)
    return np.array(alpha), np.array(beta)


def gauss(alpha, beta):
    t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    nodes, vecs = np.linalg.eigh(t)
    return nodes, vecs[0, :] ** 2


def gaussian(x, x0, sigma_squared):  # PyHessian's density_plot.gaussian
    return np.exp(-(x0 - x) ** 2 / (2.0 * sigma_squared)) / np.sqrt(2 * np.pi * sigma_squared)


def density(nodes, weights, sigma, min_bins):
    lo = min(n.min() for n in nodes)
    hi = max(n.max() for n in nodes)
    a, b = lo - 8 * sigma, hi + 8 * sigma
    bins = max(min_bins, int(math.ceil((b - a) / (sigma / 4))) + 1)
    grid = np.linspace(a, b, bins)
    out = np.zeros((len(nodes), bins))
    for i in range(len(nodes)):
        for j in range(bins):
            out[i, j] = np.sum(gaussian(nodes[i], grid[j], sigma ** 2) * weights[i])
    dens = out.mean(axis=0)
    dens = dens / (np.sum(dens) * (grid[1] - grid[0]))
    return grid, dens


def main():
    rng = np.random.default_rng(20240611)
    out = {}

    n, k = 40, 8
    vals = np.concatenate([[30.0, 12.0, 9.0, -6.0], rng.uniform(-1, 2, n - 4)])
    a = spectrum_matrix(vals, rng)
    v = rademacher(rng, k, n)
    hv, hse, hs = hutchinson(a, v)
    s = rademacher(rng, k, n)
    g = rademacher(rng, k, n)
    pv, pse, t1, ps = hutchpp(a, s, g)
    out["trace"] = {
        "n": n, "a": a.ravel().tolist(), "trace": float(np.trace(a)),
        "probes": v.ravel().tolist(), "hutchinson": hv, "hutchinson_se": hse,
        "s": s.ravel().tolist(), "g": g.ravel().tolist(),
        "hutchpp": pv, "hutchpp_se": pse, "hutchpp_t1": t1, "hutchpp_samples": ps.tolist(),
    }

    n, runs, steps = 30, 3, 12
    vals = np.concatenate([[8.0, 7.5, -3.0], rng.uniform(-0.5, 2, n - 3)])
    a = spectrum_matrix(vals, rng)
    starts = np.vstack([rademacher(rng, runs - 1, n), rng.standard_normal((1, n))])
    alphas, betas, nodes, weights = [], [], [], []
    for r in range(runs):
        al, be = lanczos(a, starts[r], steps)
        nd, wt = gauss(al, be)
        alphas.append(al.tolist())
        betas.append(be.tolist())
        nodes.append(nd)
        weights.append(wt)
    sigma, min_bins = 0.25, 400
    grid, dens = density(nodes, weights, sigma, min_bins)
    out["slq"] = {
        "n": n, "a": a.ravel().tolist(), "starts": starts.ravel().tolist(), "steps": steps,
        "alpha": alphas, "beta": betas,
        "nodes": [x.tolist() for x in nodes], "weights": [x.tolist() for x in weights],
        "sigma": sigma, "min_bins": min_bins,
        "grid": grid.tolist(), "density": dens.tolist(),
    }
    print(json.dumps(out, indent=None))


if __name__ == "__main__":
    main()
