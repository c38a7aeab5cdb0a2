"""kube-apiserver stops and comes back while `serve --kubeconfig` runs (etcd keeps running): serve
survives, reopens its watch or relists, its cache converges, and pods created afterwards are
mutated. The apiserver gets SIGKILL 2 s after SIGTERM (IRSA_E2E_APISERVER_STOP_GRACE): a
terminating apiserver holds open watches much longer. (Was apiserver-restart.sh.)

The tests of this module run in order: each step changes the cluster for the next."""

import os
import time

import pytest

from lib.admission import create_pod, wait_dry_run
from lib.kube import service_account
from lib.pods import KEPT, env_of, env_value, mutated_as, mutation, unknown_fields
from lib.poll import poll

NS = "irsa-restart"
ROLE_BEFORE = "arn:aws:iam::111122223333:role/before"
ROLE_AFTER = "arn:aws:iam::111122223333:role/after"
GRACE = {"IRSA_E2E_APISERVER_STOP_GRACE": os.environ.get("IRSA_E2E_APISERVER_STOP_GRACE", "2")}
OUTAGE_SECONDS = float(os.environ.get("IRSA_E2E_OUTAGE_SECONDS", "3"))
HIT = 'irsa_webhook_service_account_lookups_total{outcome="hit"}'


@pytest.fixture(scope="module")
def wh(webhook, kube):
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(service_account(NS, "before", {"eks.amazonaws.com/role-arn": ROLE_BEFORE}))
    return webhook("--kubeconfig", kube.kubeconfig, "-v", "3")


def cache_matches_cluster(wh, kube):
    cluster = len(kube.json("get", "serviceaccounts", "-A", "--request-timeout=10s")["items"])
    return cluster > 0 and cluster == wh.metric("irsa_webhook_service_accounts")


def test_before_the_outage(wh, kube, register):
    assert wh.wait_log(20, "ServiceAccount cache synced")
    assert wh.readyz() == 200
    register(wh)
    ok, last = wait_dry_run(kube, 20, "probe", "before", NS, lambda p: "AWS_ROLE_ARN" in
                            env_of(p["spec"]["containers"][0]))
    assert ok, last
    assert mutation(create_pod(kube, "pre", "before", NS)) == mutated_as(ROLE_BEFORE)


@pytest.fixture(scope="module")
def counters():
    return {}


def test_during_the_outage(wh, cluster, counters):
    counters["restarts"] = wh.metric("irsa_webhook_watch_restarts_total")
    counters["relists"] = wh.metric("irsa_webhook_relists_total")
    wh.log_mark()
    cluster.run("stop-apiserver", env=GRACE)
    try:
        time.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for readiness
        assert wh.alive()
        assert "] Watch failed" in wh.log_since_mark()
        assert wh.metrics_text() != ""
    finally:
        cluster.run("start-apiserver")


def test_after_the_restart(wh, kube, counters):
    kube.apply(service_account(NS, "after", {"eks.amazonaws.com/role-arn": ROLE_AFTER}))

    def recovered():
        return (wh.metric("irsa_webhook_watch_restarts_total") + wh.metric("irsa_webhook_relists_total")
                > counters["restarts"] + counters["relists"])

    assert poll(30, recovered), "watch_restarts or relists went up"
    assert poll(30, lambda: cache_matches_cluster(wh, kube)), "the cache converges with the cluster"
    print(f"# apiserver restart: watch_restarts {counters['restarts']:g} -> "
          f"{wh.metric('irsa_webhook_watch_restarts_total'):g}, relists {counters['relists']:g} -> "
          f"{wh.metric('irsa_webhook_relists_total'):g}")
    assert wh.readyz() == 200
    # The restarted apiserver loads the MutatingWebhookConfiguration anew: wait until it calls the
    # webhook again (a pod it created unmutated would be its fault).
    ok, last = wait_dry_run(kube, 20, "probe", "after", NS, lambda p: env_value(p, "AWS_ROLE_ARN") == ROLE_AFTER)
    assert ok, last


def test_pods_after_the_restart(wh, kube):
    hits0 = wh.metric(HIT)
    pod = create_pod(kube, "post-before", "before", NS)
    assert mutation(pod) == mutated_as(ROLE_BEFORE)
    assert unknown_fields(pod) == KEPT
    assert mutation(create_pod(kube, "post-after", "after", NS)) == mutated_as(ROLE_AFTER)
    assert wh.metric(HIT) - hits0 == 2, "both lookups were cache hits (the watch is back)"


def test_serve_never_exited_and_exits_0(wh):
    assert wh.alive()
    assert wh.stop(30) == 0
