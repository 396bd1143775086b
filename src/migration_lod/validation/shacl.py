"""Validating RDF data against SHACL shapes with either engine, giving a standard sh:ValidationReport.

The fast engine compiles the shapes (refusing, before validation, whatever it does not implement) and runs
them as SPARQL on pyoxigraph; when it refuses, pyshacl validates instead and the report says why. Both engines
see the same literals: the lexical forms as written (see `literals`), language tags in lower case (RDF 1.2
treats tags that differ only by case as the same tag; pyoxigraph stores them lower-cased).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from migration_lod.rdf.terms import from_oxigraph_term, to_oxigraph
from migration_lod.validation.components import CORE
from migration_lod.validation.engine import Engine
from migration_lod.validation.graph import SH, ShapeError, ShapesGraph, Unsupported
from migration_lod.validation.literals import Literals, faithful_store
from migration_lod.validation.model import Result, Shapes
from migration_lod.validation.paths import read_path
from migration_lod.validation.sparql import SPARQL_CONSTRAINTS, check_offline, declared_components

ENGINES = ("fast", "pyshacl")
REPORT_FORMATS = ("text", "turtle", "json")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
Source = Graph | ox.Store | str | Path | Iterable[ox.Triple | ox.Quad]


def _sh(name: str) -> URIRef:
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
        graph.add((report, RDF_TYPE, _sh("ValidationReport")))
        graph.add((report, _sh("conforms"), Literal(self.conforms)))
        for result in self.results:
            node = BNode()
            graph.add((report, _sh("result"), node))
            graph.add((node, RDF_TYPE, _sh("ValidationResult")))
            for name, value in (("focusNode", result.focus), ("resultPath", result.path), ("value", result.value),
                                ("resultSeverity", result.severity),
                                ("sourceConstraintComponent", result.component), ("sourceShape", result.shape),
                                ("sourceConstraint", result.constraint)):
                if value is not None:
                    graph.add((node, _sh(name), value))
            for message in result.messages:
                graph.add((node, _sh("resultMessage"), message))
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


def read_triples(source: Source) -> list[ox.Triple]:
    """The triples of a graph, a store's default graph, an RDF file, or an iterable of triples or quads."""
    from migration_lod.rdf import formats  # the file formats only where a file is read

    if isinstance(source, Graph):
        return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in source]
    if isinstance(source, ox.Store):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in
                source.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    if isinstance(source, str | Path):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in formats.quads(source)]
    return [ox.Triple(t.subject, t.predicate, t.object) for t in source]


def _data_store(data: Source) -> tuple[ox.Store, Literals]:
    """The data in a store that keeps its literals as written (a store given, or wrapped by a graph, as is)."""
    if isinstance(data, Graph) and isinstance(data.store, OxigraphStore):
        data = data.store._inner  # oxrdflib exposes the store it wraps only through this attribute
    if isinstance(data, ox.Store):
        return data, Literals.of_store(data)
    # Quads and triples are stored as they come, without a copy of their own (at 2M triples, seconds).
    return faithful_store(read_triples(data) if isinstance(data, Graph | str | Path) else data)


def compile_shapes(shapes: ShapesGraph) -> Shapes:
    """The shapes of a shapes graph, compiled for the fast engine; Unsupported or ShapeError."""
    return Shapes(shapes, [*CORE, SPARQL_CONSTRAINTS, *declared_components(shapes)])


def shacl_validate(data: Source, shapes: Source | None = None, *, engine: str = "fast") -> ShaclReport:
    """Validate data against SHACL shapes (the data graph itself when `shapes` is None).

    `engine` is "fast" (falls back to pyshacl, saying why, when it refuses the shapes) or "pyshacl".
    Raises ShapeError when the shapes are not well-formed SHACL (the spec's failure).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
    shapes = data if shapes is None else shapes
    graph = ShapesGraph(read_triples(shapes))
    check_offline(graph)
    if engine == "pyshacl":
        return _pyshacl(data, shapes)
    try:
        compiled = compile_shapes(graph)
        store, literals = _data_store(data)
        runner = Engine(store, compiled, literals)
        try:
            results = list(runner.validate())
        finally:
            runner.close()
    except Unsupported as exc:
        report = _pyshacl(data, shapes)
        report.fallback = str(exc)
        return report
    return _report(results, graph)


def _report(results: list[Result], graph: ShapesGraph) -> ShaclReport:
    """The fast engine's results in rdflib terms, literals as written, with the structure of their paths."""
    out, path_nodes = [], set()
    for r in results:
        path = from_oxigraph_term(r.path.node) if r.path is not None else None
        if r.path is not None and isinstance(r.path.node, ox.BlankNode):
            path_nodes.add(r.path.node)
        out.append(ShaclResult(
            from_oxigraph_term(Literals.original(r.focus)), path, r.path.sparql() if r.path is not None else None,
            from_oxigraph_term(Literals.original(r.value)) if r.value is not None else None,
            URIRef(r.severity.value), URIRef(r.component.value), from_oxigraph_term(r.shape),
            tuple(from_oxigraph_term(m) for m in r.messages),
            from_oxigraph_term(r.constraint) if r.constraint is not None else None))
    return ShaclReport(out, "fast", path_triples=tuple(_structure(graph, path_nodes)))


def _structure(graph: ShapesGraph, nodes: set) -> list[tuple]:
    """The triples that describe blank-node paths (lists and path forms), for the report to carry them."""
    triples, todo, seen = [], list(nodes), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, objects in graph.by_subject.get(node, {}).items():
            for obj in objects:
                triples.append((from_oxigraph_term(node), from_oxigraph_term(predicate), from_oxigraph_term(obj)))
                if isinstance(obj, ox.BlankNode):
                    todo.append(obj)
    return triples


def _rdflib_graph(source: Source) -> Graph:
    """The source as an rdflib graph for pyshacl, its literals as written."""
    if isinstance(source, Graph) and not isinstance(source.store, OxigraphStore):
        return source
    if isinstance(source, Graph):
        source = source.store._inner
    graph = Graph()
    for t in read_triples(source):
        graph.add((from_oxigraph_term(t.subject), from_oxigraph_term(t.predicate),
                   from_oxigraph_term(Literals.original(t.object))))
    return graph


def _pyshacl(data: Source, shapes: Source) -> ShaclReport:
    from pyshacl import validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure

    data_graph, shapes_graph = _rdflib_graph(data), _rdflib_graph(shapes)
    try:
        _, report, _ = validate(data_graph, shacl_graph=shapes_graph, inference="none", abort_on_first=False,
                                allow_warnings=True, advanced=False, meta_shacl=False, allow_infos=True)
    except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError) as exc:
        raise ShapeError(f"pyshacl: {exc.message}") from exc
    if isinstance(report, ValidationFailure):  # pyshacl returns this failure instead of raising it
        raise ShapeError(f"pyshacl: {report.message}")
    # pyshacl copies a blank-node path into the report; one it did not copy is read in the shapes graph.
    in_report, in_shapes = ShapesGraph(read_triples(report)), ShapesGraph(read_triples(shapes_graph))

    def path_text(path: Identifier | None) -> str | None:
        if path is None:
            return None
        node = to_oxigraph(path)
        return read_path(in_report if in_report.predicates(node) else in_shapes, node).sparql()

    results = []
    # Only the report's own results: pyshacl also lists the nested results of sh:node as sh:detail.
    for node in report.subjects(RDF_TYPE, _sh("ValidationReport")):
        for result in report.objects(node, _sh("result")):
            path = report.value(result, _sh("resultPath"))
            results.append(ShaclResult(
                report.value(result, _sh("focusNode")), path, path_text(path), report.value(result, _sh("value")),
                report.value(result, _sh("resultSeverity")), report.value(result, _sh("sourceConstraintComponent")),
                report.value(result, _sh("sourceShape")),
                tuple(sorted(report.objects(result, _sh("resultMessage")))),
                report.value(result, _sh("sourceConstraint"))))
    return ShaclReport(results, "pyshacl")
