"""What the reconciliation service offers: its types, and the properties a query may give and extension fetch.

One declaration each. A type is a class of the ontology (its instances, with those of its subclasses) or a
concept scheme (its concepts); its name is read from the published graph. A property is a path of one or
two predicates from an entity, whose values are strings or, when they are resources, named by their label.
"""

from __future__ import annotations

from dataclasses import dataclass

from migration_lod.rdf.namespaces import DCTERMS, M49_CODES, MIG, ORG, SKOS, VOCAB


@dataclass(frozen=True)
class ServiceType:
    """A type of entity a query may ask for."""

    key: str  # a short name for the command line (--type iscm)
    iri: str  # the type's id in the API: the class or the concept scheme
    name: str  # its name where the published graph gives it no label
    scheme: bool = False  # a concept scheme (its members are its concepts), else a class
    # Words that, put before a notation, name the concept: "objective 9", "target 10.7".
    notation_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceProperty:
    """A property of the API: a path of predicates from the entity to its values."""

    id: str
    name: str
    path: tuple[str, ...]
    types: tuple[str, ...]  # the keys of the types it is proposed for
    entities: bool = False  # its values are resources of this dataset (given with their id and name)


TYPES: tuple[ServiceType, ...] = (
    ServiceType("iscm", str(MIG.ISCM), "ISCM"),
    ServiceType("state", str(MIG.State), "State"),
    ServiceType("objective", str(VOCAB["gcm-objectives"]), "GCM objective", scheme=True,
                notation_words=("objective", "gcm objective", "obj")),
    ServiceType("element", str(VOCAB["gcm-elements"]), "GCM element", scheme=True,
                notation_words=("element", "gcm element")),
    ServiceType("cluster", str(VOCAB["gcm-clusters"]), "GCM thematic cluster", scheme=True,
                notation_words=("cluster", "thematic cluster", "thematic session")),
    ServiceType("principle", str(VOCAB["gcm-guiding-principles"]), "GCM guiding principle", scheme=True,
                notation_words=("principle", "guiding principle")),
    ServiceType("sdg", str(VOCAB["sdg"]), "SDG target or indicator", scheme=True,
                notation_words=("target", "indicator", "sdg", "sdg target", "sdg indicator")),
    ServiceType("organisation", str(ORG.Organization), "Organisation"),
    ServiceType("document", str(MIG.Document), "Document"),
    ServiceType("practice", str(MIG.Practice), "Practice"),
    ServiceType("event", "http://schema.org/Event", "Event"),
)

_GEO = (str(MIG.geoArea),)
PROPERTIES: tuple[ServiceProperty, ...] = (
    ServiceProperty("members", "members", (str(ORG.hasMember),), ("iscm",), entities=True),
    ServiceProperty("iscm-type", "ISCM type", (str(MIG.iscmType),), ("iscm",), entities=True),
    ServiceProperty("year", "year established", (str(MIG.yearEstablished),), ("iscm",)),
    ServiceProperty("region", "region", (str(MIG.region),), ("iscm",)),
    ServiceProperty("iso3", "ISO 3166-1 alpha-3 code", (str(DCTERMS.identifier),), ("state",)),
    ServiceProperty("m49", "M49 code", (*_GEO, str(M49_CODES.m49code)), ("state",)),
    ServiceProperty("m49-region", "M49 regions and groups", (*_GEO, str(SKOS.broader)), ("state",)),
    ServiceProperty("notation", "notation", (str(SKOS.notation),),
                    ("objective", "element", "cluster", "principle", "sdg")),
    ServiceProperty("cluster", "thematic cluster", (str(MIG.inCluster),), ("element",), entities=True),
    ServiceProperty("symbol", "document symbol or identifier", (str(DCTERMS.identifier),), ("document",)),
    ServiceProperty("issued", "date issued", (str(DCTERMS.issued),), ("document",)),
    ServiceProperty("publisher", "publisher", (str(DCTERMS.publisher),), ("document",), entities=True),
)

PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}
