#!/usr/bin/env python3
"""Summarises `landscape bench --json` files for the GPU suite: per case and
backend the median, the kernel's rate (Gevals/s, or G sample-evaluations/s
for a model: grid points × samples per second of kernel time), and the
ratios to the other backends and peers.

Usage: python3 bench/gpu/summary.py FILE.json...
"""
import json
import sys


def main(paths):
    for path in paths:
        try:
            with open(path) as f:
                rows = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: {e}")
            continue
        print(f"-- {path}")
        print(f"{'surface':>10} {'grid':>11} {'backend':>16} {'median ms':>10} {'kernel ms':>10} "
              f"{'kernel G/s':>10} {'e2e M/s':>9} {'peak MiB':>8}  ratios (others' time / this one's)")
        for r in rows:
            n = r["nx"] * r["ny"]
            samples = r.get("msamples_per_s", 0) / r["mevals_per_s"] if r.get("msamples_per_s") else 1
            k = r.get("kernel_ms")
            kr = f"{n * samples / (k * 1e-3) / 1e9:10.3g}" if k else f"{'-':>10}"
            ks = f"{k:10.2f}" if k else f"{'-':>10}"
            name = r["backend"] + (" " + r["command"] if r.get("command") else "")
            peak = f"{r['peak_mib']:8.0f}" if r.get("peak_mib") else f"{'-':>8}"
            vs = ", ".join(f"{o} {v['median']:.2f}x" for o, v in sorted(r.get("vs", {}).items()))
            print(f"{r['surface']:>10} {r['nx']:>5}x{r['ny']:<5} {name:>16} {r['median_ms']:10.2f} {ks} {kr} "
                  f"{r['mevals_per_s']:9.1f} {peak}  {vs}")


if __name__ == "__main__":
    main(sys.argv[1:])
