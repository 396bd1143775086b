"""The latency of a simple query while N clients keep sending an endless query and hanging up.

Each attacker, from its own address (X-Forwarded-For through the trusted local proxy, as behind a reverse
proxy), sends an endless query, waits a second, closes the connection and starts again. Meanwhile a
separate client asks `ASK {}` again and again; the figures are its latencies. The server runs with its
default settings (2 workers, 30 s time limit), from this checkout or from another source tree (`--before-src`,
a checkout of an earlier commit, to measure before and after side by side in one run).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SAMPLES = 12  # simple queries per attacker count
WINDOW = 90.0  # seconds of sampling at most per attacker count
HOLD = 1.0  # seconds an attacker waits before hanging up


def _attack(port: int, client: str, stop: threading.Event) -> None:
    body = ("query=" + quote(ENDLESS)).encode()
    request = (b"POST /sparql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               + f"X-Forwarded-For: {client}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(request)
                stop.wait(HOLD)
        except OSError:
            stop.wait(0.1)


def _latencies(url: str) -> tuple[list[float], int]:
    """Latencies (ms) of up to SAMPLES answered simple queries within WINDOW seconds, and how many failed."""
    times, failed, started = [], 0, time.monotonic()
    while len(times) + failed < SAMPLES and time.monotonic() - started < WINDOW:
        sent = time.monotonic()
        try:
            response = requests.get(url, params={"query": "ASK {}"}, timeout=WINDOW,
                                    headers={"Accept": "application/sparql-results+json",
                                             "X-Forwarded-For": "203.0.113.200"})
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        if ok:
            times.append((time.monotonic() - sent) * 1000)
        else:
            failed += 1
        time.sleep(0.25)
    return times, failed


def _server(dump: Path, port: int, src: Path | None) -> subprocess.Popen:
    environment = dict(os.environ)
    if src is not None:
        environment["PYTHONPATH"] = str(src)
    process = subprocess.Popen([sys.executable, "-m", "migration_lod", "serve", str(dump), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/sparql", timeout=2)
            return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def starvation(dump: Path, port: int, attackers: list[int], src: Path | None = None) -> list[dict]:
    """For each number of attackers: the simple query's median, p90 and worst latency, and its failures."""
    rows = []
    for count in attackers:
        process = _server(dump, port, src)
        stop = threading.Event()
        threads = [threading.Thread(target=_attack, args=(port, f"198.51.100.{n + 1}", stop), daemon=True)
                   for n in range(count)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(2 * HOLD if count else 0)
            times, failed = _latencies(f"http://127.0.0.1:{port}/sparql")
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
            process.terminate()
            process.wait(30)
        ordered = sorted(times)
        rows.append({"attackers": count, "answered": len(times), "failed": failed,
                     "median_ms": statistics.median(ordered) if ordered else None,
                     "p90_ms": ordered[int(0.9 * (len(ordered) - 1))] if ordered else None,
                     "max_ms": ordered[-1] if ordered else None})
    return rows


def print_starvation(label: str, rows: list[dict]) -> None:
    """The table of one server."""
    print(f"\n{label}: ASK {{}} while N clients send an endless query and hang up after {HOLD:g} s")
    print(f"{'N':>3} {'answered':>9} {'failed':>7} {'median ms':>10} {'p90 ms':>9} {'max ms':>9}")
    for row in rows:
        figures = [f"{row[k]:.0f}" if row[k] is not None else "-" for k in ("median_ms", "p90_ms", "max_ms")]
        print(f"{row['attackers']:>3} {row['answered']:>9} {row['failed']:>7} {figures[0]:>10} {figures[1]:>9} "
              f"{figures[2]:>9}")
