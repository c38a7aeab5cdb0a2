"""Scenario 5: the cache-miss path. A ServiceAccount is created just before its pod, so the pod
reaches the webhook before the watch has delivered the ServiceAccount: the webhook waits
(asynchronously) for the watch or its one direct GET. Compared with pods whose ServiceAccount is
cached. `serve` watches a real kube-apiserver (the e2e control plane, started here).

Each round alternates two kinds of AdmissionReview sent straight to the webhook over one keep-alive
TLS connection:
  miss: POST a new ServiceAccount (with a role) to the apiserver, then at once the review of a pod
        that uses it: the webhook's cache has not seen it yet, so it waits for the watch (or its
        direct GET);
  hit:  the review of a pod whose ServiceAccount was created long before.
Latency is the webhook's answer time as this client sees it. Every answer must carry a patch (the
pod is mutated), or the run fails. Also records the webhook's own lookup counters.

Writes BENCH_OUT/raw/5-cache-miss-<run>.json.
"""

import http.client
import json
import re
import time

import benchlib
from benchlib import apiserver_connection, build_control_plane_tools, control_plane, die, log, write_json


class CacheMissRun:
    """One run's connections: to the apiserver (as its admin) and to the webhook, in namespace `ns`."""

    def __init__(self, cp_env, server, ns):
        self.ns = ns
        self.api = apiserver_connection(cp_env)
        self.webhook = http.client.HTTPSConnection("127.0.0.1", server.webhook.port,
                                                   context=server.webhook.tls_context(), timeout=30)

    def api_post(self, path, body):
        self.api.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = self.api.getresponse()
        response.read()
        if response.status not in (201, 409):
            die(f"apiserver POST {path}: HTTP {response.status}")

    def service_account(self, name):
        self.api_post(f"/api/v1/namespaces/{self.ns}/serviceaccounts",
                      {"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": name, "namespace": self.ns,
                                    "annotations": {"eks.amazonaws.com/role-arn":
                                                    f"arn:aws:iam::111122223333:role/{name}"}}})

    def review(self, uid, sa):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{uid}", "namespace": self.ns},
               "spec": {"serviceAccountName": sa, "containers": [{"name": "app", "image": "busybox"}]}}
        return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                       "resource": {"group": "", "version": "v1", "resource": "pods"},
                                       "namespace": self.ns, "operation": "CREATE", "object": pod}})

    def admit(self, uid, sa):
        """The webhook's answer time in ms; the run fails unless the pod was mutated."""
        body = self.review(uid, sa)
        start = time.perf_counter()
        self.webhook.request("POST", "/mutate?timeout=10s", body, {"Content-Type": "application/json"})
        response = self.webhook.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        answer = json.loads(data)["response"] if response.status == 200 else {}
        if response.status != 200 or answer.get("uid") != uid or "patch" not in answer:
            die(f"{uid}: HTTP {response.status}, not mutated: {data[:200]!r}")
        return elapsed * 1000

    def measure(self, n):
        self.api_post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ns}})
        self.service_account("warm")
        time.sleep(2)  # the watch delivers it: the "hit" pods find it in the cache
        hit, miss = [], []
        for i in range(n):
            self.service_account(f"new-{i}")
            miss.append(self.admit(f"miss-{i}", f"new-{i}"))
            hit.append(self.admit(f"hit-{i}", "warm"))
        return {"miss": percentiles(miss), "hit": percentiles(hit)}


def percentiles(values):
    s = sorted(values)

    def pick(q):
        return s[min(len(s) - 1, int(q * len(s)))]

    return {"count": len(s), "p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": s[-1],
            "mean": sum(s) / len(s)}


def lookups(server):
    """The webhook's irsa_webhook_service_account_lookups_total counters by outcome ({} if unreadable)."""
    try:
        text = server.webhook.metrics_text()
    except OSError:
        return {}
    return {m.group(1): int(float(m.group(2))) for m in
            re.finditer(r'^irsa_webhook_service_account_lookups_total\{outcome="(\w+)"\} (\S+)$', text, re.M)}


def scenario(bench):
    build_control_plane_tools()
    n = int(bench.window("300", "30"))
    with control_plane() as cp:
        for run in bench.runs():
            # Not pinned: the apiserver and etcd need the cores too.
            with bench.serve(None, "--kubeconfig", cp.kubeconfig, cpu="0-1") as server:
                log(f"5-cache-miss: run {run}, {n} new ServiceAccounts")
                # A namespace of its own per run (no namespace controller runs to delete one).
                latency = CacheMissRun(cp.env, server, f"bench-miss-{run}").measure(n)
                write_json(bench.raw(f"5-cache-miss-{run}.json"),
                           {"label": "cache-miss", "latencyMs": latency, "lookups": lookups(server)})
    log("5-cache-miss: done")


if __name__ == "__main__":
    benchlib.main(scenario)
