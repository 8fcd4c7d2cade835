#!/usr/bin/env bash
# Installs the Debian packages landscape needs to build and test, only those
# missing: a C toolchain for cgo, Mesa (OpenGL 4.5 with compute shaders on
# llvmpipe, EGL), Xvfb with xauth, X11 headers for GLFW, and NumPy for the
# side-by-side benchmark, and Slurm with munge for the single-node cluster
# the Slurm test starts on localhost. Uses sudo when not root.
set -euo pipefail
pkgs=(gcc libc6-dev pkg-config make procps
      libgl1-mesa-dev libegl-dev libgl1-mesa-dri libegl-mesa0 mesa-utils
      xvfb xauth libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
      python3 python3-numpy
      slurmctld slurmd slurm-client munge)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
