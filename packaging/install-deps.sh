#!/usr/bin/env bash
# Installs every Debian package SRDD Studio needs to build, test and run.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqcustomplot-dev libxkbcommon-dev
  libtorch-dev libopenblas0-pthread nlohmann-json3-dev
  xvfb xauth imagemagick poppler-utils libgl1-mesa-dev fonts-dejavu-core
  openssh-server openssh-client ccache
  pybind11-dev python3-dev python3-numpy python3-jsonschema
  clang-format  # packaging/check-format.sh
  clang libclang-rt-14-dev libomp-dev  # the sanitizer and libFuzzer build (packaging/run-sanitized.sh)
  librsvg2-bin desktop-file-utils appstream
  fonts-wqy-microhei chromium  # the proposal report: CJK figures (--lang zh), and its HTML rendered in a test
  libcli11-dev help2man
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
