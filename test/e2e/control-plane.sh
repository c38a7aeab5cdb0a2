#!/usr/bin/env bash
# A real, minimal Kubernetes control plane for the e2e tests: etcd + kube-apiserver
# on loopback, nothing else (no kubelet, scheduler or controller-manager: pods are
# admitted and stored, never run).
#
# Usage: control-plane.sh start <workdir>   generate PKI, start etcd + apiserver, wait for /readyz
#        control-plane.sh stop  <workdir>   stop both (pid files), wait until they are gone
#        control-plane.sh status <workdir>  exit 0 if both are running
#        control-plane.sh stop-apiserver <workdir>     stop kube-apiserver only (etcd keeps running;
#                                                      SIGKILL after IRSA_E2E_APISERVER_STOP_GRACE s)
#        control-plane.sh start-apiserver <workdir>    start it again: same port, PKI and flags; wait for /readyz
#        control-plane.sh restart-apiserver <workdir>  stop-apiserver, then start-apiserver
#        control-plane.sh etcd-revision <workdir>      print etcd's current revision
#        control-plane.sh compact-etcd <workdir> [REV]  compact etcd (physically) to REV (default:
#                                                      the current revision); prints the revision
#
# start writes into <workdir>:
#   env                 shell-sourceable: KUBECONFIG, APISERVER_URL, ports, pids, paths
#   admin.kubeconfig    cluster-admin (client cert, O=system:masters), certs embedded
#   pki/                ca.{crt,key}, apiserver.{crt,key}, admin.{crt,key}, sa.{key,pub}
#   logs/               etcd.log, kube-apiserver.log (a restarted apiserver appends)
#   apiserver.args      the extra kube-apiserver flags of `start`, reused by start-apiserver
#   apiserver.hosts     with IRSA_E2E_APISERVER_HOSTS only: the apiserver's private /etc/hosts
#   etcd-data/
#
# ServiceAccounts: the `default` ServiceAccount of a namespace is normally created
# by kube-controller-manager, which we do not run (nor build). The ServiceAccount
# admission plugin stays enabled (it is what adds the kube-api-access projected
# volume to real pods, so the webhook sees realistic pods) and it rejects pods whose
# ServiceAccount does not exist. Tests therefore create every ServiceAccount they
# use explicitly, including `default` when a pod names none
# (`kubectl create serviceaccount default -n <ns>`).
#
# Env knobs:
#   IRSA_E2E_SA_ISSUER       service-account issuer (default https://kubernetes.default.svc)
#   IRSA_E2E_API_AUDIENCES   --api-audiences (default: the issuer)
#   IRSA_E2E_START_TIMEOUT   seconds to wait for readiness (default 120)
#   IRSA_E2E_APISERVER_ARGS  extra kube-apiserver flags (word-split; kept for start-apiserver)
#   IRSA_E2E_APISERVER_STOP_GRACE  seconds stop-apiserver waits after SIGTERM (default 20)
#   IRSA_E2E_APISERVER_HOSTS extra "IP NAME..." lines (newline-separated) that resolve for
#                            kube-apiserver only: it runs in its own mount namespace with
#                            /etc/hosts + these lines bind-mounted over /etc/hosts (kept for
#                            start-apiserver). Lets a webhook `url:` use a Service DNS name
#                            (the name its certificate is for) and reach a loopback server.
#   KUBE_APISERVER_BIN / KUBECTL_BIN / ETCD_BIN   binaries (default: build-tools.sh cache)
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

SA_ISSUER="${IRSA_E2E_SA_ISSUER:-https://kubernetes.default.svc}"
API_AUDIENCES="${IRSA_E2E_API_AUDIENCES:-${SA_ISSUER}}"
START_TIMEOUT="${IRSA_E2E_START_TIMEOUT:-120}"
SERVICE_CIDR="10.0.0.0/24"
SERVICE_IP="10.0.0.1" # first address of SERVICE_CIDR: the `kubernetes` Service

usage() { e2e_die "usage: $0 {start|stop|status|stop-apiserver|start-apiserver|restart-apiserver|etcd-revision|compact-etcd} <workdir> [revision]"; }

# free_ports N: N distinct free TCP ports on 127.0.0.1 (held open together while
# choosing, so they differ; a tiny race with other processes remains).
free_ports() {
  if command -v python3 >/dev/null; then
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
  else
    # Fallback: random high ports that nothing answers on.
    local ports=() p
    while ((${#ports[@]} < $1)); do
      p=$((20000 + RANDOM % 40000))
      [[ " ${ports[*]} " == *" ${p} "* ]] && continue
      if ! (exec 3<>"/dev/tcp/127.0.0.1/${p}") 2>/dev/null; then ports+=("${p}"); fi
    done
    echo "${ports[*]}"
  fi
}

# pid_alive PIDFILE WORKDIR: the pid in PIDFILE runs and is ours (its command
# line mentions WORKDIR), so a recycled pid is never signalled.
pid_alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(<"$1")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  [[ -r "/proc/${pid}/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -qF -- "$2"
}

# wait_until DEADLINE_SECONDS DESCRIPTION PIDFILE LOG CMD...: poll CMD until it
# succeeds; fail early when the process behind PIDFILE died.
wait_until() {
  local timeout="$1" what="$2" pidfile="$3" log="$4"; shift 4
  local deadline=$((SECONDS + timeout)) delay=0.1
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "${pidfile}" "${WORKDIR}"; then
      e2e_log "${what} exited during startup; last lines of ${log}:"
      tail -n 40 "${log}" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      e2e_log "${what} not ready after ${timeout}s; last lines of ${log}:"
      tail -n 40 "${log}" >&2 || true
      return 1
    fi
    sleep "${delay}"
    [[ "${delay}" == "1" ]] || delay=$(awk -v d="${delay}" 'BEGIN { d *= 2; print (d > 1 ? 1 : d) }')
  done
}

gen_pki() {
  local pki="$1"
  mkdir -p "${pki}"
  (
    cd "${pki}"
    umask 077
    # CA (ECDSA P-256: fast to generate, accepted everywhere)
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -keyout ca.key -out ca.crt -days 3650 -subj "/CN=irsa-e2e-ca" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

    # issue NAME SUBJECT EXTFILE-CONTENT
    issue() {
      openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      printf '%s\n' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
        -out "$1.crt" -days 365 -extfile "$1.ext" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    issue apiserver "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:${SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    issue admin "/O=system:masters/CN=irsa-e2e-admin" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

    # Service-account token signing key: RSA 2048 so tokens are RS256, what
    # EKS issues and what STS / the OIDC JWKS tooling expect.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 0644 ca.crt apiserver.crt admin.crt sa.pub
  ) || e2e_die "openssl failed to generate the PKI in ${pki}"
}

write_kubeconfig() {
  local out="$1" url="$2" pki="$3"
  b64() { base64 -w0 <"$1"; }
  umask 077
  cat >"${out}" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: irsa-e2e
  cluster:
    server: ${url}
    certificate-authority-data: $(b64 "${pki}/ca.crt")
users:
- name: irsa-e2e-admin
  user:
    client-certificate-data: $(b64 "${pki}/admin.crt")
    client-key-data: $(b64 "${pki}/admin.key")
contexts:
- name: irsa-e2e
  context:
    cluster: irsa-e2e
    user: irsa-e2e-admin
    namespace: default
current-context: irsa-e2e
EOF
}

# write_apiserver_hosts FILE: /etc/hosts plus IRSA_E2E_APISERVER_HOSTS, or no
# FILE at all when the knob is unset (the apiserver then shares the host's).
write_apiserver_hosts() {
  local out="$1" line
  rm -f "${out}"
  [[ -n "${IRSA_E2E_APISERVER_HOSTS:-}" ]] || return 0
  while IFS= read -r line; do
    [[ -z "${line// /}" || "${line}" =~ ^[0-9a-fA-F.:]+([[:space:]]+[A-Za-z0-9.-]+)+[[:space:]]*$ ]] \
      || e2e_die "IRSA_E2E_APISERVER_HOSTS: bad line '${line}' (want: IP NAME...)"
  done <<<"${IRSA_E2E_APISERVER_HOSTS}"
  { cat /etc/hosts; printf '\n# IRSA_E2E_APISERVER_HOSTS\n%s\n' "${IRSA_E2E_APISERVER_HOSTS}"; } >"${out}"
  chmod 0644 "${out}"
}

# launch_apiserver PORT ETCD_URL REDIRECT: start kube-apiserver in the background
# (REDIRECT ">" truncates its log, ">>" appends), pid into kube-apiserver.pid.
# The extra flags come from apiserver.args (what IRSA_E2E_APISERVER_ARGS was at
# `start`), so a restarted apiserver runs exactly like the first one.
# --advertise-address / --endpoint-reconciler-type=none: with loopback only, the
#   apiserver would otherwise try to publish 127.0.0.1 as the `kubernetes`
#   Service endpoint, which Endpoints validation rejects (log spam forever).
# Admission: MutatingAdmissionWebhook, ValidatingAdmissionWebhook and
#   ServiceAccount are on by default; listed explicitly to document the need.
launch_apiserver() {
  local api_port="$1" etcd_url="$2" redirect="$3" pki="${WORKDIR}/pki" logs="${WORKDIR}/logs"
  local log="${logs}/kube-apiserver.log" args=""
  e2e_log "starting kube-apiserver ${KUBERNETES_VERSION} on https://127.0.0.1:${api_port}"
  [[ -r "${WORKDIR}/apiserver.args" ]] && args="$(<"${WORKDIR}/apiserver.args")"
  local -a extra=()
  # shellcheck disable=SC2206
  [[ -n "${args}" ]] && extra=(${args})
  if [[ "${redirect}" == ">>" ]]; then
    printf '\n==== restarted at %s ====\n' "$(date +%H:%M:%S)" >>"${log}"
  else
    : >"${log}"
  fi
  # With apiserver.hosts: a private mount namespace (propagation private, so the
  # host never sees the bind mount); as non-root, a user namespace grants the mount.
  local -a wrap=()
  if [[ -s "${WORKDIR}/apiserver.hosts" ]]; then
    command -v unshare >/dev/null || e2e_die "unshare not found (apt-get install util-linux)"
    local -a userns=()
    [[ "$(id -u)" -eq 0 ]] || userns=(--map-root-user)
    # shellcheck disable=SC2016  # expanded by the inner bash
    wrap=(unshare "${userns[@]}" --mount --propagation private --
      bash -c 'mount --bind "$0" /etc/hosts && exec "$@"' "${WORKDIR}/apiserver.hosts")
  fi
  nohup "${wrap[@]}" "${KUBE_APISERVER_BIN}" \
    --bind-address=127.0.0.1 \
    --secure-port="${api_port}" \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --etcd-servers="${etcd_url}" \
    --cert-dir="${pki}" \
    --tls-cert-file="${pki}/apiserver.crt" \
    --tls-private-key-file="${pki}/apiserver.key" \
    --client-ca-file="${pki}/ca.crt" \
    --service-account-issuer="${SA_ISSUER}" \
    --service-account-key-file="${pki}/sa.pub" \
    --service-account-signing-key-file="${pki}/sa.key" \
    --api-audiences="${API_AUDIENCES}" \
    --authorization-mode=RBAC \
    --service-cluster-ip-range="${SERVICE_CIDR}" \
    --enable-admission-plugins=NamespaceLifecycle,ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
    --allow-privileged=true \
    --profiling=false \
    --v=2 \
    "${extra[@]}" \
    >>"${log}" 2>&1 </dev/null &
  echo $! >"${WORKDIR}/kube-apiserver.pid"
}

wait_apiserver_ready() {
  wait_until "${START_TIMEOUT}" kube-apiserver "${WORKDIR}/kube-apiserver.pid" "${WORKDIR}/logs/kube-apiserver.log" \
    sh -c "'${KUBECTL_BIN}' --kubeconfig '${WORKDIR}/admin.kubeconfig' get --raw /readyz | grep -qx ok"
}

# EXIT trap during start: a failed start leaves nothing running behind.
start_failed() {
  trap - EXIT
  if (($1 != 0)); then cmd_stop || true; fi
  exit "$1"
}

cmd_start() {
  e2e_require_tools
  command -v curl >/dev/null || e2e_die "curl not found (apt-get install curl)"
  mkdir -p "${WORKDIR}"
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  local pki="${WORKDIR}/pki" logs="${WORKDIR}/logs"
  if pid_alive "${WORKDIR}/etcd.pid" "${WORKDIR}" || pid_alive "${WORKDIR}/kube-apiserver.pid" "${WORKDIR}"; then
    e2e_die "a control plane is already running in ${WORKDIR} (run: $0 stop ${WORKDIR})"
  fi
  rm -rf "${WORKDIR}/etcd-data" "${pki}" "${WORKDIR}/env"
  mkdir -p "${logs}"
  trap 'start_failed $?' EXIT
  local t0=${SECONDS}

  gen_pki "${pki}"

  local etcd_client etcd_peer api_port
  read -r etcd_client etcd_peer api_port < <(free_ports 3)
  local etcd_url="http://127.0.0.1:${etcd_client}" api_url="https://127.0.0.1:${api_port}"

  # --- etcd: single member, loopback, plain http (never leaves 127.0.0.1) ---
  # --unsafe-no-fsync: test data is thrown away; skipping fsync keeps etcd from
  #   stalling the apiserver on a disk shared with parallel C++ builds.
  e2e_log "starting etcd ${ETCD_VERSION} on ${etcd_url}"
  nohup "${ETCD_BIN}" \
    --name irsa-e2e \
    --data-dir "${WORKDIR}/etcd-data" \
    --listen-client-urls "${etcd_url}" \
    --advertise-client-urls "${etcd_url}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer}" \
    --initial-cluster "irsa-e2e=http://127.0.0.1:${etcd_peer}" \
    --initial-cluster-state new \
    --unsafe-no-fsync \
    --log-level warn \
    >"${logs}/etcd.log" 2>&1 </dev/null &
  echo $! >"${WORKDIR}/etcd.pid"
  wait_until "${START_TIMEOUT}" etcd "${WORKDIR}/etcd.pid" "${logs}/etcd.log" \
    sh -c "curl -fsS '${etcd_url}/health' | grep -q '\"health\":\"true\"'" \
    || e2e_die "etcd failed to start (log: ${logs}/etcd.log)"

  # --- kube-apiserver --------------------------------------------------------
  printf '%s\n' "${IRSA_E2E_APISERVER_ARGS:-}" >"${WORKDIR}/apiserver.args"
  write_apiserver_hosts "${WORKDIR}/apiserver.hosts"
  write_kubeconfig "${WORKDIR}/admin.kubeconfig" "${api_url}" "${pki}"
  launch_apiserver "${api_port}" "${etcd_url}" ">"
  wait_apiserver_ready || e2e_die "kube-apiserver failed to become ready (log: ${logs}/kube-apiserver.log)"

  cat >"${WORKDIR}/env" <<EOF
# Written by test/e2e/control-plane.sh start; source with: set -a; . ${WORKDIR}/env; set +a
E2E_WORKDIR=${WORKDIR}
KUBECONFIG=${WORKDIR}/admin.kubeconfig
APISERVER_URL=${api_url}
APISERVER_PORT=${api_port}
APISERVER_PID=$(<"${WORKDIR}/kube-apiserver.pid")
ETCD_URL=${etcd_url}
ETCD_CLIENT_PORT=${etcd_client}
ETCD_PEER_PORT=${etcd_peer}
ETCD_PID=$(<"${WORKDIR}/etcd.pid")
E2E_CA_CERT=${pki}/ca.crt
E2E_CA_KEY=${pki}/ca.key
E2E_SA_SIGNING_KEY=${pki}/sa.key
E2E_SA_PUBLIC_KEY=${pki}/sa.pub
E2E_SA_ISSUER=${SA_ISSUER}
E2E_LOGS=${logs}
KUBERNETES_VERSION=${KUBERNETES_VERSION}
ETCD_VERSION=${ETCD_VERSION}
KUBECTL=${KUBECTL_BIN}
KUBE_APISERVER_BIN=${KUBE_APISERVER_BIN}
ETCD_BIN=${ETCD_BIN}
EOF
  trap - EXIT
  e2e_log "control plane ready in $((SECONDS - t0))s: ${api_url} (KUBECONFIG=${WORKDIR}/admin.kubeconfig)"
}

# stop_one NAME [GRACE]: SIGTERM, wait up to GRACE seconds (default 20), then
# SIGKILL and wait again.
stop_one() {
  local name="$1" pidfile="${WORKDIR}/$1.pid" grace="${2:-20}" pid deadline
  if ! pid_alive "${pidfile}" "${WORKDIR}"; then
    rm -f "${pidfile}"
    return 0
  fi
  pid="$(<"${pidfile}")"
  kill -TERM "${pid}" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "${pid}" 2>/dev/null; then
    e2e_log "${name} (pid ${pid}) still running ${grace}s after SIGTERM, sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  fi
  kill -0 "${pid}" 2>/dev/null && e2e_die "${name} (pid ${pid}) is still running"
  rm -f "${pidfile}"
  e2e_log "stopped ${name} (pid ${pid})"
}

cmd_stop() {
  [[ -d "${WORKDIR}" ]] || { e2e_log "no such workdir ${WORKDIR}: nothing to stop"; return 0; }
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  stop_one kube-apiserver   # first, so it does not spin on a vanished etcd
  stop_one etcd
}

cmd_status() {
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  pid_alive "${WORKDIR}/etcd.pid" "${WORKDIR}" && pid_alive "${WORKDIR}/kube-apiserver.pid" "${WORKDIR}"
}

# env_value NAME: a value from the env file written by start.
env_value() {
  [[ -r "${WORKDIR}/env" ]] || e2e_die "no ${WORKDIR}/env: was the control plane started there?"
  sed -n "s/^$1=//p" "${WORKDIR}/env" | tail -n1
}

# A terminating kube-apiserver stops listening at once but keeps open watches
# until its HTTP shutdown times out (tens of seconds), so stop-apiserver sends
# SIGKILL after IRSA_E2E_APISERVER_STOP_GRACE seconds (default 20, as `stop`;
# the tests use 2: to a client, that is an apiserver that went away).
cmd_stop_apiserver() {
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  stop_one kube-apiserver "${IRSA_E2E_APISERVER_STOP_GRACE:-20}"
}

cmd_start_apiserver() {
  e2e_require_tools
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  pid_alive "${WORKDIR}/etcd.pid" "${WORKDIR}" || e2e_die "etcd is not running in ${WORKDIR}"
  pid_alive "${WORKDIR}/kube-apiserver.pid" "${WORKDIR}" && e2e_die "kube-apiserver already runs in ${WORKDIR}"
  local t0=${SECONDS}
  launch_apiserver "$(env_value APISERVER_PORT)" "$(env_value ETCD_URL)" ">>"
  if ! wait_apiserver_ready; then
    stop_one kube-apiserver || true
    e2e_die "restarted kube-apiserver failed to become ready (log: ${WORKDIR}/logs/kube-apiserver.log)"
  fi
  # Keep the env file's pid current (the other values do not change).
  sed -i "s/^APISERVER_PID=.*/APISERVER_PID=$(<"${WORKDIR}/kube-apiserver.pid")/" "${WORKDIR}/env"
  e2e_log "kube-apiserver ready again in $((SECONDS - t0))s"
}

# etcd's v3 JSON gateway (plain http on loopback): the header of a range
# request carries the store's current revision.
etcd_revision() {
  curl -fsS --max-time 10 -X POST "$(env_value ETCD_URL)/v3/kv/range" -d '{"key":"AA==","limit":1}' \
    | jq -er '.header.revision'
}

cmd_etcd_revision() {
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  etcd_revision
}

cmd_compact_etcd() {
  WORKDIR="$(cd "${WORKDIR}" && pwd)"
  local rev="${1:-}" out
  [[ -n "${rev}" ]] || rev="$(etcd_revision)" || e2e_die "cannot read etcd's revision"
  [[ "${rev}" =~ ^[0-9]+$ ]] || e2e_die "bad revision '${rev}'"
  out="$(curl -sS --max-time 30 -X POST "$(env_value ETCD_URL)/v3/kv/compaction" \
    -d "{\"revision\":\"${rev}\",\"physical\":true}")" || e2e_die "etcd compaction request failed"
  # Success is a bare header; an error (e.g. already compacted) has "error"/"code".
  if jq -e 'has("code") or has("error")' >/dev/null <<<"${out}"; then
    e2e_die "etcd compaction to ${rev} refused: ${out}"
  fi
  e2e_log "etcd compacted to revision ${rev}"
  echo "${rev}"
}

case "${1:-}" in
  start | stop | status | stop-apiserver | start-apiserver | restart-apiserver | etcd-revision) [[ $# -eq 2 ]] || usage ;;
  compact-etcd) [[ $# -eq 2 || $# -eq 3 ]] || usage ;;
  *) usage ;;
esac
WORKDIR="$2"
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  stop-apiserver) cmd_stop_apiserver ;;
  start-apiserver) cmd_start_apiserver ;;
  restart-apiserver) cmd_stop_apiserver && cmd_start_apiserver ;;
  etcd-revision) cmd_etcd_revision ;;
  compact-etcd) cmd_compact_etcd "${3:-}" ;;
esac
