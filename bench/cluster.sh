#!/usr/bin/env bash
# The cost of the tile journal and of sharding, measured through the CLI:
#
#   whole       eval ... --no-journal -o grid.npy                 (the baseline)
#   journal     eval ... -o grid.npy  (the default journal: every tile written,
#               fsynced and checksummed beside the output, removed at the end)
#   shards-N    N runs of eval ... --shard i/N -o part-i.shard, one after
#               another, then landscape merge part-*.shard -o grid.npy
#
# The variants take turns, round after round (so that a machine's load falls
# on all of them alike), every output is checked to be the baseline's bytes,
# and the medians are printed with each variant's overhead over the baseline.
#
# Usage: bench/cluster.sh [ROUNDS]   (default 7; ~1-2 minutes on 2 cores)
# Environment: SURFACE (ripple), SET (hyperparameters, as --set takes them; none),
# RES (4096), BACKEND (cpu), VARIANTS (the list above, or some of it; whole first),
# LANDSCAPE (bin/landscape),
# BENCH_DIR (a temporary folder on the disk under the current folder: the
# journal's fsyncs must reach a disk, not tmpfs).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
surface=${SURFACE:-ripple}
res=${RES:-4096}
backend=${BACKEND:-cpu}
bin=$(realpath "${LANDSCAPE:-bin/landscape}")
export LANDSCAPE_PLUGIN_PATH=${LANDSCAPE_PLUGIN_PATH:-$(realpath bin/plugins)}
[ -x "$bin" ] || { echo "bench/cluster.sh: $bin is not built (make build)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-$PWD}/.bench-cluster.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
grid=(eval "$surface" --res "$res" --backend "$backend")
[ -z "${SET:-}" ] || grid+=(--set "$SET")

now() { date +%s.%N; }
run() { # variant -> seconds on stdout; the grid in out.npy
  local v=$1 t0 t1 n i
  rm -rf out.npy part-*.shard .out.npy.journal
  t0=$(now)
  case $v in
    whole) "$bin" "${grid[@]}" --no-journal -o out.npy ;;
    journal) "$bin" "${grid[@]}" -o out.npy ;;
    shards-*)
      n=${v#shards-}
      for ((i = 0; i < n; i++)); do "$bin" "${grid[@]}" --shard "$i/$n" -o "part-$i.shard"; done
      "$bin" merge part-*.shard -o out.npy 2>/dev/null ;;
  esac
  t1=$(now)
  echo "$t1 - $t0" | bc
}

read -ra variants <<<"${VARIANTS:-whole journal shards-1 shards-2 shards-4}"
"$bin" "${grid[@]}" --no-journal -o ref.npy # warm the plugin's file cache; the reference
echo "landscape ${grid[*]}: $rounds rounds of ${variants[*]}, alternately" >&2
echo "load before: $(uptime)" >&2
for ((r = 0; r < rounds; r++)); do
  for v in "${variants[@]}"; do
    s=$(run "$v")
    cmp -s out.npy ref.npy || { echo "bench/cluster.sh: $v's grid differs from the unsharded one" >&2; exit 1; }
    echo "$v $s" >>times
  done
done
echo "load after:  $(uptime)" >&2
awk -v order="${variants[*]}" '
  { t[$1, ++n[$1]] = $2 }
  function median(v,   m, i, j, x) {
    m = n[v]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (t[v, j] < t[v, i]) { x = t[v, i]; t[v, i] = t[v, j]; t[v, j] = x }
    return m % 2 ? t[v, (m + 1) / 2] : (t[v, m / 2] + t[v, m / 2 + 1]) / 2
  }
  END {
    k = split(order, vs, " ")
    base = median("whole")
    printf "%-10s %10s %10s %10s %9s\n", "variant", "median s", "min s", "max s", "vs whole"
    for (i = 1; i <= k; i++) {
      v = vs[i]; m = median(v)
      printf "%-10s %10.3f %10.3f %10.3f %+8.1f%%\n", v, m, t[v, 1], t[v, n[v]], 100 * (m / base - 1)
    }
  }' times
