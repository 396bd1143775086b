"""Feedback from the long stages: on a terminal, a line rewritten in place with the count and the rate,
then one line per finished stage; nothing at all when quiet or when the output is not a terminal (a log
file or a pipe gets no carriage returns)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

REFRESH_SECONDS = 0.2  # a terminal redrawn more often only costs time


class Progress:
    """Where the stages report; `Progress(quiet=True)` (the default of the API) says nothing."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.started = time.perf_counter()

    def stage(self, what: str, unit: str, total: int | None = None) -> Stage:
        """Start a stage that counts `unit`s (records, triples, checks), out of `total` when known."""
        return Stage(self, what, unit, total)

    def say(self, message: str) -> None:
        """A line of its own, stamped with the time since the start, over any progress line."""
        if self.enabled:
            self.stream.write(f"\r\x1b[K[{time.perf_counter() - self.started:7.2f} s] {message}\n")
            self.stream.flush()


class Stage:
    """One stage's count: `advance` as work is done, `done` at the end."""

    def __init__(self, progress: Progress, what: str, unit: str, total: int | None) -> None:
        self.progress, self.what, self.unit, self.total = progress, what, unit, total
        self.count = 0
        self.started = self.shown = time.perf_counter()

    def advance(self, amount: int = 1) -> None:
        """Count `amount` more units; redraw the line now and then."""
        self.count += amount
        if not self.progress.enabled:
            return
        now = time.perf_counter()
        if now - self.shown >= REFRESH_SECONDS:
            self.shown = now
            out_of = f"/{self.total:,}" if self.total else ""
            self.progress.stream.write(f"\r\x1b[K{self.what}: {self.count:,}{out_of} {self.unit} "
                                       f"({self.count / (now - self.started):,.0f} {self.unit}/s)")
            self.progress.stream.flush()

    def done(self, message: str) -> float:
        """End the stage with a line saying `message`, its time and rate; return the seconds it took."""
        elapsed = time.perf_counter() - self.started
        rate = f", {self.count / elapsed:,.0f} {self.unit}/s" if self.count and elapsed > 0 else ""
        self.progress.say(f"{message} in {elapsed:.2f} s{rate}")
        return elapsed
