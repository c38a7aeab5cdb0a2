"""The e2e control plane itself (no webhook): the real kube-apiserver + etcd accept and store what the
IRSA tests need; a TokenRequest for sts.amazonaws.com has the claims IRSA needs. (Was smoke.sh.)"""

import base64
import json

import pytest

from lib.kube import service_account

NS = "irsa-smoke"
SA = "s3-reader"
ROLE_ARN = "arn:aws:iam::111122223333:role/s3-reader"


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture(scope="module")
def objects(kube):
    kube.namespace(NS)
    sa = service_account(NS, SA, {"eks.amazonaws.com/role-arn": ROLE_ARN,
                                  "eks.amazonaws.com/audience": "sts.amazonaws.com",
                                  "eks.amazonaws.com/token-expiration": "3600"})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": NS, "labels": {"app": "smoke"}},
           "spec": {"serviceAccountName": SA, "containers": [{
               "name": "app", "image": "public.ecr.aws/amazonlinux/amazonlinux:2023",
               "command": ["sleep", "infinity"]}]}}
    kube.apply(sa, pod)
    return kube.json("-n", NS, "get", "serviceaccount", SA), kube.json("-n", NS, "get", "pod", "app")


def test_server_version(kube, cluster):
    assert kube.json("version")["serverVersion"]["gitVersion"] == cluster.env["KUBERNETES_VERSION"]


def test_service_account_and_pod_stored(objects):
    sa, pod = objects
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == ROLE_ARN
    assert bool(pod["metadata"]["uid"] and pod["metadata"]["resourceVersion"])
    assert pod["spec"]["serviceAccountName"] == SA
    # Pending and unscheduled: no scheduler or kubelet, stored, not run
    assert (pod.get("status", {}).get("phase"), pod["spec"].get("nodeName")) == ("Pending", None)
    # the ServiceAccount admission plugin ran (kube-api-access projected volume)
    assert any(v["name"].startswith("kube-api-access-") and "projected" in v for v in pod["spec"]["volumes"])


def test_pod_without_service_account_gets_default(objects, kube):
    kube.run("-n", NS, "run", "bare", "--image=busybox", "--restart=Never", "--command", "--", "sleep", "1")
    assert kube.json("-n", NS, "get", "pod", "bare")["spec"]["serviceAccountName"] == "default"


def test_token_request_for_sts(objects, kube, cluster):
    token = kube.run("-n", NS, "create", "token", SA, "--audience", "sts.amazonaws.com",
                     "--duration", "1h").stdout.strip()
    header, claims = b64json(token.split(".")[0]), b64json(token.split(".")[1])
    assert claims["aud"] == ["sts.amazonaws.com"]
    assert claims["sub"] == f"system:serviceaccount:{NS}:{SA}"
    assert claims["iss"] == cluster.env["E2E_SA_ISSUER"]
    assert header["alg"] == "RS256"


def test_jwks_served(kube):
    jwks = json.loads(kube.run("get", "--raw", "/openid/v1/jwks").stdout)
    assert jwks["keys"][0]["kty"] == "RSA"


def test_admission_api_served(kube):
    names = kube.run("api-resources", "--api-group=admissionregistration.k8s.io", "-o", "name").stdout.split()
    assert "mutatingwebhookconfigurations.admissionregistration.k8s.io" in names
