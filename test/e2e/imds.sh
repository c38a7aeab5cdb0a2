#!/usr/bin/env bash
# aws::InstanceMetadata (what --compose-role-arn reads at startup) against the
# real EC2 instance-metadata mock, amazon-ec2-metadata-mock (AEMM), built by
# build-imds-mock.sh at the version pinned in versions.env.
#
# The mock runs on 127.0.0.1 with a free port and `-I` (IMDSv2 only: requests
# without a session token get 401, so a passing read proves the token flow).
# Three runs of the AwsInstanceMetadataLive* gtests, with IRSA_IMDS_ENDPOINT set:
#   1. the mock's built-in document: account 0123456789, region us-east-1 (aws)
#   2. a config file (-c) overriding it: 123456789012 in cn-north-1 (aws-cn)
#   3. IMDSv1 only: the mock without -I behind imds-v1-proxy.py, which refuses
#      the token PUT (403, then 404); the client must fall back to plain GETs.
# `serve --compose-role-arn` runs against 2 and 3.
#
# Usage: test/e2e/imds.sh    builds the mock when missing; prints "N passed, N failed"
# Env:   IRSA_BUILD_DIR      build directory holding test/irsa-unit-tests (default: <repo>/build)
#        IMDS_MOCK_BIN       use this ec2-metadata-mock binary instead of the cached build
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "${E2E_DIR}/../.." && pwd)"
# shellcheck source=common.sh
. "${E2E_DIR}/common.sh"

BUILD_DIR="${IRSA_BUILD_DIR:-${REPO_DIR}/build}"
UNIT_TESTS="${BUILD_DIR}/test/irsa-unit-tests"
[[ -x "${UNIT_TESTS}" ]] || e2e_die "missing ${UNIT_TESTS}: build first (cmake --build build -j2) or set IRSA_BUILD_DIR"
command -v curl >/dev/null || e2e_die "curl not found"
command -v python3 >/dev/null || e2e_die "python3 not found (used to pick a free port)"

if [[ -z "${IMDS_MOCK_BIN:-}" ]]; then
  "${E2E_DIR}/build-imds-mock.sh" >/dev/null
  IMDS_MOCK_BIN="$("${E2E_DIR}/build-imds-mock.sh" --path)"
fi
[[ -x "${IMDS_MOCK_BIN}" ]] || e2e_die "no ec2-metadata-mock at ${IMDS_MOCK_BIN}"

TMP="$(mktemp -d)"
MOCK_PID=""
stop_mock() {
  if [[ -n "${MOCK_PID}" ]]; then
    kill "${MOCK_PID}" 2>/dev/null || true
    wait "${MOCK_PID}" 2>/dev/null || true
    MOCK_PID=""
  fi
}
PROXY_PID=""
stop_proxy() {
  if [[ -n "${PROXY_PID}" ]]; then
    kill "${PROXY_PID}" 2>/dev/null || true
    wait "${PROXY_PID}" 2>/dev/null || true
    PROXY_PID=""
  fi
}

trap 'stop_proxy; stop_mock; rm -rf "${TMP}"' EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_mock NAME [MOCK ARGS...]: sets ENDPOINT once the mock hands out tokens.
start_mock() {
  local name="$1" port deadline v2flag=(-I); shift
  [[ "${IMDS_MODE:-v2}" == v2 ]] || v2flag=()
  port="$(free_port)"
  MOCK_PORT="${port}"
  ENDPOINT="http://127.0.0.1:${port}"
  # Its own HOME and working dir: the mock reads $HOME/aemm-config.json if present.
  (cd "${TMP}" && HOME="${TMP}" exec "${IMDS_MOCK_BIN}" -n 127.0.0.1 -p "${port}" "${v2flag[@]}" "$@") \
    >"${TMP}/${name}.log" 2>&1 &
  MOCK_PID=$!
  deadline=$((SECONDS + 15))
  until curl -sf -m 1 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
    "${ENDPOINT}/latest/api/token" >/dev/null 2>&1; do
    if ! kill -0 "${MOCK_PID}" 2>/dev/null || ((SECONDS > deadline)); then
      cat "${TMP}/${name}.log" >&2
      e2e_die "ec2-metadata-mock did not come up on ${ENDPOINT}"
    fi
    sleep 0.1 # polling with a deadline, not waiting a fixed time
  done
  e2e_log "${name}: ec2-metadata-mock $("${IMDS_MOCK_BIN}" --version) on ${ENDPOINT} (${IMDS_MODE:-v2})"
}

# start_v1_proxy NAME TOKEN_STATUS: puts imds-v1-proxy.py in front of the
# running mock and points ENDPOINT at it.
start_v1_proxy() {
  local name="$1" port="" deadline
  python3 "${E2E_DIR}/imds-v1-proxy.py" "${MOCK_PORT}" "$2" >"${TMP}/${name}.proxy" 2>"${TMP}/${name}.proxy.log" &
  PROXY_PID=$!
  deadline=$((SECONDS + 15))
  while [[ -z "${port}" ]]; do
    port="$(sed -n 's/^listening \([0-9]*\)$/\1/p' "${TMP}/${name}.proxy" 2>/dev/null || true)"
    if [[ -z "${port}" ]] && { ! kill -0 "${PROXY_PID}" 2>/dev/null || ((SECONDS > deadline)); }; then
      cat "${TMP}/${name}.proxy.log" >&2
      e2e_die "imds-v1-proxy.py did not start"
    fi
    [[ -n "${port}" ]] || sleep 0.1 # polling with a deadline
  done
  ENDPOINT="http://127.0.0.1:${port}"
  e2e_log "${name}: IMDSv1-only proxy on ${ENDPOINT} (token PUT answers $2)"
}

# run_live NAME ACCOUNT REGION PARTITION: the gtests against the running mock.
run_live() {
  local name="$1" out="${TMP}/$1.gtest" rc=0 ok failed skipped
  IRSA_IMDS_ENDPOINT="${ENDPOINT}" IRSA_IMDS_MODE="${IMDS_MODE:-v2}" IRSA_IMDS_EXPECT_ACCOUNT="$2" IRSA_IMDS_EXPECT_REGION="$3" \
    IRSA_IMDS_EXPECT_PARTITION="$4" "${UNIT_TESTS}" --gtest_filter='AwsInstanceMetadataLive*' >"${out}" 2>&1 || rc=$?
  ok="$(grep -c '^\[       OK \] ' "${out}" || true)"
  failed="$(grep -c '^\[  FAILED  \] .*(' "${out}" || true)"
  skipped="$(grep -c '^\[  SKIPPED \] .*(' "${out}" || true)" # the env is set: a skip is a failure
  failed=$((failed + skipped))
  if ((rc != 0 && failed == 0)); then failed=1; fi # crashed before reporting
  if ((ok == 0 && failed == 0)); then failed=1; fi # the filter matched nothing
  grep -E '^\[ imds     \]|^\[       OK \]|^\[  (FAILED|SKIPPED) *\] .*\(' "${out}" | sed "s/^/${name}: /" || true
  if ((failed > 0)); then
    sed "s/^/${name}: /" "${out}" >&2
    e2e_log "${name}: mock log:"; tail -20 "${TMP}/${name}.log" >&2
  fi
  PASS=$((PASS + ok))
  FAIL=$((FAIL + failed))
}

# 1. The mock's own defaults (pkg/config/defaults/aemm-metadata-default-values.json).
start_mock defaults
run_live defaults 0123456789 us-east-1 aws
stop_mock

# 2. Overridden by a config file, as a China-region instance would answer.
cat >"${TMP}/aemm-cn.json" <<'EOF'
{"dynamic": {"values": {"instance-identity-document": {
  "accountId": "123456789012", "region": "cn-north-1", "availabilityZone": "cn-north-1a"}}}}
EOF
start_mock cn-north-1 -c "${TMP}/aemm-cn.json"
run_live cn-north-1 123456789012 cn-north-1 aws-cn

# `serve --compose-role-arn` end to end: a bare role name on the ServiceAccount
# becomes a full ARN with the instance's partition and account.
WEBHOOK="${IRSA_BINARY:-${BUILD_DIR}/irsa-webhook}"
"${WEBHOOK}" dev-cert --out-dir "${TMP}/certs" >/dev/null
printf '%s\n' 'apiVersion: v1' 'kind: ServiceAccount' \
  'metadata: {name: s3-reader, namespace: default, annotations: {eks.amazonaws.com/role-arn: my-role}}' \
  >"${TMP}/sa.yaml"

# serve_compose NAME EXPECTED_ARN
serve_compose() {
  local name="$1" want="$2" port="" patch="" deadline
  AWS_EC2_METADATA_SERVICE_ENDPOINT="${ENDPOINT}" "${WEBHOOK}" serve --compose-role-arn \
    --bind-address 127.0.0.1 --port 0 --metrics-port 0 --service-accounts "${TMP}/sa.yaml" \
    --tls-cert "${TMP}/certs/tls.crt" --tls-key "${TMP}/certs/tls.key" 2>"${TMP}/${name}.serve.log" &
  SERVE_PID=$!
  deadline=$((SECONDS + 15))
  while [[ -z "${port}" ]] && ((SECONDS <= deadline)) && kill -0 "${SERVE_PID}" 2>/dev/null; do
    # The child opens its log file itself: until then sed fails, which means "no port yet".
    port="$(sed -n 's/.*] Webhook started port=\([0-9]*\) .*/\1/p' "${TMP}/${name}.serve.log" 2>/dev/null || true)"
    [[ -n "${port}" ]] || sleep 0.1 # polling with a deadline
  done
  if [[ -n "${port}" ]]; then
    patch="$(curl -sf --cacert "${TMP}/certs/ca.crt" -H 'Content-Type: application/json' \
      --data-binary @"${REPO_DIR}/examples/admission-review.json" "https://127.0.0.1:${port}/mutate" |
      sed -n 's/.*"patch":"\([^"]*\)".*/\1/p' | base64 -d)"
  fi
  kill -TERM "${SERVE_PID}" 2>/dev/null || true
  wait "${SERVE_PID}" 2>/dev/null || true
  if [[ "${patch}" == *"\"${want}\""* ]]; then
    PASS=$((PASS + 1))
    echo "ok   - ${name}: serve --compose-role-arn expands my-role to ${want}"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL - ${name}: serve --compose-role-arn: patch was: ${patch}"
    cat "${TMP}/${name}.serve.log" >&2
  fi
}

serve_compose cn-north-1 "arn:aws-cn:iam::123456789012:role/my-role"
stop_mock

# 3. No IMDSv2 at all: the token PUT is refused, the document comes by IMDSv1.
IMDS_MODE=v1
start_mock v1-only -c "${TMP}/aemm-cn.json"
for status in 403 404; do
  start_v1_proxy "v1-only-${status}" "${status}"
  run_live "v1-only-${status}" 123456789012 cn-north-1 aws-cn
  serve_compose "v1-only-${status}" "arn:aws-cn:iam::123456789012:role/my-role"
  if grep -q 'falling back to IMDSv1' "${TMP}/v1-only-${status}.serve.log"; then
    PASS=$((PASS + 1))
    echo "ok   - v1-only-${status}: serve logged the IMDSv1 fallback"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL - v1-only-${status}: no falling back to IMDSv1 warning in the serve log"
  fi
  stop_proxy
done
stop_mock

printf '%d passed, %d failed\n' "${PASS}" "${FAIL}"
((FAIL == 0))
