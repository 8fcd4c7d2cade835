#!/usr/bin/env python3
"""NumPy's vectorised evaluation of the benchmark grids, for comparison with
landscape's cpu path (go test -bench Grid2048 ./host/). Same grids: 2048x2048
points including both ends of each range (numpy.linspace), float64 math.

Run: /usr/bin/python3 docs/bench_numpy.py  (Debian: python3-numpy)
Prints one line per surface: median milliseconds over 7 runs and Mevals/s.

With --serve it reads surface names on stdin, evaluates each once and answers
"ok"; the Go benchmark (BenchmarkGrid2048/*/numpy in host/bench_test.go) uses
that to time NumPy alternately with landscape's backends in one run.
"""
import sys
import statistics
import time

import numpy as np

N = 2048


def ripple():
    x = np.linspace(-2.0, 2.0, N)
    y = np.linspace(-2.0, 2.0, N)
    X, Y = np.meshgrid(x, y)
    Z = np.sin(4 * X) * np.cos(4 * Y) + 2 * (X * X + Y * Y)
    return Z.astype(np.float32)


def rastrigin():
    x = np.linspace(-5.12, 5.12, N)
    y = np.linspace(-5.12, 5.12, N)
    X, Y = np.meshgrid(x, y)
    A = 10.0
    Z = 2 * A + (X * X - A * np.cos(2 * np.pi * X)) + (Y * Y - A * np.cos(2 * np.pi * Y))
    return Z.astype(np.float32)


def main():
    print(f"numpy {np.__version__}, {N}x{N} grid, median of 7 runs (after 1 warm-up)")
    for name, f in (("ripple", ripple), ("rastrigin", rastrigin)):
        f()
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"{name:10s} numpy  {med * 1e3:8.1f} ms  {N * N / med / 1e6:8.1f} Mevals/s")


def serve():
    funcs = {"ripple": ripple, "rastrigin": rastrigin}
    for line in sys.stdin:
        name = line.strip()
        if name not in funcs:
            print("unknown " + name, flush=True)
            continue
        funcs[name]()
        print("ok", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
