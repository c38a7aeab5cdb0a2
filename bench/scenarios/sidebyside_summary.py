"""Scenario 7's part of summarize.py: the reference and irsa-webhook per measure, each side's median
over the rounds, and the median of the per-round ratios (reference / irsa-webhook for costs, so every
ratio above 1 is irsa-webhook ahead; for throughput irsa-webhook / reference)."""

SIDES = ("reference", "irsa")


def _ratio(a, b):
    return a / b if a is not None and b else None


class SideBySide:
    """The raw files of scenario 7 (load("7-…")), read by round."""

    def __init__(self, load, med):
        self.load = load
        self.med = med

    def rounds(self, pattern):
        """{side: [value per round]} of files 7-<side>-<pattern>-<round>.json, by round order."""
        return {side: self.load(f"7-{side}-{pattern}-*.json") for side in SIDES}

    def measure(self, pattern, get, cost=True):
        """{reference, irsa, ratio} of one measure: get(json) per round."""
        runs = self.rounds(pattern)
        values = {side: [get(r) for r in runs[side]] for side in SIDES}
        pairs = zip(values["reference"], values["irsa"], strict=False)
        ratios = [_ratio(ref, irsa) if cost else _ratio(irsa, ref) for ref, irsa in pairs]
        return {"reference": self.med(values["reference"]), "irsa": self.med(values["irsa"]),
                "ratio": self.med(ratios), "rounds": len(ratios)}


def _closed_cpu(r):
    cpu = r["results"]["server"]["cpuSecondsPer1000Requests"]
    return cpu * 1000 if cpu is not None else None  # µs per request


def summarize(load, med, fmt):
    """From summarize.py's load, med (a median that skips None) and fmt: (summary dict, Markdown
    lines, gnuplot lines, targets [(text, measured, met)]); all empty when scenario 7 did not run."""
    sbs = SideBySide(load, med)
    if not any(sbs.rounds("start-64").values()):
        return {}, [], [], []
    case = {}
    for size in ("small", "medium", "large"):
        case[f"closed-{size}"] = {
            "cpuMicrosPerRequest": sbs.measure(f"closed-{size}", _closed_cpu),
            "requestsPerSecond": sbs.measure(f"closed-{size}", lambda r: r["results"]["achievedRate"], cost=False)}
    case["h2load-medium"] = {
        "cpuMicrosPerRequest": sbs.measure("h2load", lambda r: r["cpuSecondsPer1000Requests"] * 1000),
        "requestsPerSecond": sbs.measure("h2load", lambda r: r["achievedRate"], cost=False)}
    for rate in (500, 2000):
        latency = {q: sbs.measure(f"rate-{rate}", lambda r, q=q: r["results"]["latencyMs"][q])
                   for q in ("p50", "p99", "p999")}
        latency["achievedRate"] = sbs.measure(f"rate-{rate}", lambda r: r["results"]["achievedRate"], cost=False)
        server = load(f"7-irsa-server-{rate}-*.json")
        latency["irsaServer"] = {q: med([s[f"{q}LeMs"] for s in server]) for q in ("p50", "p99", "p999")}
        case[f"open-{rate}"] = latency
    scale = sorted({int(r["serviceAccounts"]) for r in load("7-irsa-start-*.json")} - {64})
    for n in [64, *scale]:
        case[f"start-{n}"] = {"serviceAccounts": n,
                              "firstAnswerSeconds": sbs.measure(f"start-{n}", lambda r: r["startSeconds"]),
                              "rssMiB": sbs.measure(f"start-{n}", lambda r: r["rssKiB"] / 1024)}
    race = sbs.rounds("race")
    case["race"] = {side: {"pairs": sum(r["pairs"] for r in race[side]),
                           "stored": sum(r["stored"] for r in race[side]),
                           "withoutCredentials": sum(r["withoutCredentials"] for r in race[side])} for side in SIDES}

    def row(label, m, digits=1, unit=""):
        return (f"| {label} | {fmt(m['reference'], digits)}{unit} | {fmt(m['irsa'], digits)}{unit} "
                f"| {fmt(m['ratio'], 1)}× |")

    md = ["### 7. Side by side with the reference (one control plane, each webhook on one core)", "",
          "Both run with the reference's deploy/deployment-base.yaml flags, interleaved round by round. The ratio "
          "is the median of the per-round ratios: reference / irsa-webhook for costs (CPU, latency, memory, "
          "start), irsa-webhook / reference for throughput; above 1 means irsa-webhook is ahead.", "",
          "| measure | reference | irsa-webhook | ratio |", "|---|---|---|---|"]
    for size in ("small", "medium", "large"):
        cpu = case[f"closed-{size}"]["cpuMicrosPerRequest"]
        md.append(row(f"server CPU µs per request, closed loop, {size} pods", cpu))
    for size in ("small", "medium", "large"):
        md.append(row(f"req/s on one core, closed loop, {size} pods", case[f"closed-{size}"]["requestsPerSecond"], 0))
    md.append(row("h2load --h1: req/s on one core, medium pods", case["h2load-medium"]["requestsPerSecond"], 0))
    md.append(row("h2load --h1: server CPU µs per request", case["h2load-medium"]["cpuMicrosPerRequest"]))
    for rate in (500, 2000):
        c = case[f"open-{rate}"]
        md.append(row(f"{rate:,} req/s open loop: achieved req/s", c["achievedRate"], 0))
        for q, label in (("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")):
            md.append(row(f"{rate:,} req/s open loop: client {label} ms", c[q], 3))
    for n in [64, *scale]:
        c = case[f"start-{n}"]
        md.append(row(f"exec to first correct answer s, {c['serviceAccounts']:,} ServiceAccounts",
                      c["firstAnswerSeconds"], 3))
        md.append(row(f"RSS MiB, {c['serviceAccounts']:,} ServiceAccounts", c["rssMiB"], 1))
    md.append("| ServiceAccount created right before its pod: stored pods without credentials | "
              + " | ".join(f"{case['race'][s]['withoutCredentials']} of {case['race'][s]['stored']}" for s in SIDES)
              + " | - |")
    low, c = case["open-500"]["irsaServer"], case["open-2000"]["irsaServer"]
    md += ["", f"irsa-webhook's own histogram over the open-loop windows (bucket bounds): at 500 req/s p99 ≤ "
           f"{fmt(low['p99'], 3)} ms, p99.9 ≤ {fmt(low['p999'], 3)} ms; "
           f"at 2,000 req/s p99 ≤ {fmt(c['p99'], 3)} ms, p99.9 ≤ {fmt(c['p999'], 3)} ms.", ""]

    dat = ["size reference irsa-webhook"] + [
        f"{size} {case[f'closed-{size}']['cpuMicrosPerRequest']['reference']} "
        f"{case[f'closed-{size}']['cpuMicrosPerRequest']['irsa']}" for size in ("small", "medium", "large")]

    targets = []
    for size, floor in (("medium", 10), ("small", 12)):
        m = case[f"closed-{size}"]["cpuMicrosPerRequest"]
        targets.append((f"CPU per request ≥ {floor}× less than the reference, {size} pods",
                        f"{fmt(m['ratio'], 1)}× ({fmt(m['reference'], 1)} µs vs {fmt(m['irsa'], 1)} µs)",
                        m["ratio"] is not None and m["ratio"] >= floor))
    h2 = case["h2load-medium"]["requestsPerSecond"]["irsa"]
    targets.append(("≥ 25,000 mutated medium req/s on one core (h2load --h1)", f"{fmt(h2, 0)} req/s",
                    h2 is not None and h2 >= 25000))
    targets.append(("2,000 req/s, server side: p99 ≤ 250 µs, p99.9 ≤ 1 ms",
                    f"p99 ≤ {fmt(c['p99'] and c['p99'] * 1000, 0)} µs, "
                    f"p99.9 ≤ {fmt(c['p999'] and c['p999'] * 1000, 0)} µs",
                    c["p99"] is not None and c["p99"] <= 0.25 and c["p999"] is not None and c["p999"] <= 1))
    if scale:
        m = case[f"start-{scale[-1]}"]["rssMiB"]
        targets.append((f"RSS at {scale[-1]:,} ServiceAccounts ≤ 1/10 of the reference's",
                        f"{fmt(m['irsa'], 1)} MiB vs {fmt(m['reference'], 1)} MiB ({fmt(m['ratio'], 1)}×)",
                        m["ratio"] is not None and m["ratio"] >= 10))
    idle = case["start-64"]["rssMiB"]["irsa"]
    targets.append(("idle RSS ≤ 10 MiB", f"{fmt(idle, 1)} MiB (64 ServiceAccounts)", idle is not None and idle <= 10))
    return case, md, dat, targets
