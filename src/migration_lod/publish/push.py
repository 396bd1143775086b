"""Pushing a dump into an external SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import io
import mmap
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from migration_lod.problems import InputError, Problem
from migration_lod.publish.push_options import MAX_PART_MIB
from migration_lod.rdf import formats
from migration_lod.retries import TRANSIENT, send_with_retries

MAX_PART_BYTES = MAX_PART_MIB << 20
# Every body is sent with its length (publish/push_options says why), and a dump larger than a part in parts, each a
# whole number of lines of N-Triples or N-Quads (the formats a line break cannot fall inside a triple of),
# the first replacing the graph and the others appended.
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


class PushError(Exception):
    """The upload failed: what the server answered, or why it could not be reached."""


@dataclass(frozen=True)
class PushResult:
    """A successful upload: the HTTP status of the last request, how long it took, how many attempts and in
    how many parts."""

    status: int
    seconds: float
    attempts: int
    url: str
    parts: int = 1


class _Part(io.RawIOBase):
    """A byte range of a file as a request body: its length known (sent as Content-Length), rewound when an
    authentication challenge makes the client send it again."""

    def __init__(self, path: Path, start: int, length: int) -> None:
        self.file = path.open("rb")
        self.start, self.length, self.position = start, length, 0
        self.file.seek(start)

    def __len__(self) -> int:
        return self.length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        left = self.length - self.position
        data = self.file.read(left if size is None or size < 0 else min(size, left))
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: offset, io.SEEK_CUR: self.position + offset,
                         io.SEEK_END: self.length + offset}[whence]
        self.file.seek(self.start + self.position)
        return self.position

    def close(self) -> None:
        self.file.close()
        super().close()


def _parts(path: Path, rdf: ox.RdfFormat, max_part: int, shown: Path) -> list[tuple[int, int]]:
    """(start, length) of each part of the file: whole lines, at most `max_part` bytes each; InputError when
    the file cannot be cut so (not a line format, a line longer than a part, blank nodes parts would split)."""
    size = path.stat().st_size
    if size <= max_part:
        return [(0, size)]
    if rdf not in LINE_FORMATS:
        raise InputError([Problem(f"{size:,} bytes, more than a request may carry ({max_part:,}, --max-part-mib): "
                                  "push the N-Triples dump, which is sent in parts", str(shown))])
    parts = []
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as text:
        if text.find(b"_:") >= 0:
            raise InputError([Problem("names blank nodes (_:), which would become different nodes in different "
                                      "parts: raise --max-part-mib above the file's size, or load it with the "
                                      "server's own loader", str(shown))])
        start = 0
        while start < size:
            end = size if size - start <= max_part else text.rfind(b"\n", start, start + max_part) + 1
            if end <= start:
                raise InputError([Problem(f"a line longer than a part ({max_part:,} bytes) at byte {start:,}",
                                          str(shown))])
            parts.append((start, end - start))
            start = end
    return parts


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of a graph (or of the default graph)."""
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + (urlencode({"graph": graph}) if graph else "default")


@contextmanager
def _plain(dump: Path) -> Iterator[Path]:
    """The dump as a plain file: itself, or what a .gz holds written to a temporary file (its length is needed)."""
    if dump.suffix != formats.COMPRESSED:
        yield dump
        return
    with tempfile.TemporaryDirectory(prefix="migration-lod-push-") as scratch:
        plain = Path(scratch) / dump.stem
        with formats.opened(dump) as source, plain.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        yield plain


def push(dump: Path | str, endpoint: str, *, graph: str | None = None, append: bool = False,
         user: str | None = None, password: str | None = None, auth: str = "basic", retries: int = 4,
         timeout: float = 300.0, backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep,
         max_part: int = MAX_PART_BYTES) -> PushResult:
    """PUT (replace) or POST (append) a dump to a graph of a Graph Store endpoint, streaming the file; a dump
    larger than `max_part` bytes goes in parts (N-Triples and N-Quads only), the ones after the first POSTed.

    Connection failures and 408/429/5xx answers are retried with exponential back-off; any other 4xx is
    reported at once with the server's own message (PushError). A dump that is missing, not RDF, or too large
    to send: InputError. A failure after the first part leaves the graph with the parts sent before it.
    """
    dump = Path(dump)
    try:
        rdf = formats.rdf_format(dump)
    except formats.UnknownRdfFormat as exc:
        raise InputError([Problem(str(exc).split(": ", 1)[1], str(dump))]) from exc
    if not dump.is_file():
        raise InputError([Problem("no such file", str(dump))])
    credentials: AuthBase | None = None
    if user is not None:
        credentials = (HTTPDigestAuth if auth == "digest" else HTTPBasicAuth)(user, password or "")
    url = graph_store_url(endpoint, graph)
    started = time.perf_counter()
    attempts = 0
    with _plain(dump) as plain:
        parts = _parts(plain, rdf, max_part, dump)
        for number, (start, length) in enumerate(parts):
            method = "POST" if append or number > 0 else "PUT"

            def send(method: str = method, start: int = start, length: int = length) -> requests.Response:
                with _Part(plain, start, length) as body:
                    return requests.request(method, url, data=body, auth=credentials, timeout=timeout,
                                            headers={"Content-Type": rdf.media_type})

            response, error, tried = send_with_retries(send, retries, backoff, sleep)
            attempts += tried
            where = f" (part {number + 1} of {len(parts)}; the parts before it were stored)" if number else ""
            if response is None:
                raise PushError(f"cannot reach {endpoint}: {error.__class__.__name__}: {error} "
                                f"(gave up after {tried} attempts){where}")
            if not response.ok:
                detail = response.text.strip()[:500]
                problem = f"{method} {url} answered {response.status_code} {response.reason}" + (
                    f": {detail}" if detail else "") + where
                if response.status_code not in TRANSIENT:
                    hint = " (check --user, --password and --auth)" if response.status_code in (401, 403) else ""
                    raise PushError(problem + hint)
                raise PushError(f"{problem} (gave up after {tried} attempts)")
    return PushResult(response.status_code, time.perf_counter() - started, attempts, url, len(parts))
