"""irsa-webhook side by side with the reference (aws/amazon-eks-pod-identity-webhook, lib/reference.py) on
the session's kube-apiserver: the proof of the drop-in promise. (Was side-by-side.sh.)

Both are started the way the reference's own deploy/deployment-base.yaml starts it: the container command
after /webhook, read from the tarball now (never copied by hand), plus only what a loopback run needs
(--kubeconfig, --tls-cert, --tls-key, the ports; irsa-webhook gets port 0 and --ready-file, the reference
free ports it is given). irsa-webhook gets the same bare flags, no `serve` subcommand. Each gets its own
MutatingWebhookConfiguration (namespace sbs-ref -> the reference, sbs-irsa -> irsa-webhook); the same
ServiceAccounts and pods are created in both namespaces. Checked:
  - both start and mutate (the reference's readiness is not gated on its cache: a review of an annotated
    ServiceAccount must get AWS_ROLE_ARN), and the apiserver calls both
  - every stored pod is equal in both namespaces once what legitimately differs is left out
    (lib.pods.comparable)
  - /metrics after the same requests: every family the reference exports but the exceptions has the
    same type, label names and label values in irsa-webhook; request, pod and missing-ServiceAccount
    counts rose by as much
  - every flag of the reference's --help (at the manifest's value, else the reference's default, each
    value checked against the reference binary itself) is listed by `serve --help` and starts
    irsa-webhook, alone and all at once; `--version` prints a version and exits 0

The tests of this module run in order: each step changes the cluster for the next."""

import copy
import json
import re
import subprocess

import pytest
import yaml

from lib.kube import service_account
from lib.pods import comparable, env_of
from lib.prometheus import parse_families
from lib.reference import Reference, accepts, manifest_command, reference_binary, reference_flags, reference_tarball
from lib.webhook import decoded_patch

NS_REF, NS_IRSA = "sbs-ref", "sbs-irsa"
SIDES = ("reference", "irsa-webhook")
ROLE = "arn:aws:iam::111122223333:role/side-by-side"
ROLE_FULL = "arn:aws:iam::111122223333:role/side-by-side-full"
SERVICE_ACCOUNTS = {
    "role-only": {"eks.amazonaws.com/role-arn": ROLE},
    "full": {"eks.amazonaws.com/role-arn": ROLE_FULL, "eks.amazonaws.com/audience": "sts.example.com",
             "eks.amazonaws.com/sts-regional-endpoints": "true", "eks.amazonaws.com/token-expiration": "3600"},
    "odd-values": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/sts-regional-endpoints": "maybe",
                   "eks.amazonaws.com/token-expiration": "100"},
    "bad-expiration": {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/sts-regional-endpoints": "0",
                       "eks.amazonaws.com/token-expiration": "soon"},
    "plain": None,
    "audience-only": {"eks.amazonaws.com/audience": "sts.amazonaws.com"},
}
# The pods, each created in both namespaces; most carry fields the webhook does not model.
POD_CASES = yaml.safe_load("""
role-only:
  metadata: {name: role-only}
  spec:
    serviceAccountName: role-only
    initContainers:
      - {name: setup, image: busybox, command: [sh, -c, "true"]}
      - {name: log-shipper, image: busybox, restartPolicy: Always}
    containers:
      - {name: app, image: busybox, startupProbe: {grpc: {port: 9090}, periodSeconds: 5}}
      - {name: second, image: busybox}
full:
  metadata: {name: full, labels: {app: full}}
  spec: {serviceAccountName: full, containers: [{name: app, image: busybox}]}
odd-values:
  metadata: {name: odd-values}
  spec: {serviceAccountName: odd-values, containers: [{name: app, image: busybox}]}
bad-expiration:
  metadata: {name: bad-expiration}
  spec: {serviceAccountName: bad-expiration, containers: [{name: app, image: busybox}]}
plain: {metadata: {name: plain}, spec: {serviceAccountName: plain, containers: [{name: app, image: busybox}]}}
audience-only:
  metadata: {name: audience-only}
  spec: {serviceAccountName: audience-only, containers: [{name: app, image: busybox}]}
default-sa: {metadata: {name: default-sa}, spec: {containers: [{name: app, image: busybox}]}}
skip:
  metadata: {name: skip, annotations: {eks.amazonaws.com/skip-containers: "log-shipper,second"}}
  spec:
    serviceAccountName: role-only
    initContainers: [{name: log-shipper, image: busybox, restartPolicy: Always}]
    containers: [{name: app, image: busybox}, {name: second, image: busybox}]
windows:
  metadata: {name: windows}
  spec: {serviceAccountName: full, nodeSelector: {kubernetes.io/os: windows}, containers: [{name: app, image: busybox}]}
beta-windows:
  metadata: {name: beta-windows}
  spec:
    serviceAccountName: role-only
    nodeSelector: {beta.kubernetes.io/os: windows}
    containers: [{name: app, image: busybox}]
existing:
  metadata: {name: existing}
  spec:
    serviceAccountName: full
    volumes: [{name: scratch, emptyDir: {}}, {name: config, configMap: {name: app-config}}]
    containers:
      - name: app
        image: busybox
        env: [{name: EXISTING, value: kept}, {name: FROM_FIELD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        volumeMounts: [{name: scratch, mountPath: /scratch}, {name: config, mountPath: /etc/app, readOnly: true}]
token-volume:
  metadata: {name: token-volume}
  spec:
    serviceAccountName: role-only
    volumes:
      - name: aws-iam-token
        projected: {sources: [{serviceAccountToken: {audience: mine, expirationSeconds: 1200, path: token}}]}
    containers:
      - {name: app, image: busybox, volumeMounts: [{name: aws-iam-token, mountPath: /mine, readOnly: true}]}
pod-expiration:
  metadata: {name: pod-expiration, annotations: {eks.amazonaws.com/token-expiration: "7200"}}
  spec: {serviceAccountName: full, containers: [{name: app, image: busybox}]}
pod-expiration-low:
  metadata: {name: pod-expiration-low, annotations: {eks.amazonaws.com/token-expiration: "10"}}
  spec: {serviceAccountName: role-only, containers: [{name: app, image: busybox}]}
pod-expiration-bad:
  metadata: {name: pod-expiration-bad, annotations: {eks.amazonaws.com/token-expiration: "1h"}}
  spec: {serviceAccountName: full, containers: [{name: app, image: busybox}]}
aws-set:
  metadata: {name: aws-set}
  spec:
    serviceAccountName: full
    containers:
      - name: all-set
        image: busybox
        env:
          - {name: AWS_ROLE_ARN, value: "arn:aws:iam::111122223333:role/own"}
          - {name: AWS_REGION, value: eu-west-1}
          - {name: AWS_STS_REGIONAL_ENDPOINTS, value: legacy}
      - {name: role-set, image: busybox, env: [{name: AWS_WEB_IDENTITY_TOKEN_FILE, value: /own/token}]}
      - {name: region-set, image: busybox, env: [{name: AWS_DEFAULT_REGION, value: us-east-2}]}
generated:
  metadata: {generateName: generated-}
  spec: {serviceAccountName: role-only, containers: [{name: app, image: busybox}]}
""")
# Metric families the comparison leaves out, by prefix, each with its reason.
METRIC_EXCEPTIONS = {"go_": "the Go runtime's series: irsa-webhook is not a Go program",
                     "promhttp_": "the Go client library's scrape handler counts itself"}
# What the reference exports but the exceptions (test_the_compared_families_are_all_the_references).
FAMILIES = ["http_request_count", "http_request_duration_microseconds", "http_request_latencies",
            "pod_identity_webhook_missing_sa_count", "pod_identity_webhook_pod_count", "pod_identity_webhook_used",
            "process_cpu_seconds_total", "process_max_fds", "process_open_fds", "process_resident_memory_bytes",
            "process_start_time_seconds", "process_virtual_memory_bytes", "process_virtual_memory_max_bytes"]
# Values differ by nature (latencies, CPU, memory, fds, start time); what was counted must not.
COUNTED = ["http_request_count", "http_request_latencies", "http_request_duration_microseconds",
           "pod_identity_webhook_pod_count", "pod_identity_webhook_missing_sa_count"]
# Flags the per-flag runs leave out, with the reason.
NO_SEPARATE_START = {**dict.fromkeys(("kubeconfig", "tls-cert", "tls-key", "port", "metrics-port"),
                                     "set by the loopback flags of every run"),
                     "version": "exits at once; checked on its own"}


def pytest_generate_tests(metafunc):
    """help_flag: every flag of the reference's --help; start_flag: those but NO_SEPARATE_START. Read at
    collection, so the reference is built then if missing (run.sh builds it first)."""
    if "help_flag" in metafunc.fixturenames:
        metafunc.parametrize("help_flag", list(reference_flags()))
    if "start_flag" in metafunc.fixturenames:
        metafunc.parametrize("start_flag", [f for f in reference_flags() if f not in NO_SEPARATE_START])


@pytest.fixture(scope="module")
def manifest():
    return manifest_command(reference_tarball())


@pytest.fixture(scope="module")
def namespaces(kube):
    """Both namespaces with the same ServiceAccounts, before either webhook starts."""
    for ns in (NS_REF, NS_IRSA):
        kube.namespace(ns, {"sbs": ns})
        kube.apply(*(service_account(ns, name, ann) for name, ann in SERVICE_ACCOUNTS.items()))


@pytest.fixture(scope="module")
def sides(namespaces, manifest, kube, certs, cluster, webhook):
    """{"reference": (Reference, NS_REF), "irsa-webhook": (Webhook, NS_IRSA)}, both just started with the
    manifest's args (their readiness is the first tests'); the reference is stopped at the module's end."""
    ref = Reference(reference_binary(), certs, cluster.logs / "reference.log",
                    [*manifest[1:], "--kubeconfig", kube.kubeconfig])
    try:
        irsa = webhook("--kubeconfig", kube.kubeconfig, command=manifest[1:])
        yield {"reference": (ref, NS_REF), "irsa-webhook": (irsa, NS_IRSA)}
    finally:
        ref.stop(10)


@pytest.fixture(scope="module")
def saved(cluster):
    """Where the stored pods and scrapes are written, kept with the logs after a failure."""
    out = cluster.logs / "side-by-side"
    out.mkdir(exist_ok=True)
    return out


def scrape(server):
    """The /metrics text, "" when it does not answer."""
    try:
        return server.metrics_text()
    except OSError:
        return ""


@pytest.fixture(scope="module")
def before(sides, saved):
    """The scrapes before the pods (taken when the first pod test asks)."""
    return {side: save(saved / f"{side}-before.prom", scrape(sides[side][0])) for side in SIDES}


@pytest.fixture(scope="module")
def after(sides, saved):
    """The scrapes after the pods and the reviews (taken when the first metrics test asks)."""
    return {side: save(saved / f"{side}-after.prom", scrape(sides[side][0])) for side in SIDES}


def save(path, text):
    path.write_text(text)
    return text


@pytest.fixture(scope="module")
def stored():
    """{side: {case: the stored pod}}, filled by test_stored_pods_are_equal."""
    return {side: {} for side in SIDES}


# --- the reference's invocation, and both webhooks started with it

def test_the_manifest_command_is_webhook_with_flags_only(manifest):
    assert (manifest[0], [a for a in manifest[1:] if not a.startswith("-")]) == ("/webhook", [])


def test_the_reference_starts_with_the_manifests_args(sides):
    ref, ns = sides["reference"]
    assert ref.wait_ready(ns, "role-only", 30), ref.log.read_text()


def test_irsa_webhook_starts_with_the_manifests_args_no_subcommand(sides):
    irsa, ns = sides["irsa-webhook"]
    assert irsa.while_alive(30, lambda: irsa.mutates(ns, "role-only")), irsa.log.read_text()


def test_irsa_webhook_answers_healthz_like_the_reference(sides):
    assert sides["irsa-webhook"][0].healthz().startswith("ok")


@pytest.mark.parametrize("side", SIDES)
def test_the_apiserver_calls_it(sides, register, kube, side):
    server, ns = sides[side]
    register(server, name=ns, labels={"sbs": ns})
    probe = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe", "namespace": ns},
             "spec": {"serviceAccountName": "role-only", "containers": [{"name": "app", "image": "busybox"}]}}
    last = {}

    def mutated():
        last["pod"] = kube.create(probe, "--dry-run=server")
        return "AWS_ROLE_ARN" in env_of(last["pod"]["spec"]["containers"][0])

    assert server.while_alive(20, mutated), last


# --- the same pods through each

def create_case(kube, case, ns):
    """The pod of `case` created in ns, as the apiserver stored it (read back)."""
    pod = copy.deepcopy(POD_CASES[case])
    pod.update(apiVersion="v1", kind="Pod")
    pod["metadata"]["namespace"] = ns
    name = kube.create(pod)["metadata"]["name"]
    return kube.json("-n", ns, "get", "pod", name)


@pytest.mark.parametrize("case", list(POD_CASES))
def test_stored_pods_are_equal(sides, before, kube, stored, saved, case):
    for side in SIDES:
        stored[side][case] = create_case(kube, case, sides[side][1])
        save(saved / f"{side}.{case}.json", json.dumps(stored[side][case], indent=1))
    assert comparable(stored["irsa-webhook"][case]) == comparable(stored["reference"][case])


def mutated(pod):
    return any("AWS_ROLE_ARN" in env_of(c) for c in pod["spec"]["containers"])


def test_the_reference_mutated_the_annotated_and_not_plain(stored):
    # The comparison is only worth something if the reference did mutate.
    pods = stored["reference"]
    assert {c: mutated(pods[c]) for c in ("role-only", "full", "plain")} == {
        "role-only": True, "full": True, "plain": False}


def test_a_pod_of_an_unknown_service_account_gets_the_same_patch(sides):
    # The apiserver refuses such a pod before any webhook: sent directly; counted as missing by both.
    patches = {side: decoded_patch(server.review(ns, "ghost")) for side, (server, ns) in sides.items()}
    assert patches["irsa-webhook"] == patches["reference"]


# --- the scrapes after the same requests

def test_both_metrics_answer(after):
    assert {side: text != "" for side, text in after.items()} == dict.fromkeys(SIDES, True)


def exception(family):
    return next((why for prefix, why in METRIC_EXCEPTIONS.items() if family.startswith(prefix)), None)


def test_the_compared_families_are_all_the_references(after):
    exported = parse_families(after["reference"])
    assert {f for f in exported if exception(f) is None} == set(FAMILIES)


def shape(text, family):
    """A family's type and series (label names and values), None when absent."""
    fam = parse_families(text).get(family)
    return fam and {"type": fam["type"], "series": sorted(fam["samples"])}


@pytest.mark.parametrize("family", FAMILIES)
def test_metric_family_has_the_same_type_and_labels(after, family):
    assert shape(after["irsa-webhook"], family) == shape(after["reference"], family)


def increase(before_text, after_text, family):
    """{series: increase} of a family's counts (sums, buckets and quantiles hold latencies), the series that
    rose only; None when the family is absent after."""
    fam, base = parse_families(after_text).get(family), parse_families(before_text).get(family)
    if fam is None:
        return None
    base = base["samples"] if base else {}
    return {k: v - base.get(k, 0.0) for k, v in fam["samples"].items()
            if v != base.get(k, 0.0) and not re.search(r'_(sum|bucket)\{|quantile="', k)}


@pytest.mark.parametrize("family", COUNTED)
def test_metric_rose_by_as_much(before, after, family):
    rose = {side: increase(before[side], after[side], family) for side in SIDES}
    assert (rose["reference"] is not None, rose["irsa-webhook"]) == (True, rose["reference"])


def test_pod_identity_webhook_used_has_the_same_value(after):
    used = {side: parse_families(after[side]).get("pod_identity_webhook_used") for side in SIDES}
    assert used["irsa-webhook"] == used["reference"]


# --- every flag of the reference's --help

@pytest.fixture(scope="module")
def serve_help(irsa_binary):
    """The flag names `irsa-webhook serve --help` lists."""
    result = subprocess.run([irsa_binary, "serve", "--help"], capture_output=True, text=True, timeout=30)
    return set(re.findall(r"--([A-Za-z0-9][A-Za-z0-9_-]*)(?=[ =,]|$)", result.stdout + result.stderr, re.M))


@pytest.fixture(scope="module")
def flag_values(manifest):
    """{flag: its value, None when none is accepted}, for the flags started with: the manifest's value, else
    the first of (the default, "", false, 0) the reference itself accepts (the defaults its help prints do
    not all parse back, e.g. --log_backtrace_at :0)."""
    given = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "true") for a in manifest[1:])
    binary, values = reference_binary(), {}
    for flag, default in reference_flags().items():
        if flag in NO_SEPARATE_START:
            continue
        if flag in given:
            values[flag] = given[flag]
            continue
        tried = [v for v in (default, "", "false", "0") if v is not None]
        values[flag] = next((v for v in tried if accepts(binary, f"--{flag}={v}")), None)
    return values


def starts_with(webhook, manifest, kube, *flags):
    """irsa-webhook (one more, on ports of its own) with the manifest's args, --kubeconfig and `flags`
    answers /healthz within 10 s: "started", else its log. Only the start is checked: killed at once."""
    try:
        wh = webhook("--kubeconfig", kube.kubeconfig, *flags, command=manifest[1:])
    except RuntimeError as e:  # no ready file: the log is in the message
        return str(e)
    try:
        return "started" if wh.while_alive(10, lambda: wh.healthz().startswith("ok")) else wh.log.read_text()
    finally:
        wh.kill()


def test_serve_help_lists_the_flag(serve_help, help_flag):
    assert help_flag in serve_help


def test_irsa_webhook_starts_with_the_flag(webhook, manifest, kube, flag_values, start_flag):
    value = flag_values[start_flag]
    assert value is not None, f"--{start_flag}: no value the reference accepts"
    assert starts_with(webhook, manifest, kube, f"--{start_flag}={value}") == "started"


def test_irsa_webhook_starts_with_all_of_them_at_once(webhook, manifest, kube, flag_values):
    flags = [f"--{f}={v}" for f, v in flag_values.items() if v is not None]
    assert starts_with(webhook, manifest, kube, *flags) == "started"


def test_version_prints_a_version_and_exits_0(irsa_binary):
    result = subprocess.run([irsa_binary, "--version"], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout.strip() != "") == (0, True), result.stderr


@pytest.mark.parametrize("side", SIDES)
def test_it_still_runs(sides, side):
    assert sides[side][0].alive()
