"""Benchmark of the publication pipeline, stage by stage, each beside its reference on the same data:
validation beside pyshacl (the correctness reference), publication beside raw pyoxigraph serialisation
(the limit) and rdflib's own serialisers (the naive baseline). Peak memory per stage from VmHWM."""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import SKOS, Graph, Literal, URIRef

from migration_lod.dataset import assemble, load_metadata
from migration_lod.jsonld import build_context
from migration_lod.namespaces import MIG
from migration_lod.publish import publish_graph
from migration_lod.records import load_records
from migration_lod.synth import synthesize
from migration_lod.terms import to_oxigraph
from migration_lod.validation import ValidationReport, validate

BASE = "https://w3id.org/migration-lod/"
INJECTED = ("missing label", "bad date", "concept outside its scheme")


def reset_peak() -> None:
    """Start a new peak-memory measurement (Linux: clear_refs 5 resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(run: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median seconds of `runs` calls, the peak RSS (MiB) over them, and the last result."""
    times, result = [], None
    reset_peak()
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), peak_mib(), result


def inject(broken: Graph, rate: float, seed: int = 1) -> dict[str, int]:
    """Break `rate` of the practices of the graph in known ways (in place); return the counts by kind."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    counts = dict.fromkeys(INJECTED, 0)
    practices = sorted(s for s in broken.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                                  MIG.Initiative))
    for practice in practices:
        if rng.random() >= rate:
            continue
        kind = rng.choice(INJECTED)
        counts[kind] += 1
        if kind == "missing label":
            broken.remove((practice, SKOS.prefLabel, None))
        elif kind == "bad date":
            broken.remove((practice, URIRef("http://purl.org/dc/terms/date"), None))
            broken.add((practice, URIRef("http://purl.org/dc/terms/date"), Literal("2017-02-30")))
        else:
            broken.add((practice, MIG.gcmObjective, URIRef(BASE + "vocab/gcm-elements/k")))
    return counts


def found(report: ValidationReport) -> dict[str, int]:
    """The injected violations a report names, by kind."""
    counts = dict.fromkeys(INJECTED, 0)
    for problem in report.violations:
        if problem.field == "label" and "needs a label" in problem.message:
            counts["missing label"] += 1
        elif problem.field == "date" and '"2017-02-30"' in problem.message:
            counts["bad date"] += 1
        elif problem.field == "objectives" and "gcme:k" in problem.message:
            counts["concept outside its scheme"] += 1
    return counts


def outcome(report: ValidationReport) -> set:
    return {(p.severity, p.focus, p.field, p.message, p.rule) for p in report.problems}


def pipeline(size: int, runs: int, pyshacl_max: int, rate: float, rdflib_max: int) -> dict:
    """Time every stage on `size` synthetic records; return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="migration-lod-pipeline-"))
    try:
        data = folder / "data"
        synthesize(size, data, seed=1)
        stages: dict[str, dict] = {}
        seconds, peak, records = timed(lambda: load_records(data), runs)
        stages["load records"] = {"seconds": seconds, "peak_mib": peak}
        seconds, peak, dataset = timed(lambda: assemble(records, data_dir=data, metadata=load_metadata(data)), runs)
        stages["map"] = {"seconds": seconds, "peak_mib": peak}
        graph = dataset.graph
        context = build_context(dataset.vocabulary.graph)
        out = folder / "dist"
        seconds, peak, _ = timed(lambda: publish_graph(graph, out, base_iri=BASE, context=context,
                                                       metadata=dataset.metadata), runs)
        stages["publish"] = {"seconds": seconds, "peak_mib": peak}
        store = ox.Store()
        store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)

        def raw() -> None:
            for fmt, name in ((ox.RdfFormat.TURTLE, "t.ttl"), (ox.RdfFormat.N_TRIPLES, "t.nt"),
                              (ox.RdfFormat.JSON_LD, "t.jsonld")):
                store.dump(str(folder / name), format=fmt, from_graph=ox.DefaultGraph())

        stages["publish"]["pyoxigraph_seconds"], _, _ = timed(raw, runs)

        def naive() -> None:
            for fmt, name in (("turtle", "r.ttl"), ("nt", "r.nt"), ("json-ld", "r.jsonld")):
                graph.serialize(folder / name, format=fmt)

        if size <= rdflib_max:
            stages["publish"]["rdflib_seconds"], _, _ = timed(naive, 1 if size >= 10000 else runs)
        else:
            stages["publish"]["rdflib_skipped"] = f"size above --rdflib-max {rdflib_max}"
        started = time.perf_counter()
        ox.Store().bulk_load(path=str(out / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)
        stages["load store"] = {"seconds": time.perf_counter() - started}
        # Validation last: it runs on the graph with violations injected into it.
        injected = inject(graph, rate)
        broken = graph
        seconds, peak, fast = timed(lambda: validate(broken, origins=dataset.origins, engine="fast"), runs)
        stages["validate"] = {"seconds": seconds, "peak_mib": peak, "injected": injected, "found": found(fast)}
        if size <= pyshacl_max:
            seconds, peak, reference = timed(lambda: validate(broken, origins=dataset.origins, engine="pyshacl"),
                                             1 if size > 10000 else runs)
            stages["validate"] |= {"pyshacl_seconds": seconds, "pyshacl_peak_mib": peak,
                                   "same_results_as_pyshacl": outcome(fast) == outcome(reference),
                                   "pyshacl_found": found(reference)}
        else:
            stages["validate"]["pyshacl_skipped"] = f"size above --pyshacl-max {pyshacl_max}"
        build = sum(stages[s]["seconds"] for s in ("load records", "map", "validate", "publish"))
        return {"records": size, "triples": len(graph), "stages": stages, "build_seconds": build}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_pipeline(result: dict) -> None:
    """A readable table of one size."""
    stages = result["stages"]
    print(f"\n{result['records']} records ({result['triples']:,} triples): build {result['build_seconds']:.1f} s")
    for name, row in stages.items():
        print(f"  {name:14} {row['seconds']:8.2f} s   peak {row.get('peak_mib', float('nan')):7.0f} MiB")
    validation, publication = stages["validate"], stages["publish"]
    if "pyshacl_seconds" in validation:
        print(f"  validate: pyshacl {validation['pyshacl_seconds']:.2f} s "
              f"({validation['pyshacl_seconds'] / validation['seconds']:.1f}x slower); same results: "
              f"{validation['same_results_as_pyshacl']}; injected {validation['injected']}, found "
              f"{validation['found']}")
    else:
        print(f"  validate: pyshacl skipped ({validation['pyshacl_skipped']}); injected {validation['injected']}, "
              f"found {validation['found']}")
    rdflib = (f"rdflib {publication['rdflib_seconds']:.2f} s "
              f"({publication['rdflib_seconds'] / publication['seconds']:.1f}x ours)"
              if "rdflib_seconds" in publication else f"rdflib skipped ({publication['rdflib_skipped']})")
    print(f"  publish: raw pyoxigraph {publication['pyoxigraph_seconds']:.2f} s "
          f"(ours {publication['seconds'] / publication['pyoxigraph_seconds']:.1f}x it); {rdflib}")
