#!/usr/bin/env bash
# Runs every e2e test, building the pinned tools first if the cache lacks them:
# the pytest suite (test_*.py, one control plane for the session; JUnit XML in
# ${IRSA_TEST_REPORTS:-<repo>/build/test-reports}/e2e.xml), then the scripts not
# converted yet, each against its own throwaway control plane. Prints one
# closing summary line.
set -uo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPORTS="${IRSA_TEST_REPORTS:-${E2E_DIR}/../../build/test-reports}"

bash "${E2E_DIR}/build-tools.sh" || { echo "e2e: building the control-plane tools failed" >&2; exit 1; }
bash "${E2E_DIR}/build-helm.sh" >/dev/null || { echo "e2e: building helm failed" >&2; exit 1; }
bash "${E2E_DIR}/build-reference.sh" >/dev/null || { echo "e2e: building the reference failed" >&2; exit 1; }

passed=0
failed=0
mkdir -p "${REPORTS}"
echo "== e2e: pytest"
# Debian's python3 (python3-pytest, python3-pytest-timeout from scripts/setup.sh), not a PATH one.
if (cd "${E2E_DIR}" && /usr/bin/python3 -m pytest --junitxml="${REPORTS}/e2e.xml" "$@"); then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "== e2e: pytest FAILED"
fi

tests=(side-by-side.sh)
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
