"""Shapes, their targets and constraints, read from a shapes graph; results as SHACL defines them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from migration_lod.validation.graph import RDFS, SH, Node, ShapeError, ShapesGraph, Term, sh
from migration_lod.validation.paths import Path, read_path

if TYPE_CHECKING:
    from migration_lod.validation.components import Component

TARGETS = ("targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf")
# Shape predicates that say something about the shape but constrain nothing.
DESCRIPTIVE = {sh(n) for n in ("path", "severity", "message", "deactivated", "name", "description", "order",
                               "group", "defaultValue", *TARGETS)}
LISTS = {sh(n) for n in ("in", "languageIn", "and", "or", "xone", "ignoredProperties")}
VIOLATION = sh("Violation")
BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
TRUE, FALSE = ox.Literal("true", datatype=BOOLEAN), ox.Literal("false", datatype=BOOLEAN)


@dataclass(frozen=True)
class Result:
    """One validation result (sh:ValidationResult)."""

    focus: Term
    path: Path | None
    value: Term | None
    severity: ox.NamedNode
    component: ox.NamedNode
    shape: Node
    messages: tuple[ox.Literal, ...] = ()
    constraint: Node | None = None  # sh:sourceConstraint of a SPARQL constraint
    # For a result of a nested property shape: the focus node of the shape that reported it up (not compared).
    origin: Term | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Constraint:
    """A use of a constraint component by a shape: the component and the values of its parameters."""

    component: Component
    parameters: tuple[tuple[ox.NamedNode, Term], ...]
    compiled: object = None  # what the component prepared when the shapes were read (a checked query)

    def get(self, name: ox.NamedNode) -> Term | None:
        """The value of a parameter."""
        return next((v for n, v in self.parameters if n == name), None)


@dataclass(eq=False)
class Shape:
    """A node or property shape."""

    node: Node
    path: Path | None = None
    severity: ox.NamedNode = VIOLATION
    messages: tuple[ox.Literal, ...] = ()
    deactivated: bool = False
    targets: list[tuple[str, Term]] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """'property' or 'node'."""
        return "property" if self.path is not None else "node"


class Shapes:
    """Every shape of a shapes graph, compiled; Unsupported for what the engine does not implement."""

    def __init__(self, graph: ShapesGraph, components: list[Component]) -> None:
        self.graph = graph
        self.components = components
        self.by_node: dict[Node, Shape] = {}
        for node in self._candidates():
            self.shape(node)
        self.targeted = [s for s in self.by_node.values() if s.targets and not s.deactivated]

    def _candidates(self) -> list[Node]:
        graph = self.graph
        found: list[Node] = []
        for cls in ("NodeShape", "PropertyShape"):
            found += graph.instances(sh(cls))
        # A node that has targets, a path, constraint parameters or terms of SHACL's advanced features is taken
        # for a shape, so that what it says is checked or refused, never overlooked.
        for name in (*TARGETS, "path", "target", "rule", *(p.value[len(SH):] for c in self.components
                                                            for p in c.mandatory if p.value.startswith(SH))):
            found += graph.subjects(sh(name))
        for name in ("node", "property", "not", "qualifiedValueShape"):
            found += [o for s in graph.subjects(sh(name)) for o in graph.by_subject[s][sh(name)]]
        for name in ("and", "or", "xone"):
            for subject in graph.subjects(sh(name)):
                for members in graph.by_subject[subject][sh(name)]:
                    found += graph.items(members)
        return [n for n in dict.fromkeys(found) if not isinstance(n, ox.Literal)]

    def shape(self, node: Term) -> Shape:
        """The shape at `node`, compiled once (recursive references see the same object)."""
        if isinstance(node, ox.Literal):
            raise ShapeError(f"a literal {node} is not a shape")
        if node in self.by_node:
            return self.by_node[node]
        graph = self.graph
        shape = self.by_node[node] = Shape(node)
        path = graph.value(node, sh("path"))
        shape.path = read_path(graph, path) if path is not None else None
        severity = graph.value(node, sh("severity"))
        if severity is not None and not isinstance(severity, ox.NamedNode):
            raise ShapeError(f"the severity of {node} is not an IRI")
        shape.severity = severity or VIOLATION
        shape.messages = tuple(m for m in graph.objects(node, sh("message")) if isinstance(m, ox.Literal))
        shape.deactivated = graph.value(node, sh("deactivated")) == TRUE
        shape.targets = [(name, t) for name in TARGETS for t in graph.objects(node, sh(name))]
        if graph.is_instance(node, ox.NamedNode(RDFS + "Class")) and (
                graph.is_instance(node, sh("NodeShape")) or graph.is_instance(node, sh("PropertyShape"))):
            shape.targets.append(("targetClass", node))
        for component in self.components:
            shape.constraints += component.constraints(self, shape)
        for constraint in shape.constraints:  # read list parameters now: a malformed list fails before validation
            for name, value in constraint.parameters:
                if name in LISTS:
                    graph.items(value)
        graph.refuse_unread(node, DESCRIPTIVE)
        return shape
