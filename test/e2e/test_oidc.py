"""`irsa-webhook oidc` against the real kube-apiserver and the reference's generator: the JWKS we
build from the apiserver's --service-account-key-file is the one it serves at /openid/v1/jwks (the
key IDs tokens are signed under), `oidc from-cluster` writes what the apiserver serves, and for an
RSA key `oidc jwks` prints byte for byte what the reference's hack/self-hosted prints."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from lib.reference import reference_self_hosted


@pytest.fixture(scope="module")
def sa_pub(cluster):
    """The apiserver's --service-account-key-file."""
    return Path(os.path.dirname(cluster.env["E2E_CA_CERT"])) / "sa.pub"


def run(irsa_binary, *args):
    return subprocess.run([irsa_binary, *args], capture_output=True, text=True, timeout=60)


def test_our_jwks_is_the_apiservers(irsa_binary, kube, sa_pub):
    ours = run(irsa_binary, "oidc", "jwks", "--key", str(sa_pub))
    assert ours.returncode == 0, ours.stderr
    served = json.loads(kube.run("get", "--raw", "/openid/v1/jwks").stdout)
    assert len(served["keys"]) == 1, served
    assert json.loads(ours.stdout) == served  # kid, n, e, alg, use: every member
    assert served["keys"][0]["kid"], "the apiserver publishes a kid"


def test_jwks_is_byte_identical_to_the_reference_generator(irsa_binary, sa_pub):
    theirs = subprocess.run([reference_self_hosted(), "-key", str(sa_pub)], capture_output=True, text=True,
                            timeout=60)
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    ours = run(irsa_binary, "oidc", "jwks", "--key", str(sa_pub))
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def test_from_cluster_round_trips(irsa_binary, cluster, kube, tmp_path):
    out = tmp_path / "upload"
    result = run(irsa_binary, "oidc", "from-cluster", "--kubeconfig", cluster.kubeconfig, "--out-dir", str(out))
    assert result.returncode == 0, result.stderr
    served_discovery = json.loads(kube.run("get", "--raw", "/.well-known/openid-configuration").stdout)
    served_jwks = json.loads(kube.run("get", "--raw", "/openid/v1/jwks").stdout)
    # The apiserver's jwks_uri is its own address, not under the issuer: keys.json, and a warning.
    assert not served_discovery["jwks_uri"].startswith(served_discovery["issuer"] + "/")
    assert "is not under the issuer" in result.stderr, result.stderr
    discovery = json.loads((out / ".well-known" / "openid-configuration").read_text())
    assert discovery["issuer"] == served_discovery["issuer"]
    assert discovery["jwks_uri"] == served_discovery["issuer"] + "/keys.json"
    assert discovery["id_token_signing_alg_values_supported"] == \
        served_discovery["id_token_signing_alg_values_supported"]
    assert json.loads((out / "keys.json").read_text()) == served_jwks
    assert result.stdout.split() == [str(out / ".well-known" / "openid-configuration"), str(out / "keys.json")]


def test_from_cluster_warns_when_the_issuer_differs(irsa_binary, cluster, kube, tmp_path):
    served = json.loads(kube.run("get", "--raw", "/.well-known/openid-configuration").stdout)["issuer"]
    result = run(irsa_binary, "oidc", "from-cluster", "--kubeconfig", cluster.kubeconfig, "--out-dir",
                 str(tmp_path), "--issuer", "https://oidc.example.com/c1")
    assert result.returncode == 0, result.stderr
    assert f"the apiserver's issuer is {served}, not https://oidc.example.com/c1" in result.stderr
    discovery = json.loads((tmp_path / ".well-known" / "openid-configuration").read_text())
    assert discovery["issuer"] == "https://oidc.example.com/c1"
    assert discovery["jwks_uri"] == "https://oidc.example.com/c1/keys.json"
