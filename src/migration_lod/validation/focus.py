"""The focus nodes of one evaluation: a SPARQL pattern that binds them (for whole sets, one query per
constraint), or a list of nodes substituted one at a time (for blank nodes named in shapes and deep nesting).

Patterns compose: the value nodes of a property shape are a pattern over its focus nodes' pattern, so nested
shapes are checked set-wise too, up to a depth after which the nodes are listed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from migration_lod.validation.graph import Term
from migration_lod.validation.paths import Path

MAX_DEPTH = 4  # patterns nested deeper than this are listed instead (recursive shapes would not end)
_names = itertools.count()


def fresh() -> str:
    """A variable name no other part of a query uses."""
    return f"?v{next(_names)}"


@dataclass(frozen=True)
class Pattern:
    """Focus nodes bound by a SPARQL pattern: `make(var)` is a group pattern binding `var` to them."""

    make: Callable[[str], str]
    depth: int = 0

    @property
    def where(self) -> str:
        """The pattern binding ?this."""
        return self.make("?this")


@dataclass(frozen=True)
class Nodes:
    """Focus nodes given one by one (each substituted for ?this in the queries)."""

    nodes: tuple[Term, ...]


Focus = Pattern | Nodes


def values_of(pattern: Pattern, path: Path) -> Pattern:
    """The value nodes reached from a pattern's focus nodes by a path, as a pattern."""
    def make(var: str) -> str:
        source = fresh()
        return f"{{ SELECT DISTINCT {var} WHERE {{ {pattern.make(source)} {path.pattern(source, var)} }} }}"
    return Pattern(make, pattern.depth + 1)
