#!/usr/bin/env bash
# e2e: irsa-webhook side by side with the reference (aws/amazon-eks-pod-identity-webhook,
# built from ../shared/reference by build-reference.sh), on one real kube-apiserver.
#
# Both are started the way the reference's own deploy/deployment-base.yaml starts it:
# the container command after /webhook, read from the tarball now (never copied by
# hand), plus only the flags a loopback run needs (--kubeconfig, --tls-cert,
# --tls-key, --port, --metrics-port). irsa-webhook gets the same bare flags, no
# `serve` subcommand. Each gets its own MutatingWebhookConfiguration (namespace
# sbs-ref -> the reference, sbs-irsa -> irsa-webhook); the same ServiceAccounts and
# pods are created in both namespaces. Checks:
#   - both start and mutate (a review of an annotated ServiceAccount gets AWS_ROLE_ARN:
#     the reference's readiness is not gated on its cache, so /healthz is not enough)
#   - every stored pod (read back from the apiserver) is equal in both namespaces,
#     once what legitimately differs is normalized (side-by-side.py normalize-pod:
#     namespace, uid, resourceVersion, timestamps, managedFields, generated names;
#     volumes as a set, since the token volume's position is the one difference)
#   - /metrics after the same requests: every family the reference exports, except
#     the exceptions below, has the same type, label names and label values in
#     irsa-webhook; request, pod and missing-ServiceAccount counts rose by as much
#   - every flag of the reference's --help (at the manifest's value, else the
#     reference's default, each value checked against the reference binary itself)
#     starts irsa-webhook, alone and all at once, and `serve --help` lists it
#   - `irsa-webhook --version` prints a version and exits 0, as the reference's does
# Needs IRSA_BINARY (default build/irsa-webhook); IRSA_REFERENCE_BIN overrides the
# reference binary (default: build-reference.sh, run before the control plane starts).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${E2E_WORKDIR:-}" && -z "${IRSA_REFERENCE_BIN:-}" ]]; then
  # Build the reference (minutes, once) before a control plane runs.
  IRSA_REFERENCE_BIN="$("${E2E_DIR}/build-reference.sh" | tail -1)"
  export IRSA_REFERENCE_BIN
fi
# shellcheck source=prologue.sh
. "${E2E_DIR}/prologue.sh"

REF_BIN="${IRSA_REFERENCE_BIN:-$("${E2E_DIR}/build-reference.sh" --path)}"
[[ -x "${REF_BIN}" ]] || e2e_die "no reference binary at ${REF_BIN}: run test/e2e/build-reference.sh"
command -v python3 >/dev/null || e2e_die "python3 not found (apt-get install python3)"
TMP="${WH_TMP}"
OUT="${E2E_LOGS}/side-by-side" # stored pods and scrapes, kept with the logs after a failure
mkdir -p "${OUT}"
SBS_PY="${E2E_DIR}/side-by-side.py"
py() { python3 "${SBS_PY}" "$@"; }
NS_REF="sbs-ref"
NS_IRSA="sbs-irsa"
ROLE="arn:aws:iam::111122223333:role/side-by-side"
ROLE_FULL="arn:aws:iam::111122223333:role/side-by-side-full"

# Metric families the comparison leaves out, each with its reason. go_* and
# promhttp_* are the Go runtime's and the Go client library's own series.
metric_exception() {
  case "$1" in
    go_*) echo "the Go runtime's series: irsa-webhook is not a Go program" ;;
    promhttp_*) echo "the Go client library's scrape handler counts itself" ;;
    *) return 1 ;;
  esac
}

# --- the reference's invocation, from its tarball
TARBALL="$(e2e_reference_tarball)"
tar -xzOf "${TARBALL}" --wildcards '*/deploy/deployment-base.yaml' >"${TMP}/deployment-base.yaml" \
  || e2e_die "${TARBALL} has no deploy/deployment-base.yaml"
manifest="$(py manifest-args "${TMP}/deployment-base.yaml")" || e2e_die "cannot read the manifest's args"
mapfile -t MANIFEST_ARGS <<<"${manifest}"
e2e_log "deploy/deployment-base.yaml runs: /webhook ${MANIFEST_ARGS[*]}"
check "the manifest's command is /webhook with flags only (${#MANIFEST_ARGS[@]} args)" \
  test "$(printf '%s\n' "${MANIFEST_ARGS[@]}" | grep -vc '^-')" = 0

wh_certs
read -r REF_PORT REF_MPORT IRSA_PORT IRSA_MPORT FLAG_PORT FLAG_MPORT < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)
# loopback_args PORT METRICS_PORT: what an out-of-cluster run adds to the manifest.
loopback_args() {
  printf '%s\n' --kubeconfig "${KUBECONFIG}" --tls-cert "${TMP}/certs/tls.crt" \
    --tls-key "${TMP}/certs/tls.key" --port "$1" --metrics-port "$2"
}

PIDS=()
# shellcheck disable=SC2317  # run by the EXIT hook
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "${p}" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "${p}" 2>/dev/null || true; done
  kubectl delete mutatingwebhookconfiguration sbs-ref sbs-irsa --ignore-not-found --wait=false \
    --request-timeout=5s >/dev/null 2>&1 || true
}
wh_on_exit stop_all

# launch LOGNAME BINARY PORT METRICS_PORT [EXTRA-ARGS...]: the manifest's args,
# the loopback flags, then EXTRA-ARGS; sets LAUNCHED_PID.
launch() {
  local log="${E2E_LOGS}/$1.log" bin="$2" port="$3" mport="$4" lb
  shift 4
  mapfile -t lb < <(loopback_args "${port}" "${mport}")
  printf '%q ' "${bin}" "${MANIFEST_ARGS[@]}" "${lb[@]}" "$@" >"${log}"
  printf '\n' >>"${log}"
  "${bin}" "${MANIFEST_ARGS[@]}" "${lb[@]}" "$@" >>"${log}" 2>&1 </dev/null &
  LAUNCHED_PID=$!
  PIDS+=("${LAUNCHED_PID}")
}

alive() { kill -0 "$1" 2>/dev/null; }
# while_alive PID TIMEOUT CMD...: poll CMD until it succeeds (0), the process
# PID exits (1, at once: no waiting out the timeout) or TIMEOUT seconds pass (1).
while_alive() {
  local pid="$1" deadline=$((SECONDS + $2))
  shift 2
  while alive "${pid}"; do
    "$@" >/dev/null 2>&1 && return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
  return 1
}

tls() { # tls PORT PATH [CURL-ARGS...]
  local port="$1" path="$2"; shift 2
  curl --max-time 5 --cacert "${TMP}/certs/ca.crt" "$@" "https://127.0.0.1:${port}${path}"
}
healthz() { [[ "$(tls "$1" /healthz -s)" == ok* ]]; }
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics"; }

# review PORT NS SA: AdmissionReview for a one-container pod, straight to /mutate;
# the decoded JSON patch on stdout ("[]" when none).
review() {
  local body out
  body="$(jq -cn --arg ns "$2" --arg sa "$3" '{
    apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
    request: {uid: "sbs-review", operation: "CREATE", namespace: $ns,
      kind: {group: "", version: "v1", kind: "Pod"},
      resource: {group: "", version: "v1", resource: "pods"},
      object: {apiVersion: "v1", kind: "Pod", metadata: {name: "direct", namespace: $ns},
        spec: {serviceAccountName: $sa, containers: [{name: "app", image: "busybox"}]}}}}')"
  out="$(tls "$1" '/mutate?timeout=10s' -sf -H 'Content-Type: application/json' --data-binary "${body}")" || return 1
  jq -r '.response.patch // "" | if . == "" then "W10=" else . end' <<<"${out}" | base64 -d
}
mutates() { review "$1" "$2" role-only | grep -q AWS_ROLE_ARN; }

# --- ServiceAccounts, in both namespaces, before either webhook starts
service_accounts() { # service_accounts NS
  cat <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: $1}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: role-only
  namespace: $1
  annotations: {eks.amazonaws.com/role-arn: "${ROLE}"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: full
  namespace: $1
  annotations:
    eks.amazonaws.com/role-arn: "${ROLE_FULL}"
    eks.amazonaws.com/audience: sts.example.com
    eks.amazonaws.com/sts-regional-endpoints: "true"
    eks.amazonaws.com/token-expiration: "3600"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: odd-values
  namespace: $1
  annotations:
    eks.amazonaws.com/role-arn: "${ROLE}"
    eks.amazonaws.com/sts-regional-endpoints: "maybe"
    eks.amazonaws.com/token-expiration: "100"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: bad-expiration
  namespace: $1
  annotations:
    eks.amazonaws.com/role-arn: "${ROLE}"
    eks.amazonaws.com/sts-regional-endpoints: "0"
    eks.amazonaws.com/token-expiration: "soon"
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: plain, namespace: $1}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: audience-only
  namespace: $1
  annotations: {eks.amazonaws.com/audience: sts.amazonaws.com}
YAML
}
for ns in "${NS_REF}" "${NS_IRSA}"; do
  kubectl create namespace "${ns}" >/dev/null
  kubectl label namespace "${ns}" "sbs=${ns}" >/dev/null
  service_accounts "${ns}" | kubectl apply -f - >/dev/null
done

# --- both webhooks, the same invocation
launch reference "${REF_BIN}" "${REF_PORT}" "${REF_MPORT}"
REF_PID="${LAUNCHED_PID}"
launch irsa-webhook "${IRSA_BINARY}" "${IRSA_PORT}" "${IRSA_MPORT}"
IRSA_PID="${LAUNCHED_PID}"
check "the reference starts with the manifest's args (answers a review with AWS_ROLE_ARN within 30s)" \
  while_alive "${REF_PID}" 30 mutates "${REF_PORT}" "${NS_REF}"
check "irsa-webhook starts with the manifest's args, no subcommand (answers a review with AWS_ROLE_ARN within 30s)" \
  while_alive "${IRSA_PID}" 30 mutates "${IRSA_PORT}" "${NS_IRSA}"
alive "${IRSA_PID}" || { e2e_log "irsa-webhook exited; its log:"; sed 's/^/    /' "${E2E_LOGS}/irsa-webhook.log" >&2; }
check "irsa-webhook answers /healthz like the reference (ok)" healthz "${IRSA_PORT}"

register() { # register NAME PORT: pods CREATEd in namespace NAME go to 127.0.0.1:PORT
  kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: $1
webhooks:
  - name: $1.sbs.e2e.local
    clientConfig:
      url: https://127.0.0.1:$2/mutate
      caBundle: $(base64 -w0 <"${TMP}/certs/ca.crt")
    rules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["pods"]
    namespaceSelector:
      matchLabels: {sbs: $1}
    sideEffects: None
    admissionReviewVersions: ["v1", "v1beta1"]
    failurePolicy: Fail
    timeoutSeconds: 10
YAML
}
register "${NS_REF}" "${REF_PORT}"
register "${NS_IRSA}" "${IRSA_PORT}"
probe_pod() { # probe_pod NS: a server-side dry run goes through the webhook and is mutated
  kubectl create --dry-run=server -o json --request-timeout=15s -f - 2>/dev/null <<YAML | jq -e '.spec.containers[0].env[]? | select(.name == "AWS_ROLE_ARN")' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: $1}
spec:
  serviceAccountName: role-only
  containers: [{name: app, image: busybox}]
YAML
}
check "the apiserver calls the reference (dry run mutated, within 20s)" poll 20 probe_pod "${NS_REF}"
check "the apiserver calls irsa-webhook (dry run mutated, within 20s)" poll 20 probe_pod "${NS_IRSA}"

# --- the same pods through each
scrape "${REF_MPORT}" >"${OUT}/ref-before.prom" || true
scrape "${IRSA_MPORT}" >"${OUT}/irsa-before.prom" || true

# pod_case NAME NS: the manifest of one case (most carry fields the webhook does not model).
pod_case() {
  local name="$1" ns="$2"
  case "${name}" in
    role-only) cat <<YAML
metadata: {name: role-only}
spec:
  serviceAccountName: role-only
  initContainers:
    - {name: setup, image: busybox, command: [sh, -c, "true"]}
    - {name: log-shipper, image: busybox, restartPolicy: Always}
  containers:
    - name: app
      image: busybox
      startupProbe: {grpc: {port: 9090}, periodSeconds: 5}
    - {name: second, image: busybox}
YAML
      ;;
    full) cat <<YAML
metadata: {name: full, labels: {app: full}}
spec:
  serviceAccountName: full
  containers: [{name: app, image: busybox}]
YAML
      ;;
    odd-values) printf 'metadata: {name: odd-values}\nspec: {serviceAccountName: odd-values, containers: [{name: app, image: busybox}]}\n' ;;
    bad-expiration) printf 'metadata: {name: bad-expiration}\nspec: {serviceAccountName: bad-expiration, containers: [{name: app, image: busybox}]}\n' ;;
    plain) printf 'metadata: {name: plain}\nspec: {serviceAccountName: plain, containers: [{name: app, image: busybox}]}\n' ;;
    audience-only) printf 'metadata: {name: audience-only}\nspec: {serviceAccountName: audience-only, containers: [{name: app, image: busybox}]}\n' ;;
    default-sa) printf 'metadata: {name: default-sa}\nspec: {containers: [{name: app, image: busybox}]}\n' ;;
    skip) cat <<YAML
metadata:
  name: skip
  annotations: {eks.amazonaws.com/skip-containers: "log-shipper,second"}
spec:
  serviceAccountName: role-only
  initContainers: [{name: log-shipper, image: busybox, restartPolicy: Always}]
  containers: [{name: app, image: busybox}, {name: second, image: busybox}]
YAML
      ;;
    windows) cat <<YAML
metadata: {name: windows}
spec:
  serviceAccountName: full
  nodeSelector: {kubernetes.io/os: windows}
  containers: [{name: app, image: busybox}]
YAML
      ;;
    beta-windows) cat <<YAML
metadata: {name: beta-windows}
spec:
  serviceAccountName: role-only
  nodeSelector: {beta.kubernetes.io/os: windows}
  containers: [{name: app, image: busybox}]
YAML
      ;;
    existing) cat <<YAML
metadata: {name: existing}
spec:
  serviceAccountName: full
  volumes:
    - {name: scratch, emptyDir: {}}
    - {name: config, configMap: {name: app-config}}
  containers:
    - name: app
      image: busybox
      env: [{name: EXISTING, value: kept}, {name: FROM_FIELD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
      volumeMounts: [{name: scratch, mountPath: /scratch}, {name: config, mountPath: /etc/app, readOnly: true}]
YAML
      ;;
    token-volume) cat <<YAML
metadata: {name: token-volume}
spec:
  serviceAccountName: role-only
  volumes:
    - name: aws-iam-token
      projected: {sources: [{serviceAccountToken: {audience: mine, expirationSeconds: 1200, path: token}}]}
  containers:
    - name: app
      image: busybox
      volumeMounts: [{name: aws-iam-token, mountPath: /mine, readOnly: true}]
YAML
      ;;
    pod-expiration) cat <<YAML
metadata:
  name: pod-expiration
  annotations: {eks.amazonaws.com/token-expiration: "7200"}
spec:
  serviceAccountName: full
  containers: [{name: app, image: busybox}]
YAML
      ;;
    pod-expiration-low) cat <<YAML
metadata:
  name: pod-expiration-low
  annotations: {eks.amazonaws.com/token-expiration: "10"}
spec:
  serviceAccountName: role-only
  containers: [{name: app, image: busybox}]
YAML
      ;;
    pod-expiration-bad) cat <<YAML
metadata:
  name: pod-expiration-bad
  annotations: {eks.amazonaws.com/token-expiration: "1h"}
spec:
  serviceAccountName: full
  containers: [{name: app, image: busybox}]
YAML
      ;;
    aws-set) cat <<YAML
metadata: {name: aws-set}
spec:
  serviceAccountName: full
  containers:
    - name: all-set
      image: busybox
      env:
        - {name: AWS_ROLE_ARN, value: "arn:aws:iam::111122223333:role/own"}
        - {name: AWS_REGION, value: eu-west-1}
        - {name: AWS_STS_REGIONAL_ENDPOINTS, value: legacy}
    - name: role-set
      image: busybox
      env: [{name: AWS_WEB_IDENTITY_TOKEN_FILE, value: /own/token}]
    - name: region-set
      image: busybox
      env: [{name: AWS_DEFAULT_REGION, value: us-east-2}]
YAML
      ;;
    generated) cat <<YAML
metadata: {generateName: generated-}
spec:
  serviceAccountName: role-only
  containers: [{name: app, image: busybox}]
YAML
      ;;
    *) e2e_die "no pod case ${name}" ;;
  esac | sed "1s/^/apiVersion: v1\nkind: Pod\n/" | sed "s/^metadata: {/metadata: {namespace: ${ns}, /; s/^metadata:\$/metadata:\n  namespace: ${ns}/"
}
CASES=(role-only full odd-values bad-expiration plain audience-only default-sa skip windows beta-windows
  existing token-volume pod-expiration pod-expiration-low pod-expiration-bad aws-set generated)

# create_case NAME NS: create the pod, store the STORED pod in ${OUT}/NS/NAME.json.
create_case() {
  local name="$1" ns="$2" created
  mkdir -p "${OUT}/${ns}"
  : >"${OUT}/${ns}/${name}.json"
  created="$(pod_case "${name}" "${ns}" | kubectl create --request-timeout=15s -o name -f -)" || return 1
  kubectl -n "${ns}" get "${created}" -o json >"${OUT}/${ns}/${name}.json"
}
mutated() { jq -e '[.spec.containers[].env[]?.name] | index("AWS_ROLE_ARN") != null' "$1" >/dev/null; }

for c in "${CASES[@]}"; do
  create_case "${c}" "${NS_REF}" || e2e_log "the reference's namespace refused pod ${c}"
  create_case "${c}" "${NS_IRSA}" || e2e_log "irsa-webhook's namespace refused pod ${c}"
  check "pod ${c}: stored pods are equal (reference vs irsa-webhook)" \
    quiet py compare-pods "${OUT}/${NS_REF}/${c}.json" "${OUT}/${NS_IRSA}/${c}.json"
done
# The comparison is only worth something if the reference did mutate.
check "the reference mutated the pods of annotated ServiceAccounts (role-only, full) and not plain's" \
  eval 'mutated "${OUT}/${NS_REF}/role-only.json" && mutated "${OUT}/${NS_REF}/full.json" && ! mutated "${OUT}/${NS_REF}/plain.json"'

volume_index() { jq -r '[.spec.volumes[].name] | index("aws-iam-token")' "$1" 2>/dev/null; }
e2e_log "token volume of pod role-only: index $(volume_index "${OUT}/${NS_REF}/role-only.json") in the reference's, $(volume_index "${OUT}/${NS_IRSA}/role-only.json") in irsa-webhook's (not compared)"

# A pod of a ServiceAccount that does not exist (the apiserver would refuse it
# before any webhook: sent directly), counted as missing by both.
for side in "${REF_PORT} ${NS_REF}" "${IRSA_PORT} ${NS_IRSA}"; do
  read -r port ns <<<"${side}"
  review "${port}" "${ns}" ghost >"${OUT}/ghost-${port}.json" || true
done
check "a pod of an unknown ServiceAccount is not mutated by either (same patch)" \
  test "$(jq -c . "${OUT}/ghost-${REF_PORT}.json" 2>&1)" = "$(jq -c . "${OUT}/ghost-${IRSA_PORT}.json" 2>&1)"

# --- the scrapes after the same requests
scrape "${REF_MPORT}" >"${OUT}/ref-after.prom" || true
scrape "${IRSA_MPORT}" >"${OUT}/irsa-after.prom" || true
check "both /metrics answer" test -s "${OUT}/ref-after.prom" -a -s "${OUT}/irsa-after.prom"
while IFS=$'\t' read -r family type; do
  if why="$(metric_exception "${family}")"; then
    e2e_log "not compared: ${family} (${why})"
    continue
  fi
  check "metric ${family} (${type}): same type, label names and label values" \
    quiet py compare-family "${family}" "${OUT}/ref-after.prom" "${OUT}/irsa-after.prom"
done < <(py families "${OUT}/ref-after.prom" 2>/dev/null || true)
# Values differ by nature (latencies, CPU, memory, fds, start time); what was
# counted must not: the increases over the same pods and reviews.
for family in http_request_count http_request_latencies http_request_duration_microseconds \
  pod_identity_webhook_pod_count pod_identity_webhook_missing_sa_count; do
  check "metric ${family}: the same increase over the same requests" \
    quiet py compare-delta "${family}" "${OUT}/ref-before.prom" "${OUT}/ref-after.prom" \
    "${OUT}/irsa-before.prom" "${OUT}/irsa-after.prom"
done
check "metric pod_identity_webhook_used: the same value (1: a ServiceAccount was seen)" \
  test "$(awk '$1 == "pod_identity_webhook_used" { print $2 }' "${OUT}/ref-after.prom")" \
  = "$(awk '$1 == "pod_identity_webhook_used" { print $2 }' "${OUT}/irsa-after.prom")"

# --- every flag of the reference's --help
"${REF_BIN}" --help >"${TMP}/ref-help.txt" 2>&1 || true
flags="$(py help-flags "${TMP}/ref-help.txt")" || e2e_die "cannot read the reference's --help"
"${IRSA_BINARY}" serve --help >"${TMP}/irsa-help.txt" 2>&1 || true
# flag_value NAME DEFAULT: the manifest's value, else the first of (the default,
# "", false, 0) the reference itself accepts (its help's TYPE column is a hint
# only, and some printed defaults do not parse back, e.g. --log_backtrace_at :0).
flag_value() {
  local a v
  for a in "${MANIFEST_ARGS[@]}"; do
    if [[ "${a}" == "--$1="* ]]; then printf '%s' "${a#*=}"; return 0; fi
    if [[ "${a}" == "--$1" ]]; then printf 'true'; return 0; fi
  done
  for v in "$2" "" false 0; do
    [[ "${v}" == "-" && "$2" == "-" ]] && continue
    if "${REF_BIN}" "--$1=${v}" --version </dev/null >/dev/null 2>&1; then printf '%s' "${v}"; return 0; fi
  done
  return 1
}
# Flags the per-flag runs leave out, with the reason. Their values are the
# loopback flags' (given anyway) or --version (exits, checked on its own).
flag_skipped() {
  case "$1" in
    kubeconfig | tls-cert | tls-key | port | metrics-port) echo "set by the loopback flags of every run" ;;
    version) echo "exits at once; checked on its own" ;;
    *) return 1 ;;
  esac
}
# starts_with ARGS...: irsa-webhook (a second one, on its own ports) with the
# manifest's args, the loopback flags and ARGS answers /healthz; STARTED=yes|no.
# Only the start is checked, so it is killed at once, not drained.
starts_with() {
  launch "flag-run" "${IRSA_BINARY}" "${FLAG_PORT}" "${FLAG_MPORT}" "$@"
  STARTED=no
  if while_alive "${LAUNCHED_PID}" 10 healthz "${FLAG_PORT}"; then STARTED=yes; fi
  if [[ "${STARTED}" == no ]]; then
    e2e_log "irsa-webhook did not start with: $*"
    sed 's/^/    /' "${E2E_LOGS}/flag-run.log" | head -20 >&2
  fi
  kill -KILL "${LAUNCHED_PID}" 2>/dev/null || true
  wait "${LAUNCHED_PID}" 2>/dev/null || true
}
FLAG_ARGS=()
while IFS=$'\t' read -r name _type default; do
  check "--help: irsa-webhook serve --help lists --${name}" grep -qE -- "--${name}([ =,]|\$)" "${TMP}/irsa-help.txt"
  if why="$(flag_skipped "${name}")"; then
    e2e_log "no separate start for --${name}: ${why}"
    continue
  fi
  if ! value="$(flag_value "${name}" "${default}")"; then
    check "--${name}: a value the reference accepts" false
    continue
  fi
  FLAG_ARGS+=("--${name}=${value}")
  starts_with "--${name}=${value}"
  check "irsa-webhook starts with the manifest's args and --${name}=${value} (answers /healthz within 10s)" \
    test "${STARTED}" = yes
done <<<"${flags}"
starts_with "${FLAG_ARGS[@]}"
check "irsa-webhook starts with all ${#FLAG_ARGS[@]} of them at once (answers /healthz within 10s)" \
  test "${STARTED}" = yes
check "irsa-webhook --version prints a version and exits 0 (as the reference's does)" \
  eval '"${IRSA_BINARY}" --version | grep -q .'

check "the reference still runs" alive "${REF_PID}"
check "irsa-webhook still runs" alive "${IRSA_PID}"
e2e_summary
