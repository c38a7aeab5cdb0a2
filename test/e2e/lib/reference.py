"""The reference implementation (aws/amazon-eks-pod-identity-webhook): its binary (built by
build-reference.sh from the pinned tarball), the command line of its deploy/deployment-base.yaml, the flags
of its --help, and the process on loopback.

The reference cannot report a port it bound, so it is given free ones; and its readiness is not gated on
its ServiceAccount cache, so it is ready once a review of an annotated ServiceAccount is mutated
(Reference.wait_ready), not when /healthz answers."""

import functools
import json
import os
import re
import socket
import subprocess
import tarfile
from pathlib import Path

import yaml

from lib.controlplane import E2E_DIR
from lib.webhook import Server

SHARED = E2E_DIR.parent.parent.parent / "shared" / "reference"  # beside the repo, as in CI's clone


def reference_tarball():
    """IRSA_REFERENCE_TARBALL, or the one amazon-eks-pod-identity-webhook-*.tar.gz in ../shared/reference."""
    if os.environ.get("IRSA_REFERENCE_TARBALL"):
        return Path(os.environ["IRSA_REFERENCE_TARBALL"])
    found = sorted(SHARED.glob("amazon-eks-pod-identity-webhook-*.tar.gz"))
    if len(found) != 1:
        raise RuntimeError(f"expected exactly one amazon-eks-pod-identity-webhook-*.tar.gz in {SHARED}, found "
                           f"{len(found)} (or set IRSA_REFERENCE_TARBALL)")
    return found[0]


@functools.cache
def reference_binary():
    """IRSA_REFERENCE_BIN, or the cached build (built now when missing: build-reference.sh prints its path)."""
    if os.environ.get("IRSA_REFERENCE_BIN"):
        return os.environ["IRSA_REFERENCE_BIN"]
    result = subprocess.run(["bash", str(E2E_DIR / "build-reference.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build-reference.sh failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


@functools.cache
def reference_self_hosted():
    """IRSA_REFERENCE_SELF_HOSTED, or the reference's hack/self-hosted keys.json generator that
    build-reference.sh builds beside its binary."""
    if os.environ.get("IRSA_REFERENCE_SELF_HOSTED"):
        return os.environ["IRSA_REFERENCE_SELF_HOSTED"]
    result = subprocess.run(["bash", str(E2E_DIR / "build-reference.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build-reference.sh failed:\n{result.stderr}")
    return str(Path(result.stdout.strip().splitlines()[-1]).parent / "self-hosted")


def manifest_command(tarball):
    """The container command of the Deployment in the tarball's deploy/deployment-base.yaml."""
    with tarfile.open(tarball) as tar:
        member = next((m for m in tar.getmembers() if m.name.endswith("/deploy/deployment-base.yaml")), None)
        if member is None:
            raise RuntimeError(f"{tarball} has no deploy/deployment-base.yaml")
        docs = [d for d in yaml.safe_load_all(tar.extractfile(member)) if d]
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    if len(deployments) != 1:
        raise RuntimeError(f"{member.name}: expected one Deployment, found {len(deployments)}")
    return deployments[0]["spec"]["template"]["spec"]["containers"][0]["command"]


# pflag's usage lines: `  -v, --v Level   text (default X)`.
_HELP_LINE = re.compile(r"^\s+(?:-[A-Za-z], )?--([A-Za-z0-9][A-Za-z0-9_-]*)(?: (\S+))?\s{2,}(.*)$")
_DEFAULT = re.compile(r'\(default ("(?:[^"\\]|\\.)*"|[^)]*)\)\s*$')


def help_flags(text):
    """{name: default or None} of a pflag --help. (The TYPE column is left out: pflag names a value after a
    back-quoted word of the text when there is one, so `--compose-role-arn role-arn` is a bool.)"""
    flags = {}
    for line in text.splitlines():
        m = _HELP_LINE.match(line)
        if m:
            d = _DEFAULT.search(m.group(3))
            flags[m.group(1)] = (json.loads(d.group(1)) if d.group(1).startswith('"') else d.group(1)) if d else None
    if not flags:
        raise RuntimeError(f"no flags found in:\n{text}")
    return flags


@functools.cache
def reference_flags():
    """help_flags of the reference binary's --help."""
    result = subprocess.run([reference_binary(), "--help"], capture_output=True, text=True, timeout=30)
    return help_flags(result.stdout + result.stderr)


def accepts(binary, flag):
    """The reference parses `flag` (`--name=value`): it then exits 0 on --version."""
    return subprocess.run([binary, flag, "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=30).returncode == 0


def free_ports(n):
    """n distinct loopback ports free now (all held open while picked)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Reference(Server):
    """The reference started as `binary *args --tls-cert … --tls-key … --port P --metrics-port M`, on free
    ports P and M; stop() it (SIGTERM) when done. `wrapper`: a command it runs under, which execs it (the
    bench's ["taskset", "-c", "0"]), so `pid` is the reference's own."""

    def __init__(self, binary, certs, log, args, wrapper=()):
        super().__init__(certs, log)
        self.port, self.metrics_port = free_ports(2)
        self.spawn([*wrapper, binary, *args, "--tls-cert", str(self.certs / "tls.crt"), "--tls-key",
                    str(self.certs / "tls.key"), "--port", str(self.port), "--metrics-port", str(self.metrics_port)])
        self.pid = self.proc.pid

    def wait_ready(self, ns, sa, timeout=30):
        """It mutates a review of a pod of ns/sa (an annotated ServiceAccount) within `timeout` s, without
        exiting first."""
        return self.while_alive(timeout, lambda: self.mutates(ns, sa))
