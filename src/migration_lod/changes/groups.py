"""A dump as groups of triples, one per resource, in the order of their IRIs, read from disk.

Two graphs of two million triples do not fit side by side in memory; their triples do fit in an SQLite file,
which sorts them by resource on disk. A resource's group holds its own triples and those of the nodes that
belong to it: its fragment IRIs (`iscm/x#source-1`) and the blank nodes it refers to, at any depth. A blank
node no resource refers to is grouped with the other such nodes under the empty key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import groupby, islice
from pathlib import Path

import pyoxigraph as ox

from migration_lod.problems import InputError, Problem
from migration_lod.rdf.formats import quads

Triple = tuple[str, str, str]  # subject, predicate, object in N-Triples syntax
BATCH = 100_000  # triples held in memory between two inserts


def resource_key(subject: str) -> str | None:
    """The group of a subject: its IRI without the fragment; None for a blank node (its referrer decides)."""
    if subject.startswith("_:"):
        return None
    return subject.split("#", 1)[0] + ">" if "#" in subject else subject


class GroupedDump:
    """One dump's triples in an SQLite file under `workdir`, grouped by resource and read in key order."""

    def __init__(self, path: Path, workdir: Path, name: str) -> None:
        self.path = Path(path)
        self.database = sqlite3.connect(workdir / f"{name}.sqlite")
        self.database.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;"
            "CREATE TABLE triple (grp TEXT, s TEXT, p TEXT, o TEXT);"
            "CREATE TABLE blank (node TEXT PRIMARY KEY, grp TEXT, parent TEXT);")
        self.triples = 0
        self._load()
        self._attach_blank_nodes()

    def _load(self) -> None:
        try:
            self._insert_all()
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError([Problem(f"not a readable RDF dump: {' '.join(str(exc).split())[:300]}",
                                      str(self.path))]) from exc

    def _insert_all(self) -> None:
        references: list[tuple[str, str | None, str]] = []

        def rows() -> Iterator[tuple[str | None, str, str, str]]:
            blank = ox.BlankNode
            for quad in quads(self.path):
                subject, obj = str(quad.subject), quad.object
                key = None if subject[0] == "_" else resource_key(subject)
                if type(obj) is blank:
                    references.append((str(obj), key, subject))
                self.triples += 1
                yield key, subject, str(quad.predicate), str(obj)

        triples = rows()
        while batch := list(islice(triples, BATCH)):
            self.database.executemany("INSERT INTO triple VALUES (?, ?, ?, ?)", batch)
            # the first referrer of a blank node owns it: a well-formed dump has only one
            self.database.executemany("INSERT OR IGNORE INTO blank VALUES (?, ?, ?)", references)
            references.clear()

    def _attach_blank_nodes(self) -> None:
        """Each blank node joins the group of the resource that refers to it, through other blank nodes too."""
        database = self.database
        attached = True
        while attached:  # one level of nesting per round, until a round attaches nothing
            attached = database.execute(
                "UPDATE blank SET grp = (SELECT b.grp FROM blank AS b WHERE b.node = blank.parent) "
                "WHERE grp IS NULL AND (SELECT b.grp FROM blank AS b WHERE b.node = blank.parent) IS NOT NULL"
            ).rowcount > 0
        database.execute("UPDATE triple SET grp = COALESCE((SELECT grp FROM blank WHERE node = triple.s), '') "
                         "WHERE grp IS NULL")
        database.execute("CREATE INDEX by_group ON triple (grp)")

    def groups(self) -> Iterator[tuple[str, list[Triple]]]:
        """(resource key, its triples), in key order, one group in memory at a time."""
        rows = self.database.execute("SELECT grp, s, p, o FROM triple ORDER BY grp")
        for key, members in groupby(rows, key=lambda row: row[0]):
            yield key, [(s, p, o) for _, s, p, o in members]

    def close(self) -> None:
        """Close the SQLite file (the caller removes the folder)."""
        self.database.close()
