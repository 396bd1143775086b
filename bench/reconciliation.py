"""Reconciliation: precision on the test set, and the latency of a batch of 10 queries over HTTP.

Precision and recall@3 per type and kind on tests/reconcile-test-set.tsv (real data). Latency: batches of 10
queries drawn from the test set (exact and noisy mixed, seeded), POSTed to `migration-lod serve` at
/reconcile one after the other, on the real data and on a synthetic publication; the server's index is
built before the clock starts (the first request waits for it: that wait is reported apart).
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from migration_lod.reconcile.index import open_index
from migration_lod.reconcile.quality import measure, read_cases

TEST_SET = Path(__file__).resolve().parents[1] / "tests" / "reconcile-test-set.tsv"
BATCH = 10
SEED = 10


def precision(dist: Path) -> dict:
    """Top-1 precision and recall@3 by type and kind on the test set."""
    scores, _ = measure(open_index([dist / "migration-lod.nt"]), read_cases(TEST_SET))
    return {f"{key} {kind}": {"queries": s.queries, "precision": round(s.precision, 4),
                              "recall_at_3": round(s.recall_at_3, 4)} for (key, kind), s in sorted(scores.items())}


def batch_latency(dist: Path, port: int, batches: int) -> dict:
    """Median and 95th percentile milliseconds of a 10-query batch, and the seconds the first request waited."""
    cases = read_cases(TEST_SET)
    rng = random.Random(SEED)  # noqa: S311 (the same batches every run)
    server = subprocess.Popen([sys.executable, "-m", "migration_lod", "serve", str(dist / "migration-lod.nt"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/reconcile"
    try:
        started = time.perf_counter()
        while True:
            try:
                requests.get(url, timeout=300).raise_for_status()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        first = time.perf_counter() - started
        session = requests.Session()
        times = []
        for _ in range(batches):
            chosen = rng.sample(cases, BATCH)
            queries = {f"q{i}": {"query": c.query, "type": c.type, "limit": 3} for i, c in enumerate(chosen)}
            began = time.perf_counter()
            answer = session.post(url, data={"queries": json.dumps(queries)}, timeout=60)
            times.append((time.perf_counter() - began) * 1000)
            answer.raise_for_status()
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss_mib = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024
    finally:
        server.terminate()
        server.wait(30)
    times.sort()
    return {"batches": batches, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "ready_seconds": round(first, 2),
            "server_rss_mib": round(rss_mib)}


def print_reconciliation(result: dict) -> None:
    """The tables."""
    print("\nreconciliation: top-1 precision and recall@3 on the test set (real data)")
    for name, row in result["precision"].items():
        print(f"  {name:22} {row['queries']:6} {row['precision']:8.3f} {row['recall_at_3']:8.3f}")
    for label, row in result["latency"].items():
        print(f"  batch of {BATCH} on {label}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms "
              f"({row['batches']} batches; index ready {row['ready_seconds']} s after the start; the server's "
              f"main process {row['server_rss_mib']} MiB)")
