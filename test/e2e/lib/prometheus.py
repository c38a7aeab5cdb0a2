"""A Prometheus text scrape by metric family, for comparing two exporters' families (types, series)."""

import re

_TYPE = re.compile(r"^# TYPE (\S+) (\S+)$")
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
# The sample names of a family besides its own, by type.
_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count"), "counter": ("_total",)}


def _labels(text, line):
    labels, pos = {}, 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse the labels of: {line}")
        labels[m.group(1)] = m.group(2)
        pos = m.end()
    return labels


def series(name, labels):
    """A sample's key as written: name{k="v",...}, its labels sorted."""
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def parse_families(text):
    """{family: {"type": T, "samples": {'name{labels}': value}}}; a sample goes to the family it is named
    after, or whose histogram/summary/counter suffix it has."""
    lines = text.splitlines()
    types = dict(m.groups() for m in map(_TYPE.match, lines) if m)
    families = {name: {"type": typ, "samples": {}} for name, typ in types.items()}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"cannot parse the sample: {line}")
        name = m.group(1)
        family = name if name in types else next(
            (f for f, t in types.items() if any(name == f + s for s in _SUFFIXES.get(t, ()))), name)
        fam = families.setdefault(family, {"type": types.get(family, "untyped"), "samples": {}})
        fam["samples"][series(name, _labels(m.group(2) or "", line))] = float(m.group(3))
    return families
