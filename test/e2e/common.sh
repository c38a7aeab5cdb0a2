# shellcheck shell=bash
# Shared helpers for the e2e scripts. Sourced, never executed.
#
# Provides: E2E_DIR, the pinned versions (versions.env), the tool cache layout
# and the binary paths:
#   IRSA_TOOLS_CACHE   root of the cache (default ~/.cache/irsa-webhook/tools)
#   KUBE_APISERVER_BIN kube-apiserver  (override to use another binary)
#   KUBECTL_BIN        kubectl
#   ETCD_BIN           etcd

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Versions: the pins of versions.env, except that an already exported one
# (KUBERNETES_VERSION, HELM_VERSION, ...) wins: handy to try a newer release
# without editing the file. The file is plain KEY=value lines, read as data.
while IFS='=' read -r _e2e_key _e2e_value; do
  [[ "${_e2e_key}" =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
  [[ -n "${!_e2e_key:-}" ]] || printf -v "${_e2e_key}" '%s' "${_e2e_value}"
done <"${E2E_DIR}/versions.env"
unset _e2e_key _e2e_value

IRSA_TOOLS_CACHE="${IRSA_TOOLS_CACHE:-${HOME}/.cache/irsa-webhook/tools}"
K8S_TOOLS_DIR="${IRSA_TOOLS_CACHE}/kubernetes-${KUBERNETES_VERSION}"
ETCD_TOOLS_DIR="${IRSA_TOOLS_CACHE}/etcd-${ETCD_VERSION}"
KUBE_APISERVER_BIN="${KUBE_APISERVER_BIN:-${K8S_TOOLS_DIR}/kube-apiserver}"
KUBECTL_BIN="${KUBECTL_BIN:-${K8S_TOOLS_DIR}/kubectl}"
ETCD_BIN="${ETCD_BIN:-${ETCD_TOOLS_DIR}/etcd}"

e2e_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# e2e_require_tools: fail with a helpful message when a binary is missing.
e2e_require_tools() {
  local b
  for b in "${KUBE_APISERVER_BIN}" "${KUBECTL_BIN}" "${ETCD_BIN}"; do
    [[ -x "${b}" ]] || e2e_die "missing ${b}: run test/e2e/build-tools.sh first (or set KUBE_APISERVER_BIN/KUBECTL_BIN/ETCD_BIN)"
  done
  command -v openssl >/dev/null || e2e_die "openssl not found (apt-get install openssl)"
}

# e2e_go_build_env: the environment every Go build of the e2e tools
# shares, so they all fill the one module and build cache CI keeps
# (${IRSA_TOOLS_CACHE}/go/{mod,build}). GOTOOLCHAIN=local: a go.mod
# `toolchain` line must never download another Go; a too-old local Go fails
# with a clear message instead. -p: the machine's cores are shared.
e2e_go_build_env() {
  command -v go >/dev/null || e2e_die "go not found in PATH (need Go >= ${GO_MIN_VERSION})"
  mkdir -p "${IRSA_TOOLS_CACHE}"
  export GOMODCACHE="${IRSA_TOOLS_CACHE}/go/mod"
  export GOCACHE="${IRSA_TOOLS_CACHE}/go/build"
  export CGO_ENABLED=0
  export GOWORK=off
  export GOTOOLCHAIN=local
  export GOFLAGS="-p=${IRSA_TOOLS_JOBS:-2} -buildvcs=false"
}

# ---- the one Go-tool build ----------------------------------------------------
# Every pinned Go tool (kube-apiserver, kubectl, etcd, helm, helm-unittest, the
# IMDS mock, the reference) is built the same way: low priority (`nice`: the
# machine is shared), in a throwaway directory under the cache, errors shown only
# on failure, and moved into its versioned cache directory only once complete,
# so an interrupted build never leaves a half tool that looks cached.
# e2e_go_build_module does all of it for a tool published as a Go module; the
# reference (a source tarball) uses the same steps below it.

E2E_WORK=""
_e2e_work_cleanup() {
  [[ -n "${E2E_WORK}" && -d "${E2E_WORK}" ]] || return 0
  chmod -R u+w "${E2E_WORK}" 2>/dev/null # the module cache's copies are read-only
  rm -rf "${E2E_WORK}"
}

# e2e_work_dir NAME: a fresh ${IRSA_TOOLS_CACHE}/.build-NAME.XXXXXX in E2E_WORK
# (on the cache's file system, so the final mv is a rename), removed at exit.
e2e_work_dir() {
  _e2e_work_cleanup
  E2E_WORK="$(mktemp -d "${IRSA_TOOLS_CACHE}/.build-$1.XXXXXX")"
  trap _e2e_work_cleanup EXIT
}

# e2e_go_nice NAME WHAT CMD...: run one go build/install step at nice 10; on
# failure show its errors, keep a copy in ${IRSA_TOOLS_CACHE}/NAME.build.err, die.
e2e_go_nice() {
  local name="$1" what="$2"; shift 2
  e2e_log "${name}: ${what} (nice -n 10, GOFLAGS=${GOFLAGS}); this takes a while"
  if ! nice -n 10 "$@" 2>"${E2E_WORK}/build.err"; then
    cat "${E2E_WORK}/build.err" >&2
    cp "${E2E_WORK}/build.err" "${IRSA_TOOLS_CACHE}/${name}.build.err" 2>/dev/null || true
    e2e_die "${name}: ${what} failed (errors above; a copy in ${IRSA_TOOLS_CACHE}/${name}.build.err)"
  fi
}

# e2e_install_tool OUT DEST: OUT (the finished binaries + BUILDINFO)
# becomes DEST, replacing an older one.
e2e_install_tool() {
  cd /
  rm -rf "$2"
  mkdir -p "$(dirname "$2")"
  mv "$1" "$2"
}

# e2e_go_mod_download MODULE VERSION: fetch MODULE@VERSION into the module cache
# (through GOPROXY; call e2e_go_build_env first) and print the path of its go.mod.
e2e_go_mod_download() {
  local json gomod
  if ! json="$(cd / && go mod download -json "$1@$2" 2>&1)"; then
    printf '%s\n' "${json}" >&2
    e2e_die "cannot download $1@$2 (is the version on the proxy? try: go list -m -versions $1)"
  fi
  gomod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"${json}")"
  [[ -f "${gomod}" ]] || e2e_die "go mod download gave no go.mod for $1@$2"
  printf '%s\n' "${gomod}"
}

# e2e_wrapper_replaces GOMOD ZERO_VERSION: the replace block a wrapper module
# needs to build GOMOD's module, one "old => new" line each. `go install
# module@version` refuses a module whose go.mod has replace lines, so such a tool
# is built from a throwaway module that requires it and restates them:
# - a replacement by a local directory (k8s.io/kubernetes' ./staging/..., etcd's
#   ../api) is not in the published module: pin the module to the version GOMOD
#   requires; a requirement on the placeholder v0.0.0 means ZERO_VERSION (the
#   matching staging tag), and without one the build cannot be pinned;
# - a replacement by another module (helm-unittest's yaml-jsonpath fork) is
#   copied as written: the tool was released and tested with it.
e2e_wrapper_replaces() {
  awk -v zero="$2" '
    # rep(first): a replace spec starting at field `first` ("old [v] => new [v]").
    function rep(first,   i, lhs, rhs) {
      for (i = first; i < NF; i++) if ($i == "=>") break
      if ($i != "=>") return
      lhs = $first; if (i == first + 2) lhs = lhs " " $(first + 1)
      rhs = $(i + 1); if (i + 2 <= NF) rhs = rhs " " $(i + 2)
      if ($(i + 1) ~ /^\.\.?\//) { if (i == first + 1) local_[$first] = 1 }
      else keep[lhs] = rhs
    }
    { sub(/\/\/.*/, "") }
    NF == 0 { next }
    $1 == "require" && $2 == "(" { blk = "req"; next }
    $1 == "replace" && $2 == "(" { blk = "rep"; next }
    $1 == ")" { blk = ""; next }
    $1 == "require" { req[$2] = $3; next }
    $1 == "replace" { rep(2); next }
    blk == "req" && NF >= 2 { req[$1] = $2; next }
    blk == "rep" { rep(1); next }
    END {
      for (m in local_) if (m in req) {
        v = req[m]
        if (v == "v0.0.0") {
          if (zero == "") { print "cannot pin " m " (required at v0.0.0)" > "/dev/stderr"; exit 1 }
          v = zero
        }
        print m " => " m " " v
      }
      for (m in keep) print m " => " keep[m]
    }' "$1" | sort
}

# e2e_go_build_module [--name N] [--ldflags F] [--zero V] [--lock L] [--info K=V]...
#                     MODULE VERSION DEST BIN=PACKAGE...
# Builds each PACKAGE of MODULE@VERSION (through GOPROXY) into DEST/BIN, with
# DEST/BUILDINFO, as one step: DEST appears complete or not at all.
# - No replace lines in the module's go.mod: `go install PACKAGE@VERSION`, so
#   its go.mod and go.sum are used exactly as published.
# - Replace lines: a wrapper module (e2e_wrapper_replaces), `go build -mod=mod`
#   (the go command fills go.sum, verified against GOSUMDB).
# --name: log prefix and work-directory name (default: DEST's basename);
# --ldflags: go -ldflags (default "-s -w"); --zero: see e2e_wrapper_replaces;
# --lock: lock name, one builder per cache and tool (default build-NAME);
# --info: an extra BUILDINFO line. Returns early when another process built
# every BIN while this one waited for the lock.
e2e_go_build_module() {
  local name="" ldflags="-s -w" zero="" lock="" info=()
  while [[ "${1:-}" == --* ]]; do
    case "$1" in
      --name) name="$2" ;;
      --ldflags) ldflags="$2" ;;
      --zero) zero="$2" ;;
      --lock) lock="$2" ;;
      --info) info+=("$2") ;;
      *) e2e_die "e2e_go_build_module: unknown option $1" ;;
    esac
    shift 2
  done
  local mod="$1" ver="$2" dest="$3"; shift 3
  name="${name:-$(basename "${dest}")}"
  local spec built=1
  e2e_go_build_env
  e2e_build_lock "${lock:-build-${name}}"
  for spec in "$@"; do [[ -x "${dest}/${spec%%=*}" ]] || built=0; done
  if ((built)); then e2e_log "${name}: built by another process meanwhile"; return 0; fi

  local t0=${SECONDS} t1 gomod wrapper=0 bin pkg
  e2e_work_dir "${name}"
  e2e_log "${name}: fetching ${mod}@${ver} via GOPROXY=$(go env GOPROXY)"
  gomod="$(e2e_go_mod_download "${mod}" "${ver}")"
  if grep -Eq '^[[:space:]]*replace([[:space:]]|\()' "${gomod}"; then
    wrapper=1
    {
      printf 'module irsa-webhook.local/e2e-tools/%s\n\ngo %s\n\nrequire %s %s\n\n' \
        "${name}" "${GO_MIN_VERSION}" "${mod}" "${ver}"
      printf '// The replace lines of %s@%s, restated (e2e_wrapper_replaces).\nreplace (\n' "${mod}" "${ver}"
      e2e_wrapper_replaces "${gomod}" "${zero}" | sed 's/^/\t/' || e2e_die "${name}: cannot pin the replaced modules"
      printf ')\n'
    } >"${E2E_WORK}/go.mod"
    e2e_log "${name}: wrapper module with $(grep -c '=>' "${E2E_WORK}/go.mod") replace lines (${E2E_WORK}/go.mod)"
  fi

  t1=${SECONDS}
  mkdir -p "${E2E_WORK}/out"
  cd "${E2E_WORK}" || e2e_die "${name}: cannot enter ${E2E_WORK}"
  for spec in "$@"; do
    bin="${spec%%=*}"; pkg="${spec#*=}"
    if ((wrapper)); then
      e2e_go_nice "${name}" "go build ${pkg} -> ${bin}" \
        go build -mod=mod -trimpath -ldflags="${ldflags}" -o "${E2E_WORK}/out/${bin}" "${pkg}"
    else
      # go install names the binary after the package: install alone, then rename.
      mkdir -p "${E2E_WORK}/gobin"
      e2e_go_nice "${name}" "go install ${pkg}@${ver} -> ${bin}" \
        env GOBIN="${E2E_WORK}/gobin" go install -trimpath -ldflags="${ldflags}" "${pkg}@${ver}"
      mv "${E2E_WORK}"/gobin/* "${E2E_WORK}/out/${bin}" 2>/dev/null || true
      rm -rf "${E2E_WORK}/gobin"
    fi
    [[ -x "${E2E_WORK}/out/${bin}" ]] || e2e_die "${name}: the build did not produce ${bin}"
    e2e_log "${name}: ${bin} built ($(du -h "${E2E_WORK}/out/${bin}" | cut -f1), $((SECONDS - t1))s since start of compile)"
  done
  {
    printf 'module=%s@%s\ngo=%s\n' "${mod}" "${ver}" "$(go env GOVERSION)"
    ((${#info[@]} == 0)) || printf '%s\n' "${info[@]}"
    printf 'built=%s\nbuild_seconds=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - t1))"
    if ((wrapper)); then printf '\n# wrapper go.mod\n'; cat "${E2E_WORK}/go.mod"; fi
  } >"${E2E_WORK}/out/BUILDINFO"

  e2e_install_tool "${E2E_WORK}/out" "${dest}"
  _e2e_work_cleanup; E2E_WORK=""
  e2e_log "${name}: done in $((SECONDS - t0))s (download+resolve $((t1 - t0))s, compile+link $((SECONDS - t1))s)"
}

# e2e_go_at_least VERSION: the local Go is VERSION (like 1.26.5) or newer.
# e2e_tool_cli BIN LABEL ARG: the command line every build-<tool>.sh shares.
# `--check` exits 0 when BIN exists (1 otherwise), `--path` prints BIN, and with
# no argument an existing BIN is printed and the script exits: it is cached.
# Only a missing binary returns, for the caller to build it.
e2e_tool_cli() {
  local bin="$1" label="$2" arg="${3:-}"
  case "${arg}" in
    --check) [[ -x "${bin}" ]]; exit ;;
    --path) printf '%s\n' "${bin}"; exit 0 ;;
    "") ;;
    *) e2e_die "usage: $0 [--check|--path]" ;;
  esac
  if [[ -x "${bin}" ]]; then
    e2e_log "${label} already built (cached):"
    printf '%s\n' "${bin}"
    exit 0
  fi
}

e2e_go_at_least() {
  local have
  have="$(go env GOVERSION)"; have="${have#go}"
  [[ "$(printf '%s\n%s\n' "$1" "${have}" | sort -V | head -1)" == "$1" ]]
}

# e2e_build_lock NAME: hold ${IRSA_TOOLS_CACHE}/.NAME.lock on fd 9 until the
# script exits (one builder per cache and tool: CI jobs and developers race).
e2e_build_lock() {
  exec 9>"${IRSA_TOOLS_CACHE}/.$1.lock"
  if command -v flock >/dev/null && ! flock -n 9; then
    e2e_log "another build holds ${IRSA_TOOLS_CACHE}/.$1.lock; waiting"
    flock 9
  fi
}

# e2e_reference_tarball: the path of the reference's source tarball
# (aws/amazon-eks-pod-identity-webhook), IRSA_REFERENCE_TARBALL or the one
# tarball in <repo>/../shared/reference/ (CI's clone has shared/ beside it).
e2e_reference_tarball() {
  if [[ -n "${IRSA_REFERENCE_TARBALL:-}" ]]; then
    [[ -f "${IRSA_REFERENCE_TARBALL}" ]] || e2e_die "IRSA_REFERENCE_TARBALL=${IRSA_REFERENCE_TARBALL}: no such file"
    printf '%s\n' "${IRSA_REFERENCE_TARBALL}"
    return
  fi
  local dir found=()
  dir="$(cd "${E2E_DIR}/../.." && pwd)/../shared/reference"
  shopt -s nullglob
  found=("${dir}"/amazon-eks-pod-identity-webhook-*.tar.gz)
  shopt -u nullglob
  ((${#found[@]} == 1)) || e2e_die "expected exactly one amazon-eks-pod-identity-webhook-*.tar.gz in ${dir}, found ${#found[@]} (or set IRSA_REFERENCE_TARBALL)"
  (cd "$(dirname "${found[0]}")" && printf '%s/%s\n' "$(pwd)" "$(basename "${found[0]}")")
}
