"""Validating RDF data against SHACL shapes with either engine, giving a standard sh:ValidationReport.

The fast engine compiles the shapes (refusing, before validation, whatever it does not implement) and runs
them as SPARQL on pyoxigraph; when it refuses, pyshacl validates instead and the report says why. Both engines
see the same literals: the lexical forms as written (see `literals`), language tags in lower case (RDF 1.2
treats tags that differ only by case as the same tag; pyoxigraph stores them lower-cased).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Graph, URIRef

from migration_lod.rdf.terms import from_oxigraph_term
from migration_lod.validation.components import CORE
from migration_lod.validation.engine import Engine
from migration_lod.validation.graph import ShapesGraph, Unsupported
from migration_lod.validation.literals import Literals, faithful_store
from migration_lod.validation.model import Result, Shapes
from migration_lod.validation.options import ENGINES
from migration_lod.validation.reference import pyshacl_validate
from migration_lod.validation.results import ShaclReport, ShaclResult
from migration_lod.validation.sources import Source, read_triples
from migration_lod.validation.sparql import SPARQL_CONSTRAINTS, check_offline, declared_components


def _data_store(data: Source) -> tuple[ox.Store, Literals]:
    """The data in a store that keeps its literals as written (a store given, or wrapped by a graph, as is)."""
    if isinstance(data, Graph) and isinstance(data.store, OxigraphStore):
        data = data.store._inner  # oxrdflib exposes the store it wraps only through this attribute
    if isinstance(data, ox.Store):
        return data, Literals.of_store(data)
    # Quads and triples are stored as they come, without a copy of their own (at 2M triples, seconds).
    return faithful_store(read_triples(data) if isinstance(data, Graph) else data)


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
    # A file is parsed once, however many of the steps below read it (shapes, data, the pyshacl fallback).
    data, shapes = (read_triples(s) if isinstance(s, str | Path) else s for s in (data, shapes))
    shapes = data if shapes is None else shapes
    graph = ShapesGraph(read_triples(shapes))
    check_offline(graph)
    if engine == "pyshacl":
        return pyshacl_validate(data, shapes)
    try:
        compiled = compile_shapes(graph)
        store, literals = _data_store(data)
        runner = Engine(store, compiled, literals)
        try:
            results = list(runner.validate())
        finally:
            runner.close()
    except Unsupported as exc:
        report = pyshacl_validate(data, shapes)
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
