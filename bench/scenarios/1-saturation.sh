#!/usr/bin/env bash
# Scenario 1: saturation throughput and CPU per request.
#
# For each pod size (small ~2 KB, medium ~7.5 KB, large ~40 KB): `serve` on one
# core, irsa-bench on the other in closed loop over 8 keep-alive connections.
# Reports requests/s (= per core), server CPU seconds per 1,000 requests from
# /proc, and the p99. Then, for the medium pods: the highest open-loop rate held
# with p99 under 2 ms (irsa-bench saturate), and h2load --h1 as an independent
# cross-check of the closed-loop figure.
#
# Writes BENCH_OUT/raw/1-*.json; bench/scenarios/summarize.py reads them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

duration="$(bench_window 10s 2s)"
for size in small medium large; do
  corpus="$(bench_corpus "${size}")"
  for run in $(seq "${BENCH_REPEAT}"); do
    bench_serve "${corpus}"
    bench_log "1-saturation: ${size} pods, run ${run}: closed loop, 8 connections, ${duration}"
    bench_load run "${corpus}" "${BENCH_OUT}/raw/1-closed-${size}-${run}.json" \
      --rate 0 --connections 8 --duration "${duration}" --warmup 2s --label "closed-${size}"
    bench_stop
  done
done

corpus="$(bench_corpus medium)"
for run in $(seq "${BENCH_REPEAT}"); do
  bench_serve "${corpus}"
  bench_log "1-saturation: medium pods, run ${run}: highest open-loop rate with p99 < 2ms"
  bench_load saturate "${corpus}" "${BENCH_OUT}/raw/1-saturate-medium-${run}.json" \
    --p99-bound 2ms --connections 32 --start-rate 2000 --step-duration "$(bench_window 5s 1s)" \
    --time-limit "$(bench_window 120s 15s)" --label "saturate-medium"
  bench_stop
done

# Cross-check with an independent load generator: one mutated medium review,
# h2load over HTTP/1.1, the same 8 connections, server CPU read from /proc.
command -v h2load >/dev/null || bench_die "h2load not found (scripts/setup.sh installs nghttp2-client)"
# Every request of a mutated=100 corpus is mutated: the first one stands for the
# mutated share of the irsa-bench runs.
h2corpus="$(bench_corpus medium mutated=100)"
body="${BENCH_TMP}/h2load-body.json"
head -n1 "${h2corpus}/requests.jsonl" | tr -d '\n' >"${body}"
requests="$(bench_window 200000 20000)"
for run in $(seq "${BENCH_REPEAT}"); do
  bench_serve "${h2corpus}"
  bench_log "1-saturation: h2load --h1 cross-check, run ${run}: ${requests} requests"
  cpu0="$(bench_cpu_seconds "${SERVER_PID}")"
  taskset -c "${CLIENT_CPU}" h2load --h1 -n "${requests}" -c 8 -m 1 -d "${body}" \
    -H 'Content-Type: application/json' "${BENCH_URL}" >"${BENCH_TMP}/h2load.txt" 2>&1 \
    || { cat "${BENCH_TMP}/h2load.txt" >&2; bench_die "h2load failed"; }
  cpu1="$(bench_cpu_seconds "${SERVER_PID}")"
  python3 - "${BENCH_TMP}/h2load.txt" "${cpu0}" "${cpu1}" "${BENCH_OUT}/raw/1-h2load-medium-${run}.json" "$(wc -c <"${body}")" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
rate = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
status = re.search(r"status codes: (\d+) 2xx", text)
total, succeeded = int(m.group(1)), int(m.group(4))
cpu = float(sys.argv[3]) - float(sys.argv[2])
json.dump({"tool": "h2load", "label": "h2load-medium", "requestBytes": int(sys.argv[5]),
           "requests": total, "succeeded": succeeded, "status2xx": int(status.group(1)) if status else 0,
           "achievedRate": rate, "serverCpuSeconds": cpu,
           "cpuSecondsPer1000Requests": cpu * 1000 / total if total else None},
          open(sys.argv[4], "w"), indent=1)
if succeeded != total:
    sys.exit(f"h2load: {total - succeeded} of {total} requests failed")
PY
  bench_stop
done
bench_log "1-saturation: done"
