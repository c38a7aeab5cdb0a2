#!/usr/bin/env bash
# Measurement, not a test (not in run.sh): how `serve --kubeconfig` copes with a
# cluster of N ServiceAccounts.
#
# Usage: test/e2e/scale.sh [N]     (default 10000; e.g. 100000)
#
# Creates N ServiceAccounts across SCALE_NAMESPACES (default 10) namespaces, about
# half with a role-arn annotation, through SCALE_P (default 16) keep-alive client
# threads; then starts `serve --kubeconfig` and measures the time from its start
# to /readyz 200 (the first full LIST), and its memory after the sync (VmRSS,
# VmHWM from /proc/<pid>/status); for comparison, the time kubectl takes for the
# same paginated LIST (500 a page). Prints one line:
#   scale: n=… create=…s kubectl_list=…s ready=…s serve_cpu=…s cached=… rss=…MiB hwm=…MiB
# Needs python3 and IRSA_BINARY (default build/irsa-webhook). SCALE_BINARIES="a b"
# measures several builds in turn against the same cluster, SCALE_REPEAT times each.
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"
command -v python3 >/dev/null || e2e_die "python3 not found"

N="${1:-10000}"
[[ "${N}" =~ ^[0-9]+$ && "${N}" -gt 0 ]] || e2e_die "usage: $0 [N>0]"
NAMESPACES="${SCALE_NAMESPACES:-10}"
P="${SCALE_P:-16}"
TMP="${WH_TMP}"

for k in $(seq 0 $((NAMESPACES - 1))); do kubectl create namespace "scale-${k}" >/dev/null; done

cat >"${TMP}/create.py" <<'PY'
import http.client, json, os, ssl, sys, threading
# create.py N NAMESPACES P: sa-I in namespace scale-(I % NAMESPACES); even I annotated.
n, namespaces, p = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
host, port = os.environ["APISERVER_URL"].removeprefix("https://").rsplit(":", 1)
pki = os.path.dirname(os.environ["E2E_CA_CERT"])
ctx = ssl.create_default_context(cafile=os.environ["E2E_CA_CERT"])
ctx.load_cert_chain(pki + "/admin.crt", pki + "/admin.key")
lock, counter, failed = threading.Lock(), [0], [0]

def worker():
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)
    while True:
        with lock:
            i = counter[0]
            counter[0] += 1
        if i >= n:
            return
        ns = f"scale-{i % namespaces}"
        meta = {"name": f"sa-{i}", "namespace": ns}
        if i % 2 == 0:
            meta["annotations"] = {"eks.amazonaws.com/role-arn": f"arn:aws:iam::111122223333:role/scale-{i}",
                                   "eks.amazonaws.com/token-expiration": "3600"}
        body = json.dumps({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})
        for attempt in range(3):
            try:
                conn.request("POST", f"/api/v1/namespaces/{ns}/serviceaccounts", body,
                             {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status in (201, 409):
                    break
                if response.status != 429:
                    raise RuntimeError(f"HTTP {response.status}")
            except Exception as error:  # noqa: BLE001 - retried, then counted
                conn.close()
                conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)
                if attempt == 2:
                    print(f"sa-{i}: {error}", file=sys.stderr)
                    with lock:
                        failed[0] += 1

threads = [threading.Thread(target=worker) for _ in range(p)]
for t in threads:
    t.start()
for t in threads:
    t.join()
sys.exit(1 if failed[0] else 0)
PY

e2e_log "creating ${N} ServiceAccounts in ${NAMESPACES} namespaces (${P} clients)"
t0="$(date +%s%3N)"
python3 "${TMP}/create.py" "${N}" "${NAMESPACES}" "${P}" || e2e_die "creating the ServiceAccounts failed"
create_ms=$(($(date +%s%3N) - t0))
total="$(kubectl get serviceaccounts -A --no-headers --chunk-size=5000 | wc -l)"
[[ "${total}" -ge "${N}" ]] || e2e_die "only ${total} ServiceAccounts in the cluster"
e2e_log "created in $((create_ms / 1000)).$(printf '%03d' $((create_ms % 1000)))s; the cluster has ${total}"

# Baseline: the same paginated LIST (500 a page) by kubectl.
t0="$(date +%s%3N)"
kubectl get serviceaccounts -A --chunk-size=500 -o name >/dev/null
list_ms=$(($(date +%s%3N) - t0))

# --- serve: from exec to /readyz 200, for each binary and repeat (one populated
# cluster, so before/after builds are compared on the same data).
wh_certs
measure() {
  IRSA_BINARY="$1"
  local t0 ready_ms rss_kb hwm_kb cpu_ms cached synced deadline
  t0="$(date +%s%3N)"
  wh_start --kubeconfig "${KUBECONFIG}" -v 1
  deadline=$((SECONDS + 600))
  until [[ "$(wh_readyz)" == 200 ]]; do
    wh_alive || e2e_die "serve exited before it was ready (log: ${WEBHOOK_LOG})"
    ((SECONDS < deadline)) || e2e_die "serve not ready after 600s"
    sleep 0.05
  done
  ready_ms=$(($(date +%s%3N) - t0))
  sleep 1 # let the list's garbage go back before reading the memory
  rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/${WEBHOOK_PID}/status")"
  hwm_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/${WEBHOOK_PID}/status")"
  # CPU the webhook spent so far (utime + stime, clock ticks): its own share of the sync.
  cpu_ms="$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/${WEBHOOK_PID}/stat")"
  cached="$(wh_metric irsa_webhook_service_accounts)"
  synced="$(sed -n 's/.*] ServiceAccount cache synced count=\([0-9]*\).*/\1/p' "${WEBHOOK_LOG}" | head -n1)"
  wh_stop 30 || true

  printf 'scale: n=%d create=%d.%03ds kubectl_list=%d.%03ds ready=%d.%03ds serve_cpu=%d.%03ds cached=%s synced_count=%s rss=%dMiB hwm=%dMiB (VmRSS %s kB, VmHWM %s kB) exit=%s binary=%s\n' \
    "${total}" $((create_ms / 1000)) $((create_ms % 1000)) $((list_ms / 1000)) $((list_ms % 1000)) $((ready_ms / 1000)) $((ready_ms % 1000)) \
    $((cpu_ms / 1000)) $((cpu_ms % 1000)) \
    "${cached}" "${synced:-?}" $((rss_kb / 1024)) $((hwm_kb / 1024)) "${rss_kb}" "${hwm_kb}" "${WEBHOOK_EXIT}" "${IRSA_BINARY}"
}
for _ in $(seq "${SCALE_REPEAT:-1}"); do
  for binary in ${SCALE_BINARIES:-${IRSA_BINARY}}; do measure "${binary}"; done
done
