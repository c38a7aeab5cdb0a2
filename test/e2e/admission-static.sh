#!/usr/bin/env bash
# e2e: a real kube-apiserver calls `irsa-webhook serve --service-accounts …`
# through a MutatingWebhookConfiguration, and the STORED pods carry what the
# webhook added: env, volume (audience, expiration), mount, and the fields the
# webhook does not know survive. Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${E2E_WORKDIR:-}" ]]; then
  exec "${E2E_DIR}/with-control-plane.sh" "${E2E_DIR}/$(basename "${BASH_SOURCE[0]}")" "$@"
fi
# shellcheck source=common.sh
. "${E2E_DIR}/common.sh"

IRSA_BINARY="${IRSA_BINARY:-${E2E_DIR}/../../build/irsa-webhook}"
[[ -x "${IRSA_BINARY}" ]] || e2e_die "no webhook binary at ${IRSA_BINARY}: build first (scripts/build.sh)"
NS="irsa-e2e"
ROLE_ARN="arn:aws:iam::111122223333:role/s3-reader"
PASS=0
FAIL=0
check() { # check DESCRIPTION CMD...
  local what="$1"; shift
  if "$@"; then
    PASS=$((PASS + 1)); printf 'ok   - %s\n' "${what}"
  else
    FAIL=$((FAIL + 1)); printf 'FAIL - %s\n' "${what}"
  fi
}
# jq_true FILE FILTER: the filter yields true on the JSON file.
jq_true() { [[ "$(jq -r "$2" "$1")" == "true" ]]; }

TMP="$(mktemp -d)"
WEBHOOK_PID=""
cleanup() {
  if [[ -n "${WEBHOOK_PID}" ]]; then kill -TERM "${WEBHOOK_PID}" 2>/dev/null || true; wait "${WEBHOOK_PID}" 2>/dev/null || true; fi
  rm -rf "${TMP}"
}
trap cleanup EXIT

# --- the webhook, on loopback, with a dev certificate for 127.0.0.1
"${IRSA_BINARY}" dev-cert --out-dir "${TMP}/certs" >/dev/null
cat >"${TMP}/serviceaccounts.yaml" <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s3-reader
  namespace: ${NS}
  annotations:
    eks.amazonaws.com/role-arn: ${ROLE_ARN}
    eks.amazonaws.com/token-expiration: "3600"
    eks.amazonaws.com/sts-regional-endpoints: "true"
YAML
"${IRSA_BINARY}" serve --bind-address 127.0.0.1 --port 0 --metrics-port 0 \
  --tls-cert "${TMP}/certs/tls.crt" --tls-key "${TMP}/certs/tls.key" \
  --service-accounts "${TMP}/serviceaccounts.yaml" --aws-default-region eu-west-1 -v 3 \
  2>"${E2E_LOGS}/webhook.log" &
WEBHOOK_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(sed -n 's/.*event=serving .* port=\([0-9]*\) .*/\1/p' "${E2E_LOGS}/webhook.log" | head -n1)"
  [[ -n "${PORT}" ]] && break
  kill -0 "${WEBHOOK_PID}" 2>/dev/null || { cat "${E2E_LOGS}/webhook.log" >&2; e2e_die "webhook exited"; }
  sleep 0.1
done
[[ -n "${PORT}" ]] || e2e_die "webhook did not report its port"
e2e_log "webhook serving on 127.0.0.1:${PORT}"

# --- register it for pod CREATE in the test namespace only
kubectl create namespace "${NS}" >/dev/null
kubectl label namespace "${NS}" irsa-e2e=enabled >/dev/null
CA_BUNDLE="$(base64 -w0 <"${TMP}/certs/ca.crt")"
kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: irsa-webhook-e2e
webhooks:
  - name: irsa.e2e.local
    clientConfig:
      url: https://127.0.0.1:${PORT}/mutate
      caBundle: ${CA_BUNDLE}
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
# The ServiceAccount admission plugin needs the ServiceAccounts to exist.
kubectl -n "${NS}" create serviceaccount default >/dev/null
kubectl -n "${NS}" create serviceaccount s3-reader >/dev/null
kubectl -n "${NS}" create serviceaccount plain >/dev/null

pod_manifest() { # pod_manifest NAME SERVICEACCOUNT
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: ${NS}
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

# The apiserver picks the configuration up asynchronously: probe with a
# server-side dry run until the webhook answers (bounded).
ready=0
for _ in $(seq 1 100); do
  if pod_manifest probe s3-reader | kubectl create --dry-run=server -o json -f - 2>/dev/null \
      | jq -e '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")' >/dev/null; then
    ready=1; break
  fi
  sleep 0.1
done
check "apiserver calls the webhook (server-side dry run is mutated)" test "${ready}" = 1

# --- case: annotated ServiceAccount
pod_manifest app s3-reader | kubectl create -f - >/dev/null
kubectl -n "${NS}" get pod app -o json >"${TMP}/app.json"
C='.spec.containers[0]'
check "stored pod: AWS_ROLE_ARN is the role" \
  jq_true "${TMP}/app.json" "[${C}.env[] | select(.name==\"AWS_ROLE_ARN\") | .value] == [\"${ROLE_ARN}\"]"
check "stored pod: AWS_WEB_IDENTITY_TOKEN_FILE" \
  jq_true "${TMP}/app.json" "[${C}.env[] | select(.name==\"AWS_WEB_IDENTITY_TOKEN_FILE\") | .value] == [\"/var/run/secrets/eks.amazonaws.com/serviceaccount/token\"]"
check "stored pod: region and regional STS env, after the existing env" \
  jq_true "${TMP}/app.json" "[${C}.env[].name] == [\"EXISTING\",\"AWS_STS_REGIONAL_ENDPOINTS\",\"AWS_DEFAULT_REGION\",\"AWS_REGION\",\"AWS_ROLE_ARN\",\"AWS_WEB_IDENTITY_TOKEN_FILE\"]"
check "stored pod: projected token volume with audience and expiration 3600" \
  jq_true "${TMP}/app.json" '[.spec.volumes[] | select(.name=="aws-iam-token") | .projected.sources[0].serviceAccountToken] == [{"audience":"sts.amazonaws.com","expirationSeconds":3600,"path":"token"}]'
check "stored pod: read-only mount in the container" \
  jq_true "${TMP}/app.json" "[${C}.volumeMounts[] | select(.name==\"aws-iam-token\") | [.readOnly, .mountPath]] == [[true, \"/var/run/secrets/eks.amazonaws.com/serviceaccount\"]]"
check "stored pod: the sidecar init container is mutated and keeps restartPolicy" \
  jq_true "${TMP}/app.json" '.spec.initContainers[0].restartPolicy == "Always" and ([.spec.initContainers[0].env[].name] | index("AWS_ROLE_ARN") != null)'
check "stored pod: startupProbe.grpc survives" \
  jq_true "${TMP}/app.json" "${C}.startupProbe.grpc.port == 9090"
check "stored pod: the kube-api-access volume is still there" \
  jq_true "${TMP}/app.json" '[.spec.volumes[].name | startswith("kube-api-access")] | any'

# --- case: ServiceAccount without a role: created unchanged
pod_manifest plain-app plain | kubectl create -f - >/dev/null
kubectl -n "${NS}" get pod plain-app -o json >"${TMP}/plain.json"
check "pod of a ServiceAccount without a role: no AWS env, no token volume" \
  jq_true "${TMP}/plain.json" "([${C}.env[].name] == [\"EXISTING\"]) and ([.spec.volumes[].name] | index(\"aws-iam-token\") == null)"

# --- the webhook saw v1 reviews and answered them all
curl -sf "http://127.0.0.1:$(sed -n 's/.*metrics_port=\([0-9]*\).*/\1/p' "${E2E_LOGS}/webhook.log" | head -n1)/metrics" >"${TMP}/metrics.txt"
check "metrics: pods mutated are counted" grep -q '^pod_identity_webhook_pod_count{method="web_identity"} [1-9]' "${TMP}/metrics.txt"

printf '%d passed, %d failed\n' "${PASS}" "${FAIL}"
[[ "${FAIL}" -eq 0 ]]
