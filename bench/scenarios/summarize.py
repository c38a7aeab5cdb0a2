"""Reads the scenarios' raw JSON (BENCH_OUT/raw) and writes, next to it:
  summary.json  the medians over the repeated runs, per scenario and case;
  summary.md    the same as Markdown tables, with the targets of issues #5 and #13;
  *.dat         gnuplot input for plot.gp (latency.png, throughput.png).
Every figure is the median of the runs of one case, taken metric by metric.

usage: summarize.py BENCH_OUT
"""
import glob
import json
import os
import platform
import statistics
import sys
import time

from sidebyside_summary import summarize as summarize_side_by_side

out = sys.argv[1]
raw = os.path.join(out, "raw")


def load(pattern):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(raw, pattern)))]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def med_of(runs, *path):
    def get(run):
        for key in path:
            run = run.get(key) if isinstance(run, dict) else None
        return run
    return med([get(r) for r in runs])


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, (int, float)) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


summary = {"date": time.strftime("%Y-%m-%d"), "machine": {}, "scenarios": {}}
try:
    cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
except (OSError, StopIteration):
    cpu = platform.processor()
summary["machine"] = {"cpu": cpu, "cores": os.cpu_count(),
                      "memGiB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                      "kernel": platform.release()}
md = [f"Measured {summary['date']} on {cpu}, {os.cpu_count()} cores, {summary['machine']['memGiB']} GiB "
      f"(the webhook pinned to core 0 with one I/O thread, the load generator to core 1). "
      f"Each figure is the median of the repeated runs.", ""]

# 1. Saturation.
sat = {}
rows = []
for size in ("small", "medium", "large"):
    runs = [r["results"] for r in load(f"1-closed-{size}-*.json")]
    if not runs:
        continue
    bytes_ = med([r["config"]["corpus"]["meanBytes"] for r in load(f"1-closed-{size}-*.json")])
    case = {"runs": len(runs), "meanRequestBytes": bytes_, "requestsPerSecond": med_of(runs, "achievedRate"),
            "serverCpuSecondsPer1000": med_of(runs, "server", "cpuSecondsPer1000Requests"),
            "requestsPerServerCpuSecond": med_of(runs, "server", "requestsPerCpuSecond"),
            "p50Ms": med_of(runs, "latencyMs", "p50"), "p99Ms": med_of(runs, "latencyMs", "p99"),
            "errors": max(r["errors"]["total"] + r["non2xx"] + r["invalid"] for r in runs)}
    sat[size] = case
    rows.append(f"| irsa-bench, closed loop, 8 conns | {size} (~{bytes_ / 1024:.1f} KB) "
                f"| {fmt(case['requestsPerSecond'], 0)} "
                f"| {fmt(case['requestsPerServerCpuSecond'], 0)} | {fmt(case['serverCpuSecondsPer1000'], 3)} "
                f"| {fmt(case['p50Ms'], 2)} | {fmt(case['p99Ms'], 2)} | {case['errors']} |")
h2 = load("1-h2load-medium-*.json")
if h2:
    sat["h2load-medium"] = {"runs": len(h2), "requestsPerSecond": med([r["achievedRate"] for r in h2]),
                            "serverCpuSecondsPer1000": med([r["cpuSecondsPer1000Requests"] for r in h2]),
                            "failed": max(r["requests"] - r["succeeded"] for r in h2)}
    c = sat["h2load-medium"]
    per_cpu = 1000 / c["serverCpuSecondsPer1000"] if c["serverCpuSecondsPer1000"] else None
    rows.append(f"| h2load --h1, 8 conns (cross-check) | medium, one review | {fmt(c['requestsPerSecond'], 0)} "
                f"| {fmt(per_cpu, 0)} | {fmt(c['serverCpuSecondsPer1000'], 3)} | - | - | {c['failed']} |")
satur = load("1-saturate-medium-*.json")
if satur:
    sat["saturate-medium"] = {"runs": len(satur),
                              "maxRateP99Under2ms":
                                  med([r["results"]["maxRate"] for r in satur if r["results"]["found"]]),
                              "found": all(r["results"]["found"] for r in satur)}
summary["scenarios"]["1-saturation"] = sat
if rows:
    md += ["### 1. Saturation throughput and CPU per request", "",
           "| load | pods | req/s (one core) | req per server CPU-s | server CPU s / 1k req "
           "| p50 ms | p99 ms | errors |",
           "|---|---|---|---|---|---|---|---|", *rows, ""]
    if "saturate-medium" in sat:
        md += [f"Highest open-loop rate with p99 under 2 ms (medium pods, 32 connections): "
               f"**{fmt(sat['saturate-medium']['maxRateP99Under2ms'], 0)} req/s**.", ""]

# 2. Latency at fixed rates.
lat = {}
rows = []
for rate in (500, 2000, 5000):
    runs = [r["results"] for r in load(f"2-rate-{rate}-*.json")]
    if not runs:
        continue
    case = {k: med_of(runs, "latencyMs", k) for k in ("p50", "p90", "p99", "p999", "max")}
    case.update(runs=len(runs), achievedRate=med_of(runs, "achievedRate"),
                errors=max(r["errors"]["total"] + r["non2xx"] + r["invalid"] for r in runs))
    server = load(f"2-server-{rate}-*.json")
    for k in ("p50", "p99", "p999"):
        case[f"server{k.upper()}LeMs"] = med([r[f"{k}LeMs"] for r in server])
    lat[str(rate)] = case
    rows.append(f"| {rate:,} | {fmt(case['achievedRate'], 0)} | {fmt(case['p50'], 3)} | {fmt(case['p90'], 3)} "
                f"| {fmt(case['p99'], 3)} | {fmt(case['p999'], 3)} | {fmt(case['max'], 3)} "
                f"| ≤ {fmt(case['serverP50LeMs'], 3)} | ≤ {fmt(case['serverP99LeMs'], 3)} "
                f"| ≤ {fmt(case['serverP999LeMs'], 3)} | {case['errors']} |")

def write_dat(name, lines):
    """A gnuplot input, or none when the scenario did not run (plot.gp skips it)."""
    path = os.path.join(out, name)
    if not lines:
        if os.path.exists(path):
            os.remove(path)
        return
    with open(path, "w") as dat:
        dat.write("\n".join(lines) + "\n")


# One row per percentile, one column per rate (gnuplot's columnheader titles).
write_dat("latency.dat", ["index percentile " + " ".join(f'"{int(r):,} req/s"' for r in lat)] +
          [f"{i} {label} " + " ".join(str(c[key]) for c in lat.values()) for i, (key, label) in
           enumerate((("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p999", "p99.9"), ("max", "max")))]
          if lat else [])
summary["scenarios"]["2-latency"] = lat
if rows:
    md += ["### 2. Latency at fixed rates (open loop, medium pods, 16 connections)", "",
           "Client side: measured by irsa-bench from each request's scheduled send time. Server side: the "
           "webhook's own `irsa_webhook_admission_duration_seconds` histogram (a request's arrival to its "
           "answer written), as the bucket bound each percentile falls under.", "",
           "| target req/s | achieved | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server p50 | server p99 "
           "| server p99.9 | errors |",
           "|---|---|---|---|---|---|---|---|---|---|---|", *rows, ""]

# 3. Cache scale.
scale = {}
rows = []
for path in sorted(glob.glob(os.path.join(raw, "3-scale-*.json")), key=lambda p: int(p.rsplit("-", 1)[1][:-5])):
    runs = json.load(open(path))["runs"]
    n = runs[0]["serviceAccounts"]
    case = {"runs": len(runs), "readySeconds": med([r["readySeconds"] for r in runs]),
            "rssMiB": med([r["rssKiB"] for r in runs]) / 1024, "hwmMiB": med([r["hwmKiB"] for r in runs]) / 1024,
            "serveCpuSeconds": med([r["serveCpuSeconds"] for r in runs]),
            "kubectlListSeconds": med([r["kubectlListSeconds"] for r in runs])}
    scale[str(n)] = case
    rows.append(f"| {n:,} | {fmt(case['readySeconds'], 2)} | {fmt(case['kubectlListSeconds'], 2)} "
                f"| {fmt(case['serveCpuSeconds'], 2)} | {fmt(case['rssMiB'], 1)} | {fmt(case['hwmMiB'], 1)} |")
summary["scenarios"]["3-cache-scale"] = scale
if rows:
    md += ["### 3. ServiceAccount cache at scale (real kube-apiserver, 500 per page)", "",
           "| ServiceAccounts | start to ready s | kubectl same LIST s | serve CPU s | RSS MiB | peak RSS MiB |",
           "|---|---|---|---|---|---|", *rows, ""]

# 4. Handshakes.
storm = [r["results"] for r in load("4-storm-*.json")]
hs = [r["results"] for r in load("4-handshakes-*.json")]
if storm or hs:
    summary["scenarios"]["4-handshakes"] = {
        "storm75": {"runs": len(storm), "allDoneSeconds": med_of(storm, "allCompletedSeconds"),
                    "handshakeP50Ms": med_of(storm, "handshakes", "latencyMs", "p50"),
                    "handshakeMaxMs": med_of(storm, "handshakes", "latencyMs", "max"),
                    "errors": max((r["errors"]["total"] for r in storm), default=0)},
        "fullHandshakes": {"runs": len(hs), "perSecond": med_of(hs, "handshakesPerSecond"),
                           "perServerCpuSecond": med_of(hs, "handshakesPerServerCpuSecond"),
                           "errors": max((r["errors"]["total"] for r in hs), default=0)}}
    s4 = summary["scenarios"]["4-handshakes"]
    md += ["### 4. TLS handshakes (ECDSA P-256)", "",
           "| case | result |", "|---|---|",
           f"| storm: 75 new connections at once, one request each "
           f"| all answered in {fmt(s4['storm75']['allDoneSeconds'], 3)} s; "
           f"handshake p50 {fmt(s4['storm75']['handshakeP50Ms'], 1)} ms, "
           f"max {fmt(s4['storm75']['handshakeMaxMs'], 1)} ms; "
           f"errors {s4['storm75']['errors']} |",
           f"| closed loop of full handshakes, 8 connections | {fmt(s4['fullHandshakes']['perSecond'], 0)} /s; "
           f"{fmt(s4['fullHandshakes']['perServerCpuSecond'], 0)} per server CPU-second; "
           f"errors {s4['fullHandshakes']['errors']} |", ""]

# 5. Cache miss.
miss = load("5-cache-miss-*.json")
if miss:
    case = {kind: {k: med([r["latencyMs"][kind][k] for r in miss]) for k in ("p50", "p90", "p99", "max")}
            for kind in ("miss", "hit")}
    case["runs"] = len(miss)
    case["lookups"] = {k: med([r.get("lookups", {}).get(k, 0) for r in miss])
                       for k in ("hit", "waited_hit", "api_hit", "miss")}
    summary["scenarios"]["5-cache-miss"] = case
    md += ["### 5. The cache-miss path (ServiceAccount created just before its pod)", "",
           "| pod's ServiceAccount | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|",
           *[f"| {label} | {fmt(case[k]['p50'], 2)} | {fmt(case[k]['p90'], 2)} "
             f"| {fmt(case[k]['p99'], 2)} | {fmt(case[k]['max'], 2)} |"
             for k, label in (("miss", "created just before the pod"), ("hit", "created long before (cached)"))],
           "", "How the webhook found the ServiceAccounts, per run (median; hit: already cached, waited_hit: "
           "delivered by the watch while the pod waited, api_hit: found by the direct GET, miss: not found): " +
           ", ".join(f"{k} {fmt(v, 0)}" for k, v in case["lookups"].items()) + ".", ""]

# 6. Soak.
soak = load("6-soak.json")
if soak:
    r = soak[0]["results"]
    growth = (r["server"]["rssBytesEnd"] - r["server"]["rssBytesStart"]) / 1024
    samples = load("6-soak-rss.json")
    peak = max((kib for _, kib in samples[0]["rssKiB"]), default=None) if samples else None
    case = {"requests": r["requests"], "achievedRate": r["achievedRate"],
            "failed": r["errors"]["total"] + r["non2xx"] + r["invalid"],
            "durationSeconds": soak[0]["config"]["durationSeconds"], "p99Ms": r["latencyMs"]["p99"],
            "rssMiBStart": r["server"]["rssBytesStart"] / 2**20, "rssMiBEnd": r["server"]["rssBytesEnd"] / 2**20,
            "rssGrowthKiB": growth, "peakRssMiB": peak and peak / 1024}
    summary["scenarios"]["6-soak"] = case
    md += ["### 6. Soak (2,000 req/s open loop, after the warm-up)", "",
           "| duration s | requests | achieved/s | failed | p99 ms | RSS start MiB | RSS end MiB | growth KiB "
           "| peak RSS MiB |", "|---|---|---|---|---|---|---|---|---|",
           f"| {fmt(case['durationSeconds'], 0)} | {fmt(case['requests'], 0)} | {fmt(case['achievedRate'], 0)} "
           f"| {case['failed']} | {fmt(case['p99Ms'], 3)} | {fmt(case['rssMiBStart'], 2)} "
           f"| {fmt(case['rssMiBEnd'], 2)} | {growth:+.0f} | {fmt(case['peakRssMiB'], 2)} |", ""]

# 7. Side by side with the reference.
sbs, sbs_md, sbs_dat, sbs_targets = summarize_side_by_side(load, med, fmt)
if sbs:
    summary["scenarios"]["7-side-by-side"] = sbs
    md += sbs_md
write_dat("sidebyside.dat", sbs_dat)

# Targets of issue #5.
t = []
medium = sat.get("medium", {})
if medium:
    t.append(("≥ 20k mutating req/s per core on 7.5 KB pods",
              f"{fmt(medium['requestsPerSecond'], 0)} req/s on one core",
              medium["requestsPerSecond"] >= 20000))
if "2000" in lat:
    c = lat["2000"]
    ok = c["serverP99LeMs"] is not None and c["serverP99LeMs"] <= 0.5 and c["serverP999LeMs"] is not None \
        and c["serverP999LeMs"] <= 2
    t.append(("2,000 req/s open loop, server side: p99 ≤ 500 µs, p99.9 ≤ 2 ms",
              f"server p99 ≤ {fmt(c['serverP99LeMs'] and c['serverP99LeMs'] * 1000, 0)} µs, p99.9 ≤ "
              f"{fmt(c['serverP999LeMs'] and c['serverP999LeMs'] * 1000, 0)} µs (client side: p99 "
              f"{fmt(c['p99'] * 1000, 0)} µs, p99.9 {fmt(c['p999'] * 1000, 0)} µs)", ok))
if "50000" in scale:
    mb = scale["50000"]["rssMiB"] * 1.048576
    t.append(("RSS ≤ 30 MB with 50k ServiceAccounts",
              f"{mb:.1f} MB ({fmt(scale['50000']['rssMiB'], 1)} MiB)", mb <= 30))
if "4-handshakes" in summary["scenarios"]:
    v = summary["scenarios"]["4-handshakes"]["fullHandshakes"]["perServerCpuSecond"]
    t.append(("≥ 5k full handshakes/s per core (ECDSA)", f"{fmt(v, 0)} per server CPU-second",
              v is not None and v >= 5000))
if "6-soak" in summary["scenarios"]:
    c = summary["scenarios"]["6-soak"]
    t.append(("soak at 2,000 req/s: no errors, RSS growth < 1 MiB after the warm-up",
              f"{c['failed']} failed, {c['rssGrowthKiB']:+.0f} KiB over {fmt(c['durationSeconds'], 0)} s",
              c["failed"] == 0 and c["rssGrowthKiB"] < 1024))
# Targets of issue #13 (side by side): scenario 7's, and the handshakes of scenario 4 against 1.9k.
t13 = list(sbs_targets)
if "4-handshakes" in summary["scenarios"] and sbs:
    v = summary["scenarios"]["4-handshakes"]["fullHandshakes"]["perServerCpuSecond"]
    t13.append(("full handshakes per server CPU-second ≥ 2× the 1.9k of 2026-11-28", f"{fmt(v, 0)}",
                v is not None and v >= 3800))
summary["targets"] = [{"target": a, "measured": b, "met": c} for a, b, c in t]
summary["targetsSideBySide"] = [{"target": a, "measured": b, "met": c} for a, b, c in t13]


def target_table(title, rows):
    return [title, "", "| target | measured | met |", "|---|---|---|",
            *[f"| {a} | {b} | {'yes' if c else '**no**'} |" for a, b, c in rows], ""] if rows else []


md = md[:2] + target_table("### Targets", t) + target_table("### Targets against the reference (#13)", t13) + md[2:]

sizes = [size for size in ("small", "medium", "large") if size in sat]
write_dat("throughput.dat", ["size req/s req-per-cpu-second"] +
          [f"{size} {sat[size]['requestsPerSecond']} {sat[size]['requestsPerServerCpuSecond']}" for size in sizes]
          if sizes else [])

json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
open(os.path.join(out, "summary.md"), "w").write("\n".join(md))
print("\n".join(md))
