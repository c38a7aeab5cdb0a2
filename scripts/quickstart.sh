#!/usr/bin/env bash
# First run on a fresh Debian machine: installs what is missing, builds,
# generates a development certificate, serves the example ServiceAccounts
# on https://localhost:8443, shows the example pod being mutated, then keeps
# serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${IRSA_PORT:-8443}
metrics_port=${IRSA_METRICS_PORT:-9999}
work=${IRSA_QUICKSTART_DIR:-${TMPDIR:-/tmp}/irsa-webhook-quickstart}

scripts/setup.sh
scripts/build.sh build

mkdir -p "$work"
build/irsa-webhook dev-cert --out-dir "$work/certs" >/dev/null

build/irsa-webhook serve \
  --port "$port" --metrics-port "$metrics_port" \
  --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
  --service-accounts examples/serviceaccounts.yaml -v 3 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 100); do
  curl -sf --cacert "$work/certs/ca.crt" "https://localhost:$port/readyz" >/dev/null && break
  kill -0 $server 2>/dev/null || { echo "quickstart: the webhook did not start" >&2; exit 1; }
  sleep 0.1
done

echo
echo "== POST examples/admission-review.json to https://localhost:$port/mutate"
response=$(curl -sS --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' \
  --data-binary @examples/admission-review.json "https://localhost:$port/mutate")
echo "$response"
echo
echo "== the JSON Patch in that response, decoded"
echo "$response" | sed -n 's/.*"patch":"\([^"]*\)".*/\1/p' | base64 -d
echo
echo
echo "== the same pod, mutated offline: build/irsa-webhook mutate --output pod"
build/irsa-webhook mutate --pod examples/pod.yaml --service-account examples/serviceaccounts.yaml --output pod
echo
echo "The webhook is serving on https://localhost:$port (metrics on http://localhost:$metrics_port/metrics)."
echo "CA certificate: $work/certs/ca.crt. Press Ctrl-C to stop."
wait $server
