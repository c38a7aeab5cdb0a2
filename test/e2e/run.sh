#!/usr/bin/env bash
# Runs every e2e test against its own throwaway control plane, building the
# pinned tools first if the cache lacks them. Prints one closing summary line.
set -uo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "${E2E_DIR}/build-tools.sh" || { echo "e2e: building the control-plane tools failed" >&2; exit 1; }
bash "${E2E_DIR}/build-helm.sh" >/dev/null || { echo "e2e: building helm failed" >&2; exit 1; }
bash "${E2E_DIR}/build-reference.sh" >/dev/null || { echo "e2e: building the reference failed" >&2; exit 1; }

tests=(smoke.sh admission-static.sh admission-cluster.sh race.sh apiserver-restart.sh watch-expiry.sh imds.sh kube-client-live.sh exec-plugin.sh chart-install.sh side-by-side.sh)
passed=0
failed=0
for t in "${tests[@]}"; do
  echo "== e2e: ${t}"
  if bash "${E2E_DIR}/${t}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "== e2e: ${t} FAILED"
  fi
done
echo "e2e: ${passed} passed, ${failed} failed"
[[ "${failed}" -eq 0 ]]
