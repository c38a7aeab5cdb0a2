"""`serve --kubeconfig … --watch-config-map` keeps its ServiceAccounts (LIST+WATCH) and the
pod-identity-webhook ConfigMap from a real kube-apiserver, which calls it through a
MutatingWebhookConfiguration; checked on the STORED pods. (Was admission-cluster.sh.)

The tests of this module run in order: each step changes the cluster for the next."""

import json

import pytest

from lib.admission import create_pod, wait_dry_run
from lib.kube import service_account
from lib.pods import KEPT, UNCHANGED, env_of, env_value, mutated_as, mutation, unchanged, unknown_fields
from lib.webhook import decoded_patch

NS = "irsa-cluster"  # pods under test
NS_NOROLE = "irsa-norole"  # no ServiceAccount there has a role
CM_NS = "irsa-config"  # --namespace: where ConfigMap pod-identity-webhook lives
ROLE_ARN = "arn:aws:iam::111122223333:role/s3-reader"
ROLE_B = "arn:aws:iam::111122223333:role/changed"
ROLE_ORIGINAL = "arn:aws:iam::111122223333:role/original"
CM_ROLE_1 = "arn:aws:iam::111122223333:role/from-configmap"
CM_ROLE_2 = "arn:aws:iam::111122223333:role/from-configmap-updated"
E2E = {"irsa-e2e": "enabled"}


def configmap(kube, role):
    """ConfigMap pod-identity-webhook: an entry for NS/cm-app, one for */cm-ghost (never exists)."""
    config = {f"{NS}/cm-app": {"RoleARN": role, "Audience": "sts.amazonaws.com", "UseRegionalSTS": True,
                               "TokenExpiration": 3600},
              "*/cm-ghost": {"RoleARN": role}}
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pod-identity-webhook",
                                                                     "namespace": CM_NS},
                "data": {"config": json.dumps(config)}})


def role_is(role):
    return lambda pod: env_value(pod, "AWS_ROLE_ARN") == role


def not_mutated(pod):
    return [e["name"] for e in pod["spec"]["containers"][0].get("env", [])] == ["EXISTING"]


@pytest.fixture(scope="module")
def wh(webhook, kube):
    # Cluster state before the webhook starts (its first LIST sees it).
    kube.namespace(NS, E2E)
    kube.namespace(NS_NOROLE, E2E)
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": CM_NS}})
    kube.apply(
        service_account(NS, "s3-reader", {"eks.amazonaws.com/role-arn": ROLE_ARN,
                                          "eks.amazonaws.com/audience": "sts.amazonaws.com",
                                          "eks.amazonaws.com/token-expiration": "3600",
                                          "eks.amazonaws.com/sts-regional-endpoints": "true"}),
        service_account(NS, "cm-app"),
        service_account(NS, "changing", {"eks.amazonaws.com/role-arn": ROLE_ORIGINAL}),
        service_account(NS_NOROLE, "worker"),
        service_account(NS_NOROLE, "audience-only", {"eks.amazonaws.com/audience": "sts.amazonaws.com",
                                                     "eks.amazonaws.com/token-expiration": "3600"}))
    configmap(kube, CM_ROLE_1)
    return webhook("--kubeconfig", kube.kubeconfig, "--watch-config-map", "--namespace", CM_NS, "-v", "3")


def test_serve_syncs_and_is_ready(wh):
    assert wh.wait_log(20, "ServiceAccount cache synced")
    assert wh.readyz() == 200
    assert wh.wait_log(10, "ConfigMap pod-identity-webhook loaded")


def test_apiserver_calls_the_webhook(wh, kube, register):
    register(wh)
    ok, last = wait_dry_run(kube, 20, "probe", "s3-reader", NS, lambda p: "AWS_ROLE_ARN" in
                            env_of(p["spec"]["containers"][0]))
    assert ok, last


def test_annotated_service_account(kube):
    pod = create_pod(kube, "app", "s3-reader", NS)
    assert mutation(pod) == mutated_as(ROLE_ARN, "sts.amazonaws.com", 3600)
    assert env_value(pod, "AWS_STS_REGIONAL_ENDPOINTS") == "regional"
    assert unknown_fields(pod) == KEPT


def test_configmap_service_account(kube):
    pod = create_pod(kube, "cm-app-1", "cm-app", NS)
    assert mutation(pod) == mutated_as(CM_ROLE_1, "sts.amazonaws.com", 3600)
    assert env_value(pod, "AWS_STS_REGIONAL_ENDPOINTS") == "regional"
    assert unknown_fields(pod) == KEPT


def test_configmap_only_service_account_is_answered_without_waiting(wh):
    # case 1c: the reference answers at once with the ConfigMap's role; so must serve, without
    # "Waiting up to" the grace period (2s by default) first.
    wh.log_mark()
    patch = decoded_patch(wh.review(NS, "cm-ghost"))
    assert CM_ROLE_1 in json.dumps(patch)
    assert "cm-ghost not found in the cache" not in wh.log_since_mark()


def test_configmap_update_and_delete(kube):
    configmap(kube, CM_ROLE_2)
    ok, last = wait_dry_run(kube, 10, "probe", "cm-app", NS, role_is(CM_ROLE_2))
    assert ok, last
    assert mutation(create_pod(kube, "cm-app-2", "cm-app", NS)) == mutated_as(CM_ROLE_2, "sts.amazonaws.com", 3600)
    kube.run("-n", CM_NS, "delete", "configmap", "pod-identity-webhook")
    ok, last = wait_dry_run(kube, 10, "probe", "cm-app", NS, not_mutated)
    assert ok, last
    assert unchanged(create_pod(kube, "cm-app-3", "cm-app", NS)) == UNCHANGED


def test_role_annotation_changes_then_goes_away(kube):
    assert mutation(create_pod(kube, "changing-0", "changing", NS)) == mutated_as(ROLE_ORIGINAL)
    kube.run("-n", NS, "annotate", "--overwrite", "serviceaccount", "changing",
             f"eks.amazonaws.com/role-arn={ROLE_B}")
    ok, last = wait_dry_run(kube, 10, "probe", "changing", NS, role_is(ROLE_B))
    assert ok, last
    assert mutation(create_pod(kube, "changing-1", "changing", NS)) == mutated_as(ROLE_B)
    kube.run("-n", NS, "annotate", "serviceaccount", "changing", "eks.amazonaws.com/role-arn-")
    ok, last = wait_dry_run(kube, 10, "probe", "changing", NS, not_mutated)
    assert ok, last
    assert unchanged(create_pod(kube, "changing-2", "changing", NS)) == UNCHANGED


def test_namespace_without_roles(kube):
    assert unchanged(create_pod(kube, "norole-default", "default", NS_NOROLE)) == UNCHANGED
    worker = create_pod(kube, "norole-worker", "worker", NS_NOROLE)
    assert unchanged(worker) == UNCHANGED
    # an SA with audience/expiration but no role-arn
    assert unchanged(create_pod(kube, "norole-audience", "audience-only", NS_NOROLE)) == UNCHANGED
    assert unknown_fields(worker) == KEPT


def test_metrics_and_cache(wh, kube):
    sa_total = len(kube.json("get", "serviceaccounts", "-A")["items"])
    assert wh.metric("irsa_webhook_service_accounts") == sa_total
    # The one miss is cm-ghost's: it is looked up (an annotation would win over the ConfigMap)
    # but has a ConfigMap identity, so it is not a missing SA.
    assert (wh.metric("pod_identity_webhook_missing_sa_count"), wh.lookups("miss")) == (0, 1)
    assert wh.metric('pod_identity_webhook_pod_count{method="sts_web_identity"}') >= 5


def test_serve_exits_0_on_sigterm(wh):
    assert wh.alive()
    assert wh.stop(30) == 0
