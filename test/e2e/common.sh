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
