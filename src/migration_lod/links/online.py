"""Online link checking: dereference every external IRI of a dump, politely, with a cache.

HEAD first (RDF preferred by Accept), GET when a server refuses HEAD; redirects are followed by hand so
that a loop is caught and a 303 See Other (the Linked Data answer for a non-information resource) counts
as success; connection errors, timeouts, 408, 429 and 5xx are retried with back-off; each host gets at most
`per_host` requests at once and one request per `interval` seconds; results are cached with their
HTTP validators, so a second run asks nothing for fresh entries and only a conditional request for others.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import requests

from migration_lod.rdf.formats import quads
from migration_lod.retries import send_with_retries

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, text/html;q=0.5, */*;q=0.1"
REDIRECTS = {301, 302, 307, 308}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CACHE_FILE = "links-cache.json"


@dataclass
class LinkResult:
    """The verdict on one IRI."""

    iri: str
    ok: bool
    status: int | None
    reason: str
    final: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    checked_at: float = 0.0
    used_by: list[str] = field(default_factory=list)


def external_iris(dump: Path, own: tuple[str, ...]) -> dict[str, list[str]]:
    """The distinct http(s) IRIs a dump links to outside its own namespaces, with the resources using each.

    Any RDF file rdf.formats reads (.gz too); raises what rdf.formats.quads raises."""
    used: dict[str, set[str]] = {}
    for triple in quads(dump):
        obj = triple.object
        if not isinstance(obj, ox.NamedNode) or triple.predicate.value == RDF_TYPE:
            continue
        iri = obj.value
        if iri.startswith(("http://", "https://")) and not iri.startswith(own):
            used.setdefault(iri, set()).add(triple.subject.value.split("#", 1)[0])
    return {iri: sorted(users) for iri, users in sorted(used.items())}


class _HostGate:
    """At most `per_host` requests at once to a host, and at least `interval` seconds between their starts."""

    def __init__(self, per_host: int, interval: float) -> None:
        self.per_host, self.interval = per_host, interval
        self.lock = threading.Lock()
        self.slots: dict[str, threading.Semaphore] = {}
        self.next_start: dict[str, float] = {}

    def __call__(self, url: str, send: Callable[[], requests.Response]) -> requests.Response:
        host = urlsplit(url).netloc
        with self.lock:
            slot = self.slots.setdefault(host, threading.Semaphore(self.per_host))
        with slot:
            with self.lock:
                start = max(time.monotonic(), self.next_start.get(host, 0.0))
                self.next_start[host] = start + self.interval
            time.sleep(max(0.0, start - time.monotonic()))
            return send()


class LinkChecker:
    """Checks IRIs over HTTP; `check` returns one LinkResult per IRI."""

    def __init__(self, *, timeout: float = 10.0, concurrency: int = 8, per_host: int = 2, interval: float = 0.2,
                 retries: int = 3, backoff: float = 0.5, cache_dir: Path | None = None, max_age: float = 86400.0,
                 proxy: str | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.timeout, self.concurrency, self.retries, self.backoff = timeout, concurrency, retries, backoff
        self.max_age, self.sleep = max_age, sleep
        self.gate = _HostGate(per_host, interval)
        self.cache_path = cache_dir / CACHE_FILE if cache_dir else None
        self.cache: dict[str, dict] = {}
        if self.cache_path and self.cache_path.is_file():
            self.cache = json.loads(self.cache_path.read_text(encoding="utf-8"))
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "migration-lod link checker"
        if proxy:
            self.session.proxies = {"http": proxy, "https": proxy}
        self.requests_sent = 0
        self._count = threading.Lock()

    def check(self, iris: dict[str, list[str]]) -> list[LinkResult]:
        """Check every IRI (the values name the resources using it); save the cache."""
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = list(pool.map(self._check_one, iris))
        for result in results:
            result.used_by = iris[result.iri]
            self.cache[result.iri] = {k: v for k, v in asdict(result).items() if k != "used_by"}
        if self.cache_path:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self.cache_path.write_text(json.dumps(self.cache, indent=1, sort_keys=True), encoding="utf-8")
        return results

    def _send(self, method: str, url: str, headers: dict[str, str]) -> requests.Response:
        with self._count:
            self.requests_sent += 1
        response = self.session.request(method, url, headers=headers, allow_redirects=False, timeout=self.timeout,
                                        stream=method == "GET")
        response.close()
        return response

    def _check_one(self, iri: str) -> LinkResult:
        cached = self.cache.get(iri)
        if cached and cached["ok"] and time.time() - cached["checked_at"] < self.max_age:
            return LinkResult(**{**cached, "used_by": []})
        validators = {}
        if cached and cached.get("etag"):
            validators["If-None-Match"] = cached["etag"]
        if cached and cached.get("last_modified"):
            validators["If-Modified-Since"] = cached["last_modified"]
        result = self._follow(iri, validators)
        if result.status == 304 and cached:
            result = LinkResult(**{**cached, "reason": "not modified", "used_by": []})
        result.checked_at = time.time()
        return result

    def _follow(self, iri: str, validators: dict[str, str]) -> LinkResult:
        url, seen = iri, []
        for _ in range(10):
            if url in seen:
                return LinkResult(iri, False, None, "redirect loop: " + " -> ".join([*seen, url]))
            seen.append(url)
            response = self._request(url, validators if url == iri else {})
            if isinstance(response, str):
                return LinkResult(iri, False, None, response)
            status = response.status_code
            if status == 303:
                return LinkResult(iri, True, 303, "see other (non-information resource)",
                                  urljoin(url, response.headers.get("Location", "")))
            if status in REDIRECTS and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            ok = 200 <= status < 300 or status == 304
            return LinkResult(iri, ok, status, response.reason or "", url if url != iri else None,
                              response.headers.get("ETag"), response.headers.get("Last-Modified"))
        return LinkResult(iri, False, None, "too many redirects: " + " -> ".join(seen))

    def _request(self, url: str, validators: dict[str, str]) -> requests.Response | str:
        """One HEAD (or GET where HEAD is refused), retried on transient failures; a string says why it failed."""
        headers = {"Accept": ACCEPT, **validators}

        def send() -> requests.Response:
            response = self.gate(url, lambda: self._send("HEAD", url, headers))
            if response.status_code in (405, 501):
                response = self.gate(url, lambda: self._send("GET", url, headers))
            return response

        response, error, attempts = send_with_retries(send, self.retries + 1, self.backoff, self.sleep)
        if response is not None:
            return response
        problem = (f"timeout after {self.timeout:g} s" if isinstance(error, requests.Timeout)
                   else f"connection failed: {error.__class__.__name__}")
        return problem + f" ({attempts} attempts)"


def report_table(results: Iterable[LinkResult]) -> str:
    """A readable table of the broken links and the resources that use them."""
    broken = [r for r in results if not r.ok]
    if not broken:
        return "no broken links"
    lines = [f"{len(broken)} broken link(s):", f"{'status':<8} {'IRI':<60} {'used by'}"]
    for result in broken:
        users = ", ".join(result.used_by[:3]) + (f" and {len(result.used_by) - 3} more"
                                                 if len(result.used_by) > 3 else "")
        status = str(result.status) if result.status else "-"
        lines.append(f"{status:<8} {result.iri:<60} {users}")
        lines.append(f"{'':<8} {result.reason}")
    return "\n".join(lines)
