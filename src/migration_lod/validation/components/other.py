"""The other components: sh:closed, sh:hasValue, sh:in."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from migration_lod.validation.components.base import (
    constant,
    core,
    list_parameter,
    parameter,
    value_condition,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import ShapesGraph, Unsupported, sh
from migration_lod.validation.model import TRUE, Constraint, Result
from migration_lod.validation.paths import Path


def _no_blank_constants(graph: ShapesGraph, constraint: Constraint) -> None:
    """A blank node cannot be written in a query: sh:in and sh:hasValue with one are refused."""
    for name, value in constraint.parameters:
        members = graph.items(value) if name == sh("in") else [value]
        if any(isinstance(member, ox.BlankNode) for member in members):
            raise Unsupported(f"a blank node as a value of {name}")


def _has_value(run: Run, constraint: Constraint) -> Iterator[Result]:
    expected = constant(run, parameter(constraint, "hasValue"))
    # The path followed to the expected value (a look-up), where listing every value would read them all.
    test = (f"FILTER (!sameTerm(?this, {expected}))" if run.node_shape
            else f"FILTER NOT EXISTS {{ {run.shape.path.pattern('?this', expected, value_bound=True)} }}")
    for row in run.query(f"SELECT DISTINCT ?this WHERE {{ {{focus}} {test} }}"):
        yield run.result(constraint, row["this"], None)


def _in(run: Run, constraint: Constraint) -> str:
    members = " || ".join(f"sameTerm({run.value}, {constant(run, m)})" for m in list_parameter(run, constraint, "in"))
    return f"!({members or 'false'})"


def _closed(run: Run, constraint: Constraint) -> Iterator[Result]:
    if parameter(constraint, "closed") != TRUE:
        return
    graph = run.engine.shapes.graph
    allowed = {path for prop in graph.objects(run.shape.node, sh("property"))
               for path in graph.objects(prop, sh("path")) if isinstance(path, ox.NamedNode)}
    ignored = constraint.get(sh("ignoredProperties"))
    allowed |= {p for p in (graph.items(ignored) if ignored is not None else []) if isinstance(p, ox.NamedNode)}
    exclude = f"FILTER (?p NOT IN ({', '.join(str(p) for p in sorted(allowed, key=str))}))" if allowed else ""
    for row in run.query(f"SELECT DISTINCT ?this {'' if run.node_shape else '?value'} ?p ?o WHERE {{ {{focus}} "
                         f"{run.values} {run.value} ?p ?o . {exclude} }}"):
        yield run.result(constraint, row["this"], row["o"], path=Path(row["p"], predicate=row["p"]))


COMPONENTS = [
    core("Closed", "closed", _closed, optional="ignoredProperties"),
    core("HasValue", "hasValue", _has_value, prepare=_no_blank_constants),
    core("In", "in", value_condition(_in), prepare=_no_blank_constants),
]
