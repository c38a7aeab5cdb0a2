#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 16; ASan + UBSan, assertions on) and runs
# each for SECONDS from a copy of its checked-in seed corpus and the inputs that
# once crashed it (regressions/), so the repository is never written to. Any crash, invariant failure, leak, timeout or
# out-of-memory fails the run, and its input is kept (the path is printed).
# scripts/test.sh runs it for 45 s a target; test/fuzz/README.md has more.
#
# Usage: test/fuzz/run.sh [SECONDS [TARGET...]]    default: 60, every target
#   targets: admission http config oidc
# Environment:
#   IRSA_FUZZ_BUILD=DIR        the build directory (default build-fuzz)
#   IRSA_FUZZ_CMAKE_ARGS="…"   more cmake arguments (e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
#   IRSA_FUZZ_ARGS="…"         more libFuzzer flags (e.g. -fork=2, -jobs=4, -seed=1)
#   IRSA_FUZZ_KEEP=1           keep the work directory (grown corpora, logs) after a pass
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(admission http config oidc)
build=${IRSA_FUZZ_BUILD:-build-fuzz}
read -r -a cmake_args <<<"${IRSA_FUZZ_CMAKE_ARGS:-}"
read -r -a fuzz_args <<<"${IRSA_FUZZ_ARGS:-}"

# The longest input each target gets: a pod of a few KiB as a review; a few
# requests past the small header and body limits HttpFuzzer sets.
declare -A max_len=([admission]=16384 [http]=8192 [config]=8192 [oidc]=8192)

command -v clang++-16 >/dev/null || { echo "fuzz: clang++-16 not found: run scripts/setup.sh" >&2; exit 2; }
# -O1 with line tables, as libFuzzer recommends; no NDEBUG, so RapidJSON's
# assertions on its own use are checked too.
cmake -S . -B "${build}" -G Ninja -DCMAKE_CXX_COMPILER=clang++-16 -DIRSA_FUZZ=ON \
  -DIRSA_BUILD_TESTS=OFF -DIRSA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" "${cmake_args[@]}" >/dev/null
cmake --build "${build}" -j "$(nproc 2>/dev/null || echo 2)" --target irsa-fuzzers

work=$(mktemp -d "${TMPDIR:-/tmp}/irsa-fuzz.XXXXXX")
failed=()
for target in "${targets[@]}"; do
  [[ -n "${max_len[${target}]:-}" ]] || { echo "fuzz: unknown target ${target}" >&2; exit 2; }
  cp -r "test/fuzz/corpus/${target}" "${work}/${target}"
  # Inputs that once crashed start every run too.
  [[ ! -d "test/fuzz/regressions/${target}" ]] || cp "test/fuzz/regressions/${target}"/* "${work}/${target}/"
  seeds=$(find "${work}/${target}" -type f | wc -l)
  log="${work}/${target}.log"
  start=${SECONDS}
  # stdin from /dev/null: a fuzzed kubeconfig may name /dev/stdin as a file.
  if "${build}/fuzz/fuzz-${target}" -max_total_time="${seconds}" -max_len="${max_len[${target}]}" \
    -timeout=25 -rss_limit_mb=2048 -dict="test/fuzz/dict/${target}.dict" -print_final_stats=1 \
    -artifact_prefix="${work}/${target}-" "${fuzz_args[@]}" "${work}/${target}" </dev/null >"${log}" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}" | tail -n 1)
    grown=$(find "${work}/${target}" -type f | wc -l)
    echo "fuzz: ${target}: $((SECONDS - start)) s, ${runs:-?} runs, corpus ${seeds} -> ${grown}, no crash"
  else
    failed+=("${target}")
    echo "fuzz: ${target}: FAILED after $((SECONDS - start)) s; the end of its log:"
    grep -v -e '^#[0-9]' -e '^INFO: ' "${log}" | tail -n 40
    echo "fuzz: the input: $(ls "${work}/${target}"-* 2>/dev/null || echo none); reproduce:" \
      "${build}/fuzz/fuzz-${target} <that file>"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (inputs and logs kept in ${work})"
  exit 1
fi
if [[ "${IRSA_FUZZ_KEEP:-0}" == 1 ]]; then
  echo "fuzz: grown corpora and logs kept in ${work}"
else
  rm -rf "${work}"
fi
