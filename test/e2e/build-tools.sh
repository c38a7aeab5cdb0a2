#!/usr/bin/env bash
# Build the real control-plane binaries the e2e tests run against:
#   kube-apiserver, kubectl  from k8s.io/kubernetes  ${KUBERNETES_VERSION}
#   etcd                     from go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
# straight from their Go modules through the module proxy (GOPROXY), versions
# pinned in test/e2e/versions.env.
#
# Output (outside the repo, keyed by version, reused when present):
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/kubernetes-<ver>/{kube-apiserver,kubectl}
#   ${IRSA_TOOLS_CACHE:-~/.cache/irsa-webhook/tools}/etcd-<ver>/etcd
# The Go module and build caches live under the same root (go/mod, go/build),
# so CI can cache that one folder.
#
# Why a wrapper module: k8s.io/kubernetes' go.mod replaces all of its staging
# modules (k8s.io/api, client-go, apiserver, ...) with ./staging/src/... paths,
# so `go install k8s.io/kubernetes/cmd/...@v` refuses to run. We create a
# throwaway module that requires k8s.io/kubernetes and replaces each of those
# staging modules with its published tag v0.<minor>.<patch>. The replace list is
# derived from the upstream go.mod itself, so it follows new staging modules.
# etcd's server/v3 go.mod has the same kind of ../api, ../pkg replaces (there
# the required versions are real tags, so they are pinned to those).
#
# Usage: build-tools.sh            build what is missing, print the paths
#        build-tools.sh --check    exit 0 if all binaries exist, 1 otherwise
#        build-tools.sh --prune    delete the Go caches (go/mod ~0.7 GB, go/build ~3 GB);
#                                  the built binaries stay
# Env:   IRSA_TOOLS_CACHE  cache root
#        IRSA_TOOLS_JOBS   go build -p (default 2; the machine has 2 shared cores)
#        KUBERNETES_VERSION / ETCD_VERSION  override the pinned versions
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

JOBS="${IRSA_TOOLS_JOBS:-2}"

have_k8s()  { [[ -x "${K8S_TOOLS_DIR}/kube-apiserver" && -x "${K8S_TOOLS_DIR}/kubectl" ]]; }
have_etcd() { [[ -x "${ETCD_TOOLS_DIR}/etcd" ]]; }

print_paths() {
  local b
  for b in "${K8S_TOOLS_DIR}/kube-apiserver" "${K8S_TOOLS_DIR}/kubectl" "${ETCD_TOOLS_DIR}/etcd"; do
    printf '%s\t%s\n' "$(du -h "${b}" | cut -f1)" "${b}"
  done
}

if [[ "${1:-}" == "--check" ]]; then
  have_k8s && have_etcd
  exit
fi
if [[ "${1:-}" == "--prune" ]]; then
  if [[ -d "${IRSA_TOOLS_CACHE}/go" ]]; then
    chmod -R u+w "${IRSA_TOOLS_CACHE}/go" # the module cache is read-only
    rm -rf "${IRSA_TOOLS_CACHE}/go"
  fi
  e2e_log "removed ${IRSA_TOOLS_CACHE}/go"
  exit 0
fi
[[ $# -eq 0 ]] || e2e_die "usage: $0 [--check|--prune]"

if have_k8s && have_etcd; then
  e2e_log "tools already built (kubernetes ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION}):"
  print_paths
  exit 0
fi

# ---- preflight --------------------------------------------------------------
command -v go >/dev/null || e2e_die "go not found in PATH (need Go >= ${GO_MIN_VERSION})"
go_version="$(go env GOVERSION)"; go_version="${go_version#go}"
if [[ "$(printf '%s\n%s\n' "${GO_MIN_VERSION}" "${go_version}" | sort -V | head -1)" != "${GO_MIN_VERSION}" ]]; then
  e2e_die "Go ${go_version} is too old: kubernetes ${KUBERNETES_VERSION} / etcd ${ETCD_VERSION} need Go >= ${GO_MIN_VERSION}"
fi
[[ "${KUBERNETES_VERSION}" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] \
  || e2e_die "KUBERNETES_VERSION=${KUBERNETES_VERSION}: expected a release like v1.37.2"
K8S_MINOR="${BASH_REMATCH[1]}"
STAGING_VERSION="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

mkdir -p "${IRSA_TOOLS_CACHE}"
export GOMODCACHE="${IRSA_TOOLS_CACHE}/go/mod"
export GOCACHE="${IRSA_TOOLS_CACHE}/go/build"
export CGO_ENABLED=0
export GOWORK=off
# Never fetch another toolchain: a go.mod `toolchain` line must not trigger a
# download; an old local Go fails the preflight above with a clear message.
export GOTOOLCHAIN=local
# -p: at most ${JOBS} packages at once; the machine's 2 cores are shared.
export GOFLAGS="-p=${JOBS} -buildvcs=false"

# One builder at a time per cache (CI jobs and developers may race).
exec 9>"${IRSA_TOOLS_CACHE}/.build.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  e2e_log "another build-tools.sh holds ${IRSA_TOOLS_CACHE}/.build.lock; waiting"
  flock 9
fi

WORK=""
cleanup() { [[ -n "${WORK}" && -d "${WORK}" ]] && chmod -R u+w "${WORK}" 2>/dev/null; [[ -n "${WORK}" ]] && rm -rf "${WORK}"; return 0; }
trap cleanup EXIT

# local_replaces GOMOD ZERO_VERSION
# Prints "module version" for each module the upstream go.mod both requires and
# replaces with a local directory (./staging/..., ../api). A requirement on the
# placeholder v0.0.0 maps to ZERO_VERSION (the matching staging tag).
local_replaces() {
  awk -v zero="$2" '
    function rep(m, rhs) { if (rhs ~ /^\.\.?\//) local_[m] = 1 }
    $1 ~ /^\/\// { next }
    $1 == "require" && $2 == "(" { blk = "req"; next }
    $1 == "replace" && $2 == "(" { blk = "rep"; next }
    $1 == ")" { blk = ""; next }
    $1 == "require" { req[$2] = $3; next }
    $1 == "replace" { for (i = 2; i < NF; i++) if ($i == "=>") rep($2, $(i + 1)); next }
    blk == "req" && NF >= 2 { req[$1] = $2; next }
    blk == "rep" { for (i = 1; i < NF; i++) if ($i == "=>") rep($1, $(i + 1)); next }
    END {
      for (m in local_) if (m in req) {
        v = req[m]
        if (v == "v0.0.0") {
          if (zero == "") { print "cannot pin " m " (required at v0.0.0)" > "/dev/stderr"; exit 1 }
          v = zero
        }
        print m, v
      }
    }' "$1" | sort
}

# json_field FILE FIELD: value of a top-level string field in go's -json output.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$1" | head -1; }

# build_from_module NAME MODULE VERSION ZERO_VERSION DEST LDFLAGS BIN=PKG...
build_from_module() {
  local name="$1" mod="$2" ver="$3" zero="$4" dest="$5" ldflags="$6"; shift 6
  local t0=${SECONDS} t1 gomod out pkg bin
  WORK="$(mktemp -d "${IRSA_TOOLS_CACHE}/.build-${name}.XXXXXX")"
  cd "${WORK}"

  e2e_log "${name}: fetching ${mod}@${ver} via GOPROXY=$(go env GOPROXY)"
  if ! go mod download -json "${mod}@${ver}" >download.json 2>download.err; then
    cat download.json download.err >&2
    e2e_die "${name}: cannot download ${mod}@${ver} (is the version on the proxy? try: go list -m -versions ${mod})"
  fi
  gomod="$(json_field download.json GoMod)"
  [[ -f "${gomod}" ]] || e2e_die "${name}: go mod download gave no go.mod for ${mod}@${ver}"

  {
    printf 'module irsa-webhook.local/e2e-tools/%s\n\ngo %s\n\nrequire %s %s\n\n' \
      "${name}" "${GO_MIN_VERSION}" "${mod}" "${ver}"
    printf '// Pins for the modules that %s@%s replaces with local directories.\nreplace (\n' "${mod}" "${ver}"
    local_replaces "${gomod}" "${zero}" | while read -r m v; do printf '\t%s => %s %s\n' "${m}" "${m}" "${v}"; done
    printf ')\n'
  } >go.mod
  e2e_log "${name}: wrapper module with $(grep -c '=>' go.mod) replace lines (${WORK}/go.mod)"

  t1=${SECONDS}
  out="${WORK}/out"
  mkdir -p "${out}"
  local spec
  for spec in "$@"; do          # spec = binary-name=package
    bin="${spec%%=*}"; pkg="${spec#*=}"
    e2e_log "${name}: go build ${pkg} -> ${bin} (nice -n 10, GOFLAGS=${GOFLAGS}); this takes a while"
    # -mod=mod: let the go command fill in go.sum (verified against GOSUMDB).
    if ! nice -n 10 go build -mod=mod -trimpath -ldflags="${ldflags}" -o "${out}/${bin}" "${pkg}" 2>build.err; then
      cat build.err >&2
      cp build.err go.mod "${IRSA_TOOLS_CACHE}/" 2>/dev/null || true
      e2e_die "${name}: go build ${pkg} failed (errors above; copies in ${IRSA_TOOLS_CACHE}/build.err and go.mod)"
    fi
    [[ -x "${out}/${bin}" ]] || e2e_die "${name}: go build did not produce ${out}/${bin}"
    e2e_log "${name}: ${bin} built ($(du -h "${out}/${bin}" | cut -f1), $((SECONDS - t1))s since start of compile)"
  done
  {
    printf 'module=%s@%s\ngo=%s\nbuilt=%s\nbuild_seconds=%s\n' "${mod}" "${ver}" "$(go env GOVERSION)" \
      "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - t1))"
    printf '\n# wrapper go.mod\n'; cat go.mod
  } >"${out}/BUILDINFO"

  cd /
  rm -rf "${dest}"
  mkdir -p "$(dirname "${dest}")"
  mv "${out}" "${dest}"
  cleanup; WORK=""
  e2e_log "${name}: done in $((SECONDS - t0))s (download+resolve $((t1 - t0))s, compile+link $((SECONDS - t1))s)"
}

T_START=${SECONDS}

if ! have_etcd; then
  build_from_module "etcd-${ETCD_VERSION}" go.etcd.io/etcd/server/v3 "${ETCD_VERSION}" "" \
    "${ETCD_TOOLS_DIR}" "-s -w" etcd=go.etcd.io/etcd/server/v3
fi

if ! have_k8s; then
  # Version stamping, as hack/lib/version.sh does, so `kubectl version` and the
  # apiserver's /version report the real release instead of v0.0.0-master.
  # buildDate is the release time from the proxy, which keeps builds reproducible.
  info_time="$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' | xargs -r sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' || true)"
  info_time="${info_time:-1970-01-01T00:00:00Z}"
  ldx=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldx+=" -X ${p}.gitVersion=${KUBERNETES_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${K8S_MINOR}"
    ldx+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${info_time}"
  done
  build_from_module "kubernetes-${KUBERNETES_VERSION}" k8s.io/kubernetes "${KUBERNETES_VERSION}" "${STAGING_VERSION}" \
    "${K8S_TOOLS_DIR}" "-s -w${ldx}" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl
fi

if ! have_k8s || ! have_etcd; then e2e_die "build finished but binaries are missing"; fi
# sed reads all of the output: with `head -1` the tool could die of SIGPIPE, and
# under pipefail a good build then ended with exit 141 (seen on a cold cache).
"${ETCD_TOOLS_DIR}/etcd" --version | sed -n 1p >&2
"${K8S_TOOLS_DIR}/kubectl" version --client 2>/dev/null | sed -n 1p >&2 || true
e2e_log "all tools ready in $((SECONDS - T_START))s:"
print_paths
