"""The property pair components: sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals."""

from __future__ import annotations

from collections.abc import Iterator

from migration_lod.validation.components.base import (
    PROPERTY,
    Check,
    constant,
    core,
    iri_parameter,
    value_condition,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.model import Constraint, Result


def _equals(run: Run, constraint: Constraint) -> Iterator[Result]:
    other = constant(run, iri_parameter(constraint, "equals"))
    for focus, value in run.pairs(f"NOT EXISTS {{ ?this {other} {run.value} }}"):
        yield run.result(constraint, focus, value)
    own = (run.shape.path.pattern("?this", "?o", value_bound=True) if not run.node_shape
           else "FILTER (sameTerm(?this, ?o))")
    missing = f"SELECT DISTINCT ?this ?o WHERE {{ {{focus}} ?this {other} ?o FILTER NOT EXISTS {{ {own} }} }}"
    for row in run.query(missing):
        yield run.result(constraint, row["this"], row["o"])


def _disjoint(run: Run, constraint: Constraint) -> str:
    return f"EXISTS {{ ?this {constant(run, iri_parameter(constraint, 'disjoint'))} {run.value} }}"


def _less(operator: str, name: str) -> Check:
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        other = constant(run, iri_parameter(constraint, name))
        typed = run.engine.literals.typed
        # One result per pair of a value and another value it fails against, as the spec's test suite has it.
        for row in run.query(f"SELECT DISTINCT ?this ?value ?o WHERE {{ {{focus}} {run.values} ?this {other} ?o . "
                             f"FILTER (!COALESCE({typed('?value')} {operator} {typed('?o')}, false)) }}"):
            yield run.result(constraint, row["this"], row["value"])
    return check


COMPONENTS = [
    core("Equals", "equals", _equals),
    core("Disjoint", "disjoint", value_condition(_disjoint)),
    core("LessThan", "lessThan", _less("<", "lessThan"), kinds=PROPERTY),
    core("LessThanOrEquals", "lessThanOrEquals", _less("<=", "lessThanOrEquals"), kinds=PROPERTY),
]
