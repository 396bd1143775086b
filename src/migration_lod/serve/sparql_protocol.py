"""Reading a SPARQL 1.1 Protocol query request: strictly, within limits, every refusal a 4xx with its reason.

Parameters and bodies must be UTF-8; the body and the query text are bounded (the request head is, before
this, by the application); the dataset parameters must be absolute IRIs; updates are refused. The body is
read before the deadline.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import ClientDisconnect, Request
from werkzeug.http import parse_options_header

from migration_lod.serve.limits import Limits
from migration_lod.serve.messages import QueryError, QueryRequest
from migration_lod.serve.turns import client_gone

MAX_FIELDS = 1000  # parameters in a query string or a form
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


def _read_only() -> QueryError:
    return QueryError(403, "this endpoint is read-only: SPARQL Update is not accepted")


def form_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """The name-value pairs of a query string or form, decoded as UTF-8 (strictly)."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise QueryError(400, f"{where} is not valid UTF-8") from exc
    except ValueError as exc:
        raise QueryError(400, f"{where} has more than {MAX_FIELDS} parameters") from exc


async def read_body(request: Request, limit: int, deadline: float) -> bytes:
    """The request body, refused past `limit` bytes (413) or when it has not arrived by the deadline (408)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise QueryError(413, f"the request body is larger than {limit:,} bytes")
    body = bytearray()

    async def read() -> None:
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise QueryError(413, f"the request body is larger than {limit:,} bytes")

    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(read(), max(0.0, deadline - loop.time()))
    except TimeoutError as exc:
        raise QueryError(408, "the request body did not arrive within the time limit") from exc
    except ClientDisconnect as exc:
        raise client_gone() from exc
    return bytes(body)


def _iris(values: list[str], parameter: str) -> tuple[str, ...]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise QueryError(400, f"{parameter} {value[:200]!r} is not an absolute IRI: {exc}") from exc
    return tuple(values)


async def read_query_request(request: Request, limits: Limits, deadline: float, base_iri: str) -> QueryRequest | None:
    """The query a GET or POST asks for, or None for a GET without one (a request for the service description)."""
    params = form_pairs(request.scope.get("query_string", b""), "the query string")
    queries = [value for name, value in params if name == "query"]
    if request.method == "POST":
        content_type, options = parse_options_header(request.headers.get("content-type"))
        if content_type == UPDATE:
            raise _read_only()
        if content_type not in (FORM, QUERY):
            raise QueryError(415, f"unsupported content type {content_type[:100]!r}: send {QUERY} or {FORM}")
        if options.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise QueryError(415, f"unsupported charset {options['charset'][:40]!r}: send UTF-8")
        body = await read_body(request, limits.max_body_bytes, deadline)
        if content_type == FORM:
            form = form_pairs(body, "the form")
            params += form
            queries += [value for name, value in form if name == "query"]
        else:
            try:
                queries.append(body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise QueryError(400, "the query is not valid UTF-8") from exc
    if any(name == "update" for name, _ in params):
        raise _read_only()
    if not queries:
        if request.method == "GET":
            return None
        raise QueryError(400, "missing query: give exactly one 'query'")
    if len(queries) > 1:
        raise QueryError(400, "more than one query: give exactly one 'query'")
    if len(queries[0].encode("utf-8")) > limits.max_query_bytes:
        raise QueryError(413, f"the query is longer than {limits.max_query_bytes:,} bytes")
    default_graphs = [value for name, value in params if name == "default-graph-uri"]
    named_graphs = [value for name, value in params if name == "named-graph-uri"]
    dataset_given = bool(default_graphs or named_graphs)
    return QueryRequest(
        queries[0], accept=request.headers.get("accept"),
        formats=tuple(value for name, value in params if name in ("format", "output")),
        default_graphs=_iris(default_graphs, "default-graph-uri") if dataset_given else None,
        named_graphs=_iris(named_graphs, "named-graph-uri") if dataset_given else None,
        base_iri=base_iri)
