"""The shape-based components: sh:property, and sh:qualifiedValueShape with its counts."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace

import pyoxigraph as ox

from migration_lod.validation.components.base import (
    PROPERTY,
    Check,
    Component,
    core,
    failing_values,
    integer_parameter,
    parameter,
)
from migration_lod.validation.components.cardinality import fewer, more
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import ShapeError, Term, sh
from migration_lod.validation.model import TRUE, Constraint, Result


class _Property(Component):
    """sh:property: the value nodes are validated against the property shape; its results are reported, once
    for each focus node that has the value node (the spec validates each focus node's values on their own)."""

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        shape = run.engine.shapes.shape(parameter(constraint, "property"))
        if shape.path is None:
            raise ShapeError(f"the value of sh:property {shape.node} is not a property shape")
        results = run.engine.evaluate(shape, run.value_focus())
        if not results:
            return
        reported = [result.origin if result.origin is not None else result.focus for result in results]
        parents: dict[Term, list[Term]] = defaultdict(list)
        for focus, value in run.pairs_among(set(reported)):
            parents[value].append(focus)
        for result, value in zip(results, reported, strict=True):
            for parent in parents[value]:
                yield replace(result, origin=parent)

    def failing(self, run: Run, constraint: Constraint) -> set[Term]:
        shape = run.engine.shapes.shape(parameter(constraint, "property"))
        return {focus for focus, _ in run.pairs_among(run.engine.failing(shape, run.value_focus()))}


def _siblings(run: Run, qualified: Term) -> list[Term]:
    """The other qualified value shapes of the property shapes next to this one (for ...ShapesDisjoint)."""
    graph = run.engine.shapes.graph
    parents = graph.subjects(sh("property"), run.shape.node)
    return [other for parent in parents for prop in graph.objects(parent, sh("property"))
            for other in graph.objects(prop, sh("qualifiedValueShape")) if other != qualified]


def _qualified(focus_nodes: Callable[[Run, int, str], Iterator[Term]], violates: Callable[[int, int], bool],
               name: str) -> Check:
    """sh:qualifiedMin/MaxCount: the focus nodes whose number of value nodes that conform to the qualified
    shape (and, with sh:qualifiedValueShapesDisjoint, to none of its siblings) `violates` the limit."""

    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        qualified = parameter(constraint, "qualifiedValueShape")
        limit = integer_parameter(constraint, name)
        failing = failing_values(run, qualified)
        others = ([failing_values(run, s) for s in _siblings(run, qualified)]
                  if constraint.get(sh("qualifiedValueShapesDisjoint")) == TRUE else [])
        if not others and not any(isinstance(value, ox.BlankNode) for value in failing):
            exclude = f"MINUS {{ VALUES ?value {{ {' '.join(map(str, failing))} }} }}" if failing else ""
            for focus in focus_nodes(run, limit, exclude):
                yield run.result(constraint, focus, None)
            return
        counts: dict[Term, int] = defaultdict(int)
        for focus, value in run.pairs():
            if value not in failing and all(value in other for other in others):
                counts[focus] += 1
        for focus in run.focus_nodes():
            if violates(counts[focus], limit):
                yield run.result(constraint, focus, None)
    return check


COMPONENTS = [
    core("Property", "property", lambda run, constraint: iter(()), cls=_Property),
    core("QualifiedMinCount", "qualifiedValueShape qualifiedMinCount",
          _qualified(fewer, operator.lt, "qualifiedMinCount"), optional="qualifiedValueShapesDisjoint",
          kinds=PROPERTY),
    core("QualifiedMaxCount", "qualifiedValueShape qualifiedMaxCount",
          _qualified(more, operator.gt, "qualifiedMaxCount"), optional="qualifiedValueShapesDisjoint",
          kinds=PROPERTY),
]
