#!/usr/bin/env bash
# Run a command against a fresh, throwaway control plane (etcd + kube-apiserver).
#
# Usage: with-control-plane.sh <command> [args...]
#
# Starts test/e2e/control-plane.sh in a new temp dir, exports everything from its
# env file (KUBECONFIG, APISERVER_URL, E2E_CA_CERT, ... see control-plane.sh),
# puts kubectl on PATH, runs the command, and always tears the control plane down
# (EXIT trap: on success, failure, or SIGINT/SIGTERM). The command's exit code is
# preserved.
#
# The workdir is removed after a passing run; after a failing one its logs/ and
# pki/ are kept (path printed) for debugging. IRSA_E2E_KEEP=1 always keeps it.
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

[[ $# -ge 1 ]] || e2e_die "usage: $0 <command> [args...]"

WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/irsa-e2e.XXXXXX")"

# shellcheck disable=SC2317  # invoked by the EXIT trap
teardown() {
  local rc=$?
  trap - EXIT INT TERM
  "${E2E_DIR}/control-plane.sh" stop "${WORKDIR}" || e2e_log "WARNING: teardown of ${WORKDIR} failed"
  if [[ "${rc}" -eq 0 && "${IRSA_E2E_KEEP:-0}" != 1 ]]; then
    rm -rf "${WORKDIR}"
  else
    rm -rf "${WORKDIR}/etcd-data" # tens of MB of preallocated WAL, useless after the run
    e2e_log "exit code ${rc}; control-plane files kept in ${WORKDIR} (logs in ${WORKDIR}/logs)"
  fi
  exit "${rc}"
}
CHILD=""
# On SIGINT/SIGTERM: stop the command too, then the EXIT trap tears down.
# shellcheck disable=SC2317  # invoked by the INT/TERM traps
on_signal() {
  if [[ -n "${CHILD}" ]]; then kill -TERM "${CHILD}" 2>/dev/null || true; fi
  exit "$1"
}
trap teardown EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

"${E2E_DIR}/control-plane.sh" start "${WORKDIR}"

set -a
# shellcheck disable=SC1091
. "${WORKDIR}/env"
set +a
PATH="$(dirname "${KUBECTL}"):${PATH}"
export PATH

# Run the command in the background and `wait` for it: bash defers traps while a
# foreground child runs, so a SIGTERM to this script would otherwise only act
# once the command finished. `<&0` keeps our stdin (a background job would get
# /dev/null).
rc=0
"$@" <&0 &
CHILD=$!
wait "${CHILD}" || rc=$?
CHILD=""
exit "${rc}"
