"""The project's vocabulary (ontology and concept schemes) and the vendored UN M49 areas, as code lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCTERMS, RDF, SKOS, Graph, Literal, URIRef

from migration_lod.rdf.namespaces import M49_CODES, MIG, VOCAB
from migration_lod.rdf.terms import from_oxigraph
from migration_lod.resources import external_dir, ontology_dir

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def parse_turtle_files(paths: Iterable[Path]) -> Graph:
    """Parse Turtle files into one graph (with pyoxigraph's fast parser), naming the file in any error."""
    graph = Graph()
    for path in paths:
        try:
            triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            for triple in triples:
                graph.add(from_oxigraph(triple))
        except (SyntaxError, OSError) as exc:
            raise ValueError(f"{path}: not valid Turtle: {exc}") from exc
    return graph


@dataclass
class Vocabulary:
    """The ontology and the SKOS concept schemes, with look-ups by scheme and notation."""

    graph: Graph
    schemes: dict[str, URIRef]
    concepts: dict[str, dict[str, URIRef]]
    classes: dict[URIRef, URIRef]

    def concept(self, scheme: str, notation: str) -> URIRef | None:
        """The concept of `scheme` (iscm-types, gcm-elements, ...) with this notation, or None."""
        return self.concepts.get(scheme, {}).get(notation)


def load_vocabulary(directory: Path | str | None = None) -> Vocabulary:
    """Read the ontology and concept schemes (every .ttl file of the ontology folder)."""
    graph = parse_turtle_files(sorted(Path(directory or ontology_dir()).glob("*.ttl")))
    schemes = {str(s)[len(str(VOCAB)):]: s for s in graph.subjects(RDF.type, SKOS.ConceptScheme)
               if isinstance(s, URIRef) and str(s).startswith(str(VOCAB))}
    by_iri = {iri: slug for slug, iri in schemes.items()}
    concepts: dict[str, dict[str, URIRef]] = {slug: {} for slug in schemes}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        notation = graph.value(concept, SKOS.notation)
        if scheme in by_iri and notation is not None:
            concepts[by_iri[scheme]][str(notation)] = concept
    classes = {c: k for c, k in graph.subject_objects(MIG.correspondingClass)}
    return Vocabulary(graph, schemes, concepts, classes)


# Only what describes an area or an SDG concept is published with it; the KOS also types areas as
# classes and properties, and links concepts to SDMX series.
_DESCRIBING = (SKOS.prefLabel, SKOS.notation, SKOS.broader, SKOS.inScheme, SKOS.exactMatch,
               M49_CODES.iso3code, M49_CODES.m49code, DCTERMS.subject)
UN_NAMESPACE = "http://metadata.un.org/"
UNBIS = "http://metadata.un.org/thesaurus/"


@dataclass
class UNVocabularies:
    """The vendored UN vocabularies: M49 areas and SDG goals, targets and indicators of the UN SDG KOS,
    and the UNBIS Thesaurus subjects the KOS assigns to them."""

    graph: Graph
    by_iso3: dict[str, URIRef]
    unbis: set[URIRef]

    def labels(self, area: URIRef) -> list[Literal]:
        """The preferred labels of an area or concept, in every language the UN gives (the M49 areas: the six
        official languages of the UN), in a fixed order."""
        return sorted((lbl for lbl in self.graph.objects(area, SKOS.prefLabel) if isinstance(lbl, Literal)),
                      key=lambda lbl: (lbl.language or "", str(lbl)))

    def knows(self, iri: URIRef) -> bool:
        """True when a UN IRI exists in the vendored vocabularies."""
        return iri in self.unbis or (iri, None, None) in self.graph

    def describe(self, concepts: Iterable[URIRef]) -> Iterator[Triple]:
        """The triples that describe these concepts and every broader one above them."""
        todo, seen = list(concepts), set()
        while todo:
            concept = todo.pop()
            if concept in seen or (concept, None, None) not in self.graph:
                continue
            seen.add(concept)
            yield (concept, RDF.type, SKOS.Concept)
            for predicate in _DESCRIBING:
                for value in self.graph.objects(concept, predicate):
                    yield (concept, predicate, value)
                    if predicate == SKOS.broader:
                        todo.append(value)
                    elif predicate == SKOS.inScheme and value not in seen:
                        seen.add(value)
                        yield (value, RDF.type, SKOS.ConceptScheme)


def load_un_vocabularies(data_dir: Path | str | None = None) -> UNVocabularies:
    """Read the vendored UN vocabularies (data/external/*.ttl)."""
    graph = parse_turtle_files(sorted(external_dir(Path(data_dir) if data_dir else None).glob("*.ttl")))
    candidates: dict[str, list[URIRef]] = {}
    for area, code in graph.subject_objects(M49_CODES.iso3code):
        candidates.setdefault(str(code), []).append(area)
    # A code shared by two areas (SDN: 729 Sudan and 736 "Sudan (pre-2011)") names the current one, which
    # the KOS labels in all UN languages; the lowest M49 code breaks any remaining tie, so the choice never
    # depends on the order of parsing.
    by_iso3 = {code: min(areas, key=lambda a: (-len(set(graph.objects(a, SKOS.prefLabel))), str(a)))
               for code, areas in candidates.items()}
    unbis = {o for o in graph.objects(None, DCTERMS.subject) if str(o).startswith(UNBIS)}
    return UNVocabularies(graph, by_iso3, unbis)
