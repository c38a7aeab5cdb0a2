#!/usr/bin/env bash
# Scenario 4: TLS handshakes (ECDSA P-256 certificate from `dev-cert`).
#
#  - storm: 75 new TLS connections at once, one request each (3 apiservers
#    x 25 idle connections reconnecting after a webhook restart);
#  - rate: a closed loop of full handshakes (no session resumption), one
#    request per connection, for handshakes per second and per server CPU-second.
#
# Writes BENCH_OUT/raw/4-storm-<run>.json and 4-handshakes-<run>.json.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

corpus="$(bench_corpus small)"
for run in $(seq "${BENCH_REPEAT}"); do
  bench_serve "${corpus}"
  bench_log "4-handshakes: storm of 75, run ${run}"
  bench_load storm "${corpus}" "${BENCH_OUT}/raw/4-storm-${run}.json" --connections 75 --label storm-75
  bench_log "4-handshakes: full handshakes, run ${run}"
  bench_load handshakes "${corpus}" "${BENCH_OUT}/raw/4-handshakes-${run}.json" \
    --connections 8 --duration "$(bench_window 10s 2s)" --label handshakes
  bench_stop
done
bench_log "4-handshakes: done"
