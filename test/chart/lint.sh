#!/usr/bin/env bash
# Static checks of the Helm chart: `helm lint --strict` and `helm template` over
# every charts/irsa-webhook/ci/*-values.yaml, with assertions on the rendered
# objects (grep over `helm template --output-dir`, so nothing but helm is needed),
# and deploy/irsa-webhook.yaml is exactly what scripts/render-deploy.sh renders now.
# helm is the pinned build from test/e2e/build-helm.sh (HELM_BIN overrides).
#
# Usage: test/chart/lint.sh     prints one line per failed check, then "N passed, N failed"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="${IRSA_CHART_DIR:-${ROOT}/charts/irsa-webhook}"  # override to self-test on a broken copy
HELM="${HELM_BIN:-$("${ROOT}/test/e2e/build-helm.sh" --path)}"
[[ -x "${HELM}" ]] || { echo "helm not found at ${HELM}: run test/e2e/build-helm.sh first" >&2; exit 2; }
NS=irsa-system
REL=irsa

OUT="$(mktemp -d)"
trap 'rm -rf "${OUT}"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL [%s] %s\n' "${SET}" "$*"; }
check() { local desc="$1"; shift; if "$@" >/dev/null 2>&1; then pass; else fail "${desc}"; fi; }

T() { printf '%s/%s/irsa-webhook/templates/%s' "${OUT}" "${SET}" "$1"; }
# has FILE REGEX: the rendered template file contains an (extended) regex match.
has() { [[ -f "$(T "$1")" ]] && grep -Eq -- "$2" "$(T "$1")"; }
hasnt() { ! has "$1" "$2"; }
exists() { [[ -s "$(T "$1")" ]]; }
absent() { [[ ! -s "$(T "$1")" ]]; }
# kinds: the kinds rendered for the set, one per line.
kinds() { cat "${OUT}/${SET}"/irsa-webhook/templates/*.yaml "${OUT}/${SET}"/irsa-webhook/templates/tests/*.yaml 2>/dev/null | sed -n 's/^kind: //p' | sort; }
has_kind() { kinds | grep -qx "$1"; }
# field FILE KEY: the first value of "KEY: value" in FILE (any indentation).
field() { sed -n "s/^ *$2: *//p" "$(T "$1")" | head -1; }

render() {
  SET="$1"; shift
  if ! "${HELM}" lint "${CHART}" --strict --namespace "${NS}" "$@" >"${OUT}/${SET}.lint" 2>&1; then
    fail "helm lint --strict"; sed 's/^/    /' "${OUT}/${SET}.lint"
  else pass; fi
  if ! "${HELM}" template "${REL}" "${CHART}" --namespace "${NS}" --output-dir "${OUT}/${SET}" "$@" >/dev/null 2>"${OUT}/${SET}.err"; then
    fail "helm template"; sed 's/^/    /' "${OUT}/${SET}.err"; return 1
  fi
  pass
}

# Checks every value set must pass.
common() {
  check "Deployment, Service, ServiceAccount, ClusterRole(Binding), webhook rendered" \
    bash -c "$(declare -f T kinds has_kind); SET=${SET} OUT=${OUT}; for k in Deployment Service ServiceAccount ClusterRole ClusterRoleBinding MutatingWebhookConfiguration Pod; do has_kind \$k || exit 1; done"
  check "runs serve" has deployment.yaml '^ +- serve$'
  check "rolling update maxUnavailable 0" has deployment.yaml '^ +maxUnavailable: 0$'
  check "preStop sleep" has deployment.yaml '^ +sleep:$'
  check "liveness /healthz over HTTPS" has deployment.yaml 'path: /healthz'
  check "readiness /readyz over HTTPS" has deployment.yaml 'path: /readyz'
  check "probes use HTTPS" test "$(grep -c 'scheme: HTTPS' "$(T deployment.yaml)")" -eq 2
  check "runAsNonRoot" has deployment.yaml 'runAsNonRoot: true'
  check "readOnlyRootFilesystem" has deployment.yaml 'readOnlyRootFilesystem: true'
  check "drop ALL capabilities" has deployment.yaml 'drop: \[ALL\]'
  check "seccomp RuntimeDefault" has deployment.yaml 'type: RuntimeDefault'
  check "no privilege escalation" has deployment.yaml 'allowPrivilegeEscalation: false'
  check "resources set" has deployment.yaml '^ +resources:$'
  check "cert mounted from a Secret" has deployment.yaml 'mountPath: /etc/webhook/certs'
  check "grace period covers preStop + drain" test "$(field deployment.yaml terminationGracePeriodSeconds)" -ge 30
  check "ClusterRole only reads serviceaccounts" has rbac.yaml 'resources: \[serviceaccounts\]'
  check "no write verbs in RBAC" hasnt rbac.yaml 'create|update|patch|delete|mutatingwebhookconfigurations'
  check "webhook sideEffects None" has mutatingwebhookconfiguration.yaml 'sideEffects: None'
  check "admissionReviewVersions v1, v1beta1" has mutatingwebhookconfiguration.yaml 'admissionReviewVersions: \[v1, v1beta1\]'
  check "reinvocationPolicy IfNeeded" has mutatingwebhookconfiguration.yaml 'reinvocationPolicy: IfNeeded'
  check "failurePolicy Ignore by default" has mutatingwebhookconfiguration.yaml 'failurePolicy: Ignore'
  check "timeoutSeconds set" has mutatingwebhookconfiguration.yaml 'timeoutSeconds: [0-9]+'
  check "path /mutate" has mutatingwebhookconfiguration.yaml 'path: /mutate'
  check "skip label opt-out" has mutatingwebhookconfiguration.yaml 'key: eks.amazonaws.com/skip-pod-identity-webhook'
  check "skip label is DoesNotExist" has mutatingwebhookconfiguration.yaml 'operator: DoesNotExist'
  check "release namespace excluded" has mutatingwebhookconfiguration.yaml "^ +- ${NS}\$"
  check "helm test pod checks /healthz over TLS" has tests/test-healthz.yaml "https://.*/healthz"
  check "helm test pod verifies with a CA" has tests/test-healthz.yaml -- '--cacert='
}

ha_on() {
  check "2 replicas" has deployment.yaml '^  replicas: 2$'
  check "PodDisruptionBudget" exists pdb.yaml
  check "spread across hostnames" has deployment.yaml 'topologyKey: kubernetes.io/hostname'
  check "spread across zones" has deployment.yaml 'topologyKey: topology.kubernetes.io/zone'
  check "priorityClassName system-cluster-critical" has deployment.yaml 'priorityClassName: system-cluster-critical'
}

no_configmap_source() {
  check "no ConfigMap Role" bash -c "! grep -q '^kind: Role$' '$(T rbac.yaml)'"
  check "--watch-config-map=false" has deployment.yaml -- '--watch-config-map=false'
}

# ---- selfsigned -------------------------------------------------------------
if render selfsigned -f "${CHART}/ci/selfsigned-values.yaml"; then
  common; ha_on; no_configmap_source
  check "TLS Secret with ca.crt" has tls.yaml '^  ca.crt: [A-Za-z0-9+/=]{100,}$'
  ca_secret="$(sed -n 's/^  ca.crt: //p' "$(T tls.yaml)")"
  ca_webhook="$(sed -n 's/^ *caBundle: //p' "$(T mutatingwebhookconfiguration.yaml)")"
  check "caBundle equals the Secret's ca.crt" test -n "${ca_secret}" -a "${ca_secret}" = "${ca_webhook}"
  check "caBundle is a PEM certificate" bash -c "base64 -d <<<'${ca_webhook}' | grep -q 'BEGIN CERTIFICATE'"
  check "no cert-manager objects" absent certmanager.yaml
  check "no cainjector annotation" hasnt mutatingwebhookconfiguration.yaml 'inject-ca-from'
  check "region flag" has deployment.yaml -- '--aws-default-region=eu-west-1'
  check "regional STS flag" has deployment.yaml -- '--sts-regional-endpoint=true'
  check "expiration flag" has deployment.yaml -- '--token-expiration=3600'
  check "verbosity flag" has deployment.yaml -- '-v=3'
  check "extraArgs passed" has deployment.yaml -- '--tls-min-version=VersionTLS13'
  check "extra excluded namespace" has mutatingwebhookconfiguration.yaml '^ +- kube-system$'
  check "ServiceMonitor" has servicemonitor.yaml 'kind: ServiceMonitor'
  check "ServiceMonitor selected by labels" has servicemonitor.yaml 'release: prometheus'
  check "pods roll when the certificate changes" has deployment.yaml 'checksum/tls:'
fi

# ---- certmanager ------------------------------------------------------------
if render certmanager -f "${CHART}/ci/certmanager-values.yaml"; then
  common; ha_on; no_configmap_source
  check "cert-manager Issuers" test "$(grep -c '^kind: Issuer$' "$(T tls.yaml)")" -eq 2
  check "cert-manager Certificates (CA + serving)" test "$(grep -c '^kind: Certificate$' "$(T tls.yaml)")" -eq 2
  check "serving cert covers the Service name" has tls.yaml "^ +- ${REL}-irsa-webhook\\.${NS}\\.svc\$"
  check "serving cert written to the mounted Secret" has tls.yaml "secretName: ${REL}-irsa-webhook-tls"
  check "cainjector annotation" has mutatingwebhookconfiguration.yaml "cert-manager.io/inject-ca-from: ${NS}/${REL}-irsa-webhook\$"
  check "no static caBundle" hasnt mutatingwebhookconfiguration.yaml 'caBundle:'
  check "no chart-generated Secret" hasnt tls.yaml '^kind: Secret$'
fi

# ---- existing-secret --------------------------------------------------------
if render existing-secret -f "${CHART}/ci/existing-secret-values.yaml"; then
  common; ha_on; no_configmap_source
  check "mounts the user's Secret" has deployment.yaml 'secretName: my-webhook-tls'
  check "caBundle from values" has mutatingwebhookconfiguration.yaml 'caBundle: LS0tLS1CRUdJTi'
  check "no TLS objects rendered" absent tls.yaml
  check "helm test gets the CA from the caBundle" has tests/test-healthz.yaml 'BEGIN CERTIFICATE'
fi
SET=existing-secret-no-ca
check "existingSecret without caBundle is refused" bash -c \
  "! '${HELM}' template r '${CHART}' --set tls.mode=existingSecret --set tls.existingSecret.name=x"

# ---- configmap-on -----------------------------------------------------------
if render configmap-on -f "${CHART}/ci/configmap-on-values.yaml"; then
  common; ha_on
  check "--watch-config-map=true" has deployment.yaml -- '--watch-config-map=true'
  check "--namespace is the release namespace" has deployment.yaml -- "--namespace=${NS}\$"
  check "Role on configmaps" has rbac.yaml 'resources: \[configmaps\]'
  check "Role is namespaced to the release" test "$(grep -c "namespace: ${NS}" "$(T rbac.yaml)")" -ge 3
  check "no ClusterRole on configmaps" bash -c "! awk '/^kind: ClusterRole\$/{c=1} /^---/{c=0} c' '$(T rbac.yaml)' | grep -q configmaps"
  check "ConfigMap pod-identity-webhook" has configmap.yaml '^  name: pod-identity-webhook$'
  check "ConfigMap data in the reference's format" has configmap.yaml 'default/app.*RoleARN.*arn:aws:iam::111122223333:role/app'
  check "container-credentials flag" has deployment.yaml -- '--watch-container-credentials-config=/etc/webhook/container-credentials/config.json'
  check "container-credentials config mounted" has deployment.yaml 'mountPath: /etc/webhook/container-credentials'
  check "container-credentials identities" has configmap.yaml 'serviceAccount.{0,4}:.{0,4}pod-identity'
fi

# ---- ha-off -----------------------------------------------------------------
if render ha-off -f "${CHART}/ci/ha-off-values.yaml"; then
  common; no_configmap_source
  check "1 replica" has deployment.yaml '^  replicas: 1$'
  check "no PDB with one replica" absent pdb.yaml
  check "no topology spread" hasnt deployment.yaml topologySpreadConstraints
  check "no priorityClassName" hasnt deployment.yaml priorityClassName
  check "no ServiceMonitor by default" absent servicemonitor.yaml
fi

# ---- the schema refuses typos and bad values -----------------------------------
SET=schema
for bad in "replicaCout=2" "config.regoin=eu-west-1" "webhook.failurePolicy=Maybe" "tls.mode=acme" \
           "config.tokenExpiration=60" "image.foo=bar"; do
  check "schema refuses --set ${bad}" bash -c "! '${HELM}' template r '${CHART}' --set '${bad}' >/dev/null 2>&1"
done
check "failurePolicy Fail accepted" "${HELM}" template r "${CHART}" --set webhook.failurePolicy=Fail
# kubeVersion floor: the oldest upstream-supported minor (Chart.yaml says why).
check "renders for Kubernetes 1.35.0, the floor" "${HELM}" template r "${CHART}" --kube-version 1.35.0
check "refuses Kubernetes 1.34 (below the floor)" bash -c "! '${HELM}' template r '${CHART}' --kube-version 1.34.9"

# ---- deploy/: the plain manifests are the chart's current render ---------------
SET=deploy
DEPLOY="${IRSA_DEPLOY_FILE:-${ROOT}/deploy/irsa-webhook.yaml}" # override to self-test a stale copy
render_deploy() { HELM_BIN="${HELM}" IRSA_CHART_DIR="${CHART}" "${ROOT}/scripts/render-deploy.sh" "$1"; }
if render_deploy "${OUT}/deploy-1.yaml" >/dev/null 2>"${OUT}/deploy.err"; then
  pass
  render_deploy "${OUT}/deploy-2.yaml" >/dev/null 2>&1 || true
  check "rendering is byte-stable (two renders identical)" cmp "${OUT}/deploy-1.yaml" "${OUT}/deploy-2.yaml"
  check "deploy/irsa-webhook.yaml is up to date (re-run scripts/render-deploy.sh)" cmp "${DEPLOY}" "${OUT}/deploy-1.yaml"
  d="${OUT}/deploy-1.yaml"
  check "header says how it was made and that it needs cert-manager" \
    bash -c "head -8 '${d}' | grep -q 'scripts/render-deploy.sh' && head -8 '${d}' | grep -q 'Needs cert-manager'"
  check "Namespace ${NS} is the first object" \
    test "$(sed -n 's/^kind: //p' "${d}" | head -1)/$(sed -n 's/^  name: //p' "${d}" | head -1)" = "Namespace/${NS}"
  check "cert-manager TLS mode (cainjector annotation, Certificate)" \
    bash -c "grep -q 'cert-manager.io/inject-ca-from: ${NS}/${REL}-irsa-webhook\$' '${d}' && grep -q '^kind: Certificate\$' '${d}'"
  check "no chart-generated key material (no Secret, no caBundle)" bash -c "! grep -Eq '^kind: Secret\$|caBundle:|tls.key:' '${d}'"
  check "no helm test Pod" bash -c "! grep -q '^kind: Pod\$' '${d}'"
  check "every object in namespace ${NS} or cluster-scoped" \
    bash -c "! grep -E '^  namespace: ' '${d}' | grep -v '^  namespace: ${NS}\$'"
else
  fail "scripts/render-deploy.sh"; sed 's/^/    /' "${OUT}/deploy.err"
fi

printf '%d passed, %d failed\n' "${passed}" "${failed}"
[[ ${failed} -eq 0 ]]
