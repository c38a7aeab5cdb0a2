# shellcheck shell=bash
# Shared helpers of the e2e tests that register `irsa-webhook serve` with a real
# kube-apiserver and check the STORED pods. Sourced (after common.sh) by scripts
# that run under with-control-plane.sh (KUBECONFIG, E2E_LOGS, ... are set).
#
# Provides:
#   check DESC CMD...          run CMD; count and print "ok   - DESC" / "FAIL - DESC"
#   jq_true FILE FILTER        the jq FILTER yields true on FILE
#   quiet CMD...               run CMD; show its output only when it fails (for `check`)
#   poll TIMEOUT CMD...        retry CMD (quietly) until it succeeds or TIMEOUT seconds pass
#   e2e_summary                print "N passed, N failed"; return non-zero on failures
#   wh_on_exit CMD             run CMD (eval'd) at exit, before the webhook is stopped
#   wh_certs                   a dev certificate for 127.0.0.1 in ${WH_TMP}/certs
#   wh_use_certs CRT KEY CA NAME  serve this certificate (issued for NAME) instead; call before
#                              wh_start. The helpers below then verify it under NAME.
#   wh_tls_curl PATH [ARGS...] curl the TLS port, verifying the certificate (see WH_TLS_NAME)
#   wh_start [ARGS...]         start serve on loopback (ports 0) with ARGS; waits for the ports
#                              and sets WEBHOOK_PID, WEBHOOK_PORT, METRICS_PORT, WEBHOOK_LOG
#   wh_wait_log TIMEOUT TEXT   wait until a webhook log line has `] TEXT` (after WH_LOG_MARK)
#   wh_log_mark                remember the log's current length (wh_wait_log looks after it)
#   wh_readyz                  HTTP status of /readyz on the TLS port
#   wh_debug_cache             /debug/alpha/cache (needs --enable-debugging-handlers)
#   wh_debug_clear             /debug/alpha/cache/clear (same)
#   wh_metric 'NAME{labels}'   the value of one metric sample (0 when absent)
#   wh_alive                   the webhook process still runs
#   cache_matches_cluster      irsa_webhook_service_accounts == the cluster's ServiceAccounts
#   wh_stop [TIMEOUT]          SIGTERM; wait (bounded); sets WEBHOOK_EXIT (KILLed on timeout: 137)
#   wh_register                MutatingWebhookConfiguration for pod CREATE in namespaces
#                              labelled irsa-e2e=enabled, pointing at WEBHOOK_PORT
#   e2e_namespace NS           create NS, labelled irsa-e2e=enabled, with its `default` SA
#   pod_manifest NAME SA [NS]  a pod with fields the webhook does not model (sidecar
#                              restartPolicy, startupProbe.grpc) and an existing env var
#   dry_run_pod NAME SA [NS]   server-side dry-run create of pod_manifest (JSON on stdout)
#   create_pod NAME SA [NS]    create pod_manifest, then store the STORED pod in ${WH_TMP}/NAME.json
#   wait_dry_run TIMEOUT NAME SA NS FILTER
#                              poll dry runs until FILTER (jq -e) holds on the result
#   review_pod NS SA           POST an AdmissionReview straight to /mutate; response on stdout
#   pod_is_mutated FILE ROLE [AUDIENCE] [EXPIRATION]
#                              env (container and sidecar), projected token volume and mount
#   pod_is_unchanged FILE      no AWS_* env and no aws-iam-token volume
#   pod_keeps_unknown_fields FILE  sidecar restartPolicy, startupProbe.grpc, EXISTING env first,
#                              kube-api-access volume
#
# Env: IRSA_BINARY (default <repo>/build/irsa-webhook).

IRSA_BINARY="${IRSA_BINARY:-${E2E_DIR}/../../build/irsa-webhook}"
[[ -x "${IRSA_BINARY}" ]] || e2e_die "no webhook binary at ${IRSA_BINARY}: build first (scripts/build.sh)"
command -v jq >/dev/null || e2e_die "jq not found (apt-get install jq)"
command -v curl >/dev/null || e2e_die "curl not found (apt-get install curl)"

TOKEN_DIR="/var/run/secrets/eks.amazonaws.com/serviceaccount"
PASS=0
FAIL=0
WH_TMP="$(mktemp -d)"
WEBHOOK_PID=""
WEBHOOK_PORT=""
METRICS_PORT=""
WEBHOOK_LOG=""
WEBHOOK_EXIT=""
WH_LOG_MARK=0
WH_EXIT_HOOKS=()
WH_TLS_NAME="127.0.0.1" # the name the served certificate is checked against

check() { # check DESCRIPTION CMD...
  local what="$1"; shift
  if "$@"; then
    PASS=$((PASS + 1)); printf 'ok   - %s\n' "${what}"
  else
    FAIL=$((FAIL + 1)); printf 'FAIL - %s\n' "${what}"
  fi
}

# jq_true FILE FILTER: the filter yields true on the JSON file.
jq_true() { [[ "$(jq -r "$2" "$1" 2>/dev/null)" == "true" ]]; }

# quiet CMD...: CMD's status; its stdout and stderr only if it failed.
quiet() {
  local out rc=0
  out="$("$@" 2>&1)" || rc=$?
  ((rc == 0)) || printf '%s\n' "${out}" | sed 's/^/    /' >&2
  return "${rc}"
}

# poll TIMEOUT CMD...: run CMD every 0.2s until it succeeds (0) or TIMEOUT
# seconds (may be fractional) have passed (1). CMD's output is discarded.
poll() {
  local timeout="$1"; shift
  local deadline
  # (milliseconds of the timeout only: mawk's printf %d stops at 2^31)
  deadline=$(($(date +%s%3N) + $(awk -v t="${timeout}" 'BEGIN { printf "%d", t * 1000 }')))
  while true; do
    "$@" >/dev/null 2>&1 && return 0
    (($(date +%s%3N) >= deadline)) && return 1
    sleep 0.2
  done
}

e2e_summary() {
  printf '%d passed, %d failed\n' "${PASS}" "${FAIL}"
  [[ "${FAIL}" -eq 0 ]]
}

wh_on_exit() { WH_EXIT_HOOKS+=("$1"); }

# shellcheck disable=SC2317  # invoked by the EXIT trap
wh_cleanup() {
  local rc=$? hook
  trap - EXIT
  for hook in "${WH_EXIT_HOOKS[@]}"; do eval "${hook}" || true; done
  if [[ -n "${WEBHOOK_PID}" ]] && kill -0 "${WEBHOOK_PID}" 2>/dev/null; then
    kill -CONT "${WEBHOOK_PID}" 2>/dev/null || true # in case a test left it stopped
    wh_stop 10 || true
  fi
  kubectl delete mutatingwebhookconfiguration irsa-webhook-e2e --ignore-not-found --wait=false \
    --request-timeout=5s >/dev/null 2>&1 || true
  rm -rf "${WH_TMP}"
  exit "${rc}"
}
trap wh_cleanup EXIT

wh_certs() {
  [[ -s "${WH_TMP}/certs/tls.crt" ]] && return 0
  "${IRSA_BINARY}" dev-cert --out-dir "${WH_TMP}/certs" >/dev/null
}

# wh_use_certs CRT KEY CA NAME: PEM files wh_start serves (wh_certs then keeps
# them); NAME, one of the certificate's DNS names, is resolved to 127.0.0.1 by
# the TLS helpers so the certificate is verified as issued.
wh_use_certs() {
  mkdir -p "${WH_TMP}/certs"
  (umask 077 && cp "$1" "${WH_TMP}/certs/tls.crt" && cp "$2" "${WH_TMP}/certs/tls.key" \
    && cp "$3" "${WH_TMP}/certs/ca.crt")
  WH_TLS_NAME="$4"
}

# wh_tls_curl PATH [CURL-ARGS...]: https://WH_TLS_NAME:WEBHOOK_PORT/PATH on
# loopback, verified against ${WH_TMP}/certs/ca.crt.
wh_tls_curl() {
  local path="$1"; shift
  curl --max-time 5 --cacert "${WH_TMP}/certs/ca.crt" \
    --resolve "${WH_TLS_NAME}:${WEBHOOK_PORT}:127.0.0.1" "$@" "https://${WH_TLS_NAME}:${WEBHOOK_PORT}${path}"
}

# wh_start [SERVE-ARGS...]: start the webhook in the background (of this shell,
# so `wait` can collect its exit code) and wait up to 10s for its ports.
wh_start() {
  wh_certs
  WEBHOOK_LOG="${E2E_LOGS}/webhook.log"
  [[ -e "${WEBHOOK_LOG}" ]] && WEBHOOK_LOG="${E2E_LOGS}/webhook.$(date +%s%N).log"
  "${IRSA_BINARY}" serve --bind-address 127.0.0.1 --port 0 --metrics-port 0 \
    --tls-cert "${WH_TMP}/certs/tls.crt" --tls-key "${WH_TMP}/certs/tls.key" "$@" \
    2>"${WEBHOOK_LOG}" </dev/null &
  WEBHOOK_PID=$!
  WEBHOOK_EXIT=""
  WH_LOG_MARK=0
  local line="" _
  for _ in $(seq 1 100); do
    line="$(grep -m1 '] Webhook started ' "${WEBHOOK_LOG}" || true)"
    [[ -n "${line}" ]] && break
    if ! kill -0 "${WEBHOOK_PID}" 2>/dev/null; then
      cat "${WEBHOOK_LOG}" >&2
      e2e_die "webhook exited at startup"
    fi
    sleep 0.1
  done
  [[ -n "${line}" ]] || e2e_die "webhook did not report its ports within 10s"
  WEBHOOK_PORT="$(sed -n 's/.* port=\([0-9]*\).*/\1/p' <<<"${line}")"
  METRICS_PORT="$(sed -n 's/.* metricsPort=\([0-9]*\).*/\1/p' <<<"${line}")"
  [[ -n "${WEBHOOK_PORT}" && -n "${METRICS_PORT}" ]] || e2e_die "cannot read the ports from: ${line}"
  e2e_log "webhook (pid ${WEBHOOK_PID}) serving on 127.0.0.1:${WEBHOOK_PORT}, metrics on ${METRICS_PORT}"
}

wh_log_mark() { WH_LOG_MARK="$(wc -c <"${WEBHOOK_LOG}")"; }
wh_log_since_mark() { tail -c +"$((WH_LOG_MARK + 1))" "${WEBHOOK_LOG}"; }
_wh_log_has() { wh_log_since_mark | grep -qF -- "] $1"; }
# wh_wait_log TIMEOUT TEXT: TEXT starts a log message (klog text format)
wh_wait_log() { poll "$1" _wh_log_has "$2"; }

wh_alive() { [[ -n "${WEBHOOK_PID}" ]] && kill -0 "${WEBHOOK_PID}" 2>/dev/null; }

wh_readyz() { wh_tls_curl /readyz -s -o /dev/null -w '%{http_code}' || true; }

# wh_debug_cache: GET /debug/alpha/cache on the metrics port (serve --enable-debugging-handlers):
# {"ns/name": {"RoleARN": …, "Audience": …, …}} of the ServiceAccounts with a role.
wh_debug_cache() { curl -sf --max-time 5 "http://127.0.0.1:${METRICS_PORT}/debug/alpha/cache"; }
# wh_debug_clear: /debug/alpha/cache/clear on the metrics port: empties the cache, which relists.
wh_debug_clear() { curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:${METRICS_PORT}/debug/alpha/cache/clear"; }

wh_metrics() { curl -sf --max-time 5 "http://127.0.0.1:${METRICS_PORT}/metrics"; }

# wh_metric 'NAME' or 'NAME{label="v"}': the sample's value, 0 when absent.
wh_metric() {
  local v
  v="$(wh_metrics | awk -v k="$1" '$1 == k { print $2; exit }')" || true
  echo "${v:-0}"
}

cache_matches_cluster() {
  local cluster cached
  cluster="$(kubectl get serviceaccounts -A --no-headers --request-timeout=10s | wc -l)" || return 1
  cached="$(wh_metric irsa_webhook_service_accounts)"
  [[ "${cluster}" -gt 0 && "${cluster}" == "${cached}" ]]
}

# wh_stop [TIMEOUT]: SIGTERM and wait up to TIMEOUT (default 30) seconds; the
# exit code lands in WEBHOOK_EXIT. Returns non-zero if it had to be killed.
wh_stop() {
  local timeout="${1:-30}" deadline
  [[ -n "${WEBHOOK_PID}" ]] || return 0
  kill -TERM "${WEBHOOK_PID}" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while kill -0 "${WEBHOOK_PID}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "${WEBHOOK_PID}" 2>/dev/null; then
    e2e_log "webhook ignored SIGTERM for ${timeout}s: SIGKILL"
    kill -KILL "${WEBHOOK_PID}" 2>/dev/null || true
  fi
  WEBHOOK_EXIT=0
  wait "${WEBHOOK_PID}" 2>/dev/null || WEBHOOK_EXIT=$?
  WEBHOOK_PID=""
  [[ "${WEBHOOK_EXIT}" -ne 137 ]]
}

# wh_register: pod CREATE in namespaces labelled irsa-e2e=enabled goes to the
# webhook (failurePolicy Fail: a pod the webhook cannot answer is refused, so a
# stored pod proves the webhook answered).
wh_register() {
  local ca_bundle
  ca_bundle="$(base64 -w0 <"${WH_TMP}/certs/ca.crt")"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: irsa-webhook-e2e
webhooks:
  - name: irsa.e2e.local
    clientConfig:
      url: https://127.0.0.1:${WEBHOOK_PORT}/mutate
      caBundle: ${ca_bundle}
    rules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["pods"]
    namespaceSelector:
      matchLabels:
        irsa-e2e: enabled
    sideEffects: None
    admissionReviewVersions: ["v1", "v1beta1"]
    failurePolicy: Fail
    timeoutSeconds: 10
    reinvocationPolicy: IfNeeded
YAML
}

# e2e_namespace NS: the ServiceAccount admission plugin needs every
# ServiceAccount to exist, `default` included (no controller-manager runs).
e2e_namespace() {
  kubectl create namespace "$1" >/dev/null
  kubectl label namespace "$1" irsa-e2e=enabled >/dev/null
  kubectl -n "$1" create serviceaccount default >/dev/null
}

pod_manifest() { # pod_manifest NAME SERVICEACCOUNT [NAMESPACE]
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: ${3:-${NS}}
spec:
  serviceAccountName: $2
  initContainers:
    - name: log-shipper
      image: busybox
      restartPolicy: Always
  containers:
    - name: app
      image: busybox
      env:
        - name: EXISTING
          value: kept
      startupProbe:
        grpc:
          port: 9090
        periodSeconds: 5
YAML
}

dry_run_pod() { # dry_run_pod NAME SA [NS]
  pod_manifest "$@" | kubectl create --dry-run=server -o json --request-timeout=15s -f - 2>/dev/null
}

# create_pod NAME SA [NS]: create the pod, read it back; ${WH_TMP}/NAME.json
# holds the stored pod (an empty file when the create failed).
create_pod() {
  local ns="${3:-${NS}}"
  : >"${WH_TMP}/$1.json"
  if ! pod_manifest "$@" | kubectl create --request-timeout=15s -f - >/dev/null; then
    e2e_log "creating pod ${ns}/$1 failed"
    return 1
  fi
  kubectl -n "${ns}" get pod "$1" -o json >"${WH_TMP}/$1.json"
}

_dry_run_matches() { dry_run_pod "$2" "$3" "$4" | jq -e "$1" >/dev/null; }
# wait_dry_run TIMEOUT NAME SA NS FILTER
wait_dry_run() { poll "$1" _dry_run_matches "$5" "$2" "$3" "$4"; }

# review_pod NS SA: an AdmissionReview for a minimal pod, straight to /mutate
# (for what the apiserver cannot send: e.g. a pod of a deleted ServiceAccount,
# which the ServiceAccount admission plugin refuses before any webhook).
review_pod() {
  local body
  body="$(jq -cn --arg ns "$1" --arg sa "$2" '{
    apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
    request: {uid: "e2e-review", operation: "CREATE", namespace: $ns,
      kind: {group: "", version: "v1", kind: "Pod"},
      resource: {group: "", version: "v1", resource: "pods"},
      object: {apiVersion: "v1", kind: "Pod", metadata: {name: "direct", namespace: $ns},
        spec: {serviceAccountName: $sa, containers: [{name: "app", image: "busybox"}]}}}}')"
  wh_tls_curl '/mutate?timeout=10s' -sf --max-time 15 -H 'Content-Type: application/json' --data-binary "${body}"
}

# pod_is_mutated FILE ROLE [AUDIENCE] [EXPIRATION]: the container and the sidecar
# carry the role and the token file, and the projected volume and mount exist.
pod_is_mutated() {
  local file="$1" role="$2" aud="${3:-sts.amazonaws.com}" exp="${4:-86400}"
  jq -e --arg role "${role}" --arg dir "${TOKEN_DIR}" --arg aud "${aud}" --argjson exp "${exp}" '
    def env_of(c): [c.env[]? | {key: .name, value: .value}] | from_entries;
    (env_of(.spec.containers[0]) | .AWS_ROLE_ARN == $role and .AWS_WEB_IDENTITY_TOKEN_FILE == ($dir + "/token"))
    and (env_of(.spec.initContainers[0]) | .AWS_ROLE_ARN == $role)
    and ([.spec.volumes[]? | select(.name == "aws-iam-token") | .projected.sources[0].serviceAccountToken]
         == [{audience: $aud, expirationSeconds: $exp, path: "token"}])
    and ([.spec.containers[0].volumeMounts[]? | select(.name == "aws-iam-token") | [.readOnly, .mountPath]]
         == [[true, $dir]])' "${file}" >/dev/null 2>&1
}

pod_is_unchanged() {
  jq -e '.metadata.uid != null
    and ([.spec.containers[], .spec.initContainers[]? | .env[]?.name | select(startswith("AWS_"))] == [])
    and ([.spec.volumes[]?.name] | index("aws-iam-token") == null)
    and ([.spec.containers[0].env[]?.name] == ["EXISTING"])' "$1" >/dev/null 2>&1
}

# pod_keeps_unknown_fields FILE: what the webhook does not model survives.
pod_keeps_unknown_fields() {
  jq -e '.spec.initContainers[0].restartPolicy == "Always"
    and .spec.containers[0].startupProbe.grpc.port == 9090
    and ([.spec.containers[0].env[]?.name] | index("EXISTING") == 0)
    and ([.spec.volumes[].name | startswith("kube-api-access")] | any)' "$1" >/dev/null 2>&1
}
