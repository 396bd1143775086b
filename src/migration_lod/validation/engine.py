"""Evaluating shapes on a store: targets, one SPARQL query per constraint over all focus nodes, and
conformance of value nodes to nested shapes computed set-wise (per node only where sets cannot be written).

pyoxigraph evaluates a query without holding the GIL, so the targeted shapes are evaluated in threads at
once, each by an engine of its own (its caches and recursion guard are not shared; the store is), and their
results are given in the order of the shapes, as one thread would give them. When the caller stops early (an
error, Ctrl-C), the shapes still running stop at their next solution instead of running to their end.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from migration_lod.validation.focus import MAX_DEPTH, Focus, Nodes, Pattern, values_of
from migration_lod.validation.graph import Term
from migration_lod.validation.literals import Literals
from migration_lod.validation.model import Constraint, Result, Shape, Shapes

TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
TYPE_OF = f"{TYPE}/{SUBCLASS}*"
THIS = ox.Variable("this")
VALUES_PER_QUERY = 5000  # terms in one VALUES block
THREADS = min(4, os.cpu_count() or 1)  # targeted shapes evaluated at once


class Stopped(Exception):
    """Raised in a thread still evaluating a shape when validation was given up."""


class Engine:
    """Validation of one data graph (a store) against compiled shapes."""

    def __init__(self, store: ox.Store, shapes: Shapes, literals: Literals | None = None,
                 parent: Engine | None = None) -> None:
        self.store = store
        self.shapes = shapes
        self.literals = literals or Literals()
        self._parent = parent  # the engine that adds the shapes graph to the store, once, for all threads
        self._lock = threading.Lock()
        self._stop = parent._stop if parent is not None else threading.Event()
        self._failing: dict[tuple[int, Term], bool] = {}
        self._open: set[tuple[int, Term]] = set()
        self._added: list[ox.Quad] = []
        # The members of an sh:or or sh:and often share their value nodes: each set is asked for once.
        self._value_focus: dict[tuple[int, Focus], Focus] = {}
        self._nodes: dict[Focus, list[Term]] = {}

    def load_shapes_graph(self, name: ox.NamedNode) -> None:
        """The shapes graph as a named graph of the store, for $shapesGraph (taken out again by `close`)."""
        if self._parent is not None:
            self._parent.load_shapes_graph(name)
            return
        with self._lock:
            if not self._added:
                self._added = [ox.Quad(t.subject, t.predicate, t.object, name) for t in self.shapes.graph.triples]
                self.store.bulk_extend(self._added)

    def close(self) -> None:
        """Leave the store as it was given."""
        for quad in self._added:
            self.store.remove(quad)
        self._added = []

    def validate(self, threads: int = THREADS) -> Iterator[Result]:
        """Every validation result of the data graph, shape by shape; `threads` shapes are evaluated at once."""
        shapes = self.shapes.targeted
        self._stop.clear()
        if threads <= 1 or len(shapes) <= 1:
            for shape in shapes:
                yield from self.evaluate(shape, self.target_focus(shape))
            return
        pool = ThreadPoolExecutor(threads, thread_name_prefix="shacl")
        try:
            futures = [pool.submit(self._evaluate_alone, shape) for shape in shapes]
            for future in futures:
                yield from future.result()
        finally:
            self._stop.set()  # all done, or given up: what still runs stops at its next solution
            pool.shutdown(wait=True, cancel_futures=True)

    def query(self, text: str, **options: object) -> Iterator[ox.QuerySolution]:
        """The solutions of a SELECT query of the data, which stop coming (Stopped) once validation is given up."""
        return self.until_stopped(self.store.query(text, **options))

    def until_stopped(self, solutions: Iterator[ox.QuerySolution]) -> Iterator[ox.QuerySolution]:
        """The solutions, until validation is given up (then Stopped)."""
        stop = self._stop
        for solution in solutions:
            if stop.is_set():
                raise Stopped
            yield solution

    def _evaluate_alone(self, shape: Shape) -> list[Result]:
        engine = Engine(self.store, self.shapes, self.literals, parent=self)
        try:
            return engine.evaluate(shape, engine.target_focus(shape))
        except Stopped:
            return []
        except Exception as exc:
            # Its traceback holds pyoxigraph's iterators, which must be dropped by the thread that made them.
            raise exc.with_traceback(None) from None

    def target_focus(self, shape: Shape) -> Focus:
        """The focus nodes of a shape's targets."""
        parts: list[Callable[[str], str]] = []
        listed: list[Term] = []
        for kind, value in shape.targets:
            if kind == "targetNode" and isinstance(value, ox.BlankNode):
                listed.append(value)  # a blank node cannot be written in a query
            elif kind == "targetNode":
                constant = self.literals.sparql(value)
                parts.append(lambda v, c=constant: f"{{ VALUES {v} {{ {c} }} }}")
            elif kind == "targetClass":
                parts.append(lambda v, c=value: f"{{ {v} {TYPE_OF} {c} }}")
            elif kind == "targetSubjectsOf":
                parts.append(lambda v, p=value: f"{{ {v} {p} [] }}")
            else:
                parts.append(lambda v, p=value: f"{{ [] {p} {v} }}")
        pattern = Pattern(lambda v: "{ " + " UNION ".join(part(v) for part in parts) + " }")
        if listed:
            return Nodes(tuple(dict.fromkeys([*listed, *(self.nodes(pattern) if parts else [])])))
        return pattern

    def evaluate(self, shape: Shape, focus: Focus) -> list[Result]:
        """The results of validating the focus nodes against a shape."""
        if shape.deactivated:
            return []
        run = Run(self, shape, focus)
        return [result for constraint in shape.constraints for result in constraint.component.check(run, constraint)]

    def nodes(self, focus: Focus) -> list[Term]:
        """The focus nodes, listed."""
        if isinstance(focus, Nodes):
            return list(focus.nodes)
        if focus not in self._nodes:
            self._nodes[focus] = [row["this"] for row in
                                  self.query(f"SELECT DISTINCT ?this WHERE {{ {focus.where} }}")]
        return self._nodes[focus]

    def value_focus(self, shape: Shape, focus: Focus) -> Focus:
        """The value nodes of a shape on these focus nodes, as the focus of a nested shape."""
        if shape.path is None:
            return focus
        key = (id(shape), focus)
        if key not in self._value_focus:
            if isinstance(focus, Pattern) and focus.depth < MAX_DEPTH:
                self._value_focus[key] = values_of(focus, shape.path)
            else:
                run = Run(self, shape, focus)
                self._value_focus[key] = Nodes(tuple(dict.fromkeys(value for _, value in run.pairs())))
        return self._value_focus[key]

    def failing(self, shape: Shape, focus: Focus) -> set[Term]:
        """The focus nodes that do not conform to `shape` (any result of any severity)."""
        if isinstance(focus, Nodes):
            return {node for node in focus.nodes if self._node_fails(shape, node)}
        if focus.depth >= MAX_DEPTH:
            return {node for node in self.nodes(focus) if self._node_fails(shape, node)}
        failing: set[Term] = set()
        for constraint in ([] if shape.deactivated else shape.constraints):
            failing |= constraint.component.failing(Run(self, shape, focus), constraint)
        return failing

    def _node_fails(self, shape: Shape, node: Term) -> bool:
        key = (id(shape), node)
        if key in self._failing:
            return self._failing[key]
        if key in self._open:  # a shape that refers to itself through this node: conforming so far
            return False
        self._open.add(key)
        try:
            fails = bool(self.failing_one(shape, node))
        finally:
            self._open.discard(key)
        self._failing[key] = fails
        return fails

    def failing_one(self, shape: Shape, node: Term) -> set[Term]:
        """{node} when the one node does not conform to `shape`, else the empty set."""
        focus = Nodes((node,))
        failing: set[Term] = set()
        for constraint in ([] if shape.deactivated else shape.constraints):
            failing |= constraint.component.failing(Run(self, shape, focus), constraint)
            if failing:
                break
        return failing


@dataclass
class Run:
    """One shape on one set of focus nodes: the query helpers its constraints use."""

    engine: Engine
    shape: Shape
    focus: Focus

    @property
    def node_shape(self) -> bool:
        """True for a node shape (its value nodes are its focus nodes)."""
        return self.shape.path is None

    @property
    def value(self) -> str:
        """The variable of the value nodes in the queries."""
        return "?this" if self.node_shape else "?value"

    @property
    def values(self) -> str:
        """The pattern from ?this to its value nodes."""
        return "" if self.node_shape else self.shape.path.pattern("?this", "?value")

    def query(self, text: str) -> Iterator[ox.QuerySolution]:
        """Solutions of a query whose focus nodes are `{focus}` in its text (?this substituted for a list)."""
        if isinstance(self.focus, Pattern):
            yield from self.engine.query(text.replace("{focus}", self.focus.where))
            return
        text = text.replace("{focus}", "")
        for node in self.focus.nodes:
            yield from self.engine.query(text, substitutions={THIS: node})

    def pairs(self, condition: str = "", extra: str = "") -> Iterator[tuple[Term, Term]]:
        """(focus node, value node) pairs, optionally only those where a SPARQL condition holds."""
        where = f"FILTER ({condition})" if condition else ""
        projection = "?this" if self.node_shape else "?this ?value"
        for row in self.query(f"SELECT DISTINCT {projection} WHERE {{ {{focus}} {self.values} {extra} {where} }}"):
            yield row["this"], row["this"] if self.node_shape else row["value"]

    def pairs_among(self, values: set[Term]) -> Iterator[tuple[Term, Term]]:
        """The (focus node, value node) pairs whose value node is one of `values`, value nodes of this run
        (asked of the store by name when they can all be written in a query, else found among all pairs)."""
        if not values:
            return
        if self.node_shape:  # a node shape's value nodes are its focus nodes
            yield from ((value, value) for value in values)
            return
        if any(isinstance(value, ox.BlankNode) for value in values):
            yield from ((focus, value) for focus, value in self.pairs() if value in values)
            return
        listed = sorted(values, key=str)
        for start in range(0, len(listed), VALUES_PER_QUERY):
            written = " ".join(str(value) for value in listed[start:start + VALUES_PER_QUERY])
            yield from self.pairs(extra=f"VALUES {self.value} {{ {written} }}")

    def focus_nodes(self) -> list[Term]:
        """The focus nodes, listed."""
        return self.engine.nodes(self.focus)

    def value_focus(self) -> Focus:
        """The value nodes, as the focus of a nested shape."""
        return self.engine.value_focus(self.shape, self.focus)

    def result(self, constraint: Constraint, focus: Term, value: Term | None, **changes: object) -> Result:
        """A result of this shape's constraint (value given as read from the store)."""
        path = changes.get("path", self.shape.path)
        messages = changes.get("messages") or self.shape.messages
        return Result(focus, path, value, self.shape.severity, constraint.component.iri, self.shape.node,
                      tuple(messages), changes.get("source"))

