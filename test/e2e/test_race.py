"""The ServiceAccount race: RACE_N (default 200) ServiceAccounts, each POSTed immediately before
its pod, RACE_P (default 8) pairs in parallel. Every STORED pod must be mutated with its own
ServiceAccount's role; no lookup may miss. Two phases (was race.sh):
  direct: the webhook talks to the apiserver directly (most lookups hit);
  lagged: through delay-proxy.py (RACE_LAG_MS, default 250 ms each way), so each pod's review
          arrives before its ServiceAccount's watch event and must wait (waited_hit or api_hit)."""

import os
import subprocess
import sys
import time

import pytest

from lib.admission import wait_dry_run
from lib.burst import burst
from lib.controlplane import E2E_DIR
from lib.kube import service_account
from lib.pods import TOKEN_DIR, env_of, env_value, pod_manifest
from lib.poll import poll

N = int(os.environ.get("RACE_N", "200"))
P = int(os.environ.get("RACE_P", "8"))
LAG_MS = int(os.environ.get("RACE_LAG_MS", "250"))
ROLE_PREFIX = "arn:aws:iam::111122223333:role/race-"
OUTCOMES = ("hit", "waited_hit", "api_hit", "miss")


@pytest.fixture
def delay_proxy(cluster):
    """delay-proxy.py in front of the apiserver: its port."""
    log = open(cluster.logs / "delay-proxy.log", "w")
    proc = subprocess.Popen([sys.executable, str(E2E_DIR / "delay-proxy.py"), cluster.env["APISERVER_PORT"],
                             str(LAG_MS)], stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline().split()
    assert line[:1] == ["listening"], f"delay-proxy.py did not start: {line}"
    yield int(line[1])
    proc.terminate()
    proc.wait(10)
    log.close()


def verdict(pod, i):
    """Each stored pod mutated with its own ServiceAccount's role (what race.sh's jq checked)."""
    c = pod["spec"]["containers"][0]
    return (env_value(pod, "AWS_ROLE_ARN") == ROLE_PREFIX + i
            and env_of(c).get("AWS_WEB_IDENTITY_TOKEN_FILE") == TOKEN_DIR + "/token"
            and len([v for v in pod["spec"].get("volumes", []) if v["name"] == "aws-iam-token"]) == 1
            and len([m for m in c.get("volumeMounts", []) if m["name"] == "aws-iam-token"]) == 1
            and env_of(pod["spec"]["initContainers"][0]).get("AWS_ROLE_ARN") == ROLE_PREFIX + i)


def cache_matches_cluster(wh, kube):
    cluster = len(kube.json("get", "serviceaccounts", "-A", "--request-timeout=10s")["items"])
    return cluster > 0 and cluster == wh.metric("irsa_webhook_service_accounts")


@pytest.mark.parametrize("phase", ["direct", "lagged"])
def test_race(phase, request, cluster, kube, webhook, register):
    ns = "irsa-race" if phase == "direct" else "irsa-race-lagged"
    kube.namespace(ns, {"irsa-e2e": "enabled"})
    kube.apply(service_account(ns, "warmup", {"eks.amazonaws.com/role-arn": ROLE_PREFIX + "warmup"}))
    args = ["--kubeconfig", kube.kubeconfig, "-v", "1"]
    if phase == "lagged":
        args += ["--kube-api", f"https://127.0.0.1:{request.getfixturevalue('delay_proxy')}"]
    wh = webhook(*args)
    assert wh.wait_log(20, "ServiceAccount cache synced")
    if phase == "direct":
        assert wh.readyz() == 200
    register(wh)  # the same configuration, now pointing at this webhook
    ok, last = wait_dry_run(kube, 20, "probe", "warmup", ns, lambda p: "AWS_ROLE_ARN" in
                            env_of(p["spec"]["containers"][0]))
    assert ok, last

    before = {o: wh.lookups(o) for o in OUTCOMES}
    missing0 = wh.metric("pod_identity_webhook_missing_sa_count")
    t0 = time.monotonic()
    results = burst(cluster.env, N, P, ns, ROLE_PREFIX, pod_manifest("pod-template", "default", ns))
    elapsed = time.monotonic() - t0
    assert [r for r in results if r[1] != 201] == [], "ServiceAccounts not created (201)"
    assert [r for r in results if r[2] != 201] == [], "pods not created (201)"

    pods = [p for p in kube.json("-n", ns, "get", "pods")["items"] if p["metadata"]["name"].startswith("pod-")]
    assert len(pods) == N, "stored pods"
    not_mutated = [p["metadata"]["name"] for p in pods if not verdict(p, p["metadata"]["name"][4:])]
    assert not_mutated == [], "stored pods mutated with their own ServiceAccount's role"

    delta = {o: wh.lookups(o) - before[o] for o in OUTCOMES}
    missing = wh.metric("pod_identity_webhook_missing_sa_count") - missing0
    print(f"# race {phase}: {N} ServiceAccount+pod pairs, {P} in parallel, in {elapsed:.3f}s "
          f"({N / max(elapsed, 0.001):.0f} pairs/s); lookups: {delta}; missing_sa_count +{missing:g}")
    assert sum(delta.values()) == N, f"one lookup per pod: {delta}"
    assert (delta["miss"], missing) == (0, 0), "no lookup missed, missing_sa_count unchanged"
    assert poll(10, lambda: cache_matches_cluster(wh, kube)), "the cache holds every ServiceAccount afterwards"
    if phase == "lagged":
        assert delta["waited_hit"] + delta["api_hit"] > 0, f"the race happened: {delta}"
    assert wh.alive()
    assert wh.stop(30) == 0
