# shellcheck shell=bash
# Shared helpers for the e2e scripts. Sourced, never executed.
#
# Provides: E2E_DIR, the pinned versions (versions.env), the tool cache layout
# and the binary paths:
#   IRSA_TOOLS_CACHE   root of the cache (default ~/.cache/irsa-webhook/tools)
#   KUBE_APISERVER_BIN kube-apiserver  (override to use another binary)
#   KUBECTL_BIN        kubectl
#   ETCD_BIN           etcd

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Versions: an already exported KUBERNETES_VERSION / ETCD_VERSION wins over the
# pinned one (handy to try a newer release without editing the file).
_e2e_k8s_override="${KUBERNETES_VERSION:-}"
_e2e_etcd_override="${ETCD_VERSION:-}"
# shellcheck source=versions.env
. "${E2E_DIR}/versions.env"
KUBERNETES_VERSION="${_e2e_k8s_override:-${KUBERNETES_VERSION}}"
ETCD_VERSION="${_e2e_etcd_override:-${ETCD_VERSION}}"
unset _e2e_k8s_override _e2e_etcd_override

IRSA_TOOLS_CACHE="${IRSA_TOOLS_CACHE:-${HOME}/.cache/irsa-webhook/tools}"
K8S_TOOLS_DIR="${IRSA_TOOLS_CACHE}/kubernetes-${KUBERNETES_VERSION}"
ETCD_TOOLS_DIR="${IRSA_TOOLS_CACHE}/etcd-${ETCD_VERSION}"
KUBE_APISERVER_BIN="${KUBE_APISERVER_BIN:-${K8S_TOOLS_DIR}/kube-apiserver}"
KUBECTL_BIN="${KUBECTL_BIN:-${K8S_TOOLS_DIR}/kubectl}"
ETCD_BIN="${ETCD_BIN:-${ETCD_TOOLS_DIR}/etcd}"

e2e_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# e2e_require_tools: fail with a helpful message when a binary is missing.
e2e_require_tools() {
  local b
  for b in "${KUBE_APISERVER_BIN}" "${KUBECTL_BIN}" "${ETCD_BIN}"; do
    [[ -x "${b}" ]] || e2e_die "missing ${b}: run test/e2e/build-tools.sh first (or set KUBE_APISERVER_BIN/KUBECTL_BIN/ETCD_BIN)"
  done
  command -v openssl >/dev/null || e2e_die "openssl not found (apt-get install openssl)"
}

# e2e_go_build_env [JOBS]: the environment every Go build of the e2e tools
# shares, so they all fill the one module and build cache CI keeps
# (${IRSA_TOOLS_CACHE}/go/{mod,build}). GOTOOLCHAIN=local: a go.mod
# `toolchain` line must never download another Go; a too-old local Go fails
# with a clear message instead. -p: the machine's cores are shared.
e2e_go_build_env() {
  command -v go >/dev/null || e2e_die "go not found in PATH (need Go >= ${GO_MIN_VERSION})"
  mkdir -p "${IRSA_TOOLS_CACHE}"
  export GOMODCACHE="${IRSA_TOOLS_CACHE}/go/mod"
  export GOCACHE="${IRSA_TOOLS_CACHE}/go/build"
  export CGO_ENABLED=0
  export GOWORK=off
  export GOTOOLCHAIN=local
  export GOFLAGS="-p=${1:-${IRSA_TOOLS_JOBS:-2}} -buildvcs=false"
}

# e2e_go_at_least VERSION: the local Go is VERSION (like 1.26.5) or newer.
e2e_go_at_least() {
  local have
  have="$(go env GOVERSION)"; have="${have#go}"
  [[ "$(printf '%s\n%s\n' "$1" "${have}" | sort -V | head -1)" == "$1" ]]
}

# e2e_build_lock NAME: hold ${IRSA_TOOLS_CACHE}/.NAME.lock on fd 9 until the
# script exits (one builder per cache and tool: CI jobs and developers race).
e2e_build_lock() {
  exec 9>"${IRSA_TOOLS_CACHE}/.$1.lock"
  if command -v flock >/dev/null && ! flock -n 9; then
    e2e_log "another build holds ${IRSA_TOOLS_CACHE}/.$1.lock; waiting"
    flock 9
  fi
}

# e2e_reference_tarball: the path of the reference's source tarball
# (aws/amazon-eks-pod-identity-webhook), IRSA_REFERENCE_TARBALL or the one
# tarball in <repo>/../shared/reference/ (CI's clone has shared/ beside it).
e2e_reference_tarball() {
  if [[ -n "${IRSA_REFERENCE_TARBALL:-}" ]]; then
    [[ -f "${IRSA_REFERENCE_TARBALL}" ]] || e2e_die "IRSA_REFERENCE_TARBALL=${IRSA_REFERENCE_TARBALL}: no such file"
    printf '%s\n' "${IRSA_REFERENCE_TARBALL}"
    return
  fi
  local dir found=()
  dir="$(cd "${E2E_DIR}/../.." && pwd)/../shared/reference"
  shopt -s nullglob
  found=("${dir}"/amazon-eks-pod-identity-webhook-*.tar.gz)
  shopt -u nullglob
  ((${#found[@]} == 1)) || e2e_die "expected exactly one amazon-eks-pod-identity-webhook-*.tar.gz in ${dir}, found ${#found[@]} (or set IRSA_REFERENCE_TARBALL)"
  (cd "$(dirname "${found[0]}")" && printf '%s/%s\n' "$(pwd)" "$(basename "${found[0]}")")
}
