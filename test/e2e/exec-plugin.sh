#!/usr/bin/env bash
# e2e: `serve --kubeconfig` whose user is an exec credential plugin (what EKS
# kubeconfigs do with `aws eks get-token`), against a real kube-apiserver that
# authenticates static tokens (--token-auth-file, added to this control plane).
# The plugin is a script: it prints an ExecCredential with the token in
# ${TMP}/plugin-token and counts its runs in ${TMP}/runs.
#   - serve syncs with that kubeconfig and the apiserver mutates a pod through it
#   - one plugin run serves the LISTs and WATCHes of ServiceAccounts and the
#     ConfigMap (the token is cached)
#   - the token is rotated server-side (apiserver restarted with a new token
#     file): the 401 on the old token runs the plugin again and the watches resume
#   - an expirationTimestamp in the past makes every request run the plugin
#   - a plugin that fails: serve logs its stderr and keeps retrying
# Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

NS="irsa-exec"
ROLE_ARN="arn:aws:iam::111122223333:role/exec-plugin"
TMP="${WH_TMP}"
TOKENS="${TMP}/tokens.csv"

# The static tokens the apiserver accepts (members of system:masters: the
# test is about authentication, not RBAC); restarts it to load them.
apiserver_tokens() {
  local args="${E2E_WORKDIR}/apiserver.args"
  if ! grep -q -- "--token-auth-file=" "${args}" 2>/dev/null; then
    printf '%s --token-auth-file=%s\n' "$(cat "${args}" 2>/dev/null || true)" "${TOKENS}" >"${args}.new"
    mv "${args}.new" "${args}"
  fi
  printf '%s,exec-plugin-user,exec-plugin-uid,"system:masters"\n' "$1" >"${TOKENS}"
  "${E2E_DIR}/control-plane.sh" restart-apiserver "${E2E_WORKDIR}" >/dev/null
}

cat >"${TMP}/plugin.sh" <<'SH'
#!/bin/sh
d="$(dirname "$0")"
n=$(( $(cat "$d/runs" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$d/runs"
if [ -e "$d/plugin-fails" ]; then
  echo "plugin: cannot reach the identity provider" >&2
  exit 2
fi
expiry=""
[ -e "$d/plugin-expiry" ] && expiry=",\"expirationTimestamp\":\"$(cat "$d/plugin-expiry")\""
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"%s}}\n' \
  "$(cat "$d/plugin-token")" "${expiry}"
SH
chmod +x "${TMP}/plugin.sh"
runs() { cat "${TMP}/runs" 2>/dev/null || echo 0; }
runs_are() { [[ "$(runs)" == "$1" ]]; }
runs_at_least() { (($(runs) >= $1)); }

# A kubeconfig for the same cluster whose user is the plugin. The command is
# relative to the kubeconfig, the way clientcmd resolves it.
server="$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.server}')"
ca="$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
cat >"${TMP}/exec.kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: exec
clusters:
- name: e2e
  cluster:
    server: ${server}
    certificate-authority-data: ${ca}
contexts:
- name: exec
  context: {cluster: e2e, user: plugin}
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./plugin.sh
      interactiveMode: Never
      installHint: the e2e writes plugin.sh next to this kubeconfig
YAML

# --- the apiserver learns token A; the plugin hands it out
TOKEN_A="exec-token-a-$(date +%s%N)"
TOKEN_B="exec-token-b-$(date +%s%N)"
apiserver_tokens "${TOKEN_A}"
printf '%s' "${TOKEN_A}" >"${TMP}/plugin-token"
check "the apiserver accepts the plugin's token" \
  quiet kubectl --kubeconfig "${TMP}/exec.kubeconfig" get --raw /api
rm -f "${TMP}/runs"

e2e_namespace "${NS}"
kubectl -n "${NS}" create serviceaccount s3-reader >/dev/null
kubectl -n "${NS}" annotate serviceaccount s3-reader "eks.amazonaws.com/role-arn=${ROLE_ARN}" >/dev/null

wh_start --kubeconfig "${TMP}/exec.kubeconfig" --watch-config-map --namespace "${NS}" -v 3
check "serve syncs through the exec plugin (\"ServiceAccount cache synced\", within 20s)" \
  wh_wait_log 20 'ServiceAccount cache synced'
check "serve loads the ConfigMap through it too (within 10s)" wh_wait_log 10 'ConfigMap pod-identity-webhook loaded'
wh_register
check "apiserver calls the webhook (dry run is mutated, within 20s)" \
  wait_dry_run 20 probe s3-reader "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
create_pod app s3-reader "${NS}" || true
check "the stored pod is mutated" pod_is_mutated "${TMP}/app.json" "${ROLE_ARN}"
check "one plugin run for the two LISTs and two WATCHes (cached token)" runs_are 1

# --- rotation: the apiserver now accepts only token B, the plugin hands out B
printf '%s' "${TOKEN_B}" >"${TMP}/plugin-token"
wh_log_mark
apiserver_tokens "${TOKEN_B}"
kubectl -n "${NS}" create serviceaccount after-rotation >/dev/null
kubectl -n "${NS}" annotate serviceaccount after-rotation "eks.amazonaws.com/role-arn=${ROLE_ARN}-2" >/dev/null
check "a ServiceAccount created after the rotation reaches the webhook with the new token (within 30s)" \
  wait_dry_run 30 rotated after-rotation "${NS}" \
  '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN" and .value=="'"${ROLE_ARN}-2"'")'
check "the 401 on the old token ran the plugin once more" runs_are 2
check "the apiserver refused the old token (a watch failed with HTTP 401)" \
  bash -c "grep -q 'HTTP 401' '${WEBHOOK_LOG}'"
check "no plugin failure was logged" bash -c "! grep -q '] kubeconfig exec plugin failed' '${WEBHOOK_LOG}'"
wh_stop

# --- an expiry in the past: every request needs a new token
rm -f "${TMP}/runs"
echo "2000-01-01T00:00:00Z" >"${TMP}/plugin-expiry"
wh_start --kubeconfig "${TMP}/exec.kubeconfig" --watch-config-map --namespace "${NS}" -v 3
check "with an expired token serve still syncs (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
# The two LISTs (ServiceAccounts, ConfigMap) start together and share one run,
# as do the two WATCHes: an expired token means at least a second run.
check "and the plugin ran again instead of reusing it (>= 2 runs, within 10s)" poll 10 runs_at_least 2
wh_stop

# --- a failing plugin: its stderr is in the log, and it is retried (backoff)
rm -f "${TMP}/runs" "${TMP}/plugin-expiry"
touch "${TMP}/plugin-fails"
wh_start --kubeconfig "${TMP}/exec.kubeconfig" -v 3
check "a failing plugin's stderr is logged (within 10s)" \
  poll 10 grep -q "cannot reach the identity provider" "${WEBHOOK_LOG}"
check "it is run again after the reflector's backoff (within 20s)" poll 20 runs_at_least 2
check "/readyz stays 503 while no credential works" test "$(wh_readyz)" = 503
rm -f "${TMP}/plugin-fails"
check "once the plugin works again, serve syncs (within 60s)" wh_wait_log 60 'ServiceAccount cache synced'
wh_stop

e2e_summary
