"""A real kube-apiserver calls `serve --service-accounts FILE` through a MutatingWebhookConfiguration,
and the STORED pods carry what the webhook added (env, volume with audience and expiration, mount),
while the fields the webhook does not know survive. (Was admission-static.sh.)"""

import pytest
import yaml

from lib.admission import create_pod, wait_dry_run
from lib.kube import service_account
from lib.pods import TOKEN_DIR, UNCHANGED, env_of, unchanged

NS = "irsa-e2e"
ROLE_ARN = "arn:aws:iam::111122223333:role/s3-reader"


@pytest.fixture(scope="module")
def wh(webhook, kube, register, tmp_path_factory):
    sa_file = tmp_path_factory.mktemp("static") / "serviceaccounts.yaml"
    sa_file.write_text(yaml.safe_dump(service_account(NS, "s3-reader", {
        "eks.amazonaws.com/role-arn": ROLE_ARN, "eks.amazonaws.com/token-expiration": "3600",
        "eks.amazonaws.com/sts-regional-endpoints": "true"})))
    wh = webhook("--service-accounts", sa_file, "--aws-default-region", "eu-west-1", "-v", "3")
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    register(wh)
    # The ServiceAccount admission plugin needs the ServiceAccounts to exist.
    kube.apply(service_account(NS, "s3-reader"), service_account(NS, "plain"))
    return wh


@pytest.fixture(scope="module")
def app(wh, kube):
    # The apiserver picks the configuration up asynchronously: probe with dry runs (bounded).
    ok, last = wait_dry_run(kube, 20, "probe", "s3-reader", NS,
                            lambda p: "AWS_ROLE_ARN" in env_of(p["spec"]["containers"][0]))
    assert ok, f"apiserver calls the webhook (server-side dry run is mutated); last: {last}"
    return create_pod(kube, "app", "s3-reader", NS)


def test_stored_pod_env(app):
    c = app["spec"]["containers"][0]
    assert [e["value"] for e in c["env"] if e["name"] == "AWS_ROLE_ARN"] == [ROLE_ARN]
    assert [e["value"] for e in c["env"] if e["name"] == "AWS_WEB_IDENTITY_TOKEN_FILE"] == [TOKEN_DIR + "/token"]
    # region and regional STS env, after the existing env
    assert [e["name"] for e in c["env"]] == ["EXISTING", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_DEFAULT_REGION",
                                             "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]


def test_stored_pod_volume_and_mount(app):
    assert [v["projected"]["sources"][0]["serviceAccountToken"] for v in app["spec"]["volumes"]
            if v["name"] == "aws-iam-token"] == [{"audience": "sts.amazonaws.com", "expirationSeconds": 3600,
                                                  "path": "token"}]
    assert [[m["readOnly"], m["mountPath"]] for m in app["spec"]["containers"][0]["volumeMounts"]
            if m["name"] == "aws-iam-token"] == [[True, TOKEN_DIR]]


def test_stored_pod_keeps_what_the_webhook_does_not_model(app):
    sidecar = app["spec"]["initContainers"][0]
    # the sidecar init container is mutated and keeps restartPolicy
    assert (sidecar["restartPolicy"], "AWS_ROLE_ARN" in env_of(sidecar)) == ("Always", True)
    assert app["spec"]["containers"][0]["startupProbe"]["grpc"]["port"] == 9090
    assert any(v["name"].startswith("kube-api-access") for v in app["spec"]["volumes"])


def test_pod_of_a_service_account_without_role_is_unchanged(app, kube):
    pod = create_pod(kube, "plain-app", "plain", NS)
    view = unchanged(pod)
    # no AWS env, no token volume
    assert {"app_env": view["app_env"], "token_volume": view["token_volume"]} == {
        "app_env": UNCHANGED["app_env"], "token_volume": False}


def test_mutated_pods_are_counted(app, wh):
    assert wh.metric('pod_identity_webhook_pod_count{method="sts_web_identity"}') >= 1
