#!/usr/bin/env bash
# Build the real EC2 instance-metadata mock the test_imds.py test runs against:
#   ec2-metadata-mock  from github.com/aws/amazon-ec2-metadata-mock ${EC2_METADATA_MOCK_VERSION}
# straight from its Go module through the module proxy (GOPROXY), version pinned
# in test/e2e/versions.env.
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/ec2-metadata-mock-<ver>/ec2-metadata-mock
# The Go module and build caches are shared with build-tools.sh (go/mod, go/build).
#
# Built by e2e_go_build_module (common.sh): the mock's go.mod has no replace
# lines, so that is `go install module/cmd/...@version` with the upstream go.mod
# and go.sum as published (the exact dependency versions its release was tested
# with); should a later release add replace lines, it builds through a wrapper
# module instead.
#
# Usage: build-imds-mock.sh           build if missing, print the path
#        build-imds-mock.sh --check   exit 0 if the binary exists, 1 otherwise
#        build-imds-mock.sh --path    print the binary path (built or not)
# Env:   IRSA_TOOLS_CACHE           cache root
#        IRSA_TOOLS_JOBS            go build -p (default 2; the machine has 2 shared cores)
#        EC2_METADATA_MOCK_VERSION  override the pinned version
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
[[ -n "${EC2_METADATA_MOCK_VERSION}" ]] || e2e_die "EC2_METADATA_MOCK_VERSION is not set (test/e2e/versions.env)"

MOCK_MODULE="github.com/aws/amazon-ec2-metadata-mock"
MOCK_PKG="${MOCK_MODULE}/cmd/ec2-metadata-mock"
MOCK_DIR="${IRSA_TOOLS_CACHE}/ec2-metadata-mock-${EC2_METADATA_MOCK_VERSION}"
MOCK_BIN="${MOCK_DIR}/ec2-metadata-mock"

e2e_tool_cli "${MOCK_BIN}" "ec2-metadata-mock ${EC2_METADATA_MOCK_VERSION}" "${1:-}"

[[ "${EC2_METADATA_MOCK_VERSION}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || e2e_die "EC2_METADATA_MOCK_VERSION=${EC2_METADATA_MOCK_VERSION}: expected a release like v1.13.0"

e2e_go_build_module --name ec2-metadata-mock --lock build-imds-mock \
  "${MOCK_MODULE}" "${EC2_METADATA_MOCK_VERSION}" "${MOCK_DIR}" "ec2-metadata-mock=${MOCK_PKG}"
printf '%s\n' "${MOCK_BIN}"
