"""Scenario 6: soak. 2,000 req/s open loop for 10 minutes (BENCH_QUICK: 20 s) after a warm-up of
60 s (5 s), medium pods, 16 keep-alive connections, `serve` on one core, one run (a soak is long
enough on its own).

Pass (issue #11): no failed request, and RSS grows by less than 1 MiB from the end of the warm-up
to the end (irsa-bench's own samples of /proc/PID/status bracket the window). The server's RSS is
also sampled every 5 s (1 s quick) for the curve. A failure exits 1, so the CI smoke run fails too.

Writes BENCH_OUT/raw/6-soak.json (irsa-bench's report) and 6-soak-rss.json (the samples).
"""

import json
import threading
import time

import benchlib
from benchlib import die, log, status_kib

RATE = 2000
MAX_GROWTH_KIB = 1024


def scenario(bench):
    corpus = bench.corpus("medium")
    duration = bench.window("600s", "20s")
    warmup = bench.window("60s", "5s")
    interval = 1.0 if bench.quick else 5.0
    with bench.serve(corpus) as server:
        samples, stop = [], threading.Event()

        def sample():
            started = time.monotonic()
            while not stop.is_set():
                samples.append([round(time.monotonic() - started, 1), status_kib(server.pid, "VmRSS")])
                stop.wait(interval)

        sampler = threading.Thread(target=sample)
        sampler.start()
        log(f"6-soak: {RATE} req/s for {duration} after {warmup} of warm-up")
        try:
            bench.load(server, "run", corpus, bench.raw("6-soak.json"), "--rate", str(RATE), "--connections", "16",
                       "--duration", duration, "--warmup", warmup, "--label", "soak")
        finally:
            stop.set()
            sampler.join()
        benchlib.write_json(bench.raw("6-soak-rss.json"), {"intervalSeconds": interval, "rssKiB": samples})
    results = json.loads(bench.raw("6-soak.json").read_text())["results"]
    rss = results["server"]
    growth = (rss["rssBytesEnd"] - rss["rssBytesStart"]) / 1024
    log(f"6-soak: {results['requests']} requests, {results['achievedRate']:.0f} req/s, RSS "
        f"{rss['rssBytesStart'] / 2**20:.2f} -> {rss['rssBytesEnd'] / 2**20:.2f} MiB after the warm-up "
        f"({growth:+.0f} KiB)")
    if growth >= MAX_GROWTH_KIB:
        die(f"RSS grew by {growth:.0f} KiB during the soak (limit {MAX_GROWTH_KIB})")
    log("6-soak: done")


if __name__ == "__main__":
    benchlib.main(scenario)
