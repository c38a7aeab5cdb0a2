# shellcheck shell=bash
# The start of an e2e test that needs a control plane and the webhook helpers:
#   . "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"
# Run directly, the test re-executes itself under with-control-plane.sh (a
# throwaway etcd + kube-apiserver, KUBECONFIG set); inside it, this loads
# common.sh and webhook-lib.sh. Sourced without arguments, so "$@" here is the
# test's own.

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${E2E_WORKDIR:-}" ]]; then
  exec "${E2E_DIR}/with-control-plane.sh" \
    "$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)/$(basename "${BASH_SOURCE[1]}")" "$@"
fi
# shellcheck source=common.sh
. "${E2E_DIR}/common.sh"
# shellcheck source=webhook-lib.sh
. "${E2E_DIR}/webhook-lib.sh"
