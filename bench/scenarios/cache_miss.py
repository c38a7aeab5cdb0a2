"""Scenario 5 driver: a ServiceAccount created just before its pod.

Alternates two kinds of AdmissionReview sent straight to the webhook over one
keep-alive TLS connection:
  miss: POST a new ServiceAccount (with a role) to the apiserver, then at once
        the review of a pod that uses it: the webhook's cache has not seen it
        yet, so it waits for the watch (or its direct GET);
  hit:  the review of a pod whose ServiceAccount was created long before.
Latency is the webhook's answer time as this client sees it. Every answer
must carry a patch (the pod is mutated), or the run fails.

usage: cache_miss.py WEBHOOK_URL WEBHOOK_CA N OUT.json NAMESPACE   (env: APISERVER_URL, E2E_CA_CERT)
"""
import http.client
import json
import os
import ssl
import sys
import time

url, webhook_ca, n, out, NS = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
api_host, api_port = os.environ["APISERVER_URL"].removeprefix("https://").rsplit(":", 1)
pki = os.path.dirname(os.environ["E2E_CA_CERT"])
api_ctx = ssl.create_default_context(cafile=os.environ["E2E_CA_CERT"])
api_ctx.load_cert_chain(pki + "/admin.crt", pki + "/admin.key")
api = http.client.HTTPSConnection(api_host, int(api_port), context=api_ctx, timeout=30)
wh_host, wh_rest = url.removeprefix("https://").split(":", 1)
wh_port, wh_path = wh_rest.split("/", 1)
wh = http.client.HTTPSConnection(wh_host, int(wh_port), context=ssl.create_default_context(cafile=webhook_ca),
                                 timeout=30)


def api_post(path, body):
    api.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = api.getresponse()
    response.read()
    if response.status not in (201, 409):
        sys.exit(f"apiserver POST {path}: HTTP {response.status}")


def service_account(name):
    api_post(f"/api/v1/namespaces/{NS}/serviceaccounts",
             {"apiVersion": "v1", "kind": "ServiceAccount",
              "metadata": {"name": name, "namespace": NS,
                           "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::111122223333:role/{name}"}}})


def review(uid, sa):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{uid}", "namespace": NS},
           "spec": {"serviceAccountName": sa, "containers": [{"name": "app", "image": "busybox"}]}}
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                       "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                   "resource": {"group": "", "version": "v1", "resource": "pods"},
                                   "namespace": NS, "operation": "CREATE", "object": pod}})


def admit(uid, sa):
    body = review(uid, sa)
    start = time.perf_counter()
    wh.request("POST", "/" + wh_path + "?timeout=10s", body, {"Content-Type": "application/json"})
    response = wh.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    answer = json.loads(data)["response"] if response.status == 200 else {}
    if response.status != 200 or answer.get("uid") != uid or "patch" not in answer:
        sys.exit(f"{uid}: HTTP {response.status}, not mutated: {data[:200]!r}")
    return elapsed * 1000


api_post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
service_account("warm")
time.sleep(2)  # the watch delivers it: the "hit" pods find it in the cache
hit, miss = [], []
for i in range(n):
    service_account(f"new-{i}")
    miss.append(admit(f"miss-{i}", f"new-{i}"))
    hit.append(admit(f"hit-{i}", "warm"))


def percentiles(values):
    s = sorted(values)

    def pick(q):
        return s[min(len(s) - 1, int(q * len(s)))]

    return {"count": len(s), "p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": s[-1],
            "mean": sum(s) / len(s)}


json.dump({"label": "cache-miss", "latencyMs": {"miss": percentiles(miss), "hit": percentiles(hit)}},
          open(out, "w"), indent=1)
