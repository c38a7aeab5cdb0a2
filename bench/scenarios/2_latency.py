"""Scenario 2: latency at fixed rates (500, 2,000 and 5,000 req/s), open loop.

Medium pods (~7.5 KB), 16 keep-alive connections, `serve` on one core. Each request's latency
counts from its scheduled send time, so a stall shows up in every request queued behind it (no
coordinated omission). The client is on the same machine: its figures are an upper bound of the
server's. The server's own view comes from its irsa_webhook_admission_duration_seconds histogram
(arrival of a request to its answer written), read after the run: a percentile is reported as the
bucket bound it falls under.

Writes BENCH_OUT/raw/2-rate-<R>-<run>.json and 2-server-<R>-<run>.json.
"""

import benchlib
from benchlib import log


def scenario(bench):
    corpus = bench.corpus("medium")
    duration = bench.window("20s", "2s")
    for rate in (500, 2000, 5000):
        for run in bench.runs():
            with bench.serve(corpus) as server:
                log(f"2-latency: {rate} req/s, run {run}, {duration}")
                bench.load(server, "run", corpus, bench.raw(f"2-rate-{rate}-{run}.json"), "--rate", str(rate),
                           "--connections", "16", "--duration", duration, "--warmup", "2s", "--label", f"rate-{rate}")
                bench.server_quantiles(server, bench.raw(f"2-server-{rate}-{run}.json"))
    log("2-latency: done")


if __name__ == "__main__":
    benchlib.main(scenario)
