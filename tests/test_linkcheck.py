"""The online link checker, against a local HTTP proxy that behaves like the web does."""

from __future__ import annotations

import http.server
import json
import threading
import time
import typing

import pytest
from pytest_socket import _remove_restrictions, socket_allow_hosts

from migration_lod.links.online import LinkChecker, external_iris

UN = "http://metadata.un.org/sdg/"
BEHAVIOUR = {  # IRI -> what the web does
    UN + "10.7": "ok", UN + "C100701": "see-other", UN + "codes/geoArea/999": "not-found", UN + "gone": "gone",
    UN + "flaky": "flaky", UN + "slow": "slow", UN + "loop-a": "loop", UN + "loop-b": "loop", UN + "no-head": "no-head",
    UN + "moved": "moved", UN + "busy": "flaky",
}
EXPECTED = {  # IRI -> (ok, status)
    UN + "10.7": (True, 200), UN + "C100701": (True, 303), UN + "codes/geoArea/999": (False, 404),
    UN + "gone": (False, 410), UN + "flaky": (True, 200), UN + "slow": (False, None), UN + "loop-a": (False, None),
    UN + "no-head": (True, 200), UN + "moved": (True, 200), UN + "busy": (True, 200),
}


class Web(http.server.BaseHTTPRequestHandler):
    """A forward proxy: the request line carries the absolute IRI, answered by its behaviour."""

    seen: typing.ClassVar[list[tuple[str, str, dict]]] = []
    failures: typing.ClassVar[dict[str, int]] = {}  # IRI -> the status it answers once before it works

    def handle_one(self, method: str) -> None:
        iri = self.path
        Web.seen.append((method, iri, dict(self.headers)))
        behaviour = BEHAVIOUR.get(iri, "not-found")
        if iri == UN + "target":
            behaviour = "ok"
        if behaviour == "ok" and self.headers.get("If-None-Match") == '"v1"':
            return self.answer(304)
        if behaviour == "flaky" and iri in Web.failures:
            return self.answer(Web.failures.pop(iri))
        if behaviour == "slow":
            time.sleep(1.5)
        if behaviour == "no-head" and method == "HEAD":
            return self.answer(405)
        answers = {"ok": (200, {"ETag": '"v1"', "Content-Type": "text/turtle"}),
                   "see-other": (303, {"Location": iri + ".ttl"}), "not-found": (404, {}), "gone": (410, {}),
                   "flaky": (200, {}), "slow": (200, {}), "no-head": (200, {}),
                   "loop": (301, {"Location": UN + ("loop-b" if iri.endswith("loop-a") else "loop-a")}),
                   "moved": (308, {"Location": UN + "target"})}
        status, headers = answers[behaviour]
        self.answer(status, headers)

    def answer(self, status: int, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.handle_one("HEAD")

    def do_GET(self):
        self.handle_one("GET")

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture
def web():
    Web.seen = []
    Web.failures = {UN + "flaky": 500, UN + "busy": 408}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Web)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "links.nt"
    lines = [f"<https://w3id.org/migration-lod/practice/p{n}> <http://www.w3.org/2004/02/skos/core#exactMatch> "
             f"<{iri}> .\n" for n, iri in enumerate(EXPECTED)]
    lines.append("<https://w3id.org/migration-lod/practice/p0> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                 "<http://www.w3.org/2004/02/skos/core#Concept> .\n")
    lines.append("<https://w3id.org/migration-lod/practice/p0> <http://example.org/p> "
                 "<https://w3id.org/migration-lod/iscm/own> .\n")
    path.write_text("".join(lines))
    return path


@pytest.fixture
def only_loopback():
    """Any connection to a host but 127.0.0.1 fails the test (pytest-socket); restored after it."""
    socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    yield
    _remove_restrictions()


def checker(web, tmp_path, **options):
    defaults = {"timeout": 0.5, "retries": 2, "backoff": 0.01, "interval": 0.0, "cache_dir": tmp_path / "cache",
                "proxy": web}
    return LinkChecker(**{**defaults, **options})


def test_the_verdict_on_each_behaviour(web, dump, tmp_path, only_loopback):
    iris = external_iris(dump, ("https://w3id.org/migration-lod/",))
    assert set(iris) == set(EXPECTED), "own IRIs and rdf:type classes are not checked"
    results = {r.iri: r for r in checker(web, tmp_path).check(iris)}
    assert {iri: (r.ok, r.status) for iri, r in results.items()} == EXPECTED
    assert "timeout" in results[UN + "slow"].reason
    assert "redirect loop" in results[UN + "loop-a"].reason
    assert results[UN + "moved"].final == UN + "target"
    assert results[UN + "gone"].used_by == ["https://w3id.org/migration-lod/practice/p3"]
    methods = [(m, iri) for m, iri, _ in Web.seen]
    assert ("GET", UN + "no-head") in methods, "GET after a refused HEAD"
    assert sum(1 for m, iri in methods if iri == UN + "flaky") == 2, "retried once after the 500"
    assert sum(1 for m, iri in methods if iri == UN + "busy") == 2, "retried once after the 408 Request Timeout"
    assert all(h.get("Accept", "").startswith("text/turtle") for _, _, h in Web.seen)


def test_a_second_run_asks_nothing_for_fresh_entries(web, dump, tmp_path, only_loopback):
    iris = external_iris(dump, ("https://w3id.org/migration-lod/",))
    checker(web, tmp_path).check(iris)
    Web.seen = []
    second = checker(web, tmp_path)
    results = {r.iri: r for r in second.check(iris)}
    fresh = {iri for iri, (ok, _) in EXPECTED.items() if ok}
    assert not any(iri in fresh for _, iri, _ in Web.seen), "no request for fresh entries"
    assert all(results[iri].ok for iri in fresh)
    assert {iri for _, iri, _ in Web.seen} <= set(EXPECTED) - fresh | {UN + "loop-b"}


def test_stale_entries_are_revalidated_with_their_validators(web, dump, tmp_path, only_loopback):
    iris = {UN + "10.7": ["x"]}
    checker(web, tmp_path).check(iris)
    Web.seen = []
    [result] = checker(web, tmp_path, max_age=0).check(iris)
    assert result.ok and result.reason == "not modified"
    assert Web.seen[0][2].get("If-None-Match") == '"v1"'


def test_per_host_concurrency_and_rate(web, tmp_path, only_loopback):
    iris = {UN + "slow": ["x"], UN + "10.7": ["y"], UN + "gone": ["z"]}
    started = time.monotonic()
    checker(web, tmp_path, per_host=1, interval=0.2, retries=0, timeout=2.0).check(iris)
    assert time.monotonic() - started >= 1.5 + 0.2, "one request at a time to the host, spaced by the interval"


def test_the_command_prints_broken_links_and_exits_1(web, dump, tmp_path, cli):
    result = cli("links", "check", "--dump", dump, "--proxy", web, "--timeout", "0.5", "--retries", "1",
                 "--interval", "0", "--cache", tmp_path / "cache")
    assert result.returncode == 1
    assert "4 broken link(s)" in result.stdout
    assert "http://metadata.un.org/sdg/gone" in result.stdout and "practice/p3" in result.stdout
    as_json = cli("links", "check", "--dump", dump, "--proxy", web, "--timeout", "0.5", "--retries", "0",
                  "--interval", "0", "--json")
    rows = {r["iri"]: r["ok"] for r in json.loads(as_json.stdout)}
    assert rows == {iri: ok for iri, (ok, _) in EXPECTED.items()}
