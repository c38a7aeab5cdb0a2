#!/usr/bin/env bash
# clang-tidy over the product's C++ (every tracked .cpp outside test/ and
# bench/test/) with the checks .clang-tidy configures; any finding fails.
# The headers are checked through the files that include them
# (HeaderFilterRegex). It needs a build's compile_commands.json, so it runs
# after the Release build in scripts/test.sh.
#
# clang-tidy 16, not Debian 12's default 14: 14 cannot parse libstdc++ 12's
# <source_location>, which util/Log uses (scripts/setup.sh installs it).
#
# Usage: scripts/tidy.sh [BUILD_DIR]    default build/; ~9 min on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."

build="${1:-build}"
tidy=clang-tidy-16
command -v "${tidy}" >/dev/null || { echo "tidy: ${tidy} not found: run scripts/setup.sh" >&2; exit 2; }
[[ -f "${build}/compile_commands.json" ]] \
  || { echo "tidy: no ${build}/compile_commands.json: build first (scripts/build.sh ${build})" >&2; exit 2; }

mapfile -t files < <(git ls-files '*.cpp' | grep -v -e '^test/' -e '/test/')
echo "tidy: ${tidy} over ${#files[@]} files"
# One clang-tidy per file, two at a time; xargs exits non-zero when any of
# them reports a finding (warnings are errors here).
printf '%s\n' "${files[@]}" \
  | xargs -P 2 -n 1 "${tidy}" -p "${build}" --quiet --warnings-as-errors='*'
echo "tidy: clean"
