"""Rolling restarts lose no pod, with the real kube-apiserver dialling the webhook's endpoints.

Two `serve` instances, each in a network namespace of its own on a veth pair (lib/netns.py), are
the endpoints of Service irsa-roll/irsa-roll (an EndpointSlice this test writes); the
MutatingWebhookConfiguration names the Service, and kube-apiserver runs with
--enable-aggregator-routing=true, so it resolves the Service to an endpoint at every dial and
verifies the certificate as issued for irsa-roll.irsa-roll.svc, as in a cluster. Meanwhile
CLIENTS threads create pods as fast as the apiserver takes them, each with a ServiceAccount that
has a role, and every instance is rolled ROLLS times. A roll takes the instance out of the
EndpointSlice and sends SIGTERM, in either order:
  - endpoints-first: the endpoint update, a preStop-like sleep, then SIGTERM;
  - sigterm-first: SIGTERM, then the endpoint update 1 s later (plain manifests have no preStop);
then starts a new instance on the same address and puts it back once /readyz is 200.

Pass: with failurePolicy Fail no create fails; with Ignore every stored pod has AWS_ROLE_ARN;
the apiserver's apiserver_admission_webhook_fail_open_count and _rejection_count do not move.
A control run with --shutdown-delay=0s shows the test sees the loss it guards against. The
figures go to <logs>/rollout.json and the test's output.
"""

import base64
import http.client
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from lib import netns
from lib.admission import wait_dry_run
from lib.controlplane import admin_endpoint
from lib.kube import service_account
from lib.pods import env_value, pod_manifest
from lib.poll import poll
from lib.webhook import Webhook

INSTANCES = 2
CLIENTS = 8
ROLLS = int(os.environ.get("IRSA_E2E_ROLLS", "2"))  # rolls of each instance, per scenario
PRESTOP_SECONDS = 2
ENDPOINT_LAG_SECONDS = 1
GRACE_SECONDS = 30  # the pod's default terminationGracePeriodSeconds
SVC = NS_SVC = "irsa-roll"
DNS_NAME = f"{SVC}.{NS_SVC}.svc"
PORT = 8443
WEBHOOK = "irsa.roll.local"
ROLE = "arn:aws:iam::111122223333:role/rollout"
SA = "roller"
# (order, failurePolicy, --shutdown-delay; None is serve's default)
SCENARIOS = [("sigterm-first", "Fail", None), ("sigterm-first", "Ignore", None),
             ("endpoints-first", "Fail", None), ("endpoints-first", "Ignore", None)]
CONTROL = ("sigterm-first", "Ignore", "0s")
RESULTS = []


def namespace_of(order, policy, delay):
    return f"roll-{order}-{policy.lower()}" + ("-nodelay" if delay == "0s" else "")


@pytest.fixture(scope="module")
def hosts():
    why = netns.available()
    if why:
        pytest.fail(f"the rollout test {why}")
    made = netns.netns_hosts(INSTANCES)
    yield made
    for host in made:
        host.close()


@pytest.fixture(scope="module")
def plane(own_cluster):
    return own_cluster({"IRSA_E2E_APISERVER_ARGS": "--enable-aggregator-routing=true"})


@pytest.fixture(scope="module")
def svc_certs(tmp_path_factory, irsa_binary):
    out = tmp_path_factory.mktemp("svc-certs")
    subprocess.run([irsa_binary, "dev-cert", "--out-dir", str(out), "--dns-names", DNS_NAME], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def identities(plane, tmp_path_factory):
    """The Service, and SA `roller` (with a role) in every scenario's namespace: in the apiserver (the
    ServiceAccount admission plugin wants it) and in the file the instances serve from."""
    _, kube = plane
    kube.namespace(NS_SVC)
    kube.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": SVC, "namespace": NS_SVC},
                "spec": {"ports": [{"name": "https", "port": 443, "targetPort": PORT}]}})
    docs = []
    for scenario in [*SCENARIOS, CONTROL]:
        ns = namespace_of(*scenario)
        kube.namespace(ns, {"roll": ns})
        docs.append(service_account(ns, SA, {"eks.amazonaws.com/role-arn": ROLE}))
    kube.apply(*docs)
    path = tmp_path_factory.mktemp("roll") / "service-accounts.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
    return path


class Fleet:
    """The instances, one a host, and the EndpointSlice that lists the live ones."""

    def __init__(self, binary, certs, logs, hosts, sa_file, kube, delay, label):
        self.binary, self.certs, self.logs, self.hosts = binary, certs, logs, hosts
        self.sa_file, self.kube, self.delay, self.label = sa_file, kube, delay, label
        self.instances, self.generation, self.exits = [None] * len(hosts), 0, []
        for i in range(len(hosts)):
            self.start(i)
        self.publish(range(len(hosts)))

    def start(self, i):
        host = self.hosts[i]
        self.generation += 1
        wh = Webhook(self.binary, self.certs, self.logs / f"webhook.rollout.{self.label}.{self.generation}.log",
                     ["--port", str(PORT), "--metrics-port", "9090", "--service-accounts", str(self.sa_file)],
                     tls_name=DNS_NAME, command=("serve", "--bind-address", host.address),
                     wrapper=host.wrapper, host=host.address, shutdown_delay=self.delay)
        assert poll(10, lambda: wh.readyz() == 200), f"instance {i} not ready; log:\n{wh.log.read_text()}"
        self.instances[i] = wh

    def publish(self, live):
        self.kube.apply({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{SVC}-1", "namespace": NS_SVC, "labels": {"kubernetes.io/service-name": SVC}},
            "addressType": "IPv4", "ports": [{"name": "https", "port": PORT, "protocol": "TCP"}],
            "endpoints": [{"addresses": [self.hosts[i].address], "conditions": {"ready": True}} for i in live]})

    def roll(self, i, order):
        others = [j for j in range(len(self.hosts)) if j != i]
        wh = self.instances[i]
        if order == "endpoints-first":
            self.publish(others)
            time.sleep(PRESTOP_SECONDS)
            started = time.monotonic()
            wh.proc.send_signal(signal.SIGTERM)
        else:
            started = time.monotonic()
            wh.proc.send_signal(signal.SIGTERM)
            time.sleep(ENDPOINT_LAG_SECONDS)
            self.publish(others)
        # One signal only: a second one would end the shutdown delay.
        code = wh.proc.wait(GRACE_SECONDS + 5)
        self.exits.append((code, time.monotonic() - started))
        self.start(i)
        self.publish(range(len(self.hosts)))

    def stop(self):
        for wh in self.instances:
            wh.stop(GRACE_SECONDS)


class Load:
    """CLIENTS threads, each on one keep-alive connection to the apiserver, create pods until stop()."""

    def __init__(self, env, ns):
        self.host, self.port, self.ctx = admin_endpoint(env)
        self.ns = ns
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.created = self.failed = self.unmutated = 0
        self.failures = {}
        self.threads = [threading.Thread(target=self.worker, args=(w,)) for w in range(CLIENTS)]
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def worker(self, w):
        conn, k = None, 0
        while not self.done.is_set():
            k += 1
            body = json.dumps(pod_manifest(f"p{w}-{k}", SA, self.ns))
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
                conn.request("POST", f"/api/v1/namespaces/{self.ns}/pods", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status, data = 0, str(error).encode()
                conn = None
            with self.lock:
                if status == 201:
                    self.created += 1
                    self.unmutated += b'"AWS_ROLE_ARN"' not in data
                else:
                    self.failed += 1
                    reason = f"{status}: {data[:160].decode(errors='replace')}"
                    self.failures[reason] = self.failures.get(reason, 0) + 1

    def stop(self):
        self.done.set()
        for t in self.threads:
            t.join()
        self.seconds = time.monotonic() - self.started


def apiserver_counts(env):
    """(fail-open, rejections) of WEBHOOK in the apiserver's own metrics."""
    host, port, ctx = admin_endpoint(env)
    conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    counts = {"apiserver_admission_webhook_fail_open_count": 0.0, "apiserver_admission_webhook_rejection_count": 0.0}
    for line in text.splitlines():
        name = line.split("{", 1)[0]
        if name in counts and f'name="{WEBHOOK}"' in line:
            counts[name] += float(line.rsplit(" ", 1)[1])
    return (counts["apiserver_admission_webhook_fail_open_count"],
            counts["apiserver_admission_webhook_rejection_count"])


def registration(certs, policy, ns):
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "irsa-roll"},
        "webhooks": [{
            "name": WEBHOOK,
            "clientConfig": {"service": {"namespace": NS_SVC, "name": SVC, "port": 443, "path": "/mutate"},
                             "caBundle": base64.b64encode((certs / "ca.crt").read_bytes()).decode()},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
            "namespaceSelector": {"matchLabels": {"roll": ns}},
            "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "failurePolicy": policy, "timeoutSeconds": 10,
        }],
    }


def run_scenario(scenario, rolls, plane, hosts, svc_certs, identities, irsa_binary):
    order, policy, delay = scenario
    cp, kube = plane
    ns = namespace_of(*scenario)
    fleet = Fleet(irsa_binary, svc_certs, cp.logs, hosts, identities, kube, delay, ns)
    try:
        kube.apply(registration(svc_certs, policy, ns))
        ok, pod = wait_dry_run(kube, 30, "probe", SA, ns, lambda p: env_value(p, "AWS_ROLE_ARN") == ROLE)
        assert ok, f"the apiserver does not reach the instances through the Service; last dry run: {pod}"
        before = apiserver_counts(cp.env)
        load = Load(cp.env, ns)
        try:
            time.sleep(1)
            for _ in range(rolls):
                for i in range(len(hosts)):
                    fleet.roll(i, order)
                    time.sleep(1)
        finally:
            load.stop()
        after = apiserver_counts(cp.env)
    finally:
        fleet.stop()
    result = {"order": order, "failurePolicy": policy, "shutdownDelay": delay or "default", "rolls": rolls,
              "instances": len(hosts), "creates": load.created + load.failed, "failed": load.failed,
              "unmutated": load.unmutated, "podsPerSecond": round((load.created + load.failed) / load.seconds),
              "failOpenDelta": after[0] - before[0], "rejectionDelta": after[1] - before[1],
              "exitCodes": sorted({code for code, _ in fleet.exits}),
              "slowestExitSeconds": round(max(s for _, s in fleet.exits), 2), "failures": load.failures}
    RESULTS.append(result)
    (cp.logs / "rollout.json").write_text(json.dumps(RESULTS, indent=2))
    print(json.dumps(result))
    return result


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s[0]}-{s[1]}")
def test_a_rolling_restart_loses_no_pod(scenario, plane, hosts, svc_certs, identities, irsa_binary):
    r = run_scenario(scenario, ROLLS, plane, hosts, svc_certs, identities, irsa_binary)
    assert r["creates"] > 0
    assert (r["failed"], r["unmutated"]) == (0, 0), r
    assert (r["failOpenDelta"], r["rejectionDelta"]) == (0, 0), r
    assert r["exitCodes"] == [0] and r["slowestExitSeconds"] < GRACE_SECONDS, r


def test_without_the_shutdown_delay_a_sigterm_first_roll_loses_pods(plane, hosts, svc_certs, identities,
                                                                    irsa_binary):
    """The control: the harness sees the loss the delay prevents (the listener closes at SIGTERM while
    the apiserver still dials this endpoint)."""
    r = run_scenario(CONTROL, 1, plane, hosts, svc_certs, identities, irsa_binary)
    assert r["unmutated"] > 0 and r["failOpenDelta"] > 0, r
