"""Records for a build too large to hold them: checked in a first reading that keeps only their ids, then read
again one at a time to be mapped into an on-disk store, their origins kept on disk beside it."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from migration_lod.problems import InputError, Problem
from migration_lod.progress import Stage
from migration_lod.records.folder import ReadOptions
from migration_lod.records.load import Record, RecordIds, iter_file
from migration_lod.records.origins import StoredOrigins


def check_records(files: list[Path], progress: Stage | None = None,
                  options: ReadOptions | None = None) -> set[tuple[str, str]]:
    """The (kind, id) of every record of the files; InputError naming every problem, as load_records does."""
    ids: set[tuple[str, str]] = set()
    seen = RecordIds()
    problems: list[Problem] = []
    duplicates: list[Problem] = []
    for path in files:
        try:
            for record, found in iter_file(path, progress, options):
                problems.extend(found)
                if record is not None:
                    ids.add((record.kind.name, record.id))
                    duplicate = seen.add(record)
                    if duplicate is not None:
                        duplicates.append(duplicate)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems or duplicates:
        raise InputError(problems + duplicates)
    return ids


def stream_records(files: list[Path], options: ReadOptions | None = None) -> Iterator[Record]:
    """The records of the files, one at a time, read again after check_records; InputError when a file has
    changed in between and a record no longer passes its checks."""
    for path in files:
        for record, found in iter_file(path, options=options):
            if found:
                raise InputError([Problem(f"the file changed while it was built: {found[0].message}",
                                          found[0].file, found[0].line, found[0].record, found[0].field)])
            assert record is not None  # no problem: a record
            yield record


class Workspace:
    """A temporary folder (under TMPDIR) with the on-disk store of a streamed build and the origins of its
    IRIs; removed by `remove`, when it is garbage-collected, or when the interpreter exits."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="migration-lod-build-"))
        self._removal = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)
        self.store = ox.Store(str(self.path / "store"))
        self.origins = StoredOrigins(self.path / "origins.sqlite")

    def remove(self) -> None:
        """Close the origins and remove the folder."""
        self.origins.close()
        self._removal()
