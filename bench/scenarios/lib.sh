# shellcheck shell=bash
# Shared by the bench scenarios. Sourced, never executed.
#
# Pinning: on this 2-core machine the webhook runs on core 0 with one I/O
# thread and the load generator on core 1, so "requests per second" is
# "requests per second per core" and the two never steal each other's CPU.
#
# Env (all optional):
#   BENCH_BUILD   build directory with irsa-webhook and irsa-bench (default <repo>/build)
#   BENCH_OUT     where results go (default <repo>/bench/results)
#   BENCH_REPEAT  runs per measurement; the report keeps the median (default 3)
#   BENCH_QUICK=1 short windows (a smoke run of the scripts, not a measurement)

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "${BENCH_DIR}/.." && pwd)"
BENCH_BUILD="${BENCH_BUILD:-${REPO_DIR}/build}"
BENCH_OUT="${BENCH_OUT:-${BENCH_DIR}/results}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
BENCH_QUICK="${BENCH_QUICK:-0}"
IRSA_BINARY="${IRSA_BINARY:-${BENCH_BUILD}/irsa-webhook}"
IRSA_BENCH="${IRSA_BENCH:-${BENCH_BUILD}/irsa-bench}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"

bench_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "ERROR: $*"; exit 1; }

[[ -x "${IRSA_BINARY}" ]] || bench_die "no ${IRSA_BINARY}: build first (scripts/build.sh build)"
[[ -x "${IRSA_BENCH}" ]] || bench_die "no ${IRSA_BENCH}: build first (scripts/build.sh build)"
mkdir -p "${BENCH_OUT}/raw"
BENCH_TMP="$(mktemp -d "${TMPDIR:-/tmp}/irsa-bench.XXXXXX")"
SERVER_PID=""
bench_cleanup() {
  [[ -n "${SERVER_PID}" ]] && kill -TERM "${SERVER_PID}" 2>/dev/null && wait "${SERVER_PID}" 2>/dev/null
  rm -rf "${BENCH_TMP}"
}
trap bench_cleanup EXIT

# bench_window LONG SHORT: LONG normally, SHORT with BENCH_QUICK=1.
bench_window() { if [[ "${BENCH_QUICK}" == 1 ]]; then echo "$2"; else echo "$1"; fi; }

# bench_corpus SIZE [MIX]: a generated corpus directory (cached in BENCH_TMP).
bench_corpus() {
  local size="$1" mix="${2:-mutated=80,plain=20}"
  local dir="${BENCH_TMP}/corpus-${size}-${mix//[,=]/_}"
  if [[ ! -d "${dir}" ]]; then
    "${IRSA_BENCH}" corpus --out "${dir}" --size "${size}" --mix "${mix}" --count 1000 --seed 1 >/dev/null \
      || bench_die "corpus generation failed"
  fi
  echo "${dir}"
}

# bench_serve CORPUS|- [SERVE-ARGS...]: start `serve` pinned to SERVER_CPU on the
# corpus's ServiceAccounts (- : none, give a source in SERVE-ARGS); sets
# SERVER_PID and BENCH_URL, waits for /readyz.
bench_serve() {
  local corpus="$1"; shift
  local source=()
  [[ "${corpus}" == - ]] || source=(--service-accounts "${corpus}/serviceaccounts.yaml")
  [[ -s "${BENCH_TMP}/certs/tls.crt" ]] || "${IRSA_BINARY}" dev-cert --out-dir "${BENCH_TMP}/certs" >/dev/null
  local log="${BENCH_TMP}/serve.log"
  taskset -c "${SERVER_CPU}" "${IRSA_BINARY}" serve --bind-address 127.0.0.1 --port 0 --metrics-port 0 \
    --threads 1 --tls-cert "${BENCH_TMP}/certs/tls.crt" --tls-key "${BENCH_TMP}/certs/tls.key" \
    "${source[@]}" "$@" 2>"${log}" </dev/null &
  SERVER_PID=$!
  local line="" port _
  for _ in $(seq 1 100); do
    line="$(grep -m1 '] Webhook started ' "${log}" || true)"
    [[ -n "${line}" ]] && break
    kill -0 "${SERVER_PID}" 2>/dev/null || { cat "${log}" >&2; bench_die "serve exited at startup"; }
    sleep 0.1
  done
  port="$(sed -n 's/.* port=\([0-9]*\).*/\1/p' <<<"${line}")"
  [[ -n "${port}" ]] || bench_die "serve did not report its port: ${line}"
  BENCH_URL="https://127.0.0.1:${port}/mutate"
  for _ in $(seq 1 100); do
    curl -sf --cacert "${BENCH_TMP}/certs/ca.crt" "https://127.0.0.1:${port}/readyz" >/dev/null && return 0
    sleep 0.1
  done
  bench_die "serve not ready"
}

# bench_server_quantiles OUT.json: the running server's admission latency
# percentiles from its own histogram (all requests since it started), each as
# the upper bound of the bucket it falls in.
bench_server_quantiles() {
  local port
  port="$(sed -n 's/.* metricsPort=\([0-9]*\).*/\1/p' "${BENCH_TMP}/serve.log" | head -n1)"
  curl -sf "http://127.0.0.1:${port}/metrics" >"${BENCH_TMP}/metrics.txt" || bench_die "cannot scrape the server's metrics"
  python3 - "${BENCH_TMP}/metrics.txt" "$1" <<'PY' || bench_die "no admission histogram in the server's metrics"
import json, re, sys
buckets = [(float("inf") if le == "+Inf" else float(le), float(n)) for le, n in
           re.findall(r'^irsa_webhook_admission_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$',
                      open(sys.argv[1]).read(), re.M)]
count = buckets[-1][1]
if not count:
    sys.exit("no admission requests counted")
def under(q):  # the smallest bucket bound holding at least q of the requests, in ms
    bound = next(le for le, n in buckets if n >= q * count)
    return None if bound == float("inf") else bound * 1000
json.dump({"count": count, "p50LeMs": under(0.5), "p90LeMs": under(0.9), "p99LeMs": under(0.99),
           "p999LeMs": under(0.999), "bucketsMs": [[le * 1000 if le != float("inf") else None, n] for le, n in buckets]},
          open(sys.argv[2], "w"), indent=1)
PY
}

bench_stop() {
  [[ -n "${SERVER_PID}" ]] || return 0
  kill -TERM "${SERVER_PID}" 2>/dev/null || true
  wait "${SERVER_PID}" 2>/dev/null || true
  SERVER_PID=""
}

# bench_load SUBCOMMAND CORPUS JSON [ARGS...]: irsa-bench pinned to CLIENT_CPU
# against the running server, sampling its CPU and memory. A run with any
# failed request (error, non-2xx, wrong answer) fails the scenario: its
# numbers would not measure the webhook.
bench_load() {
  local sub="$1" corpus="$2" json="$3"; shift 3
  taskset -c "${CLIENT_CPU}" "${IRSA_BENCH}" "${sub}" --url "${BENCH_URL}" --corpus "${corpus}" \
    --ca-file "${BENCH_TMP}/certs/ca.crt" --server-pid "${SERVER_PID}" --json "${json}" "$@" >&2 \
    || bench_die "irsa-bench ${sub} failed"
  python3 - "${json}" <<'PY' || bench_die "irsa-bench ${sub}: failed requests (${json})"
import json, sys
results = json.load(open(sys.argv[1]))["results"]
runs = [step["results"] for step in results["steps"]] if "steps" in results else [results]
bad = sum(r["errors"]["total"] + r["non2xx"] + r["invalid"] for r in runs)
if bad or not any(r["ok"] for r in runs):
    sys.exit(f"{bad} failed requests")
PY
}

# bench_cpu_ticks PID: utime+stime in seconds (for tools that do not sample it).
bench_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' "/proc/$1/stat"
}
