#!/usr/bin/env bash
# Checks of the container image without a Docker engine:
#   - the Dockerfile: two stages, the build stage runs the repository's scripts
#     (setup.sh --build-only, build.sh without tests, image-rootfs.sh), the
#     runtime stage is distroless/static and copies only that root filesystem;
#     its USER, EXPOSEd ports, ENTRYPOINT and CMD --port match the chart's
#     rendered Deployment (runAsUser/runAsGroup, containerPorts, --port);
#   - .dockerignore keeps .git and the build directories out of the context;
#   - the root filesystem scripts/image-rootfs.sh lays out for IRSA_BINARY holds
#     every library `ldd` lists, and the binary runs from it alone in a chroot as
#     UID 65532: --version, dev-cert, and serve answering /readyz over TLS;
#   - /webhook, the reference's path, runs the reference's own command line
#     (deploy/deployment-base.yaml, read from its tarball) plus the out-of-cluster
#     flags a loopback run needs, and answers /healthz over TLS.
#
# Usage: test/chart/image.sh     prints one line per failed check, then "N passed, N failed"
# Env:   IRSA_BINARY (default build/irsa-webhook), HELM_BIN, IRSA_DOCKERFILE (to self-test a broken copy),
#        IRSA_REFERENCE_DIR (default: shared/reference beside the repository, where CI has it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DOCKERFILE="${IRSA_DOCKERFILE:-${ROOT}/Dockerfile}"
BIN="${IRSA_BINARY:-${ROOT}/build/irsa-webhook}"
HELM="${HELM_BIN:-$("${ROOT}/test/e2e/build-helm.sh" --path)}"
[[ -x "${HELM}" ]] || { echo "helm not found at ${HELM}: run test/e2e/build-helm.sh first" >&2; exit 2; }
[[ -x "${BIN}" ]] || { echo "no binary at ${BIN}: build first (scripts/build.sh)" >&2; exit 2; }
REFERENCE_DIR="${IRSA_REFERENCE_DIR:-$(git -C "${ROOT}" rev-parse --show-toplevel)/../shared/reference}"

OUT="$(mktemp -d)"
SERVE_PID=""
cleanup() {
  if [[ -n "${SERVE_PID}" ]]; then kill -KILL "${SERVE_PID}" 2>/dev/null || true; fi
  rm -rf "${OUT}"
}
trap cleanup EXIT
passed=0 failed=0
check() {
  local desc="$1"; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); printf 'FAIL %s\n' "${desc}"; fi
}

# --- the Dockerfile, stage by stage (instructions joined across line continuations)
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "${DOCKERFILE}" | grep -v '^[[:space:]]*#' | grep -v '^[[:space:]]*$' >"${OUT}/instructions"
awk '/^FROM /{n++} {print > (dir "/stage" n)}' dir="${OUT}" "${OUT}/instructions"
build="${OUT}/stage1" runtime="${OUT}/stage2"
check "two stages" test "$(grep -c '^FROM ' "${OUT}/instructions")" -eq 2
check "build stage is debian:bookworm" grep -qx 'FROM debian:bookworm AS build' "${build}"
check "build stage copies the repository" grep -qx 'COPY \. \.' "${build}"
check "build stage installs build packages only" grep -Eq '^RUN .*scripts/setup\.sh --build-only( |$)' "${build}"
check "build stage builds without tests or bench" grep -Eq 'scripts/build\.sh build -DIRSA_BUILD_TESTS=OFF -DIRSA_BUILD_BENCH=OFF( |$)' "${build}"
check "build stage lays out /rootfs from build/irsa-webhook" grep -Eq 'scripts/image-rootfs\.sh build/irsa-webhook /rootfs( |$)' "${build}"
check "runtime stage is distroless/static (no libc but ours)" grep -Eqx 'FROM gcr\.io/distroless/static-debian12:nonroot' "${runtime}"
check "runtime stage copies only /rootfs" test "$(grep -c '^\(COPY\|ADD\) ' "${runtime}")/$(grep -c '^COPY --from=build /rootfs/ /$' "${runtime}")" = 1/1
check "runtime stage runs nothing" test "$(grep -c '^RUN ' "${runtime}")" -eq 0

# --- ... matching the chart
"${HELM}" template irsa "${ROOT}/charts/irsa-webhook" --show-only templates/deployment.yaml >"${OUT}/deployment.yaml"
pod_field() { sed -n "s/^ *$1: *//p" "${OUT}/deployment.yaml" | head -1; }
uid="$(pod_field runAsUser)" gid="$(pod_field runAsGroup)"
check "chart runs as UID 65532 (distroless nonroot)" test "${uid}:${gid}" = 65532:65532
check "USER is the chart's runAsUser:runAsGroup (${uid}:${gid})" grep -qx "USER ${uid}:${gid}" "${runtime}"
ports="$(sed -n 's/^ *containerPort: *//p' "${OUT}/deployment.yaml" | sort -n | xargs)"
check "EXPOSE is the chart's container ports (${ports})" \
  test "$(sed -n 's/^EXPOSE //p' "${runtime}" | tr ' ' '\n' | sort -n | xargs)" = "${ports}" -a -n "${ports}"
port_flag="$(grep -o -e '--port=[0-9]*' "${OUT}/deployment.yaml" | head -1)"
check "CMD serves on the chart's ${port_flag}" grep -qF -e "\"${port_flag}\"]" "${runtime}"
check "ENTRYPOINT is the binary image-rootfs.sh installs" grep -qx 'ENTRYPOINT \["/usr/local/bin/irsa-webhook"\]' "${runtime}"
for p in .git build 'build-\*'; do
  check ".dockerignore excludes ${p//\\/}" grep -qx "${p}" "${ROOT}/.dockerignore"
done

# --- the root filesystem: every library ldd lists, and the binary runs from it alone
ROOTFS="${OUT}/rootfs"
check "image-rootfs.sh lays out ${BIN}" "${ROOT}/scripts/image-rootfs.sh" "${BIN}" "${ROOTFS}"
check "rootfs has the binary at the ENTRYPOINT path" test -x "${ROOTFS}/usr/local/bin/irsa-webhook"
check "rootfs has /webhook (the reference's path) as the same binary" \
  test "$(readlink "${ROOTFS}/webhook")" = usr/local/bin/irsa-webhook -a -x "${ROOTFS}/webhook"
nlibs=0
while read -r lib; do
  nlibs=$((nlibs + 1))
  check "rootfs has ${lib} (from ldd)" test -s "${ROOTFS}${lib}"
done < <(ldd "${BIN}" | grep -o '/[^ ]*\.so[^ ]*')
check "ldd lists libssl, libcrypto, libyaml-cpp, libstdc++, libc and the loader (${nlibs})" \
  bash -c "ldd '${BIN}' | grep -c 'libssl\\.so\\|libcrypto\\.so\\|libyaml-cpp\\.so\\|libstdc++\\.so\\|libc\\.so\\|ld-linux' | grep -qx 6"

# distroless/static brings /tmp (1777); the rest of its files (passwd, CA roots) the binary does not read.
mkdir -m 1777 "${ROOTFS}/tmp"
as_nonroot=(chroot --userspec="${uid}:${gid}" "${ROOTFS}")
if [[ "$(id -u)" -ne 0 ]]; then
  as_nonroot=(unshare --map-root-user chroot "${ROOTFS}") # no setuid without root: mapped root instead
  unshare --map-root-user true 2>/dev/null || as_nonroot=()
fi
if [[ ${#as_nonroot[@]} -eq 0 ]]; then
  echo "SKIP chroot checks: neither root nor user namespaces available"
else
  version_ok() { "${as_nonroot[@]}" /usr/local/bin/irsa-webhook --version | grep -q '^irsa-webhook '; }
  check "chroot: irsa-webhook --version" version_ok
  check "chroot: dev-cert writes a CA and a serving certificate (OpenSSL)" \
    "${as_nonroot[@]}" /usr/local/bin/irsa-webhook dev-cert --out-dir /tmp/certs --ip-addresses 127.0.0.1
  cp "${ROOT}/examples/serviceaccounts.yaml" "${ROOTFS}/tmp/sa.yaml"

  # Starts the command in the chroot (as UID 65532) and waits for "Webhook started";
  # sets port to its TLS port, or to "" if it did not serve within 10 s.
  start_serve() {
    "${as_nonroot[@]}" "$@" >/dev/null 2>"${OUT}/serve.log" </dev/null &
    SERVE_PID=$!
    port=""
    for _ in $(seq 1 100); do
      port="$(sed -n 's/.*] Webhook started port=\([0-9]*\).*/\1/p' "${OUT}/serve.log" | head -1)"
      if [[ -n "${port}" ]] || ! kill -0 "${SERVE_PID}" 2>/dev/null; then break; fi
      sleep 0.1
    done
  }
  https_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "${ROOTFS}/tmp/certs/ca.crt" "https://127.0.0.1:$1$2"
  }
  stop_serve() {
    kill -TERM "${SERVE_PID}" 2>/dev/null || true
    local rc=0
    wait "${SERVE_PID}" || rc=$?
    SERVE_PID=""
    return "${rc}"
  }

  start_serve /usr/local/bin/irsa-webhook serve --bind-address 127.0.0.1 --port 0 --metrics-port 0 \
    --tls-cert /tmp/certs/tls.crt --tls-key /tmp/certs/tls.key --service-accounts /tmp/sa.yaml
  check "chroot: serve starts (\"Webhook started\" within 10s)" test -n "${port}"
  check "chroot: serve answers /readyz over TLS 1.2+ with the dev CA" test "$(https_status "${port}" /readyz)" = 200
  rc=0
  stop_serve || rc=$?
  check "chroot: serve exits 0 on SIGTERM" test "${rc}" -eq 0

  # The reference's own Deployment: `command: [/webhook, …]`, read from its tarball.
  tarballs=("${REFERENCE_DIR}"/*.tar.gz) # sorted, as ls sorts; the pattern itself when none
  tarball=""
  [[ -f "${tarballs[0]}" ]] && tarball="${tarballs[0]}"
  ref_command=()
  if [[ -n "${tarball}" ]]; then
    # The items of the first `command:` list (one `- item` a line).
    mapfile -t ref_command < <(tar -xzOf "${tarball}" --wildcards '*/deploy/deployment-base.yaml' |
      awk '/^ *command:/ { inlist = 1; next } inlist && /^ *- / { sub(/^ *- */, ""); print; next } inlist { exit }')
  fi
  check "reference tarball has deploy/deployment-base.yaml with a /webhook command (${REFERENCE_DIR})" \
    test "${ref_command[0]:-}" = /webhook -a "${#ref_command[@]}" -gt 1
  ref_args=("${ref_command[@]:1}")
  # Out of cluster on loopback: ports 0 (the test's rule: never a fixed port),
  # the dev certificate, ServiceAccounts from a file instead of the API server.
  start_serve "${ref_command[0]:-/webhook}" "${ref_args[@]}" --port 0 --metrics-port 0 \
    --tls-cert /tmp/certs/tls.crt --tls-key /tmp/certs/tls.key --service-accounts /tmp/sa.yaml
  check "chroot: /webhook with the reference's deployment args (${ref_args[*]}) serves" test -n "${port}"
  check "chroot: ... and answers /healthz over TLS" test "$(https_status "${port:-0}" /healthz)" = 200
  stop_serve || true
  [[ -n "${port}" ]] || sed 's/^/  serve.log: /' "${OUT}/serve.log"
fi

printf 'image: %d passed, %d failed\n' "${passed}" "${failed}"
[[ ${failed} -eq 0 ]]
