"""The cardinality components: sh:minCount and sh:maxCount (look-ups where they answer, counting
otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migration_lod.validation.components.base import (
    PROPERTY,
    Check,
    core,
    integer_parameter,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import Term
from migration_lod.validation.model import Constraint, Result


def _focus_counted(run: Run, having: str, exclude: str = "") -> Iterator[Term]:
    """The focus nodes whose number of distinct value nodes (less those the MINUS block `exclude` removes)
    satisfies the HAVING condition `having` on COUNT(DISTINCT ?value)."""
    values = f"{run.values} {exclude}"
    # Every focus node, with its values if it has some (a path that can be empty has at least one).
    pattern = (f"{{ {{ {{focus}} {values} }} UNION {{ {{focus}} }} }}" if run.shape.path.nullable
               else f"{{focus}} OPTIONAL {{ {values} }}")
    for row in run.query(f"SELECT ?this WHERE {{ {pattern} }} GROUP BY ?this HAVING ({having})"):
        yield row["this"]


def fewer(run: Run, minimum: int, exclude: str = "") -> Iterator[Term]:
    """The focus nodes with fewer than `minimum` distinct value nodes (less those `exclude` removes)."""
    nullable = run.shape.path.nullable
    if minimum <= 0 or (minimum == 1 and nullable and not exclude):  # a node is one of its own values then
        return iter(())
    if minimum == 1 and not nullable:  # one look-up per focus node, where counting groups them (3x slower)
        query = f"SELECT DISTINCT ?this WHERE {{ {{focus}} FILTER NOT EXISTS {{ {run.values} {exclude} }} }}"
        return (row["this"] for row in run.query(query))
    return _focus_counted(run, f"COUNT(DISTINCT ?value) < {minimum}", exclude)


def more(run: Run, maximum: int, exclude: str = "") -> Iterator[Term]:
    """The focus nodes with more than `maximum` distinct value nodes (less those `exclude` removes)."""
    if maximum == 1 and not exclude:  # two distinct values joined, where counting groups them (2x slower)
        path = run.shape.path
        query = (f"SELECT DISTINCT ?this WHERE {{ {{focus}} {path.pattern('?this', '?value')} "
                 f"{path.pattern('?this', '?other')} FILTER (!sameTerm(?value, ?other)) }}")
        return (row["this"] for row in run.query(query))
    return _focus_counted(run, f"COUNT(DISTINCT ?value) > {maximum}", exclude)


def _count(focus_nodes: Callable[[Run, int], Iterator[Term]], name: str) -> Check:
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        for focus in focus_nodes(run, integer_parameter(constraint, name)):
            yield run.result(constraint, focus, None)
    return check


COMPONENTS = [
    core("MinCount", "minCount", _count(fewer, "minCount"), kinds=PROPERTY),
    core("MaxCount", "maxCount", _count(more, "maxCount"), kinds=PROPERTY),
]
