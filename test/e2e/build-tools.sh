#!/usr/bin/env bash
# Build the real control-plane binaries the e2e tests run against:
#   kube-apiserver, kubectl  from k8s.io/kubernetes  ${KUBERNETES_VERSION}
#   etcd                     from go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
# straight from their Go modules through the module proxy (GOPROXY), versions
# pinned in test/e2e/versions.env.
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/kubernetes-<ver>/{kube-apiserver,kubectl}
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/etcd-<ver>/etcd
# The Go module and build caches live under the same root (go/mod, go/build),
# so CI can cache that one folder.
#
# Why a wrapper module: k8s.io/kubernetes' go.mod replaces all of its staging
# modules (k8s.io/api, client-go, apiserver, ...) with ./staging/src/... paths,
# so `go install k8s.io/kubernetes/cmd/...@v` refuses to run. We create a
# throwaway module that requires k8s.io/kubernetes and replaces each of those
# staging modules with its published tag v0.<minor>.<patch>. The replace list is
# derived from the upstream go.mod itself, so it follows new staging modules.
# etcd's server/v3 go.mod has the same kind of ../api, ../pkg replaces (there
# the required versions are real tags, so they are pinned to those).
# e2e_go_build_module (common.sh, shared with the other build-*.sh) does it.
#
# Usage: build-tools.sh            build what is missing, print the paths
#        build-tools.sh --check    exit 0 if all binaries exist, 1 otherwise
#        build-tools.sh --prune    delete the Go caches (go/mod ~0.7 GB, go/build ~3 GB);
#                                  the built binaries stay
# Env:   IRSA_TOOLS_CACHE  cache root
#        IRSA_TOOLS_JOBS   go build -p (default 2; the machine has 2 shared cores)
#        KUBERNETES_VERSION / ETCD_VERSION  override the pinned versions
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

have_k8s()  { [[ -x "${K8S_TOOLS_DIR}/kube-apiserver" && -x "${K8S_TOOLS_DIR}/kubectl" ]]; }
have_etcd() { [[ -x "${ETCD_TOOLS_DIR}/etcd" ]]; }

print_paths() {
  local b
  for b in "${K8S_TOOLS_DIR}/kube-apiserver" "${K8S_TOOLS_DIR}/kubectl" "${ETCD_TOOLS_DIR}/etcd"; do
    printf '%s\t%s\n' "$(du -h "${b}" | cut -f1)" "${b}"
  done
}

if [[ "${1:-}" == "--check" ]]; then
  have_k8s && have_etcd
  exit
fi
if [[ "${1:-}" == "--prune" ]]; then
  if [[ -d "${IRSA_TOOLS_CACHE}/go" ]]; then
    chmod -R u+w "${IRSA_TOOLS_CACHE}/go" # the module cache is read-only
    rm -rf "${IRSA_TOOLS_CACHE}/go"
  fi
  e2e_log "removed ${IRSA_TOOLS_CACHE}/go"
  exit 0
fi
[[ $# -eq 0 ]] || e2e_die "usage: $0 [--check|--prune]"

if have_k8s && have_etcd; then
  e2e_log "tools already built, cached (kubernetes ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION}):"
  print_paths
  exit 0
fi

# ---- preflight --------------------------------------------------------------
e2e_go_build_env
e2e_go_at_least "${GO_MIN_VERSION}" \
  || e2e_die "Go $(go env GOVERSION) is too old: kubernetes ${KUBERNETES_VERSION} / etcd ${ETCD_VERSION} need Go >= ${GO_MIN_VERSION}"
[[ "${KUBERNETES_VERSION}" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] \
  || e2e_die "KUBERNETES_VERSION=${KUBERNETES_VERSION}: expected a release like v1.37.2"
K8S_MINOR="${BASH_REMATCH[1]}"
STAGING_VERSION="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

T_START=${SECONDS}

if ! have_etcd; then
  e2e_go_build_module --name "etcd-${ETCD_VERSION}" --lock build \
    go.etcd.io/etcd/server/v3 "${ETCD_VERSION}" "${ETCD_TOOLS_DIR}" etcd=go.etcd.io/etcd/server/v3
fi

if ! have_k8s; then
  # Version stamping, as hack/lib/version.sh does, so `kubectl version` and the
  # apiserver's /version report the real release instead of v0.0.0-master.
  # buildDate is the release time from the proxy, which keeps builds reproducible.
  info_time="$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' | xargs -r sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' || true)"
  info_time="${info_time:-1970-01-01T00:00:00Z}"
  ldx=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldx+=" -X ${p}.gitVersion=${KUBERNETES_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${K8S_MINOR}"
    ldx+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${info_time}"
  done
  e2e_go_build_module --name "kubernetes-${KUBERNETES_VERSION}" --lock build --zero "${STAGING_VERSION}" \
    --ldflags "-s -w${ldx}" k8s.io/kubernetes "${KUBERNETES_VERSION}" "${K8S_TOOLS_DIR}" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl
fi

if ! have_k8s || ! have_etcd; then e2e_die "build finished but binaries are missing"; fi
# sed reads all of the output: with `head -1` the tool could die of SIGPIPE, and
# under pipefail a good build then ended with exit 141 (seen on a cold cache).
"${ETCD_TOOLS_DIR}/etcd" --version | sed -n 1p >&2
"${K8S_TOOLS_DIR}/kubectl" version --client 2>/dev/null | sed -n 1p >&2 || true
e2e_log "all tools ready in $((SECONDS - T_START))s:"
print_paths
