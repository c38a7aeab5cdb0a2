"""Scenario 1: saturation throughput and CPU per request.

For each pod size (small ~2 KB, medium ~7.5 KB, large ~40 KB): `serve` on one core, irsa-bench on
the other in closed loop over 8 keep-alive connections. Reports requests/s (= per core), server CPU
seconds per 1,000 requests from /proc, and the p99. Then, for the medium pods: the highest open-loop
rate held with p99 under 2 ms (irsa-bench saturate), and h2load --h1 as an independent cross-check
of the closed-loop figure.

Writes BENCH_OUT/raw/1-*.json; bench/scenarios/summarize.py reads them.
"""

import benchlib
from benchlib import log, write_json


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


def h2load(bench):
    """Cross-check with an independent load generator: one mutated medium review, h2load over HTTP/1.1,
    the same 8 connections, server CPU read from /proc."""
    body = bench.mutated_body("medium")
    requests = bench.window("200000", "20000")
    for run in bench.runs():
        with bench.serve(bench.corpus("medium", "mutated=100")) as server:
            log(f"1-saturation: h2load --h1 cross-check, run {run}: {requests} requests")
            write_json(bench.raw(f"1-h2load-medium-{run}.json"), bench.h2load(server, body, requests, "h2load-medium"))


def scenario(bench):
    closed_loop(bench)
    saturate(bench)
    h2load(bench)
    log("1-saturation: done")


if __name__ == "__main__":
    benchlib.main(scenario)
