"""How `serve --kubeconfig` copes with a cluster of N ServiceAccounts (scenario 3's measurement; also
runs on its own).

usage: bench/scenarios/scale.py [N]     (default 10000; e.g. 100000)

Starts a throwaway control plane, creates N ServiceAccounts across SCALE_NAMESPACES (default 10)
namespaces, about half with a role-arn annotation, through SCALE_P (default 16) keep-alive client
threads; then starts `serve --kubeconfig` and measures the time from its start to /readyz 200 (the
first full LIST), the CPU it spent so far, and its memory after the sync (VmRSS, VmHWM from
/proc/<pid>/status); for comparison, the time kubectl takes for the same paginated LIST (500 a
page). Prints one line per measurement:
  scale: n=… create=…s kubectl_list=…s ready=…s serve_cpu=…s cached=… synced_count=… rss=…MiB hwm=…MiB …
IRSA_BINARY (default <repo>/build/irsa-webhook) is measured; SCALE_BINARIES="a b" measures several
builds in turn against the same cluster, SCALE_REPEAT (default 1) times each.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchlib import (
    REPO_DIR,
    BenchError,
    Webhook,
    apiserver_connection,
    build_control_plane_tools,
    control_plane,
    cpu_seconds,
    die,
    log,
    poll,
    status_kib,
)


def create_service_accounts(cp_env, n, namespaces, clients):
    """sa-I in namespace scale-(I % namespaces), even I annotated; `clients` keep-alive connections."""
    lock, counter, failed = threading.Lock(), [0], [0]

    def post(conn, path, body):
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status

    def create(conn, i):
        ns = f"scale-{i % namespaces}"
        meta = {"name": f"sa-{i}", "namespace": ns}
        if i % 2 == 0:
            meta["annotations"] = {"eks.amazonaws.com/role-arn": f"arn:aws:iam::111122223333:role/scale-{i}",
                                   "eks.amazonaws.com/token-expiration": "3600"}
        body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
        for attempt in range(3):
            try:
                status = post(conn, f"/api/v1/namespaces/{ns}/serviceaccounts", body)
                if status in (201, 409):
                    return conn
                if status != 429:
                    raise RuntimeError(f"HTTP {status}")
            except Exception as error:  # noqa: BLE001 - retried, then counted
                conn.close()
                conn = apiserver_connection(cp_env, timeout=60)
                if attempt == 2:
                    print(f"sa-{i}: {error}", file=sys.stderr)
                    with lock:
                        failed[0] += 1
        return conn

    def worker():
        conn = apiserver_connection(cp_env, timeout=60)
        while True:
            with lock:
                i = counter[0]
                counter[0] += 1
            if i >= n:
                return
            conn = create(conn, i)

    conn = apiserver_connection(cp_env)
    for k in range(namespaces):
        status = post(conn, "/api/v1/namespaces",
                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"scale-{k}"}})
        if status != 201:
            die(f"creating namespace scale-{k}: HTTP {status}")
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed[0]:
        die("creating the ServiceAccounts failed")


class Cluster:
    """A control plane filled with N ServiceAccounts, and kubectl's time for the same LIST as serve's."""

    def __init__(self, cp, n, namespaces, clients):
        self.cp = cp
        self.kubectl = [cp.env["KUBECTL"], "--kubeconfig", cp.kubeconfig]
        log(f"creating {n} ServiceAccounts in {namespaces} namespaces ({clients} clients)")
        t0 = time.monotonic()
        create_service_accounts(cp.env, n, namespaces, clients)
        self.create_seconds = round(time.monotonic() - t0, 3)
        listed = self.run_kubectl("get", "serviceaccounts", "-A", "--no-headers", "--chunk-size=5000")
        self.total = len(listed.splitlines())
        if self.total < n:
            die(f"only {self.total} ServiceAccounts in the cluster")
        log(f"created in {self.create_seconds:.3f}s; the cluster has {self.total}")
        # Baseline: the same paginated LIST (500 a page) by kubectl.
        t0 = time.monotonic()
        self.run_kubectl("get", "serviceaccounts", "-A", "--chunk-size=500", "-o", "name")
        self.kubectl_list_seconds = round(time.monotonic() - t0, 3)

    def run_kubectl(self, *args):
        result = subprocess.run([*self.kubectl, *args], capture_output=True, text=True)
        if result.returncode != 0:
            die(f"kubectl {' '.join(args)} failed: {result.stderr}")
        return result.stdout


def measure(cluster, binary, certs, log_path):
    """One `serve --kubeconfig` from exec to /readyz 200: its time, CPU, memory and cache size."""
    t0 = time.monotonic()
    try:
        wh = Webhook(binary, certs, log_path, ["--kubeconfig", cluster.cp.kubeconfig, "-v", "1"])
    except RuntimeError as error:
        die(f"serve exited at startup: {error}")
    try:
        if not poll(600, lambda: wh.readyz() == 200 or not wh.alive(), interval=0.05) or not wh.alive():
            die(f"serve exited or was not ready after 600s (log: {log_path})")
        ready_seconds = round(time.monotonic() - t0, 3)
        time.sleep(1)  # let the list's garbage go back before reading the memory
        run = {"serviceAccounts": cluster.total, "createSeconds": cluster.create_seconds,
               "kubectlListSeconds": cluster.kubectl_list_seconds, "readySeconds": ready_seconds,
               # CPU the webhook spent so far: its own share of the sync.
               "serveCpuSeconds": cpu_seconds(wh.pid),
               "cached": int(wh.metric("irsa_webhook_service_accounts")),
               "rssKiB": status_kib(wh.pid, "VmRSS"), "hwmKiB": status_kib(wh.pid, "VmHWM")}
        synced = re.search(r"\] ServiceAccount cache synced count=(\d+)", Path(log_path).read_text())
        run["syncedCount"] = int(synced.group(1)) if synced else None
    finally:
        run_exit = wh.stop(30)
    return {**run, "exit": run_exit, "binary": binary}


def scale_line(run):
    return (f"scale: n={run['serviceAccounts']} create={run['createSeconds']:.3f}s "
            f"kubectl_list={run['kubectlListSeconds']:.3f}s ready={run['readySeconds']:.3f}s "
            f"serve_cpu={run['serveCpuSeconds']:.3f}s cached={run['cached']} "
            f"synced_count={run['syncedCount'] if run['syncedCount'] is not None else '?'} "
            f"rss={run['rssKiB'] // 1024}MiB hwm={run['hwmKiB'] // 1024}MiB "
            f"(VmRSS {run['rssKiB']} kB, VmHWM {run['hwmKiB']} kB) exit={run['exit']} binary={run['binary']}")


def measure_scale(n, binaries, repeat, namespaces=10, clients=16):
    """Fill one fresh control plane with n ServiceAccounts, then measure each binary `repeat` times
    in turn (one populated cluster, so before/after builds are compared on the same data)."""
    runs = []
    with control_plane() as cp, tempfile.TemporaryDirectory(prefix="irsa-scale.") as tmp:
        certs = Path(tmp) / "certs"
        subprocess.run([binaries[0], "dev-cert", "--out-dir", str(certs)], check=True, stdout=subprocess.DEVNULL)
        cluster = Cluster(cp, n, namespaces, clients)
        for _ in range(repeat):
            for binary in binaries:
                run = measure(cluster, binary, certs, cp.logs / f"webhook.{len(runs)}.log")
                print(scale_line(run), flush=True)
                runs.append(run)
    return runs


def main():
    n = sys.argv[1] if len(sys.argv) > 1 else "10000"
    if len(sys.argv) > 2 or not n.isdigit() or int(n) == 0:
        sys.exit(f"usage: {sys.argv[0]} [N>0]")
    default = os.environ.get("IRSA_BINARY", str(REPO_DIR / "build" / "irsa-webhook"))
    binaries = os.environ.get("SCALE_BINARIES", default).split()
    for binary in binaries:
        if not os.access(binary, os.X_OK):
            sys.exit(f"no webhook binary at {binary}: build first (scripts/build.sh)")
    try:
        build_control_plane_tools()
        measure_scale(int(n), binaries, int(os.environ.get("SCALE_REPEAT", "1")),
                      int(os.environ.get("SCALE_NAMESPACES", "10")), int(os.environ.get("SCALE_P", "16")))
    except BenchError as error:
        log(f"ERROR: {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
