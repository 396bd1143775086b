"""The record kinds: which fields each kind of record has, their types, and the predicate each maps to.

This table is the one place that says what a record may hold; the loader checks records against it,
the mapper turns its fields into triples with it, and validation reports name fields through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rdflib import DCTERMS, ORG, PROV, SKOS, URIRef

from migration_lod.rdf.namespaces import MIG, SCHEMA

LIST_SEPARATOR = "|"  # between the items of a list in a CSV cell
SOURCE_KEYS = ("document", "section")  # what a source of a record says


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, value type, whether it repeats or is required, and its predicate."""

    name: str
    type: str
    predicate: URIRef | None = None
    many: bool = False
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # one object per kind (KINDS): compared and hashed as itself
class Kind:
    """A kind of record: the file it lives in, the path segment of its IRIs and its fields."""

    name: str
    file_stem: str
    path: str
    fields: tuple[Field, ...]
    classes: dict[str, URIRef] = field(default_factory=dict)
    default_class: URIRef | None = None

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> Field | None:
        """The field called `name`, or None."""
        return self._by_name.get(name)

    @cached_property
    def required(self) -> tuple[Field, ...]:
        """The fields every record of this kind must give."""
        return tuple(f for f in self.fields if f.required)

    def field_for(self, predicate: URIRef) -> Field | None:
        """The field that maps to `predicate`, or None."""
        for f in self.fields:
            if f.predicate == predicate:
                return f
        return None


TYPES = {  # field type -> what its value is (RECORDS.md is written from this)
    "slug": "a stable slug: lower-case letters, digits and single hyphens; the last part of the IRI, never changed "
            "once published",
    "text": "a string (English), or a mapping of BCP 47 language tags to strings ({en: ..., fr: ...})",
    "year": "a year: YYYY",
    "date": "a date: YYYY-MM-DD",
    "when": "a date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD",
    "count": "a whole number",
    "iso3": "a State by its ISO 3166-1 alpha-3 code (the UN M49 list)",
    "agent": "a State by its ISO 3166-1 alpha-3 code, or the id of an ISCM or an organisation",
    "organisation": "the id of an organisation",
    "document": "the id of a document",
    "event": "the id of an event",
    "symbol": "an official UN document symbol, for example A/RES/71/1",
    "scheme": "a concept scheme of the ontology, by its name",
    "choice": "one of the values listed",
    "unbis": "a UNBIS Thesaurus subject: its number or its IRI",
    "sources": "where the facts come from: a list of {document: the id of a document or a URL, section: where in it}",
    "concept": "a concept by its notation, of the scheme",
}
# A field without a predicate is mapped by hand.
COMMON_HEAD = (
    Field("id", "slug", required=True),
    Field("label", "text", SKOS.prefLabel, required=True),
    Field("alt_labels", "text", SKOS.altLabel, many=True),
    # Misspellings a source prints: found by search and reconciliation, never shown as a name (SKOS hiddenLabel).
    Field("hidden_labels", "text", SKOS.hiddenLabel, many=True),
)
COMMON_TAIL = (
    Field("notes", "text", SKOS.note, many=True),
    Field("sources", "sources", PROV.qualifiedDerivation, many=True, required=True),
)

# What practices and recommendations concern, in the global compact and the SDGs (each kind lists them in the
# order its triples are written).
OBJECTIVES = Field("objectives", "concept:gcm-objectives", MIG.gcmObjective, many=True)
ELEMENTS = Field("elements", "concept:gcm-elements", MIG.gcmElement, many=True)
CLUSTERS = Field("clusters", "concept:gcm-clusters", MIG.gcmCluster, many=True)
SDG_TARGETS = Field("sdg", "concept:sdg", MIG.sdgTarget, many=True)

ISCM = Kind(
    name="iscm",
    file_stem="iscms",
    path="iscm",
    fields=(
        *COMMON_HEAD,
        Field("type", "concept:iscm-types", MIG.iscmType, required=True, choices=("rcp", "irf", "global_process")),
        Field("region", "text", MIG.region),
        Field("established", "year", MIG.yearEstablished),
        Field("secretariat", "text", MIG.secretariat),
        Field("members", "iso3", ORG.hasMember, many=True),
        Field("observers", "iso3", many=True),
        Field("steering_committee", "agent", many=True),
        Field("areas_of_focus", "concept:iscm-areas-of-focus", MIG.areaOfFocus, many=True),
        *COMMON_TAIL,
    ),
)

ORGANISATION = Kind(
    name="organisation",
    file_stem="organisations",
    path="organisation",
    fields=(
        *COMMON_HEAD,
        Field("established", "year", MIG.yearEstablished),
        Field("secretariat", "text", MIG.secretariat),
        Field("members", "iso3", ORG.hasMember, many=True),
        *COMMON_TAIL,
    ),
    default_class=ORG.Organization,
)

PRACTICE = Kind(
    name="practice",
    file_stem="practices",
    path="practice",
    fields=(
        *COMMON_HEAD,
        Field(
            "kind",
            "choice",
            required=True,
            choices=("initiative", "agreement", "declaration", "action_plan", "strategy"),
        ),
        Field("description", "text", DCTERMS.description),
        Field("date", "when", DCTERMS.date),
        Field("actors", "agent", MIG.actor, many=True),
        Field("countries", "iso3", MIG.beneficiaryCountry, many=True),
        OBJECTIVES,
        Field("principles", "concept:gcm-guiding-principles", MIG.gcmGuidingPrinciple, many=True),
        ELEMENTS,
        CLUSTERS,
        SDG_TARGETS,
        Field("topics", "text", SCHEMA.keywords, many=True),
        Field("documents", "document", DCTERMS.references, many=True),
        Field("adopted_at", "event", MIG.adoptedAt),
        Field("subjects", "unbis", DCTERMS.subject, many=True),
        *COMMON_TAIL,
    ),
    classes={
        "initiative": MIG.Initiative,
        "agreement": MIG.Agreement,
        "declaration": MIG.Declaration,
        "action_plan": MIG.ActionPlan,
        "strategy": MIG.Strategy,
    },
)

EVENT = Kind(
    name="event",
    file_stem="events",
    path="event",
    fields=(
        *COMMON_HEAD,
        Field("kind", "choice", required=True, choices=("meeting", "conference")),
        Field("date", "when", DCTERMS.date),
        Field("start", "date", SCHEMA.startDate),
        Field("end", "date", SCHEMA.endDate),
        Field("city", "text", SCHEMA.location),
        Field("country", "iso3", MIG.hostCountry),
        Field("organisers", "agent", SCHEMA.organizer, many=True),
        Field("hosts", "agent", MIG.hostedBy, many=True),
        Field("theme", "text", MIG.theme),
        Field("speakers", "text", MIG.speaker, many=True),
        Field("participants", "agent", MIG.participant, many=True),
        Field("delegates", "count", MIG.delegateCount),
        Field("iscm_delegates", "count", MIG.iscmDelegateCount),
        Field("iscms_represented", "count", MIG.iscmCount),
        *COMMON_TAIL,
    ),
    classes={"meeting": MIG.Meeting, "conference": MIG.Conference},
)

DOCUMENT = Kind(
    name="document",
    file_stem="documents",
    path="document",
    fields=(
        *COMMON_HEAD,
        Field(
            "kind",
            "choice",
            required=True,
            choices=("resolution", "report", "news_article", "press_release", "web_page", "other"),
        ),
        Field("symbol", "symbol", DCTERMS.identifier),
        Field("date", "when", DCTERMS.issued),
        Field("publisher", "organisation", DCTERMS.publisher),
        Field(
            "defines",
            "scheme",
            MIG.defines,
            many=True,
            choices=("iscm-types", "gcm-elements", "gcm-clusters", "gcm-objectives", "gcm-guiding-principles", "sdg"),
        ),
        Field("subjects", "unbis", DCTERMS.subject, many=True),
        *COMMON_TAIL,
    ),
    classes={
        "resolution": MIG.UNResolution,
        "report": MIG.Report,
        "news_article": MIG.NewsArticle,
        "press_release": MIG.PressRelease,
        "web_page": MIG.WebPage,
        "other": MIG.Document,
    },
)

RECOMMENDATION = Kind(
    name="recommendation",
    file_stem="recommendations",
    path="recommendation",
    fields=(
        *COMMON_HEAD,
        Field("kind", "choice", required=True, choices=("priority", "follow_up")),
        Field("number", "count", SCHEMA.position, required=True),
        Field("report", "document", DCTERMS.isPartOf, required=True),
        ELEMENTS,
        CLUSTERS,
        OBJECTIVES,
        SDG_TARGETS,
        *COMMON_TAIL,
    ),
    classes={"priority": MIG.CrossRegionalPriority, "follow_up": MIG.FollowUpRecommendation},
)

KINDS: tuple[Kind, ...] = (ISCM, ORGANISATION, PRACTICE, EVENT, DOCUMENT, RECOMMENDATION)
KIND_BY_STEM: dict[str, Kind] = {k.file_stem: k for k in KINDS}
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
