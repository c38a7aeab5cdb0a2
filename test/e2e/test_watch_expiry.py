"""The webhook's watch expires (410 Gone, "too old resource version") and it must relist. While
`serve` is frozen (SIGSTOP: cut off from the apiserver), the apiserver is restarted, ServiceAccounts
change (one created, one re-annotated, one deleted), etcd is compacted to its current revision and
the apiserver restarted again; then `serve` resumes from a resourceVersion that no longer exists.
(Was watch-expiry.sh.) The tests of this module run in order."""

import json
import os
import re
import signal

import pytest

from lib.admission import create_pod, wait_dry_run
from lib.kube import service_account
from lib.pods import env_of, mutated_as, mutation, pod_manifest
from lib.poll import poll

NS = "irsa-expiry"
ROLE = "arn:aws:iam::111122223333:role"
GRACE = {"IRSA_E2E_APISERVER_STOP_GRACE": os.environ.get("IRSA_E2E_APISERVER_STOP_GRACE", "2")}
GONE = re.compile(r"code=410|HTTP 410|too old resource version")
HIT = 'irsa_webhook_service_account_lookups_total{outcome="hit"}'
MISS = 'irsa_webhook_service_account_lookups_total{outcome="miss"}'


@pytest.fixture(scope="module")
def wh(webhook, kube):
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(*[service_account(NS, sa, {"eks.amazonaws.com/role-arn": f"{ROLE}/{sa}"})
                 for sa in ("stays", "reannotated", "doomed")])
    return webhook("--kubeconfig", kube.kubeconfig, "--enable-debugging-handlers", "-v", "3")


@pytest.fixture(scope="module")
def state():
    return {}


def cache(wh):
    """/debug/alpha/cache: {"ns/name": {"RoleARN": …}} of the ServiceAccounts with a role."""
    return json.loads(wh.debug("/debug/alpha/cache")[1])


def cache_view(wh):
    c = cache(wh)
    return {"doomed": f"{NS}/doomed" in c, "created": c.get(f"{NS}/created", {}).get("RoleARN"),
            "reannotated": c.get(f"{NS}/reannotated", {}).get("RoleARN")}


AFTER = {"doomed": False, "created": f"{ROLE}/created", "reannotated": f"{ROLE}/reannotated-v2"}


def cache_matches_cluster(wh, kube):
    cluster = len(kube.json("get", "serviceaccounts", "-A", "--request-timeout=10s")["items"])
    return cluster > 0 and cluster == wh.metric("irsa_webhook_service_accounts")


def doomed_review(wh):
    r = wh.review(NS, "doomed")
    return {"allowed": r.get("allowed"), "patched": bool(r.get("patch"))}


def mutates(pod):
    return "AWS_ROLE_ARN" in env_of(pod["spec"]["containers"][0])


def test_before(wh, kube, register):
    assert wh.wait_log(20, "ServiceAccount cache synced")
    assert wh.readyz() == 200
    register(wh)
    ok, last = wait_dry_run(kube, 20, "probe", "stays", NS, mutates)
    assert ok, last
    assert mutation(create_pod(kube, "pre", "reannotated", NS)) == mutated_as(f"{ROLE}/reannotated")
    assert doomed_review(wh) == {"allowed": True, "patched": True}, "the cache has 'doomed'"
    view = cache_view(wh)
    assert (view["doomed"], view["reannotated"]) == (True, f"{ROLE}/reannotated")


def test_outage_and_relist(wh, kube, cluster, state):
    relists0 = wh.metric("irsa_webhook_relists_total")
    wh.log_mark()
    os.kill(wh.pid, signal.SIGSTOP)
    try:
        cluster.run("restart-apiserver", env=GRACE)
        kube.apply(service_account(NS, "created", {"eks.amazonaws.com/role-arn": f"{ROLE}/created"}))
        kube.run("-n", NS, "annotate", "--overwrite", "serviceaccount", "reannotated",
                 f"eks.amazonaws.com/role-arn={ROLE}/reannotated-v2")
        kube.run("-n", NS, "delete", "serviceaccount", "doomed")
        revision = cluster.run("compact-etcd").stdout.strip()
        assert revision != "", "etcd compacted to its current revision"
        cluster.run("restart-apiserver", env=GRACE)
    finally:
        os.kill(wh.pid, signal.SIGCONT)
    assert poll(30, lambda: wh.metric("irsa_webhook_relists_total") > relists0), "serve relisted"
    assert GONE.search(wh.log_since_mark()), "serve was told its resourceVersion expired"
    assert poll(30, lambda: cache_matches_cluster(wh, kube)), "the cache converged with the cluster"
    print(f"# watch expiry: relists {relists0:g} -> {wh.metric('irsa_webhook_relists_total'):g}, "
          f"watch_restarts {wh.metric('irsa_webhook_watch_restarts_total'):g}, at compaction revision {revision}")
    assert cache_view(wh) == AFTER


def test_debug_clear_relists_and_converges(wh, kube):
    relists1 = wh.metric("irsa_webhook_relists_total")
    assert wh.debug("/debug/alpha/cache/clear")[0] == 200
    assert poll(30, lambda: wh.metric("irsa_webhook_relists_total") > relists1 and cache_view(wh) == AFTER
                and cache_matches_cluster(wh, kube)), "after the clear: relisted, and the cache matches again"


def test_pods_after_the_outage(wh, kube):
    ok, last = wait_dry_run(kube, 20, "probe", "stays", NS, mutates)
    assert ok, last
    hits0 = wh.metric(HIT)
    assert mutation(create_pod(kube, "post-created", "created", NS)) == mutated_as(f"{ROLE}/created")
    assert mutation(create_pod(kube, "post-reannotated", "reannotated", NS)) == mutated_as(f"{ROLE}/reannotated-v2")
    assert mutation(create_pod(kube, "post-stays", "stays", NS)) == mutated_as(f"{ROLE}/stays")
    assert wh.metric(HIT) - hits0 == 3, "those three lookups were cache hits"
    refused = kube.run("create", "-f", "-", stdin=json.dumps(pod_manifest("post-doomed", "doomed", NS)), check=False)
    assert refused.returncode != 0, "the apiserver refuses a pod of the deleted ServiceAccount"
    miss0 = wh.metric(MISS)
    assert doomed_review(wh) == {"allowed": True, "patched": False}, "'doomed' is gone from the cache"
    assert wh.metric(MISS) - miss0 == 1, "that lookup was a miss"


def test_serve_never_exited_and_exits_0(wh):
    assert wh.alive()
    assert wh.stop(30) == 0
