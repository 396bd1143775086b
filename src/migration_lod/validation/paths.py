"""SHACL property paths: read from the shapes graph, written as SPARQL property paths (every SHACL path form
is one), and compared by their structure (two blank-node paths are equal when they say the same)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from migration_lod.validation.graph import ShapeError, ShapesGraph, Term, sh

RDF_FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
FORMS = {"inversePath": "^", "zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}


@dataclass(frozen=True)
class Path:
    """A path: a predicate, or a form (inverse, sequence, alternative, *, +, ?) of other paths."""

    node: Term  # where it is written in the shapes graph (the report's sh:resultPath)
    predicate: ox.NamedNode | None = None
    form: str = ""  # "", "^", "*", "+", "?", "seq" or "alt"
    parts: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path in SPARQL syntax."""
        if self.predicate is not None:
            return str(self.predicate)
        if self.form == "seq":
            return "(" + "/".join(p.sparql() for p in self.parts) + ")"
        if self.form == "alt":
            return "(" + "|".join(p.sparql() for p in self.parts) + ")"
        if self.form == "^":
            return f"(^{self.parts[0].sparql()})"
        return f"({self.parts[0].sparql()}){self.form}"

    @property
    def nullable(self) -> bool:
        """True when the path can have length zero (a node is then one of its own values)."""
        if self.form in ("*", "?"):
            return True
        if self.form == "seq":
            return all(p.nullable for p in self.parts)
        if self.form == "alt":
            return any(p.nullable for p in self.parts)
        return bool(self.parts) and self.parts[0].nullable

    def pattern(self, subject: str, value: str, value_bound: bool = False) -> str:
        """A group pattern from the variable `subject`, bound before it, to its values in `value` (also bound
        before it when `value_bound`: the pattern then only tests that the path joins them).

        pyoxigraph gives a zero-length path no value from a node that is in no triple of the graph (a
        sh:targetNode of a node the data lacks), where SPARQL and SHACL give the node itself: a path that can be
        empty adds the node explicitly, evaluated for each bound subject (pyoxigraph's LATERAL)."""
        if not self.nullable:
            return f"{subject} {self.sparql()} {value} ."
        if value_bound:
            return f"{{ {subject} {self.sparql()} {value} }} UNION {{ FILTER (sameTerm({subject}, {value})) }}"
        return (f"LATERAL {{ {{ {subject} {self.sparql()} {value} }} UNION "
                f"{{ BIND ({subject} AS {value}) FILTER (BOUND({value})) }} }}")


def read_path(shapes: ShapesGraph, node: Term) -> Path:
    """The path written at `node`; ShapeError when it is not a SHACL path."""
    if isinstance(node, ox.NamedNode):
        return Path(node, predicate=node)
    if isinstance(node, ox.Literal):
        raise ShapeError(f"a literal {node} is not a path")
    if RDF_FIRST in shapes.predicates(node):  # a list is a sequence path, whatever else the node says
        members = shapes.items(node)
        if len(members) < 2:
            raise ShapeError(f"a sequence path at {node} needs two members or more")
        return Path(node, form="seq", parts=tuple(read_path(shapes, m) for m in members))
    forms = [(name, shapes.objects(node, sh(name))) for name in FORMS]
    forms = [(name, values) for name, values in forms if values]
    alternatives = shapes.objects(node, sh("alternativePath"))
    if len(forms) + bool(alternatives) != 1:
        raise ShapeError(f"{node} is not a SHACL path")
    if alternatives:
        if len(alternatives) != 1:
            raise ShapeError(f"{node} has several sh:alternativePath")
        members = shapes.items(alternatives[0])
        if len(members) < 2:
            raise ShapeError(f"an alternative path at {node} needs two members or more")
        return Path(node, form="alt", parts=tuple(read_path(shapes, m) for m in members))
    name, values = forms[0]
    if len(values) != 1:
        raise ShapeError(f"{node} has several sh:{name}")
    return Path(node, form=FORMS[name], parts=(read_path(shapes, values[0]),))
