"""The unit-test binary's live gtests (skipped in the unit run unless their env is set), run from e2e."""

import os
import re
import subprocess
from pathlib import Path

from lib.controlplane import E2E_DIR


def unit_tests_binary():
    build = Path(os.environ.get("IRSA_BUILD_DIR", E2E_DIR.parent.parent / "build"))
    return build / "test" / "irsa-unit-tests"


def run_gtests(gtest_filter, env, timeout=240):
    """Run the gtests matching gtest_filter with env added. (rc, failed, any passed), which is
    (0, [], True) when all passed; a skip counts as a failure (the env is set), then the output."""
    result = subprocess.run([str(unit_tests_binary()), f"--gtest_filter={gtest_filter}"],
                            env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)
    out = result.stdout + result.stderr
    passed = re.findall(r"^\[       OK \] (\S+)", out, re.M)
    failed = re.findall(r"^\[  (?:FAILED|SKIPPED) *\] (\S+) \(", out, re.M)
    return (result.returncode, failed, len(passed) > 0), out


ALL_PASSED = (0, [], True)
