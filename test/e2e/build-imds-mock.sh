#!/usr/bin/env bash
# Build the real EC2 instance-metadata mock the imds.sh test runs against:
#   ec2-metadata-mock  from github.com/aws/amazon-ec2-metadata-mock ${EC2_METADATA_MOCK_VERSION}
# straight from its Go module through the module proxy (GOPROXY), version pinned
# in test/e2e/versions.env.
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/ec2-metadata-mock-<ver>/ec2-metadata-mock
# The Go module and build caches are shared with build-tools.sh (go/mod, go/build).
#
# Why `go install module/cmd/...@version` and no wrapper module: the mock's
# go.mod has no replace lines, so the upstream go.mod and go.sum are used as
# published (the exact dependency versions its release was tested with). Should
# a later release add replace lines, go install refuses; we check first and say so.
#
# Usage: build-imds-mock.sh           build if missing, print the path
#        build-imds-mock.sh --check   exit 0 if the binary exists, 1 otherwise
#        build-imds-mock.sh --path    print the binary path (built or not)
# Env:   IRSA_TOOLS_CACHE           cache root
#        IRSA_TOOLS_JOBS            go build -p (default 2; the machine has 2 shared cores)
#        EC2_METADATA_MOCK_VERSION  override the pinned version
set -euo pipefail

# An exported version wins over the pinned one (common.sh re-reads versions.env).
_imds_override="${EC2_METADATA_MOCK_VERSION:-}"
# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
EC2_METADATA_MOCK_VERSION="${_imds_override:-${EC2_METADATA_MOCK_VERSION:-}}"
unset _imds_override
[[ -n "${EC2_METADATA_MOCK_VERSION}" ]] || e2e_die "EC2_METADATA_MOCK_VERSION is not set (test/e2e/versions.env)"

MOCK_MODULE="github.com/aws/amazon-ec2-metadata-mock"
MOCK_PKG="${MOCK_MODULE}/cmd/ec2-metadata-mock"
MOCK_DIR="${IRSA_TOOLS_CACHE}/ec2-metadata-mock-${EC2_METADATA_MOCK_VERSION}"
MOCK_BIN="${MOCK_DIR}/ec2-metadata-mock"
JOBS="${IRSA_TOOLS_JOBS:-2}"

case "${1:-}" in
  --check) [[ -x "${MOCK_BIN}" ]]; exit ;;
  --path) printf '%s\n' "${MOCK_BIN}"; exit 0 ;;
  "") ;;
  *) e2e_die "usage: $0 [--check|--path]" ;;
esac

if [[ -x "${MOCK_BIN}" ]]; then
  e2e_log "ec2-metadata-mock ${EC2_METADATA_MOCK_VERSION} already built:"
  printf '%s\n' "${MOCK_BIN}"
  exit 0
fi

command -v go >/dev/null || e2e_die "go not found in PATH"
[[ "${EC2_METADATA_MOCK_VERSION}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || e2e_die "EC2_METADATA_MOCK_VERSION=${EC2_METADATA_MOCK_VERSION}: expected a release like v1.13.0"

mkdir -p "${IRSA_TOOLS_CACHE}"
export GOMODCACHE="${IRSA_TOOLS_CACHE}/go/mod"
export GOCACHE="${IRSA_TOOLS_CACHE}/go/build"
export CGO_ENABLED=0
export GOWORK=off
# Never fetch another toolchain (a go.mod `toolchain` line must not download one).
export GOTOOLCHAIN=local
export GOFLAGS="-p=${JOBS} -buildvcs=false"

# One builder at a time per cache and tool (CI jobs and developers may race).
exec 9>"${IRSA_TOOLS_CACHE}/.build-imds-mock.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  e2e_log "another build-imds-mock.sh holds the lock; waiting"
  flock 9
fi
if [[ -x "${MOCK_BIN}" ]]; then printf '%s\n' "${MOCK_BIN}"; exit 0; fi # the other one built it

WORK="$(mktemp -d "${IRSA_TOOLS_CACHE}/.build-imds-mock.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT
cd "${WORK}"

t0=${SECONDS}
e2e_log "ec2-metadata-mock: fetching ${MOCK_MODULE}@${EC2_METADATA_MOCK_VERSION} via GOPROXY=$(go env GOPROXY)"
if ! go mod download -json "${MOCK_MODULE}@${EC2_METADATA_MOCK_VERSION}" >download.json 2>download.err; then
  cat download.json download.err >&2
  e2e_die "cannot download ${MOCK_MODULE}@${EC2_METADATA_MOCK_VERSION} (on the proxy? try: go list -m -versions ${MOCK_MODULE})"
fi
gomod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' download.json | head -1)"
[[ -f "${gomod}" ]] || e2e_die "go mod download gave no go.mod for ${MOCK_MODULE}@${EC2_METADATA_MOCK_VERSION}"
if grep -Eq '^[[:space:]]*replace([[:space:]]|\()' "${gomod}"; then
  e2e_die "${MOCK_MODULE}@${EC2_METADATA_MOCK_VERSION} has replace lines in go.mod; go install @version refuses it: build it through a wrapper module as build-tools.sh does"
fi

e2e_log "ec2-metadata-mock: go install ${MOCK_PKG} (nice -n 10, GOFLAGS=${GOFLAGS})"
mkdir -p "${WORK}/bin"
if ! GOBIN="${WORK}/bin" nice -n 10 go install -trimpath -ldflags="-s -w" \
  "${MOCK_PKG}@${EC2_METADATA_MOCK_VERSION}" 2>build.err; then
  cat build.err >&2
  e2e_die "go install ${MOCK_PKG}@${EC2_METADATA_MOCK_VERSION} failed (errors above)"
fi
[[ -x "${WORK}/bin/ec2-metadata-mock" ]] || e2e_die "go install did not produce ec2-metadata-mock"
printf 'module=%s@%s\ngo=%s\nbuilt=%s\nbuild_seconds=%s\n' "${MOCK_MODULE}" "${EC2_METADATA_MOCK_VERSION}" \
  "$(go env GOVERSION)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - t0))" >"${WORK}/bin/BUILDINFO"

rm -rf "${MOCK_DIR}"
mv "${WORK}/bin" "${MOCK_DIR}"
e2e_log "ec2-metadata-mock: built in $((SECONDS - t0))s ($(du -h "${MOCK_BIN}" | cut -f1))"
printf '%s\n' "${MOCK_BIN}"
