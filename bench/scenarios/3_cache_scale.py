"""Scenario 3: the ServiceAccount cache at scale.

For 10k, 50k and 100k ServiceAccounts (about half with a role) listed from a real kube-apiserver
(the e2e control plane, one per size): `serve --kubeconfig` from start to /readyz (its first full
paginated LIST), the CPU it spent, and its memory after the sync (VmRSS / VmHWM). The cluster is
filled once per size and `serve` measured BENCH_REPEAT times against it (scale.py, which also runs
on its own). BENCH_SCALE_SIZES="N ..." measures other sizes.

Writes BENCH_OUT/raw/3-scale-<N>.json.
"""

import os

import benchlib
from benchlib import build_control_plane_tools, die, log, write_json
from scale import measure_scale

# What summarize.py reads of each run, in the order the files have always had.
RUN_KEYS = ("serviceAccounts", "cached", "readySeconds", "serveCpuSeconds", "kubectlListSeconds", "rssKiB", "hwmKiB")


def scenario(bench):
    build_control_plane_tools()
    sizes = os.environ.get("BENCH_SCALE_SIZES", bench.window("10000 50000 100000", "2000")).split()
    for n in sizes:
        log(f"3-cache-scale: {n} ServiceAccounts, {bench.repeat} runs")
        runs = [{key: run[key] for key in RUN_KEYS} for run in measure_scale(int(n), [bench.irsa_binary], bench.repeat)]
        if any(r["cached"] != r["serviceAccounts"] for r in runs):
            die("the cache did not hold every ServiceAccount")
        write_json(bench.raw(f"3-scale-{n}.json"), {"label": f"scale-{runs[0]['serviceAccounts']}", "runs": runs})
    log("3-cache-scale: done")


if __name__ == "__main__":
    benchlib.main(scenario)
