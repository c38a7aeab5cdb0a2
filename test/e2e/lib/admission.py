"""Pods through the apiserver's admission chain: dry runs to wait for the webhook, stored pods."""

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


def create_pod(kube, name, sa, ns):
    """Create the e2e pod and return the STORED pod (kubectl get -o json)."""
    kube.create(pod_manifest(name, sa, ns))
    return kube.json("-n", ns, "get", "pod", name)
