"""An endpoint you can put on the public internet: no outbound connection, no starvation, no crash from a bad
request, every resource bounded. Real servers, real sockets, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migration_lod.serve.limits import Limits
from migration_lod.serve.messages import QueryError, QueryRequest
from migration_lod.serve.pool import QueryEngine

from .conftest import JSON_RESULTS, Server, cpu_ticks, eventually

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK {}"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it gets (and closes it at once)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            with contextlib.suppress(TimeoutError, OSError):
                connection, address = self.socket.accept()
                self.connections.append(address)
                connection.close()

    def close(self) -> list[tuple[str, int]]:
        """Stop listening (after a moment for late connections); the connections received."""
        time.sleep(0.5)
        self.running = False
        self.thread.join()
        self.socket.close()
        return self.connections


@pytest.fixture(scope="module")
def server(dist):
    """Default settings, as `migration-lod serve` runs when nothing is said."""
    running = Server(dist / "migration-lod.nt")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def tight(dist):
    """Small limits, to reach each of them quickly."""
    running = Server(dist / "migration-lod.nt", options=(
        "--timeout", "3", "--workers", "2", "--worker-memory-mib", "256", "--max-query-bytes", "100000",
        "--max-uri-bytes", "8192", "--head-timeout", "1", "--client-queries", "1", "--client-waiting", "1",
        "--max-waiting", "2"))
    yield running
    running.stop()


@pytest.fixture
def listener():
    running = Listener()
    yield running
    if running.running:
        running.close()


def service_queries(target: str) -> list[str]:
    """Query texts that hold a SERVICE clause, in every form and with the tricks that fooled a text check."""
    base, port = target.rsplit("/", 1)[0], target.split(":")[2].split("/")[0]
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        "PREFIX ex: <http://www.w3.org/2004/02/skos/core#Concept> "
        f"SELECT ?a WHERE {{ ?s a ex:.SERVICE <{target}> {{ ?a ?b ?c }} }} LIMIT 1",
        f"SELECT ?a WHERE {{ ?s a <http://x/\u00a0#>.SERVICE <{target}> {{ ?a ?b ?c }} }} LIMIT 1",
        f"SELECT ?a WHERE {{ ?s a <http://x/\u00a0'>.SERVICE <{target}> {{ ?a ?b ?c }} }} LIMIT 1",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND (<{target}> AS ?e) SERVICE SILENT ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{target}> {{ ?x ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER NOT EXISTS {{ SERVICE <{target}> {{ ?x ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?x ?y ?z MINUS {{ SERVICE <{target}> {{ ?x ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ SERVICE <{target}> {{ ?x ?y ?z }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ SERVICE <{target}> {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"select * where {{ service <{target}> {{ ?s ?p ?o }} }}",
        f"SeLeCt * WhErE {{ sErViCe SiLeNt <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # a comment }}\n <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s <http://x/#> ?o . SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX t: <{base}/> SELECT * WHERE {{ SERVICE t:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{base}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        # Letters that fold to "service" outside ASCII: not the keyword for SPARQL, refused as malformed.
        *(f"SELECT * WHERE {{ {word} <{target}> {{ ?s ?p ?o }} }}"
          for word in ("SERV\u0130CE", "\u017fERVICE", "\uff33\uff25\uff32\uff36\uff29\uff23\uff25")),
        f"SELECT * WHERE {{\tSERVICE\n<{target}>\r\n{{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ ?s ?p "}}" . SERVICE <{target}> {{ ?s ?p ?o }} }}',
        f'SELECT * WHERE {{ ?s ?p """a"b\'""" . SERVICE <{target}> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ $s ?p ?o . SERVICE <{target}> {{ $s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s <http://x/\uff1e> ?o . SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <http://localhost:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE <{target}> {{ ?s ?p ?o }} }} # " + "a" * 100_000,
    ]


def test_no_service_query_reaches_the_network(server, listener):
    target = f"http://127.0.0.1:{listener.port}/sparql"
    queries = service_queries(target)
    assert len(queries) >= 30
    for query in queries:
        response = requests.post(server.url + "/sparql", data={"query": query}, timeout=60,
                                 headers={"Accept": JSON_RESULTS})
        assert response.status_code == 400, (query[:200], response.text)
    assert listener.close() == []
    # The word in a string, a variable or an IRI is not a SERVICE clause.
    for query in ('SELECT ?service WHERE { ?service ?p "SERVICE" }', "SELECT * WHERE { ?s <http://x/SERVICE> ?o }"):
        assert server.query(query).status_code == 200


UNUSUAL = "\u00a0\u2028\u200b\u202e\u0301\ufeff#'\"é\U0001f600<>{}|^`\\ \t"


@st.composite
def disguised_service(draw: st.DrawFn, target: str) -> str:
    """SERVICE with random prefixes, comments, whitespace, keyword case and IRIs of unusual Unicode."""
    def space() -> str:
        return draw(st.sampled_from([" ", "\t", "\n", "\r\n", "  "])) + draw(st.sampled_from(
            ["", "#" + draw(st.text(alphabet=UNUSUAL + "abc}", max_size=8)) + "\n"]))

    keyword = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in "service")
    prefix = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True))
    odd = "http://example.org/" + draw(st.text(alphabet=UNUSUAL, max_size=6))
    before = draw(st.sampled_from(["", "?s ?p ?o .", f"?s a {prefix}:.", f"?s ?p <{odd}> .", '?s ?p "x}" .']))
    silent = draw(st.sampled_from(["", "SILENT" + space(), "silent" + space()]))
    where = draw(st.sampled_from([f"<{target}>", f"{prefix}:sparql", "?endpoint"]))
    service = f"{keyword}{space()}{silent}{where}{space()}{{ ?a ?b ?c }}"
    body = draw(st.sampled_from(["{}", "{ OPTIONAL {} }", "{ { SELECT * WHERE {} } }", "{ FILTER EXISTS {} }",
                                 "{ {} UNION {} }", "{ MINUS {} }"])).replace("{}", "{ " + service + " }", 1)
    return (f"PREFIX {prefix}: <{odd}>{space()}PREFIX t{prefix}: <{target.rsplit('/', 1)[0]}/>{space()}"
            f"SELECT * WHERE {{{space()}{before}{space()}VALUES ?endpoint {{ <{target}> }} {body} }}"
            ).replace(f"{prefix}:sparql", f"t{prefix}:sparql")


def test_generated_service_queries_reach_nothing(server, listener):
    target = f"http://127.0.0.1:{listener.port}/sparql"

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(disguised_service(target))
    def check(query: str) -> None:
        response = requests.post(server.url + "/sparql", data={"query": query}, timeout=60,
                                 headers={"Accept": JSON_RESULTS})
        assert response.status_code == 400, (query, response.text)

    check()
    assert listener.close() == []


def test_the_workers_are_confined_by_the_kernel(server):
    workers = server.workers()
    assert len(workers) == 2
    for pid in workers:
        status = Path(f"/proc/{pid}/status").read_text()
        assert "\nSeccomp:\t2" in status and "\nNoNewPrivs:\t1" in status


def _engine_answers(dump: Path, query: str, sandboxed: bool) -> QueryError | object:
    """Hand a query straight to a worker of a new engine, without the HTTP layer and without the query check."""
    async def run() -> object:
        engine = QueryEngine([dump], Limits(timeout=5, workers=1), sandboxed=sandboxed)
        try:
            return await engine.query(QueryRequest(query, trusted=True))
        except QueryError as exc:
            return exc
        finally:
            engine.close()

    return asyncio.run(run())


def test_a_worker_cannot_connect_even_when_handed_service_directly(dist, listener):
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    refused = _engine_answers(dist / "migration-lod.nt", query, sandboxed=True)
    assert isinstance(refused, QueryError) and "Permission denied" in refused.message
    assert listener.connections == []
    # The same query in a worker without the sandbox does open a connection: the check above can fail.
    _engine_answers(dist / "migration-lod.nt", query, sandboxed=False)
    assert eventually(lambda: len(listener.connections) == 1)


def _hang_up_after_sending(url: str, query: str, client: str) -> None:
    """Send a query as a raw HTTP request from `client`, wait until it runs, and hang up."""
    host, port = url.split("//")[1].split(":")
    body = ("query=" + quote(query)).encode()
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                           + f"X-Forwarded-For: {client}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.3)


def test_queries_abandoned_by_their_clients_are_stopped(server):
    """Clients that send an endless query and hang up do not hold the workers (the time limit is 30 s here)."""
    for number in range(4):
        _hang_up_after_sending(server.url, ENDLESS, client=f"198.51.100.{number + 1}")
    started = time.monotonic()
    response = server.query(SIMPLE, client="203.0.113.9")
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert time.monotonic() - started < 1.0
    assert eventually(lambda: len(server.workers()) == 2)
    # A worker may still be on its way out (stopped, then replaced): one that has exited computes nothing.
    ticks = {pid: used for pid in server.workers() if (used := cpu_ticks(pid)) is not None}
    time.sleep(1)
    after = {pid: cpu_ticks(pid) for pid in ticks}
    assert all(after[pid] is None or after[pid] - ticks[pid] < 10 for pid in ticks), "no worker goes on computing"


def test_no_request_waits_past_its_deadline(tight):
    """More endless queries than workers: each is answered by its deadline, the waiting ones too, with Retry-After."""
    answers: dict[int, tuple[requests.Response, float]] = {}

    def ask(number: int) -> None:
        started = time.monotonic()
        answers[number] = (tight.query(ENDLESS, client=f"192.0.2.{number + 1}"), time.monotonic() - started)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(30)
    for response, seconds in answers.values():
        assert response.status_code == 503 and int(response.headers["retry-after"]) >= 1
        assert seconds < 3 + 1.5
    assert tight.query(SIMPLE).status_code == 200


def test_one_client_cannot_take_every_worker(tight):
    """With one place per client, a client's second request waits for its first; others go ahead; more get 429."""
    outcome = {}
    endless = threading.Thread(target=lambda: outcome.setdefault("endless", tight.query(ENDLESS, client="192.0.2.50")))
    endless.start()
    time.sleep(0.3)
    queued = threading.Thread(target=lambda: outcome.setdefault("queued", tight.query(SIMPLE, client="192.0.2.50")))
    queued.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert tight.query(SIMPLE, client="192.0.2.51").status_code == 200
    assert time.monotonic() - started < 1.0, "another client is served at once"
    assert "queued" not in outcome, "the same client's second request waits"
    refused = tight.query(SIMPLE, client="192.0.2.50")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    endless.join(10)
    queued.join(10)
    assert outcome["endless"].status_code == 503
    assert outcome["queued"].status_code == 200, "the waiting request ran once the first was stopped"


def _median_latency(server: Server) -> float:
    times = []
    for _ in range(7):
        started = time.monotonic()
        assert server.query(SIMPLE).status_code == 200
        times.append(time.monotonic() - started)
    return statistics.median(times)


def _raw(server: Server, request: bytes) -> bytes:
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_bad_requests_get_a_4xx_and_hurt_no_one(server):
    before, workers = _median_latency(server), server.workers()
    sparql, form = server.url + "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        (lambda: server.query(SIMPLE, **{"default-graph-uri": "x"}), 400, "not an absolute IRI"),
        (lambda: server.query(SIMPLE, **{"named-graph-uri": "http://a b"}), 400, "not an absolute IRI"),
        (lambda: requests.post(sparql, data={"query": "SELECT * WHERE " + "{ " * 10_000 + "}" * 10_000},
                               timeout=30), 400, "nested"),
        (lambda: requests.post(sparql, data={"query": "ASK { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"},
                               timeout=30), 400, "nested"),
        (lambda: requests.post(sparql, data=b"query=ASK%FF%FE%7B%7D", headers=form, timeout=30), 400, "UTF-8"),
        (lambda: requests.get(sparql + "?query=ASK%20%7B%7D%FF", timeout=30), 400, "UTF-8"),
        (lambda: requests.post(sparql, data=b"ASK {\xff}", timeout=30,
                               headers={"Content-Type": "application/sparql-query"}), 400, "UTF-8"),
        (lambda: requests.post(sparql, data="ASK {}".encode("utf-16"), timeout=30,
                               headers={"Content-Type": "application/sparql-query; charset=UTF-16"}), 415, "UTF-8"),
        (lambda: requests.post(sparql, data={"query": 'ASK { FILTER("' + "x" * 2_000_000 + '") }'}, timeout=30),
         413, "longer than"),
        (lambda: requests.post(sparql, data=b"query=" + b"a" * 10_000_000, headers=form, timeout=30), 413,
         "larger than"),
        (lambda: requests.get(sparql + "?query=" + "a" * 1_000_000, timeout=30), 414, "POST"),
        (lambda: requests.get(sparql, headers={"X-Padding": "a" * 100_000}, timeout=30), 431, "header"),
        (lambda: server.query(SIMPLE, accept="*/*;q=0"), 406, "offered"),
        (lambda: requests.get(sparql, params={"update": "CLEAR ALL"}, timeout=30), 403, "read-only"),
        (lambda: server.query("SELECT * WHERE { ?s ?p ?o } LIMIT"), 400, "malformed"),
    ]
    for send, status, reason in cases:
        response = send()
        assert response.status_code == status, (status, response.text[:300])
        assert reason in response.text and response.text.count("\n") == 1, response.text[:300]
    assert server.workers() == workers, "no worker was stopped or replaced"
    assert _median_latency(server) < 3 * before + 0.05


def test_a_crashing_worker_fails_only_its_own_query(server):
    """A worker that dies while answering (here: killed with SIGSEGV) costs its client a 500, no one else."""
    workers = server.workers()
    idle = {pid: cpu_ticks(pid) for pid in workers}
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("crashed", server.query(ENDLESS, client="192.0.2.60")))
    thread.start()
    time.sleep(0.5)
    busy = max(workers, key=lambda pid: cpu_ticks(pid) - idle[pid])
    os.kill(busy, signal.SIGSEGV)
    thread.join(10)
    assert outcome["crashed"].status_code == 500 and "other queries are not affected" in outcome["crashed"].text
    assert server.query(SIMPLE, client="192.0.2.61").status_code == 200
    assert eventually(lambda: len(server.workers()) == 2 and busy not in server.workers())


def test_a_query_past_the_memory_limit_is_stopped(tight):
    workers = tight.workers()
    response = tight.query("SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c", client="192.0.2.70")
    assert response.status_code == 503 and "256 MiB" in response.text
    assert eventually(lambda: len(tight.workers()) == 2 and tight.workers() != workers), "the worker is replaced"
    assert tight.query(SIMPLE).status_code == 200


def test_limits_of_size_and_of_the_request_head(tight):
    sparql = tight.url + "/sparql"
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "a" * 100_000
    assert requests.post(sparql, data={"query": long_query}, timeout=10).status_code == 413
    assert requests.get(sparql, params={"query": "ASK {} #" + "a" * 9000}, timeout=10).status_code == 414
    started = time.monotonic()
    answer = _raw(tight, b"GET /sparql HTTP/1.1\r\nHost: x\r\n")  # and nothing more: a slow-loris client
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3
    assert _raw(tight, b"GET /sparql?query=" + b"a" * 200_000 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 414")


def test_a_full_queue_is_refused_at_once_with_retry_after(tight):
    threads = [threading.Thread(target=tight.query, args=(ENDLESS,), kwargs={"client": f"192.0.2.{80 + n}"})
               for n in range(4)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    started = time.monotonic()
    refused = tight.query(SIMPLE, client="192.0.2.99")
    assert refused.status_code == 503 and "busy" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 3 and time.monotonic() - started < 1
    for thread in threads:
        thread.join(30)
    assert tight.query(SIMPLE).status_code == 200
