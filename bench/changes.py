"""`migration-lod diff` on two synthetic dumps that differ in 1 % of their records, beside rdflib's
`graph_diff` on the same pair: seconds and peak memory, each measured in a process of its own."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/migration-lod/"
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
# Each measurement runs alone in a fresh interpreter: its time and its peak resident memory are its own.
# The peak is VmHWM, which exec starts afresh; getrusage's ru_maxrss would carry the parent's peak over exec.
MEASURE = """
import json, sys, time
sys.path.insert(0, {src!r})
started = time.perf_counter()
{body}
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "peak_mib": peak / 1024, "changes": changes}}))
"""
OURS = """from migration_lod.changes.compare import diff_dumps
changes = len(diff_dumps({old!r}, {new!r}).resources)"""
RDFLIB = """from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic
old, new = Graph().parse({old!r}, format="nt"), Graph().parse({new!r}, format="nt")
_, removed, added = graph_diff(to_isomorphic(old), to_isomorphic(new))
changes = len({{s for s, _, _ in removed}} | {{s for s, _, _ in added}})"""


def changed_copy(dump: Path, share: float, out: Path, seed: int = 1) -> int:
    """`dump` with the label of `share` of its records rewritten, written to `out`; how many were changed."""
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES)
    labelled = sorted({q.subject.value for q in store.quads_for_pattern(None, PREF_LABEL, None)
                       if q.subject.value.startswith(BASE + "practice/")})
    chosen = random.Random(seed).sample(labelled, max(1, round(len(labelled) * share)))  # noqa: S311 - test data
    for iri in chosen:
        subject = ox.NamedNode(iri)
        for quad in list(store.quads_for_pattern(subject, PREF_LABEL, None)):
            store.remove(quad)
            store.add(ox.Quad(subject, PREF_LABEL, ox.Literal(quad.object.value + " (revised)", language="en")))
    store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(chosen)


def measure(body: str, src: Path) -> dict:
    """Seconds, peak MiB and number of changed resources of one run of `body` in a fresh interpreter."""
    script = MEASURE.format(src=str(src), body=body)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def changes(dump: Path, folder: Path, src: Path, rdflib_max_triples: int) -> dict:
    """The diff of `dump` and a copy with 1 % of its practices relabelled: ours, and rdflib's if small enough."""
    new = folder / "changed.nt"
    changed = changed_copy(dump, 0.01, new)
    triples = sum(1 for _ in dump.open("rb"))
    result = {"triples": triples, "records_changed": changed,
              "ours": measure(OURS.format(old=str(dump), new=str(new)), src)}
    if triples <= rdflib_max_triples:
        result["rdflib_graph_diff"] = measure(RDFLIB.format(old=str(dump), new=str(new)), src)
        result["speedup_vs_rdflib"] = result["rdflib_graph_diff"]["seconds"] / result["ours"]["seconds"]
    return result


def print_changes(size: int | None, result: dict) -> None:
    """One line per measurement."""
    print(f"\ndiff, {size or 'real data'} records ({result['triples']:,} triples, {result['records_changed']} "
          f"records changed)")
    for name in ("ours", "rdflib_graph_diff"):
        if name in result:
            row = result[name]
            print(f"  {name:18} {row['seconds']:8.2f} s  {row['peak_mib']:8.0f} MiB  {row['changes']} resources")
    if "speedup_vs_rdflib" in result:
        print(f"  ours is {result['speedup_vs_rdflib']:.1f}x faster than rdflib's graph_diff")
