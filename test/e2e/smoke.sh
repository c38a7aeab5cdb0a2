#!/usr/bin/env bash
# Smoke test of the e2e control plane itself (no webhook involved yet): proves the
# real kube-apiserver + etcd built by build-tools.sh accept and store what the IRSA
# tests will need.
#
#   1. a namespace, and an IRSA-annotated ServiceAccount in it
#      (eks.amazonaws.com/role-arn, audience, token-expiration)
#   2. a Pod using that ServiceAccount, created with `kubectl apply -f -`, read back
#      with `kubectl get pod -o json`: stored, with our SA and annotations, and
#      mutated by the built-in ServiceAccount admission plugin (kube-api-access
#      projected volume), i.e. the admission chain runs
#   3. a projected service-account token for audience sts.amazonaws.com can be
#      requested (TokenRequest API, `kubectl create token`), and its claims are what
#      IRSA needs (iss, aud, sub)
#   4. the cluster exposes the admission APIs the webhook registers with
#
# Usage: test/e2e/smoke.sh        (starts and stops its own control plane)
# Needs: test/e2e/build-tools.sh to have run.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -z "${E2E_WORKDIR:-}" ]]; then
  exec "${E2E_DIR}/with-control-plane.sh" "${E2E_DIR}/$(basename "${BASH_SOURCE[0]}")" "$@"
fi

# shellcheck source=common.sh
. "${E2E_DIR}/common.sh"

NS="irsa-smoke"
SA="s3-reader"
ROLE_ARN="arn:aws:iam::111122223333:role/s3-reader"
PASS=0
FAIL=0
check() { # check DESCRIPTION CMD...
  local what="$1"; shift
  if "$@"; then
    PASS=$((PASS + 1)); printf 'ok   - %s\n' "${what}"
  else
    FAIL=$((FAIL + 1)); printf 'FAIL - %s\n' "${what}"
  fi
}
# jget JSON-FILE PYTHON-EXPR: evaluate an expression on the parsed document `d`.
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

kubectl version -o json >"${TMP}/version.json"
check "server reports ${KUBERNETES_VERSION}" \
  test "$(jget "${TMP}/version.json" 'd["serverVersion"]["gitVersion"]')" = "${KUBERNETES_VERSION}"

kubectl create namespace "${NS}" >/dev/null
# No controller-manager runs, so nothing creates ServiceAccounts: make them here.
kubectl -n "${NS}" create serviceaccount default >/dev/null

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${SA}
  namespace: ${NS}
  annotations:
    eks.amazonaws.com/role-arn: ${ROLE_ARN}
    eks.amazonaws.com/audience: sts.amazonaws.com
    eks.amazonaws.com/token-expiration: "3600"
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: ${NS}
  labels:
    app: smoke
spec:
  serviceAccountName: ${SA}
  containers:
  - name: app
    image: public.ecr.aws/amazonlinux/amazonlinux:2023
    command: ["sleep", "infinity"]
EOF

kubectl -n "${NS}" get serviceaccount "${SA}" -o json >"${TMP}/sa.json"
check "ServiceAccount stored with the role-arn annotation" \
  test "$(jget "${TMP}/sa.json" 'd["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]')" = "${ROLE_ARN}"

kubectl -n "${NS}" get pod app -o json >"${TMP}/pod.json"
check "Pod stored (has a uid and resourceVersion)" \
  test "$(jget "${TMP}/pod.json" 'bool(d["metadata"]["uid"] and d["metadata"]["resourceVersion"])')" = True
check "Pod uses ServiceAccount ${SA}" \
  test "$(jget "${TMP}/pod.json" 'd["spec"]["serviceAccountName"]')" = "${SA}"
check "Pod is Pending and unscheduled (no scheduler/kubelet: stored, not run)" \
  test "$(jget "${TMP}/pod.json" 'd.get("status",{}).get("phase")+"/"+str(d["spec"].get("nodeName"))')" = "Pending/None"
check "ServiceAccount admission ran (kube-api-access projected volume added)" \
  test "$(jget "${TMP}/pod.json" 'any(v["name"].startswith("kube-api-access-") and "projected" in v for v in d["spec"]["volumes"])')" = True

# A pod without serviceAccountName gets `default`, which must exist (see above).
kubectl -n "${NS}" run bare --image=busybox --restart=Never --command -- sleep 1 >/dev/null
check "Pod without serviceAccountName stored with the default ServiceAccount" \
  test "$(kubectl -n "${NS}" get pod bare -o jsonpath='{.spec.serviceAccountName}')" = default

# IRSA's projected token: TokenRequest with the STS audience.
TOKEN="$(kubectl -n "${NS}" create token "${SA}" --audience sts.amazonaws.com --duration 1h)"
printf '%s' "${TOKEN}" >"${TMP}/token"
python3 - "${TMP}/token" >"${TMP}/claims.json" <<'EOF'
import base64, json, sys
payload = open(sys.argv[1]).read().split(".")[1]
payload += "=" * (-len(payload) % 4)
print(json.dumps(json.loads(base64.urlsafe_b64decode(payload))))
EOF
check "token requested for audience sts.amazonaws.com" \
  test "$(jget "${TMP}/claims.json" 'd["aud"]')" = "['sts.amazonaws.com']"
check "token sub is system:serviceaccount:${NS}:${SA}" \
  test "$(jget "${TMP}/claims.json" 'd["sub"]')" = "system:serviceaccount:${NS}:${SA}"
check "token iss is the configured issuer (${E2E_SA_ISSUER})" \
  test "$(jget "${TMP}/claims.json" 'd["iss"]')" = "${E2E_SA_ISSUER}"
check "token is RS256-signed" \
  test "$(python3 -c 'import base64,json,sys; h=sys.argv[1].split(".")[0]; h+="="*(-len(h)%4); print(json.loads(base64.urlsafe_b64decode(h))["alg"])' "${TOKEN}")" = RS256

# The issuer's discovery document and JWKS are served (what `irsa-webhook oidc` publishes).
kubectl get --raw /openid/v1/jwks >"${TMP}/jwks.json"
check "apiserver serves the service-account JWKS" \
  test "$(jget "${TMP}/jwks.json" 'd["keys"][0]["kty"]')" = RSA

check "admissionregistration.k8s.io/v1 is served (MutatingWebhookConfiguration)" \
  sh -c 'kubectl api-resources --api-group=admissionregistration.k8s.io -o name | grep -qx mutatingwebhookconfigurations.admissionregistration.k8s.io'

printf '%d passed, %d failed\n' "${PASS}" "${FAIL}"
[[ "${FAIL}" -eq 0 ]]
