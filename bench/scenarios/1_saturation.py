"""Scenario 1: saturation throughput and CPU per request.

For each pod size (small ~2 KB, medium ~7.5 KB, large ~40 KB): `serve` on one core, irsa-bench on
the other in closed loop over 8 keep-alive connections. Reports requests/s (= per core), server CPU
seconds per 1,000 requests from /proc, and the p99. Then, for the medium pods: the highest open-loop
rate held with p99 under 2 ms (irsa-bench saturate), and h2load --h1 as an independent cross-check
of the closed-loop figure.

Writes BENCH_OUT/raw/1-*.json; bench/scenarios/summarize.py reads them.
"""

import re
import shutil
import subprocess
import sys

import benchlib
from benchlib import cpu_seconds, die, log, write_json


def closed_loop(bench):
    duration = bench.window("10s", "2s")
    for size in ("small", "medium", "large"):
        corpus = bench.corpus(size)
        for run in bench.runs():
            with bench.serve(corpus) as server:
                log(f"1-saturation: {size} pods, run {run}: closed loop, 8 connections, {duration}")
                bench.load(server, "run", corpus, bench.raw(f"1-closed-{size}-{run}.json"), "--rate", "0",
                           "--connections", "8", "--duration", duration, "--warmup", "2s", "--label", f"closed-{size}")


def saturate(bench):
    corpus = bench.corpus("medium")
    for run in bench.runs():
        with bench.serve(corpus) as server:
            log(f"1-saturation: medium pods, run {run}: highest open-loop rate with p99 < 2ms")
            bench.load(server, "saturate", corpus, bench.raw(f"1-saturate-medium-{run}.json"),
                       "--p99-bound", "2ms", "--connections", "32", "--start-rate", "2000",
                       "--step-duration", bench.window("5s", "1s"), "--time-limit", bench.window("120s", "15s"),
                       "--label", "saturate-medium")


def h2load_report(text, cpu, request_bytes):
    """h2load's summary as the scenario's JSON; None when it cannot be read."""
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text)
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                  text)
    if not rate or not m:
        return None
    status = re.search(r"status codes: (\d+) 2xx", text)
    total, succeeded = int(m.group(1)), int(m.group(4))
    return {"tool": "h2load", "label": "h2load-medium", "requestBytes": request_bytes,
            "requests": total, "succeeded": succeeded, "status2xx": int(status.group(1)) if status else 0,
            "achievedRate": float(rate.group(1)), "serverCpuSeconds": cpu,
            "cpuSecondsPer1000Requests": cpu * 1000 / total if total else None}


def h2load(bench):
    """Cross-check with an independent load generator: one mutated medium review, h2load over HTTP/1.1,
    the same 8 connections, server CPU read from /proc."""
    if not shutil.which("h2load"):
        die("h2load not found (scripts/setup.sh installs nghttp2-client)")
    # Every request of a mutated=100 corpus is mutated: the first one stands for the mutated share of
    # the irsa-bench runs.
    corpus = bench.corpus("medium", "mutated=100")
    body = bench.tmp / "h2load-body.json"
    with open(corpus / "requests.jsonl", "rb") as requests_file:
        body.write_bytes(requests_file.readline().rstrip(b"\n"))
    requests = bench.window("200000", "20000")
    for run in bench.runs():
        with bench.serve(corpus) as server:
            log(f"1-saturation: h2load --h1 cross-check, run {run}: {requests} requests")
            cpu0 = cpu_seconds(server.pid)
            result = subprocess.run(["taskset", "-c", bench.client_cpu, "h2load", "--h1", "-n", requests, "-c", "8",
                                     "-m", "1", "-d", str(body), "-H", "Content-Type: application/json", server.url],
                                    stdin=subprocess.DEVNULL, capture_output=True, text=True)
            cpu = cpu_seconds(server.pid) - cpu0
            report = h2load_report(result.stdout, cpu, body.stat().st_size)
            if result.returncode != 0 or report is None:
                print(result.stdout + result.stderr, file=sys.stderr)
                die("h2load failed")
            write_json(bench.raw(f"1-h2load-medium-{run}.json"), report)
            if report["succeeded"] != report["requests"]:
                die(f"h2load: {report['requests'] - report['succeeded']} of {report['requests']} requests failed")


def scenario(bench):
    closed_loop(bench)
    saturate(bench)
    h2load(bench)
    log("1-saturation: done")


if __name__ == "__main__":
    benchlib.main(scenario)
