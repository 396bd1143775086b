"""Benchmark of the streamed build (issue 17): `migration-lod build --streamed` at each size, timed with its
peak memory, beside the build in memory and raw pyoxigraph I/O (load the N-Triples dump, write Turtle,
N-Triples and JSON-LD) on the same 100k records; and whether both paths report the same problems (validation
results, and input errors where records are broken)."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from pipeline import command_line_build

from migration_lod.dataset import build
from migration_lod.problems import InputError
from migration_lod.records.folder import ReadOptions
from migration_lod.records.synth import synthesize

LARGE_FILES = ("--max-file-mib", "4096")  # a million records put 450 MB of practices in one CSV file
SAMPLE = 100000  # records on which both paths are compared, and the build compared with raw I/O


def raw_io_seconds(nt: Path, folder: Path, runs: int) -> float:
    """Median seconds of pyoxigraph alone: load the dump into a store in memory, write the three formats."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        for suffix, rdf_format in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                   ("jsonld", ox.RdfFormat.JSON_LD)):
            store.dump(str(folder / f"raw.{suffix}"), format=rdf_format, from_graph=ox.DefaultGraph())
        del store
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def same_reports(size: int, data: Path, folder: Path) -> dict:
    """Both paths compared problem by problem: the validation reports of the records in `data` (SHACL warnings
    among them), and the input errors of the same number of records with 1% of them broken."""
    options = ReadOptions(max_file_bytes=4 << 30)
    in_memory = build(data, options=options, streamed=False).validate()
    with build(data, options=options, streamed=True) as dataset:
        streamed = dataset.validate()
    broken = folder / "broken"
    synthesize(size, broken, seed=2, violations=0.01)
    errors = []
    for path in (False, True):
        try:
            build(broken, options=options, streamed=path).close()
        except InputError as exc:
            errors.append(exc.problems)
    return {"records": size, "problems": len(streamed.problems),
            "same_validation_results": streamed.problems == in_memory.problems,
            "input_errors": len(errors[0]) if errors else 0,
            "same_input_errors": len(errors) == 2 and errors[0] == errors[1]}


def streamed_builds(sizes: list[int], runs: int) -> dict:
    """The streamed build at each size; at SAMPLE records also the build in memory, raw I/O, the reports."""
    rows, figures = [], {}
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="migration-lod-streamed-"))
        try:
            data = folder / "data"
            synthesize(size, data, seed=1)
            one = 1 if size > SAMPLE else runs
            row = {"records": size, "streamed": command_line_build(data, folder / "streamed", one, "--streamed",
                                                                   *LARGE_FILES)}
            if size == SAMPLE:
                row["in_memory"] = command_line_build(data, folder / "memory", runs, "--in-memory")
                row["raw_io_seconds"] = raw_io_seconds(folder / "memory" / "migration-lod.nt", folder, runs)
                row["reports"] = same_reports(size, data, folder)
            rows.append(row)
            print_streamed(row)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    by_size = {row["records"]: row for row in rows}
    if SAMPLE in by_size:
        sample = by_size[SAMPLE]
        figures["build_vs_raw_io_100k"] = sample["in_memory"]["seconds"] / sample["raw_io_seconds"]
        figures["streamed_build_vs_raw_io_100k"] = sample["streamed"]["seconds"] / sample["raw_io_seconds"]
        figures["same_validation_results_100k"] = sample["reports"]["same_validation_results"]
        figures["same_input_errors_100k"] = sample["reports"]["same_input_errors"]
    if 1000000 in by_size:
        figures["build_1m_peak_rss_gib"] = by_size[1000000]["streamed"]["peak_mib"] / 1024
        if SAMPLE in by_size:
            figures["build_growth_100k_to_1m"] = (by_size[1000000]["streamed"]["seconds"]
                                                  / by_size[SAMPLE]["streamed"]["seconds"])
    return {"rows": rows, "summary": figures}


def print_streamed(row: dict) -> None:
    """One size, readable."""
    line = (f"{row['records']:>9,} records: streamed build {row['streamed']['seconds']:.1f} s, "
            f"{row['streamed']['peak_mib']:,.0f} MiB")
    if "in_memory" in row:
        reports = row["reports"]
        line += (f"; in memory {row['in_memory']['seconds']:.1f} s, {row['in_memory']['peak_mib']:,.0f} MiB; "
                 f"raw pyoxigraph I/O {row['raw_io_seconds']:.1f} s; the same {reports['problems']} problems "
                 f"from both paths: {reports['same_validation_results']}; the same {reports['input_errors']} "
                 f"input errors with 1% of the records broken: {reports['same_input_errors']}")
    print(line, flush=True)
