#!/usr/bin/env bash
# Build helm-unittest, which runs the chart's unit tests (charts/irsa-webhook/tests/):
#   helm-unittest  from github.com/helm-unittest/helm-unittest ${HELM_UNITTEST_VERSION}
# straight from its Go module through the module proxy (GOPROXY), version pinned
# in test/e2e/versions.env.
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/helm-unittest-<ver>/helm-unittest
# The Go module and build caches are shared with build-tools.sh (go/mod, go/build).
#
# Why the standalone binary and not `helm plugin install`: the plugin's install
# hook downloads a prebuilt release binary, which cannot work offline (and would
# not be pinned by the proxy's checksums). The binary the plugin would run is
# this same cmd/helm-unittest; run as `helm-unittest CHART` it needs no helm at
# all: it renders with the helm library its go.mod requires (helm.sh/helm/v3),
# not with the helm of build-helm.sh.
#
# Why a wrapper module: helm-unittest's go.mod replaces
# github.com/vmware-labs/yaml-jsonpath with its own fork, so `go install @version`
# refuses it; e2e_go_build_module (common.sh) builds it through a throwaway
# module that restates that replace line.
#
# Usage: build-helm-unittest.sh           build if missing, print the path
#        build-helm-unittest.sh --check   exit 0 if the binary exists, 1 otherwise
#        build-helm-unittest.sh --path    print the binary path (built or not)
# Env:   IRSA_TOOLS_CACHE       cache root
#        IRSA_TOOLS_JOBS        go build -p (default 2; the machine has 2 shared cores)
#        HELM_UNITTEST_VERSION  override the pinned version
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
[[ -n "${HELM_UNITTEST_VERSION}" ]] || e2e_die "HELM_UNITTEST_VERSION is not set (test/e2e/versions.env)"

UNITTEST_MODULE="github.com/helm-unittest/helm-unittest"
UNITTEST_PKG="${UNITTEST_MODULE}/cmd/helm-unittest"
UNITTEST_DIR="${IRSA_TOOLS_CACHE}/helm-unittest-${HELM_UNITTEST_VERSION}"
UNITTEST_BIN="${UNITTEST_DIR}/helm-unittest"

e2e_tool_cli "${UNITTEST_BIN}" "helm-unittest ${HELM_UNITTEST_VERSION}" "${1:-}"

[[ "${HELM_UNITTEST_VERSION}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || e2e_die "HELM_UNITTEST_VERSION=${HELM_UNITTEST_VERSION}: expected a release like v1.1.2"

# The version stamp its Makefile sets (the plugin.yaml version).
e2e_go_build_module --name helm-unittest \
  --ldflags "-s -w -X ${UNITTEST_MODULE}/internal/build.version=${HELM_UNITTEST_VERSION#v}" \
  "${UNITTEST_MODULE}" "${HELM_UNITTEST_VERSION}" "${UNITTEST_DIR}" "helm-unittest=${UNITTEST_PKG}"
printf '%s\n' "${UNITTEST_BIN}"
