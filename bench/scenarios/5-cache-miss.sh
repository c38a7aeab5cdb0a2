#!/usr/bin/env bash
# Scenario 5: the cache-miss path. A ServiceAccount is created just before its
# pod, so the pod reaches the webhook before the watch has delivered the
# ServiceAccount: the webhook waits (asynchronously) for the watch or its one
# direct GET. Compared with pods whose ServiceAccount is cached. `serve`
# watches a real kube-apiserver (the e2e control plane); bench/scenarios/
# cache_miss.py drives it. Also records the webhook's own lookup counters.
#
# Writes BENCH_OUT/raw/5-cache-miss-<run>.json.
set -euo pipefail
SCENARIO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${E2E_WORKDIR:-}" ]]; then
  bash "${SCENARIO_DIR}/../../test/e2e/build-tools.sh" >&2 || exit 1
  exec "${SCENARIO_DIR}/../../test/e2e/with-control-plane.sh" "${SCENARIO_DIR}/$(basename "${BASH_SOURCE[0]}")" "$@"
fi
. "${SCENARIO_DIR}/lib.sh"

n="$(bench_window 300 30)"
for run in $(seq "${BENCH_REPEAT}"); do
  # Not pinned: the apiserver and etcd need the cores too.
  SERVER_CPU=0-1 bench_serve - --kubeconfig "${KUBECONFIG}"
  bench_log "5-cache-miss: run ${run}, ${n} new ServiceAccounts"
  # A namespace of its own per run (no namespace controller runs to delete one).
  python3 "${SCENARIO_DIR}/cache_miss.py" "${BENCH_URL}" "${BENCH_TMP}/certs/ca.crt" "${n}" \
    "${BENCH_TMP}/miss.json" "bench-miss-${run}" || bench_die "cache_miss.py failed"
  metrics_port="$(sed -n 's/.* metricsPort=\([0-9]*\).*/\1/p' "${BENCH_TMP}/serve.log" | head -n1)"
  curl -sf "http://127.0.0.1:${metrics_port}/metrics" | grep '^irsa_webhook_service_account_lookups_total' \
    >"${BENCH_TMP}/lookups.txt" || true
  python3 - "${BENCH_TMP}/miss.json" "${BENCH_TMP}/lookups.txt" "${BENCH_OUT}/raw/5-cache-miss-${run}.json" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
report["lookups"] = {m.group(1): int(float(m.group(2))) for m in
                     re.finditer(r'outcome="(\w+)"\} (\S+)', open(sys.argv[2]).read())}
json.dump(report, open(sys.argv[3], "w"), indent=1)
PY
  bench_stop
done
bench_log "5-cache-miss: done"
