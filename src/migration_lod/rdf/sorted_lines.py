"""N-Triples lines in byte order: the order of every published dump and of the dumps a diff compares.

Sorted lines do not depend on the store that held the graph (an in-memory store gives triples back in the
reverse order they were added, an on-disk one in the order of its keys), and each subject's lines stay
together. The system's `sort` does it in bounded memory, spilling to temporary files beside the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

SORT = "sort"
SORT_BUFFER = "256M"  # the memory `sort` may use before it spills to temporary files


def in_byte_order() -> dict[str, str]:
    """The environment of `sort` and `comm`: this process's, in byte order (the order a binary search assumes)."""
    return {**os.environ, "LC_ALL": "C"}


def write_sorted(write: Callable[[BinaryIO], None], out: Path, unique: bool = False) -> None:
    """The lines `write` writes to the stream it is given, into `out` in byte order (each line once when
    `unique`).

    Through a pipe into `sort` (no unsorted copy on disk); in memory where the system has no `sort`. An
    OSError says why `sort` failed (a full disk for its temporary files); an exception of `write` stops it.
    """
    if shutil.which(SORT) is None:
        with out.open("wb") as stream:
            write(stream)
        lines = out.read_bytes().splitlines(keepends=True)
        lines = sorted(set(lines)) if unique else sorted(lines)
        out.write_bytes(b"".join(lines))
        return
    command = [SORT, *(["-u"] if unique else []), "-S", SORT_BUFFER, "-T", str(out.parent), "-o", str(out)]
    with subprocess.Popen(command,  # noqa: S603
                          stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=in_byte_order()) as sorter:
        try:
            with suppress(BrokenPipeError):  # `sort` stopped reading: its status and message below say why
                write(sorter.stdin)
        except BaseException:
            sorter.kill()
            raise
        finally:
            with suppress(BrokenPipeError):
                sorter.stdin.close()
        failure = sorter.stderr.read().decode(errors="replace").strip()
    if sorter.returncode != 0:
        raise OSError(f"sort failed writing {out}: {failure or f'status {sorter.returncode}'}")
