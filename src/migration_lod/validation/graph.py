"""The shapes graph as the engine reads it: an index of pyoxigraph terms that records which triples were read.

Every triple the compiler uses is marked consumed; what a shape says that nobody read is how a
constraint the engine does not know is found (fail-closed), and what a test enumerates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")

# Vocabularies whose terms on a shape only describe it.
ANNOTATIONS = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#",
               "http://purl.org/dc/terms/", "http://www.w3.org/2002/07/owl#")
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode


def sh(name: str) -> ox.NamedNode:
    """A term of the SHACL vocabulary."""
    return ox.NamedNode(SH + name)


class ShapesGraph:
    """The triples of a shapes graph by subject and predicate, with the triples read so far."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self.by_subject: dict[Node, dict[ox.NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_object: dict[tuple[ox.NamedNode, Term], list[Node]] = defaultdict(list)
        self.triples: list[ox.Triple] = []
        for t in triples:
            triple = ox.Triple(t.subject, t.predicate, t.object)
            if triple.object not in self.by_subject[triple.subject][triple.predicate]:
                self.by_subject[triple.subject][triple.predicate].append(triple.object)
                self.by_object[(triple.predicate, triple.object)].append(triple.subject)
                self.triples.append(triple)
        self.consumed: set[tuple[Node, ox.NamedNode]] = set()

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        """The objects of (subject, predicate), marked read."""
        if isinstance(subject, ox.Literal):
            return []
        self.consumed.add((subject, predicate))
        return list(self.by_subject.get(subject, {}).get(predicate, ()))

    def value(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        """The one object of (subject, predicate), or None; several are a ShapeError."""
        values = self.objects(subject, predicate)
        if len(values) > 1:
            raise ShapeError(f"{subject} has {len(values)} values of {predicate}, where SHACL allows one")
        return values[0] if values else None

    def subjects(self, predicate: ox.NamedNode, obj: Term | None = None) -> list[Node]:
        """The subjects of triples with this predicate (and object)."""
        if obj is not None:
            return list(self.by_object.get((predicate, obj), ()))
        return sorted({s for s, props in self.by_subject.items() if predicate in props}, key=str)

    def predicates(self, subject: Term) -> list[ox.NamedNode]:
        """The predicates of a subject (not marked read)."""
        return list(self.by_subject.get(subject, {})) if not isinstance(subject, ox.Literal) else []

    def refuse_unread(self, node: Node, descriptive: set[ox.NamedNode]) -> None:
        """Fail closed: Unsupported when a SHACL term on `node` (a shape, a SPARQL constraint or validator, a
        constraint component) was read by nothing, for it names a feature the engine lacks; what only
        describes the node is marked read. Terms of other vocabularies are not SHACL's and are left alone."""
        for predicate in self.predicates(node):
            if ((node, predicate) in self.consumed or predicate in descriptive or predicate == TYPE
                    or predicate.value.startswith(ANNOTATIONS)):
                self.consumed.add((node, predicate))
            elif predicate.value.startswith(SH):
                raise Unsupported(f"{node} uses {predicate}, which this engine does not implement")

    def items(self, node: Term) -> list[Term]:
        """The members of an RDF list; ShapeError for a malformed one."""
        members, seen = [], set()
        while node != NIL:
            if node in seen or isinstance(node, ox.Literal):
                raise ShapeError(f"a malformed RDF list at {node}")
            seen.add(node)
            first, rest = self.objects(node, FIRST), self.objects(node, REST)
            if len(first) != 1 or len(rest) != 1:
                raise ShapeError(f"a malformed RDF list at {node}")
            members.append(first[0])
            node = rest[0]
        return members

    def superclasses(self, cls: Term) -> set[Term]:
        """A class and its superclasses in the shapes graph (rdfs:subClassOf*)."""
        found, todo = {cls}, [cls]
        while todo:
            for parent in self.objects(todo.pop(), SUBCLASS):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def is_instance(self, node: Term, cls: ox.NamedNode) -> bool:
        """True when `node` is a SHACL instance of `cls` in the shapes graph."""
        return any(cls in self.superclasses(t) for t in self.objects(node, TYPE))

    def instances(self, cls: ox.NamedNode) -> Iterator[Node]:
        """Every SHACL instance of `cls` in the shapes graph."""
        classes = {cls}
        changed = True
        while changed:
            before = len(classes)
            classes |= {s for c in list(classes) for s in self.by_object.get((SUBCLASS, c), ())}
            changed = len(classes) != before
        for c in classes:
            yield from self.by_object.get((TYPE, c), ())


class ShapeError(Exception):
    """The shapes graph is not well-formed SHACL (a failure, not a validation result)."""


class Unsupported(Exception):
    """The shapes graph uses something this engine does not implement: validation must fall back."""
