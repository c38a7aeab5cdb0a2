#!/usr/bin/env bash
# Static checks of the Helm chart:
#   - the chart's unit tests, charts/irsa-webhook/tests/*_test.yaml (one suite per
#     template, over the value sets of charts/irsa-webhook/ci/), run by the pinned
#     helm-unittest of test/e2e/build-helm-unittest.sh: its standalone binary,
#     which needs no helm plugin install (the plugin's install hook downloads);
#   - `helm lint --strict` and `helm template` with the pinned helm over every
#     ci/*-values.yaml, and what helm-unittest cannot see: the caBundle equal to
#     the generated Secret's CA (two templates of one render), the chart's
#     kubeVersion floor (helm-unittest renders without checking it), and that the
#     packaged chart leaves the unit tests out (.helmignore);
#   - deploy/irsa-webhook.yaml is exactly what scripts/render-deploy.sh renders now.
# helm is the pinned build from test/e2e/build-helm.sh (HELM_BIN overrides),
# helm-unittest from test/e2e/build-helm-unittest.sh (HELM_UNITTEST_BIN overrides).
#
# Usage: test/chart/lint.sh     prints one line per failed check, then "N passed, N failed"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="${IRSA_CHART_DIR:-${ROOT}/charts/irsa-webhook}"  # override to self-test on a broken copy
HELM="${HELM_BIN:-$("${ROOT}/test/e2e/build-helm.sh" --path)}"
[[ -x "${HELM}" ]] || { echo "helm not found at ${HELM}: run test/e2e/build-helm.sh first" >&2; exit 2; }
UNITTEST="${HELM_UNITTEST_BIN:-$("${ROOT}/test/e2e/build-helm-unittest.sh" --path)}"
[[ -x "${UNITTEST}" ]] || { echo "helm-unittest not found at ${UNITTEST}: run test/e2e/build-helm-unittest.sh first" >&2; exit 2; }
NS=irsa-system
REL=irsa

OUT="$(mktemp -d)"
trap 'rm -rf "${OUT}"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL [%s] %s\n' "${SET}" "$*"; }
check() { local desc="$1"; shift; if "$@" >/dev/null 2>&1; then pass; else fail "${desc}"; fi; }

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

# ---- the unit tests (helm-unittest) -------------------------------------------
SET=unittest
# Its summary ("Tests: N passed, N total") goes to the log; the test names of a
# failure are printed. --strict: a typo in a suite's keys is an error.
if "${UNITTEST}" --strict --color=false "${CHART}" >"${OUT}/unittest.log" 2>&1; then
  pass
  sed -n 's/^Tests: */helm-unittest: /p' "${OUT}/unittest.log"
else
  fail "helm-unittest ${CHART}/tests"; sed 's/^/    /' "${OUT}/unittest.log"
fi

# ---- lint and render every CI value set with the pinned helm --------------------
for values in "${CHART}"/ci/*-values.yaml; do
  set_name="$(basename "${values}" -values.yaml)"
  render "${set_name}" -f "${values}" || true
done

# The chart-generated CA is random per render and memoised within one: the
# webhook's caBundle must be the very ca.crt of the Secret rendered with it.
SET=selfsigned
T="${OUT}/selfsigned/irsa-webhook/templates"
ca_secret="$(sed -n 's/^  ca.crt: //p' "${T}/tls.yaml" 2>/dev/null || true)"
ca_webhook="$(sed -n 's/^ *caBundle: //p' "${T}/mutatingwebhookconfiguration.yaml" 2>/dev/null || true)"
check "caBundle equals the Secret's ca.crt" test -n "${ca_secret}" -a "${ca_secret}" = "${ca_webhook}"

# kubeVersion floor: the oldest upstream-supported minor (Chart.yaml says why).
SET=kube-version
check "renders for Kubernetes 1.35.0, the floor" "${HELM}" template r "${CHART}" --kube-version 1.35.0
check "refuses Kubernetes 1.34 (below the floor)" bash -c "! '${HELM}' template r '${CHART}' --kube-version 1.34.9"

# ---- the packaged chart: the helm test Pod in, the unit tests out -----------------
SET=package
if "${HELM}" package "${CHART}" --destination "${OUT}/package" >/dev/null 2>"${OUT}/package.err"; then
  pass
  tar -tzf "${OUT}"/package/*.tgz >"${OUT}/package.list"
  check "package keeps templates/tests/ (the helm test Pod)" grep -qx 'irsa-webhook/templates/tests/test-healthz.yaml' "${OUT}/package.list"
  check "package leaves out the unit tests (tests/, .helmignore)" bash -c "! grep -q '^irsa-webhook/tests/' '${OUT}/package.list'"
else
  fail "helm package"; sed 's/^/    /' "${OUT}/package.err"
fi

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
