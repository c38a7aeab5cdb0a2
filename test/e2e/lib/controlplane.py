"""The control plane: control-plane.sh start/stop in a temp dir, and its env file."""

import os
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent.parent
CONTROL_PLANE = E2E_DIR / "control-plane.sh"


def read_env(path):
    """The KEY=value lines control-plane.sh writes."""
    env = {}
    for line in Path(path).read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


class ControlPlane:
    """etcd + kube-apiserver on loopback; `env` holds the env file's values."""

    def __init__(self, extra_env=None):
        self.workdir = Path(tempfile.mkdtemp(prefix="irsa-e2e.", dir=os.environ.get("TMPDIR", "/tmp")))
        self.extra_env = extra_env or {}
        self.env = {}

    def run(self, *args, check=True, env=None):
        """control-plane.sh COMMAND WORKDIR [ARGS]: e.g. run("restart-apiserver") (see its usage)."""
        command, rest = args[0], args[1:]
        return subprocess.run([str(CONTROL_PLANE), command, str(self.workdir), *rest], check=check,
                              env={**os.environ, **self.extra_env, **(env or {})}, capture_output=True, text=True)

    def start(self):
        result = self.run("start", check=False)
        if result.returncode != 0:
            raise RuntimeError(f"control-plane.sh start failed:\n{result.stderr}")
        self.env = read_env(self.workdir / "env")
        return self

    def stop(self, passed):
        self.run("stop", check=False)
        if passed and os.environ.get("IRSA_E2E_KEEP") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            shutil.rmtree(self.workdir / "etcd-data", ignore_errors=True)
            print(f"control-plane files kept in {self.workdir} (logs in {self.workdir}/logs)")

    @property
    def kubeconfig(self):
        return self.env["KUBECONFIG"]

    @property
    def logs(self):
        return Path(self.env["E2E_LOGS"])


def admin_endpoint(env):
    """(host, port, ssl context) of the control plane's apiserver, as cluster-admin (its client
    certificate), from a ControlPlane's `env`."""
    host, port = env["APISERVER_URL"].removeprefix("https://").rsplit(":", 1)
    pki = os.path.dirname(env["E2E_CA_CERT"])
    ctx = ssl.create_default_context(cafile=env["E2E_CA_CERT"])
    ctx.load_cert_chain(pki + "/admin.crt", pki + "/admin.key")
    return host, int(port), ctx
