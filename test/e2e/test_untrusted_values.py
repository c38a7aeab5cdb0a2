"""Annotation values from whoever may edit a ServiceAccount or create a pod, through the real
kube-apiserver (issue 11, section 4). Values that break their rule never fail the pod: a role ARN
outside the reference's pattern is used with the reference's warning, an invalid audience or
expiration falls back, each is counted; values that try to escape JSON reach the stored pod
byte for byte. The apiserver is the judge of the patch: it decodes it with Go's encoding/json
and refuses the pod (failurePolicy Fail here) if the text is not JSON."""

import copy
import json

import pytest

from lib.admission import create_pod, wait_dry_run
from lib.kube import service_account
from lib.pods import env_value, mutated_as, mutation, pod_manifest

NS = "irsa-untrusted"
PLAIN_NS = "irsa-untrusted-off"  # not sent to the webhook
ROLE = "arn:aws:iam::111122223333:role/app"
SHORT_ACCOUNT_ROLE = "arn:aws:iam::1:role/short-account"
# 0x1A-0x1F, quotes, backslashes, JSON Pointer syntax, NUL, line separators: long enough for
# RapidJSON's 16-byte SIMD scan, which let 0x1A-0x1F through unescaped before util::JsonWriter.
HOSTILE_ROLE = ("arn:aws:iam::111122223333:role/" + "x" * 16 + "\x1a\x1b\x1c\x1d\x1e\x1f" + '"},{"op":"remove"}'
                + "\\\"/~1~0~/\x00\x01\n\t\u2028\u00e9\U0001F600")
INVALID = "irsa_webhook_annotation_invalid_total"


def invalid_count(wh, annotation, obj="serviceaccount"):
    return wh.metric(f'{INVALID}{{annotation="{annotation}",object="{obj}"}}')


def pod_with(name, sa, annotations):
    pod = pod_manifest(name, sa, NS)
    pod["metadata"]["annotations"] = annotations
    return pod


def create_stored(kube, pod):
    kube.create(pod)
    return kube.json("-n", pod["metadata"]["namespace"], "get", "pod", pod["metadata"]["name"])


@pytest.fixture(scope="module")
def wh(webhook, kube, register):
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.namespace(PLAIN_NS)
    for name, annotations in {
        "short-account": {"eks.amazonaws.com/role-arn": SHORT_ACCOUNT_ROLE},
        "two-word-audience": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/audience": "two words"},
        "empty-audience": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/audience": ""},
        "huge-expiration": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/token-expiration": "5000000000"},
        "expiration-7200": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/token-expiration": "7200"},
        "hostile": {"eks.amazonaws.com/role-arn": HOSTILE_ROLE},
    }.items():
        kube.create(service_account(NS, name, annotations))  # JSON: every byte kept
    server = webhook("--kubeconfig", kube.kubeconfig)
    assert server.wait_log(20, "ServiceAccount cache synced")
    register(server)
    ok, last = wait_dry_run(kube, 20, "probe", "expiration-7200", NS, lambda p: env_value(p, "AWS_ROLE_ARN") == ROLE)
    assert ok, last
    return server


def test_apiserver_refuses_an_expiration_above_two_to_the_32(wh, kube):
    # The bound the webhook keeps to is the apiserver's own: 2^32 is stored, one more is refused.
    pod = pod_manifest("bound", "default", PLAIN_NS)
    volume = {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}
    pod["spec"]["volumes"] = [volume]
    volume["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] = 4294967296
    assert kube.create(pod, "--dry-run=server")["spec"]["volumes"][0]["name"] == "t"
    over = copy.deepcopy(pod)
    over["spec"]["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] = 4294967297
    result = kube.run("create", "--dry-run=server", "-f", "-", stdin=json.dumps(over), check=False)
    assert result.returncode != 0 and "expirationSeconds" in result.stderr, result.stderr


def test_role_arn_outside_the_pattern_is_used_warned_and_counted(wh, kube):
    wh.log_mark()
    pod = create_pod(kube, "short-account", "short-account", NS)
    assert mutation(pod) == mutated_as(SHORT_ACCOUNT_ROLE)
    assert wh.wait_log(5, f"arn is invalid: {SHORT_ACCOUNT_ROLE}")
    assert invalid_count(wh, "role-arn") == 1


@pytest.mark.parametrize("sa,why", [("two-word-audience", "byte 3 is 0x20, not a visible ASCII character"),
                                    ("empty-audience", "it is empty")])
def test_invalid_audience_falls_back_to_the_flag(wh, kube, sa, why):
    wh.log_mark()
    pod = create_pod(kube, sa, sa, NS)
    assert mutation(pod) == mutated_as(ROLE, "sts.amazonaws.com")
    assert wh.wait_log(5, f"Ignoring service account {NS}/{sa} invalid value for audience annotation: {why}")


def test_audience_failures_are_counted(wh):
    assert invalid_count(wh, "audience") == 2


def test_expiration_above_two_to_the_32_is_ignored_so_the_pod_is_stored(wh, kube):
    pod = create_pod(kube, "huge-expiration", "huge-expiration", NS)
    assert mutation(pod) == mutated_as(ROLE, expiration=86400)
    assert invalid_count(wh, "token-expiration") == 1


@pytest.mark.parametrize("value,expiration,counted", [("4294967296", 4294967296, 0), ("4294967297", 7200, 1),
                                                      ("\x1f" * 20, 7200, 1)])
def test_pod_expiration_bounds(wh, kube, value, expiration, counted):
    before = invalid_count(wh, "token-expiration", "pod")
    name = f"pod-exp-{len(value)}-{expiration}"
    pod = create_stored(kube, pod_with(name, "expiration-7200", {"eks.amazonaws.com/token-expiration": value}))
    assert mutation(pod) == mutated_as(ROLE, expiration=expiration)
    assert invalid_count(wh, "token-expiration", "pod") - before == counted


def test_hostile_role_reaches_the_stored_pod_byte_for_byte(wh, kube):
    pod = create_pod(kube, "hostile", "hostile", NS)
    assert mutation(pod) == mutated_as(HOSTILE_ROLE)
    assert pod["metadata"].get("annotations") is None  # nothing else was written


def test_hostile_pod_annotations_and_skip_list_leave_the_rest_alone(kube):
    hostile = {"eks.amazonaws.com/skip-containers": 'app,"log-\x1f\\"shipper',
               "example.com/x": '"}]},{"op":"add","path":"/spec/hostNetwork","value":true}'}
    pod = create_stored(kube, pod_with("hostile-annotations", "expiration-7200", hostile))
    assert pod["metadata"]["annotations"] == hostile
    assert not pod["spec"].get("hostNetwork")
    # "app" is skipped; the malformed second field makes the CSV invalid, so nothing is: as the reference.
    assert mutation(pod) == mutated_as(ROLE, expiration=7200)
