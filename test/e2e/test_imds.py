"""aws::InstanceMetadata (what --compose-role-arn reads at startup) against the real EC2
instance-metadata mock, amazon-ec2-metadata-mock (lib/imds.py; built by build-imds-mock.sh at the
version pinned in versions.env). No control plane. (Was imds.sh.)

Scenarios, each with the AwsInstanceMetadataLive* gtests (IRSA_IMDS_ENDPOINT set):
  defaults     the mock's built-in document, IMDSv2 only (-I: a request without a session token
               gets 401, so a passing read proves the token flow): 0123456789, us-east-1 (aws)
  cn-north-1   a config file (-c) overriding it: 123456789012 in cn-north-1 (aws-cn)
  v1-only-403  IMDSv1 only: the mock without -I behind imds-v1-proxy.py, which refuses the
  v1-only-404  token PUT (403, then 404); the client must fall back to plain GETs.
`serve --compose-role-arn` runs against the last three: a bare role name on the ServiceAccount
becomes a full ARN with the instance's partition and account; behind the proxy, serve logs the
fallback."""

import json
from dataclasses import dataclass

import pytest
import yaml

from lib.controlplane import E2E_DIR
from lib.gtest import ALL_PASSED, run_gtests
from lib.imds import ImdsMock, V1Proxy, mock_binary
from lib.webhook import decoded_patch

CN_CONFIG = {"dynamic": {"values": {"instance-identity-document": {
    "accountId": "123456789012", "region": "cn-north-1", "availabilityZone": "cn-north-1a"}}}}
CN_ROLE = "arn:aws-cn:iam::123456789012:role/my-role"
REVIEW = E2E_DIR.parent.parent / "examples" / "admission-review.json"


@dataclass(frozen=True)
class Scenario:
    v2: bool  # the mock requires IMDSv2 (-I)
    config: dict | None  # the mock's -c file
    token_status: int | None  # imds-v1-proxy.py in front, answering the token PUT with this
    expect: tuple  # account, region, partition


SCENARIOS = {
    "defaults": Scenario(True, None, None, ("0123456789", "us-east-1", "aws")),
    "cn-north-1": Scenario(True, CN_CONFIG, None, ("123456789012", "cn-north-1", "aws-cn")),
    "v1-only-403": Scenario(False, CN_CONFIG, 403, ("123456789012", "cn-north-1", "aws-cn")),
    "v1-only-404": Scenario(False, CN_CONFIG, 404, ("123456789012", "cn-north-1", "aws-cn")),
}
COMPOSED = ["cn-north-1", "v1-only-403", "v1-only-404"]
V1_ONLY = ["v1-only-403", "v1-only-404"]


@pytest.fixture(scope="module")
def mock_bin():
    return mock_binary()


class Imds:
    """One scenario's IMDS: the mock, and imds-v1-proxy.py in front of it when v1-only."""

    def __init__(self, name, binary, workdir):
        self.name, self.scenario = name, SCENARIOS[name]
        args = ()
        if self.scenario.config:
            (workdir / "aemm.json").write_text(json.dumps(self.scenario.config))
            args = ("-c", str(workdir / "aemm.json"))
        self.mock = ImdsMock(binary, workdir, name, v2=self.scenario.v2, args=args)
        self.proxy = V1Proxy(self.mock, workdir, name, self.scenario.token_status) \
            if self.scenario.token_status else None
        self.endpoint = (self.proxy or self.mock).endpoint

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        self.mock.stop()


@pytest.fixture(scope="module")
def imds(mock_bin, tmp_path_factory):
    """imds(name): the scenario's IMDS, started on first use (the tests of a scenario share it)."""
    started = {}

    def get(name):
        if name not in started:
            started[name] = Imds(name, mock_bin, tmp_path_factory.mktemp(f"imds-{name}"))
        return started[name]

    yield get
    for i in started.values():
        i.stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_instance_metadata_live(imds, name):
    i = imds(name)
    account, region, partition = i.scenario.expect
    outcome, out = run_gtests("AwsInstanceMetadataLive*", {
        "IRSA_IMDS_ENDPOINT": i.endpoint, "IRSA_IMDS_MODE": "v2" if i.scenario.v2 else "v1",
        "IRSA_IMDS_EXPECT_ACCOUNT": account, "IRSA_IMDS_EXPECT_REGION": region,
        "IRSA_IMDS_EXPECT_PARTITION": partition}, timeout=100)
    assert outcome == ALL_PASSED, out + "\nmock log:\n" + i.mock.log.read_text()[-4000:]


def role_arns(patch):
    """The AWS_ROLE_ARN values anywhere in a JSON Patch's values."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if value.get("name") == "AWS_ROLE_ARN":
                found.append(value.get("value"))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk([op.get("value") for op in patch])
    return found


@pytest.fixture(scope="module")
def composed(imds, webhook, tmp_path_factory):
    """composed(name): serve --compose-role-arn against the scenario's IMDS, with ServiceAccount
    default/s3-reader annotated with the bare role name my-role: (the AWS_ROLE_ARN values of the patch
    of examples/admission-review.json, serve's log once stopped). One serve per scenario."""
    done = {}

    def run(name):
        if name in done:
            return done[name]
        workdir = tmp_path_factory.mktemp(f"serve-{name}")
        (workdir / "sa.yaml").write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "s3-reader", "namespace": "default",
                         "annotations": {"eks.amazonaws.com/role-arn": "my-role"}}}))
        wh = webhook("--compose-role-arn", "--service-accounts", workdir / "sa.yaml", logs=workdir,
                     env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds(name).endpoint})
        try:
            status, body = wh.tls_request("POST", "/mutate", REVIEW.read_bytes())
        finally:
            wh.stop(10)
        roles = role_arns(decoded_patch(json.loads(body)["response"])) if status == 200 else [f"HTTP {status}"]
        done[name] = roles, wh.log.read_text()
        return done[name]

    return run


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", COMPOSED)
def test_serve_composes_the_role_arn(composed, name):
    roles, log = composed(name)
    assert set(roles) == {CN_ROLE}, log


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", V1_ONLY)
def test_serve_logs_the_imdsv1_fallback(composed, name):
    _, log = composed(name)
    assert "falling back to IMDSv1" in log, log
