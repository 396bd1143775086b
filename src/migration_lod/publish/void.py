"""The VoID description of a publication (dist/void.ttl): sizes, class partitions, vocabularies, linksets, and
the UN content the dumps republish as a subset of its own, with its source and the citation it asks for.

Every dataset node counts over the resources of its own URI space: the dataset over the IRIs under the base
IRI, the UN subset over those of the UN SDG KOS; the triples of the subset are part of the dataset's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import DCAT, DCTERMS, RDF, RDFS, VOID, XSD, Graph, Literal, URIRef

from migration_lod.links.sssom import LinkMapping, linksets, target_dataset
from migration_lod.publish.distribution import CATALOGUE_FILE, DUMP_NAME, DUMPS, SSSOM_FILE
from migration_lod.rdf.namespaces import split_iri
from migration_lod.rdf.sources import UN_KOS_DATASET, sources, un_space
from migration_lod.rdf.terms import DEFAULT_GRAPH
from migration_lod.records.metadata import DatasetMetadata


@dataclass(frozen=True)
class Part:
    """The size of the resources of one URI space: triples about them, how many they are, how many per class."""

    triples: int
    entities: int
    classes: dict[URIRef, int]


@dataclass(frozen=True)
class Statistics:
    """What VoID says of the graph's size: in all, and for the dataset's own and the UN's resources apart."""

    triples: int
    subjects: int
    vocabularies: tuple[str, ...]
    own: Part
    un: Part


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1] if cut > iri.find("//") + 1 else iri


def _string(text: str) -> str:
    """A SPARQL string literal."""
    return str(ox.Literal(text))


def dataset_statistics(store: ox.Store, base_iri: str, un_space: str) -> Statistics:
    """The VoID statistics of the store's default graph, the dataset's own resources (IRIs under `base_iri`)
    and the UN's (under `un_space`) counted apart."""
    part = (f"BIND (IF(isIRI(?s) && STRSTARTS(STR(?s), {_string(base_iri)}), \"own\", "
            f"IF(isIRI(?s) && STRSTARTS(STR(?s), {_string(un_space)}), \"un\", \"other\")) AS ?part)")
    # One scan for the sizes and predicates of each part (a subject is in one part, so the parts add up to the
    # whole), one for the classes.
    parts = {row["part"].value: row for row in store.query(
        "SELECT ?part (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) "
        f'(GROUP_CONCAT(DISTINCT STR(?p); SEPARATOR=" ") AS ?predicates) WHERE {{ ?s ?p ?o {part} }} GROUP BY ?part',
        default_graph=DEFAULT_GRAPH)}
    classes: dict[str, dict[URIRef, int]] = {"own": {}, "un": {}, "other": {}}
    for row in store.query(f"SELECT ?part ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER isIRI(?c) {part} }} "
                           "GROUP BY ?part ?c", default_graph=DEFAULT_GRAPH):
        classes[row["part"].value][URIRef(row["c"].value)] = int(row["n"].value)
    used = {p for row in parts.values() for p in row["predicates"].value.split()}
    used |= {str(c) for found in classes.values() for c in found}

    def size(name: str) -> Part:
        row = parts.get(name)
        counts = (int(row["triples"].value), int(row["entities"].value)) if row is not None else (0, 0)
        return Part(*counts, classes[name])

    own, un, other = size("own"), size("un"), size("other")
    return Statistics(own.triples + un.triples + other.triples, own.entities + un.entities + other.entities,
                      tuple(sorted({_namespace(t) for t in used})), own, un)


def _local(iri: URIRef) -> str:
    split = split_iri(iri)
    return f"{split[0]}-{split[1]}" if split else hashlib.sha256(str(iri).encode()).hexdigest()[:16]


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _describe_part(void: Graph, node: URIRef, part: Part, space: str, triples: int | None = None) -> None:
    """URI space, triples (those of `part` unless given), entities and class partitions of a dataset node."""
    void.add((node, VOID.uriSpace, Literal(space)))
    void.add((node, VOID.triples, _count(part.triples if triples is None else triples)))
    void.add((node, VOID.entities, _count(part.entities)))
    for cls, count in sorted(part.classes.items()):
        partition = URIRef(f"{node}/class/{_local(cls)}")
        void.add((node, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, _count(count)))


def describe_dataset(statistics: Statistics, base_iri: str, metadata: DatasetMetadata,
                     links: Iterable[LinkMapping]) -> Graph:
    """The VoID description of the dataset: its size and classes, the UN subset with its source and citation,
    the vocabularies it uses, its dumps and endpoint, and a void:Linkset per target, predicate and whether the
    targets were seen in their vocabulary."""
    dataset = URIRef(base_iri + "dataset")
    known = sources()
    void = Graph()
    add = void.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, DCTERMS.title, Literal(metadata.title, lang="en")))
    add((dataset, DCTERMS.description, Literal(metadata.description, lang="en")))
    add((dataset, DCTERMS.license, URIRef(metadata.license)))
    add((dataset, DCTERMS.publisher, URIRef(metadata.publisher_iri(base_iri))))
    if metadata.modified:
        add((dataset, DCTERMS.modified, Literal(metadata.modified, datatype=XSD.dateTime)))
    _describe_part(void, dataset, statistics.own, base_iri, statistics.triples)
    add((dataset, VOID.distinctSubjects, _count(statistics.subjects)))
    for namespace in statistics.vocabularies:
        add((dataset, VOID.vocabulary, URIRef(namespace)))
    # The endpoint is where `migration-lod serve` answers when the dataset is served at its base IRI.
    add((dataset, VOID.sparqlEndpoint, URIRef(base_iri + "sparql")))
    for suffix in DUMPS:
        add((dataset, VOID.dataDump, URIRef(f"{base_iri}{DUMP_NAME}.{suffix}")))
    add((dataset, DCTERMS.relation, URIRef(base_iri + SSSOM_FILE)))
    add((dataset, RDFS.seeAlso, URIRef(base_iri + CATALOGUE_FILE)))
    add((URIRef(base_iri + "catalog"), DCAT.dataset, dataset))

    kos = URIRef(UN_KOS_DATASET)
    un = URIRef(base_iri + "dataset/un-sdg-kos")
    add((dataset, VOID.subset, un))
    add((un, RDF.type, VOID.Dataset))
    add((un, DCTERMS.title, Literal("Content of the UN SDG Knowledge Organization System republished in this "
                                    "dataset: UN M49 areas, SDG goals, targets and indicators", lang="en")))
    add((un, DCTERMS.source, kos))
    for predicate in (DCTERMS.rights, DCTERMS.bibliographicCitation, DCTERMS.creator, DCTERMS.publisher):
        for value in known.objects(kos, predicate):
            add((un, predicate, value))
    _describe_part(void, un, statistics.un, un_space())

    for (target, predicate, verified), count in sorted(linksets(links).items(), key=str):
        name = f"{target}-{_local(predicate)}" + ("" if verified else "-unverified")
        linkset = URIRef(f"{base_iri}dataset/linkset/{name}")
        add((dataset, VOID.subset, linkset))
        add((linkset, RDF.type, VOID.Linkset))
        add((linkset, VOID.subjectsTarget, dataset))
        add((linkset, VOID.objectsTarget, URIRef(target_dataset(target))))
        add((linkset, VOID.linkPredicate, predicate))
        add((linkset, VOID.triples, _count(count)))
        if not verified:
            add((linkset, RDFS.comment, Literal("Links to targets that are not in the vendored copy of their "
                                                "vocabulary: stated, not verified.", lang="en")))
    for triple in known:
        add(triple)
    return void
