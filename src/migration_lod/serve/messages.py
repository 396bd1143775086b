"""What the HTTP side and the query workers send each other: a query to answer, an answer, or an error."""

from __future__ import annotations

from dataclasses import dataclass


class QueryError(Exception):
    """A request that cannot be answered, with the HTTP status that says why (and when to retry, if at all)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    def __reduce__(self) -> tuple:
        # Errors travel back from the worker processes through a pipe.
        return (QueryError, (self.status, self.message, self.retry_after))


@dataclass(frozen=True)
class QueryRequest:
    """One query and how to answer it: its dataset (SPARQL 1.1 Protocol), base IRI and wanted representation.

    `default_graphs` and `named_graphs` are None when the request does not name them (the query's own
    FROM / FROM NAMED, or the store's default graph, apply). `trusted` marks queries the server wrote
    itself around an IRI it has checked; the others are parsed and checked before they run.
    """

    query: str
    accept: str | None = None
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    trusted: bool = False


@dataclass(frozen=True)
class Answer:
    """A serialised answer: its media type, its bytes, and whether the server should render it as a page."""

    media_type: str
    body: bytes
    html: bool = False
