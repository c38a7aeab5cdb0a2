"""Scenario 7: irsa-webhook side by side with the reference (aws/amazon-eks-pod-identity-webhook).

Both run against one control plane (the e2e etcd + kube-apiserver) holding the same ServiceAccounts
(the corpus's cluster.yaml: 9 namespaces, 64 ServiceAccounts), each with its defaults: the command
line of the reference's own deploy/deployment-base.yaml (read from the tarball) plus --kubeconfig,
the serving certificate and the ports; irsa-webhook gets the very same flags, as a drop-in does.
Each has its own informer/cache. The reference is built from the tarball by
test/e2e/build-reference.sh, cached outside the repo.

Per round (BENCH_REPEAT rounds; the two interleaved, who goes first alternating), each webhook is
started pinned to SERVER_CPU and measured:
  start    from exec to the first correct answer (a review of payments/api-server gets AWS_ROLE_ARN),
           and VmRSS a second after its cache is full (idle, 64 ServiceAccounts)
  closed   irsa-bench closed loop, 8 connections, small/medium/large pods: req/s on one core and
           server CPU per request; every review of an annotated ServiceAccount must be patched
  h2load   h2load --h1, 8 connections, one mutated medium review
  open     irsa-bench open loop at 500 and 2,000 req/s, 16 connections, medium pods: client-side
           latency, and for irsa-webhook its own histogram over the window
  race     both unpinned and registered for a namespace each (MutatingWebhookConfiguration, failurePolicy
           Fail); RACE_N ServiceAccounts each POSTed right before its pod, 8 pairs at once, through the
           apiserver: the stored pods left without credentials are counted
Then BENCH_SBS_SERVICE_ACCOUNTS (default 50,000) ServiceAccounts more are created and each is started
again per round: time to the first correct answer and RSS.

Writes BENCH_OUT/raw/7-<side>-*.json (side: reference, irsa); summarize.py reports per-side medians
and the median of the per-round ratios.
"""

import json
import os
import time

import benchlib
from benchlib import build_control_plane_tools, control_plane, die, log, status_kib, write_json
from lib.admission import webhook_configuration
from lib.burst import burst
from lib.kube import Kube
from lib.pods import env_value, pod_manifest
from lib.reference import Reference, manifest_command, reference_binary, reference_tarball
from lib.webhook import Webhook
from scale import create_service_accounts

SIDES = ("reference", "irsa")
PROBE = ("payments", "api-server")  # an annotated ServiceAccount of every corpus's cluster.yaml
ROLE_PREFIX = "arn:aws:iam::111122223333:role/sbs-race-"
CORPUS_SERVICE_ACCOUNTS = 64  # in cluster.yaml, whatever the corpus's size (summarize.py reads start-64)


class Side:
    """One webhook of the comparison, started and answering correctly: `pid`, `url`, `start_seconds`
    (exec to the first correct answer), `rss_kib` (a second after its cache holds every ServiceAccount);
    a context manager that stops it."""

    def __init__(self, bench, name, kubeconfig, cpu, tag):
        self.name = name
        certs = bench.certs()
        log_path = bench.tmp / f"{name}-{tag}.log"
        args = [*manifest_command(reference_tarball())[1:], "--kubeconfig", kubeconfig]
        wrapper = ["taskset", "-c", cpu]
        t0 = time.monotonic()
        try:
            if name == "reference":
                self.process = Reference(reference_binary(), certs, log_path, args, wrapper=wrapper)
            else:
                self.process = Webhook(bench.irsa_binary, certs, log_path, args, command=(), wrapper=wrapper)
        except RuntimeError as error:
            die(f"{name} exited at startup: {error}")
        self.pid = self.process.pid
        self.url = f"https://127.0.0.1:{self.process.port}/mutate"
        if not self.process.while_alive(120, lambda: self.process.mutates(*PROBE)):
            self.stop()
            die(f"{name}: no correct answer within 120 s (log: {log_path})")
        self.start_seconds = round(time.monotonic() - t0, 3)
        # The memory of a full cache: irsa-webhook answers a pod whose ServiceAccount its first LIST has
        # not delivered yet (a direct GET), so wait for its /readyz (gated on the sync). The reference
        # answers only from its informer's store, which holds nothing until its LIST is complete.
        if name == "irsa" and not self.process.while_alive(600, lambda: self.process.readyz() == 200):
            self.stop()
            die(f"irsa: not ready within 600 s (log: {log_path})")
        time.sleep(1)  # what it holds once settled, not the start's garbage
        self.rss_kib = status_kib(self.pid, "VmRSS")

    def record(self, bench, rnd, n):
        """Log and write this start's figures: raw/7-<side>-start-<n>-<round>.json."""
        log(f"7-side-by-side: round {rnd}, {self.name} with {n} ServiceAccounts: first correct answer after "
            f"{self.start_seconds} s, RSS {self.rss_kib // 1024} MiB")
        write_json(bench.raw(f"7-{self.name}-start-{n}-{rnd}.json"),
                   {"serviceAccounts": n, "startSeconds": self.start_seconds, "rssKiB": self.rss_kib})

    def metrics_text(self):
        return self.process.metrics_text()

    def stop(self):
        self.process.stop(30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def load(bench, side, corpus, name, *args):
    """irsa-bench run against `side`; every review of an annotated ServiceAccount must come back patched
    (a webhook that answers without its cache would not be measured)."""
    path = bench.raw(f"7-{side.name}-{name}.json")
    bench.load(side, "run", corpus, path, *args)
    results = json.loads(path.read_text())["results"]
    if results["mutated"] < results["sentByKind"]["mutated"]:
        die(f"{side.name}: {results['mutated']} of {results['sentByKind']['mutated']} annotated reviews patched")


def measure(bench, side, rnd):
    """Every one-core measurement of one round of one side."""
    duration = bench.window("10s", "2s")
    for size in ("small", "medium", "large"):
        log(f"7-side-by-side: round {rnd}, {side.name}: closed loop, {size} pods, {duration}")
        load(bench, side, bench.corpus(size), f"closed-{size}-{rnd}", "--rate", "0", "--connections", "8",
             "--duration", duration, "--warmup", "2s", "--label", f"{side.name}-closed-{size}")
    requests = bench.window("100000", "10000")
    log(f"7-side-by-side: round {rnd}, {side.name}: h2load --h1, {requests} medium reviews")
    write_json(bench.raw(f"7-{side.name}-h2load-{rnd}.json"),
               bench.h2load(side, bench.mutated_body("medium"), requests, f"{side.name}-h2load-medium"))
    for rate in (500, 2000):
        log(f"7-side-by-side: round {rnd}, {side.name}: open loop {rate} req/s, {duration}")
        before = benchlib.admission_buckets(side) if side.name == "irsa" else None
        load(bench, side, bench.corpus("medium"), f"rate-{rate}-{rnd}", "--rate", str(rate), "--connections", "16",
             "--duration", duration, "--warmup", "2s", "--label", f"{side.name}-rate-{rate}")
        if before:
            bench.server_quantiles(side, bench.raw(f"7-irsa-server-{rate}-{rnd}.json"), since=before)


def order(rnd):
    """Who goes first alternates, so neither always runs on a warmer machine."""
    return SIDES if rnd % 2 else SIDES[::-1]


def stored_without_credentials(kube, ns):
    pods = [p for p in kube.json("-n", ns, "get", "pods")["items"] if p["metadata"]["name"].startswith("pod-")]
    return len(pods), sum(env_value(p, "AWS_ROLE_ARN") != ROLE_PREFIX + p["metadata"]["name"][4:] for p in pods)


def race(bench, cp, kube, rnd, n):
    """Both webhooks unpinned, each registered for its own namespace; n ServiceAccount+pod pairs each."""
    for name in order(rnd):
        ns = f"sbs-race-{name}-{rnd}"
        with Side(bench, name, cp.kubeconfig, "0-1", f"race-{rnd}") as side:
            label = {"irsa-bench-sbs": f"{name}-{rnd}"}
            kube.namespace(ns, label)
            kube.apply(webhook_configuration(side.process, f"irsa-bench-sbs-{name}", label))
            time.sleep(2)  # the apiserver's webhook configuration informer picks it up
            log(f"7-side-by-side: round {rnd}, {name}: {n} ServiceAccounts each created right before its pod")
            results = burst(cp.env, n, 8, ns, ROLE_PREFIX, pod_manifest("pod-template", "default", ns))
            kube.run("delete", "mutatingwebhookconfiguration", f"irsa-bench-sbs-{name}", "--wait=false")
            stored, without = stored_without_credentials(kube, ns)
            write_json(bench.raw(f"7-{name}-race-{rnd}.json"),
                       {"pairs": n, "podsCreated": sum(r[2] == 201 for r in results),
                        "serviceAccountsCreated": sum(r[1] == 201 for r in results), "stored": stored,
                        "withoutCredentials": without})


def start_at_scale(bench, cp, n):
    """Time to the first correct answer and RSS of each, with n ServiceAccounts in the cluster."""
    for rnd in bench.runs():
        for name in order(rnd):
            with Side(bench, name, cp.kubeconfig, bench.server_cpu, f"scale-{rnd}") as side:
                side.record(bench, rnd, n)


def scenario(bench):
    build_control_plane_tools()
    reference_binary()  # built now (cached), not inside the first round's timing
    scale_n = int(os.environ.get("BENCH_SBS_SERVICE_ACCOUNTS", bench.window("50000", "2000")))
    race_n = int(os.environ.get("RACE_N", bench.window("200", "40")))
    with control_plane() as cp:
        kube = Kube(cp.env["KUBECTL"], cp.kubeconfig)
        kube.run("apply", "-f", str(bench.corpus("medium") / "cluster.yaml"))
        for rnd in bench.runs():
            for name in order(rnd):
                with Side(bench, name, cp.kubeconfig, bench.server_cpu, f"round-{rnd}") as side:
                    side.record(bench, rnd, CORPUS_SERVICE_ACCOUNTS)
                    measure(bench, side, rnd)
            race(bench, cp, kube, rnd, race_n)
        log(f"7-side-by-side: creating {scale_n} ServiceAccounts more")
        create_service_accounts(cp.env, scale_n, 10, 16)
        total = len(kube.run("get", "serviceaccounts", "-A", "--no-headers", "--chunk-size=5000").stdout.splitlines())
        start_at_scale(bench, cp, total)
    log("7-side-by-side: done")


if __name__ == "__main__":
    benchlib.main(scenario)
