#!/usr/bin/env bash
# e2e: the ServiceAccount race. RACE_N (default 200) ServiceAccounts, each POSTed
# immediately before its pod, RACE_P (default 8) pairs in parallel: a burst.
# Every STORED pod must be mutated, with its own ServiceAccount's role; no lookup
# may miss. Prints the total time and the lookup outcomes of each phase:
#   1. the webhook talks to the apiserver directly. On loopback its watch is
#      usually faster than the client's next request, so most lookups hit.
#   2. the webhook talks to the apiserver through delay-proxy.py (RACE_LAG_MS,
#      default 250ms each way: a loaded apiserver / slow network), so each pod's
#      review arrives before its ServiceAccount's watch event: the pod must wait
#      (grace period) for the watch (waited_hit) or the direct GET (api_hit).
#      Skipped (not failed) without python3.
# Env: RACE_N, RACE_P, RACE_LAG_MS, RACE_CLIENT (python|curl), IRSA_BINARY.
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

N="${RACE_N:-200}"
P="${RACE_P:-8}"
LAG_MS="${RACE_LAG_MS:-250}"
ROLE_PREFIX="arn:aws:iam::111122223333:role/race-"
TMP="${WH_TMP}"
PKI="$(dirname "${E2E_CA_CERT}")"
PROXY_PID=""
# shellcheck disable=SC2016  # evaluated at exit
wh_on_exit 'if [[ -n "${PROXY_PID}" ]]; then kill "${PROXY_PID}" 2>/dev/null || true; wait "${PROXY_PID}" 2>/dev/null || true; fi'

# --- the burst client: RACE_CLIENT=python (default when python3 exists): P
# threads, each with one keep-alive TLS connection, POST the ServiceAccount and
# then at once the pod (the tightest gap a client can make); RACE_CLIENT=curl:
# xargs -P P of two curl processes per pair (a new connection per request).
mkdir -p "${TMP}/burst"
pod_manifest pod-template default irsa-race | kubectl create --dry-run=client -o json -f - >"${TMP}/burst/pod.json"
client="${RACE_CLIENT:-$(command -v python3 >/dev/null && echo python || echo curl)}"
cat >"${TMP}/burst/burst.py" <<'PY'
import http.client, json, os, ssl, sys, threading
# burst.py N P NS ROLE_PREFIX POD_TEMPLATE: prints "I sa-status pod-status" per pair.
n, p, ns, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
template = json.load(open(sys.argv[5]))
host, port = os.environ["APISERVER_URL"].removeprefix("https://").rsplit(":", 1)
pki = os.path.dirname(os.environ["E2E_CA_CERT"])
ctx = ssl.create_default_context(cafile=os.environ["E2E_CA_CERT"])
ctx.load_cert_chain(pki + "/admin.crt", pki + "/admin.key")
lock, counter, results = threading.Lock(), [0], []

def connect():
    return http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)

def worker():
    conn = connect()
    while True:
        with lock:
            counter[0] += 1
            i = counter[0]
        if i > n:
            conn.close()
            return
        sa = {"apiVersion": "v1", "kind": "ServiceAccount",
              "metadata": {"name": f"sa-{i}", "namespace": ns,
                           "annotations": {"eks.amazonaws.com/role-arn": f"{prefix}{i}"}}}
        pod = json.loads(json.dumps(template))
        pod["metadata"] = {"name": f"pod-{i}", "namespace": ns}
        pod["spec"]["serviceAccountName"] = f"sa-{i}"
        codes = []
        for kind, body in (("serviceaccounts", sa), ("pods", pod)):
            try:
                conn.request("POST", f"/api/v1/namespaces/{ns}/{kind}", json.dumps(body),
                             {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                codes.append(response.status)
            except Exception as error:  # noqa: BLE001 - reported as status 0
                print(f"pair {i} {kind}: {error}", file=sys.stderr)
                codes.append(0)
                conn.close()
                conn = connect()
        with lock:
            results.append(f"{i} {codes[0]} {codes[1]}")

threads = [threading.Thread(target=worker) for _ in range(p)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(results))
PY
cat >"${TMP}/burst/one.sh" <<'SH'
#!/usr/bin/env bash
# one.sh I: POST ServiceAccount sa-I, then at once pod pod-I; prints "I sa-status pod-status".
i="$1"
curl_k() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 30 --cacert "${E2E_CA_CERT}" \
    --cert "${PKI}/admin.crt" --key "${PKI}/admin.key" -H 'Content-Type: application/json' "$@"
}
sa="$(curl_k --data-binary "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"sa-${i}\",\"annotations\":{\"eks.amazonaws.com/role-arn\":\"${ROLE_PREFIX}${i}\"}}}" \
  "${APISERVER_URL}/api/v1/namespaces/${NS}/serviceaccounts")"
pod="$(jq -c --arg i "${i}" '.metadata = {name: ("pod-" + $i)} | .spec.serviceAccountName = ("sa-" + $i)' "${DIR}/pod.json" \
  | curl_k --data-binary @- "${APISERVER_URL}/api/v1/namespaces/${NS}/pods")"
echo "${i} ${sa} ${pod}"
SH
lookup() { wh_metric "irsa_webhook_service_account_lookups_total{outcome=\"$1\"}"; }

# burst PHASE NS: the ServiceAccount+pod pairs in NS, and the checks on them.
burst() {
  local phase="$1" ns="$2" before_hit before_waited before_api before_miss before_missing t0 t1 elapsed_ms
  local results="${TMP}/burst/${phase}.results" verdicts="${TMP}/burst/${phase}.verdicts"
  before_hit="$(lookup hit)"; before_waited="$(lookup waited_hit)"; before_api="$(lookup api_hit)"
  before_miss="$(lookup miss)"; before_missing="$(wh_metric pod_identity_webhook_missing_sa_count)"

  t0="$(date +%s%3N)"
  if [[ "${client}" == python ]]; then
    timeout 170 python3 "${TMP}/burst/burst.py" "${N}" "${P}" "${ns}" "${ROLE_PREFIX}" "${TMP}/burst/pod.json" \
      >"${results}" || true
  else
    seq 1 "${N}" | DIR="${TMP}/burst" PKI="${PKI}" NS="${ns}" ROLE_PREFIX="${ROLE_PREFIX}" timeout 170 \
      xargs -P "${P}" -n 1 bash "${TMP}/burst/one.sh" >"${results}" || true
  fi
  t1="$(date +%s%3N)"
  elapsed_ms=$((t1 - t0))

  local sa_ok pod_ok stored mutated hit waited api miss missing
  sa_ok="$(awk '$2 == 201' "${results}" | wc -l)"
  pod_ok="$(awk '$3 == 201' "${results}" | wc -l)"
  check "${phase}: ${N} ServiceAccounts created (201: ${sa_ok})" test "${sa_ok}" = "${N}"
  check "${phase}: ${N} pods created (201: ${pod_ok})" test "${pod_ok}" = "${N}"
  if [[ "${pod_ok}" != "${N}" ]]; then
    awk '$2 != 201 || $3 != 201' "${results}" | head -n 5 | sed 's/^/  failed: /' >&2
  fi

  # The STORED pods: each mutated with its own ServiceAccount's role.
  kubectl -n "${ns}" get pods -o json >"${TMP}/burst/${phase}.pods.json"
  jq -r --arg prefix "${ROLE_PREFIX}" --arg dir "${TOKEN_DIR}" '
    .items[] | select(.metadata.name | startswith("pod-")) |
    (.metadata.name | ltrimstr("pod-")) as $i |
    ([.spec.containers[0].env[]? | select(.name == "AWS_ROLE_ARN") | .value] == [$prefix + $i]
     and ([.spec.containers[0].env[]? | select(.name == "AWS_WEB_IDENTITY_TOKEN_FILE") | .value] == [$dir + "/token"])
     and ([.spec.volumes[]? | select(.name == "aws-iam-token")] | length) == 1
     and ([.spec.containers[0].volumeMounts[]? | select(.name == "aws-iam-token")] | length) == 1
     and ([.spec.initContainers[0].env[]? | select(.name == "AWS_ROLE_ARN") | .value] == [$prefix + $i])
    ) as $ok | "\(.metadata.name) \($ok)"' "${TMP}/burst/${phase}.pods.json" >"${verdicts}"
  stored="$(wc -l <"${verdicts}")"
  mutated="$(grep -c ' true$' "${verdicts}" || true)"
  check "${phase}: stored pods: ${stored} of ${N}" test "${stored}" = "${N}"
  check "${phase}: stored pods mutated with their own ServiceAccount's role: ${mutated} of ${N}" test "${mutated}" = "${N}"
  if [[ "${mutated}" != "${N}" ]]; then
    grep ' false$' "${verdicts}" | head -n 5 | sed 's/^/  not mutated: /' >&2
  fi

  hit=$(($(lookup hit) - before_hit))
  waited=$(($(lookup waited_hit) - before_waited))
  api=$(($(lookup api_hit) - before_api))
  miss=$(($(lookup miss) - before_miss))
  missing=$(($(wh_metric pod_identity_webhook_missing_sa_count) - before_missing))
  printf '# race %s (%s client): %d ServiceAccount+pod pairs, %d in parallel, in %d.%03ds (%d pairs/s); lookups: hit=%d waited_hit=%d api_hit=%d miss=%d; missing_sa_count +%d\n' \
    "${phase}" "${client}" "${N}" "${P}" $((elapsed_ms / 1000)) $((elapsed_ms % 1000)) \
    $((N * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1))) "${hit}" "${waited}" "${api}" "${miss}" "${missing}"
  check "${phase}: one lookup per pod (hit+waited_hit+api_hit+miss = ${N})" test $((hit + waited + api + miss)) = "${N}"
  check "${phase}: no lookup missed, missing_sa_count unchanged" test "${miss}/${missing}" = 0/0
  check "${phase}: the cache holds every ServiceAccount afterwards (within 10s)" poll 10 cache_matches_cluster
  RACE_WAITED=$((waited + api))
}

# --- phase 1: the webhook connects to the apiserver directly
NS="irsa-race"
e2e_namespace "${NS}"
kubectl -n "${NS}" create serviceaccount warmup >/dev/null
kubectl -n "${NS}" annotate serviceaccount warmup eks.amazonaws.com/role-arn="${ROLE_PREFIX}warmup" >/dev/null
wh_start --kubeconfig "${KUBECONFIG}" -v 1
check "serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
check "/readyz is 200 after the cache synced" test "$(wh_readyz)" = 200
wh_register
check "apiserver calls the webhook (server-side dry run is mutated, within 20s)" \
  wait_dry_run 20 probe warmup "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
burst direct "${NS}"
check "direct: serve is still running" wh_alive
wh_stop 30 || true
check "direct: serve exits 0 on SIGTERM (exit ${WEBHOOK_EXIT})" test "${WEBHOOK_EXIT}" = 0

# --- phase 2: the webhook's apiserver connection lags by LAG_MS each way
if ! command -v python3 >/dev/null; then
  echo "# race lagged: skipped (no python3 for delay-proxy.py)"
  e2e_summary
  exit $?
fi
NS="irsa-race-lagged"
e2e_namespace "${NS}"
kubectl -n "${NS}" create serviceaccount warmup >/dev/null
kubectl -n "${NS}" annotate serviceaccount warmup eks.amazonaws.com/role-arn="${ROLE_PREFIX}warmup" >/dev/null
python3 "${E2E_DIR}/delay-proxy.py" "${APISERVER_PORT}" "${LAG_MS}" >"${TMP}/proxy.out" 2>"${E2E_LOGS}/delay-proxy.log" &
# shellcheck disable=SC2034  # read by the wh_on_exit hook above
PROXY_PID=$!
poll 5 grep -q '^listening ' "${TMP}/proxy.out" || e2e_die "delay-proxy.py did not start"
PROXY_PORT="$(awk '{ print $2; exit }' "${TMP}/proxy.out")"
e2e_log "delay proxy (+${LAG_MS}ms each way) on 127.0.0.1:${PROXY_PORT}"
wh_start --kubeconfig "${KUBECONFIG}" --kube-api "https://127.0.0.1:${PROXY_PORT}" -v 1
check "lagged: serve logs \"ServiceAccount cache synced\" (within 20s)" wh_wait_log 20 'ServiceAccount cache synced'
wh_register # the same configuration, now pointing at this webhook
check "lagged: apiserver calls the new webhook (dry run is mutated, within 20s)" \
  wait_dry_run 20 probe warmup "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'
burst lagged "${NS}"
check "lagged: the race happened (waited_hit + api_hit > 0: ${RACE_WAITED})" test "${RACE_WAITED}" -gt 0
check "lagged: serve is still running" wh_alive
wh_stop 30 || true
check "lagged: serve exits 0 on SIGTERM (exit ${WEBHOOK_EXIT})" test "${WEBHOOK_EXIT}" = 0

e2e_summary
