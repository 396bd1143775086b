"""The namespaces of the project and of the vocabularies it reuses."""

from rdflib import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VANN, VOID, XSD, Namespace

MIG = Namespace("https://w3id.org/migration-lod/ontology/")
VOCAB = Namespace("https://w3id.org/migration-lod/vocab/")
SCHEMA = Namespace("https://schema.org/")
M49 = Namespace("http://metadata.un.org/sdg/codes/geoArea/")
M49_CODES = Namespace("http://metadata.un.org/sdg/codes/geoArea#")
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
    "sdg": str(VOCAB["sdg/"]),
    "aof": str(VOCAB["iscm-areas-of-focus/"]),
    "role": str(VOCAB["membership-roles/"]),
    "m49": str(M49),
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


def compact(term: object) -> str:
    """A short form of an IRI with the project's prefixes, for messages and pages."""
    text = str(term)
    for name, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{name}:{text[len(namespace):]}"
    return text
