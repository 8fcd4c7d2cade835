#!/usr/bin/env bash
# landscape's GPU benchmark suite: on a machine with an NVIDIA GPU,
# headless through EGL (and the viewer in an Xvfb display, its GLX windows
# rendering on the GPU). From the repository root:
#
#   bash bench/gpu/run.sh [analytic] [models] [viewer]   (default: all three)
#
# Sections:
#   analytic  the standard analytic suite at 4096² (gl, cpu and NumPy) and
#             16384² (gl): kernel time, evaluation into memory, and eval end
#             to end (process, plugins, .npy written), alternating;
#   models    the MLP (8 tanh units, cross-entropy) over 10,000 samples on a
#             256² filter plane through a trained point: gl, cpu, PyTorch on
#             every CPU thread and on the GPU (torch-cuda), loss-landscape's
#             loop;
#   viewer    landscape view ripple in a 1920×1080 window, re-evaluating the
#             view every frame of bench/gpu/tour.txt: frame and re-evaluation
#             times.
#
# Binaries: bin/ when built here (make build), else .gpu/core/bin.tar.xz
# (bench/gpu/bundle.sh, for machines without Go), and then the libraries
# of .gpu/core/debs and .gpu/x/debs too (bundle.sh says which run carries
# which); with bin/ the machine's own libraries and Xvfb. Results: tables on stdout, JSON and logs in $OUT (the
# device tool's folder) or bench-gpu/. Each section has a time limit; the
# whole suite is meant to finish within 5 minutes.
#
# For a dry run on a machine without a GPU (llvmpipe), the sizes can be
# made small: LS_GPU_RES=256 LS_GPU_BIG=512 LS_GPU_MLP=16 LS_GPU_POINTS=8
# LS_GPU_WINDOW=640x480 __GLX_VENDOR_LIBRARY_NAME=mesa bash bench/gpu/run.sh
set -uo pipefail
res=${LS_GPU_RES:-4096}
big=${LS_GPU_BIG:-16384}
mlp=${LS_GPU_MLP:-256}
window=${LS_GPU_WINDOW:-1920x1080}
points=${LS_GPU_POINTS:-128}
root=$(pwd)
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(analytic models viewer)
out=${OUT:-$root/bench-gpu}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null' EXIT
say() { printf '\n== %s\n' "$*"; }

# Without binaries built here, the bundle's (bench/gpu/bundle.sh): its GL
# loader and X11 client libraries too.
bundle=0
[ -x bin/landscape ] || bundle=1
prefix=/opt/landscape-gpu
if [ $bundle = 1 ] && [ -d .gpu/core/debs ]; then
  for f in .gpu/core/debs/*.deb; do dpkg -x "$f" /; done
  for f in .gpu/core/debs/prefix/*.deb; do dpkg -x "$f" "$prefix"; done
  ldconfig
fi
export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nv=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$nv" ] && ! ls /usr/share/glvnd/egl_vendor.d/*nvidia* >/dev/null 2>&1; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=$nv
fi

if [ $bundle = 0 ]; then
  L=$root/bin/landscape
elif [ -f .gpu/core/bin.tar.xz ]; then
  tar -C "$work" -xJf .gpu/core/bin.tar.xz
  L=$work/bin/landscape
else
  echo "run.sh: no bin/landscape and no .gpu/core/bin.tar.xz (make build, or bench/gpu/bundle.sh and carry .gpu/core)" >&2
  exit 1
fi
PY=${PYTHON:-python3}
limit() { # SECONDS CMD...: the command under a time limit, its output also in $out
  local s=$1
  shift
  timeout --signal=INT --kill-after=10 "$s" "$@"
}

say "machine"
{ nvidia-smi -L 2>&1 || true; nproc; "$L" info 2>&1; } | tee "$out/info.txt"

for sec in "${sections[@]}"; do
  case $sec in
  analytic)
    say "analytic suite at ${res}²: gl, cpu and NumPy; eval end to end"
    limit 120 "$L" bench --res "${res}x$res" --backends gl,cpu,numpy --commands eval --reps 3 --python "$PY" --json \
      >"$out/analytic-$res.json" 2>"$out/analytic-$res.log"
    say "analytic suite at ${big}²: gl; eval end to end"
    limit 150 "$L" bench --res "${big}x$big" --backends gl --commands eval --reps 2 --json \
      >"$out/analytic-$big.json" 2>"$out/analytic-$big.log"
    "$PY" bench/gpu/summary.py "$out/analytic-$res.json" "$out/analytic-$big.json"
    ;;
  models)
    say "MLP over 10,000 samples on a ${mlp}² filter plane"
    peers=torch-f32-mt,loss-landscape
    "$PY" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null && peers=$peers,torch-cuda
    "$L" optimize mlp --optimizer adam --start random --set n=10000,lr=0.05 --steps 100 -o "$work/train.csv" >/dev/null
    limit 150 "$L" bench --surfaces mlp --set n=10000 --plane filter --at "$work/train.csv" --res "${mlp}x$mlp" \
      --backends "gl,cpu,$peers" --peer-points "$points" --reps 3 --python "$PY" --json \
      >"$out/models.json" 2>"$out/models.log"
    "$PY" bench/gpu/summary.py "$out/models.json"
    ;;
  viewer)
    say "viewer: ripple at $window, re-evaluated every frame"
    xdir=$prefix/x
    if [ $bundle = 1 ] && [ -d .gpu/x/debs ]; then
      for f in .gpu/x/debs/*.deb; do dpkg -x "$f" "$xdir"; done
      # Mesa's DRI driver and xkbcomp: Xvfb looks for them where it was built to.
      for f in .gpu/x/debs/root/*.deb; do dpkg -x "$f" /; done
      export PATH="$xdir/usr/bin:$PATH"
      export LD_LIBRARY_PATH="$xdir/usr/lib/x86_64-linux-gnu:$LD_LIBRARY_PATH"
    fi
    command -v Xvfb >/dev/null || { echo "run.sh: no Xvfb (install xvfb, or carry .gpu/x: bench/gpu/bundle.sh)" >&2; continue; }
    xkb=/usr/share/X11/xkb
    [ -d "$xdir$xkb" ] && xkb=$xdir$xkb
    mkdir -p /var/lib/xkb /tmp/.X11-unix
    Xvfb :91 -screen 0 "${window}x24" -fp built-ins -xkbdir "$xkb" -nolisten tcp >"$out/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 50); do [ -e /tmp/.X11-unix/X91 ] && break; sleep 0.1; done
    DISPLAY=:91 __GLX_VENDOR_LIBRARY_NAME=${__GLX_VENDOR_LIBRARY_NAME:-nvidia} \
      limit 60 "$L" view ripple --width "${window%x*}" --height "${window#*x}" --script bench/gpu/tour.txt --stats 2>&1 | tee "$out/viewer.txt"
    kill "$xvfb_pid" 2>/dev/null
    xvfb_pid=
    ;;
  *)
    echo "run.sh: unknown section $sec (analytic, models, viewer)" >&2
    exit 2
    ;;
  esac
done
