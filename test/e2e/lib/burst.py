"""The race test's client: P threads, each with one keep-alive TLS connection to the apiserver,
POST a ServiceAccount and then at once its pod (the tightest gap a client can make)."""

import http.client
import json
import sys
import threading

from lib.controlplane import admin_endpoint


def burst(env, n, p, ns, role_prefix, template):
    """[(i, sa_status, pod_status)] for pairs 1..n; status 0 when the request failed."""
    host, port, ctx = admin_endpoint(env)
    lock, counter, results = threading.Lock(), [0], []

    def connect():
        return http.client.HTTPSConnection(host, port, context=ctx, timeout=30)

    def worker():
        conn = connect()
        while True:
            with lock:
                counter[0] += 1
                i = counter[0]
            if i > n:
                conn.close()
                return
            sa = {"apiVersion": "v1", "kind": "ServiceAccount",
                  "metadata": {"name": f"sa-{i}", "namespace": ns,
                               "annotations": {"eks.amazonaws.com/role-arn": f"{role_prefix}{i}"}}}
            pod = json.loads(json.dumps(template))
            pod["metadata"] = {"name": f"pod-{i}", "namespace": ns}
            pod["spec"]["serviceAccountName"] = f"sa-{i}"
            codes = []
            for kind, body in (("serviceaccounts", sa), ("pods", pod)):
                try:
                    conn.request("POST", f"/api/v1/namespaces/{ns}/{kind}", json.dumps(body),
                                 {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    response.read()
                    codes.append(response.status)
                except Exception as error:  # noqa: BLE001 - reported as status 0
                    print(f"pair {i} {kind}: {error}", file=sys.stderr)
                    codes.append(0)
                    conn.close()
                    conn = connect()
            with lock:
                results.append((i, codes[0], codes[1]))

    threads = [threading.Thread(target=worker) for _ in range(p)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)
