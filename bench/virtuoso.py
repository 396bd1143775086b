"""A dump loaded into OpenLink Virtuoso, the route for users who outgrow one machine: by Virtuoso's own bulk
loader (`ld_dir` + `rdf_loader_run`, then a checkpoint) and by `migration-lod push` (the SPARQL 1.1 Graph
Store Protocol, one streamed PUT), each into a fresh database, timed, with the triples counted afterwards."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

GRAPH = "https://w3id.org/migration-lod/graph"
BUFFERS = 680_000  # 5.3 GB of pages for the loads, as Virtuoso's guide sizes them for a machine with 8 GB free
ADMIN = "dba"  # the administrator of a fresh Virtuoso database, whose password is its name
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def virtuoso(folder: Path, dumps: Path, buffers: int | None = None) -> Iterator[tuple[str, int]]:
    """Virtuoso with a database of its own in `folder`, allowed to read `dumps`, with `buffers` pages of 8 KB
    (the Debian template's otherwise): (HTTP URL, SQL port)."""
    template = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text()
    sql_port, http_port = _free_port(), _free_port()
    ini = re.sub(r"/var/lib/virtuoso-opensource-7/db", str(folder), template)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111", f"ServerPort = {sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890", f"ServerPort = 127.0.0.1:{http_port}", ini)
    ini = re.sub(r"(?m)^DirsAllowed\s*=.*$", f"DirsAllowed = ., {folder}, {dumps}", ini)
    if buffers is not None:  # Virtuoso's guide: dirty buffers three quarters of the buffers
        ini = re.sub(r"(?m)^NumberOfBuffers\s*=.*$", f"NumberOfBuffers = {buffers}", ini)
        ini = re.sub(r"(?m)^MaxDirtyBuffers\s*=.*$", f"MaxDirtyBuffers = {buffers * 3 // 4}", ini)
    (folder / "virtuoso.ini").write_text(ini)
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}"
    try:
        for _ in range(1200):
            if process.poll() is not None:
                raise RuntimeError("virtuoso-t stopped")
            try:
                requests.get(url + "/sparql", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url, sql_port
    finally:
        process.terminate()
        process.wait(120)


def _isql(port: int, *statements: str) -> None:
    subprocess.run(["isql-vt", str(port), ADMIN, ADMIN, f"exec={' '.join(statements)}"], check=True,
                   stdout=subprocess.DEVNULL, timeout=24 * 3600)


def _count(url: str) -> int:
    answer = requests.post(url + "/sparql", data={"query": COUNT}, timeout=3600,
                           headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def bulk_load(nt: Path) -> dict:
    """Seconds of Virtuoso's bulk loader on the dump, and the triples it then holds."""
    with tempfile.TemporaryDirectory(prefix="migration-lod-virtuoso-") as scratch, \
            virtuoso(Path(scratch), nt.parent, BUFFERS) as (url, port):
        started = time.perf_counter()
        _isql(port, f"ld_dir('{nt.parent}', '{nt.name}', '{GRAPH}');", "rdf_loader_run();", "checkpoint;")
        return {"seconds": time.perf_counter() - started, "triples": _count(url)}


def push_dump(nt: Path) -> dict:
    """Seconds of `migration-lod push` (its API, with no time limit on the answer) of the dump into the Graph
    Store endpoint, and the triples it then holds; the error, if Virtuoso refuses or fails."""
    from migration_lod.publish.push import PushError, push

    with tempfile.TemporaryDirectory(prefix="migration-lod-virtuoso-") as scratch, \
            virtuoso(Path(scratch), nt.parent, BUFFERS) as (url, _):
        started = time.perf_counter()
        try:
            result = push(nt, url + "/sparql-graph-crud-auth", graph=GRAPH, user=ADMIN, password=ADMIN,
                          auth="digest", timeout=24 * 3600)
        except PushError as exc:
            return {"seconds": time.perf_counter() - started, "error": str(exc)[-500:]}
        return {"seconds": time.perf_counter() - started, "triples": _count(url), "parts": result.parts,
                "attempts": result.attempts}


def load_into_virtuoso(nt: Path) -> dict:
    """Both routes on the same dump, or why not (Virtuoso missing)."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return {"skipped": "Virtuoso is not installed (Debian package virtuoso-opensource-7)"}
    triples = sum(1 for _ in nt.open("rb"))
    return {"triples": triples, "bytes": nt.stat().st_size, "bulk_loader": bulk_load(nt), "push": push_dump(nt)}


def print_virtuoso(records: int, result: dict) -> None:
    """One line per route."""
    print(f"\nVirtuoso, {records:,} records")
    print(json.dumps(result, indent=1))
