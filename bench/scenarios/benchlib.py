"""Shared by the bench scenarios (bench/scenarios/<n>_<name>.py); imported, never run.

Pinning: on this 2-core machine the webhook runs on core 0 with one I/O thread and the load
generator on core 1, so "requests per second" is "requests per second per core" and the two never
steal each other's CPU.

Env (all optional):
  BENCH_BUILD   build directory with irsa-webhook and irsa-bench (default <repo>/build)
  BENCH_OUT     where results go (default <repo>/bench/results); raw runs in BENCH_OUT/raw
  BENCH_REPEAT  runs per measurement; the report keeps the median (default 3)
  BENCH_QUICK=1 short windows (a smoke run of the scripts, not a measurement)
  IRSA_BINARY, IRSA_BENCH  the two binaries (default: in BENCH_BUILD)
  SERVER_CPU, CLIENT_CPU   the cores of `serve` and of the load generator (default 0 and 1)

The webhook process comes from the e2e suite's helpers (test/e2e/lib: `serve --port 0
--ready-file`, its ports read from that file), and so does the control plane of scenarios 3 and 5.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent
E2E_DIR = REPO_DIR / "test" / "e2e"
sys.path.insert(0, str(E2E_DIR))

from lib.controlplane import ControlPlane  # noqa: E402
from lib.poll import poll  # noqa: E402
from lib.procstat import cpu_seconds, status_kib  # noqa: E402, F401 - for the scenarios
from lib.webhook import Webhook  # noqa: E402


class BenchError(Exception):
    """A scenario cannot go on: main() logs it as ERROR and exits 1 (servers stopped on the way)."""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def die(message):
    raise BenchError(message)


def main(scenario):
    """Run scenario(bench) with a fresh temp dir; exit 1 on a BenchError."""
    bench = Bench(os.environ)
    try:
        for binary in (bench.irsa_binary, bench.irsa_bench):
            if not os.access(binary, os.X_OK):
                die(f"no {binary}: build first (scripts/build.sh build)")
        (bench.out / "raw").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="irsa-bench.", dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
            bench.tmp = Path(tmp)
            scenario(bench)
    except BenchError as error:
        log(f"ERROR: {error}")
        sys.exit(1)


def failed_requests(results):
    """Errors, non-2xx and invalid answers of an irsa-bench report's results (all steps of a saturate)."""
    runs = [step["results"] for step in results["steps"]] if "steps" in results else [results]
    return sum(r["errors"]["total"] + r["non2xx"] + r["invalid"] for r in runs), any(r["ok"] for r in runs)


def build_control_plane_tools():
    """kube-apiserver, kubectl and etcd from their pinned Go modules (cached after the first time)."""
    if subprocess.run(["bash", str(E2E_DIR / "build-tools.sh")], stdout=sys.stderr).returncode != 0:
        die("building the control-plane tools failed")


@contextlib.contextmanager
def control_plane():
    """A throwaway etcd + kube-apiserver on loopback (test/e2e/lib/controlplane.py); its logs are
    kept when the block fails."""
    cp = ControlPlane()
    try:
        cp.start()
    except RuntimeError as error:
        cp.stop(passed=False)
        die(str(error))
    passed = False
    try:
        yield cp
        passed = True
    finally:
        cp.stop(passed)


def apiserver_connection(cp_env, timeout=30):
    """A keep-alive HTTPS connection to the control plane's apiserver as its admin (client certificate)."""
    host, port = cp_env["APISERVER_URL"].removeprefix("https://").rsplit(":", 1)
    pki = Path(cp_env["E2E_CA_CERT"]).parent
    context = ssl.create_default_context(cafile=cp_env["E2E_CA_CERT"])
    context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
    return http.client.HTTPSConnection(host, int(port), context=context, timeout=timeout)


class Server:
    """`irsa-webhook serve` on loopback, ready (/readyz 200); a context manager that stops it."""

    def __init__(self, bench, args, cpu, log_path):
        wrapper = ["taskset", "-c", cpu]
        try:
            self.webhook = Webhook(bench.irsa_binary, bench.certs(), log_path, args, wrapper=wrapper)
        except RuntimeError as error:
            die(f"serve exited at startup: {error}")
        self.pid = self.webhook.pid
        self.url = f"https://127.0.0.1:{self.webhook.port}/mutate"
        if not poll(10, lambda: self.webhook.readyz() == 200, interval=0.1):
            self.stop()
            die("serve not ready")

    def stop(self):
        self.webhook.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def metrics_text(self):
        try:
            return self.webhook.metrics_text()
        except OSError as error:
            die(f"cannot scrape the server's metrics: {error}")


class Bench:
    """The environment of one scenario run and what every scenario does with it."""

    def __init__(self, environ):
        build = Path(environ.get("BENCH_BUILD", REPO_DIR / "build"))
        self.out = Path(environ.get("BENCH_OUT", BENCH_DIR / "results"))
        self.repeat = int(environ.get("BENCH_REPEAT", "3"))
        self.quick = environ.get("BENCH_QUICK", "0") == "1"
        self.irsa_binary = environ.get("IRSA_BINARY", str(build / "irsa-webhook"))
        self.irsa_bench = environ.get("IRSA_BENCH", str(build / "irsa-bench"))
        self.server_cpu = environ.get("SERVER_CPU", "0")
        self.client_cpu = environ.get("CLIENT_CPU", "1")
        self.tmp = None  # set by main()
        self._servers = 0

    def window(self, long, short):
        """`long` normally, `short` with BENCH_QUICK=1."""
        return short if self.quick else long

    def runs(self):
        return range(1, self.repeat + 1)

    def raw(self, name):
        return self.out / "raw" / name

    def corpus(self, size, mix="mutated=80,plain=20"):
        """A generated corpus directory (1000 requests, seed 1), cached for the scenario's run."""
        path = self.tmp / f"corpus-{size}-{re.sub('[,=]', '_', mix)}"
        if not path.is_dir():
            result = subprocess.run([self.irsa_bench, "corpus", "--out", str(path), "--size", size, "--mix", mix,
                                     "--count", "1000", "--seed", "1"], stdout=subprocess.DEVNULL)
            if result.returncode != 0:
                die("corpus generation failed")
        return path

    def mutated_body(self, size):
        """The first review of a mutated=100 corpus of `size` as a file (h2load's body): every request of
        that corpus is mutated, so it stands for the mutated share of the irsa-bench runs."""
        body = self.tmp / f"h2load-body-{size}.json"
        if not body.is_file():
            with open(self.corpus(size, "mutated=100") / "requests.jsonl", "rb") as requests_file:
                body.write_bytes(requests_file.readline().rstrip(b"\n"))
        return body

    def certs(self):
        """A dev certificate for 127.0.0.1 (ca.crt, tls.crt, tls.key), made once."""
        path = self.tmp / "certs"
        if not (path / "tls.crt").is_file():
            subprocess.run([self.irsa_binary, "dev-cert", "--out-dir", str(path)], check=True,
                           stdout=subprocess.DEVNULL)
        return path

    def serve(self, corpus, *args, cpu=None):
        """`serve --threads 1` pinned to SERVER_CPU (or `cpu`) on the corpus's ServiceAccounts (corpus None:
        give a source in args). Use as `with bench.serve(corpus) as server:`."""
        source = ["--service-accounts", str(corpus / "serviceaccounts.yaml")] if corpus else []
        self._servers += 1
        return Server(self, ["--threads", "1", *source, *args], cpu or self.server_cpu,
                      self.tmp / f"serve-{self._servers}.log")

    def load(self, server, command, corpus, json_path, *args):
        """irsa-bench COMMAND pinned to CLIENT_CPU against the server, sampling its CPU and memory. A run
        with any failed request (error, non-2xx, wrong answer) fails the scenario: its numbers would
        not measure the webhook."""
        cmd = ["taskset", "-c", self.client_cpu, self.irsa_bench, command, "--url", server.url,
               "--corpus", str(corpus), "--ca-file", str(self.certs() / "ca.crt"), "--server-pid", str(server.pid),
               "--json", str(json_path), *args]
        if subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr).returncode != 0:
            die(f"irsa-bench {command} failed")
        bad, any_ok = failed_requests(json.loads(Path(json_path).read_text())["results"])
        if bad or not any_ok:
            die(f"irsa-bench {command}: {bad} failed requests ({json_path})")

    def server_quantiles(self, server, json_path, since=None):
        """The running server's admission latency percentiles from its own histogram, each as the upper
        bound of the bucket it falls in: of all requests since it started, or since `since` (an earlier
        admission_buckets(server))."""
        buckets = admission_buckets(server)
        if since:
            buckets = [(le, n - n0) for (le, n), (_, n0) in zip(buckets, since, strict=True)]
        count = buckets[-1][1]
        if not count:
            die("no admission requests counted")

        def under(q):  # the smallest bucket bound holding at least q of the requests, in ms
            bound = next(le for le, n in buckets if n >= q * count)
            return None if bound == float("inf") else bound * 1000

        report = {"count": count, "p50LeMs": under(0.5), "p90LeMs": under(0.9), "p99LeMs": under(0.99),
                  "p999LeMs": under(0.999),
                  "bucketsMs": [[le * 1000 if le != float("inf") else None, n] for le, n in buckets]}
        write_json(json_path, report)

    def h2load(self, server, body, requests, label):
        """h2load --h1 pinned to CLIENT_CPU: `requests` POSTs of the file `body` over 8 connections, the
        server's CPU read from /proc around it. Its report (h2load_report); any failed request fails the
        scenario."""
        if not shutil.which("h2load"):
            die("h2load not found (scripts/setup.sh installs nghttp2-client)")
        cpu0 = cpu_seconds(server.pid)
        result = subprocess.run(["taskset", "-c", self.client_cpu, "h2load", "--h1", "-n", str(requests), "-c", "8",
                                 "-m", "1", "-d", str(body), "-H", "Content-Type: application/json", server.url],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        cpu = cpu_seconds(server.pid) - cpu0
        report = h2load_report(result.stdout, cpu, Path(body).stat().st_size, label)
        if result.returncode != 0 or report is None:
            print(result.stdout + result.stderr, file=sys.stderr)
            die("h2load failed")
        if report["succeeded"] != report["requests"]:
            die(f"h2load: {report['requests'] - report['succeeded']} of {report['requests']} requests failed")
        return report


def admission_buckets(server):
    """[(le seconds, cumulative count)] of the server's irsa_webhook_admission_duration_seconds histogram."""
    text = server.metrics_text()
    buckets = [(float("inf") if le == "+Inf" else float(le), float(n)) for le, n in
               re.findall(r'^irsa_webhook_admission_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$', text, re.M)]
    if not buckets:
        die("no admission histogram in the server's metrics")
    return buckets


def h2load_report(text, cpu, request_bytes, label):
    """h2load's summary as the scenario's JSON; None when it cannot be read."""
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text)
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                  text)
    if not rate or not m:
        return None
    status = re.search(r"status codes: (\d+) 2xx", text)
    total, succeeded = int(m.group(1)), int(m.group(4))
    return {"tool": "h2load", "label": label, "requestBytes": request_bytes,
            "requests": total, "succeeded": succeeded, "status2xx": int(status.group(1)) if status else 0,
            "achievedRate": float(rate.group(1)), "serverCpuSeconds": cpu,
            "cpuSecondsPer1000Requests": cpu * 1000 / total if total else None}


def write_json(path, value):
    with open(path, "w") as out:
        json.dump(value, out, indent=1)
