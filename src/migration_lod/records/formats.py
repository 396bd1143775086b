"""The record file formats, one entry each: the suffixes a data folder's files may have, how a file is parsed
into located mappings and how records are written back. Adding a format is one entry here (with its parser
and writer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migration_lod.records.kinds import Kind
from migration_lod.records.parsers import parse_csv, parse_structured
from migration_lod.records.writers import write_csv, write_json, write_yaml

if TYPE_CHECKING:
    from migration_lod.records.load import Record


@dataclass(frozen=True)
class RecordFormat:
    """A record file format: its name, its suffixes (the first is written), its parser and its writer."""

    name: str
    suffixes: tuple[str, ...]
    parse: Callable[[Path, str, Kind], Iterable[Any]]  # (file, the file as shown in problems, kind) -> mappings
    write: Callable[[list[Record], Path], None]  # the records of one kind -> a file


RECORD_FORMATS = {f.name: f for f in (
    RecordFormat("yaml", (".yaml", ".yml"), parse_structured, write_yaml),
    RecordFormat("json", (".json",), parse_structured, write_json),
    RecordFormat("csv", (".csv",), parse_csv, write_csv),
)}
RECORD_SUFFIXES = tuple(suffix for f in RECORD_FORMATS.values() for suffix in f.suffixes)


def format_of(path: Path) -> RecordFormat | None:
    """The format of a record file, by its suffix."""
    return next((f for f in RECORD_FORMATS.values() if path.suffix in f.suffixes), None)
