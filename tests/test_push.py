"""Pushing the dumps into real SPARQL servers (Oxigraph, Virtuoso) that the tests start on 127.0.0.1."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

import migration_lod
from migration_lod.publish.push import push

from .conftest import ROOT

GRAPH = "https://w3id.org/migration-lod/graph/test"
THAILAND = f"""SELECT ?iscm WHERE {{ GRAPH <{GRAPH}> {{
  ?m <http://www.w3.org/ns/org#member> <https://w3id.org/migration-lod/state/THA> ;
     <http://www.w3.org/ns/org#organization> ?iscm }} }} ORDER BY ?iscm"""
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped while starting (exit {process.returncode})")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"the server did not answer at {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migration_lod", *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


def bindings(endpoint: str, query: str) -> list[dict]:
    response = requests.get(endpoint, params={"query": query}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def local_thailand(dist: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(dist / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)
    return [r["iscm"].value for r in store.query(THAILAND.replace(f"GRAPH <{GRAPH}> {{", "{"))]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """The Oxigraph SPARQL server (PyPI package oxigraph), started for these tests."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.fail("the Oxigraph server is not installed: `make test` installs it (pip install oxigraph)")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(f"http://127.0.0.1:{port}/query", process)
    yield f"http://127.0.0.1:{port}"
    stop(process)


def test_put_replaces_a_graph_in_oxigraph_with_the_dump(oxigraph, dist, dataset):
    result = cli("push", dist / "migration-lod.nt", "--endpoint", oxigraph + "/store", "--graph", GRAPH)
    assert result.returncode == 0, result.stderr
    assert "replaced" in result.stderr
    assert int(bindings(oxigraph + "/query", COUNT)[0]["n"]["value"]) == len(dataset.graph)
    found = [b["iscm"]["value"] for b in bindings(oxigraph + "/query", THAILAND)]
    assert found == local_thailand(dist) and found


def test_append_adds_and_put_replaces_again(oxigraph, dist, dataset, tmp_path):
    assert cli("push", dist / "migration-lod.ttl", "--endpoint", oxigraph + "/store", "--graph", GRAPH,
               "-q").returncode == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    assert cli("push", extra, "--endpoint", oxigraph + "/store", "--graph", GRAPH, "--append").returncode == 0
    assert int(bindings(oxigraph + "/query", COUNT)[0]["n"]["value"]) == len(dataset.graph) + 1
    assert cli("push", dist / "migration-lod.nt", "--endpoint", oxigraph + "/store", "--graph", GRAPH).returncode == 0
    assert int(bindings(oxigraph + "/query", COUNT)[0]["n"]["value"]) == len(dataset.graph)


def test_a_dump_larger_than_a_part_is_sent_in_parts_and_a_gz_whole(oxigraph, dist, dataset):
    """--max-part-mib 1 cuts the 1.5 MB N-Triples dump in two, PUT then POST: the graph holds all of it."""
    assert (dist / "migration-lod.nt").stat().st_size > 1 << 20
    result = cli("push", dist / "migration-lod.nt", "--endpoint", oxigraph + "/store", "--graph", GRAPH,
                 "--max-part-mib", "1")
    assert result.returncode == 0 and "(2 part(s)" in result.stderr, result.stderr
    assert int(bindings(oxigraph + "/query", COUNT)[0]["n"]["value"]) == len(dataset.graph)
    # A .gz is sent as what it holds, with that length (its compressed length would cut the body short).
    assert cli("push", dist / "migration-lod.ttl.gz", "--endpoint", oxigraph + "/store", "--graph", GRAPH,
               "-q").returncode == 0
    assert int(bindings(oxigraph + "/query", COUNT)[0]["n"]["value"]) == len(dataset.graph)


def test_what_cannot_be_cut_into_parts_is_refused_before_anything_is_sent(dist, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/store"  # nothing listens: a request would fail otherwise
    with pytest.raises(migration_lod.InputError, match="push the N-Triples dump"):
        push(dist / "migration-lod.ttl", nowhere, max_part=100_000)
    blank = tmp_path / "blank.nt"
    blank.write_text('_:b <http://example.org/p> "x" .\n' * 10_000)
    with pytest.raises(migration_lod.InputError, match="blank nodes"):
        push(blank, nowhere, max_part=100_000)
    long_line = tmp_path / "long.nt"
    long_line.write_text(f'<http://example.org/s> <http://example.org/p> "{"x" * 200_000}" .\n')
    with pytest.raises(migration_lod.InputError, match="a line longer than a part"):
        push(long_line, nowhere, max_part=100_000)


def test_a_wrong_endpoint_gives_a_clear_error_and_exit_1(oxigraph, dist):
    nobody = f"http://127.0.0.1:{free_port()}/store"
    result = cli("push", dist / "migration-lod.nt", "--endpoint", nobody, "--retries", "2")
    assert result.returncode == 1
    assert "cannot reach" in result.stderr and "after 2 attempts" in result.stderr
    once = cli("push", dist / "migration-lod.nt", "--endpoint", nobody, "--retries", "0")
    assert once.returncode == 1 and "after 1 attempts" in once.stderr, "no retry is still one attempt"
    wrong_path = cli("push", dist / "migration-lod.nt", "--endpoint", oxigraph + "/no-such-service")
    assert wrong_path.returncode == 1 and re.search(r"answered 4\d\d", wrong_path.stderr), wrong_path.stderr
    missing = cli("push", dist / "nothing.nt", "--endpoint", oxigraph + "/store")
    assert missing.returncode == 2 and "no such file" in missing.stderr, "a missing dump is a bad input, not a refusal"


def test_transient_errors_are_retried_with_back_off(tmp_path):
    answers = [503, 500, 201]
    seen = []

    class Flaky(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, self.headers["Content-Type"], body))
            self.send_response(answers.pop(0))
            self.end_headers()

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = http.server.HTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    dump = tmp_path / "d.nt"
    dump.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    waits = []
    try:
        result = push(dump, f"http://127.0.0.1:{server.server_port}/store", graph=GRAPH, sleep=waits.append)
    finally:
        server.shutdown()
        thread.join()
    assert (result.status, result.attempts) == (201, 3)
    assert waits == [1.0, 2.0]
    assert all(body == dump.read_bytes() and kind == "application/n-triples" for _, kind, body in seen)
    assert seen[0][0] == "/store?graph=https%3A%2F%2Fw3id.org%2Fmigration-lod%2Fgraph%2Ftest"


VIRTUOSO = shutil.which("virtuoso-t")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """OpenLink Virtuoso (Debian package virtuoso-opensource-7) with a database of its own in a temp folder,
    started as the benchmark starts it (bench/virtuoso.py)."""
    if VIRTUOSO is None:
        pytest.skip("Virtuoso is not installed (virtuoso-t); `make test` installs it with apt-get when run as root")
    sys.path.insert(0, str(ROOT / "bench"))
    from virtuoso import virtuoso as running

    folder = tmp_path_factory.mktemp("virtuoso")
    with running(folder, folder) as (url, _):
        yield url


def test_put_and_append_into_virtuoso(virtuoso, dist, dataset, tmp_path):
    endpoint = virtuoso + "/sparql-graph-crud-auth"
    result = cli("push", dist / "migration-lod.nt", "--endpoint", endpoint, "--graph", GRAPH, "--user", "dba",
                 "--password", "dba", "--auth", "digest", "--max-part-mib", "1")
    assert result.returncode == 0 and "(2 part(s)" in result.stderr, result.stderr
    assert int(bindings(virtuoso + "/sparql", COUNT)[0]["n"]["value"]) == len(dataset.graph)
    found = [b["iscm"]["value"] for b in bindings(virtuoso + "/sparql", THAILAND)]
    assert found == local_thailand(dist) and found
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    assert cli("push", extra, "--endpoint", endpoint, "--graph", GRAPH, "--append", "--user", "dba",
               "--password", "dba", "--auth", "digest").returncode == 0
    assert int(bindings(virtuoso + "/sparql", COUNT)[0]["n"]["value"]) == len(dataset.graph) + 1
    refused = cli("push", extra, "--endpoint", endpoint, "--graph", GRAPH, "--user", "dba", "--password", "wrong",
                  "--auth", "digest")
    assert refused.returncode == 1 and "401" in refused.stderr and "--password" in refused.stderr
