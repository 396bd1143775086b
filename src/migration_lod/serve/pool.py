"""Read-only SPARQL in confined worker processes that are stopped when a query passes a limit.

pyoxigraph has no query timeout in its Python API, and its evaluation cannot be interrupted: a query is
stopped by stopping the process it runs in. Every worker opens one on-disk store read-only: the store a
publication holds beside its dumps (publish/query_store) when it was built with them, else the dumps loaded
once into a temporary store; workers are forked from a preloaded fork server, so a stopped worker is replaced
in milliseconds while the others go on. A query is stopped when its deadline passes (counted from the
request's arrival), when its client goes away, or when its worker's memory passes the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from migration_lod.publish.query_store import PublishedStore, published_store
from migration_lod.serve.limits import Limits
from migration_lod.serve.messages import Answer, QueryError, QueryRequest
from migration_lod.serve.sandbox import SandboxUnavailable, anonymous_memory
from migration_lod.serve.store import load_dumps
from migration_lod.serve.turns import wait_turn
from migration_lod.serve.worker import READY, SANDBOX, run_worker

CHECK_SECONDS = 0.05  # how often a running query's client and memory are looked at
START_SECONDS = 60.0
RESPAWN_PAUSE = 1.0  # between attempts when a worker cannot be started
log = logging.getLogger("migration_lod.serve")


def _context() -> Any:
    """Fork workers from a fork server that has imported the worker's modules once (spawn where unavailable)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # A forked worker runs the main script again (CPython 3.11's fork server drops the main path that its
    # "__main__" preload needs): the console script imports the CLI, so the fork server imports it first.
    context.set_forkserver_preload(["migration_lod.serve.worker", "migration_lod.cli"])
    return context


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: Any, store_dir: Path, limits: Limits, sandboxed: bool) -> None:
        self.stopped = False
        self.connection, child = context.Pipe()
        # The kernel's cap sits above the limit the pool watches: it stops single huge allocations.
        rlimit = 2 * limits.worker_memory_bytes
        self.process = context.Process(target=run_worker, name="migration-lod query worker", daemon=True,
                                       args=(str(store_dir), limits.max_result_bytes, rlimit, sandboxed, child))
        self.process.start()
        child.close()
        try:
            message = self.connection.recv() if self.connection.poll(START_SECONDS) else (None, "no answer")
        except (EOFError, OSError):
            message = (None, "it stopped")
        if message != (READY, None):
            self.stop()
            self.process.join(5)
            failure, reason = message
            error = SandboxUnavailable if failure == SANDBOX else RuntimeError
            raise error(f"a query worker did not start: {reason}")

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid or 0

    def stop(self) -> None:
        """Kill the process (its CPU and memory are freed at once) and close the pipe."""
        self.stopped = True
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        with contextlib.suppress(OSError):
            self.connection.close()


class QueryEngine:
    """A pool of confined worker processes over a read-only store; every query runs under the limits."""

    def __init__(self, dumps: Iterable[Path], limits: Limits | None = None, *, sandboxed: bool = True,
                 published: bool = True) -> None:
        self.limits = limits or Limits()
        self.sandboxed = sandboxed
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._waiting: deque[asyncio.Future] = deque()
        self._deadlines: dict[_Worker, float] = {}
        self._respawning: set[asyncio.Task] = set()
        self._closed = False
        # Blocking pipe reads, process starts and reaps: a pool of their own, so they never wait for each other.
        self._threads = ThreadPoolExecutor(max_workers=2 * self.limits.workers + 2, thread_name_prefix="query-pool")
        dumps = list(dumps)
        found = published_store(dumps) if published else "asked to load the dumps"
        self._folder: Path | None = None  # the temporary store's, deleted at close
        self.why_loaded: str | None = None  # why the dumps were loaded rather than a published store opened
        try:
            started = time.perf_counter()
            if isinstance(found, PublishedStore):
                self.store_dir, self.triples = found.path, found.triples
            else:
                self._folder = Path(tempfile.mkdtemp(prefix="migration-lod-store-"))
                self.store_dir, self.why_loaded = self._folder / "store", found
                self.triples = load_dumps(dumps, self.store_dir)
            self.load_seconds = time.perf_counter() - started
            self._context = _context()
            for _ in range(self.limits.workers):
                self._workers.append(self._spawn())
        except BaseException:
            self.close()
            raise
        self._idle = list(self._workers)

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self.store_dir, self.limits, self.sandboxed)

    def retry_after(self) -> int:
        """Seconds until a worker is sure to be free: the nearest deadline of the queries running now."""
        if not self._deadlines:
            return 1
        return max(1, math.ceil(min(self._deadlines.values()) - asyncio.get_running_loop().time()))

    async def query(self, request: QueryRequest, *, deadline: float | None = None,
                    gone: asyncio.Future | None = None) -> Answer:
        """Answer a query in a worker before `deadline` (loop time; default: the time limit from now).

        `gone` completes when the client has closed its connection: the query is then stopped.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.timeout if deadline is None else deadline
        worker = await self._acquire(deadline, gone)
        try:
            return await self._run(worker, request, deadline, gone)
        finally:
            self._release(worker)

    async def _acquire(self, deadline: float, gone: asyncio.Future | None) -> _Worker:
        if self._idle and not self._waiting:
            return self._idle.pop()
        if len(self._waiting) >= self.limits.max_waiting:
            raise QueryError(503, f"the server is busy ({len(self._waiting)} queries are waiting)",
                             self.retry_after())
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            if not await wait_turn(turn, deadline, gone):
                raise QueryError(503, f"no query worker became free within the time limit of "
                                      f"{self.limits.timeout:g} s", self.retry_after())
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release(turn.result())
            else:
                turn.cancel()
                self._waiting.remove(turn)
            raise
        return turn.result()

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
            return
        if worker.stopped or not worker.process.is_alive():
            task = asyncio.get_running_loop().create_task(self._replace(worker))
            self._respawning.add(task)
            task.add_done_callback(self._respawning.discard)
            return
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(worker)
                return
        self._idle.append(worker)

    async def _replace(self, worker: _Worker) -> None:
        """Reap a stopped worker and put a new one in its place (retrying while the pool is open)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, worker.process.join, 5)
        self._workers.remove(worker)
        while not self._closed:
            try:
                new = await loop.run_in_executor(self._threads, self._spawn)
            except (RuntimeError, OSError, SandboxUnavailable) as exc:
                log.error("cannot start a query worker: %s", exc)
                await asyncio.sleep(RESPAWN_PAUSE)
                continue
            self._workers.append(new)
            self._release(new)
            return

    async def _run(self, worker: _Worker, request: QueryRequest, deadline: float,
                   gone: asyncio.Future | None) -> Answer:
        loop = asyncio.get_running_loop()
        self._deadlines[worker] = deadline
        answered = loop.create_future()
        descriptor = worker.connection.fileno()
        try:
            worker.connection.send(request)
            loop.add_reader(descriptor, lambda: answered.done() or answered.set_result(None))
            try:
                await self._watch(worker, answered, deadline, gone)
            finally:
                loop.remove_reader(descriptor)
            result = await loop.run_in_executor(self._threads, worker.connection.recv)
        except (EOFError, OSError) as exc:
            raise await self._failure(worker) from exc
        except BaseException:  # stopped at a limit, the client gone, or the server shutting down
            worker.stop()
            raise
        finally:
            self._deadlines.pop(worker, None)
        memory = anonymous_memory(worker.pid)
        if memory is not None and memory > self.limits.worker_memory_bytes // 2:
            worker.stop()  # a worker keeps what it has allocated: the next query gets a fresh one
        if isinstance(result, QueryError):
            raise result
        return result

    async def _watch(self, worker: _Worker, answered: asyncio.Future, deadline: float,
                     gone: asyncio.Future | None) -> None:
        """Wait for the answer; raise when the deadline passes, the client goes or the memory runs over."""
        loop = asyncio.get_running_loop()
        limit = self.limits.worker_memory_bytes
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise QueryError(503, f"the query was stopped at the time limit of {self.limits.timeout:g} s",
                                 self.retry_after())
            if await wait_turn(answered, min(deadline, loop.time() + CHECK_SECONDS), gone):
                return
            memory = anonymous_memory(worker.pid)
            if memory is not None and memory > limit:
                raise QueryError(503, f"the query was stopped: it needed more than the "
                                      f"{self.limits.worker_memory_mib:,} MiB of memory a query may use")

    async def _failure(self, worker: _Worker) -> QueryError:
        """The error for a worker that died while answering (the kernel's memory cap, or a crash)."""
        worker.stop()
        await asyncio.get_running_loop().run_in_executor(self._threads, worker.process.join, 5)
        if worker.process.exitcode == -signal.SIGABRT:
            return QueryError(503, f"the query was stopped: it needed more than the memory a query may use "
                                   f"({self.limits.worker_memory_mib:,} MiB)")
        log.error("a query worker died (exit code %s)", worker.process.exitcode)
        return QueryError(500, "the query worker failed while answering; other queries are not affected")

    def close(self) -> None:
        """Stop the workers and delete the store they loaded (never a published one)."""
        self._closed = True
        for task in self._respawning:
            task.cancel()
        for worker in self._workers:
            worker.stop()
        for worker in self._workers:
            worker.process.join(5)
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

