"""Pods through the apiserver's admission chain: the webhook's registration, dry runs to wait for
the webhook, stored pods."""

import base64
import json

from lib.pods import pod_manifest
from lib.poll import poll


def dry_run_pod(kube, name, sa, ns):
    return kube.create(pod_manifest(name, sa, ns), "--dry-run=server")


def wait_dry_run(kube, timeout, name, sa, ns, predicate):
    """Poll server-side dry runs until predicate(pod) holds; the last dry-run pod (None if none)."""
    last = {}

    def probe():
        last["pod"] = dry_run_pod(kube, name, sa, ns)
        return predicate(last["pod"])

    return poll(timeout, probe), last.get("pod")


def dry_run_env(conn, name, sa, ns):
    """A server-side dry run of the e2e pod's create on `conn` (an HTTPSConnection to the apiserver as
    admin, lib.controlplane.admin_endpoint): (status, the env names of its containers, the body)."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
           "spec": {"serviceAccountName": sa, "containers": [{"name": "app", "image": "busybox"}]}}
    conn.request("POST", f"/api/v1/namespaces/{ns}/pods?dryRun=All", json.dumps(pod),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    names = [e["name"] for c in json.loads(data)["spec"]["containers"] for e in c.get("env", [])] \
        if response.status == 201 else []
    return response.status, names, data


def create_pod(kube, name, sa, ns):
    """Create the e2e pod and return the STORED pod (kubectl get -o json)."""
    kube.create(pod_manifest(name, sa, ns))
    return kube.json("-n", ns, "get", "pod", name)


E2E_LABEL = {"irsa-e2e": "enabled"}


def webhook_configuration(wh, name="irsa-webhook-e2e", labels=None):
    """MutatingWebhookConfiguration `name`: pod CREATE in namespaces labelled `labels` (default E2E_LABEL)
    goes to wh (a lib.webhook.Server) by URL, failurePolicy Fail."""
    ca = base64.b64encode((wh.certs / "ca.crt").read_bytes()).decode()
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [{
            "name": "irsa.e2e.local",
            "clientConfig": {"url": f"https://127.0.0.1:{wh.port}/mutate", "caBundle": ca},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["pods"]}],
            "namespaceSelector": {"matchLabels": labels or E2E_LABEL},
            "sideEffects": "None", "admissionReviewVersions": ["v1", "v1beta1"],
            "failurePolicy": "Fail", "timeoutSeconds": 10, "reinvocationPolicy": "IfNeeded",
        }],
    }
