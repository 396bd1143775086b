"""Benchmark of the publication pipeline, stage by stage, each beside its reference on the same data:
validation beside pyshacl (the correctness reference), publication beside raw pyoxigraph serialisation
(the limit) and rdflib's own serialisers (the naive baseline). Peak memory per stage from VmHWM."""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from jena import jena_shacl
from rdflib import SKOS, Graph, Literal, URIRef

from migration_lod.dataset import assemble, load_metadata
from migration_lod.publish.dumps import publish_graph
from migration_lod.publish.jsonld import build_context
from migration_lod.rdf.namespaces import MIG
from migration_lod.rdf.terms import as_store, plain_copy, to_oxigraph
from migration_lod.records.load import load_records
from migration_lod.records.synth import synthesize
from migration_lod.validation.report import ValidationReport, load_shapes, validate

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


# Runs the build as its child and prints the child's peak RSS: measured from this small process, the peak
# is the build's own (a child forked straight from the benchmark would count the benchmark's pages too).
PEAK_OF_CHILD = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def command_line_build(data: Path, out: Path, runs: int, *options: str) -> dict[str, float]:
    """`migration-lod build -q [options]` end to end in a child process, as a publisher runs it: median wall
    time and peak RSS."""
    times, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        finished = subprocess.run([sys.executable, "-c", PEAK_OF_CHILD, sys.executable, "-m", "migration_lod",
                                   "build", "--data", str(data), "--out", str(out), "--quiet", *options],
                                  check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        peaks.append(int(finished.stdout.split()[-1]) / 1024)
    return {"seconds": statistics.median(times), "peak_mib": max(peaks)}


def _report_results(turtle: str) -> int:
    """The number of sh:ValidationResults in a report written in Turtle."""
    kind = ox.NamedNode("http://www.w3.org/ns/shacl#ValidationResult")
    return sum(1 for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE) if t.object == kind)


def validation_from_files(store: ox.Store, folder: Path, runs: int) -> dict:
    """`migration-lod shacl` and Apache Jena's `shacl validate` on the same N-Triples dump and shapes, each as
    its users run it (a command on files: start, parse, validate, write the report): median seconds and the
    number of results each reports."""
    data, shapes = folder / "injected.nt", folder / "shapes.nt"
    store.dump(str(data), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    shapes.write_bytes(ox.serialize([ox.Triple(*map(to_oxigraph, t)) for t in load_shapes()],
                                    format=ox.RdfFormat.N_TRIPLES))
    commands = {"ours": [sys.executable, "-m", "migration_lod", "shacl", str(data), "--shapes", str(shapes),
                         "--format", "turtle"]}
    jena = jena_shacl(folder)
    if jena is not None:
        commands["jena"] = [*jena, "validate", "--shapes", str(shapes), "--data", str(data)]
    figures: dict = {} if jena is not None else {"jena_skipped": "no Java or no Debian libapache-jena-java"}
    for name, command in commands.items():
        times, results = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            finished = subprocess.run(command, capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            if finished.returncode not in (0, 1):
                raise RuntimeError(f"{name} failed: {finished.stderr[-2000:]}")
            results = _report_results(finished.stdout)
        figures[f"{name}_files_seconds"], figures[f"{name}_results"] = statistics.median(times), results
    return figures


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
        store = as_store(graph)
        formats = {"ttl": (ox.RdfFormat.TURTLE, "turtle"), "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
                   "jsonld": (ox.RdfFormat.JSON_LD, "json-ld")}
        raw_formats: dict[str, list[float]] = {}

        def raw() -> None:
            for suffix, (fmt, _) in formats.items():
                started = time.perf_counter()
                store.dump(str(folder / f"raw.{suffix}"), format=fmt, from_graph=ox.DefaultGraph())
                raw_formats.setdefault(suffix, []).append(time.perf_counter() - started)

        stages["publish"]["pyoxigraph_seconds"], _, _ = timed(raw, runs)
        stages["publish"]["pyoxigraph_seconds_by_format"] = {k: statistics.median(v) for k, v in raw_formats.items()}
        started = time.perf_counter()
        ox.Store().bulk_load(path=str(out / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)
        stages["load store"] = {"seconds": time.perf_counter() - started}
        # Validation runs on the graph with violations injected into it.
        injected = inject(graph, rate)
        seconds, peak, fast = timed(lambda: validate(graph, origins=dataset.origins, engine="fast"), runs)
        stages["validate"] = {"seconds": seconds, "peak_mib": peak, "injected": injected, "found": found(fast)}
        stages["validate"] |= validation_from_files(store, folder, 1 if size >= 100000 else runs)
        # The references get what their users have: the same graph in rdflib's own store (copied untimed).
        plain = plain_copy(graph) if size <= max(rdflib_max, pyshacl_max) else None
        if size <= pyshacl_max:
            seconds, peak, reference = timed(lambda: validate(plain, origins=dataset.origins, engine="pyshacl"),
                                             1 if size > 10000 else runs)
            stages["validate"] |= {"pyshacl_seconds": seconds, "pyshacl_peak_mib": peak,
                                   "same_results_as_pyshacl": outcome(fast) == outcome(reference),
                                   "pyshacl_found": found(reference)}
        else:
            stages["validate"]["pyshacl_skipped"] = f"size above --pyshacl-max {pyshacl_max}"
        naive_formats: dict[str, list[float]] = {}

        def naive() -> None:
            for suffix, (_, name) in formats.items():
                started = time.perf_counter()
                plain.serialize(folder / f"rdflib.{suffix}", format=name)
                naive_formats.setdefault(suffix, []).append(time.perf_counter() - started)

        if size <= rdflib_max:
            stages["publish"]["rdflib_seconds"], _, _ = timed(naive, 1 if size >= 10000 else runs)
            stages["publish"]["rdflib_seconds_by_format"] = {k: statistics.median(v)
                                                             for k, v in naive_formats.items()}
        else:
            stages["publish"]["rdflib_skipped"] = f"size above --rdflib-max {rdflib_max}"
        build = command_line_build(data, folder / "cli-dist", 1 if size >= 100000 else runs)
        return {"records": size, "triples": len(store), "stages": stages, "build_seconds": build["seconds"],
                "build_peak_mib": build["peak_mib"],
                "stage_sum_seconds": sum(stages[s]["seconds"] for s in ("load records", "map", "validate", "publish"))}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_pipeline(result: dict) -> None:
    """A readable table of one size."""
    stages = result["stages"]
    print(f"\n{result['records']} records ({result['triples']:,} triples): `migration-lod build` "
          f"{result['build_seconds']:.1f} s, peak {result['build_peak_mib']:.0f} MiB (stages below: "
          f"{result['stage_sum_seconds']:.1f} s)")
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
    jena = (f"Jena `shacl validate` {validation['jena_files_seconds']:.2f} s, {validation['jena_results']} results "
            f"({validation['jena_files_seconds'] / validation['ours_files_seconds']:.2f}x ours)"
            if "jena_files_seconds" in validation else f"Jena skipped ({validation['jena_skipped']})")
    print(f"  validate from files: `migration-lod shacl` {validation['ours_files_seconds']:.2f} s, "
          f"{validation['ours_results']} results; {jena}")
    rdflib = (f"rdflib {publication['rdflib_seconds']:.2f} s "
              f"({publication['rdflib_seconds'] / publication['seconds']:.1f}x ours)"
              if "rdflib_seconds" in publication else f"rdflib skipped ({publication['rdflib_skipped']})")
    print(f"  publish: raw pyoxigraph {publication['pyoxigraph_seconds']:.2f} s "
          f"(ours {publication['seconds'] / publication['pyoxigraph_seconds']:.2f}x it); {rdflib}")
    for name in ("pyoxigraph", "rdflib"):
        if f"{name}_seconds_by_format" in publication:
            print(f"    {name} by format: " + ", ".join(
                f"{k} {v:.2f} s" for k, v in publication[f"{name}_seconds_by_format"].items()))
