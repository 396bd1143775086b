"""Pushing a dump into an external SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from migration_lod.problems import InputError, Problem
from migration_lod.rdf import formats
from migration_lod.retries import TRANSIENT, send_with_retries


class PushError(Exception):
    """The upload failed: what the server answered, or why it could not be reached."""


@dataclass(frozen=True)
class PushResult:
    """A successful upload: the HTTP status, how long it took and how many attempts."""

    status: int
    seconds: float
    attempts: int
    url: str


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of a graph (or of the default graph)."""
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + (urlencode({"graph": graph}) if graph else "default")


def push(dump: Path | str, endpoint: str, *, graph: str | None = None, append: bool = False,
         user: str | None = None, password: str | None = None, auth: str = "basic", retries: int = 4,
         timeout: float = 300.0, backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> PushResult:
    """PUT (replace) or POST (append) a dump to a graph of a Graph Store endpoint, streaming the file.

    Connection failures and 408/429/5xx answers are retried with exponential back-off; any other 4xx is
    reported at once with the server's own message (PushError). A dump that is missing or not RDF: InputError.
    """
    dump = Path(dump)
    try:
        media_type = formats.media_type(dump)
    except formats.UnknownRdfFormat as exc:
        raise InputError([Problem(str(exc).split(": ", 1)[1], str(dump))]) from exc
    if not dump.is_file():
        raise InputError([Problem("no such file", str(dump))])
    credentials: AuthBase | None = None
    if user is not None:
        credentials = (HTTPDigestAuth if auth == "digest" else HTTPBasicAuth)(user, password or "")
    url = graph_store_url(endpoint, graph)
    method = "POST" if append else "PUT"
    started = time.perf_counter()

    def send() -> requests.Response:
        with formats.opened(dump) as body:  # a .gz is sent as what it holds
            return requests.request(method, url, data=body, auth=credentials, timeout=timeout,
                                    headers={"Content-Type": media_type})

    response, error, attempts = send_with_retries(send, retries, backoff, sleep)
    if response is None:
        raise PushError(f"cannot reach {endpoint}: {error.__class__.__name__}: {error} "
                        f"(gave up after {attempts} attempts)")
    if response.ok:
        return PushResult(response.status_code, time.perf_counter() - started, attempts, url)
    detail = response.text.strip()[:500]
    problem = f"{method} {url} answered {response.status_code} {response.reason}" + (f": {detail}" if detail else "")
    if response.status_code not in TRANSIENT:
        hint = " (check --user, --password and --auth)" if response.status_code in (401, 403) else ""
        raise PushError(problem + hint)
    raise PushError(f"{problem} (gave up after {attempts} attempts)")
