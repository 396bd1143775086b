"""Where each minted IRI came from, kept on disk for a build too large to hold its records in memory.

A problem found in the graph names its record's file, line and field through these origins. The records
themselves are not kept: only what a problem needs of them (kind, id, file, line, field lines)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from migration_lod.records.kinds import KIND_BY_NAME
from migration_lod.records.load import Record

Origin = tuple[Record, str | None]  # the record, and the field when the node stands for one field
BATCH = 50_000  # origins written at a time


class StoredOrigins(MutableMapping[str, Origin]):
    """Origins by IRI in an SQLite file; a later origin of the same IRI replaces the earlier, as in a dict."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("CREATE TABLE IF NOT EXISTS origin (iri TEXT PRIMARY KEY, kind TEXT, id TEXT, "
                                "file TEXT, line INTEGER, field_lines TEXT, field TEXT) WITHOUT ROWID")
        self.pending: dict[str, Origin] = {}

    def __setitem__(self, iri: str, origin: Origin) -> None:
        self.pending[iri] = origin
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the origins noted since the last flush."""
        rows = [(iri, record.kind.name, record.id, record.file, record.line,
                 json.dumps(record.field_lines) if record.field_lines else None, field)
                for iri, (record, field) in self.pending.items()]
        self.connection.executemany("INSERT OR REPLACE INTO origin VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.connection.commit()
        self.pending.clear()

    def __getitem__(self, iri: str) -> Origin:
        if iri in self.pending:
            return self.pending[iri]
        row = self.connection.execute("SELECT kind, id, file, line, field_lines, field FROM origin WHERE iri = ?",
                                      (iri,)).fetchone()
        if row is None:
            raise KeyError(iri)
        kind, record_id, file, line, field_lines, field = row
        return Record(KIND_BY_NAME[kind], {"id": record_id}, file, line,
                      json.loads(field_lines) if field_lines else {}), field

    def __delitem__(self, iri: str) -> None:
        self.flush()
        if self.connection.execute("DELETE FROM origin WHERE iri = ?", (iri,)).rowcount == 0:
            raise KeyError(iri)

    def __iter__(self) -> Iterator[str]:
        self.flush()
        for (iri,) in self.connection.execute("SELECT iri FROM origin ORDER BY iri"):
            yield iri

    def __len__(self) -> int:
        self.flush()
        return self.connection.execute("SELECT COUNT(*) FROM origin").fetchone()[0]

    def close(self) -> None:
        """Close the file (the origins cannot be read after)."""
        self.connection.close()
