#!/usr/bin/env bash
# Scenario 3: the ServiceAccount cache at scale.
#
# For 10k, 50k and 100k ServiceAccounts (about half with a role) listed from a
# real kube-apiserver (the e2e control plane): `serve --kubeconfig` from start
# to /readyz (its first full paginated LIST), the CPU it spent, and its memory
# after the sync (VmRSS / VmHWM). The cluster is filled once per size and
# `serve` measured BENCH_REPEAT times against it (test/e2e/scale.sh).
#
# Writes BENCH_OUT/raw/3-scale-<N>.json.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bash "${REPO_DIR}/test/e2e/build-tools.sh" >&2 || bench_die "building the control-plane tools failed"
sizes="${BENCH_SCALE_SIZES:-$(bench_window "10000 50000 100000" "2000")}"
for n in ${sizes}; do
  bench_log "3-cache-scale: ${n} ServiceAccounts, ${BENCH_REPEAT} runs"
  IRSA_BINARY="${IRSA_BINARY}" SCALE_REPEAT="${BENCH_REPEAT}" bash "${REPO_DIR}/test/e2e/scale.sh" "${n}" \
    >"${BENCH_TMP}/scale-${n}.log" 2>&1 || { tail -20 "${BENCH_TMP}/scale-${n}.log" >&2; bench_die "scale.sh ${n} failed"; }
  python3 - "${BENCH_TMP}/scale-${n}.log" "${BENCH_OUT}/raw/3-scale-${n}.json" <<'PY'
import json, re, sys
runs = []
for line in open(sys.argv[1]):
    if not line.startswith("scale: "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    sec = lambda v: float(v.rstrip("s"))
    runs.append({"serviceAccounts": int(f["n"]), "cached": int(f["cached"]),
                 "readySeconds": sec(f["ready"]), "serveCpuSeconds": sec(f["serve_cpu"]),
                 "kubectlListSeconds": sec(f["kubectl_list"]),
                 "rssKiB": int(re.search(r"VmRSS (\d+) kB", line).group(1)),
                 "hwmKiB": int(re.search(r"VmHWM (\d+) kB", line).group(1))})
if not runs:
    sys.exit("no measurement in the scale.sh output")
if any(r["cached"] != r["serviceAccounts"] for r in runs):
    sys.exit("the cache did not hold every ServiceAccount")
json.dump({"label": f"scale-{runs[0]['serviceAccounts']}", "runs": runs}, open(sys.argv[2], "w"), indent=1)
PY
done
bench_log "3-cache-scale: done"
