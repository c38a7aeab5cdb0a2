#!/usr/bin/env bash
# e2e: kube-apiserver stops and comes back while `serve --kubeconfig` runs (etcd
# keeps running). Checked:
#   - serve survives the outage (pid alive throughout) and exits 0 on SIGTERM at the end
#   - its watch was reopened or its list redone (watch_restarts / relists went up)
#   - its cache converges with the cluster (irsa_webhook_service_accounts)
#   - STORED pods created afterwards are mutated: for a ServiceAccount from
#     before the outage and for one created after the restart
# The apiserver gets SIGKILL 2s after SIGTERM (IRSA_E2E_APISERVER_STOP_GRACE):
# a terminating apiserver holds open watches for much longer.
# Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

NS="irsa-restart"
ROLE_BEFORE="arn:aws:iam::111122223333:role/before"
ROLE_AFTER="arn:aws:iam::111122223333:role/after"
TMP="${WH_TMP}"
export IRSA_E2E_APISERVER_STOP_GRACE="${IRSA_E2E_APISERVER_STOP_GRACE:-2}"
OUTAGE_SECONDS="${IRSA_E2E_OUTAGE_SECONDS:-3}"

e2e_namespace "${NS}"
kubectl -n "${NS}" create serviceaccount before >/dev/null
kubectl -n "${NS}" annotate serviceaccount before eks.amazonaws.com/role-arn="${ROLE_BEFORE}" >/dev/null

wh_start --kubeconfig "${KUBECONFIG}" -v 3
check "serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
check "/readyz is 200 after the cache synced" test "$(wh_readyz)" = 200
wh_register
check "apiserver calls the webhook (server-side dry run is mutated, within 20s)" \
  wait_dry_run 20 probe before "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
create_pod pre before || true
check "before the outage: stored pod mutated" pod_is_mutated "${TMP}/pre.json" "${ROLE_BEFORE}"

restarts0="$(wh_metric irsa_webhook_watch_restarts_total)"
relists0="$(wh_metric irsa_webhook_relists_total)"
wh_log_mark

# --- the outage: the apiserver goes away for OUTAGE_SECONDS, then comes back
"${E2E_DIR}/control-plane.sh" stop-apiserver "${E2E_WORKDIR}"
sleep "${OUTAGE_SECONDS}"
check "during the outage: serve is running" wh_alive
check "during the outage: serve logged the failing watch" _wh_log_has 'Watch failed'
check "during the outage: /metrics answers" eval "wh_metrics >/dev/null"
"${E2E_DIR}/control-plane.sh" start-apiserver "${E2E_WORKDIR}"

kubectl -n "${NS}" create serviceaccount after >/dev/null
kubectl -n "${NS}" annotate serviceaccount after eks.amazonaws.com/role-arn="${ROLE_AFTER}" >/dev/null

_recovered() {
  (($(wh_metric irsa_webhook_watch_restarts_total) + $(wh_metric irsa_webhook_relists_total) > restarts0 + relists0))
}
check "after the restart: watch_restarts or relists went up (within 30s)" poll 30 _recovered
check "after the restart: the cache converges with the cluster (within 30s)" poll 30 cache_matches_cluster
printf '# apiserver restart: watch_restarts %s -> %s, relists %s -> %s\n' "${restarts0}" \
  "$(wh_metric irsa_webhook_watch_restarts_total)" "${relists0}" "$(wh_metric irsa_webhook_relists_total)"
check "after the restart: /readyz is 200" test "$(wh_readyz)" = 200

# The restarted apiserver loads the MutatingWebhookConfiguration anew: wait
# until it calls the webhook again (a pod it created unmutated would be its fault).
check "after the restart: apiserver calls the webhook again (dry run, within 20s)" \
  wait_dry_run 20 probe after "${NS}" ".spec.containers[0].env[] | select(.name==\"AWS_ROLE_ARN\" and .value==\"${ROLE_AFTER}\")"
hits0="$(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="hit"}')"
create_pod post-before before || true
check "after the restart: pod of the ServiceAccount from before is mutated" \
  pod_is_mutated "${TMP}/post-before.json" "${ROLE_BEFORE}"
check "after the restart: its unknown fields survive" pod_keeps_unknown_fields "${TMP}/post-before.json"
create_pod post-after after || true
check "after the restart: pod of a ServiceAccount created after the restart is mutated" \
  pod_is_mutated "${TMP}/post-after.json" "${ROLE_AFTER}"
check "after the restart: both lookups were cache hits (the watch is back)" \
  test "$(($(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="hit"}') - hits0))" = 2

check "serve never exited (pid ${WEBHOOK_PID} alive)" wh_alive
wh_stop 30 || true
check "serve exits 0 on SIGTERM (exit ${WEBHOOK_EXIT})" test "${WEBHOOK_EXIT}" = 0

e2e_summary
