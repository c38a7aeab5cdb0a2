#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is
# missing, builds, and runs every test. `.ci/run` runs exactly this.
#
#   0. the linters (scripts/lint.sh: clang-format, shellcheck, ruff), before the build;
#   1. unit, fixture and server integration tests (ctest) on a Release build, then
#      clang-tidy over the product's C++ with that build's compile commands (scripts/tidy.sh);
#   2. end-to-end tests against a real kube-apiserver and etcd, built once from
#      their pinned Go modules into ~/.cache/irsa-webhook/tools (IRSA_SKIP_E2E=1 skips);
#   3. Helm chart checks: helm-unittest suites, helm lint --strict, deploy/ in step
#      with the chart, with a pinned helm and helm-unittest built the same way, and
#      the container image's checks (no Docker engine);
#   4. a smoke run of every bench scenario: short windows, one run each, so the
#      scripts keep working (bench/run-all.sh; IRSA_SKIP_BENCH=1 skips);
#   5. the unit tests again under AddressSanitizer + UBSan (IRSA_SKIP_ASAN=1 skips);
#   6. the unit tests again under ThreadSanitizer (IRSA_SKIP_TSAN=1 skips);
#   7. every libFuzzer target for 45 s from its seed corpus (test/fuzz/run.sh; IRSA_SKIP_FUZZ=1 skips).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== lint"
bash scripts/lint.sh

echo "== build (Release)"
scripts/build.sh build
echo "== tests (Release)"
ctest --test-dir build --output-on-failure -j 2 --timeout 300
echo "== clang-tidy"
bash scripts/tidy.sh build

if [ "${IRSA_SKIP_E2E:-0}" != "1" ]; then
  echo "== e2e (real kube-apiserver)"
  IRSA_BINARY="$PWD/build/irsa-webhook" bash test/e2e/run.sh
fi

echo "== Helm chart (helm-unittest, lint, deploy/ in step) and container image"
bash test/e2e/build-helm.sh
bash test/e2e/build-helm-unittest.sh
bash test/chart/lint.sh
IRSA_BINARY="$PWD/build/irsa-webhook" bash test/chart/image.sh

if [ "${IRSA_SKIP_BENCH:-0}" != "1" ]; then
  echo "== bench scenarios (smoke: short windows, one run; the numbers mean nothing here)"
  BENCH_QUICK=1 BENCH_OUT="$(mktemp -d)" bench/run-all.sh
fi

if [ "${IRSA_SKIP_ASAN:-0}" != "1" ]; then
  echo "== build (AddressSanitizer + UBSan)"
  # Debug (-O0): the sanitizers find the same bugs, and it compiles much faster.
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DIRSA_SANITIZE=ON
  echo "== tests (AddressSanitizer + UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j 2 --timeout 600
fi

if [ "${IRSA_SKIP_TSAN:-0}" != "1" ]; then
  echo "== build (ThreadSanitizer)"
  # Debug (-O0), as for ASan: half the CPU of a RelWithDebInfo build; the tests take 1-2.5 min.
  scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=Debug -DIRSA_TSAN=ON
  echo "== tests (ThreadSanitizer)"
  # Each entry of tsan.supp says why it is not a race of ours. The children
  # (irsa-webhook, irsa-bench) inherit the options, and their stderr goes to
  # files the tests delete: so every report goes to tsan-reports/, shown below.
  # setarch -R: GCC 12's TSan cannot place its shadow memory when the kernel
  # randomizes mmap with more bits than 28 (vm.mmap_rnd_bits=32 on recent
  # kernels: "unexpected memory mapping"); without randomization it always can.
  reports="$PWD/build-tsan/tsan-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  tsan_status=0
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp:log_path=$reports/tsan" \
    setarch "$(uname -m)" -R ctest --test-dir build-tsan --output-on-failure -j 2 --timeout 600 || tsan_status=$?
  if [ -n "$(ls -A "$reports")" ]; then
    cat "$reports"/*
    echo "ThreadSanitizer reported the above (one file per process, in $reports)" >&2
    tsan_status=1
  fi
  if [ "$tsan_status" != 0 ]; then exit "$tsan_status"; fi
fi

if [ "${IRSA_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzzing (libFuzzer + ASan/UBSan, 45 s a target)"
  bash test/fuzz/run.sh 45
fi
