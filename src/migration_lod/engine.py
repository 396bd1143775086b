"""Read-only SPARQL over the dumps, in worker processes that can be killed when a query runs too long.

pyoxigraph has no query timeout in its Python API and holds the GIL-free Rust evaluation until it ends,
so a query is only stopped by stopping the process it runs in. The dumps are loaded once into an on-disk
pyoxigraph store; each worker opens it read-only, so a killed worker is replaced in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from migration_lod.jsonld import read_jsonld
from migration_lod.terms import to_oxigraph

DUMP_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
                ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML}
RESULT_FORMATS = {  # media type -> pyoxigraph format, for SELECT and ASK
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {  # media type -> pyoxigraph format, for CONSTRUCT and DESCRIBE
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}

# SPARQL's lexical tokens that may hide the word SERVICE: strings, IRIs, comments, variables, prefixed names.
_SKIPPED = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
                      r"""|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[?$][\w]+|[\w.-]*:[\w.:%-]*""")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """True when the query has a SERVICE clause (the keyword outside strings, IRIs, comments and names)."""
    return bool(_SERVICE.search(_SKIPPED.sub(" ", query)))


class QueryError(Exception):
    """A query that cannot be answered, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple:
        # Errors travel back from the worker processes through a pipe.
        return (QueryError, (self.status, self.message))


@dataclass
class Answer:
    """A serialised query answer."""

    content_type: str
    body: bytes


@dataclass
class QueryRequest:
    """What a worker needs to answer one query."""

    query: str
    accept: list[str]
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


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


def load_dumps(paths: Iterable[Path], store_dir: Path) -> int:
    """Load the dumps into a new on-disk store at `store_dir`; return the number of triples."""
    store = ox.Store(str(store_dir))
    for path in paths:
        if path.suffix == ".jsonld":
            graph = read_jsonld(path)
            store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
        elif path.suffix in DUMP_FORMATS:
            store.bulk_load(path=str(path), format=DUMP_FORMATS[path.suffix])
        else:
            raise ValueError(f"{path}: unsupported dump format (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)")
    store.flush()
    count = len(store)
    del store
    return count


def _choose(accept: list[str], offered: dict[str, Any]) -> str:
    for media_type in accept:
        if media_type in offered:
            return media_type
        if media_type in ("*/*", "application/*", "text/*"):
            return next(iter(offered))
    raise QueryError(406, "none of the accepted media types can carry this result; offered: " + ", ".join(offered))


def answer(store: ox.Store, request: QueryRequest, max_bytes: int) -> Answer:
    """Evaluate a query on a store and serialise its answer in the first acceptable format."""
    if uses_service(request.query):
        raise QueryError(400, "SERVICE is not allowed: this endpoint never queries other servers")
    options: dict[str, Any] = {}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        results = store.query(request.query, **options)
    except SyntaxError as exc:
        raise QueryError(400, f"malformed query: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise QueryError(400, f"query error: {exc}") from exc
    offered = GRAPH_FORMATS if isinstance(results, ox.QueryTriples) else RESULT_FORMATS
    media_type = _choose(request.accept, offered)
    buffer = _CappedBuffer(max_bytes)
    try:
        results.serialize(buffer, format=offered[media_type])
    except _TooLarge as exc:  # pyoxigraph lets the writer's exception through
        raise QueryError(413, f"the result is larger than the limit of {max_bytes:,} bytes: add a LIMIT") from exc
    except (OSError, ValueError) as exc:
        raise QueryError(500, f"cannot serialise the result: {exc}") from exc
    return Answer(media_type, bytes(buffer.buffer))


def _work(store_dir: str, max_bytes: int, connection: Connection) -> None:
    """A worker process: open the store read-only, answer queries until the pipe closes."""
    store = ox.Store.read_only(store_dir)
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result: Answer | QueryError = answer(store, request, max_bytes)
        except QueryError as exc:
            result = exc
        connection.send(result)


class _Worker:
    def __init__(self, context: Any, store_dir: Path, max_bytes: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_work, args=(str(store_dir), max_bytes, child), daemon=True)
        self.process.start()
        child.close()
        try:
            started = self.connection.poll(60) and self.connection.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            self.kill()
            raise RuntimeError("a SPARQL worker did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            self.connection.close()


class QueryEngine:
    """A pool of worker processes over a read-only store; each query runs under a time limit."""

    def __init__(self, dumps: Iterable[Path], workers: int = 2, timeout: float = 30.0,
                 max_bytes: int = 50_000_000) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._folder = Path(tempfile.mkdtemp(prefix="migration-lod-store-"))
        started = time.perf_counter()
        self.triples = load_dumps(dumps, self._folder / "store")
        self.load_seconds = time.perf_counter() - started
        self._context = multiprocessing.get_context("spawn")
        self._workers = [self._spawn() for _ in range(workers)]
        self._idle: asyncio.Queue[_Worker] | None = None

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self._folder / "store", self.max_bytes)

    async def query(self, request: QueryRequest) -> Answer:
        """Answer a query in an idle worker; kill and replace the worker when the time limit passes."""
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        worker = await self._idle.get()
        try:
            worker.connection.send(request)
            ready = await asyncio.to_thread(worker.connection.poll, self.timeout)
            if not ready:
                worker.kill()
                raise QueryError(503, f"the query was stopped after the time limit of {self.timeout:g} s")
            result = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            worker.kill()
            raise QueryError(500, "the query worker failed") from exc
        except BaseException:
            worker.kill()
            raise
        finally:
            if not worker.process.is_alive():
                self._workers.remove(worker)
                worker = await asyncio.to_thread(self._spawn)
                self._workers.append(worker)
            self._idle.put_nowait(worker)
        if isinstance(result, QueryError):
            raise result
        return result

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers (for monitoring and tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def close(self) -> None:
        """Stop the workers and delete the store."""
        for worker in self._workers:
            worker.kill()
        self._workers.clear()
        shutil.rmtree(self._folder, ignore_errors=True)
