#!/usr/bin/env bash
# Renders the Helm chart into plain manifests for clusters without Helm:
# deploy/irsa-webhook.yaml = the Namespace + `helm template` of release "irsa" in
# namespace "irsa-system", in cert-manager TLS mode. That mode renders the same
# bytes every time; the chart's self-signed mode generates a new CA per render.
# test/chart/lint.sh fails when deploy/ is not what this script renders.
#
# Usage: scripts/render-deploy.sh [OUT]   write OUT (default deploy/irsa-webhook.yaml; - for stdout)
# Env:   HELM_BIN        helm (default: the pinned build of test/e2e/build-helm.sh)
#        IRSA_CHART_DIR  the chart (default charts/irsa-webhook)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="${IRSA_CHART_DIR:-${ROOT}/charts/irsa-webhook}"
HELM="${HELM_BIN:-$("${ROOT}/test/e2e/build-helm.sh" --path)}"
[[ -x "${HELM}" ]] || { echo "helm not found at ${HELM}: run test/e2e/build-helm.sh first" >&2; exit 2; }
OUT="${1:-${ROOT}/deploy/irsa-webhook.yaml}"
REL=irsa
NS=irsa-system

chart_version="$(sed -n 's/^version: *//p' "${CHART}/Chart.yaml")"
# Render fully before writing, so a failed render never leaves a half file.
body="$("${HELM}" template "${REL}" "${CHART}" --namespace "${NS}" --set tls.mode=certManager --skip-tests)"
manifest="$(cat <<YAML
# irsa-webhook ${chart_version}: plain manifests for clusters without Helm.
# Generated from charts/irsa-webhook by scripts/render-deploy.sh; do not edit, re-run it:
#   helm template ${REL} charts/irsa-webhook --namespace ${NS} --set tls.mode=certManager --skip-tests
# Needs cert-manager (https://cert-manager.io) installed first: a cert-manager
# Issuer/Certificate makes the serving certificate, and its cainjector fills the
# webhook's caBundle. Apply with: kubectl apply -f deploy/irsa-webhook.yaml
# Other settings (region, replicas, TLS modes...): install the chart with Helm instead.
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
${body}
YAML
)"
if [[ "${OUT}" == - ]]; then
  printf '%s\n' "${manifest}"
else
  printf '%s\n' "${manifest}" >"${OUT}.tmp" && mv "${OUT}.tmp" "${OUT}"
fi
