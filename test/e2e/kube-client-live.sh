#!/usr/bin/env bash
# e2e: the API client's live tests (KubeApiClientLive*, skipped in the unit
# run) against a real kube-apiserver: list then watch, a server-ended watch,
# token-file auth answered by RBAC, a forbidden watch.
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${E2E_WORKDIR:-}" ]]; then
  exec "${E2E_DIR}/with-control-plane.sh" "${E2E_DIR}/$(basename "${BASH_SOURCE[0]}")" "$@"
fi
UNIT_TESTS="${IRSA_BUILD_DIR:-${E2E_DIR}/../../build}/test/irsa-unit-tests"
out="$(mktemp)"
trap 'rm -f "${out}"' EXIT
rc=0
IRSA_E2E_KUBECONFIG="${KUBECONFIG}" "${UNIT_TESTS}" --gtest_filter='KubeApiClientLive*' >"${out}" 2>&1 || rc=$?
cat "${out}"
passed="$(grep -c '^\[       OK \] ' "${out}" || true)"
failed="$(grep -cE '^\[  (FAILED|SKIPPED) *\] .*\(' "${out}" || true)"  # a skip here is a failure
if ((rc != 0 && failed == 0)) || ((passed == 0)); then failed=$((failed + 1)); fi
printf '%d passed, %d failed\n' "${passed}" "${failed}"
((failed == 0))
