"""The API client's live gtests (KubeApiClientLive*, skipped in the unit run) against the real
kube-apiserver: list then watch, a server-ended watch, token-file auth answered by RBAC, a
forbidden watch. (Was kube-client-live.sh.)"""

import os
import re
import subprocess
from pathlib import Path

from lib.controlplane import E2E_DIR


def test_kube_api_client_live(cluster):
    build = Path(os.environ.get("IRSA_BUILD_DIR", E2E_DIR.parent.parent / "build"))
    result = subprocess.run([str(build / "test" / "irsa-unit-tests"), "--gtest_filter=KubeApiClientLive*"],
                            env={**os.environ, "IRSA_E2E_KUBECONFIG": cluster.kubeconfig},
                            capture_output=True, text=True, timeout=240)
    out = result.stdout + result.stderr
    passed = re.findall(r"^\[       OK \] (\S+)", out, re.M)
    failed = re.findall(r"^\[  (?:FAILED|SKIPPED) *\] (\S+) \(", out, re.M)  # a skip here is a failure
    assert (result.returncode, failed, len(passed) > 0) == (0, [], True), out
