"""Scenario 4: TLS handshakes (ECDSA P-256 certificate from `dev-cert`).

 - storm: 75 new TLS connections at once, one request each (3 apiservers x 25 idle connections
   reconnecting after a webhook restart);
 - rate: a closed loop of full handshakes (no session resumption), one request per connection, for
   handshakes per second and per server CPU-second.

Writes BENCH_OUT/raw/4-storm-<run>.json and 4-handshakes-<run>.json.
"""

import benchlib
from benchlib import log


def scenario(bench):
    corpus = bench.corpus("small")
    for run in bench.runs():
        with bench.serve(corpus) as server:
            log(f"4-handshakes: storm of 75, run {run}")
            bench.load(server, "storm", corpus, bench.raw(f"4-storm-{run}.json"), "--connections", "75",
                       "--label", "storm-75")
            log(f"4-handshakes: full handshakes, run {run}")
            bench.load(server, "handshakes", corpus, bench.raw(f"4-handshakes-{run}.json"), "--connections", "8",
                       "--duration", bench.window("10s", "2s"), "--label", "handshakes")
    log("4-handshakes: done")


if __name__ == "__main__":
    benchlib.main(scenario)
