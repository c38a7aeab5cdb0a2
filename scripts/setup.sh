#!/usr/bin/env bash
# Installs the Debian packages that irsa-webhook needs to build, test and run.
# Only missing packages are installed, so a second run is a no-op.
#
# Usage: scripts/setup.sh               everything (build + tests + developer tools): CI, quickstart
#        scripts/setup.sh --build-only  only what `scripts/build.sh BUILD_DIR -DIRSA_BUILD_TESTS=OFF`
#                                       needs: the container image's build stage (Dockerfile)
#        scripts/setup.sh --bench       everything, plus the plotting tool of bench/run-all.sh
# Besides the Debian packages, everything but --build-only gets ruff (the Python
# linter of scripts/lint.sh), pinned, from PyPI with pip.
set -euo pipefail

# To compile and link build/irsa-webhook.
build_packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libssl-dev rapidjson-dev libyaml-cpp-dev prometheus-cpp-dev
)
# For the tests (GoogleTest, the e2e and quickstart scripts, the libFuzzer
# targets: clang 16 and its fuzzer and sanitizer runtimes) and development.
test_packages=(
  googletest libgtest-dev
  openssl curl ca-certificates jq python3 python3-pip python3-pytest python3-pytest-timeout
  clang-format clang-tidy-16 shellcheck
  clang-16 libclang-rt-16-dev
  nghttp2-client
  iproute2
)
# ruff is not in Debian 12; pinned so a new release's rules never turn CI red.
ruff_version=0.17.6
# For bench/: gnuplot draws the PNG plots (h2load, the cross-check, is above).
bench_packages=(gnuplot-nox)

case "${1:-}" in
  "") packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  --build-only) packages=("${build_packages[@]}") ;;
  --bench) packages=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
  *) echo "usage: $0 [--build-only|--bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" != --build-only ] || exit 0
if [ "$(python3 -m ruff --version 2>/dev/null)" = "ruff ${ruff_version}" ]; then
  echo "setup: ruff ${ruff_version} present"
else
  echo "setup: installing ruff ${ruff_version} (pip)"
  # PIP_BREAK_SYSTEM_PACKAGES: Debian's own python3 refuses pip installs
  # (PEP 668) unless told; ruff is one self-contained binary, no dependencies.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check "ruff==${ruff_version}"
fi
