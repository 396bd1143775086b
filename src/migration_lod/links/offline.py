"""The offline link check: every link to the UN's own vocabularies must name an IRI of the vendored copies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rdflib import SKOS, Graph, Literal, URIRef

from migration_lod.problems import Problem
from migration_lod.rdf.namespaces import compact
from migration_lod.rdf.terms import as_store
from migration_lod.rdf.vocabulary import UN_NAMESPACE, UNVocabularies

if TYPE_CHECKING:  # a type only: validation does not need the mapping's imports
    from migration_lod.records.mapping import Origins

UNVERIFIED = "Not verified"  # how the vocabulary's editorial notes start for texts and IRIs not verified


def un_links(graph: Graph) -> Iterator[tuple[URIRef, URIRef, URIRef]]:
    """Every triple whose object is an IRI of the UN's vocabularies (metadata.un.org)."""
    query = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?o), "
             f'"{UN_NAMESPACE}")) }}')
    for subject, predicate, obj in as_store(graph).query(query):
        yield URIRef(subject.value), URIRef(predicate.value), URIRef(obj.value)


def check_links(graph: Graph, un: UNVocabularies, origins: Origins | None = None) -> list[Problem]:
    """Every UN IRI the graph links to must exist in the vendored vocabulary it comes from.

    A link from a concept whose editorial note says it is not verified (10.7.3 and 10.7.4, whose KOS IRIs
    are derived from the KOS's pattern) is a warning; any other unknown IRI is a violation.
    """
    problems = []
    # Only the unknown links are held and sorted: a large dataset links millions of times to known concepts.
    for subject, predicate, obj in sorted(link for link in un_links(graph) if not un.knows(link[2])):
        acknowledged = any(isinstance(n, Literal) and str(n).startswith(UNVERIFIED)
                           for n in graph.objects(subject, SKOS.editorialNote))
        severity = "Warning" if acknowledged else "Violation"
        message = f"{compact(obj)} is not in the vendored UN vocabularies (data/external/)" + (
            "; the vocabulary marks it as not verified" if acknowledged else "")
        record, field = (origins or {}).get(str(subject), (None, None))
        if record is not None:
            spec = record.kind.field_for(predicate)
            located = record.problem(field or (spec.name if spec else compact(predicate)), message, severity)
            problems.append(Problem(located.message, located.file, located.line, located.record, located.field,
                                    severity, compact(subject), "links"))
        else:
            problems.append(Problem(message, severity=severity, focus=compact(subject), field=compact(predicate),
                                    rule="links"))
    return problems
