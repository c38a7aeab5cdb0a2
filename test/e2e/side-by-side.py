#!/usr/bin/env python3
"""Helpers of side-by-side.sh (stdlib only): read the reference's manifest and
--help, compare stored pods and Prometheus scrapes. Each command prints what it
found (or a readable diff) and exits 0 when equal / found, 1 otherwise.

  manifest-args FILE             the Deployment's container command after its
                                 first item (/webhook), one argument a line
  help-flags FILE                the flags of a pflag --help: NAME TYPE DEFAULT
                                 (tab-separated; TYPE/DEFAULT "-" when absent)
  normalize-pod FILE             the stored pod with what legitimately differs
                                 between two namespaces removed (JSON on stdout)
  compare-pods REF IRSA          the two stored pods are equal once normalized
  families FILE                  metric families of a scrape: NAME TYPE
  compare-family NAME REF IRSA   same type, same label names and label values
  compare-delta NAME REF0 REF1 IRSA0 IRSA1
                                 per label set, the increase of NAME between
                                 the two scrapes is the same for both
"""
import json
import re
import sys


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


# ---- the reference's manifest -------------------------------------------------

def manifest_args(path):
    """The Deployment's `command:` list, read as the block YAML the file uses.

    A small reader on purpose (python3-yaml is not installed in CI): it takes
    the document with `kind: Deployment`, finds `command:` and the `- item`
    lines indented under it, and unquotes each item. Anything else (a flow list,
    a multi-line scalar) is refused, so a changed manifest fails loudly rather
    than giving wrong arguments."""
    with open(path, encoding="utf-8") as f:
        docs = re.split(r"^---\s*$", f.read(), flags=re.M)
    deployment = [d for d in docs if re.search(r"^kind:\s*Deployment\s*$", d, re.M)]
    if len(deployment) != 1:
        fail(f"{path}: expected one Deployment document, found {len(deployment)}")
    lines = deployment[0].splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*-?\s*command:\s*$", line)]
    if len(starts) != 1:
        fail(f"{path}: expected one block `command:` list in the Deployment, found {len(starts)}")
    items = []
    indent = None
    for line in lines[starts[0] + 1:]:
        m = re.match(r"^(\s*)-\s+(.*?)\s*$", line)
        if not m or (indent is not None and len(m.group(1)) != indent):
            break
        indent = len(m.group(1))
        value = m.group(2)
        if value[:1] in "\"'":
            if len(value) < 2 or value[-1] != value[0]:
                fail(f"{path}: cannot read the command item {value!r}")
            value = json.loads(value) if value[0] == '"' else value[1:-1].replace("''", "'")
        elif value[:1] in "[{|>&*!#":
            fail(f"{path}: command item {value!r} is not a plain scalar")
        items.append(value)
    if not items or items[0] != "/webhook":
        fail(f"{path}: the command does not start with /webhook: {items}")
    print("\n".join(items[1:]))


# ---- the reference's --help ---------------------------------------------------

HELP_LINE = re.compile(r"^\s+(?:-[A-Za-z], )?--([A-Za-z0-9][A-Za-z0-9_-]*)(?: (\S+))?\s{2,}(.*)$")


def help_flags(path):
    """pflag's usage lines: `  -v, --v Level   text (default X)`. The TYPE is
    only a hint: pflag names a flag's value after a back-quoted word of its
    text when there is one (`--compose-role-arn role-arn` is a bool), so the
    test checks each chosen value against the reference binary itself."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HELP_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            name, typ, text = m.group(1), m.group(2) or "-", m.group(3)
            d = re.search(r'\(default ("(?:[^"\\]|\\.)*"|[^)]*)\)\s*$', text)
            default = "-"
            if d:
                default = json.loads(d.group(1)) if d.group(1).startswith('"') else d.group(1)
            out.append(f"{name}\t{typ}\t{default}")
    if not out:
        fail(f"{path}: no flags found")
    print("\n".join(out))


# ---- stored pods --------------------------------------------------------------

GENERATED_VOLUME = re.compile(r"^(kube-api-access)-[a-z0-9]{5}$")


def normalize_pod(pod):
    """What legitimately differs between the same pod stored in two namespaces:
    its namespace, uid, resourceVersion, creationTimestamp, managedFields (the
    field manager's timestamps) and generated names (generateName's suffix,
    the ServiceAccount admission plugin's kube-api-access-<5> volume).

    Volumes are compared as a set keyed by name: the position of the token
    volume is the one difference allowed. The reference inserts it at the
    front (`add /spec/volumes/0`); irsa-webhook appends it (`add
    /spec/volumes/-`), one operation that never rewrites or shifts the
    volumes already there. Kubernetes gives a volume list no order: volumes
    are looked up by name."""
    meta = pod.get("metadata", {})
    for k in ("namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields"):
        meta.pop(k, None)
    if meta.get("generateName") and meta.get("name", "").startswith(meta["generateName"]):
        meta["name"] = meta["generateName"] + "<generated>"

    def rename(name):
        return GENERATED_VOLUME.sub(r"\1-<generated>", name)

    spec = pod.get("spec", {})
    vols = spec.get("volumes")
    if vols is not None:
        for v in vols:
            v["name"] = rename(v["name"])
        names = [v["name"] for v in vols]
        if len(set(names)) != len(names):
            fail(f"duplicate volume names: {names}")
        spec["volumes"] = {v["name"]: v for v in vols}
    for key in ("initContainers", "containers"):
        for c in spec.get(key, []):
            for m in c.get("volumeMounts", []):
                m["name"] = rename(m["name"])
    return pod


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            p = f"{path}.{k}" if not k.startswith("<") else f"{path}[{k}]"
            if k not in a:
                out.append(f"  {p}: only in irsa-webhook: {json.dumps(b[k], sort_keys=True)}")
            elif k not in b:
                out.append(f"  {p}: only in the reference: {json.dumps(a[k], sort_keys=True)}")
            else:
                diff(a[k], b[k], p, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # lengths are equal (checked above)
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"  {path}:\n    reference:   {json.dumps(a, sort_keys=True)}\n"
                   f"    irsa-webhook: {json.dumps(b, sort_keys=True)}")


def compare_pods(ref_path, irsa_path):
    try:
        ref, irsa = load(ref_path), load(irsa_path)
    except (OSError, ValueError) as e:
        fail(f"cannot read a stored pod: {e}")
    ref, irsa = normalize_pod(ref), normalize_pod(irsa)
    out = []
    diff(ref, irsa, "", out)
    if out:
        fail("stored pods differ:\n" + "\n".join(out))


# ---- Prometheus text exposition -----------------------------------------------

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count"),
            "counter": ("_total",)}


def parse_labels(text, line):
    labels = {}
    pos = 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m or m.end() == pos:
            fail(f"cannot parse the labels of: {line}")
        labels[m.group(1)] = m.group(2)
        pos = m.end()
    return labels


def parse_scrape(path):
    """{family: {"type": T, "samples": {(sample name, labels tuple): value}}}."""
    families = {}
    types = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        m = re.match(r"^# TYPE (\S+) (\S+)$", line)
        if m:
            types[m.group(1)] = m.group(2)
            families.setdefault(m.group(1), {"type": m.group(2), "samples": {}})
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(f"{path}: cannot parse the sample: {line}")
        name, labels, value = m.group(1), parse_labels(m.group(2) or "", line), m.group(3)
        family = name
        if name not in types:
            for fam, typ in types.items():
                if any(name == fam + s for s in SUFFIXES.get(typ, ())):
                    family = fam
                    break
        fam = families.setdefault(family, {"type": types.get(family, "untyped"), "samples": {}})
        fam["samples"][(name, tuple(sorted(labels.items())))] = float(value)
    return families


def families(path):
    for name, fam in sorted(parse_scrape(path).items()):
        print(f"{name}\t{fam['type']}")


def show(key):
    name, labels = key
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}"


def compare_family(name, ref_path, irsa_path):
    ref, irsa = parse_scrape(ref_path), parse_scrape(irsa_path)
    if name not in irsa:
        fail(f"{name}: exported by the reference, absent from irsa-webhook "
             f"(irsa-webhook has: {', '.join(sorted(irsa)) or 'nothing'})")
    out = []
    if ref[name]["type"] != irsa[name]["type"]:
        out.append(f"  type: reference {ref[name]['type']}, irsa-webhook {irsa[name]['type']}")
    rs, ws = set(ref[name]["samples"]), set(irsa[name]["samples"])
    for key in sorted(rs - ws):
        out.append(f"  only in the reference:   {show(key)}")
    for key in sorted(ws - rs):
        out.append(f"  only in irsa-webhook:    {show(key)}")
    if out:
        fail(f"{name} differs:\n" + "\n".join(out))


def compare_delta(name, r0, r1, w0, w1):
    def delta(before, after):
        b, a = parse_scrape(before).get(name), parse_scrape(after).get(name)
        if a is None:
            return None
        base = b["samples"] if b else {}
        # Counts only: sums, buckets and quantiles hold latencies.
        return {k: v - base.get(k, 0.0) for k, v in a["samples"].items()
                if not k[0].endswith(("_sum", "_bucket")) and "quantile" not in dict(k[1])}

    ref, irsa = delta(r0, r1), delta(w0, w1)
    if ref is None or irsa is None:
        fail(f"{name}: absent from the {'reference' if ref is None else 'irsa-webhook'} scrape")
    out = []
    for key in sorted(set(ref) | set(irsa)):
        if ref.get(key, 0.0) != irsa.get(key, 0.0):
            out.append(f"  {show(key)}: reference +{ref.get(key, 0.0):g}, irsa-webhook +{irsa.get(key, 0.0):g}")
    if out:
        fail(f"{name}: the increases differ:\n" + "\n".join(out))
    print(", ".join(f"{show(k)} +{v:g}" for k, v in sorted(ref.items())) or "(no samples)")


def main(argv):
    cmds = {
        "manifest-args": (1, manifest_args), "help-flags": (1, help_flags),
        "normalize-pod": (1, lambda p: print(json.dumps(normalize_pod(load(p)), indent=1, sort_keys=True))),
        "compare-pods": (2, compare_pods), "families": (1, families),
        "compare-family": (3, compare_family), "compare-delta": (5, compare_delta),
    }
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][0]:
        fail(__doc__)
    cmds[argv[1]][1](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
