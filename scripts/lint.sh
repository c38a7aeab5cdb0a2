#!/usr/bin/env bash
# The linters CI runs before the build (scripts/test.sh), over every tracked file
# of their language; each must pass on its own, so one failure still shows the
# others' findings:
#   - clang-format --dry-run --Werror the C++ (*.cpp, *.hpp) against .clang-format
#   - shellcheck                      the shell scripts (*.sh, .ci/run; .shellcheckrc)
#   - ruff check                      the Python (ruff.toml)
#   - JSON writers                    no RapidJSON writer over a plain StringBuffer
#                                     (util/JsonWriter.hpp says why)
# The tools come from scripts/setup.sh (Debian clang-format and shellcheck, ruff
# pinned from PyPI). clang-tidy needs a build's compile commands, so it runs
# after the build instead (scripts/tidy.sh).
#
# Usage: scripts/lint.sh     prints each linter's findings, then "lint: N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
# lint NAME CMD...: one linter over its files.
lint() {
  local name="$1"; shift
  echo "== lint: ${name}"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: ${name}"; fi
}
need() { command -v "$1" >/dev/null || { echo "lint: $1 not found: run scripts/setup.sh" >&2; exit 2; }; }
need clang-format
need shellcheck
python3 -m ruff --version >/dev/null 2>&1 || { echo "lint: ruff not found: run scripts/setup.sh" >&2; exit 2; }

mapfile -t cpp < <(git ls-files '*.cpp' '*.hpp')
mapfile -t py < <(git ls-files '*.py')
mapfile -t shell < <(git ls-files '*.sh' .ci/run)

lint "clang-format (${#cpp[@]} files)" clang-format --dry-run --Werror "${cpp[@]}"
lint "shellcheck (${#shell[@]} files)" shellcheck "${shell[@]}"
lint "ruff (${#py[@]} files)" python3 -m ruff check --no-cache "${py[@]}"

# RapidJSON 1.1.0's SSE2 Writer<StringBuffer> leaves 0x1A-0x1F unescaped:
# write JSON through util::JsonWriter / JsonPrettyWriter (a JsonBuffer).
json_writers() {
  local found
  found=$(git grep -nE 'Writer<(rapidjson::)?StringBuffer' -- '*.cpp' '*.hpp' \
    ':!util/JsonWriter.hpp' ':!test/unit/UtilJsonWriterTest.cpp' || true)
  [[ -z ${found} ]] || { echo "${found}"; echo "write JSON with util::JsonWriter (util/JsonWriter.hpp)"; return 1; }
}
lint "JSON writers" json_writers

printf 'lint: %d passed, %d failed\n' "${passed}" "${failed}"
[[ ${failed} -eq 0 ]]
