#!/usr/bin/env bash
# Build the real helm v3 CLI the chart tests (test/chart/) run against:
#   helm  from helm.sh/helm/v3 ${HELM_VERSION}
# straight from its Go module through the module proxy (GOPROXY), version pinned
# in test/e2e/versions.env (newest v3.x.y on the proxy when pinned).
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/helm-<ver>/helm
# The Go module and build caches are shared with build-tools.sh (go/mod, go/build).
#
# Built by e2e_go_build_module (common.sh): helm's go.mod has no replace lines,
# so that is `go install module/cmd/helm@version` with the upstream go.mod and
# go.sum as published. Should a later release add replace lines, it builds
# through a throwaway wrapper module that restates them instead.
#
# Why the ldflags: helm's Makefile stamps the version (`helm version`) and the
# Kubernetes version helm assumes offline (.Capabilities.KubeVersion in
# `helm template`, deprecation checks in `helm lint`). Without them a module
# build reports v3.21 and pretends the cluster is Kubernetes v1.20. We derive
# the Kubernetes minor from the k8s.io/client-go version helm's go.mod requires,
# exactly as the Makefile does (client-go v0.N.x => Kubernetes 1.N).
#
# Usage: build-helm.sh           build if missing, print the path
#        build-helm.sh --check   exit 0 if the binary exists, 1 otherwise
#        build-helm.sh --path    print the binary path (built or not)
# Env:   IRSA_TOOLS_CACHE  cache root
#        IRSA_TOOLS_JOBS   go build -p (default 2; the machine has 2 shared cores)
#        HELM_VERSION      override the pinned version
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
[[ -n "${HELM_VERSION}" ]] || e2e_die "HELM_VERSION is not set (test/e2e/versions.env)"

HELM_MODULE="helm.sh/helm/v3"
HELM_PKG="${HELM_MODULE}/cmd/helm"
HELM_DIR="${IRSA_TOOLS_CACHE}/helm-${HELM_VERSION}"
HELM_BIN="${HELM_DIR}/helm"

e2e_tool_cli "${HELM_BIN}" "helm ${HELM_VERSION}" "${1:-}"

[[ "${HELM_VERSION}" =~ ^v3\.[0-9]+\.[0-9]+$ ]] \
  || e2e_die "HELM_VERSION=${HELM_VERSION}: expected a helm v3 release like v3.21.4"

e2e_go_build_env
gomod="$(e2e_go_mod_download "${HELM_MODULE}" "${HELM_VERSION}")"
# Kubernetes version helm assumes offline, from its k8s.io/client-go requirement.
client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit } $1 == "require" && $2 == "k8s.io/client-go" { print $3; exit }' "${gomod}")"
[[ "${client_go}" =~ ^v0\.([0-9]+)\. ]] || e2e_die "cannot read the k8s.io/client-go version from ${gomod} (got '${client_go}')"
k8s_minor="${BASH_REMATCH[1]}"
ldflags="-s -w -X ${HELM_MODULE}/internal/version.version=${HELM_VERSION}"
ldflags+=" -X ${HELM_MODULE}/internal/version.gitTreeState=clean"
for p in pkg/lint/rules pkg/chartutil; do
  ldflags+=" -X ${HELM_MODULE}/${p}.k8sVersionMajor=1 -X ${HELM_MODULE}/${p}.k8sVersionMinor=${k8s_minor}"
done

e2e_go_build_module --name helm --lock build-helm --ldflags "${ldflags}" --info "kubernetes_assumed=v1.${k8s_minor}" \
  "${HELM_MODULE}" "${HELM_VERSION}" "${HELM_DIR}" "helm=${HELM_PKG}"
"${HELM_BIN}" version --short >&2 || true
printf '%s\n' "${HELM_BIN}"
