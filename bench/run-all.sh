#!/usr/bin/env bash
# The whole benchmark, from a fresh Debian machine, in one command:
#
#   bench/run-all.sh            every scenario, BENCH_REPEAT (default 3) runs each
#   BENCH_QUICK=1 bench/run-all.sh   short windows, one run: checks the scripts work
#
# Installs what is missing (scripts/setup.sh --bench), builds Release into
# BENCH_BUILD (default build/; a build directory configured from another checkout
# is used as it is), runs scenarios 1-7 (bench/scenarios/<n>_<name>.py, with
# Debian's python3), then writes BENCH_OUT (default bench/results/): raw/*.json
# per run, summary.json and summary.md (medians, targets) and the plots
# latency.png, throughput.png, sidebyside.png. Scenarios 3, 5 and 7 start a
# throwaway kube-apiserver + etcd on loopback (built once from their pinned Go
# modules, like the e2e tests); scenario 7 runs the reference webhook beside
# irsa-webhook (built once from ../shared/reference by
# test/e2e/build-reference.sh). BENCH_SCENARIOS="1 2" runs a subset. Takes
# about 50 minutes with the defaults (the soak is 11 of them, the side by side
# about 14).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --bench
export BENCH_BUILD="${BENCH_BUILD:-$PWD/build}"
source_dir="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "${BENCH_BUILD}/CMakeCache.txt" 2>/dev/null || true)"
if [[ -n "${source_dir}" && "$(realpath "${source_dir}")" != "$(pwd -P)" ]]; then
  echo "run-all: ${BENCH_BUILD} is a build of ${source_dir}: used as it is, not rebuilt"
else
  scripts/build.sh "${BENCH_BUILD}"
fi
export BENCH_OUT="${BENCH_OUT:-$PWD/bench/results}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then export BENCH_REPEAT="${BENCH_REPEAT:-1}"; fi

mkdir -p "${BENCH_OUT}/raw"
for scenario in ${BENCH_SCENARIOS:-1 2 3 4 5 6 7}; do
  script=(bench/scenarios/"${scenario}"_*.py)
  [[ -f "${script[0]}" ]] || { echo "run-all: no scenario ${scenario}" >&2; exit 2; }
  rm -f "${BENCH_OUT}/raw/${scenario}"-*.json
  echo "== ${script[0]}"
  /usr/bin/python3 "${script[0]}"
done
/usr/bin/python3 bench/scenarios/summarize.py "${BENCH_OUT}"
gnuplot -e "dir='${BENCH_OUT}'" bench/scenarios/plot.gp
echo "run-all: results in ${BENCH_OUT} (summary.md, summary.json, latency.png, throughput.png, sidebyside.png)"
