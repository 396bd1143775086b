"""The datasets of others that this dataset republishes from or links to, as catalogue/sources.ttl describes
them: the UN SDG KOS (its VoID dataset, URI space and the citation its licence asks for) and undocs.org."""

from __future__ import annotations

from functools import cache

from rdflib import DCTERMS, VOID, Graph, URIRef

from migration_lod.rdf.namespaces import UNDOCS
from migration_lod.rdf.vocabulary import parse_turtle_files
from migration_lod.resources import catalogue_dir

SOURCES_FILE = "sources.ttl"
UN_KOS_DATASET = "http://metadata.un.org/sdg/void.ttl#SDG"  # the KOS's own VoID dataset
UNDOCS_DATASET = UNDOCS


@cache
def sources() -> Graph:
    """The descriptions of the datasets of others that the catalogue and VoID name (catalogue/sources.ttl)."""
    return parse_turtle_files([catalogue_dir() / SOURCES_FILE])


def un_space() -> str:
    """The URI space of the UN SDG KOS (its IRIs in the dumps are the UN content)."""
    return str(sources().value(URIRef(UN_KOS_DATASET), VOID.uriSpace))


def un_citation() -> str:
    """The citation the UN SDG KOS asks for wherever its content is republished."""
    return str(sources().value(URIRef(UN_KOS_DATASET), DCTERMS.bibliographicCitation))
