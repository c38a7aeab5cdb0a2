#!/usr/bin/env bash
# Build the reference implementation (aws/amazon-eks-pod-identity-webhook) from
# its source tarball, for the side-by-side e2e test (test_side_by_side.py):
#   <repo>/../shared/reference/amazon-eks-pod-identity-webhook-<version>.tar.gz
# with the Go on this machine and its dependencies through the module proxy
# (GOPROXY), as the reference's own Dockerfile builds it (CGO off, -s -w).
#
# Output (outside the repo, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/reference-<version>/webhook
#   …/reference-<version>/self-hosted   its hack/self-hosted keys.json generator, which
#                                       test_oidc.py holds `oidc jwks` to byte for byte
# next to SOURCE (the tarball's name and sha256) and BUILDINFO. The cache is
# keyed on the tarball's name and content: a binary whose SOURCE does not match
# the tarball (same name, new content) is rebuilt. The Go module and build
# caches are shared with build-tools.sh and build-helm.sh (go/mod, go/build),
# and so are the build steps (common.sh: e2e_work_dir, e2e_go_nice, e2e_install_tool).
#
# Why from the tarball and not `go install github.com/aws/...@version`: the
# tarball is a commit after the last tag, and it is the source the test pins.
# Its go.mod has no replace lines, so go.sum is used as published (verified).
#
# Usage: build-reference.sh          build if missing, print the binary's path
#        build-reference.sh --check  exit 0 if the binary is built from this tarball
#        build-reference.sh --path   print the binary's path (built or not)
# Env:   IRSA_TOOLS_CACHE        cache root
#        IRSA_TOOLS_JOBS         go build -p (default 2; the machine has 2 shared cores)
#        IRSA_REFERENCE_TARBALL  another tarball than the one in ../shared/reference
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

TARBALL="$(e2e_reference_tarball)"
NAME="$(basename "${TARBALL}")"
VERSION="${NAME#amazon-eks-pod-identity-webhook-}"
VERSION="${VERSION%.tar.gz}"
[[ "${VERSION}" =~ ^[A-Za-z0-9._+-]+$ ]] || e2e_die "cannot read a version from ${NAME}"
REF_DIR="${IRSA_TOOLS_CACHE}/reference-${VERSION}"
REF_BIN="${REF_DIR}/webhook"
# The cache key, one line: what the binary was built from.
SOURCE_KEY="${NAME} $(sha256sum "${TARBALL}" | cut -d' ' -f1)"

is_current() {
  [[ -x "${REF_BIN}" && -x "${REF_DIR}/self-hosted" && "$(cat "${REF_DIR}/SOURCE" 2>/dev/null)" == "${SOURCE_KEY}" ]]
}

case "${1:-}" in
  --check) is_current; exit ;;
  --path) printf '%s\n' "${REF_BIN}"; exit 0 ;;
  "") ;;
  *) e2e_die "usage: $0 [--check|--path]" ;;
esac

if is_current; then
  e2e_log "reference ${VERSION} already built (cached):"
  printf '%s\n' "${REF_BIN}"
  exit 0
fi

e2e_go_build_env
e2e_build_lock build-reference
if is_current; then printf '%s\n' "${REF_BIN}"; exit 0; fi # the other one built it

e2e_work_dir reference
t0=${SECONDS}
tar -xzf "${TARBALL}" -C "${E2E_WORK}"
src=("${E2E_WORK}"/*/)
if ((${#src[@]} != 1)) || [[ ! -f "${src[0]}/go.mod" ]]; then
  e2e_die "${NAME}: expected one top directory with a go.mod"
fi
cd "${src[0]}"

# The reference's go.mod says which Go it needs; say so plainly rather than
# letting GOTOOLCHAIN=local fail with "go.mod requires go >= …".
need_go="$(awk '$1 == "go" { print $2; exit }' go.mod)"
[[ -n "${need_go}" ]] || e2e_die "${NAME}: go.mod has no go line"
e2e_go_at_least "${need_go}" \
  || e2e_die "Go $(go env GOVERSION) is too old: the reference ${VERSION} needs Go >= ${need_go}"
! grep -Eq '^[[:space:]]*replace([[:space:]]|\()' go.mod \
  || e2e_log "note: ${NAME}'s go.mod has replace lines; they are used as written"

mkdir -p "${E2E_WORK}/out"
e2e_go_nice reference "go build ${VERSION} (GOPROXY=$(go env GOPROXY))" \
  go build -trimpath -ldflags='-s -w' -o "${E2E_WORK}/out/webhook" .
[[ -x "${E2E_WORK}/out/webhook" ]] || e2e_die "reference: go build produced no binary"
e2e_go_nice reference-self-hosted "go build ./hack/self-hosted" \
  go build -trimpath -ldflags='-s -w' -o "${E2E_WORK}/out/self-hosted" ./hack/self-hosted
[[ -x "${E2E_WORK}/out/self-hosted" ]] || e2e_die "reference: go build ./hack/self-hosted produced no binary"
printf '%s\n' "${SOURCE_KEY}" >"${E2E_WORK}/out/SOURCE"
printf 'tarball=%s\ngo=%s\nbuilt=%s\nbuild_seconds=%s\n' "${NAME}" "$(go env GOVERSION)" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - t0))" >"${E2E_WORK}/out/BUILDINFO"

e2e_install_tool "${E2E_WORK}/out" "${REF_DIR}"
e2e_log "reference: built in $((SECONDS - t0))s ($(du -h "${REF_BIN}" | cut -f1))"
printf '%s\n' "${REF_BIN}"
