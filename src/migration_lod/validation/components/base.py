"""What every constraint component is: its IRI, the parameters that select it, the shapes it applies to and its
check (a SPARQL query over all focus nodes, Python where SPARQL cannot say it), with the helpers the
components share to read their parameters."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from migration_lod.validation.engine import Run
from migration_lod.validation.graph import ShapeError, ShapesGraph, Term, sh
from migration_lod.validation.model import Constraint, Result, Shape, Shapes

Check = Callable[[Run, Constraint], Iterator[Result]]
# The parameters a shape may have one value of (the syntax rules of SHACL, as its shapes graph for shapes says).
SINGLE = {sh(name) for name in (
    "closed", "datatype", "in", "languageIn", "maxCount", "maxExclusive", "maxInclusive", "maxLength", "minCount",
    "minExclusive", "minInclusive", "minLength", "nodeKind", "pattern", "qualifiedMaxCount", "qualifiedMinCount",
    "qualifiedValueShape", "uniqueLang")}


@dataclass(frozen=True)
class Component:
    """A constraint component: its IRI, the parameters that select it, the shapes it applies to, its check."""

    iri: ox.NamedNode
    mandatory: tuple[ox.NamedNode, ...]
    check_fn: Check
    optional: tuple[ox.NamedNode, ...] = ()
    kinds: tuple[str, ...] = ("node", "property")
    # Checks a constraint's parameters when the shapes are read (Unsupported, ShapeError): before validation.
    prepare: Callable[[ShapesGraph, Constraint], None] | None = None

    def constraints(self, shapes: Shapes, shape: Shape) -> list[Constraint]:
        """The constraints of this component a shape declares (one per combination of mandatory values)."""
        graph = shapes.graph
        values = [graph.objects(shape.node, p) for p in self.mandatory]
        optional = [(p, graph.value(shape.node, p)) for p in self.optional]
        if not all(values):  # a component missing a mandatory parameter is not used (its others are read)
            return []
        for parameter, found in zip(self.mandatory, values, strict=True):
            if parameter in SINGLE and len(found) > 1:
                raise ShapeError(f"{shape.node} has {len(found)} values of {parameter}, where SHACL allows one")
        if shape.kind not in self.kinds:
            raise ShapeError(f"{shape.node}: {self.mandatory[0]} applies to {' and '.join(self.kinds)} shapes only")
        found = [Constraint(self, (*zip(self.mandatory, combination, strict=True),
                                   *((p, v) for p, v in optional if v is not None)))
                 for combination in itertools.product(*values)]
        for constraint in found if self.prepare else []:
            self.prepare(graph, constraint)
        return found

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        """The results of the constraint on the run's focus nodes."""
        return self.check_fn(run, constraint)

    def failing(self, run: Run, constraint: Constraint) -> set[Term]:
        """The focus nodes that violate the constraint."""
        return {result.focus for result in self.check(run, constraint)}


def parameter(constraint: Constraint, name: str) -> Term:
    """The value of the constraint's parameter sh:NAME (ShapeError when it has none)."""
    value = constraint.get(sh(name))
    if value is None:
        raise ShapeError(f"missing sh:{name}")
    return value


def iri_parameter(constraint: Constraint, name: str) -> ox.NamedNode:
    """The value of sh:NAME, which must be an IRI (ShapeError)."""
    value = parameter(constraint, name)
    if not isinstance(value, ox.NamedNode):
        raise ShapeError(f"sh:{name} must be an IRI, not {value}")
    return value


def integer_parameter(constraint: Constraint, name: str) -> int:
    """The value of sh:NAME, which must be an integer (ShapeError)."""
    value = parameter(constraint, name)
    if not isinstance(value, ox.Literal) or not value.value.lstrip("+-").isdigit():
        raise ShapeError(f"sh:{name} must be an integer, not {value}")
    return int(value.value)


def constant(run: Run, term: ox.NamedNode | ox.Literal) -> str:
    """A constant of the shapes in SPARQL syntax, written as the store holds the data's literals."""
    return run.engine.literals.sparql(term)


def list_parameter(run: Run, constraint: Constraint, name: str) -> list[Term]:
    """The members of the RDF list that is the value of sh:NAME."""
    return run.engine.shapes.graph.items(parameter(constraint, name))


def value_condition(condition: Callable[[Run, Constraint], str]) -> Check:
    """A check that reports every value node for which the SPARQL `condition` holds."""
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        expression = condition(run, constraint)
        for focus, value in run.pairs(expression):
            yield run.result(constraint, focus, value)
    return check


def core(name: str, parameters: str, check: Check, optional: str = "", kinds: tuple[str, ...] = ("node", "property"),
         cls: type[Component] = Component, prepare: Callable[[ShapesGraph, Constraint], None] | None = None,
         ) -> Component:
    """The SHACL Core component sh:NAMEConstraintComponent with these parameters (space-separated) and check."""
    return cls(sh(name + "ConstraintComponent"), tuple(sh(p) for p in parameters.split()), check,
               tuple(sh(p) for p in optional.split()), kinds, prepare)


PROPERTY = ("property",)  # the kinds of shape a property-only component applies to


def failing_values(run: Run, shape_node: Term) -> set[Term]:
    """The value nodes of the run that do not conform to the shape at `shape_node` (computed set-wise, once)."""
    return run.engine.failing(run.engine.shapes.shape(shape_node), run.value_focus())
