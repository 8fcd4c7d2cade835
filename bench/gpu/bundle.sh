#!/usr/bin/env bash
# Prepares, on this machine, what bench/gpu/run.sh needs on a GPU machine
# that has no Go, no X server and no network (this workplace's device
# machines): stripped binaries and the Debian packages they need at run
# time, in two bundles small enough to travel one at a time:
#
#   .gpu/core  the landscape binary and the plugins the suite uses, and the
#              GL loader (glvnd) and X11 client libraries;
#   .gpu/x     Xvfb and Mesa, for the viewer under Xvfb (GLX windows render
#              on the NVIDIA GPU with __GLX_VENDOR_LIBRARY_NAME=nvidia).
#
# Usage: bench/gpu/bundle.sh   (from the repository root; needs apt-get)
set -euo pipefail
root=$(pwd)
out=$root/.gpu
rm -rf "$out/core" "$out/x"
mkdir -p "$out/core/debs" "$out/x/debs"

echo "bundle: building stripped binaries"
GO=${GO:-go}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
mkdir -p "$bin/bin/plugins"
GOOS=linux GOARCH=amd64 $GO build -trimpath -ldflags='-s -w' -o "$bin/bin/landscape" ./cmd/landscape
for p in testfuncs models optimizers; do
  GOOS=linux GOARCH=amd64 $GO build -trimpath -ldflags='-s -w' -o "$bin/bin/plugins/landscape-plugin-$p" ./plugins/$p
done
tar -C "$bin" -cf - bin | xz -6 -T0 >"$out/core/bin.tar.xz"

# Debian packages for amd64, whatever this machine is (the device machines
# are x86-64).
lists=/tmp/landscape-gpu-apt
mkdir -p "$lists/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
apt-get "${o[@]}" update -qq
download() { # DIR PACKAGE...
  local dir=$1
  shift
  (cd "$dir" && apt-get "${o[@]}" download -qq "$@")
}
# The closure of what pkgs depend on, less what every Debian or Ubuntu base
# system has.
closure() {
  apt-cache "${o[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "$@" | grep -v '^[ <]' | sort -u | grep -vxE \
    'gcc-[0-9]+-base|libc6|libgcc-s1|libstdc\+\+6|zlib1g|lsb-base|sysvinit-utils|libselinux1|libpcre2-8-0|libaudit-common|libaudit1|libcap-ng0|libcap2|libgcrypt20|libgpg-error0|libsystemd0|libelogind0|liblz4-1|liblzma5|libzstd1|libbz2-1.0|libuuid1|libexpat1|libtinfo6|libffi8|debconf|perl-base|dpkg|tar|libcrypt1|libacl1|libattr1'
}
# The GL loader goes to / on the device (as its README says); the rest
# into a prefix of its own (debs/prefix), but for Mesa's DRI driver and
# xkbcomp, which Xvfb finds only at the paths it was built with (debs/root).
download "$out/core/debs" libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2
mkdir -p "$out/core/debs/prefix"
download "$out/core/debs/prefix" libx11-6 libx11-data libxcb1 libxau6 libxdmcp6 libbsd0 libmd0
x=$(closure xvfb xauth x11-xkb-utils libgl1-mesa-dri libglx-mesa0 libxrandr2 libxinerama1 libxcursor1 libxi6 libxxf86vm1 |
  grep -vxE 'libegl1|libglvnd0|libopengl0|libgl1|libglx0|libgles2|libx11-6|libx11-data|libxcb1|libxau6|libxdmcp6|libbsd0|libmd0')
mkdir -p "$out/x/debs/root"
# shellcheck disable=SC2086
download "$out/x/debs" $(echo "$x" | grep -vxE 'libgl1-mesa-dri|x11-xkb-utils')
download "$out/x/debs/root" libgl1-mesa-dri x11-xkb-utils
du -sh "$out/core" "$out/x"
cat <<'MSG'
bundle: ready. On a device machine, from the repository root, two runs:
  run 1, carry [".gpu/core"]:  bash bench/gpu/run.sh analytic models
  run 2, carry [".gpu/x"], at once (the warm machine keeps .gpu/core):  bash bench/gpu/run.sh viewer
MSG
