#!/usr/bin/env bash
# landscape's benchmark suite on this machine (make bench): each part one
# alternating run of `landscape bench`, landscape's backends beside their
# peers (docs/benchmarks.md has the figures and how they were taken).
#
#   1. the analytic suite at 2048²: gl, cpu, NumPy;
#   2. the MLP (8 tanh units, cross-entropy) over 10,000 samples on a
#      filter plane through a trained point, at 32² and 128²: gl, cpu,
#      PyTorch vectorised (float32 and float64, one thread and every
#      thread) and loss-landscape's loop;
#   3. eval and render of ripple at 8192², end to end, with peak memory.
#
# Usage: bash bench/suite.sh [BIN] [PYTHON]   (defaults: bin/landscape, /usr/bin/python3)
# Results: tables on stdout; JSON in bench-out/.
set -euo pipefail
L=${1:-bin/landscape}
PY=${2:-/usr/bin/python3}
out=bench-out
mkdir -p "$out"
echo "load: $(uptime)"
"$L" bench --surfaces ripple,rastrigin,rosenbrock,ackley,eggholder --res 2048x2048 --backends gl,cpu,numpy \
  --reps 7 --python "$PY" --json >"$out/analytic.json"
"$PY" bench/gpu/summary.py "$out/analytic.json"
"$L" optimize mlp --optimizer adam --start random --set n=10000,lr=0.05 --steps 100 -o "$out/train.csv" >/dev/null
peers=,torch-f32,torch-f64,torch-f32-mt,torch-f64-mt,loss-landscape
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "suite: $PY has no torch (Debian: apt-get install python3-torch): the MLP without its PyTorch peers" >&2
  peers=
fi
"$L" bench --surfaces mlp --set n=10000 --plane filter --at "$out/train.csv" --res 32x32,128x128 \
  --backends "gl,cpu$peers" --peer-points 32 --reps 5 --python "$PY" --json >"$out/mlp.json"
"$PY" bench/gpu/summary.py "$out/mlp.json"
"$L" bench --surfaces ripple --res 8192x8192 --backends gl,cpu --commands eval,render --reps 1 --json >"$out/memory.json"
"$PY" bench/gpu/summary.py "$out/memory.json"
echo "load: $(uptime)"
