#!/usr/bin/env bash
# e2e: the Helm chart, installed into a real kube-apiserver in self-signed TLS mode
# (plus charts/irsa-webhook/ci/configmap-on-values.yaml, so the optional Role,
# RoleBinding and ConfigMaps are rendered too). No kubelet runs, so the chart's
# pods never start: `irsa-webhook serve` runs on loopback in their place, with the
# Deployment's own args and the chart's own Secret, and the chart's
# MutatingWebhookConfiguration is re-pointed at it by URL under the Service DNS
# name its certificate is issued for. That name resolves to 127.0.0.1 for the
# apiserver only (IRSA_E2E_APISERVER_HOSTS: a private /etc/hosts).
#
# Checks:
#   - helm install (no --wait) succeeds: the apiserver's validation accepts every object
#   - every object of the release manifest exists; each expected kind is among them
#   - the Secret's ca.crt signs its tls.crt, which names the Service; caBundle == ca.crt
#   - helm upgrade with a changed value: the change lands, the caBundle, the Secret
#     and the pods' checksum/tls annotation stay (lookup reuses the certificate)
#   - serve accepts the Deployment's args; /readyz over TLS, verified against the
#     chart's CA under the Service name (what the apiserver and `helm test` do)
#   - stored pods: an annotated ServiceAccount, a ConfigMap entry ("*/reader") and a
#     container-credentials identity, each mutated through the chart's webhook config
#   - helm uninstall removes every object of the release
#   - deploy/irsa-webhook.yaml, without its cert-manager objects, passes a
#     server-side dry-run apply (the CRDs are not installed here)
# Needs IRSA_BINARY (default build/irsa-webhook) and the pinned helm (built when missing).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${E2E_DIR}/../.." && pwd)"
CHART="${ROOT}/charts/irsa-webhook"
REL="irsa"
CHART_NS="irsa-system"
FULLNAME="${REL}-irsa-webhook" # the chart's fullname for this release
SVC_HOST="${FULLNAME}.${CHART_NS}.svc"

if [[ -z "${E2E_WORKDIR:-}" ]]; then
  # Build helm (minutes, once) before a control plane is running.
  [[ -n "${HELM_BIN:-}" ]] || "${E2E_DIR}/build-helm.sh" >/dev/null
  export IRSA_E2E_APISERVER_HOSTS="127.0.0.1 ${SVC_HOST}"
  exec "${E2E_DIR}/with-control-plane.sh" "${E2E_DIR}/$(basename "${BASH_SOURCE[0]}")" "$@"
fi
# shellcheck source=common.sh
. "${E2E_DIR}/common.sh"
# shellcheck source=webhook-lib.sh
. "${E2E_DIR}/webhook-lib.sh"

HELM="${HELM_BIN:-$("${E2E_DIR}/build-helm.sh" --path)}"
[[ -x "${HELM}" ]] || e2e_die "helm not found at ${HELM}: run test/e2e/build-helm.sh"
# Keep helm's cache/config/data out of $HOME.
export HELM_CACHE_HOME="${WH_TMP}/helm/cache" HELM_CONFIG_HOME="${WH_TMP}/helm/config" \
  HELM_DATA_HOME="${WH_TMP}/helm/data"
VALUES="${CHART}/ci/configmap-on-values.yaml"
NS="irsa-chart"
ROLE_ARN="arn:aws:iam::111122223333:role/chart-app"
TMP="${WH_TMP}"
t0=${SECONDS}

field() { kubectl -n "${CHART_NS}" get "$1" "$2" -o "jsonpath=$3"; }
secret_pem() { field secret "${FULLNAME}-tls" "{.data.${1//./\\.}}" | base64 -d; }
ca_bundle() { kubectl get mutatingwebhookconfiguration "${FULLNAME}" -o 'jsonpath={.webhooks[0].clientConfig.caBundle}'; }
cert_checksum() { field deployment "${FULLNAME}" '{.spec.template.metadata.annotations.checksum/tls}'; }
deployment_args() { kubectl -n "${CHART_NS}" get deployment "${FULLNAME}" -o json | jq -r '.spec.template.spec.containers[0].args[]'; }
deployment_has_arg() { deployment_args | grep -qxF -e "$1"; }
release_status() { "${HELM}" status "${REL}" -n "${CHART_NS}" -o json | jq -r '.info.status'; }
cert_names() { openssl x509 -in "$1" -noout -ext subjectAltName | grep -Eq "DNS:$2(,|\$)"; }

# --- install: every object through the apiserver's own validation
check "helm install (self-signed TLS, no --wait) succeeds" \
  quiet "${HELM}" install "${REL}" "${CHART}" -n "${CHART_NS}" --create-namespace -f "${VALUES}"
check "release is deployed" test "$(release_status)" = deployed
"${HELM}" get manifest "${REL}" -n "${CHART_NS}" >"${TMP}/manifest.yaml" || true
kubectl get -f "${TMP}/manifest.yaml" -o name >"${TMP}/objects" 2>"${TMP}/objects.err" || cat "${TMP}/objects.err" >&2
check "every object of the release manifest is stored ($(wc -l <"${TMP}/objects") of $(grep -c '^kind:' "${TMP}/manifest.yaml"))" \
  test "$(wc -l <"${TMP}/objects")" -eq "$(grep -c '^kind:' "${TMP}/manifest.yaml")" -a -s "${TMP}/objects"
for obj in deployment.apps/${FULLNAME} service/${FULLNAME} serviceaccount/${FULLNAME} \
  clusterrole.rbac.authorization.k8s.io/${FULLNAME} clusterrolebinding.rbac.authorization.k8s.io/${FULLNAME} \
  role.rbac.authorization.k8s.io/${FULLNAME} rolebinding.rbac.authorization.k8s.io/${FULLNAME} \
  poddisruptionbudget.policy/${FULLNAME} mutatingwebhookconfiguration.admissionregistration.k8s.io/${FULLNAME} \
  secret/${FULLNAME}-tls configmap/pod-identity-webhook configmap/${FULLNAME}-container-credentials; do
  check "stored: ${obj}" grep -qx "${obj}" "${TMP}/objects"
done

# --- the chart's certificate
secret_pem ca.crt >"${TMP}/ca.crt" || true
secret_pem tls.crt >"${TMP}/tls.crt" || true
(umask 077 && secret_pem tls.key >"${TMP}/tls.key") || true
check "Secret: tls.crt verifies against ca.crt" quiet openssl verify -CAfile "${TMP}/ca.crt" "${TMP}/tls.crt"
check "Secret: tls.crt names ${SVC_HOST}" cert_names "${TMP}/tls.crt" "${SVC_HOST//./\\.}"
check "Secret: tls.key matches tls.crt" test "$(openssl pkey -in "${TMP}/tls.key" -pubout 2>/dev/null)" \
  = "$(openssl x509 -in "${TMP}/tls.crt" -noout -pubkey 2>/dev/null)" -a -s "${TMP}/tls.key"
ca_before="$(ca_bundle)"
check "MutatingWebhookConfiguration caBundle is the Secret's ca.crt" \
  test -n "${ca_before}" -a "${ca_before}" = "$(field secret "${FULLNAME}-tls" '{.data.ca\.crt}')"

# --- upgrade: a changed value lands, the certificate stays
crt_before="$(field secret "${FULLNAME}-tls" '{.data.tls\.crt}')"
sum_before="$(cert_checksum)"
check "helm upgrade (logVerbosity 3) succeeds" \
  quiet "${HELM}" upgrade "${REL}" "${CHART}" -n "${CHART_NS}" -f "${VALUES}" --set config.logVerbosity=3
check "upgrade: Deployment now passes -v=3" deployment_has_arg -v=3
check "upgrade: caBundle unchanged" test "$(ca_bundle)" = "${ca_before}"
check "upgrade: Secret's tls.crt unchanged" test "$(field secret "${FULLNAME}-tls" '{.data.tls\.crt}')" = "${crt_before}" -a -n "${crt_before}"
check "upgrade: pods' checksum/tls unchanged (no roll)" test "$(cert_checksum)" = "${sum_before}" -a -n "${sum_before}"

# --- serve in the pods' place: their args, the chart's Secret and ConfigMaps
mapfile -t args < <(deployment_args)
check "Deployment runs serve" test "${args[0]:-}" = serve
check "Deployment serves on --port=8443 (the image's port)" deployment_has_arg --port=8443
field configmap "${FULLNAME}-container-credentials" '{.data.config\.json}' >"${TMP}/container-credentials.json" || true
serve_args=()
for a in "${args[@]:1}"; do
  case "${a}" in
    --port=* | --metrics-port=* | --tls-cert=* | --tls-key=*) ;; # wh_start: loopback, port 0, the files below
    --watch-container-credentials-config=*) serve_args+=("--watch-container-credentials-config=${TMP}/container-credentials.json") ;;
    *) serve_args+=("${a}") ;;
  esac
done
wh_use_certs "${TMP}/tls.crt" "${TMP}/tls.key" "${TMP}/ca.crt" "${SVC_HOST}"
wh_start "${serve_args[@]}" --kubeconfig "${KUBECONFIG}"
check "serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
check "serve loads the chart's ConfigMap (within 10s)" wh_wait_log 10 'ConfigMap pod-identity-webhook loaded'
check "/readyz is 200, verified against the chart's CA as ${SVC_HOST}" test "$(wh_readyz)" = 200

# --- the chart's webhook configuration, pointed at the loopback server under the Service name
check "webhook clientConfig re-pointed to url https://${SVC_HOST}:${WEBHOOK_PORT}/mutate" \
  quiet kubectl patch mutatingwebhookconfiguration "${FULLNAME}" --type=json -p "[
  {\"op\": \"remove\", \"path\": \"/webhooks/0/clientConfig/service\"},
  {\"op\": \"add\", \"path\": \"/webhooks/0/clientConfig/url\", \"value\": \"https://${SVC_HOST}:${WEBHOOK_PORT}/mutate\"}]"
e2e_namespace "${NS}"
kubectl -n "${NS}" create serviceaccount app >/dev/null
kubectl -n "${NS}" annotate serviceaccount app "eks.amazonaws.com/role-arn=${ROLE_ARN}" >/dev/null
kubectl -n "${NS}" create serviceaccount reader >/dev/null
kubectl -n default create serviceaccount pod-identity >/dev/null
check "apiserver calls the webhook at https://${SVC_HOST}:${WEBHOOK_PORT} (dry run mutated, within 20s)" \
  wait_dry_run 20 probe app "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'

create_pod app app || true
check "annotated SA: stored pod has AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, token volume and mount" \
  pod_is_mutated "${TMP}/app.json" "${ROLE_ARN}"
check "annotated SA: unknown fields survive" pod_keeps_unknown_fields "${TMP}/app.json"
create_pod reader reader || true
check "chart ConfigMap entry */reader: stored pod mutated with its role" \
  pod_is_mutated "${TMP}/reader.json" arn:aws:iam::111122223333:role/reader
create_pod pod-identity pod-identity default || true
check "chart container-credentials identity default/pod-identity: stored pod gets container credentials" \
  jq_true "${TMP}/pod-identity.json" '
    ([.spec.containers[0].env[].name] | index("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null)
    and ([.spec.volumes[].name] | index("eks-pod-identity-token") != null)
    and .metadata.labels["eks.amazonaws.com/pod-identity"] == "enabled"'
check "the caBundle is still the chart's CA after the re-pointing" test "$(ca_bundle)" = "${ca_before}"

# --- uninstall: nothing of the release is left
check "helm uninstall succeeds" quiet "${HELM}" uninstall "${REL}" -n "${CHART_NS}"
check "uninstall: no object of the release manifest is left" \
  test -z "$(kubectl get -f "${TMP}/manifest.yaml" --ignore-not-found -o name 2>&1)"

# --- the plain manifests (deploy/), minus cert-manager's kinds, pass the apiserver's validation
awk 'BEGIN { RS = "\n---\n"; ORS = "" } !/\napiVersion: cert-manager\.io\// { print "---\n" $0 "\n" }' \
  "${ROOT}/deploy/irsa-webhook.yaml" >"${TMP}/deploy-core.yaml"
check "deploy/irsa-webhook.yaml: $(grep -c '^kind:' "${TMP}/deploy-core.yaml") non-cert-manager objects pass server-side dry-run apply" \
  quiet kubectl apply --dry-run=server -f "${TMP}/deploy-core.yaml"

e2e_log "chart-install checks took $((SECONDS - t0))s"
e2e_summary
