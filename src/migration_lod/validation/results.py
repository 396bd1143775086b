"""The outcome of validating data against shapes, whichever engine gave it: the results as SHACL defines them,
and the report as text, Turtle or JSON-LD (a standard sh:ValidationReport)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from migration_lod.validation.graph import SH

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def sh_iri(name: str) -> URIRef:
    """The IRI of a SHACL term, in rdflib terms."""
    return URIRef(SH + name)


@dataclass(frozen=True)
class ShaclResult:
    """One sh:ValidationResult, in rdflib terms; `path_text` is its path in SPARQL syntax."""

    focus: Identifier
    path: Identifier | None
    path_text: str | None
    value: Identifier | None
    severity: URIRef
    component: URIRef
    shape: Identifier
    messages: tuple[Literal, ...] = ()
    constraint: Identifier | None = None

    def key(self) -> tuple[str | None, ...]:
        """What the result says, in N-Triples syntax, whatever blank node its path is written at (to compare
        reports: rdflib's own term equality compares some literals by value)."""
        terms = (self.focus, self.value, self.shape, self.component, self.severity, self.constraint)
        return (self.path_text, *(term.n3() if term is not None else None for term in terms))


@dataclass
class ShaclReport:
    """The outcome of validating data against shapes: the results, and which engine gave them and why."""

    results: list[ShaclResult]
    engine: str
    fallback: str | None = None  # why the fast engine refused the shapes, when pyshacl validated instead
    path_triples: tuple[tuple[Identifier, URIRef, Identifier], ...] = ()  # the structure of blank-node paths

    @property
    def conforms(self) -> bool:
        """True when there is no validation result at all (of any severity), as SHACL defines it."""
        return not self.results

    def __repr__(self) -> str:
        return f"ShaclReport(conforms={self.conforms}, {len(self.results)} result(s), engine={self.engine!r})"

    def graph(self) -> Graph:
        """The report as an RDF graph (an sh:ValidationReport with its sh:results)."""
        graph = Graph(bind_namespaces="core")
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF_TYPE, sh_iri("ValidationReport")))
        graph.add((report, sh_iri("conforms"), Literal(self.conforms)))
        for result in self.results:
            node = BNode()
            graph.add((report, sh_iri("result"), node))
            graph.add((node, RDF_TYPE, sh_iri("ValidationResult")))
            for name, value in (("focusNode", result.focus), ("resultPath", result.path), ("value", result.value),
                                ("resultSeverity", result.severity),
                                ("sourceConstraintComponent", result.component), ("sourceShape", result.shape),
                                ("sourceConstraint", result.constraint)):
                if value is not None:
                    graph.add((node, sh_iri(name), value))
            for message in result.messages:
                graph.add((node, sh_iri("resultMessage"), message))
        for triple in self.path_triples:
            graph.add(triple)
        return graph

    def text(self) -> str:
        """The report for a person: one paragraph per result, then the verdict."""
        lines = []
        if self.fallback:
            lines.append(f"validated with pyshacl: the fast engine refused these shapes ({self.fallback})")
        for result in self.results:
            lines.append(f"{result.severity.removeprefix(SH)} of {result.component.removeprefix(SH)} "
                         f"(shape {result.shape.n3()})")
            lines.append(f"  focus node: {result.focus.n3()}")
            if result.path_text:
                lines.append(f"  path: {result.path_text}")
            if result.value is not None:
                lines.append(f"  value: {result.value.n3()}")
            lines += [f"  message: {m}" for m in result.messages]
        lines.append("conforms" if self.conforms else f"does not conform: {len(self.results)} result(s)")
        return "\n".join(lines) + "\n"

    def serialize(self, format: str = "text") -> str:
        """The report as text, Turtle or JSON-LD ("text", "turtle" or "json")."""
        if format == "text":
            return self.text()
        if format == "turtle":
            return self.graph().serialize(format="turtle")
        if format == "json":
            return self.graph().serialize(format="json-ld", context={"sh": SH}, auto_compact=True)
        raise ValueError(f"unknown report format {format!r}: use text, turtle or json")
