"""The Reconciliation Service API at /reconcile: the HTTP side of reconcile/service.py.

The name index is built once, at the first request, in a thread of its own, from the store the query
workers read (opened read-only here and only scanned by pattern: no query text from a client reaches it).
Every request's work runs in that one thread too, so matching never blocks the event loop and runs one
request at a time; each request holds one of its client's places like a SPARQL query, waits at most
`max_waiting` deep, and is stopped between two queries of its batch when its deadline passes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from werkzeug.http import parse_options_header

from migration_lod.reconcile.index import NameIndex
from migration_lod.reconcile.service import MAX_CURSOR, Endpoints, ReconcileError, ReconciliationService
from migration_lod.serve.clients import ClientLimiter, client_key
from migration_lod.serve.limits import Limits
from migration_lod.serve.messages import QueryError
from migration_lod.serve.refusals import refusal
from migration_lod.serve.sparql_protocol import FORM, form_pairs, read_body

CALLBACK_LENGTH = 100  # characters of a JSONP callback name
PATH = "/reconcile"
log = logging.getLogger("migration_lod.serve")


def _callback(name: str) -> str:
    """A JSONP callback name: dotted JavaScript identifiers only (anything else could inject script)."""
    if len(name) > CALLBACK_LENGTH or not all(part.isidentifier() and part.isascii() for part in name.split(".")):
        raise ReconcileError(400, "callback: a JavaScript name (letters, digits, _ and dots) is expected")
    return name


def _answer(data: Any, callback: str | None) -> Response:
    if callback is None:
        return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), media_type="application/json")
    # As script, JSON escaped to ASCII (U+2028 and U+2029 end a line in older JavaScript); the comment keeps a
    # callback name from being read as the start of something else by old browsers.
    body = json.dumps(data, separators=(",", ":"))
    return Response(f"/**/{callback}({body});", media_type="application/javascript",
                    headers={"X-Content-Type-Options": "nosniff"})


class _Stopped(Exception):
    """Raised in the reconciliation thread to end a batch whose deadline has passed."""


class Reconciliation:
    """The /reconcile routes over a store, under the server's limits."""

    def __init__(self, store_dir: Path, limits: Limits, clients: ClientLimiter, base_iri: str) -> None:
        self.limits = limits
        self.clients = clients
        self.base_iri = base_iri
        self.in_progress = 0
        self.store_dir = store_dir
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile")
        self._ready: Future[ReconciliationService] | None = None

    def _service(self) -> Future[ReconciliationService]:
        """The service, its index built at the first request (in the thread, before that request's work), so that
        a server nobody reconciles against spends nothing on it."""
        if self._ready is None:
            self._ready = self._thread.submit(lambda: ReconciliationService(
                NameIndex(ox.Store.read_only(str(self.store_dir)))))
        return self._ready

    def routes(self) -> list[BaseRoute]:
        """The routes, to put before the catch-all route of resource pages."""
        return [Route(PATH, self.reconcile, methods=["GET", "POST"]),
                Route(PATH + "/preview", self.preview),
                Route(PATH + "/suggest/{kind:str}", self.suggest),
                Route(PATH + "/properties", self.properties)]

    def close(self) -> None:
        """Stop the thread (a batch running ends at its next query)."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def _run(self, request: Request, deadline: float,
                   work: Callable[[ReconciliationService, Callable[[], None]], Any]) -> Any:
        """Run `work(service, checkpoint)` in the reconciliation thread for the request's client, by the deadline.

        At most `max_waiting` requests are in progress at once (waiting for their client's place or for the
        thread, or running): more get 503 at once.
        """
        if self.in_progress >= self.limits.max_waiting:
            raise ReconcileError(503, f"the server is busy ({self.in_progress} reconciliation requests in progress)")
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        ready = self._service()

        def checkpoint() -> None:
            if stop.is_set():
                raise _Stopped

        def job() -> Any:
            checkpoint()
            return work(ready.result(), checkpoint)

        host = request.client.host if request.client else None
        self.in_progress += 1
        try:
            release = await self.clients.acquire(client_key(host), deadline, None)
            try:
                return await asyncio.wait_for(loop.run_in_executor(self._thread, job),
                                              max(0.0, deadline - loop.time()))
            finally:
                release()
        except (TimeoutError, _Stopped) as exc:
            stop.set()  # a batch already running ends at its next query
            if not ready.done():
                raise ReconcileError(503, "the index of names is still being built: try again in a few seconds") \
                    from exc
            raise ReconcileError(503, f"the request was stopped at the time limit of {self.limits.timeout:g} s") \
                from exc
        except (ReconcileError, QueryError):
            raise
        except Exception as exc:  # the index could not be built from the store, or a fault of ours
            log.exception("reconciliation failed")
            built = ready.done() and not ready.cancelled() and ready.exception() is None
            raise ReconcileError(500 if built else 503,
                                 "reconciliation failed on this server (its log says why)") from exc
        finally:
            self.in_progress -= 1

    async def _params(self, request: Request, deadline: float) -> dict[str, str]:
        """The request's parameters (query string, and a POSTed form), one value each."""
        pairs = form_pairs(request.scope.get("query_string", b""), "the query string")
        if request.method == "POST":
            content_type, _ = parse_options_header(request.headers.get("content-type"))
            if content_type != FORM:
                raise ReconcileError(415, f"send the parameters as {FORM}")
            pairs += form_pairs(await read_body(request, self.limits.max_body_bytes, deadline), "the form")
        params: dict[str, str] = {}
        for name, value in pairs:
            if name in params:
                raise ReconcileError(400, f"{name[:100]!r} is given more than once")
            params[name] = value
        return params

    async def _respond(self, request: Request, answer: Callable[[dict[str, str], float], Any]) -> Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.timeout
        try:
            params = await self._params(request, deadline)
            callback = _callback(params["callback"]) if "callback" in params else None
            data = await answer(params, deadline)
        except QueryError as exc:  # the server's own limits: body, form, the client's places
            return refusal(exc)
        except ReconcileError as exc:
            return refusal(QueryError(exc.status, exc.message))
        return data if isinstance(data, Response) else _answer(data, callback)

    def _endpoints(self, request: Request) -> Endpoints:
        origin = str(request.base_url).rstrip("/")
        return Endpoints(origin + PATH, origin + "/resource?iri={{id}}")

    async def reconcile(self, request: Request) -> Response:
        """Queries (batch or single), data extension, or the manifest when none is asked."""
        async def answer(params: dict[str, str], deadline: float) -> Any:
            asked = [name for name in ("queries", "query", "extend") if name in params]
            if len(asked) > 1:
                raise ReconcileError(400, "give one of queries, query and extend")
            if not asked:
                endpoints = self._endpoints(request)
                return await self._run(request, deadline, lambda s, _: s.manifest(endpoints, self.base_iri))
            text = params[asked[0]]
            if asked[0] == "queries":
                return await self._run(request, deadline, lambda s, check: s.reconcile(s.read_queries(text), check))
            if asked[0] == "query":
                return await self._run(request, deadline, lambda s, check: s.reconcile({"q": s.read_query(text)},
                                                                                  check)["q"])
            return await self._run(request, deadline, lambda s, _: s.extend(*s.read_extension(text)))
        return await self._respond(request, answer)

    async def preview(self, request: Request) -> Response:
        """An entity's preview, as HTML for an iframe."""
        async def answer(params: dict[str, str], deadline: float) -> Any:
            iri = params.get("id", "")
            page = "/resource?iri=" + quote(iri, safe="")
            return HTMLResponse(await self._run(request, deadline, lambda s, _: s.preview(iri, page)))
        return await self._respond(request, answer)

    async def suggest(self, request: Request) -> Response:
        """Suggestions of entities, types or properties for a prefix."""
        kind = request.path_params["kind"]
        if kind not in ("entity", "type", "property"):
            return refusal(QueryError(404, f"no suggest service {kind[:50]!r}: entity, type and property are"))

        async def answer(params: dict[str, str], deadline: float) -> Any:
            prefix = params.get("prefix", "")
            cursor = params.get("cursor", "0")
            if not (cursor.isascii() and cursor.isdigit() and int(cursor[:6]) <= MAX_CURSOR and len(cursor) < 7):
                raise ReconcileError(400, f"cursor: a whole number up to {MAX_CURSOR:,} is expected")
            skip = int(cursor)
            suggestions = {"entity": lambda s, _: s.suggest_entities(prefix, skip, params.get("type")),
                           "type": lambda s, _: s.suggest_types(prefix, skip),
                           "property": lambda s, _: s.suggest_properties(prefix, skip)}
            return await self._run(request, deadline, suggestions[kind])
        return await self._respond(request, answer)

    async def properties(self, request: Request) -> Response:
        """The properties proposed for data extension of a type."""
        async def answer(params: dict[str, str], deadline: float) -> Any:
            limit = params.get("limit", "")
            if limit and not (limit.isascii() and limit.isdigit() and len(limit) < 7):
                raise ReconcileError(400, "limit: a whole number is expected")
            type_given = params.get("type", "")
            return await self._run(request, deadline,
                                   lambda s, _: s.propose_properties(type_given, int(limit) if limit else None))
        return await self._respond(request, answer)
