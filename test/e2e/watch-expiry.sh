#!/usr/bin/env bash
# e2e: the webhook's watch expires (410 Gone, "too old resource version") and it
# must relist. How: while `serve` is frozen (SIGSTOP: a webhook cut off from the
# apiserver, e.g. by a partition or a long pause), the apiserver is restarted
# (so the open watch is gone), ServiceAccounts change (one created, one
# re-annotated, one deleted), etcd is compacted to its current revision and the
# apiserver restarted again (so its watch cache starts after the compaction).
# Then `serve` resumes: its watch resumes from a resourceVersion that no longer
# exists, gets 410, and must relist. Checked:
#   - the webhook saw the 410 and irsa_webhook_relists_total went up
#   - the cache converged: the created and the re-annotated ServiceAccounts are
#     used by the next STORED pods; the deleted one is gone (an AdmissionReview
#     for its pod, sent straight to /mutate, gets no patch: the ServiceAccount
#     admission plugin refuses such pods before any webhook)
#   - serve never exited, and exits 0 on SIGTERM
# Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

NS="irsa-expiry"
ROLE="arn:aws:iam::111122223333:role"
TMP="${WH_TMP}"
export IRSA_E2E_APISERVER_STOP_GRACE="${IRSA_E2E_APISERVER_STOP_GRACE:-2}"
CP="${E2E_DIR}/control-plane.sh"

# An AdmissionReview for a pod of 'doomed', straight to /mutate: patched or not.
doomed_patched() {
  review_pod "${NS}" doomed | jq -e '.response.allowed == true and (.response.patch // "" | length > 0)' >/dev/null
}
doomed_unpatched() {
  review_pod "${NS}" doomed | jq -e '.response.allowed == true and (.response | has("patch") | not)' >/dev/null
}
doomed_pod_refused() { ! pod_manifest post-doomed doomed | kubectl create -f - >/dev/null 2>&1; }
saw_gone() { wh_log_since_mark | grep -Eq 'code=410|HTTP 410|too old resource version'; }
# What /debug/alpha/cache ({"ns/name": {"RoleARN": …}}) holds before and after.
cache_before() {
  wh_debug_cache | jq -e --arg ns "${NS}" --arg role "${ROLE}" \
    'has($ns + "/doomed") and .[$ns + "/reannotated"].RoleARN == $role + "/reannotated"' >/dev/null
}
cache_after() {
  wh_debug_cache | jq -e --arg ns "${NS}" --arg role "${ROLE}" \
    '(has($ns + "/doomed") | not) and .[$ns + "/created"].RoleARN == $role + "/created"
     and .[$ns + "/reannotated"].RoleARN == $role + "/reannotated-v2"' >/dev/null
}

e2e_namespace "${NS}"
for sa in stays reannotated doomed; do
  kubectl -n "${NS}" create serviceaccount "${sa}" >/dev/null
  kubectl -n "${NS}" annotate serviceaccount "${sa}" eks.amazonaws.com/role-arn="${ROLE}/${sa}" >/dev/null
done

wh_start --kubeconfig "${KUBECONFIG}" --enable-debugging-handlers -v 3
check "serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
check "/readyz is 200 after the cache synced" test "$(wh_readyz)" = 200
wh_register
check "apiserver calls the webhook (server-side dry run is mutated, within 20s)" \
  wait_dry_run 20 probe stays "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
create_pod pre reannotated || true
check "before: pod of 'reannotated' has its first role" pod_is_mutated "${TMP}/pre.json" "${ROLE}/reannotated"
check "before: the cache has 'doomed' (direct review gets a patch)" doomed_patched
check "before: /debug/alpha/cache lists 'doomed' and the first role of 'reannotated'" cache_before

relists0="$(wh_metric irsa_webhook_relists_total)"
wh_log_mark

# --- the outage, as the frozen webhook sees it
kill -STOP "${WEBHOOK_PID}"
"${CP}" restart-apiserver "${E2E_WORKDIR}"
kubectl -n "${NS}" create serviceaccount created >/dev/null
kubectl -n "${NS}" annotate serviceaccount created eks.amazonaws.com/role-arn="${ROLE}/created" >/dev/null
kubectl -n "${NS}" annotate --overwrite serviceaccount reannotated eks.amazonaws.com/role-arn="${ROLE}/reannotated-v2" >/dev/null
kubectl -n "${NS}" delete serviceaccount doomed >/dev/null
revision="$("${CP}" compact-etcd "${E2E_WORKDIR}")"
check "etcd compacted to its current revision (${revision})" test -n "${revision}"
"${CP}" restart-apiserver "${E2E_WORKDIR}"
kill -CONT "${WEBHOOK_PID}"

_relisted() { (($(wh_metric irsa_webhook_relists_total) > relists0)); }
check "serve relisted (irsa_webhook_relists_total went up, within 30s)" poll 30 _relisted
check "serve was told its resourceVersion expired (410 / too old resource version)" saw_gone
check "the cache converged with the cluster (within 30s)" poll 30 cache_matches_cluster
wh_log_since_mark | grep -Em1 'code=410|HTTP 410|too old resource version' | sed 's/^/# /' || true
printf '# watch expiry: relists %s -> %s, watch_restarts %s, at compaction revision %s\n' "${relists0}" \
  "$(wh_metric irsa_webhook_relists_total)" "$(wh_metric irsa_webhook_watch_restarts_total)" "${revision}"

check "/debug/alpha/cache: 'doomed' gone, 'created' and the new role of 'reannotated' there" cache_after

# The debugging clear drops every ServiceAccount, then relists: the cache converges again.
relists1="$(wh_metric irsa_webhook_relists_total)"
_cleared_and_converged() {
  (($(wh_metric irsa_webhook_relists_total) > relists1)) && cache_after && cache_matches_cluster
}
check "/debug/alpha/cache/clear answers 200" wh_debug_clear
check "after the clear: relisted, and the cache matches the cluster again (within 30s)" poll 30 _cleared_and_converged

check "apiserver calls the webhook again (dry run, within 20s)" \
  wait_dry_run 20 probe stays "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
hits0="$(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="hit"}')"
create_pod post-created created || true
check "ServiceAccount created during the outage: its pod is mutated" \
  pod_is_mutated "${TMP}/post-created.json" "${ROLE}/created"
create_pod post-reannotated reannotated || true
check "ServiceAccount re-annotated during the outage: its pod has the new role" \
  pod_is_mutated "${TMP}/post-reannotated.json" "${ROLE}/reannotated-v2"
create_pod post-stays stays || true
check "unchanged ServiceAccount: its pod keeps its role" pod_is_mutated "${TMP}/post-stays.json" "${ROLE}/stays"
check "those three lookups were cache hits" \
  test "$(($(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="hit"}') - hits0))" = 3
check "the apiserver refuses a pod of the deleted ServiceAccount (ServiceAccount admission)" doomed_pod_refused
miss0="$(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="miss"}')"
check "ServiceAccount deleted during the outage: gone from the cache (direct review: no patch)" doomed_unpatched
check "... and that lookup was a miss" \
  test "$(($(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="miss"}') - miss0))" = 1

check "serve never exited (pid ${WEBHOOK_PID} alive)" wh_alive
wh_stop 30 || true
check "serve exits 0 on SIGTERM (exit ${WEBHOOK_EXIT})" test "${WEBHOOK_EXIT}" = 0

e2e_summary
