"""A query worker process: confined (no network, bounded memory), it answers queries on a read-only store.

The server forks workers from a preloaded fork server (this module imports pyoxigraph, rdflib's SPARQL
parser and the negotiation tables once), so a worker that was stopped is replaced in milliseconds.
"""

from __future__ import annotations

import io
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from migration_lod.serve.messages import Answer, QueryError, QueryRequest
from migration_lod.serve.negotiation import GRAPHS, RESULTS, NotAcceptable, choose
from migration_lod.serve.query_check import check_query
from migration_lod.serve.sandbox import SandboxUnavailable, deny_network, limit_memory

# Parsing and evaluation recurse on nesting: a large stack, and a recursion limit that rdflib's parser meets
# well before the stack ends (measured: 500 nested groups parse, 1,000 give RecursionError, none crash).
STACK_BYTES = 64 << 20
RECURSION_LIMIT = 20_000
READY, SANDBOX, START = "ready", "sandbox", "start"  # how a worker's start ends: (READY, None) or (what, why)


class _TooLarge(Exception):
    """Raised by the capped buffer to stop a serialisation that passed the result-size limit."""


class _CappedBuffer(io.RawIOBase):
    """A write buffer that refuses to grow past a limit: serialisation, and so evaluation, stops there."""

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if len(self.buffer) + len(data) > self.limit:
            raise _TooLarge
        self.buffer += data
        return len(data)


def _dataset(request: QueryRequest) -> dict[str, Any]:
    """The SPARQL 1.1 Protocol dataset: graphs the request names replace the query's FROM / FROM NAMED.

    Naming only named graphs leaves the default graph empty; naming only default graphs, no named graph.
    """
    if request.default_graphs is None and request.named_graphs is None:
        return {}
    return {"default_graph": [ox.NamedNode(g) for g in request.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in request.named_graphs or ()]}


def answer(store: ox.Store, request: QueryRequest, max_bytes: int) -> Answer:
    """Check, evaluate and serialise one query in the representation the client accepts."""
    if not request.trusted:
        check_query(request.query)
    try:
        results = store.query(request.query, base_iri=request.base_iri, **_dataset(request))
    except SyntaxError as exc:
        raise QueryError(400, f"malformed query: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise QueryError(400, f"query error: {exc}") from exc
    try:
        representation = choose(GRAPHS if isinstance(results, ox.QueryTriples) else RESULTS, request.accept,
                                request.formats)
    except NotAcceptable as exc:
        raise QueryError(406, str(exc)) from exc
    buffer = _CappedBuffer(max_bytes)
    try:
        results.serialize(buffer, format=representation.format)
    except _TooLarge as exc:  # pyoxigraph lets the writer's exception through
        raise QueryError(413, f"the result is larger than the limit of {max_bytes:,} bytes: add a LIMIT") from exc
    except (OSError, ValueError) as exc:
        raise QueryError(500, f"cannot serialise the result: {exc}") from exc
    # A page is rendered by the server from the answer in `format`: the answer says which.
    media_type = representation.format.media_type if representation.html else representation.media_type
    return Answer(media_type, bytes(buffer.buffer), representation.html)


def _serve(store: ox.Store, connection: Connection, max_bytes: int) -> None:
    connection.send((READY, None))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result: Answer | QueryError = answer(store, request, max_bytes)
        except QueryError as exc:
            result = exc
        except MemoryError:
            result = QueryError(503, "the query needed more memory than this endpoint allows")
        except Exception as exc:  # a fault of ours or of the engine: this query fails, the worker goes on
            result = QueryError(500, f"internal error while answering the query: {type(exc).__name__}: {exc}")
        connection.send(result)


def run_worker(store_dir: str, max_bytes: int, memory_limit: int, sandboxed: bool, connection: Connection) -> None:
    """The worker's main: confine the process, open the store read-only, answer queries until the pipe closes."""
    if sandboxed:
        try:
            deny_network()
        except SandboxUnavailable as exc:
            connection.send((SANDBOX, str(exc)))
            return
    try:
        limit_memory(memory_limit)
        store = ox.Store.read_only(store_dir)
        sys.setrecursionlimit(RECURSION_LIMIT)
        threading.stack_size(STACK_BYTES)
        thread = threading.Thread(target=_serve, args=(store, connection, max_bytes), name="queries")
        thread.start()
    except (OSError, RuntimeError, MemoryError) as exc:  # the store, or a memory limit too small to start in
        connection.send((START, f"{type(exc).__name__}: {exc}"))
        return
    thread.join()
