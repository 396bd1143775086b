"""The namespaces of the project and of the vocabularies it reuses, and IRIs written short with them."""

from collections.abc import Mapping

from rdflib import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VANN, VOID, XSD, Namespace

MIG = Namespace("https://w3id.org/migration-lod/ontology/")
VOCAB = Namespace("https://w3id.org/migration-lod/vocab/")
# http, as in schema.org's own JSON-LD context and in the UN SDG KOS: the two must not mix in one dump.
SCHEMA = Namespace("http://schema.org/")
M49 = Namespace("http://metadata.un.org/sdg/codes/geoArea/")
M49_CODES = Namespace("http://metadata.un.org/sdg/codes/geoArea#")
UN_SDG = Namespace("http://metadata.un.org/sdg/")
SH = Namespace("http://www.w3.org/ns/shacl#")
UNDOCS = "https://undocs.org/"  # the UN's resolver of official document symbols: https://undocs.org/A/RES/71/1

DEFAULT_BASE_IRI = "https://w3id.org/migration-lod/"

# Prefixes written into the Turtle dump and the JSON-LD context, in this order.
PREFIXES: dict[str, str] = {
    "mig": str(MIG),
    "iscmt": str(VOCAB["iscm-types/"]),
    "gcme": str(VOCAB["gcm-elements/"]),
    "gcmc": str(VOCAB["gcm-clusters/"]),
    "gcmo": str(VOCAB["gcm-objectives/"]),
    "gcmp": str(VOCAB["gcm-guiding-principles/"]),
    # not "sdg": the UN SDG KOS writes sdg: for its own namespace, and so does this dump.
    "migsdg": str(VOCAB["sdg/"]),
    "aof": str(VOCAB["iscm-areas-of-focus/"]),
    "role": str(VOCAB["membership-roles/"]),
    "m49": str(M49),
    "sdg": str(UN_SDG),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "vann": str(VANN),
    "void": str(VOID),
    "xsd": str(XSD),
}


def split_iri(iri: object, prefixes: Mapping[str, str] = PREFIXES) -> tuple[str, str] | None:
    """(prefix, local name) of an IRI under the longest namespace of `prefixes` it extends, or None."""
    text = str(iri)
    found = [(name, namespace) for name, namespace in prefixes.items()
             if text.startswith(namespace) and len(text) > len(namespace)]
    if not found:
        return None
    name, namespace = max(found, key=lambda item: len(item[1]))
    return name, text[len(namespace):]


def compact(term: object, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A short form of an IRI (a CURIE) with the project's prefixes or others, for messages, pages and SSSOM."""
    split = split_iri(term, prefixes)
    return f"{split[0]}:{split[1]}" if split else str(term)
