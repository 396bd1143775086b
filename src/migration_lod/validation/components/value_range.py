"""The value range components: sh:minExclusive, sh:minInclusive, sh:maxExclusive, sh:maxInclusive, with
the spec's rule for values that cannot be compared."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from migration_lod.validation.components.base import (
    core,
    parameter,
    value_condition,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import ShapeError
from migration_lod.validation.model import Constraint


def _range(operator: str, name: str) -> Callable[[Run, Constraint], str]:
    def condition(run: Run, constraint: Constraint) -> str:
        bound = parameter(constraint, name)
        if not isinstance(bound, ox.Literal):
            raise ShapeError(f"sh:{name} must be a literal")
        # Compared by value: the bound as written, never escaped (the store's rewriting keeps the value).
        return f"!COALESCE({run.engine.literals.typed(run.value)} {operator} {bound}, false)"
    return condition


COMPONENTS = [
    core("MinExclusive", "minExclusive", value_condition(_range(">", "minExclusive"))),
    core("MinInclusive", "minInclusive", value_condition(_range(">=", "minInclusive"))),
    core("MaxExclusive", "maxExclusive", value_condition(_range("<", "maxExclusive"))),
    core("MaxInclusive", "maxInclusive", value_condition(_range("<=", "maxInclusive"))),
]
