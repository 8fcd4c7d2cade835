#!/usr/bin/env python3
"""PyTorch peer of landscape's curvature benchmarks (compute/hessian).

The model is landscape's models plugin `mlp` (plugins/models/model): a
perceptron with 1 or 2 hidden layers (tanh or relu) and a cross-entropy
(ce), binary cross-entropy (bce) or mse loss, averaged over the samples, plus
1/2 * l2 * ||theta||^2. Its parameters are one flat float64 vector in the
plugin's layout: layer after layer, W (out x in, row-major, as torch's
Linear.weight) then b. The default MLP (moons, 8 hidden, tanh, ce over 2
classes, l2 = 0) has 42 parameters.

Hessian-vector products are PyTorch's double backward, as PyHessian computes
them on one batch: the gradient's graph is built once (create_graph=True)
and each product is torch.autograd.grad(g, theta, v, retain_graph=True);
--batch K products go through one call with is_grads_batched=True. All in
float64 on the CPU.

What it times (median of --reps runs after one warm-up):
  hvp       one Hessian-vector product (and --batch of them in one call);
  top5      PyHessian's hessian.eigenvalues(top_n=5): power iteration with
            deflation, maxIter=100, tol=1e-3 (its defaults);
  lanczos5  the top 5 eigenvalues by Lanczos with full reorthogonalisation
            until every residual estimate beta_m*|s_m| is within --tol of the
            largest |Ritz value| (what landscape's Lanczos does);
  trace     Hutchinson with --queries Rademacher probes;
  slq       PyHessian's hessian.density(iter=--slq-steps, n_v=--slq-runs)
            and density_generate(num_bins=10000, sigma_squared=1e-5).

Install (Debian): apt-get install python3-torch python3-numpy. Never run in CI.

The data
  A CSV in the models plugin's csv format: a header row, the feature columns,
  the target last (a class index for ce/bce). Values are taken as float32,
  as the plugin stores them, then used in float64. landscape reads the very
  same file with
      --set dataset=csv,csv=FILE         (mlp's other settings at default)
  so both sides evaluate the same model on the same samples. The Go benchmark
  writes the plugin's own data (model.MLP with n=10000, its Data()) in this
  format; by hand, make one with the `moons` command:
      /usr/bin/python3 bench/hvp_torch.py moons --n 10000 -o moons.csv
  (sklearn's make_moons without shuffling, noise 0.1, as landscape's moons
  generator defines it, but drawn with NumPy's generator, so its samples are
  not landscape's n=10000 draw: use the CSV on both sides).

The parameters
  --theta FILE: comma- or whitespace-separated numbers (landscape's --at
  takes the same text: --at "$(cat theta.txt)"), or a .npy file. Make one
  with the `theta` command (torch's default Linear initialisation, seeded,
  optionally trained by full-batch gradient descent):
      /usr/bin/python3 bench/hvp_torch.py theta --data moons.csv --seed 1 --train 500 -o theta.txt

Run
  /usr/bin/python3 bench/hvp_torch.py bench --data moons.csv --theta theta.txt
  /usr/bin/python3 bench/hvp_torch.py check --data moons.csv --theta theta.txt
      (the loss, the gradient's norm, the dense Hessian's top 5 by
      torch.autograd.functional.hessian and numpy.linalg.eigvalsh beside
      lanczos5 and top5, and the trace: values to compare with landscape's)
  /usr/bin/python3 bench/hvp_torch.py serve --data moons.csv --theta theta.txt
      reads commands on stdin, one per line: "hvp", "hvp K", "top5",
      "lanczos5", "trace", "slq", "loss"; runs each once and answers
      "ok SECONDS RESULT..." (or "error MESSAGE"), so that a Go benchmark can
      time it alternately with landscape's in one run.
"""
import argparse
import math
import statistics
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


# ---------------------------------------------------------------- data


def read_csv(path):
    """The models plugin's CSV: header, features, target last."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    raw = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    if raw.shape[1] != len(header) or raw.shape[1] < 2:
        raise SystemExit(f"{path}: {raw.shape[1]} columns; want the header's {len(header)}, at least 2")
    raw = raw.astype(np.float32).astype(np.float64)  # the plugin stores float32
    return torch.from_numpy(raw[:, :-1].copy()), raw[:, -1].copy()


def write_moons(path, n, noise, seed):
    """sklearn's make_moons without shuffling, as landscape's generator
    defines it: floor(n/2) points on the outer moon (class 0), the rest on
    the inner one (class 1), evenly spaced angles over [0, pi], plus
    noise * N(0, I)."""
    rng = np.random.default_rng(seed)
    out = n // 2
    inn = n - out
    t_out = np.linspace(0, math.pi, out) if out > 1 else np.zeros(out)
    t_in = np.linspace(0, math.pi, inn) if inn > 1 else np.zeros(inn)
    x = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1 - np.sin(t_in) - 0.5])
    c = np.concatenate([np.zeros(out), np.ones(inn)])
    x = (x + noise * rng.standard_normal(n)).astype(np.float32)
    y = (y + noise * rng.standard_normal(n)).astype(np.float32)
    with open(path, "w") as f:
        f.write("x0,x1,y\n")
        for i in range(n):
            # repr of a float32 is its shortest round-trip text
            f.write(f"{x[i]!r},{y[i]!r},{int(c[i])}\n".replace("np.float32(", "").replace(")", ""))


def read_theta(path):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float64).ravel()
    with open(path) as f:
        text = f.read().replace(",", " ")
    return np.array([float(t) for t in text.split()], dtype=np.float64)


# ---------------------------------------------------------------- model


class MLP:
    """landscape's mlp over a flat parameter vector."""

    def __init__(self, x, target, hidden, layers, activation, loss, l2):
        self.x, self.l2, self.loss_kind = x, l2, loss
        d = x.shape[1]
        if loss == "ce":
            k = int(target.max()) + 1
            self.y = torch.from_numpy(target.astype(np.int64))
            self.m = k
        elif loss == "bce":
            self.y = torch.from_numpy(target)
            self.m = 1
        else:  # mse
            self.y = torch.from_numpy(target)
            self.m = 1
        self.act = torch.tanh if activation == "tanh" else torch.relu
        self.shapes = []  # (out, in) per layer
        fan_in = d
        for _ in range(layers):
            self.shapes.append((hidden, fan_in))
            fan_in = hidden
        self.shapes.append((self.m, fan_in))
        self.dim = sum(o * i + o for o, i in self.shapes)

    def layers(self, theta):
        at = 0
        for o, i in self.shapes:
            w = theta[at:at + o * i].view(o, i)
            at += o * i
            b = theta[at:at + o]
            at += o
            yield w, b

    def loss(self, theta):
        h = self.x
        ls = list(self.layers(theta))
        for w, b in ls[:-1]:
            h = self.act(h @ w.T + b)
        w, b = ls[-1]
        z = h @ w.T + b
        if self.loss_kind == "ce":
            v = torch.nn.functional.cross_entropy(z, self.y)
        elif self.loss_kind == "bce":
            v = torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], self.y)
        else:
            v = torch.mean((z[:, 0] - self.y) ** 2)
        if self.l2 > 0:
            v = v + 0.5 * self.l2 * torch.sum(theta * theta)
        return v

    def init(self, seed):
        """torch's default nn.Linear initialisation: U(-1/sqrt(in), 1/sqrt(in))
        for W and b."""
        g = torch.Generator().manual_seed(seed)
        parts = []
        for o, i in self.shapes:
            bound = 1 / math.sqrt(i)
            parts.append((torch.rand(o * i, generator=g) * 2 - 1) * bound)
            parts.append((torch.rand(o, generator=g) * 2 - 1) * bound)
        return torch.cat(parts)


class HVP:
    """Double-backward products at theta, the gradient's graph built once."""

    def __init__(self, model, theta):
        self.theta = torch.tensor(theta, requires_grad=True)
        self.value = model.loss(self.theta)
        (self.grad,) = torch.autograd.grad(self.value, self.theta, create_graph=True)
        self.n = self.theta.numel()
        self.count = 0

    def __call__(self, v):
        self.count += 1
        (hv,) = torch.autograd.grad(self.grad, self.theta, grad_outputs=v, retain_graph=True)
        return hv.detach()

    def batch(self, vs):
        self.count += vs.shape[0]
        (hv,) = torch.autograd.grad(self.grad, self.theta, grad_outputs=vs, retain_graph=True,
                                    is_grads_batched=True)
        return hv.detach()


# ---------------------------------------------------------------- algorithms


def power_top(hvp, top_n=5, max_iter=100, tol=1e-3, seed=0):
    """PyHessian's hessian.eigenvalues: power iteration with deflation."""
    g = torch.Generator().manual_seed(seed)
    vals, vecs = [], []
    while len(vals) < top_n:
        eig = None
        v = torch.randn(hvp.n, generator=g)
        v = v / v.norm()
        for _ in range(max_iter):
            for u in vecs:  # PyHessian's orthnormal
                v = v - torch.dot(v, u) * u
            v = v / v.norm()
            hv = hvp(v)
            tmp = torch.dot(hv, v).item()
            v = hv / hv.norm()
            if eig is None:
                eig = tmp
            elif abs(eig - tmp) / (abs(eig) + 1e-6) < tol:
                break
            else:
                eig = tmp
        vals.append(eig)
        vecs.append(v)
    return vals


def lanczos_top(hvp, k=5, tol=1e-8, max_steps=300, seed=0):
    """Lanczos with full reorthogonalisation until the top k Ritz pairs'
    residual estimates are within tol of the largest |Ritz value|."""
    g = torch.Generator().manual_seed(seed)
    n = hvp.n
    steps = min(max_steps, n)
    q = torch.randn(n, generator=g)
    qs = [q / q.norm()]
    alpha, beta = [], []
    for i in range(steps):
        w = hvp(qs[i])
        a = torch.dot(qs[i], w).item()
        alpha.append(a)
        w = w - a * qs[i]
        if i > 0:
            w = w - beta[i - 1] * qs[i - 1]
        basis = torch.stack(qs)
        for _ in range(2):
            w = w - basis.T @ (basis @ w)
        b = w.norm().item()
        m = i + 1
        if m >= k:
            t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
            th, s = np.linalg.eigh(t)
            scale = max(abs(th[0]), abs(th[-1]))
            if m == n or all(b * abs(s[-1, j]) <= tol * scale for j in range(m - k, m)):
                return list(th[::-1][:k]), m
        if m == n:
            break
        beta.append(b)
        qs.append(w / b)
    t = np.diag(alpha) + np.diag(beta[:len(alpha) - 1], 1) + np.diag(beta[:len(alpha) - 1], -1)
    return list(np.linalg.eigvalsh(t)[::-1][:k]), len(alpha)


def hutchinson(hvp, queries=99, seed=0):
    g = torch.Generator().manual_seed(seed)
    s = []
    for _ in range(queries):
        v = torch.randint(0, 2, (hvp.n,), generator=g).double() * 2 - 1
        s.append(torch.dot(v, hvp(v)).item())
    return statistics.mean(s), statistics.stdev(s) / math.sqrt(len(s))


def pyhessian_density(hvp, iters=100, n_v=1, seed=0):
    """PyHessian's hessian.density (stochastic Lanczos quadrature)."""
    g = torch.Generator().manual_seed(seed)
    iters = min(iters, hvp.n)
    eigen_full, weight_full = [], []
    for _ in range(n_v):
        v = torch.randint(0, 2, (hvp.n,), generator=g).double() * 2 - 1
        v = v / v.norm()
        v_list = [v]
        alpha_list, beta_list = [], []
        w = None
        for i in range(iters):
            if i == 0:
                w_prime = hvp(v)
                alpha = torch.dot(w_prime, v)
                alpha_list.append(alpha.item())
                w = w_prime - alpha * v
            else:
                beta = torch.sqrt(torch.dot(w, w))
                beta_list.append(beta.item())
                if beta_list[-1] != 0.0:
                    v = orthnormal(w, v_list)
                else:
                    v = orthnormal(torch.randn(hvp.n, generator=g), v_list)
                v_list.append(v)
                w_prime = hvp(v)
                alpha = torch.dot(w_prime, v)
                alpha_list.append(alpha.item())
                w = w_prime - alpha * v - beta * v_list[-2]
        t = torch.zeros(iters, iters)
        for i in range(len(alpha_list)):
            t[i, i] = alpha_list[i]
            if i < len(alpha_list) - 1:
                t[i + 1, i] = beta_list[i]
                t[i, i + 1] = beta_list[i]
        a_, b_ = torch.linalg.eigh(t)  # PyHessian: torch.linalg.eig (T is symmetric)
        eigen_full.append(a_.numpy())
        weight_full.append((b_[0, :] ** 2).numpy())
    return density_generate(eigen_full, weight_full)


def orthnormal(w, v_list):  # PyHessian's utils.orthnormal
    for v in v_list:
        w = w - torch.dot(w, v) * v
    return w / w.norm()


def density_generate(eigenvalues, weights, num_bins=10000, sigma_squared=1e-5, overhead=0.01):
    """PyHessian's example density_generate, vectorised over the grid."""
    eigenvalues = np.array(eigenvalues)
    weights = np.array(weights)
    lambda_max = np.mean(np.max(eigenvalues, axis=1), axis=0) + overhead
    lambda_min = np.mean(np.min(eigenvalues, axis=1), axis=0) - overhead
    grids = np.linspace(lambda_min, lambda_max, num=num_bins)
    sigma = sigma_squared * max(1, (lambda_max - lambda_min))
    out = np.zeros((eigenvalues.shape[0], num_bins))
    for i in range(eigenvalues.shape[0]):
        d = np.exp(-(grids[:, None] - eigenvalues[i][None, :]) ** 2 / (2.0 * sigma)) / np.sqrt(2 * np.pi * sigma)
        out[i] = d @ weights[i]
    density = np.mean(out, axis=0)
    density = density / (np.sum(density) * (grids[1] - grids[0]))
    return density, grids


# ---------------------------------------------------------------- commands


def build(args):
    x, target = read_csv(args.data)
    model = MLP(x, target, args.hidden, args.layers, args.activation, args.loss, args.l2)
    theta = read_theta(args.theta)
    if theta.size != model.dim:
        raise SystemExit(f"{args.theta}: {theta.size} parameters; the model has {model.dim}")
    return model, HVP(model, theta)


def jobs(args, hvp):
    def hv(k=1):
        if k == 1:
            v = torch.ones(hvp.n)
            return hvp(v).norm().item()
        return hvp.batch(torch.ones(k, hvp.n)).norm().item()

    return {
        "hvp": hv,
        "top5": lambda: power_top(hvp, seed=args.seed),
        "lanczos5": lambda: lanczos_top(hvp, tol=args.tol, seed=args.seed)[0],
        "trace": lambda: hutchinson(hvp, queries=args.queries, seed=args.seed),
        "slq": lambda: pyhessian_density(hvp, iters=args.slq_steps, n_v=args.slq_runs, seed=args.seed)[0].size,
        "loss": lambda: hvp.value.item(),
    }


def median_time(f, reps):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cmd_bench(args):
    model, hvp = build(args)
    js = jobs(args, hvp)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; mlp of {model.dim} parameters "
          f"over {model.x.shape[0]} samples; median of {args.reps} after a warm-up")
    t = median_time(js["hvp"], args.reps * 10)
    print(f"hvp          {t * 1e3:10.3f} ms   {1 / t:10.1f} hvp/s")
    t = median_time(lambda: js["hvp"](args.batch), args.reps)
    print(f"hvp x{args.batch:<5d}   {t * 1e3:10.3f} ms   {args.batch / t:10.1f} hvp/s (one batched call)")
    for name in ("top5", "lanczos5", "trace", "slq"):
        before = hvp.count
        js[name]()
        used = hvp.count - before
        t = median_time(js[name], args.reps)
        print(f"{name:12s} {t * 1e3:10.1f} ms   {used:6d} products")


def cmd_check(args):
    model, hvp = build(args)
    theta = torch.tensor(read_theta(args.theta))
    h = torch.autograd.functional.hessian(model.loss, theta)
    dense = np.linalg.eigvalsh(h.numpy())[::-1]
    g = torch.autograd.functional.jacobian(model.loss, theta)
    print(f"loss {hvp.value.item():.17g}")
    print(f"grad-norm {g.norm().item():.17g}")
    print("dense-top5 " + " ".join(f"{v:.17g}" for v in dense[:5]))
    print(f"trace {np.trace(h.numpy()):.17g}")
    vals, m = lanczos_top(hvp, tol=args.tol, seed=args.seed)
    print("lanczos5 " + " ".join(f"{v:.17g}" for v in vals) + f"  ({m} products)")
    print("top5 " + " ".join(f"{v:.17g}" for v in power_top(hvp, seed=args.seed)))
    worst = max(abs(a - b) / abs(b) for a, b in zip(vals, dense[:5]))
    print(f"lanczos5 vs dense: largest relative difference {worst:.3g}")


def cmd_serve(args):
    _, hvp = build(args)
    js = jobs(args, hvp)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        try:
            f = js[parts[0]]
            fargs = [int(p) for p in parts[1:]]
            t0 = time.perf_counter()
            out = f(*fargs)
            dt = time.perf_counter() - t0
            if isinstance(out, (list, tuple)):
                out = " ".join(f"{float(v):.17g}" for v in out)
            print(f"ok {dt:.9f} {out}", flush=True)
        except Exception as e:  # answer, never die: the Go side reads one line per command
            print(f"error {parts[0]}: {e}".replace("\n", " "), flush=True)


def cmd_moons(args):
    write_moons(args.o, args.n, args.noise, args.seed)


def cmd_theta(args):
    x, target = read_csv(args.data)
    model = MLP(x, target, args.hidden, args.layers, args.activation, args.loss, args.l2)
    theta = model.init(args.seed).requires_grad_(True)
    opt = torch.optim.SGD([theta], lr=args.lr)
    for _ in range(args.train):
        opt.zero_grad()
        model.loss(theta).backward()
        opt.step()
    with open(args.o, "w") as f:
        f.write(",".join(repr(float(v)) for v in theta.detach().numpy()) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def model_flags(q):
        q.add_argument("--data", required=True, help="CSV: header, features, target last")
        q.add_argument("--hidden", type=int, default=8)
        q.add_argument("--layers", type=int, default=1, choices=(1, 2))
        q.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
        q.add_argument("--loss", default="ce", choices=("ce", "bce", "mse"))
        q.add_argument("--l2", type=float, default=0.0)
        q.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")

    for name, f in (("bench", cmd_bench), ("check", cmd_check), ("serve", cmd_serve)):
        q = sub.add_parser(name)
        model_flags(q)
        q.add_argument("--theta", required=True, help="parameters: comma/space-separated text or .npy")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--tol", type=float, default=1e-8, help="lanczos5's relative residual tolerance")
        q.add_argument("--queries", type=int, default=99, help="trace's Hutchinson probes")
        q.add_argument("--slq-runs", type=int, default=10)
        q.add_argument("--slq-steps", type=int, default=100)
        q.add_argument("--batch", type=int, default=32, help="vectors of the batched hvp")
        q.add_argument("--reps", type=int, default=5)
        q.set_defaults(func=f)
    q = sub.add_parser("moons")
    q.add_argument("--n", type=int, default=10000)
    q.add_argument("--noise", type=float, default=0.1)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("-o", required=True)
    q.set_defaults(func=cmd_moons, threads=0)
    q = sub.add_parser("theta")
    model_flags(q)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--train", type=int, default=0, help="full-batch gradient-descent steps")
    q.add_argument("--lr", type=float, default=0.5)
    q.add_argument("-o", required=True)
    q.set_defaults(func=cmd_theta)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    args.func(args)


if __name__ == "__main__":
    main()
