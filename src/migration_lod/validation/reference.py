"""The other engine: pyshacl (inference none, no meta-validation), on the same literals as the fast engine,
its report read back into the same results."""

from __future__ import annotations

from oxrdflib import OxigraphStore
from rdflib import Graph
from rdflib.term import Identifier

from migration_lod.rdf.terms import from_oxigraph_term, to_oxigraph
from migration_lod.validation.graph import ShapeError, ShapesGraph
from migration_lod.validation.literals import Literals
from migration_lod.validation.paths import read_path
from migration_lod.validation.results import RDF_TYPE, ShaclReport, ShaclResult, sh_iri
from migration_lod.validation.sources import Source, read_triples


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


def pyshacl_validate(data: Source, shapes: Source) -> ShaclReport:
    """Validate with pyshacl; ShapeError when pyshacl finds the shapes ill-formed."""
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
    for node in report.subjects(RDF_TYPE, sh_iri("ValidationReport")):
        for result in report.objects(node, sh_iri("result")):
            path = report.value(result, sh_iri("resultPath"))
            results.append(ShaclResult(
                report.value(result, sh_iri("focusNode")), path, path_text(path), report.value(result, sh_iri("value")),
                report.value(result, sh_iri("resultSeverity")),
                report.value(result, sh_iri("sourceConstraintComponent")),
                report.value(result, sh_iri("sourceShape")),
                tuple(sorted(report.objects(result, sh_iri("resultMessage")))),
                report.value(result, sh_iri("sourceConstraint"))))
    return ShaclReport(results, "pyshacl")
