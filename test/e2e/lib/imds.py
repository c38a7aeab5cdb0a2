"""The EC2 instance-metadata mock (amazon-ec2-metadata-mock, built by build-imds-mock.sh) on loopback,
optionally behind imds-v1-proxy.py (an IMDS without IMDSv2)."""

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from lib.controlplane import E2E_DIR
from lib.poll import poll


def mock_binary():
    """IMDS_MOCK_BIN, or the cached build (built now when missing: build-imds-mock.sh prints its path)."""
    if os.environ.get("IMDS_MOCK_BIN"):
        return os.environ["IMDS_MOCK_BIN"]
    result = subprocess.run(["bash", str(E2E_DIR / "build-imds-mock.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build-imds-mock.sh failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def free_port():
    # The mock cannot report a port it bound (no port 0), so it gets one picked here.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _hands_out_tokens(endpoint):
    request = urllib.request.Request(f"{endpoint}/latest/api/token", method="PUT",
                                     headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
    with urllib.request.urlopen(request, timeout=1) as r:
        return r.status == 200


class ImdsMock:
    """The mock on 127.0.0.1: IMDSv2 only (-I: no token, 401) when v2, else IMDSv1 too; `args` such
    as ("-c", config.json). Its own HOME and working dir: it reads $HOME/aemm-config.json if present."""

    def __init__(self, binary, workdir, name, v2=True, args=()):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = Path(workdir) / f"{name}.mock.log"
        cmd = [binary, "-n", "127.0.0.1", "-p", str(self.port), *(["-I"] if v2 else []), *args]
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=workdir, env={**os.environ, "HOME": str(workdir)},
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        if not poll(15, lambda: self.proc.poll() is not None or _hands_out_tokens(self.endpoint)) \
                or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"ec2-metadata-mock did not come up on {self.endpoint}:\n{self.log.read_text()}")

    def stop(self):
        _stop(self.proc)


class V1Proxy:
    """imds-v1-proxy.py in front of `mock`: the token PUT answers `token_status`, GETs are forwarded
    without a token. It prints "listening PORT" on stdout (a file here, polled)."""

    def __init__(self, mock, workdir, name, token_status):
        ready = Path(workdir) / f"{name}.proxy"
        self.log = Path(workdir) / f"{name}.proxy.log"
        with open(ready, "w") as out, open(self.log, "w") as err:
            self.proc = subprocess.Popen([sys.executable, str(E2E_DIR / "imds-v1-proxy.py"), str(mock.port),
                                          str(token_status)], stdin=subprocess.DEVNULL, stdout=out, stderr=err)

        def listening():
            return ready.read_text().startswith("listening ") or self.proc.poll() is not None

        if not poll(15, listening) or not ready.read_text().startswith("listening "):
            self.stop()
            raise RuntimeError(f"imds-v1-proxy.py did not start:\n{self.log.read_text()}")
        self.endpoint = f"http://127.0.0.1:{int(ready.read_text().split()[1])}"

    def stop(self):
        _stop(self.proc)
