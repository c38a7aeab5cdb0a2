#!/usr/bin/env bash
# Build the real helm v3 CLI the chart tests (test/chart/) run against:
#   helm  from helm.sh/helm/v3 ${HELM_VERSION}
# straight from its Go module through the module proxy (GOPROXY), version pinned
# in test/e2e/versions.env (newest v3.x.y on the proxy when pinned).
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/helm-<ver>/helm
# The Go module and build caches are shared with build-tools.sh (go/mod, go/build).
#
# Why `go install module/cmd/helm@version` and (normally) no wrapper module:
# helm's go.mod has no replace lines, so the upstream go.mod and go.sum are used
# as published. Should a later release add replace lines, go install refuses; we
# then build through a throwaway wrapper module that requires helm and pins each
# replaced module to the version helm requires (as build-tools.sh does).
#
# Why the ldflags: helm's Makefile stamps the version (`helm version`) and the
# Kubernetes version helm assumes offline (.Capabilities.KubeVersion in
# `helm template`, deprecation checks in `helm lint`). Without them a module
# build reports v3.22 and pretends the cluster is Kubernetes v1.20. We derive
# the Kubernetes minor from the k8s.io/client-go version helm's go.mod requires,
# exactly as the Makefile does (client-go v0.N.x => Kubernetes 1.N).
#
# Usage: build-helm.sh           build if missing, print the path
#        build-helm.sh --check   exit 0 if the binary exists, 1 otherwise
#        build-helm.sh --path    print the binary path (built or not)
# Env:   IRSA_TOOLS_CACHE  cache root
#        IRSA_TOOLS_JOBS   go build -p (default 2; the machine has 2 shared cores)
#        HELM_VERSION      override the pinned version
set -euo pipefail

# An exported version wins over the pinned one (common.sh re-reads versions.env).
_helm_override="${HELM_VERSION:-}"
# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
HELM_VERSION="${_helm_override:-${HELM_VERSION:-}}"
unset _helm_override
[[ -n "${HELM_VERSION}" ]] || e2e_die "HELM_VERSION is not set (test/e2e/versions.env)"

HELM_MODULE="helm.sh/helm/v3"
HELM_PKG="${HELM_MODULE}/cmd/helm"
HELM_DIR="${IRSA_TOOLS_CACHE}/helm-${HELM_VERSION}"
HELM_BIN="${HELM_DIR}/helm"
JOBS="${IRSA_TOOLS_JOBS:-2}"

case "${1:-}" in
  --check) [[ -x "${HELM_BIN}" ]]; exit ;;
  --path) printf '%s\n' "${HELM_BIN}"; exit 0 ;;
  "") ;;
  *) e2e_die "usage: $0 [--check|--path]" ;;
esac

if [[ -x "${HELM_BIN}" ]]; then
  e2e_log "helm ${HELM_VERSION} already built:"
  printf '%s\n' "${HELM_BIN}"
  exit 0
fi

command -v go >/dev/null || e2e_die "go not found in PATH"
[[ "${HELM_VERSION}" =~ ^v3\.[0-9]+\.[0-9]+$ ]] \
  || e2e_die "HELM_VERSION=${HELM_VERSION}: expected a helm v3 release like v3.22.0"

mkdir -p "${IRSA_TOOLS_CACHE}"
export GOMODCACHE="${IRSA_TOOLS_CACHE}/go/mod"
export GOCACHE="${IRSA_TOOLS_CACHE}/go/build"
export CGO_ENABLED=0
export GOWORK=off
# Never fetch another toolchain (a go.mod `toolchain` line must not download one).
export GOTOOLCHAIN=local
export GOFLAGS="-p=${JOBS} -buildvcs=false"

# One builder at a time per cache and tool (CI jobs and developers may race).
exec 9>"${IRSA_TOOLS_CACHE}/.build-helm.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  e2e_log "another build-helm.sh holds the lock; waiting"
  flock 9
fi
if [[ -x "${HELM_BIN}" ]]; then printf '%s\n' "${HELM_BIN}"; exit 0; fi # the other one built it

WORK="$(mktemp -d "${IRSA_TOOLS_CACHE}/.build-helm.XXXXXX")"
trap 'chmod -R u+w "${WORK}" 2>/dev/null; rm -rf "${WORK}"' EXIT
cd "${WORK}"

t0=${SECONDS}
e2e_log "helm: fetching ${HELM_MODULE}@${HELM_VERSION} via GOPROXY=$(go env GOPROXY)"
if ! go mod download -json "${HELM_MODULE}@${HELM_VERSION}" >download.json 2>download.err; then
  cat download.json download.err >&2
  e2e_die "cannot download ${HELM_MODULE}@${HELM_VERSION} (on the proxy? try: go list -m -versions ${HELM_MODULE})"
fi
gomod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' download.json | head -1)"
[[ -f "${gomod}" ]] || e2e_die "go mod download gave no go.mod for ${HELM_MODULE}@${HELM_VERSION}"

# Kubernetes version helm assumes offline, from its k8s.io/client-go requirement.
client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit } $1 == "require" && $2 == "k8s.io/client-go" { print $3; exit }' "${gomod}")"
[[ "${client_go}" =~ ^v0\.([0-9]+)\. ]] || e2e_die "cannot read the k8s.io/client-go version from ${gomod} (got '${client_go}')"
k8s_minor="${BASH_REMATCH[1]}"
ldflags="-s -w -X ${HELM_MODULE}/internal/version.version=${HELM_VERSION}"
ldflags+=" -X ${HELM_MODULE}/internal/version.gitTreeState=clean"
for p in pkg/lint/rules pkg/chartutil; do
  ldflags+=" -X ${HELM_MODULE}/${p}.k8sVersionMajor=1 -X ${HELM_MODULE}/${p}.k8sVersionMinor=${k8s_minor}"
done

mkdir -p "${WORK}/bin"
if grep -Eq '^[[:space:]]*replace([[:space:]]|\()' "${gomod}"; then
  # Throwaway wrapper module: require helm, pin every module its go.mod replaces
  # to the version it requires (go build refuses @version with replace lines).
  e2e_log "helm: ${HELM_MODULE}@${HELM_VERSION} has replace lines; building through a wrapper module"
  {
    printf 'module irsa-webhook.local/e2e-tools/helm\n\ngo %s\n\nrequire %s %s\n\nreplace (\n' \
      "${GO_MIN_VERSION}" "${HELM_MODULE}" "${HELM_VERSION}"
    awk '
      $1 ~ /^\/\// { next }
      $1 == "require" && $2 == "(" { blk = "req"; next }
      $1 == "replace" && $2 == "(" { blk = "rep"; next }
      $1 == ")" { blk = ""; next }
      $1 == "require" { req[$2] = $3; next }
      $1 == "replace" { rep[$2] = 1; next }
      blk == "req" && NF >= 2 { req[$1] = $2; next }
      blk == "rep" && NF >= 3 { rep[$1] = 1; next }
      END { for (m in rep) if (m in req) printf "\t%s => %s %s\n", m, m, req[m] }' "${gomod}" | sort
    printf ')\n'
  } >go.mod
  e2e_log "helm: go build ${HELM_PKG} (nice -n 10, GOFLAGS=${GOFLAGS}); this takes a few minutes"
  if ! nice -n 10 go build -mod=mod -trimpath -ldflags="${ldflags}" -o "${WORK}/bin/helm" "${HELM_PKG}" 2>build.err; then
    cat build.err >&2
    e2e_die "go build ${HELM_PKG} failed (errors above; wrapper go.mod in ${WORK})"
  fi
else
  e2e_log "helm: go install ${HELM_PKG}@${HELM_VERSION} (nice -n 10, GOFLAGS=${GOFLAGS}); this takes a few minutes"
  if ! GOBIN="${WORK}/bin" nice -n 10 go install -trimpath -ldflags="${ldflags}" \
    "${HELM_PKG}@${HELM_VERSION}" 2>build.err; then
    cat build.err >&2
    e2e_die "go install ${HELM_PKG}@${HELM_VERSION} failed (errors above)"
  fi
fi
[[ -x "${WORK}/bin/helm" ]] || e2e_die "the build did not produce helm"
printf 'module=%s@%s\ngo=%s\nkubernetes_assumed=v1.%s\nbuilt=%s\nbuild_seconds=%s\n' "${HELM_MODULE}" "${HELM_VERSION}" \
  "$(go env GOVERSION)" "${k8s_minor}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - t0))" >"${WORK}/bin/BUILDINFO"

rm -rf "${HELM_DIR}"
mv "${WORK}/bin" "${HELM_DIR}"
e2e_log "helm: built in $((SECONDS - t0))s ($(du -h "${HELM_BIN}" | cut -f1))"
"${HELM_BIN}" version --short >&2 || true
printf '%s\n' "${HELM_BIN}"
