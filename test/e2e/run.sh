#!/usr/bin/env bash
# Runs the e2e suite, building the pinned tools first if the cache lacks them:
# pytest over test_*.py (one control plane for the session; JUnit XML in
# ${IRSA_TEST_REPORTS:-<repo>/build/test-reports}/e2e.xml), extra arguments
# passed on to it. Prints one closing summary line, counted from that XML.
set -uo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPORTS="${IRSA_TEST_REPORTS:-${E2E_DIR}/../../build/test-reports}"

bash "${E2E_DIR}/build-tools.sh" || { echo "e2e: building the control-plane tools failed" >&2; exit 1; }
bash "${E2E_DIR}/build-helm.sh" >/dev/null || { echo "e2e: building helm failed" >&2; exit 1; }
bash "${E2E_DIR}/build-reference.sh" >/dev/null || { echo "e2e: building the reference failed" >&2; exit 1; }

mkdir -p "${REPORTS}"
rm -f "${REPORTS}/e2e.xml"
echo "== e2e: pytest"
# Debian's python3 (python3-pytest, python3-pytest-timeout from scripts/setup.sh), not a PATH one.
(cd "${E2E_DIR}" && /usr/bin/python3 -m pytest --junitxml="${REPORTS}/e2e.xml" "$@")
rc=$?
# "e2e: N passed, N failed" (errors count as failed; skips are left out), or why there is no count.
/usr/bin/python3 - "${REPORTS}/e2e.xml" "${rc}" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
except (OSError, ET.ParseError) as e:
    sys.exit(f"e2e: pytest exited {sys.argv[2]} without a report ({e})")
failed = int(suite.get("failures")) + int(suite.get("errors"))
print(f"e2e: {int(suite.get('tests')) - failed - int(suite.get('skipped'))} passed, {failed} failed")
PY
exit "${rc}"
