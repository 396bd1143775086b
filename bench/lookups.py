"""Lookups by IRI under concurrency: requests/s and latency of `SELECT ?p ?o WHERE { <iri> ?p ?o }` over
keep-alive HTTP, from N client processes at once, against this endpoint and the Oxigraph server on the same
publication (measured side by side in one run).

Each client process holds one keep-alive connection and asks for the subjects of the dump in turn (a few
thousand distinct IRIs, so that no answer comes from a cache of query texts), for a fixed time; the figures
are the answered requests per second of all clients together and the median and 99th percentile latency.
Each client names its own address in X-Forwarded-For (the endpoint trusts its local proxy), as distinct
users behind a reverse proxy would: from a single address, the endpoint's per-client limit would queue
them one at a time and refuse those past its waiting line, which measures that limit, not the endpoint.
"""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"
SUBJECTS = 5000  # distinct IRIs asked for
ACCEPT = "application/sparql-results+json"


def subjects(nt: Path, count: int = SUBJECTS) -> list[str]:
    """Up to `count` distinct IRI subjects of an N-Triples dump, spread over the file."""
    found: dict[str, None] = {}
    with nt.open("rb") as lines:
        for line in lines:
            if line.startswith(b"<"):
                found[line.split(b">", 1)[0][1:].decode()] = None
    every = max(1, len(found) // count)
    return list(found)[::every][:count]


def _client(url: str, iris: list[str], seconds: float, start: float, address: str,
            out: multiprocessing.Queue) -> None:
    endpoint = urlsplit(url)
    headers = {"Accept": ACCEPT, "X-Forwarded-For": address}
    connection = http.client.HTTPConnection(endpoint.netloc, timeout=60)
    targets = [f"{endpoint.path}?query={quote(LOOKUP % iri)}" for iri in iris]
    while time.time() < start:
        time.sleep(0.001)
    latencies, failed, n = [], 0, 0
    end = start + seconds
    while time.time() < end:
        sent = time.perf_counter()
        try:
            connection.request("GET", targets[n % len(targets)], headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection(endpoint.netloc, timeout=60)
        n += 1
        if ok:
            latencies.append((time.perf_counter() - sent) * 1000)
        else:
            failed += 1
    connection.close()
    out.put((latencies, failed))


def lookup_rate(url: str, iris: list[str], concurrency: int, seconds: float) -> dict:
    """Requests/s, median and p99 latency (ms) and failures of `concurrency` clients of the endpoint at `url`
    for `seconds`."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start = time.time() + 1.0  # every client connected and ready before the clock starts
    share = [iris[n::concurrency] for n in range(concurrency)]
    clients = [context.Process(target=_client, args=(url, share[n], seconds, start,
                                                     f"198.51.{100 + n // 250}.{n % 250 + 1}", out))
               for n in range(concurrency)]
    for client in clients:
        client.start()
    results = [out.get() for _ in clients]
    for client in clients:
        client.join()
    latencies = sorted(t for times, _ in results for t in times)
    failed = sum(f for _, f in results)
    return {"concurrency": concurrency, "requests_per_s": len(latencies) / seconds, "failed": failed,
            "median_ms": statistics.median(latencies) if latencies else None,
            "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else None}


def print_lookups(result: dict) -> None:
    """The table of one run: requests/s and latencies per server and concurrency."""
    print(f"\nlookups by IRI at {result['records']:,} records ({result['seconds']:g} s per row, keep-alive clients)")
    print(f"{'server':22} {'clients':>7} {'requests/s':>11} {'median ms':>10} {'p99 ms':>8} {'failed':>7}")
    for server, rows in result["servers"].items():
        for row in rows:
            print(f"{server:22} {row['concurrency']:7} {row['requests_per_s']:11,.0f} {row['median_ms']:10.2f} "
                  f"{row['p99_ms']:8.2f} {row['failed']:7}")
