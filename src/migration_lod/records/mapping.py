"""Mapping records to triples: IRIs from the base IRI, kind and slug; codes resolved to concepts and areas.

Triples are made as pyoxigraph terms and go straight into a pyoxigraph store, wrapped in an rdflib Graph
for the public API: making rdflib terms and adding them to rdflib's memory store cost ~20 us a triple,
and every later stage would convert them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from itertools import islice
from typing import ClassVar

import pyoxigraph as ox
from rdflib import DCTERMS, ORG, PROV, RDF, SKOS, XSD, Graph, URIRef

from migration_lod.problems import InputError, Problem, quoted
from migration_lod.progress import Stage
from migration_lod.rdf.namespaces import MIG, SCHEMA, UNDOCS
from migration_lod.rdf.terms import store_graph, to_oxigraph
from migration_lod.rdf.vocabulary import UNBIS, UNVocabularies, Vocabulary
from migration_lod.records.kinds import KIND_BY_NAME, Field
from migration_lod.records.load import Record

# Where each minted IRI came from, by IRI: the record, and the field when the node stands for one field
# (a dict, or on disk for a streamed build: records/origins).
Origins = MutableMapping[str, tuple[Record, str | None]]
BATCH_QUADS = 100_000  # quads added to the store at a time: an on-disk store's bulk loader holds a batch
Term = ox.NamedNode | ox.Literal

CONCEPT_NOUNS = {
    "iscm-types": "an ISCM type",
    "gcm-elements": "an element letter (a-x) of the global compact",
    "gcm-clusters": "a thematic cluster number (1-6) of the global compact",
    "gcm-objectives": "an objective number (1-23) of the global compact",
    "gcm-guiding-principles": "a guiding principle letter (a-j) of the global compact",
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
# The fields that make org:Memberships, and the role each gives (a notation of the membership roles scheme).
ROLES = {"members": "member", "observers": "observer", "steering_committee": "steering-committee"}


class _Node:
    """The vocabulary terms of every record, made once: rdflib's namespace attributes build a new URIRef at
    each access, about a tenth of the mapping's time."""

    TYPE = ox.NamedNode(RDF.type)
    INTEGER = ox.NamedNode(XSD.integer)
    SAME_AS = ox.NamedNode(SCHEMA.sameAs)
    MEMBERSHIP, ORGANIZATION, MEMBER, ROLE = (ox.NamedNode(t) for t in (ORG.Membership, ORG.organization,
                                                                         ORG.member, ORG.role))
    DERIVED_FROM, SOURCE, QUALIFIED_DERIVATION = (ox.NamedNode(t) for t in (PROV.wasDerivedFrom, DCTERMS.source,
                                                                             PROV.qualifiedDerivation))
    DERIVATION, ENTITY, SECTION = (ox.NamedNode(t) for t in (PROV.Derivation, PROV.entity, MIG.section))
    # A date's datatype by the length of its lexical form (YYYY, YYYY-MM, YYYY-MM-DD).
    DATE_TYPES: ClassVar = {4: ox.NamedNode(XSD.gYear), 7: ox.NamedNode(XSD.gYearMonth), 10: ox.NamedNode(XSD.date)}


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

    def __init__(self, ids: set[tuple[str, str]], base_iri: str, vocabulary: Vocabulary, un: UNVocabularies,
                 origins: Origins) -> None:
        self.base = check_base_iri(base_iri)
        self.vocabulary = vocabulary
        self.un = un
        self.ids = ids  # (kind, id) of every record, the ones not mapped yet included
        self.states: set[str] = set()
        self.problems: list[Problem] = []
        self.origins = origins
        self.terms: dict[str, ox.NamedNode] = {}

    def term(self, iri: str) -> ox.NamedNode:
        """The pyoxigraph node of a vocabulary IRI (predicates, classes, concepts), made once."""
        node = self.terms.get(iri)
        if node is None:
            node = self.terms[iri] = ox.NamedNode(iri)
        return node

    def iri(self, kind: str, slug: str) -> str:
        return f"{self.base}{KIND_BY_NAME[kind].path}/{slug}"

    def state(self, record: Record, name: str, code: str) -> ox.NamedNode | None:
        if code not in self.un.by_iso3:
            self.problems.append(record.problem(
                name, f"{quoted(code)} is not an ISO 3166-1 alpha-3 code of the UN M49 area list"))
            return None
        self.states.add(code)
        return self.term(f"{self.base}state/{code}")

    def reference(self, record: Record, name: str, value: str, kinds: tuple[str, ...]) -> ox.NamedNode | None:
        """The node of the record (or, for agents, the State) that a field names."""
        if "iscm" in kinds and value.isupper():
            return self.state(record, name, value)
        for kind in kinds:
            if (kind, value) in self.ids:
                return ox.NamedNode(self.iri(kind, value))
        what = " or ".join(KIND_NOUNS[k] for k in kinds)
        self.problems.append(record.problem(name, f"{quoted(value)} is not the id of a known {what}"))
        return None

    def concept(self, record: Record, name: str, scheme: str, notation: str) -> URIRef | None:
        concept = self.vocabulary.concept(scheme, notation)
        if concept is None:
            self.problems.append(record.problem(name, f"{quoted(notation)} is not {CONCEPT_NOUNS[scheme]}"))
        return concept

    def document(self, record: Record, reference: str) -> ox.NamedNode | None:
        if reference.startswith(("http://", "https://")):
            return ox.NamedNode(reference)
        if ("document", reference) in self.ids:
            return ox.NamedNode(self.iri("document", reference))
        self.problems.append(record.problem("sources", f"{quoted(reference)} is not the id of a document nor a URL"))
        return None

    def value(self, record: Record, spec: Field, value: object) -> Iterator[Term]:
        """The RDF terms for one value of a field."""
        kind = spec.type
        if kind == "text":
            assert isinstance(value, dict)
            for language, text in sorted(value.items()):
                yield ox.Literal(text, language=language)
            return
        assert isinstance(value, str)
        if kind in ("year", "date", "when"):
            yield ox.Literal(value, datatype=_Node.DATE_TYPES[len(value)])
        elif kind == "count":
            # xsd:integer, not xsd:nonNegativeInteger: pyoxigraph's store keeps only the former (the loader
            # already refuses negative numbers).
            yield ox.Literal(value, datatype=_Node.INTEGER)
        elif kind == "symbol":
            yield ox.Literal(value)
        elif kind == "unbis":
            if URIRef(UNBIS + value) in self.un.unbis:
                yield self.term(UNBIS + value)
            else:
                self.problems.append(record.problem(
                    spec.name, f"{quoted(value)} is not a UNBIS Thesaurus subject of the vendored UN vocabularies"))
        elif kind == "iso3":
            term = self.state(record, spec.name, value)
            if term is not None:
                yield term
        elif kind in REFERENCE_KINDS:
            term = self.reference(record, spec.name, value, REFERENCE_KINDS[kind])
            if term is not None:
                yield term
        elif kind.startswith("concept:"):
            concept = self.concept(record, spec.name, kind.partition(":")[2], value)
            if concept is not None:
                yield self.term(concept)
        elif kind == "scheme":
            yield self.term(self.vocabulary.schemes[value])

    def map_record(self, record: Record) -> Iterator[ox.Quad]:
        """The triples of one record (as quads of the default graph): its own first, then those of its
        memberships and sources."""
        iri = self.iri(record.kind.name, record.id)
        self.origins[iri] = (record, None)
        subject = ox.NamedNode(iri)
        kind = record.kind
        parts: list[ox.Quad] = []
        if kind.name == "iscm":
            concept = self.concept(record, "type", "iscm-types", record.values["type"])
            if concept is not None:
                yield ox.Quad(subject, _Node.TYPE, self.term(self.vocabulary.classes[concept]))
        elif kind.classes:
            yield ox.Quad(subject, _Node.TYPE, self.term(kind.classes[record.values["kind"]]))
        if kind.default_class is not None:
            yield ox.Quad(subject, _Node.TYPE, self.term(kind.default_class))
        for spec in kind.fields:
            if spec.name not in record.values or (spec.predicate is None and spec.name not in ROLES):
                continue
            values = record.values[spec.name] if spec.many else [record.values[spec.name]]
            if spec.type == "sources":
                own, derivations = self.sources(record, subject, values)
                yield from own
                parts += derivations
                continue
            predicate = self.term(spec.predicate) if spec.predicate is not None else None
            for value in values:
                for term in self.value(record, spec, value):
                    if predicate is not None:
                        yield ox.Quad(subject, predicate, term)
                    if spec.type == "symbol":
                        # The UN's document-symbol resolver: the UN's own reference for the same document.
                        yield ox.Quad(subject, _Node.SAME_AS, ox.NamedNode(UNDOCS + value))
                    if spec.name in ROLES:
                        parts += self.membership(record, spec.name, subject, term)
        yield from parts

    def membership(self, record: Record, field_name: str, organisation: ox.NamedNode,
                   state: ox.NamedNode) -> Iterator[ox.Quad]:
        """An org:Membership with its role (member, observer, steering committee); a period can be added the same
        way later."""
        # A member or an observer is one membership per State; a seat on a committee is one more beside it.
        role_path = "" if field_name in ("members", "observers") else f"{ROLES[field_name]}/"
        iri = f"{self.base}membership/{record.id}/{role_path}{state.value.rsplit('/', 1)[1]}"
        self.origins[iri] = (record, field_name)
        node = ox.NamedNode(iri)
        yield ox.Quad(node, _Node.TYPE, _Node.MEMBERSHIP)
        yield ox.Quad(node, _Node.ORGANIZATION, organisation)
        yield ox.Quad(node, _Node.MEMBER, state)
        role = self.vocabulary.concept("membership-roles", ROLES[field_name])
        if role is not None:
            yield ox.Quad(node, _Node.ROLE, self.term(role))

    def sources(self, record: Record, subject: ox.NamedNode,
                sources: list[dict[str, str]]) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """Qualified derivations (which document, which section): the subject's quads, the derivations' quads."""
        own: list[ox.Quad] = []
        derivations: list[ox.Quad] = []
        for number, source in enumerate(sources, start=1):
            document = self.document(record, source["document"])
            if document is None:
                continue
            iri = f"{subject.value}#source-{number}"
            self.origins[iri] = (record, "sources")
            node = ox.NamedNode(iri)
            own += (ox.Quad(subject, _Node.DERIVED_FROM, document), ox.Quad(subject, _Node.SOURCE, document),
                    ox.Quad(subject, _Node.QUALIFIED_DERIVATION, node))
            derivations += (ox.Quad(node, _Node.TYPE, _Node.DERIVATION), ox.Quad(node, _Node.ENTITY, document))
            if "section" in source:
                derivations.append(ox.Quad(node, _Node.SECTION, ox.Literal(source["section"])))
        return own, derivations

    def state_quads(self) -> Iterator[ox.Quad]:
        """The States the records name, each tied to its UN M49 area, and those areas' regions."""
        areas = []
        for code in sorted(self.states):
            state = self.term(f"{self.base}state/{code}")
            area = self.un.by_iso3[code]
            areas.append(area)
            yield ox.Quad(state, _Node.TYPE, self.term(MIG.State))
            yield ox.Quad(state, self.term(DCTERMS.identifier), ox.Literal(code))
            yield ox.Quad(state, self.term(MIG.geoArea), self.term(area))
            # The State's names are those the UN gives its M49 area, in the six official languages of the UN.
            for label in self.un.labels(area):
                yield ox.Quad(state, self.term(SKOS.prefLabel), to_oxigraph(label))
            yield ox.Quad(state, _Node.SOURCE, self.term(area))
        for s, p, o in self.un.describe(areas):
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))


def map_records(records: list[Record], base_iri: str, vocabulary: Vocabulary, un: UNVocabularies,
                progress: Stage | None = None) -> Mapping:
    """Map every record to triples in a pyoxigraph store; raise InputError naming file, line, record and
    field of each bad code."""
    store, origins = ox.Store(), {}
    map_into(store, records, {(r.kind.name, r.id) for r in records}, base_iri, vocabulary, un, origins, progress)
    return Mapping(store_graph(store), origins)


def map_into(store: ox.Store, records: Iterable[Record], ids: set[tuple[str, str]], base_iri: str,
             vocabulary: Vocabulary, un: UNVocabularies, origins: Origins, progress: Stage | None = None) -> None:
    """Map records, read one at a time, into `store` and note their origins; `ids` are the (kind, id) of all
    records, which references may name. Raise InputError naming file, line, record and field of each bad
    code."""
    mapper = _Mapper(ids, base_iri, vocabulary, un, origins)

    def quads() -> Iterator[ox.Quad]:
        for record in records:
            yield from mapper.map_record(record)
            if progress is not None:
                progress.advance()
        yield from mapper.state_quads()

    made = quads()
    while batch := list(islice(made, BATCH_QUADS)):
        store.bulk_extend(batch)
    if mapper.problems:
        raise InputError(mapper.problems)
