"""How well the matcher does on a test set of names with their expected entity: top-1 precision and recall@3.

A test set is a TSV file with the columns type (a type key), kind (exact or noisy), how (what the name
is: a label, an acronym, a typo ...), query and expected (the IRI). Precision is counted as the share of
queries whose first candidate is the expected entity (every query has one), recall@3 as the share whose
expected entity is among the first three.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from migration_lod.reconcile.index import NameIndex
from migration_lod.reconcile.match import Query, candidates

COLUMNS = ("type", "kind", "how", "query", "expected")


@dataclass(frozen=True)
class Case:
    """One line of a test set."""

    type: str
    kind: str
    how: str
    query: str
    expected: str


@dataclass
class Score:
    """The results of one type and kind of query."""

    queries: int = 0
    first: int = 0
    in_three: int = 0

    @property
    def precision(self) -> float:
        """Top-1 precision."""
        return self.first / self.queries if self.queries else 0.0

    @property
    def recall_at_3(self) -> float:
        """Recall at 3."""
        return self.in_three / self.queries if self.queries else 0.0


def read_cases(path: Path) -> list[Case]:
    """The cases of a test set file."""
    with path.open(encoding="utf-8", newline="") as stream:
        return [Case(**row) for row in csv.DictReader(stream, delimiter="\t")]


def write_cases(path: Path, cases: list[Case]) -> None:
    """Write a test set file."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows((c.type, c.kind, c.how, c.query, c.expected) for c in cases)


def measure(index: NameIndex, cases: list[Case]) -> tuple[dict[tuple[str, str], Score], list[Case]]:
    """The scores by (type, kind), and the cases whose first candidate is not the expected one."""
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    missed = []
    for case in cases:
        found = [c.entity.iri for c in candidates(index, Query(case.query, frozenset({case.type}), 3))]
        score = scores[case.type, case.kind]
        score.queries += 1
        score.first += found[:1] == [case.expected]
        score.in_three += case.expected in found
        if found[:1] != [case.expected]:
            missed.append(case)
    return dict(scores), missed
