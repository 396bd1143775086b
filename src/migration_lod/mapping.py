"""Mapping records to triples: IRIs from the base IRI, kind and slug; codes resolved to concepts and areas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import DCTERMS, ORG, PROV, RDF, SKOS, XSD, Graph, Literal, URIRef

from migration_lod.kinds import KIND_BY_NAME, Field
from migration_lod.namespaces import MIG, SCHEMA, UNDOCS
from migration_lod.problems import InputError, Problem
from migration_lod.records import Record
from migration_lod.vocabulary import UNBIS, Triple, UNVocabularies, Vocabulary

Origins = dict[URIRef, tuple[Record, str | None]]

CONCEPT_NOUNS = {
    "iscm-types": "an ISCM type",
    "gcm-elements": "an element letter (a-x) of the global compact",
    "gcm-clusters": "a thematic cluster number (1-6) of the global compact",
    "gcm-objectives": "an objective number (1-23) of the global compact",
    "sdg": "a migration-related SDG target or indicator code",
    "iscm-areas-of-focus": "an ISCM area of focus of the GRCP 7 Background Note, Appendix 2",
}
# What each reference type may name, and how a problem calls it.
REFERENCE_KINDS = {
    "agent": ("iscm", "organisation"),
    "organisation": ("organisation",),
    "document": ("document",),
    "event": ("event",),
}
KIND_NOUNS = {"iscm": "ISCM", "organisation": "organisation", "document": "document", "event": "event"}
ROLES = {"members": "member", "observers": "observer"}


def check_base_iri(base_iri: str) -> str:
    """Return the base IRI if it is an absolute http(s) IRI ending with '/' or '#', else raise ValueError."""
    if not base_iri.startswith(("http://", "https://")) or not base_iri.endswith(("/", "#")) or any(
        c in base_iri for c in ' <>"{}|\\^`'
    ):
        raise ValueError(f"base IRI {base_iri!r} must be an absolute http(s) IRI ending with '/' or '#'")
    return base_iri


@dataclass
class Mapping:
    """The result of mapping records: the graph of the records and where each minted IRI came from."""

    graph: Graph
    origins: Origins = field(default_factory=dict)


class _Mapper:
    """Maps records one at a time; collects problems instead of stopping at the first."""

    def __init__(self, records: list[Record], base_iri: str, vocabulary: Vocabulary, un: UNVocabularies) -> None:
        self.base = check_base_iri(base_iri)
        self.vocabulary = vocabulary
        self.un = un
        self.ids = {(r.kind.name, r.id): r for r in records}
        self.states: set[str] = set()
        self.problems: list[Problem] = []
        self.origins: Origins = {}

    def iri(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}{KIND_BY_NAME[kind].path}/{slug}")

    def state(self, record: Record, name: str, code: str) -> URIRef | None:
        if code not in self.un.by_iso3:
            self.problems.append(record.problem(
                name, f'"{code}" is not an ISO 3166-1 alpha-3 code of the UN M49 area list'))
            return None
        self.states.add(code)
        return URIRef(f"{self.base}state/{code}")

    def reference(self, record: Record, name: str, value: str, kinds: tuple[str, ...]) -> URIRef | None:
        """The IRI of the record (or, for agents, the State) that a field names."""
        if "iscm" in kinds and value.isupper():
            return self.state(record, name, value)
        for kind in kinds:
            if (kind, value) in self.ids:
                return self.iri(kind, value)
        what = " or ".join(KIND_NOUNS[k] for k in kinds)
        self.problems.append(record.problem(name, f'"{value}" is not the id of a known {what}'))
        return None

    def concept(self, record: Record, name: str, scheme: str, notation: str) -> URIRef | None:
        concept = self.vocabulary.concept(scheme, notation)
        if concept is None:
            self.problems.append(record.problem(name, f'"{notation}" is not {CONCEPT_NOUNS[scheme]}'))
        return concept

    def document(self, record: Record, reference: str) -> URIRef | None:
        if reference.startswith(("http://", "https://")):
            return URIRef(reference)
        if ("document", reference) in self.ids:
            return self.iri("document", reference)
        self.problems.append(record.problem("sources", f'"{reference}" is not the id of a document nor a URL'))
        return None

    def value(self, record: Record, spec: Field, value: object) -> Iterator[URIRef | Literal]:
        """The RDF terms for one value of a field."""
        kind = spec.type
        if kind == "text":
            assert isinstance(value, dict)
            for language, text in sorted(value.items()):
                yield Literal(text, lang=language)
            return
        assert isinstance(value, str)
        if kind in ("year", "date", "when"):
            datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
            yield Literal(value, datatype=datatype)
        elif kind == "count":
            # xsd:integer, not xsd:nonNegativeInteger: pyoxigraph's store keeps only the former (the loader
            # already refuses negative numbers).
            yield Literal(value, datatype=XSD.integer)
        elif kind == "symbol":
            yield Literal(value)
        elif kind == "unbis":
            subject = URIRef(UNBIS + value)
            if subject in self.un.unbis:
                yield subject
            else:
                self.problems.append(record.problem(
                    spec.name, f'"{value}" is not a UNBIS Thesaurus subject of the vendored UN vocabularies'))
        elif kind == "iso3":
            term = self.state(record, spec.name, value)
            if term is not None:
                yield term
        elif kind in REFERENCE_KINDS:
            term = self.reference(record, spec.name, value, REFERENCE_KINDS[kind])
            if term is not None:
                yield term
        elif kind.startswith("concept:"):
            term = self.concept(record, spec.name, kind.partition(":")[2], value)
            if term is not None:
                yield term
        elif kind == "scheme":
            yield self.vocabulary.schemes[value]

    def map_record(self, record: Record) -> Iterator[Triple]:
        """The triples of one record."""
        subject = self.iri(record.kind.name, record.id)
        kind = record.kind
        if kind.name == "iscm":
            concept = self.concept(record, "type", "iscm-types", record.values["type"])
            if concept is not None:
                yield (subject, RDF.type, self.vocabulary.classes[concept])
        elif kind.classes:
            yield (subject, RDF.type, kind.classes[record.values["kind"]])
        if kind.default_class is not None:
            yield (subject, RDF.type, kind.default_class)
        for spec in kind.fields:
            if spec.name not in record.values or (spec.predicate is None and spec.name not in ROLES):
                continue
            values = record.values[spec.name] if spec.many else [record.values[spec.name]]
            if spec.type == "sources":
                yield from self.sources(record, subject, values)
                continue
            for value in values:
                for term in self.value(record, spec, value):
                    if spec.predicate is not None:
                        yield (subject, spec.predicate, term)
                    if spec.type == "symbol":
                        # The UN's document-symbol resolver: the UN's own reference for the same document.
                        yield (subject, SCHEMA.sameAs, URIRef(UNDOCS + value))
                    if spec.name in ROLES:
                        yield from self.membership(record, spec.name, subject, term)

    def membership(self, record: Record, field_name: str, organisation: URIRef, state: URIRef) -> Iterator[Triple]:
        """An org:Membership with its role (member, observer); a period can be added the same way later."""
        node = URIRef(f"{self.base}membership/{record.id}/{str(state).rsplit('/', 1)[1]}")
        self.origins[node] = (record, field_name)
        yield (node, RDF.type, ORG.Membership)
        yield (node, ORG.organization, organisation)
        yield (node, ORG.member, state)
        role = self.vocabulary.concept("membership-roles", ROLES[field_name])
        if role is not None:
            yield (node, ORG.role, role)

    def sources(self, record: Record, subject: URIRef, sources: list[dict[str, str]]) -> Iterator[Triple]:
        """Qualified derivations: which document, which section."""
        for number, source in enumerate(sources, start=1):
            document = self.document(record, source["document"])
            if document is None:
                continue
            node = URIRef(f"{subject}#source-{number}")
            self.origins[node] = (record, "sources")
            yield (subject, PROV.wasDerivedFrom, document)
            yield (subject, DCTERMS.source, document)
            yield (subject, PROV.qualifiedDerivation, node)
            yield (node, RDF.type, PROV.Derivation)
            yield (node, PROV.entity, document)
            if "section" in source:
                yield (node, MIG.section, Literal(source["section"]))

    def state_triples(self) -> Iterator[Triple]:
        """The States the records name, each tied to its UN M49 area, and those areas' regions."""
        areas = []
        for code in sorted(self.states):
            state = URIRef(f"{self.base}state/{code}")
            area = self.un.by_iso3[code]
            areas.append(area)
            yield (state, RDF.type, MIG.State)
            yield (state, DCTERMS.identifier, Literal(code))
            yield (state, MIG.geoArea, area)
            label = self.un.label(area)
            if label is not None:
                yield (state, SKOS.prefLabel, label)
        yield from self.un.describe(areas)


def map_records(records: list[Record], base_iri: str, vocabulary: Vocabulary, un: UNVocabularies) -> Mapping:
    """Map every record to triples; raise InputError naming file, line, record and field of each bad code."""
    mapper = _Mapper(records, base_iri, vocabulary, un)
    graph = Graph()
    add = graph.add
    for record in records:
        mapper.origins[mapper.iri(record.kind.name, record.id)] = (record, None)
        for triple in mapper.map_record(record):
            add(triple)
    for triple in mapper.state_triples():
        add(triple)
    if mapper.problems:
        raise InputError(mapper.problems)
    return Mapping(graph, mapper.origins)
