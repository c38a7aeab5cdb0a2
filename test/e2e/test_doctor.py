"""`irsa-webhook doctor` on real tokens: `kubectl create token` from the real kube-apiserver,
checked against the JWKS `oidc jwks` builds from its signing key and a trust policy
`trust-policy create` writes. Allowed when everything matches; denied, with STS's own error, for
a wrong namespace, a wrong audience, an expired token and a JWKS without the token's key. The live
form (`--service-account`) asks the same apiserver's TokenRequest API for the token a pod would get."""

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

NS = "doctor-e2e"
SA = "app"


@pytest.fixture(scope="module")
def setup(cluster, kube, irsa_binary, tmp_path_factory):
    """(provider ARN, JWKS path, policy path, discovery path) for the shared cluster's issuer."""
    kube.namespace(NS)
    kube.run("create", "serviceaccount", SA, "-n", NS)
    out = tmp_path_factory.mktemp("doctor")
    issuer = json.loads(kube.run("get", "--raw", "/.well-known/openid-configuration").stdout)["issuer"]
    provider = "arn:aws:iam::111122223333:oidc-provider/" + issuer.removeprefix("https://")
    sa_pub = Path(os.path.dirname(cluster.env["E2E_CA_CERT"])) / "sa.pub"
    jwks = run(irsa_binary, "oidc", "jwks", "--key", str(sa_pub))
    assert jwks.returncode == 0, jwks.stderr
    (out / "keys.json").write_text(jwks.stdout)
    policy = run(irsa_binary, "trust-policy", "create", "--provider-arn", provider, "--subject", f"{NS}:{SA}")
    assert policy.returncode == 0, policy.stderr
    (out / "policy.json").write_text(policy.stdout)
    published = run(irsa_binary, "oidc", "from-cluster", "--kubeconfig", cluster.kubeconfig, "--out-dir",
                    str(out / "site"))
    assert published.returncode == 0, published.stderr
    return provider, out


def run(irsa_binary, *args, stdin=None):
    return subprocess.run([irsa_binary, *args], capture_output=True, text=True, timeout=60, input=stdin)


def token(kube, audience="sts.amazonaws.com", ns=NS, sa=SA):
    return kube.run("create", "token", sa, "-n", ns, "--audience", audience, "--duration", "1h").stdout.strip()


def doctor(irsa_binary, setup, tok, *extra, jwks=None):
    provider, out = setup
    return run(irsa_binary, "doctor", "--token", "-", "--jwks", str(jwks or out / "keys.json"), "--trust-policy",
               str(out / "policy.json"), "--provider-arn", provider, *extra, stdin=tok)


def part(tok, index):
    """A decoded JSON part of a JWT (0 header, 1 claims)."""
    text = tok.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_a_pods_token_is_allowed(irsa_binary, kube, setup):
    tok = token(kube)
    _, out = setup
    result = doctor(irsa_binary, setup, tok, "--discovery", str(out / "site" / ".well-known" / "openid-configuration"),
                    "--role-arn", "arn:aws:iam::111122223333:role/app")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ALLOWED" in result.stdout
    for check in ("issuer", "audience", "signature", "time", "trust policy"):
        assert f"PASS  {check}" in result.stdout, result.stdout
    assert tok not in result.stdout + result.stderr
    assert tok.split(".")[2] not in result.stdout + result.stderr  # not even the signature


def test_another_namespace_is_not_authorized(irsa_binary, kube, setup):
    kube.namespace("doctor-e2e-b")
    kube.run("create", "serviceaccount", SA, "-n", "doctor-e2e-b")
    result = doctor(irsa_binary, setup, token(kube, ns="doctor-e2e-b"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  trust policy" in result.stdout
    assert "system:serviceaccount:doctor-e2e-b:app" in result.stdout
    assert "DENIED: STS answers AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity" in result.stdout


def test_a_wrong_audience_is_incorrect(irsa_binary, kube, setup):
    result = doctor(irsa_binary, setup, token(kube, audience="vault"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  audience" in result.stdout
    assert "DENIED: STS answers InvalidIdentityToken: Incorrect token audience" in result.stdout


def test_an_expired_token_is_expired(irsa_binary, kube, setup):
    tok = token(kube)
    exp = part(tok, 1)["exp"]
    within_skew = doctor(irsa_binary, setup, tok, "--now", str(exp + 200))
    assert within_skew.returncode == 0, within_skew.stdout
    assert "within IAM's 5-minute skew" in within_skew.stdout
    result = doctor(irsa_binary, setup, tok, "--now", str(exp + 400))
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"DENIED: STS answers ExpiredTokenException: Token expired: current date/time {exp + 400} must be "
            f"before the expiration date/time {exp}") in result.stdout


def test_a_jwks_without_the_key_cannot_verify(irsa_binary, kube, setup, tmp_path):
    other = Path(__file__).resolve().parent.parent / "fixtures" / "oidc" / "ec-p256.pub"
    jwks = run(irsa_binary, "oidc", "jwks", "--key", str(other))
    (tmp_path / "keys.json").write_text(jwks.stdout)
    tok = token(kube)
    result = doctor(irsa_binary, setup, tok, jwks=tmp_path / "keys.json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  signature" in result.stdout
    kid = part(tok, 0)["kid"]
    assert f"kid {kid} is not in the JWKS" in result.stdout
    assert "DENIED: STS answers InvalidIdentityToken: Couldn't retrieve verification key" in result.stdout


def test_bad_input_exits_2(irsa_binary, setup):
    result = doctor(irsa_binary, setup, "not-a-token")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not a JWT" in result.stderr, result.stderr


ROLE = "arn:aws:iam::111122223333:role/live"


def live_doctor(irsa_binary, cluster, setup, sa, policy):
    _, out = setup
    return run(irsa_binary, "doctor", "--service-account", f"{NS}/{sa}", "--kubeconfig", cluster.kubeconfig,
               "--jwks", str(out / "keys.json"), "--trust-policy", str(policy))


def annotated_sa(kube, name, **annotations):
    kube.run("create", "serviceaccount", name, "-n", NS)
    kube.run("annotate", "serviceaccount", name, "-n", NS, f"eks.amazonaws.com/role-arn={ROLE}",
             *(f"eks.amazonaws.com/{key.replace('_', '-')}={value}" for key, value in annotations.items()))


def policy_for(irsa_binary, setup, sa, tmp_path):
    """A trust policy, written by `trust-policy create`, that admits NS:sa."""
    provider, _ = setup
    policy = run(irsa_binary, "trust-policy", "create", "--provider-arn", provider, "--subject", f"{NS}:{sa}")
    assert policy.returncode == 0, policy.stderr
    (tmp_path / "policy.json").write_text(policy.stdout)
    return tmp_path / "policy.json"


def test_the_live_form_checks_the_token_a_pod_would_get(irsa_binary, cluster, kube, setup, tmp_path):
    annotated_sa(kube, "live", token_expiration="3600")
    result = live_doctor(irsa_binary, cluster, setup, "live", policy_for(irsa_binary, setup, "live", tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ServiceAccount {NS}/live gets, from the TokenRequest API (audience sts.amazonaws.com, 3600 s)" \
        in result.stdout
    assert f"doctor: a token of system:serviceaccount:{NS}:live for {ROLE}" in result.stdout
    assert f"ALLOWED: STS would issue credentials for {ROLE}" in result.stdout
    for check in ("issuer", "audience", "signature", "time", "trust policy"):
        assert f"PASS  {check}" in result.stdout, result.stdout
    # The apiserver issued it for the lifetime asked.
    left = re.search(r"exp is in (\d+) s", result.stdout)
    assert left and 3000 < int(left.group(1)) <= 3600, result.stdout


def test_the_live_form_takes_the_audience_annotation(irsa_binary, cluster, kube, setup, tmp_path):
    annotated_sa(kube, "live-vault", audience="vault")
    result = live_doctor(irsa_binary, cluster, setup, "live-vault",
                         policy_for(irsa_binary, setup, "live-vault", tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "(audience vault, 86400 s)" in result.stdout
    assert "DENIED: STS answers InvalidIdentityToken: Incorrect token audience" in result.stdout


def test_the_live_form_of_a_missing_service_account_exits_2(irsa_binary, cluster, setup):
    _, out = setup
    result = live_doctor(irsa_binary, cluster, setup, "nobody", out / "policy.json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == f"irsa-webhook doctor: ServiceAccount {NS}/nobody not found\n"
