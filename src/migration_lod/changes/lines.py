"""Two dumps compared line by line first, by the system's `sort` and `comm`, so that Python reads only the
lines that differ and the resources they belong to.

Each dump is parsed whole (which checks it) and written again by pyoxigraph as N-Triples, one triple per line
in one spelling whatever the input's, straight into `sort`, which holds a bounded buffer and spills the rest
to temporary files. Equal lines are equal triples, except where a blank node is named: a differing line that
names one sends the caller to the slower path that groups every triple (`groups`). A resource's lines are
found in a sorted file by binary search."""

from __future__ import annotations

import mmap
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from migration_lod.changes.groups import Triple, resource_key
from migration_lod.problems import InputError, Problem
from migration_lod.rdf.formats import quads
from migration_lod.rdf.sorted_lines import in_byte_order, write_sorted


def available() -> bool:
    """True where the system has `sort` and `comm` (every POSIX system)."""
    return shutil.which("sort") is not None and shutil.which("comm") is not None


def sorted_dump(path: Path, out: Path) -> int:
    """Check `path` by parsing it, write its triples as sorted N-Triples lines to `out`; the number of triples.
    An InputError names the file when it is not readable RDF; an OSError says why `sort` failed."""
    count = [0]

    def counted() -> Iterator[ox.Quad]:
        for quad in quads(path):
            count[0] += 1
            yield quad

    def write(stream: BinaryIO) -> None:
        try:
            ox.serialize(counted(), stream, ox.RdfFormat.N_TRIPLES)
        except BrokenPipeError:
            raise
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError([Problem(f"not a readable RDF dump: {' '.join(str(exc).split())[:300]}",
                                      str(path))]) from exc

    write_sorted(write, out, unique=True)
    return count[0]


def sorted_dumps(old: Path, new: Path, folder: Path) -> tuple[Path, Path, int, int]:
    """Both dumps sorted at once, one process each (the work is parsing and sorting, on two cores)."""
    targets = folder / "old.sorted", folder / "new.sorted"
    with ProcessPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(sorted_dump, (old, new), targets))
    return targets[0], targets[1], counts[0], counts[1]


def parse_line(line: bytes) -> ox.Triple | None:
    """The triple of one N-Triples line, or None for a line that holds none (a comment, a blank line)."""
    parsed = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    return parsed[0].triple if parsed else None


def changed_resources(old_sorted: Path, new_sorted: Path) -> set[str] | None:
    """The keys of the resources with a line in one dump and not the other; None when such a line names a
    blank node (line equality says nothing about blank nodes)."""
    keys: set[str] = set()
    with subprocess.Popen(["comm", "-3", str(old_sorted), str(new_sorted)], stdout=subprocess.PIPE,  # noqa: S603,S607
                          env=in_byte_order()) as comm:
        for line in comm.stdout:
            triple = parse_line(line.lstrip(b"\t"))
            if triple is None:
                continue
            if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                comm.kill()
                return None
            keys.add(resource_key(str(triple.subject)))
    return keys


class SortedLines:
    """A sorted N-Triples file, searched for the lines of one resource."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("rb")
        self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else None

    def _first(self, prefix: bytes) -> int:
        """The offset of the first line not less than `prefix`."""
        low, high = 0, len(self.map)
        while low < high:
            middle = (low + high) // 2
            start = self.map.rfind(b"\n", 0, middle) + 1
            end = self.map.find(b"\n", start)
            end = len(self.map) if end < 0 else end
            if self.map[start:end] < prefix:
                low = end + 1
            else:
                high = start
        return low

    def _lines(self, prefix: bytes) -> Iterator[bytes]:
        position = self._first(prefix)
        while position < len(self.map):
            end = self.map.find(b"\n", position)
            end = len(self.map) if end < 0 else end
            line = self.map[position:end]
            if not line.startswith(prefix):
                return
            yield line
            position = end + 1

    def triples(self, key: str) -> list[Triple]:
        """The triples of the resource `key` (`<iri>`) and of its fragment IRIs."""
        if self.map is None:
            return []
        found = []
        for prefix in (key.encode() + b" ", key[:-1].encode() + b"#"):
            for line in self._lines(prefix):
                triple = parse_line(line)
                if triple is not None:
                    found.append((str(triple.subject), str(triple.predicate), str(triple.object)))
        return found

    def close(self) -> None:
        """Release the file."""
        if self.map is not None:
            self.map.close()
        self.file.close()

