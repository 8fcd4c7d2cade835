#!/usr/bin/env python3
"""landscape's benchmark peers: NumPy for the analytic surfaces, PyTorch
for the model surfaces (vectorised, and loss-landscape's point-by-point
loop). They evaluate the same grids as landscape, from what landscape
writes: a plane (`landscape eval ... -o plane.npz`: origin, u, v, x, y), the
samples (`landscape data ... -o data.csv`, or the .npy of the surface's data
buffer that `landscape bench` writes) and the surface's hyperparameters
(`landscape eval ... --summary s.json`).

`landscape bench` drives this script with --serve and times the peers
alternately with its own backends (see docs/benchmarks.md). By hand:

  landscape eval mlp --set n=10000 --plane filter --at train.csv --res 128 -o plane.npz --summary s.json
  landscape data mlp --set n=10000 -o data.csv
  python3 bench/peers.py --peer torch-f32 --summary s.json --plane plane.npz --data data.csv --reps 5
  python3 bench/peers.py --peer numpy --surface ripple --range=-2:2,-2:2 --res 2048 --reps 7

Peers: numpy; torch-f32, torch-f64 (one thread), torch-f32-mt, torch-f64-mt
(every thread); torch-cuda (float32 on a CUDA GPU); loss-landscape (float32,
every thread; --points bounds the grid points it evaluates, and the time is
scaled to the whole grid).

Protocol of --serve: one JSON object per line each way. Requests:
  {"op": "load", "id": ID, "peer": P, ...case}  -> {"ok": true} | {"error": MSG}
  {"op": "run", "id": ID}                        -> {"ms": T, "points": K}
  {"op": "save", "id": ID, "path": FILE}         -> {"ok": true}  (the last result, float32 .npy)
  {"op": "drop", "id": ID}                       -> {"ok": true}
A case is {"surface", "params"} and either {"x", "y", "nx", "ny"} (numpy)
or {"plane", "data", "dim"} (paths of plane.npz and data.npy; the models),
and for loss-landscape {"points"}.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

import formulas

PEERS = ("numpy", "torch-f32", "torch-f64", "torch-f32-mt", "torch-f64-mt", "torch-cuda", "loss-landscape")


class FormulaCase:
    def __init__(self, c):
        if c["surface"] not in formulas.SURFACES:
            raise ValueError(f"no NumPy formula for surface {c['surface']}")
        self.name, self.params = c["surface"], c.get("params", {})
        self.x, self.y, self.nx, self.ny = c["x"], c["y"], int(c["nx"]), int(c["ny"])
        self.points = self.nx * self.ny

    def evaluate(self):
        x, y = formulas.axes(self.x, self.y, self.nx, self.ny)
        return formulas.grid(self.name, x, y, self.params)


def load_data(path):
    """The samples, one row each (features, then target), float32: a .npy,
    or a .csv as `landscape data` writes it (header; with a split, a first
    column subset whose train rows are kept)."""
    if not path.endswith(".csv"):
        return np.load(path).astype(np.float32)
    import csv
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        subset = header[0] == "subset"
        out = [[float(v) for v in (r[1:] if subset else r)] for r in rows if not subset or r[0] == "train"]
    return np.asarray(out, dtype=np.float32)


def load_plane(path):
    with np.load(path) as z:
        return {k: z[k].astype(np.float64) for k in ("origin", "u", "v", "x", "y")}


class ModelCase:
    def __init__(self, peer, c):
        import torch
        import models
        plane = load_plane(c["plane"])
        data = load_data(c["data"])
        if data.ndim != 2 or data.shape[1] < 2:
            raise ValueError(f"{c['data']}: want one row per sample (features, then target)")
        spec = models.Spec(c["surface"], int(c["dim"]), data.shape[1] - 1, c.get("params", {}))
        threads = os.cpu_count() or 1
        if peer == "loss-landscape":
            n = len(plane["x"]) * len(plane["y"])
            count = min(n, int(c.get("points") or n))
            self.impl = models.PointLoop(spec, plane, data, count)
            self.threads = threads
            self.points = count
        elif peer == "torch-cuda":
            if not torch.cuda.is_available():
                raise ValueError("torch-cuda: PyTorch sees no CUDA device")
            self.threads = threads
            self.impl = models.GridModel(spec, plane, data, torch.float32, threads, device="cuda")
            self.points = len(plane["x"]) * len(plane["y"])
        else:
            dtype = torch.float64 if "f64" in peer else torch.float32
            self.threads = threads if peer.endswith("-mt") else 1
            self.impl = models.GridModel(spec, plane, data, dtype, self.threads)
            self.points = len(plane["x"]) * len(plane["y"])

    def evaluate(self):
        import torch
        torch.set_num_threads(self.threads)
        return self.impl.evaluate()


def make_case(peer, c):
    if peer not in PEERS:
        raise ValueError(f"unknown peer {peer} (peers: {', '.join(PEERS)})")
    if peer == "numpy":
        return FormulaCase(c)
    return ModelCase(peer, c)


def timed(case):
    t0 = time.perf_counter()
    out = case.evaluate()
    return (time.perf_counter() - t0) * 1e3, out


def serve():
    cases, last = {}, {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op, cid = req.get("op"), req.get("id")
            if op == "load":
                cases[cid] = make_case(req.get("peer"), req)
                resp = {"ok": True, "points": cases[cid].points}
            elif op == "run":
                ms, last[cid] = timed(cases[cid])
                resp = {"ms": ms, "points": cases[cid].points}
            elif op == "save":
                np.save(req["path"], np.ascontiguousarray(last[cid], dtype=np.float32))
                resp = {"ok": True}
            elif op == "drop":
                cases.pop(cid, None)
                last.pop(cid, None)
                resp = {"ok": True}
            else:
                resp = {"error": f"unknown op {op}"}
        except Exception as e:  # one line back, never a traceback on the pipe
            resp = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
        print(json.dumps(resp), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--serve", action="store_true", help="answer JSON requests on stdin (landscape bench)")
    ap.add_argument("--peer", choices=PEERS)
    ap.add_argument("--surface", help="surface name (numpy); the models take it from --summary")
    ap.add_argument("--range", help="numpy: x0:x1,y0:y1, as landscape's --range")
    ap.add_argument("--res", type=int, default=2048, help="numpy: grid points per axis")
    ap.add_argument("--params", default="{}", help="numpy: hyperparameters as JSON")
    ap.add_argument("--summary", help="models: landscape eval's --summary JSON")
    ap.add_argument("--plane", help="models: landscape eval's .npz")
    ap.add_argument("--data", help="models: the samples, landscape data's .csv (or a .npy, a row per sample)")
    ap.add_argument("--points", type=int, default=0, help="loss-landscape: grid points to evaluate (0: all)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--save", help="write the grid to this .npy")
    a = ap.parse_args()
    if a.serve:
        serve()
        return
    if not a.peer:
        ap.error("--peer or --serve is needed")
    if a.peer == "numpy":
        if not (a.surface and a.range):
            ap.error("numpy needs --surface and --range")
        x, y = ([float(v) for v in r.split(":")] for r in a.range.split(","))
        c = {"surface": a.surface, "params": json.loads(a.params), "x": x, "y": y, "nx": a.res, "ny": a.res}
    else:
        if not (a.summary and a.plane and a.data):
            ap.error(f"{a.peer} needs --summary, --plane and --data")
        with open(a.summary) as f:
            s = json.load(f)
        c = {"surface": s["surface"], "dim": s["dim"], "params": s["hyperparameters"], "plane": a.plane, "data": a.data, "points": a.points}
    case = make_case(a.peer, c)
    timed(case)  # warm-up
    ms = []
    for _ in range(a.reps):
        t, out = timed(case)
        ms.append(t)
    med = statistics.median(ms)
    print(f"{a.peer}: {case.points} points, median {med:.2f} ms of {a.reps} (min {min(ms):.2f}, max {max(ms):.2f})")
    if a.save:
        np.save(a.save, out)


if __name__ == "__main__":
    main()
