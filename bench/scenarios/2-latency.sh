#!/usr/bin/env bash
# Scenario 2: latency at fixed rates (500, 2,000 and 5,000 req/s), open loop.
#
# Medium pods (~7.5 KB), 16 keep-alive connections, `serve` on one core. Each
# request's latency counts from its scheduled send time, so a stall shows up
# in every request queued behind it (no coordinated omission). The client is
# on the same machine: its figures are an upper bound of the server's. The
# server's own view comes from its irsa_webhook_admission_duration_seconds
# histogram (arrival of a request to its answer written), read after the run:
# a percentile is reported as the bucket bound it falls under.
#
# Writes BENCH_OUT/raw/2-rate-<R>-<run>.json and 2-server-<R>-<run>.json.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

corpus="$(bench_corpus medium)"
duration="$(bench_window 20s 2s)"
for rate in 500 2000 5000; do
  for run in $(seq "${BENCH_REPEAT}"); do
    bench_serve "${corpus}"
    bench_log "2-latency: ${rate} req/s, run ${run}, ${duration}"
    bench_load run "${corpus}" "${BENCH_OUT}/raw/2-rate-${rate}-${run}.json" \
      --rate "${rate}" --connections 16 --duration "${duration}" --warmup 2s --label "rate-${rate}"
    bench_server_quantiles "${BENCH_OUT}/raw/2-server-${rate}-${run}.json"
    bench_stop
  done
done
bench_log "2-latency: done"
