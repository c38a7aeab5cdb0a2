"""`irsa-webhook trust-policy from-cluster` against the real kube-apiserver: one policy per role that a
ServiceAccount's role-arn annotation names, admitting exactly the ServiceAccounts annotated with it (and
their audiences), paging through the list; and a policy it prints admits those ServiceAccounts' real
tokens in `doctor`."""

import json
import os
import subprocess
from pathlib import Path

from lib.kube import service_account

ROLE_A = "arn:aws:iam::111122223333:role/tp-e2e-a"
ROLE_B = "arn:aws:iam::111122223333:role/tp-e2e-b"


def run(irsa_binary, *args, stdin=None):
    return subprocess.run([irsa_binary, *args], capture_output=True, text=True, timeout=60, input=stdin)


def provider_arn(kube):
    issuer = json.loads(kube.run("get", "--raw", "/.well-known/openid-configuration").stdout)["issuer"]
    return "arn:aws:iam::111122223333:oidc-provider/" + issuer.removeprefix("https://")


def subjects(policy):
    out = set()
    for statement in policy["Statement"]:
        for op in statement["Condition"].values():
            for key, values in op.items():
                if key.endswith(":sub"):
                    out.update([values] if isinstance(values, str) else values)
    return out


def test_from_cluster_lists_the_annotated_service_accounts(irsa_binary, cluster, kube, tmp_path):
    role = "eks.amazonaws.com/role-arn"
    for ns in ("tp-e2e-1", "tp-e2e-2"):
        kube.namespace(ns)
    kube.apply(service_account("tp-e2e-1", "api", {role: ROLE_A}),
               service_account("tp-e2e-2", "api", {role: ROLE_A, "eks.amazonaws.com/audience": "vault"}),
               service_account("tp-e2e-2", "worker", {role: ROLE_B}),
               service_account("tp-e2e-2", "plain"),
               service_account("tp-e2e-2", "broken", {role: "not-an-arn"}))
    provider = provider_arn(kube)
    result = run(irsa_binary, "trust-policy", "from-cluster", "--provider-arn", provider, "--kubeconfig",
                 cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    assert "skipping tp-e2e-2/broken" in result.stderr
    policies = json.loads(result.stdout)
    mine = {arn: p for arn, p in policies.items() if "tp-e2e" in arn}
    assert set(mine) == {ROLE_A, ROLE_B}
    assert subjects(mine[ROLE_A]) == {"system:serviceaccount:tp-e2e-1:api", "system:serviceaccount:tp-e2e-2:api"}
    assert subjects(mine[ROLE_B]) == {"system:serviceaccount:tp-e2e-2:worker"}
    issuer_key = provider.split("oidc-provider/", 1)[1] + ":aud"
    assert sorted(mine[ROLE_A]["Statement"][0]["Condition"]["StringEquals"][issuer_key]) == \
        ["sts.amazonaws.com", "vault"]

    # What it prints is what doctor allows for those ServiceAccounts' real tokens, and only them.
    (tmp_path / "policy.json").write_text(json.dumps(mine[ROLE_B]))
    sa_pub = Path(os.path.dirname(cluster.env["E2E_CA_CERT"])) / "sa.pub"
    (tmp_path / "keys.json").write_text(run(irsa_binary, "oidc", "jwks", "--key", str(sa_pub)).stdout)
    for sa, allowed in (("worker", True), ("api", False)):
        token = kube.run("create", "token", sa, "-n", "tp-e2e-2", "--audience", "sts.amazonaws.com").stdout
        doctor = run(irsa_binary, "doctor", "--token", "-", "--jwks", str(tmp_path / "keys.json"), "--trust-policy",
                     str(tmp_path / "policy.json"), "--provider-arn", provider, stdin=token)
        assert doctor.returncode == (0 if allowed else 1), doctor.stdout + doctor.stderr


def test_from_cluster_pages_through_the_list(irsa_binary, cluster, kube):
    """More ServiceAccounts than one page (500) of the list: every one is found."""
    ns = "tp-e2e-many"
    kube.namespace(ns)
    docs = [service_account(ns, f"sa-{i}", {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/tp-many"})
            for i in range(520)]
    kube.run("apply", "-f", "-", "--server-side", stdin="\n---\n".join(json.dumps(d) for d in docs), timeout=180)
    result = run(irsa_binary, "trust-policy", "from-cluster", "--provider-arn", provider_arn(kube), "--kubeconfig",
                 cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    policy = json.loads(result.stdout)["arn:aws:iam::111122223333:role/tp-many"]
    assert len(subjects(policy)) == 520


def test_bad_input_exits_2(irsa_binary, cluster):
    result = run(irsa_binary, "trust-policy", "from-cluster", "--provider-arn", "arn:aws:iam::1:role/x",
                 "--kubeconfig", cluster.kubeconfig)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--provider-arn" in result.stderr, result.stderr
