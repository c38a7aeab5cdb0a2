#!/usr/bin/env bash
# e2e: `irsa-webhook serve --kubeconfig … --watch-config-map` keeps its
# ServiceAccounts (LIST+WATCH) and the pod-identity-webhook ConfigMap from a real
# kube-apiserver, which calls it through a MutatingWebhookConfiguration. Checked
# on the STORED pods (kubectl get pod -o json):
#   - /readyz is 200 once "ServiceAccount cache synced" is logged
#   - an annotated ServiceAccount: env, projected token volume (audience,
#     expirationSeconds), mount; fields the webhook does not model survive
#   - a ServiceAccount without annotation, listed in the ConfigMap: mutated from
#     the ConfigMap; a ConfigMap update is followed; after a delete, pods are unchanged
#   - a ConfigMap entry whose ServiceAccount is not in the cache: answered with
#     the ConfigMap's role, without waiting the grace period (as the reference)
#   - a role-arn annotation changed (annotate --overwrite), then removed: the next
#     pods follow each change (bounded wait for the watch, via server-side dry runs)
#   - a namespace whose ServiceAccounts have no role: pods created unchanged
#   - serve exits 0 on SIGTERM
# Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

NS="irsa-cluster"        # pods under test
NS_NOROLE="irsa-norole"  # no ServiceAccount there has a role
CM_NS="irsa-config"      # --namespace: where ConfigMap pod-identity-webhook lives
ROLE_ARN="arn:aws:iam::111122223333:role/s3-reader"
ROLE_B="arn:aws:iam::111122223333:role/changed"
CM_ROLE_1="arn:aws:iam::111122223333:role/from-configmap"
CM_ROLE_2="arn:aws:iam::111122223333:role/from-configmap-updated"
TMP="${WH_TMP}"

# configmap ROLE: apply ConfigMap pod-identity-webhook with an entry for
# ${NS}/cm-app, and one for */cm-ghost (a ServiceAccount that never exists).
configmap() {
  local config
  config="$(jq -cn --arg key "${NS}/cm-app" --arg role "$1" \
    '{($key): {RoleARN: $role, Audience: "sts.amazonaws.com", UseRegionalSTS: true, TokenExpiration: 3600},
      "*/cm-ghost": {RoleARN: $role}}')"
  kubectl -n "${CM_NS}" create configmap pod-identity-webhook --from-literal=config="${config}" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

# --- cluster state before the webhook starts (its first LIST sees it)
e2e_namespace "${NS}"
e2e_namespace "${NS_NOROLE}"
kubectl create namespace "${CM_NS}" >/dev/null
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s3-reader
  namespace: ${NS}
  annotations:
    eks.amazonaws.com/role-arn: ${ROLE_ARN}
    eks.amazonaws.com/audience: sts.amazonaws.com
    eks.amazonaws.com/token-expiration: "3600"
    eks.amazonaws.com/sts-regional-endpoints: "true"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cm-app
  namespace: ${NS}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: changing
  namespace: ${NS}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/original
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: worker
  namespace: ${NS_NOROLE}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: audience-only
  namespace: ${NS_NOROLE}
  annotations:
    eks.amazonaws.com/audience: sts.amazonaws.com
    eks.amazonaws.com/token-expiration: "3600"
YAML
configmap "${CM_ROLE_1}"

# --- the webhook, reading the cluster
wh_start --kubeconfig "${KUBECONFIG}" --watch-config-map --namespace "${CM_NS}" -v 3
check "serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
check "/readyz is 200 after the cache synced" test "$(wh_readyz)" = 200
check "serve loads the ConfigMap (within 10s)" wh_wait_log 10 'ConfigMap pod-identity-webhook loaded'

wh_register
check "apiserver calls the webhook (server-side dry run is mutated, within 20s)" \
  wait_dry_run 20 probe s3-reader "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'

# --- case 1: annotated ServiceAccount, then a pod
create_pod app s3-reader || true
check "annotated SA: stored pod has AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, token volume (aud, 3600s), mount" \
  pod_is_mutated "${TMP}/app.json" "${ROLE_ARN}" sts.amazonaws.com 3600
check "annotated SA: sts-regional-endpoints gives AWS_STS_REGIONAL_ENDPOINTS=regional" \
  jq_true "${TMP}/app.json" '[.spec.containers[0].env[] | select(.name=="AWS_STS_REGIONAL_ENDPOINTS") | .value] == ["regional"]'
check "annotated SA: startupProbe.grpc, sidecar restartPolicy: Always, EXISTING env, kube-api-access survive" \
  pod_keeps_unknown_fields "${TMP}/app.json"

# --- case 1b: ConfigMap source, for a ServiceAccount without the annotation
create_pod cm-app-1 cm-app || true
check "ConfigMap SA: stored pod mutated with the ConfigMap's role, audience and expiration" \
  pod_is_mutated "${TMP}/cm-app-1.json" "${CM_ROLE_1}" sts.amazonaws.com 3600
check "ConfigMap SA: UseRegionalSTS gives AWS_STS_REGIONAL_ENDPOINTS=regional" \
  jq_true "${TMP}/cm-app-1.json" '[.spec.containers[0].env[] | select(.name=="AWS_STS_REGIONAL_ENDPOINTS") | .value] == ["regional"]'
check "ConfigMap SA: unknown fields survive" pod_keeps_unknown_fields "${TMP}/cm-app-1.json"

# case 1c: the ConfigMap names a ServiceAccount the cache does not hold. The
# reference answers at once with the ConfigMap's role; so must serve, without
# "Waiting up to" the grace period (2s by default) first.
wh_log_mark
review_pod "${NS}" cm-ghost >"${TMP}/cm-ghost.json" || true
check "ConfigMap-only SA, not in the cache: the review is patched with the ConfigMap's role" \
  grep -qF "${CM_ROLE_1}" <(jq -r '.response.patch // empty' "${TMP}/cm-ghost.json" | base64 -d)
check "ConfigMap-only SA, not in the cache: no wait for the ServiceAccount (no \"Waiting up to\" logged)" \
  bash -c '! grep -qF "cm-ghost not found in the cache" <<<"$1"' _ "$(wh_log_since_mark)"

configmap "${CM_ROLE_2}"
check "ConfigMap update reaches the webhook (dry run, within 10s)" \
  wait_dry_run 10 probe cm-app "${NS}" ".spec.containers[0].env[] | select(.name==\"AWS_ROLE_ARN\" and .value==\"${CM_ROLE_2}\")"
create_pod cm-app-2 cm-app || true
check "ConfigMap update: the next stored pod has the updated role" \
  pod_is_mutated "${TMP}/cm-app-2.json" "${CM_ROLE_2}" sts.amazonaws.com 3600

kubectl -n "${CM_NS}" delete configmap pod-identity-webhook >/dev/null
check "ConfigMap delete reaches the webhook (dry run, within 10s)" \
  wait_dry_run 10 probe cm-app "${NS}" '[.spec.containers[0].env[]?.name] == ["EXISTING"]'
create_pod cm-app-3 cm-app || true
check "ConfigMap deleted: the next stored pod is unchanged" pod_is_unchanged "${TMP}/cm-app-3.json"

# --- case 3: the role-arn annotation changes, then goes away
create_pod changing-0 changing || true
check "SA 'changing': stored pod has the original role" \
  pod_is_mutated "${TMP}/changing-0.json" arn:aws:iam::111122223333:role/original
kubectl -n "${NS}" annotate --overwrite serviceaccount changing eks.amazonaws.com/role-arn="${ROLE_B}" >/dev/null
check "annotation change reaches the webhook (dry run, within 10s)" \
  wait_dry_run 10 probe changing "${NS}" ".spec.containers[0].env[] | select(.name==\"AWS_ROLE_ARN\" and .value==\"${ROLE_B}\")"
create_pod changing-1 changing || true
check "annotation changed: the next stored pod has the new role" pod_is_mutated "${TMP}/changing-1.json" "${ROLE_B}"
kubectl -n "${NS}" annotate serviceaccount changing eks.amazonaws.com/role-arn- >/dev/null
check "annotation removal reaches the webhook (dry run, within 10s)" \
  wait_dry_run 10 probe changing "${NS}" '[.spec.containers[0].env[]?.name] == ["EXISTING"]'
create_pod changing-2 changing || true
check "annotation removed: the next stored pod is unchanged" pod_is_unchanged "${TMP}/changing-2.json"

# --- case 6: a namespace whose ServiceAccounts have no role
create_pod norole-default default "${NS_NOROLE}" || true
check "no-role namespace: pod of 'default' stored unchanged" pod_is_unchanged "${TMP}/norole-default.json"
create_pod norole-worker worker "${NS_NOROLE}" || true
check "no-role namespace: pod of 'worker' stored unchanged" pod_is_unchanged "${TMP}/norole-worker.json"
create_pod norole-audience audience-only "${NS_NOROLE}" || true
check "no-role namespace: pod of an SA with audience/expiration but no role-arn stored unchanged" \
  pod_is_unchanged "${TMP}/norole-audience.json"
check "no-role pods keep their unknown fields" pod_keeps_unknown_fields "${TMP}/norole-worker.json"

# --- metrics and the cache
sa_total="$(kubectl get serviceaccounts -A --no-headers | wc -l)"
check "irsa_webhook_service_accounts equals the cluster's ServiceAccounts (${sa_total})" \
  test "$(wh_metric irsa_webhook_service_accounts)" = "${sa_total}"
# The one miss is cm-ghost's: it is looked up (an annotation would win over
# the ConfigMap) but has a ConfigMap identity, so it is not a missing SA.
check "every pod found its identity (missing_sa_count 0; the one lookup miss is cm-ghost)" \
  test "$(wh_metric pod_identity_webhook_missing_sa_count)/$(wh_metric 'irsa_webhook_service_account_lookups_total{outcome="miss"}')" = 0/1
check "metrics: mutated pods are counted" test "$(wh_metric 'pod_identity_webhook_pod_count{method="sts_web_identity"}')" -ge 5

check "serve is still running" wh_alive
wh_stop 30 || true
check "serve exits 0 on SIGTERM (exit ${WEBHOOK_EXIT})" test "${WEBHOOK_EXIT}" = 0

e2e_summary
