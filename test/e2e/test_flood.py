"""Floods and slowloris against serve (issue #11 section 2), with the real apiserver admitting pods
through it meanwhile.

For FLOOD_S seconds, an attacker process keeps far more connections open than --max-connections:
silent TCP ones (no TLS ClientHello), TLS ones that never send a request, and TLS ones sending
their request header a byte at a time, each re-opened as soon as the server closes it. At the
same time:
  - a prober opens a new TLS connection for every /healthz, as the kubelet does (every 50 ms);
  - a client posts reviews on one kept-alive connection, as the apiserver's pool does;
  - the apiserver dry-runs pod creates through the webhook (failurePolicy Fail), on its own
    connections, new ones among them.
Pass: every probe, review and pod answered (the pods mutated); /healthz within 100 ms at the 95th
percentile (a guard of 1 s on each one), reviews as fast as without the flood give or take a
bound; the server evicted the attackers rather than refusing newcomers; RSS bounded; back to
idle once the flood stops. The figures are printed (-s) and written down in docs/testing.md.
"""

import http.client
import json
import multiprocessing
import select
import socket
import ssl
import statistics
import threading
import time

import pytest
import yaml

from lib.admission import dry_run_env
from lib.controlplane import admin_endpoint
from lib.kube import service_account
from lib.poll import poll
from lib.procstat import status_kib
from lib.webhook import decoded_patch, pod_review

NS = "irsa-flood"
ROLE = "arn:aws:iam::111122223333:role/flood"
MAX_CONNECTIONS = 128
SILENT, QUIET, SLOW = 300, 40, 40  # attacker connections held open, 380 in all
FLOOD_S = 12
BASELINE_S = 4
NEW_PER_ROUND = 4


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# --- the attacker: one process, so its CPU does not come out of the measuring threads' GIL


def _closed(sock):
    """The server closed it (EOF or reset readable); attackers never expect data."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def attack(port, ca, stop, opened):
    """Holds SILENT + QUIET + SLOW connections open until `stop`, re-opening each one the server
    closes, at most NEW_PER_ROUND a round (about 2,000 new connections a second at most)."""
    ctx = ssl.create_default_context(cafile=ca)
    silent, quiet, slow = [], [], []
    # Longer than the header timeout allows at 10 bytes a second: it never completes, so the
    # request never begins.
    header = (b"POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"X-Pad: " + b"a" * 400 + b"\r\n")
    sent = {}  # slow socket -> header bytes sent
    last_byte = time.monotonic()

    def tcp():
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        return s

    def tls():
        raw = socket.create_connection(("127.0.0.1", port), timeout=2)
        return ctx.wrap_socket(raw, server_hostname="127.0.0.1")

    while not stop.is_set():
        for pool, size, make in ((silent, SILENT, tcp), (quiet, QUIET, tls), (slow, SLOW, tls)):
            for s in [s for s in pool if _closed(s)]:
                pool.remove(s)
                sent.pop(s, None)
                s.close()
            for _ in range(min(size - len(pool), NEW_PER_ROUND)):
                try:
                    pool.append(make())
                except OSError:  # evicted during the handshake: again next round
                    continue
                with opened.get_lock():
                    opened.value += 1
        if time.monotonic() - last_byte >= 0.1:  # slowloris: the next header byte on each
            last_byte = time.monotonic()
            for s in slow:
                n = sent.get(s, 0)
                try:
                    s.send(header[n:n + 1])
                except OSError:
                    continue
                sent[s] = n + 1
        time.sleep(0.002)
    for s in silent + quiet + slow:
        s.close()


# --- the measuring side


def probe_healthz(wh, stop, out):
    ctx = wh.tls_context()
    while not stop.is_set():
        started = time.monotonic()
        try:
            conn = http.client.HTTPSConnection("127.0.0.1", wh.port, context=ctx, timeout=5)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            ok = response.status == 200 and response.read().strip() == b"ok"
            conn.close()
        except (OSError, http.client.HTTPException) as error:
            ok = False
            out["errors"].append(repr(error))
        out["latencies"].append(time.monotonic() - started)
        out["ok"] += ok
        out["failed"] += not ok
        time.sleep(0.05)


def post_reviews(wh, stop, out):
    conn = http.client.HTTPSConnection("127.0.0.1", wh.port, context=wh.tls_context(), timeout=10)
    k = 0
    while not stop.is_set():
        k += 1
        started = time.monotonic()
        try:
            conn.request("POST", "/mutate?timeout=10s", pod_review(f"flood-{k}", NS, "app"),
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            ok = response.status == 200 and "AWS_ROLE_ARN" in json.dumps(
                decoded_patch(json.loads(data)["response"]))
        except (OSError, http.client.HTTPException) as error:
            ok = False
            out["errors"].append(repr(error))
            conn.close()
            conn = http.client.HTTPSConnection("127.0.0.1", wh.port, context=wh.tls_context(), timeout=10)
        out["latencies"].append(time.monotonic() - started)
        out["ok"] += ok
        out["failed"] += not ok
        time.sleep(0.01)
    conn.close()


def create_pods(env, stop, out):
    """Dry-run pod creates through the apiserver, each on a new connection (so the apiserver's own
    connections to the webhook come and go too)."""
    host, port, ctx = admin_endpoint(env)
    k = 0
    while not stop.is_set():
        k += 1
        try:
            conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
            status, envs, data = dry_run_env(conn, f"flood-{k}", "app", NS)
            conn.close()
            ok = "AWS_ROLE_ARN" in envs
            if not ok:
                out["errors"].append(f"{status}: {data[:300]!r}")
        except (OSError, http.client.HTTPException, KeyError, ValueError) as error:
            ok = False
            out["errors"].append(repr(error))
        out["ok"] += ok
        out["failed"] += not ok
        time.sleep(0.1)


def measure(wh, env, seconds):
    stop = threading.Event()
    results = {name: {"latencies": [], "ok": 0, "failed": 0, "errors": []} for name in ("healthz", "reviews", "pods")}
    threads = [threading.Thread(target=probe_healthz, args=(wh, stop, results["healthz"])),
               threading.Thread(target=post_reviews, args=(wh, stop, results["reviews"])),
               threading.Thread(target=create_pods, args=(env, stop, results["pods"]))]
    for t in threads:
        t.start()
    samples = []  # RSS every 0.2 s
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(status_kib(wh.pid, "VmRSS"))
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(30)
    results["peak_rss_kib"] = max(samples)
    # Bounded, not just high: the peak of the second half against that of the first.
    results["rss_halves_kib"] = (max(samples[:len(samples) // 2]), max(samples[len(samples) // 2:]))
    return results


def scrape(wh):
    """The metrics once a scrape gets through (the attacker's last connections may still hold every
    slot for a moment)."""
    def attempt():
        try:
            return wh.metrics()
        except OSError:
            return None

    metrics = poll(10, attempt)
    assert metrics, "no metrics scrape got through after the flood"
    return metrics


def summary(name, r):
    lat = r["latencies"]
    return (f"{name}: {r['ok']} ok, {r['failed']} failed" +
            (f", p50 {statistics.median(lat) * 1000:.1f} ms, p95 {percentile(lat, 0.95) * 1000:.1f} ms,"
             f" max {max(lat) * 1000:.1f} ms" if lat else ""))


@pytest.fixture(scope="module")
def wh(webhook, kube, register, tmp_path_factory):
    sa_file = tmp_path_factory.mktemp("flood") / "serviceaccounts.yaml"
    sa_file.write_text(yaml.safe_dump(service_account(NS, "app", {"eks.amazonaws.com/role-arn": ROLE})))
    wh = webhook("--service-accounts", sa_file, "--max-connections", MAX_CONNECTIONS)
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(service_account(NS, "app"))
    register(wh)
    return wh


def test_a_flood_past_max_connections_locks_out_no_probe_review_or_pod(wh, cluster):
    baseline = measure(wh, cluster.env, BASELINE_S)
    idle_rss = status_kib(wh.pid, "VmRSS")

    stop, opened = multiprocessing.Event(), multiprocessing.Value("l", 0)
    attacker = multiprocessing.Process(target=attack, args=(wh.port, str(wh.certs / "ca.crt"), stop, opened))
    attacker.start()
    try:
        # The flood is on once the attacker has opened more than the limit.
        assert poll(15, lambda: opened.value > 2 * MAX_CONNECTIONS), "the attacker did not get going"
        flood = measure(wh, cluster.env, FLOOD_S)
        active_during = scrape(wh).get("irsa_webhook_connections_active", 0)
    finally:
        stop.set()
        attacker.join(10)
        if attacker.is_alive():
            attacker.kill()
    metrics = scrape(wh)

    print()
    for phase, r in (("baseline", baseline), ("flood", flood)):
        for name in ("healthz", "reviews", "pods"):
            print(f"  {phase} {summary(name, r[name])}")
    print(f"  attacker connections opened {opened.value}, evicted "
          f"{metrics.get('irsa_webhook_connections_evicted_total', 0):.0f}, refused "
          f"{metrics.get('irsa_webhook_connections_rejected_total', 0):.0f}, active during the flood "
          f"{active_during:.0f}; RSS idle {idle_rss} KiB, peak {flood['peak_rss_kib']} KiB "
          f"(first half, second half: {flood['rss_halves_kib']})")

    for name in ("healthz", "reviews", "pods"):
        assert flood[name]["ok"] > 0, f"no {name} during the flood"
        assert flood[name]["failed"] == 0, (name, flood[name]["errors"][:5])
        assert baseline[name]["failed"] == 0, (name, baseline[name]["errors"][:5])
    probes = flood["healthz"]["latencies"]
    assert percentile(probes, 0.95) < 0.1, summary("healthz", flood["healthz"])
    assert max(probes) < 1.0, summary("healthz", flood["healthz"])
    # Reviews on a kept-alive connection: the flood costs them little (a generous bound, since the
    # attacker shares these two cores).
    assert statistics.median(flood["reviews"]["latencies"]) < \
        max(5 * statistics.median(baseline["reviews"]["latencies"]), 0.02), summary("reviews", flood["reviews"])
    # Attackers are evicted, newcomers not refused; the connections stay within the limit (evicted
    # ones close at once).
    assert metrics.get("irsa_webhook_connections_evicted_total", 0) >= SILENT
    assert metrics.get("irsa_webhook_connections_rejected_total", 0) == 0
    assert active_during <= MAX_CONNECTIONS + 8
    # Memory: a connection costs its buffers (TLS state and records), bounded by the limit: the
    # flood's second half adds little to its first (measured: about 2 MiB over 23).
    assert flood["peak_rss_kib"] - idle_rss < 48 * 1024, (idle_rss, flood["peak_rss_kib"])
    first, second = flood["rss_halves_kib"]
    assert second - first < 8 * 1024, flood["rss_halves_kib"]

    # Back to idle: only the scrape's own connection (and the apiserver's pooled ones) left.
    assert poll(15, lambda: wh.metric("irsa_webhook_connections_active") <= 8), wh.metrics_text()
    assert wh.healthz().strip() == "ok"
