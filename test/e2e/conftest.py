"""Fixtures of the e2e suite: one control plane per session, webhooks started on demand.

`cluster` starts etcd + kube-apiserver through control-plane.sh (once per session);
`kube` is kubectl against it; `webhook(*args)` starts `irsa-webhook serve` on loopback with
port 0 and reads its ports from --ready-file; `register(wh)` points a
MutatingWebhookConfiguration for pods in namespaces labelled irsa-e2e=enabled at it;
`own_cluster(env)` is a control plane of the module's own, for apiserver settings the shared one
must not get.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib.admission import webhook_configuration  # noqa: E402
from lib.controlplane import E2E_DIR, ControlPlane  # noqa: E402
from lib.kube import Kube  # noqa: E402
from lib.webhook import SERVE, Webhook  # noqa: E402

REPO = E2E_DIR.parent.parent


def pytest_runtest_logreport(report):
    if report.failed:
        _STATE["failed"] = True


_STATE = {"failed": False}


@pytest.fixture(scope="session")
def irsa_binary():
    binary = os.environ.get("IRSA_BINARY", str(REPO / "build" / "irsa-webhook"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no webhook binary at {binary}: build first (scripts/build.sh)")
    return binary


@pytest.fixture(scope="session")
def cluster():
    cp = ControlPlane().start()
    os.environ["PATH"] = str(Path(cp.env["KUBECTL"]).parent) + os.pathsep + os.environ["PATH"]
    yield cp
    cp.stop(passed=not _STATE["failed"])


@pytest.fixture(scope="session")
def kube(cluster):
    return Kube(cluster.env["KUBECTL"], cluster.kubeconfig)


@pytest.fixture(scope="module")
def certs(tmp_path_factory, irsa_binary):
    """A dev certificate for 127.0.0.1 (ca.crt, tls.crt, tls.key)."""
    out = tmp_path_factory.mktemp("certs")
    subprocess.run([irsa_binary, "dev-cert", "--out-dir", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def webhook(irsa_binary, certs, request):
    """webhook(*serve_args, cert_dir=None, tls_name=..., logs=None, env=None, command=SERVE): a started
    serve, its log in `logs` (default: the session cluster's logs, which starts it), `env` added to its
    environment, `command` the words before its flags (lib.webhook.Webhook); stopped at the module's end."""
    started = []
    name = request.module.__name__.rsplit(".", 1)[-1]

    def start(*args, cert_dir=None, tls_name="127.0.0.1", logs=None, env=None, command=SERVE):
        logs = Path(logs) if logs else request.getfixturevalue("cluster").logs
        log = logs / f"webhook.{name}.{len(started)}.log"
        wh = Webhook(irsa_binary, cert_dir or certs, log, [str(a) for a in args], tls_name=tls_name, env=env,
                     command=command)
        started.append(wh)
        return wh

    yield start
    for wh in started:
        wh.stop(10)


@pytest.fixture(scope="module")
def register(request):
    """register(wh, kube=None, name="irsa-webhook-e2e", labels=None): pod CREATE in namespaces labelled
    `labels` (default irsa-e2e=enabled) goes to wh (failurePolicy Fail: a stored pod proves the webhook
    answered), through MutatingWebhookConfiguration `name`; on the session cluster (deleted at the
    module's end), or on `kube`, one of an own_cluster (thrown away with it)."""
    shared = {}  # name -> the session's Kube

    def apply(wh, kube=None, name="irsa-webhook-e2e", labels=None):
        if kube is None:
            kube = shared[name] = request.getfixturevalue("kube")
        kube.apply(webhook_configuration(wh, name, labels))

    yield apply
    for name, kube in shared.items():
        kube.run("delete", "mutatingwebhookconfiguration", name, "--ignore-not-found", "--wait=false",
                 "--request-timeout=5s", check=False)


@pytest.fixture(scope="module")
def own_cluster():
    """own_cluster(env) -> (ControlPlane, Kube): etcd + kube-apiserver of the module's own, started with
    control-plane.sh's knobs in `env` (IRSA_E2E_APISERVER_ARGS, IRSA_E2E_APISERVER_HOSTS, ...); for
    apiserver flags the shared control plane must not get. Stopped at the module's end."""
    started = []

    def start(env):
        cp = ControlPlane(extra_env=env)
        started.append(cp)
        cp.start()
        return cp, Kube(cp.env["KUBECTL"], cp.kubeconfig)

    yield start
    for cp in started:
        cp.stop(passed=not _STATE["failed"])
