"""kubectl against the e2e control plane, returning parsed JSON."""

import json
import subprocess

import yaml


class Kube:
    def __init__(self, kubectl, kubeconfig):
        self.kubectl = kubectl
        self.kubeconfig = kubeconfig

    def run(self, *args, stdin=None, check=True, timeout=60):
        result = subprocess.run([self.kubectl, "--kubeconfig", self.kubeconfig, *args], input=stdin,
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def json(self, *args):
        return json.loads(self.run(*args, "-o", "json").stdout)

    def apply(self, *docs):
        self.run("apply", "-f", "-", stdin=yaml.safe_dump_all(docs))

    def create(self, doc, *args):
        """Create `doc` (a dict); the object the apiserver stored, as JSON."""
        return json.loads(self.run("create", "-o", "json", "--request-timeout=15s", *args, "-f", "-",
                                   stdin=json.dumps(doc)).stdout)

    def namespace(self, ns, labels=None):
        """A namespace with its `default` ServiceAccount (no controller-manager creates it)."""
        meta = {"name": ns}
        if labels:
            meta["labels"] = labels
        self.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": meta},
                   service_account(ns, "default"))


def service_account(ns, name, annotations=None):
    meta = {"name": name, "namespace": ns}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
