"""The tables of BENCHMARKS.md, from bench/results.json:  python bench/report.py [results.json]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def seconds(value: float) -> str:
    """Seconds with the precision that means something at that size."""
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def size(records: int | str) -> str:
    """1000 -> 1k; the real data keeps its name."""
    return f"{records // 1000}k" if isinstance(records, int) else records


def pipeline_table(results: dict) -> list[str]:
    """One row per size: each stage beside its reference, and the build end to end."""
    lines = ["| records (triples) | load | map | validate (pyshacl, x) | publish (raw pyoxigraph, x; rdflib) "
             "| `build` end to end | build peak RSS |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for run in results["pipeline"]:
        stages = run["stages"]
        validation, publication = stages["validate"], stages["publish"]
        pyshacl = (f"{seconds(validation['pyshacl_seconds'])}, "
                   f"{validation['pyshacl_seconds'] / validation['seconds']:.1f}x" if "pyshacl_seconds" in validation
                   else "skipped")
        rdflib = (seconds(publication["rdflib_seconds"]) if "rdflib_seconds" in publication else "skipped")
        lines.append(
            f"| {size(run['records'])} ({run['triples']:,}) | {seconds(stages['load records']['seconds'])} "
            f"| {seconds(stages['map']['seconds'])} | {seconds(validation['seconds'])} ({pyshacl}) "
            f"| {seconds(publication['seconds'])} ({seconds(publication['pyoxigraph_seconds'])}, "
            f"{publication['seconds'] / publication['pyoxigraph_seconds']:.2f}x; {rdflib}) "
            f"| {seconds(run['build_seconds'])} | {run['build_peak_mib']:,.0f} MiB |")
    return lines


def formats_table(results: dict) -> list[str]:
    """The references' time per format."""
    lines = ["| records | reference | Turtle | N-Triples | JSON-LD |", "| --- | --- | --- | --- | --- |"]
    for run in results["pipeline"]:
        publication = run["stages"]["publish"]
        for name in ("pyoxigraph", "rdflib"):
            figures = publication.get(f"{name}_seconds_by_format")
            if figures:
                lines.append(f"| {size(run['records'])} | {name} | {seconds(figures['ttl'])} "
                             f"| {seconds(figures['nt'])} | {seconds(figures['jsonld'])} |")
    return lines


def files_table(results: dict) -> list[str]:
    """SHACL validation from files, as a command: ours beside Apache Jena's `shacl validate`."""
    lines = ["| records | `migration-lod shacl` | Jena `shacl validate` | Jena / ours | results (ours, Jena) |",
             "| --- | --- | --- | --- | --- |"]
    for run in results["pipeline"]:
        validation = run["stages"]["validate"]
        if "ours_files_seconds" not in validation:
            continue
        jena = ((seconds(validation["jena_files_seconds"]),
                 f"{validation['jena_files_seconds'] / validation['ours_files_seconds']:.2f}",
                 validation["jena_results"]) if "jena_files_seconds" in validation else ("skipped", "", ""))
        lines.append(f"| {size(run['records'])} | {seconds(validation['ours_files_seconds'])} | {jena[0]} "
                     f"| {jena[1]} | {validation['ours_results']}, {jena[2]} |")
    return lines


def endpoint_table(result: dict) -> list[str]:
    """The five queries at one size: ours, the Oxigraph server, rdflib (and an earlier commit, when measured)."""
    before = all("before_ms" in row for row in result["queries"].values())
    lines = [f"{size(result['records'])} ({result['triples']:,} triples; our server ready in "
             f"{result['startup_seconds']} s, rdflib's parse {result['rdflib_load_seconds']} s):", "",
             "| query | ours | Oxigraph server | rdflib | x rdflib | / Oxigraph server |"
             + (" before | / before |" if before else ""),
             "| --- | --- | --- | --- | --- | --- |" + (" --- | --- |" if before else "")]
    for name, row in result["queries"].items():
        lines.append(f"| {name} | {row['ours_ms']:,.1f} ms | {row['oxigraph_server_ms']:,.1f} ms "
                     f"| {row['rdflib_ms']:,.1f} ms | {row['speedup_vs_rdflib']:.1f} "
                     f"| {row['vs_oxigraph_server']:.2f} |"
                     + (f" {row['before_ms']:,.1f} ms | {row['vs_before']:.2f} |" if before else ""))
    return lines


def starvation_table(results: dict) -> list[str]:
    """A simple query's latency while N clients send endless queries and hang up, now and before."""
    runs = {label: {row["attackers"]: row for row in results["starvation"][label]}
            for label in ("before", "after") if label in results["starvation"]}
    lines = ["| clients sending endless queries | " + " | ".join(
        f"{label}: median / p90 / max (answered of asked)" for label in runs) + " |",
             "| --- |" + " --- |" * len(runs)]

    def cell(row: dict) -> str:
        if row["median_ms"] is None:
            return f"none answered in 90 s (0 of {row['failed']})"
        return (f"{row['median_ms']:,.0f} / {row['p90_ms']:,.0f} / {row['max_ms']:,.0f} ms "
                f"({row['answered']} of {row['answered'] + row['failed']})")

    for count in results["starvation"]["attackers"]:
        lines.append(f"| {count} | " + " | ".join(cell(rows[count]) for rows in runs.values()) + " |")
    return lines


def reconcile_tables(result: dict) -> list[str]:
    """Precision and recall@3 by type (exact and noisy side by side), then the latency of a 10-query batch."""
    rows: dict[str, dict] = {}
    for name, row in result["precision"].items():
        key, kind = name.split()
        rows.setdefault(key, {})[kind] = row
    lines = ["| type | exact: queries | top-1 | recall@3 | noisy: queries | top-1 | recall@3 |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for key, kinds in rows.items():
        cells = [f"{kinds[k]['queries']} | {kinds[k]['precision']:.3f} | {kinds[k]['recall_at_3']:.3f}"
                 if k in kinds else "- | - | -" for k in ("exact", "noisy")]
        lines.append(f"| {key} | {cells[0]} | {cells[1]} |")
    lines += ["", "| data | 10-query batch, median | p95 | index ready after | server's main process |",
              "| --- | --- | --- | --- | --- |"]
    lines += [f"| {label} | {row['median_ms']} ms | {row['p95_ms']} ms | {row['ready_seconds']} s "
              f"| {row['server_rss_mib']} MiB |" for label, row in result["latency"].items()]
    return lines


def main() -> None:
    """Print the tables as Markdown."""
    results = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else RESULTS).read_text())
    print("\n".join(pipeline_table(results)), end="\n\n")
    print("\n".join(formats_table(results)), end="\n\n")
    print("\n".join(files_table(results)), end="\n\n")
    for result in results["endpoint"]:
        print("\n".join(endpoint_table(result)), end="\n\n")
    if results.get("starvation"):
        print("\n".join(starvation_table(results)), end="\n\n")
    if results.get("reconcile"):
        print("\n".join(reconcile_tables(results["reconcile"])), end="\n\n")
    print("Summary:", json.dumps(results.get("summary", {}), indent=1))


if __name__ == "__main__":
    main()
