#!/usr/bin/env bash
# e2e: a real kube-apiserver calls `irsa-webhook serve --service-accounts …`
# through a MutatingWebhookConfiguration, and the STORED pods carry what the
# webhook added: env, volume (audience, expiration), mount, and the fields the
# webhook does not know survive. Needs IRSA_BINARY (default build/irsa-webhook).
set -euo pipefail

# shellcheck source=prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/prologue.sh"

NS="irsa-e2e"
ROLE_ARN="arn:aws:iam::111122223333:role/s3-reader"
TMP="${WH_TMP}"

# --- the webhook, on loopback, with a dev certificate for 127.0.0.1
cat >"${TMP}/serviceaccounts.yaml" <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s3-reader
  namespace: ${NS}
  annotations:
    eks.amazonaws.com/role-arn: ${ROLE_ARN}
    eks.amazonaws.com/token-expiration: "3600"
    eks.amazonaws.com/sts-regional-endpoints: "true"
YAML
wh_start --service-accounts "${TMP}/serviceaccounts.yaml" --aws-default-region eu-west-1 -v 3

# --- register it for pod CREATE in the test namespace only
e2e_namespace "${NS}"
wh_register
# The ServiceAccount admission plugin needs the ServiceAccounts to exist.
kubectl -n "${NS}" create serviceaccount s3-reader >/dev/null
kubectl -n "${NS}" create serviceaccount plain >/dev/null

# The apiserver picks the configuration up asynchronously: probe with a
# server-side dry run until the webhook answers (bounded).
check "apiserver calls the webhook (server-side dry run is mutated)" \
  wait_dry_run 20 probe s3-reader "${NS}" '.spec.containers[0].env[] | select(.name=="AWS_ROLE_ARN")'

# --- case: annotated ServiceAccount
create_pod app s3-reader || true
C='.spec.containers[0]'
check "stored pod: AWS_ROLE_ARN is the role" \
  jq_true "${TMP}/app.json" "[${C}.env[] | select(.name==\"AWS_ROLE_ARN\") | .value] == [\"${ROLE_ARN}\"]"
check "stored pod: AWS_WEB_IDENTITY_TOKEN_FILE" \
  jq_true "${TMP}/app.json" "[${C}.env[] | select(.name==\"AWS_WEB_IDENTITY_TOKEN_FILE\") | .value] == [\"/var/run/secrets/eks.amazonaws.com/serviceaccount/token\"]"
check "stored pod: region and regional STS env, after the existing env" \
  jq_true "${TMP}/app.json" "[${C}.env[].name] == [\"EXISTING\",\"AWS_STS_REGIONAL_ENDPOINTS\",\"AWS_DEFAULT_REGION\",\"AWS_REGION\",\"AWS_ROLE_ARN\",\"AWS_WEB_IDENTITY_TOKEN_FILE\"]"
check "stored pod: projected token volume with audience and expiration 3600" \
  jq_true "${TMP}/app.json" '[.spec.volumes[] | select(.name=="aws-iam-token") | .projected.sources[0].serviceAccountToken] == [{"audience":"sts.amazonaws.com","expirationSeconds":3600,"path":"token"}]'
check "stored pod: read-only mount in the container" \
  jq_true "${TMP}/app.json" "[${C}.volumeMounts[] | select(.name==\"aws-iam-token\") | [.readOnly, .mountPath]] == [[true, \"/var/run/secrets/eks.amazonaws.com/serviceaccount\"]]"
check "stored pod: the sidecar init container is mutated and keeps restartPolicy" \
  jq_true "${TMP}/app.json" '.spec.initContainers[0].restartPolicy == "Always" and ([.spec.initContainers[0].env[].name] | index("AWS_ROLE_ARN") != null)'
check "stored pod: startupProbe.grpc survives" \
  jq_true "${TMP}/app.json" "${C}.startupProbe.grpc.port == 9090"
check "stored pod: the kube-api-access volume is still there" \
  jq_true "${TMP}/app.json" '[.spec.volumes[].name | startswith("kube-api-access")] | any'

# --- case: ServiceAccount without a role: created unchanged
create_pod plain-app plain || true
check "pod of a ServiceAccount without a role: no AWS env, no token volume" \
  jq_true "${TMP}/plain-app.json" "([${C}.env[].name] == [\"EXISTING\"]) and ([.spec.volumes[].name] | index(\"aws-iam-token\") == null)"

# --- the webhook saw v1 reviews and answered them all
wh_metrics >"${TMP}/metrics.txt" || true
check "metrics: pods mutated are counted" grep -q '^pod_identity_webhook_pod_count{method="sts_web_identity"} [1-9]' "${TMP}/metrics.txt"

e2e_summary
