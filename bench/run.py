"""Benchmarks, each figure beside its reference measured in the same run on the same data.

- pipeline: load, map, validate (beside pyshacl), publish (beside raw pyoxigraph and rdflib), per size;
- endpoint: median latency of five representative queries through `migration-lod serve`, beside the
  Oxigraph server (the limit) and rdflib's SPARQL engine (the naive baseline);
- starvation: the latency of a simple query while N clients send endless queries and hang up, on the
  real data, beside the same measure of another source tree (`--before-src`, an earlier commit);
- diff: `migration-lod diff` of a dump and a copy with 1 % of its records changed, beside rdflib's
  graph_diff on the same pair (up to --diff-rdflib-max triples), seconds and peak memory;
- virtuoso (run only when asked: it takes long): a dump of --virtuoso-records records loaded into Virtuoso
  by its bulk loader and by `migration-lod push`, timed;
- lookups: requests/s and latency of lookups by IRI from 1, 8 and 32 concurrent keep-alive clients,
  beside the Oxigraph server on the same publication (and `--before-src`, when given);
- reconcile: top-1 precision and recall@3 of /reconcile on the test set, and the latency of a 10-query batch
  over HTTP on the real data and on --reconcile-records synthetic records;
- streamed (run only when asked: a million records take about 26 minutes): `build --streamed` at
  --streamed-sizes records, time and peak memory, beside the build in memory and raw pyoxigraph I/O at 100k,
  and both paths' validation reports compared.

    python bench/run.py [--sizes 1000 10000 100000] [--runs 3]
                        [--part all|pipeline|endpoint|starvation|diff|virtuoso|streamed|lookups|reconcile]
                        [--lookup-records 100000] [--lookup-seconds 10] [--lookup-concurrency 1 8 32]
                        [--virtuoso-records 1000000] [--streamed-sizes 100000 1000000]
                        [--attackers 0 1 2 4 8] [--before-src CHECKOUT/src]

Writes bench/results.json and prints tables. Figures, not assertions: no test depends on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from changes import changes, print_changes  # noqa: E402
from lookups import lookup_rate, print_lookups, subjects  # noqa: E402
from pipeline import pipeline, print_pipeline  # noqa: E402
from reconciliation import batch_latency, precision, print_reconciliation  # noqa: E402
from starvation import print_starvation, starvation  # noqa: E402
from streamed import streamed_builds  # noqa: E402
from virtuoso import load_into_virtuoso, print_virtuoso  # noqa: E402

from migration_lod.dataset import Dataset, assemble, load_metadata  # noqa: E402
from migration_lod.rdf.terms import as_store  # noqa: E402
from migration_lod.records.folder import ReadOptions  # noqa: E402
from migration_lod.records.load import load_records  # noqa: E402
from migration_lod.records.synth import synthesize  # noqa: E402

PREFIXES = """PREFIX mig: <https://w3id.org/migration-lod/ontology/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
QUERIES = {
    "lookup by IRI": "SELECT ?p ?o WHERE { <%(iri)s> ?p ?o }",
    "filter by concept": "SELECT ?practice WHERE { ?practice mig:gcmObjective "
                         "<https://w3id.org/migration-lod/vocab/gcm-objectives/9> }",
    "ISCM -> members -> region join": "SELECT ?iscm ?region (COUNT(?state) AS ?n) WHERE { ?iscm org:hasMember ?state . "
                                      "?state mig:geoArea ?area . ?area skos:broader ?region } GROUP BY ?iscm ?region",
    "count per cluster": "SELECT ?cluster (COUNT(?practice) AS ?n) WHERE { ?practice mig:gcmElement ?element . "
                         "?element mig:inCluster ?cluster } GROUP BY ?cluster",
    "OPTIONAL + ORDER BY + LIMIT": "SELECT ?practice ?label ?date WHERE { ?practice a mig:Initiative ; "
                                   "skos:prefLabel ?label OPTIONAL { ?practice dcterms:date ?date } } "
                                   "ORDER BY DESC(?date) ?practice LIMIT 20",
}
SLOW = 60.0  # a reference run slower than this is not repeated


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} stopped")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer at {url}")


def median_ms(run: Callable[[], object], runs: int) -> tuple[float, int]:
    """Median wall time of `runs` calls in milliseconds (one warm-up first); slow calls are not repeated."""
    started = time.perf_counter()
    run()
    first = time.perf_counter() - started
    if first > SLOW:
        return first * 1000, 1
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, runs


def http_query(url: str, query: str) -> int:
    response = requests.post(url, data={"query": PREFIXES + query}, timeout=600,
                             headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def _dataset(size: int | None, folder: Path) -> Dataset:
    """The real data (size None) or a synthetic dataset of `size` records, mapped."""
    data = ROOT / "data" if size is None else folder / "data"
    if size is not None:
        synthesize(size, data, seed=1)
    # A million synthetic records put 450 MB of practices in one CSV file, past the default limit of 256 MiB.
    records = load_records(data, options=ReadOptions(max_file_bytes=4 << 30))
    return assemble(records, data_dir=data, metadata=load_metadata(data))


def dataset_nt(size: int | None, folder: Path) -> Path:
    """The real data (size None) or a synthetic dataset of `size` records, mapped and written as N-Triples."""
    path = folder / "data.nt"
    as_store(_dataset(size, folder).graph).dump(path, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return path


def publication(size: int | None, folder: Path) -> Path:
    """The real data or a synthetic dataset published as `build` publishes it (with its query store)."""
    _dataset(size, folder).publish(folder / "dist")
    return folder / "dist"


@contextmanager
def running(command: list[str], path: str, python_path: str | None = None) -> Iterator[tuple[str, float]]:
    """A server started from `command` (with {port}), stopped afterwards: its URL at `path` and the seconds
    from its start to its first answer."""
    port = free_port()
    environment = {**os.environ, **({"PYTHONPATH": python_path} if python_path else {})}
    started = time.perf_counter()
    server = subprocess.Popen([part.format(port=port) for part in command], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=environment)
    try:
        url = f"http://127.0.0.1:{port}{path}"
        wait(url, server)
        yield url, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()


def oxigraph_binary() -> str:
    """The Oxigraph server's command (the `oxigraph` package installs it beside this Python)."""
    return shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def bench(size: int | None, runs: int, before_src: Path | None = None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
    try:
        nt = publication(size, folder) / "migration-lod.nt"
        triples = sum(1 for _ in nt.open("rb"))
        iri = next(line.split(b" ", 1)[0].strip(b"<>").decode() for line in nt.open("rb")
                   if b"/iscm/" in line.split(b" ", 1)[0])
        queries = {name: q % {"iri": iri} if "%(iri)s" in q else q for name, q in QUERIES.items()}
        figures: dict[str, dict] = {name: {} for name in queries}

        oxigraph = oxigraph_binary()
        location = folder / "oxigraph"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(nt)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = [sys.executable, "-m", "migration_lod", "serve", str(nt), "--port", "{port}", "--timeout", "600"]
        servers = {  # figure -> (command with {port}, query path, PYTHONPATH)
            "ours_ms": (ours, "/sparql", None),
            "oxigraph_server_ms": ([oxigraph, "serve-read-only", "--location", str(location), "--bind",
                                    "127.0.0.1:{port}"], "/query", None),
            **({"before_ms": (ours, "/sparql", str(before_src))} if before_src else {}),
        }
        startup = {}
        with running([*ours, "--load-dumps"], "/sparql") as (_, seconds):
            startup["loading"] = seconds
        for figure, (command, path, python_path) in servers.items():
            with running(command, path, python_path) as (url, seconds):
                startup[figure] = seconds
                for name, query in queries.items():
                    figures[name][figure], _ = median_ms(lambda q=query, u=url: http_query(u, q), runs)

        started = time.perf_counter()
        graph = Graph()
        graph.parse(nt, format="nt")
        rdflib_load = time.perf_counter() - started
        for name, query in queries.items():
            figures[name]["rdflib_ms"], figures[name]["rdflib_runs"] = median_ms(
                lambda q=query: len(list(graph.query(PREFIXES + q))), min(runs, 3))
        for row in figures.values():
            row["speedup_vs_rdflib"] = row["rdflib_ms"] / row["ours_ms"]
            row["vs_oxigraph_server"] = row["ours_ms"] / row["oxigraph_server_ms"]
            if "before_ms" in row:
                row["vs_before"] = row["ours_ms"] / row["before_ms"]
        return {"records": size or "real data", "triples": triples,
                "startup_seconds": round(startup["ours_ms"], 2),
                "startup_loading_dumps_seconds": round(startup["loading"], 2),
                "rdflib_load_seconds": round(rdflib_load, 2), "queries": figures}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lookups(size: int, seconds: float, concurrency: list[int], before_src: Path | None) -> dict:
    """Lookups by IRI from concurrent keep-alive clients: this endpoint (and the one at `before_src`) beside
    the Oxigraph server, on one publication of `size` synthetic records."""
    folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
    try:
        dist = publication(size, folder)
        iris = subjects(dist / "migration-lod.nt")
        oxigraph = oxigraph_binary()
        ours = [sys.executable, "-m", "migration_lod", "serve", str(dist / "migration-lod.nt"), "--port", "{port}"]
        servers = {"ours": (ours, "/sparql", None),
                   "oxigraph server": ([oxigraph, "serve-read-only", "--location", str(dist / "store" / "oxigraph"),
                                        "--bind", "127.0.0.1:{port}"], "/query", None),
                   **({"before": (ours, "/sparql", str(before_src))} if before_src else {})}
        result: dict = {"records": size, "seconds": seconds, "servers": {}}
        for name, (command, path, python_path) in servers.items():
            with running(command, path, python_path) as (url, _):
                result["servers"][name] = [lookup_rate(url, iris, n, seconds) for n in concurrency]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rates = {name: {row["concurrency"]: row["requests_per_s"] for row in rows}
             for name, rows in result["servers"].items()}
    if 8 in concurrency:
        result["summary"] = {"lookup_rps_vs_oxigraph_c8": rates["ours"][8] / rates["oxigraph server"][8]}
    return result


def reconcile(records: int, batches: int) -> dict:
    """The reconcile part: precision on the real data, batch latency on the real data and at `records`."""
    folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
    try:
        real = publication(None, folder / "real")
        result: dict = {"precision": precision(real), "latency": {}}
        for label, size in (("real", None), (f"{records // 1000}k", records)):
            dist = real if size is None else publication(size, folder / label)
            result["latency"][label] = batch_latency(dist, free_port(), batches)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Run the benchmark and write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--part", choices=["all", "pipeline", "endpoint", "starvation", "diff", "virtuoso",
                                           "streamed", "lookups", "reconcile"], default="all")
    parser.add_argument("--reconcile-records", type=int, default=100000, help="records of the reconcile part")
    parser.add_argument("--reconcile-batches", type=int, default=50, help="batches timed per dataset")
    parser.add_argument("--lookup-records", type=int, default=100000, help="records of the lookups part")
    parser.add_argument("--lookup-seconds", type=float, default=10.0, help="seconds per server and concurrency")
    parser.add_argument("--lookup-concurrency", nargs="*", type=int, default=[1, 8, 32])
    parser.add_argument("--streamed-sizes", nargs="*", type=int, default=[100000, 1000000],
                        help="records of the streamed builds (--part streamed; 1M takes 26-34 minutes)")
    parser.add_argument("--virtuoso-records", type=int, default=1000000,
                        help="records of the dump loaded into Virtuoso (--part virtuoso)")
    parser.add_argument("--attackers", nargs="*", type=int, default=[0, 1, 2, 4, 8],
                        help="numbers of clients sending endless queries (starvation)")
    parser.add_argument("--before-src", type=Path,
                        help="the src/ folder of an earlier checkout, measured beside this one (endpoint, starvation)")
    parser.add_argument("--pyshacl-max", type=int, default=100000,
                        help="largest size at which pyshacl runs (it takes minutes at 100k)")
    parser.add_argument("--rdflib-max", type=int, default=10000,
                        help="largest size at which rdflib's serialisers run (3 minutes at 10k)")
    parser.add_argument("--violations", type=float, default=0.01, help="share of practices to break")
    parser.add_argument("--diff-rdflib-max", type=int, default=250000,
                        help="largest dump (triples) on which rdflib's graph_diff runs (minutes beyond)")
    args = parser.parse_args()
    output = ROOT / "bench" / "results.json"
    previous = json.loads(output.read_text()) if output.is_file() else {}
    # The parts not run keep their figures from the previous run.
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()},
                     "runs": args.runs if args.part in ("all", "pipeline", "endpoint") else previous.get("runs"),
                     **{part: [] if args.part in ("all", part) else previous.get(part, [])
                        for part in ("pipeline", "endpoint", "diff")},
                     "starvation": previous.get("starvation", {}), "virtuoso": previous.get("virtuoso", {}),
                     "streamed": previous.get("streamed", {}), "lookups": previous.get("lookups", {}),
                     "reconcile": previous.get("reconcile", {})}
    summary: dict = {}
    for size in args.sizes if args.part in ("all", "pipeline") else []:
        result = pipeline(size, args.runs, args.pyshacl_max, args.violations, args.rdflib_max)
        results["pipeline"].append(result)
        print_pipeline(result)
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if results["pipeline"]:
        largest = results["pipeline"][-1]
        publication, validation = largest["stages"]["publish"], largest["stages"]["validate"]
        summary |= {"largest_size": largest["records"],
                    "load_records_per_s": largest["records"] / largest["stages"]["load records"]["seconds"],
                    "publish_vs_pyoxigraph": publication["seconds"] / publication["pyoxigraph_seconds"]}
        compared = [r for r in results["pipeline"] if "rdflib_seconds" in r["stages"]["publish"]]
        if compared:
            publication = compared[-1]["stages"]["publish"]
            summary["publish_vs_rdflib"] = publication["rdflib_seconds"] / publication["seconds"]
            summary["publish_vs_rdflib_size"] = compared[-1]["records"]
        if "pyshacl_seconds" in validation:
            summary["validate_speedup_vs_pyshacl"] = validation["pyshacl_seconds"] / validation["seconds"]
        for result in results["pipeline"]:
            if result["records"] == 100000:
                summary["build_100k_seconds"] = result["build_seconds"]
        sizes = {r["records"]: r for r in results["pipeline"]}
        if 10000 in sizes and 100000 in sizes:
            summary["growth_10k_to_100k"] = {stage: sizes[100000]["stages"][stage]["seconds"] /
                                             sizes[10000]["stages"][stage]["seconds"]
                                             for stage in sizes[10000]["stages"]}
    for size in [None, *args.sizes] if args.part in ("all", "endpoint") else []:
        result = bench(size, args.runs, args.before_src)
        results["endpoint"].append(result)
        print(f"\n{result['records']} ({result['triples']:,} triples; server ready in {result['startup_seconds']} s "
              f"from the publication's store, {result['startup_loading_dumps_seconds']} s loading the dump)")
        print(f"{'query':34} {'ours ms':>9} {'oxigraph ms':>12} {'rdflib ms':>11} {'x rdflib':>9} {'/ oxigraph':>11}"
              f" {'before ms':>10}")
        for name, row in result["queries"].items():
            print(f"{name:34} {row['ours_ms']:9.1f} {row['oxigraph_server_ms']:12.1f} {row['rdflib_ms']:11.1f} "
                  f"{row['speedup_vs_rdflib']:9.1f} {row['vs_oxigraph_server']:11.2f} {row.get('before_ms', 0):10.1f}")
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    for size in args.sizes if args.part in ("all", "diff") else []:
        folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
        try:
            result = {"records": size, **changes(dataset_nt(size, folder), folder, ROOT / "src",
                                                 args.diff_rdflib_max)}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        results["diff"].append(result)
        print_changes(size, result)
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if args.part in ("all", "starvation"):
        folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
        try:
            nt = dataset_nt(None, folder)
            sources = {"after": None, **({"before": args.before_src} if args.before_src else {})}
            results["starvation"] = {"attackers": args.attackers, "time_limit_seconds": 30, "workers": 2}
            for label, src in sources.items():
                rows = starvation(nt, free_port(), args.attackers, src)
                results["starvation"][label] = rows
                print_starvation(f"{label} ({src or 'this checkout'})", rows)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.part == "streamed":
        results["streamed"] = {"runs": args.runs, **streamed_builds(args.streamed_sizes, args.runs)}
    summary |= results["streamed"].get("summary", {})
    if args.part in ("all", "lookups"):
        results["lookups"] = lookups(args.lookup_records, args.lookup_seconds, args.lookup_concurrency,
                                     args.before_src)
        print_lookups(results["lookups"])
    summary |= results["lookups"].get("summary", {})
    if args.part in ("all", "reconcile"):
        results["reconcile"] = reconcile(args.reconcile_records, args.reconcile_batches)
        print_reconciliation(results["reconcile"])
    for label, row in results["reconcile"].get("latency", {}).items():
        summary[f"reconcile_batch10_{label}_median_ms"] = row["median_ms"]
    if args.part == "virtuoso":
        folder = Path(tempfile.mkdtemp(prefix="migration-lod-bench-"))
        try:
            nt = dataset_nt(args.virtuoso_records, folder)
            results["virtuoso"] = {"records": args.virtuoso_records, **load_into_virtuoso(nt)}
            print_virtuoso(args.virtuoso_records, results["virtuoso"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    for label in ("after", "before"):
        if results["starvation"].get(label):
            summary[f"starvation_{label}_median_ms"] = {row["attackers"]: row["median_ms"]
                                                        for row in results["starvation"][label]}
    for result in results["endpoint"]:
        if result["records"] == 100000:
            summary["serve_restart_100k_seconds"] = result["startup_seconds"]
            summary["serve_loading_dumps_100k_seconds"] = result["startup_loading_dumps_seconds"]
    if results["endpoint"]:
        largest_queries = results["endpoint"][-1]["queries"].values()
        summary |= {
            "query_vs_oxigraph_server": statistics.median(r["vs_oxigraph_server"] for r in largest_queries),
            "query_speedup_vs_rdflib": statistics.median(r["speedup_vs_rdflib"] for r in largest_queries),
        }
    if results["diff"]:
        largest_diff = results["diff"][-1]
        summary |= {"diff_largest_triples": largest_diff["triples"],
                    "diff_largest_seconds": largest_diff["ours"]["seconds"],
                    "diff_largest_peak_mib": largest_diff["ours"]["peak_mib"]}
        compared_diffs = [r for r in results["diff"] if "speedup_vs_rdflib" in r]
        if compared_diffs:
            summary["diff_speedup_vs_rdflib_graph_diff"] = compared_diffs[-1]["speedup_vs_rdflib"]
            summary["diff_speedup_vs_rdflib_triples"] = compared_diffs[-1]["triples"]
    results["summary"] = summary
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\nsummary at the largest size:", json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
