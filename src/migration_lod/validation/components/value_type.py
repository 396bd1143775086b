"""The value type components: sh:class, sh:datatype (the lexical form checked), sh:nodeKind."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from migration_lod.validation.components.base import (
    core,
    iri_parameter,
    value_condition,
)
from migration_lod.validation.engine import SUBCLASS, TYPE, TYPE_OF, Run
from migration_lod.validation.focus import Pattern
from migration_lod.validation.graph import SH, ShapeError, Term
from migration_lod.validation.model import Constraint, Result
from migration_lod.validation.xsd import CHECKS, well_formed


def _class(run: Run, constraint: Constraint) -> Iterator[Result]:
    cls = iri_parameter(constraint, "class")
    # The class and its subclasses in the data, named in the query: a path rdf:type/rdfs:subClassOf* for each
    # value node costs twenty times more.
    classes = {cls, *(row[0] for row in run.engine.query(f"SELECT DISTINCT ?c WHERE {{ ?c {SUBCLASS}* {cls} }}"))}
    if any(isinstance(c, ox.BlankNode) for c in classes):
        instances = f"FILTER NOT EXISTS {{ {run.value} {TYPE_OF} {cls} }}"
    elif len(classes) == 1:  # a look-up of one triple: twice as fast as the MINUS, which is for several classes
        instances = f"FILTER NOT EXISTS {{ {run.value} {TYPE} {cls} }}"
    else:
        instances = f"MINUS {{ VALUES ?class {{ {' '.join(map(str, classes))} }} {run.value} {TYPE} ?class }}"
    for focus, value in run.pairs(extra=instances):
        yield run.result(constraint, focus, value)


def _datatype(run: Run, constraint: Constraint) -> Iterator[Result]:
    datatype = iri_parameter(constraint, "datatype")
    original, v = run.engine.literals.original, run.value

    def conforms(value: Term) -> bool:
        written = original(value)  # an escaped literal is checked as it was written
        return (isinstance(written, ox.Literal) and written.datatype == datatype
                and well_formed(written.value, datatype.value))

    if datatype.value in CHECKS and isinstance(run.focus, Pattern):
        # The lexical form matters: each distinct value node is checked once, then the pairs of the bad ones found.
        bad = {value for value in run.engine.nodes(run.value_focus()) if not conforms(value)}
        pairs = run.pairs_among(bad)
    elif datatype.value in CHECKS:
        pairs = run.pairs()
    else:  # any lexical form is well-formed: the store finds the values of another datatype
        pairs = run.pairs(f"!isLiteral({v}) || DATATYPE({v}) != {datatype}")
    for focus, value in pairs:
        if not conforms(value):
            yield run.result(constraint, focus, value)


NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}


def _node_kind(run: Run, constraint: Constraint) -> str:
    kind = iri_parameter(constraint, "nodeKind").value
    if not kind.startswith(SH) or kind[len(SH):] not in NODE_KINDS:
        raise ShapeError(f"sh:nodeKind {kind} is not a node kind")
    return "!" + NODE_KINDS[kind[len(SH):]].format(v=run.value)


COMPONENTS = [
    core("Class", "class", _class),
    core("Datatype", "datatype", _datatype),
    core("NodeKind", "nodeKind", value_condition(_node_kind)),
]
