"""The Helm chart, installed into a real kube-apiserver in self-signed TLS mode (plus
charts/irsa-webhook/ci/configmap-on-values.yaml, so the optional Role, RoleBinding and ConfigMaps
are rendered too). No kubelet runs, so the chart's pods never start: `irsa-webhook serve` runs on
loopback in their place, with the Deployment's own args and the chart's own Secret, and the chart's
MutatingWebhookConfiguration is re-pointed at it by URL under the Service DNS name its certificate
is issued for. That name resolves to 127.0.0.1 for the apiserver only (IRSA_E2E_APISERVER_HOSTS: a
private /etc/hosts), so this module has a control plane of its own (`own_cluster`); the chart's
cluster-wide objects stay off the shared one too. (Was chart-install.sh.)

The tests of this module run in order: each step changes the cluster for the next."""

import base64
import json
import os
import re
import subprocess

import pytest
import yaml

from lib.admission import create_pod, wait_dry_run
from lib.controlplane import E2E_DIR
from lib.kube import service_account
from lib.pods import KEPT, env_of, mutated_as, mutation, unknown_fields

ROOT = E2E_DIR.parent.parent
CHART = ROOT / "charts" / "irsa-webhook"
VALUES = CHART / "ci" / "configmap-on-values.yaml"
REL = "irsa"
CHART_NS = "irsa-system"
FULLNAME = f"{REL}-irsa-webhook"  # the chart's fullname for this release
SVC_HOST = f"{FULLNAME}.{CHART_NS}.svc"
NS = "irsa-chart"
ROLE_ARN = "arn:aws:iam::111122223333:role/chart-app"
EXPECTED = [(kind, FULLNAME) for kind in (
    "Deployment", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    "PodDisruptionBudget", "MutatingWebhookConfiguration")] + [
    ("Secret", f"{FULLNAME}-tls"), ("ConfigMap", "pod-identity-webhook"),
    ("ConfigMap", f"{FULLNAME}-container-credentials")]
# Deployment args serve gets from the webhook fixture instead: loopback, port 0, the files below.
REPLACED = ("--port=", "--metrics-port=", "--tls-cert=", "--tls-key=")


def helm_binary():
    """HELM_BIN, or the pinned build (built now when missing: build-helm.sh prints its path)."""
    if os.environ.get("HELM_BIN"):
        return os.environ["HELM_BIN"]
    result = subprocess.run(["bash", str(E2E_DIR / "build-helm.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build-helm.sh failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def apiserver(own_cluster):
    """(ControlPlane, Kube); SVC_HOST resolves to 127.0.0.1 for this apiserver."""
    return own_cluster({"IRSA_E2E_APISERVER_HOSTS": f"127.0.0.1 {SVC_HOST}"})


@pytest.fixture(scope="module")
def helm(apiserver, tmp_path_factory):
    """helm(*args) -> CompletedProcess, against the module's apiserver; cache, config and data out of $HOME."""
    binary, home = helm_binary(), tmp_path_factory.mktemp("helm")
    env = {**os.environ, "KUBECONFIG": apiserver[0].kubeconfig, "HELM_CACHE_HOME": str(home / "cache"),
           "HELM_CONFIG_HOME": str(home / "config"), "HELM_DATA_HOME": str(home / "data")}
    return lambda *args: subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def kube(apiserver):
    """kubectl against the module's apiserver (in place of the session's)."""
    return apiserver[1]


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    """What a step leaves for the next: the manifest, the CA bundle, the certificate files."""
    return {"dir": tmp_path_factory.mktemp("chart")}


def get(kube, kind, name, ns=CHART_NS):
    return kube.json("-n", ns, "get", kind, name)


def secret(kube, key):
    """The chart Secret's `key`, base64 as stored."""
    return get(kube, "secret", f"{FULLNAME}-tls")["data"][key]


def ca_bundle(kube):
    return get(kube, "mutatingwebhookconfiguration", FULLNAME)["webhooks"][0]["clientConfig"]["caBundle"]


def deployment(kube):
    return get(kube, "deployment", FULLNAME)["spec"]["template"]


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True)


def identities(docs):
    return sorted((d["kind"], d["metadata"]["name"]) for d in docs)


# --- install: every object through the apiserver's own validation

@pytest.mark.timeout(180)
def test_helm_install(helm, state):
    result = helm("install", REL, str(CHART), "-n", CHART_NS, "--create-namespace", "-f", str(VALUES))
    assert result.returncode == 0, result.stdout + result.stderr
    status = helm("status", REL, "-n", CHART_NS, "-o", "json")
    assert json.loads(status.stdout)["info"]["status"] == "deployed", status.stderr
    manifest = helm("get", "manifest", REL, "-n", CHART_NS).stdout
    state["manifest"] = state["dir"] / "manifest.yaml"
    state["manifest"].write_text(manifest)
    state["rendered"] = [d for d in yaml.safe_load_all(manifest) if d]


@pytest.fixture(scope="module")
def stored(kube, state):
    """(kind, name) of every object of the release manifest as the apiserver has it."""
    found = kube.json("get", "-f", str(state["manifest"]))
    return identities(found["items"] if found["kind"] == "List" else [found])


def test_every_manifest_object_is_stored(stored, state):
    assert (stored, len(stored) > 0) == (identities(state["rendered"]), True)


@pytest.mark.parametrize("obj", EXPECTED, ids=[f"{k}/{n}" for k, n in EXPECTED])
def test_stored(stored, obj):
    assert obj in stored


# --- the chart's certificate

def test_the_chart_certificate(kube, state):
    certs = state["certs"] = state["dir"] / "certs"
    certs.mkdir(mode=0o700)
    for key in ("ca.crt", "tls.crt", "tls.key"):
        (certs / key).write_bytes(base64.b64decode(secret(kube, key)))
    (certs / "tls.key").chmod(0o600)
    verify = openssl("verify", "-CAfile", str(certs / "ca.crt"), str(certs / "tls.crt"))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    san = openssl("x509", "-in", str(certs / "tls.crt"), "-noout", "-ext", "subjectAltName").stdout
    assert SVC_HOST in re.findall(r"DNS:([^,\s]+)", san), san
    key_pub = openssl("pkey", "-in", str(certs / "tls.key"), "-pubout").stdout
    assert (key_pub != "", key_pub) == (True, openssl("x509", "-in", str(certs / "tls.crt"), "-noout",
                                                      "-pubkey").stdout), "tls.key matches tls.crt"
    state["ca_bundle"] = ca_bundle(kube)
    assert (state["ca_bundle"] != "", state["ca_bundle"]) == (True, secret(kube, "ca.crt")), \
        "the MutatingWebhookConfiguration's caBundle is the Secret's ca.crt"


# --- upgrade: a changed value lands, the certificate stays

@pytest.mark.timeout(180)
def test_helm_upgrade_keeps_the_certificate(helm, kube, state):
    crt, checksum = secret(kube, "tls.crt"), deployment(kube)["metadata"]["annotations"].get("checksum/tls")
    result = helm("upgrade", REL, str(CHART), "-n", CHART_NS, "-f", str(VALUES), "--set", "config.logVerbosity=3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "-v=3" in deployment(kube)["spec"]["containers"][0]["args"]
    assert ca_bundle(kube) == state["ca_bundle"]
    assert (secret(kube, "tls.crt"), bool(crt)) == (crt, True), "the Secret's tls.crt is unchanged"
    assert (deployment(kube)["metadata"]["annotations"].get("checksum/tls"), bool(checksum)) == (checksum, True), \
        "the pods' checksum/tls is unchanged (no roll)"


# --- serve in the pods' place: their args, the chart's Secret and ConfigMaps

@pytest.mark.timeout(120)
def test_serve_runs_with_the_deployment_args(apiserver, kube, webhook, state):
    cp, _ = apiserver
    args = deployment(kube)["spec"]["containers"][0]["args"]
    assert args[:1] == ["serve"]
    assert "--port=8443" in args, "the image's port"
    credentials = state["dir"] / "container-credentials.json"
    credentials.write_text(get(kube, "configmap", f"{FULLNAME}-container-credentials")["data"]["config.json"])
    serve_args = []
    for a in args[1:]:
        if a.startswith("--watch-container-credentials-config="):
            serve_args.append(f"--watch-container-credentials-config={credentials}")
        elif not a.startswith(REPLACED):
            serve_args.append(a)
    wh = state["wh"] = webhook(*serve_args, "--kubeconfig", cp.kubeconfig, cert_dir=state["certs"],
                               tls_name=SVC_HOST, logs=cp.logs)
    assert wh.wait_log(20, "ServiceAccount cache synced")
    assert wh.wait_log(10, "ConfigMap pod-identity-webhook loaded")
    assert wh.readyz() == 200, f"/readyz, verified against the chart's CA as {SVC_HOST}"


# --- the chart's webhook configuration, pointed at the loopback server under the Service name

@pytest.mark.timeout(60)
def test_the_chart_webhook_configuration_calls_serve(kube, state):
    url = f"https://{SVC_HOST}:{state['wh'].port}/mutate"
    patch = kube.run("patch", "mutatingwebhookconfiguration", FULLNAME, "--type=json", "-p", json.dumps([
        {"op": "remove", "path": "/webhooks/0/clientConfig/service"},
        {"op": "add", "path": "/webhooks/0/clientConfig/url", "value": url}]), check=False)
    assert patch.returncode == 0, patch.stderr
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(service_account(NS, "app", {"eks.amazonaws.com/role-arn": ROLE_ARN}),
               service_account(NS, "reader"), service_account("default", "pod-identity"))
    ok, last = wait_dry_run(kube, 20, "probe", "app", NS, lambda p: "AWS_ROLE_ARN" in
                            env_of(p["spec"]["containers"][0]))
    assert ok, f"the apiserver calls {url}: {last}"


def container_credentials(pod):
    """What the container-credentials identity adds, as the check looked at it."""
    return {
        "full_uri_env": "AWS_CONTAINER_CREDENTIALS_FULL_URI" in env_of(pod["spec"]["containers"][0]),
        "token_volume": "eks-pod-identity-token" in [v["name"] for v in pod["spec"].get("volumes", [])],
        "label": pod["metadata"].get("labels", {}).get("eks.amazonaws.com/pod-identity"),
    }


def test_stored_pods(kube, state):
    app = create_pod(kube, "app", "app", NS)
    assert mutation(app) == mutated_as(ROLE_ARN), "annotated SA"
    assert unknown_fields(app) == KEPT, "annotated SA: unknown fields survive"
    assert mutation(create_pod(kube, "reader", "reader", NS)) == mutated_as("arn:aws:iam::111122223333:role/reader"), \
        "the chart ConfigMap's entry */reader"
    assert container_credentials(create_pod(kube, "pod-identity", "pod-identity", "default")) == \
        {"full_uri_env": True, "token_volume": True, "label": "enabled"}, \
        "the chart's container-credentials identity default/pod-identity"
    assert ca_bundle(kube) == state["ca_bundle"], "still the chart's CA after the re-pointing"


# --- uninstall: nothing of the release is left

@pytest.mark.timeout(120)
def test_helm_uninstall(helm, kube, state):
    # serve's part is done; stopped now, before the module's control plane (whose teardown pytest may
    # order first, and which then waits out serve's open watches)
    state["wh"].stop(10)
    result = helm("uninstall", REL, "-n", CHART_NS)
    assert result.returncode == 0, result.stdout + result.stderr
    left = kube.run("get", "-f", str(state["manifest"]), "--ignore-not-found", "-o", "name", check=False)
    assert (left.stdout + left.stderr).split() == [], "no object of the release manifest is left"


# --- the plain manifests (deploy/), minus cert-manager's kinds, pass the apiserver's validation

def test_deploy_manifest_passes_a_server_side_dry_run(kube):
    docs = [d for d in yaml.safe_load_all((ROOT / "deploy" / "irsa-webhook.yaml").read_text())
            if d and not d["apiVersion"].startswith("cert-manager.io/")]
    result = kube.run("apply", "--dry-run=server", "-f", "-", stdin=yaml.safe_dump_all(docs), check=False)
    assert result.returncode == 0, f"{len(docs)} non-cert-manager objects: {result.stdout}{result.stderr}"
