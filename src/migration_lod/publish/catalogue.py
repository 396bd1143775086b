"""The DCAT-AP 3 catalogue of a publication (dist/catalog.ttl), and its check against the profile's own shapes.

A portal such as data.europa.eu harvests a dcat:Catalog: the dataset with its publisher, contact point,
keywords, themes, coverage and dates, and each dump as a distribution with its download address, media type,
file type, size, checksum and licence. The values that are the publisher's decisions come from
data/dataset.yaml; sizes and checksums from the files written; the period covered from the records' dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from migration_lod.problems import Problem
from migration_lod.publish.distribution import CATALOGUE_FILE, DUMP_NAME, DUMPS, FORMAT_NAMES, RELEASES
from migration_lod.rdf.terms import DEFAULT_GRAPH
from migration_lod.rdf.vocabulary import parse_turtle_files
from migration_lod.records.kinds import KINDS
from migration_lod.records.metadata import DatasetMetadata
from migration_lod.resources import catalogue_dir, shapes_dir

DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT lacks DCAT 3's terms (dcat:version)
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
EU_DATA_THEMES = "http://publications.europa.eu/resource/authority/data-theme"
UNBIS = "http://metadata.un.org/thesaurus/"
ENGLISH = URIRef("http://publications.europa.eu/resource/authority/language/ENG")  # the language of the records
# The dumps in the EU's file-type table (catalogue/terms.ttl describes each).
FILE_TYPES = {"ttl": "RDF_TURTLE", "jsonld": "JSON_LD", "nt": "RDF_N_TRIPLES"}
TERMS_FILE = "terms.ttl"
DCAT_AP_DIR = "dcat-ap-3.0.1"
# The release's parts: mandatory and recommended properties, ranges, the EU controlled vocabularies. Not the
# all-in-one shacl_dcat-ap-SHACL.ttl: it names property shapes that neither it nor shacl_ranges.ttl defines,
# so it is not well-formed SHACL (pySHACL refuses it too). html_shacl_imports.ttl only names remote ontologies.
DCAT_AP_SHAPES = ("html_shacl_shapes.ttl", "html_shacl_shapes_recommended.ttl", "html_shacl_range.ttl",
                  "html_shacl_mdr-vocabularies.shape.ttl")
R5R = "http://data.europa.eu/r5r#"
SH = "http://www.w3.org/ns/shacl#"
# Corrections of the vendored shapes where they contradict the profile itself, applied in memory (the files stay
# as published): the checksum-algorithm restriction asks for IRIs that start "https://spdx.org/rdf/terms",
# while the class it requires, spdx:ChecksumAlgorithm, and every SPDX algorithm are in the namespace
# http://spdx.org/rdf/terms# (the SPDX 2.3 ontology DCAT-AP reuses).
SHAPE_CORRECTIONS = (
    (ox.Triple(ox.NamedNode(R5R + "ChecksumAlgorithmRestriction"), ox.NamedNode(SH + "pattern"),
               ox.Literal("^https://spdx.org/rdf/terms")),
     ox.Triple(ox.NamedNode(R5R + "ChecksumAlgorithmRestriction"), ox.NamedNode(SH + "pattern"),
               ox.Literal("^https?://spdx.org/rdf/terms"))),
)
# The record fields that give dates: the period the data covers runs from the earliest to the latest.
DATE_TYPES = ("year", "when", "date")


@dataclass(frozen=True)
class Coverage:
    """The period the records cover (their earliest and latest dates, as written) and the UNBIS subjects used."""

    start: Literal | None
    end: Literal | None
    subjects: tuple[URIRef, ...]


def data_coverage(store: ox.Store, base_iri: str) -> Coverage:
    """The earliest and latest dates the records give, and the UNBIS subjects of the published resources."""
    predicates = sorted({str(f.predicate) for k in KINDS for f in k.fields
                         if f.type in DATE_TYPES and f.predicate is not None})
    values = " ".join(f"<{p}>" for p in predicates)
    dates = sorted((row["d"].value, row["d"].datatype.value) for row in store.query(
        f"SELECT DISTINCT ?d WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?d "
        f"FILTER (isLiteral(?d) && STRSTARTS(STR(?s), {ox.Literal(base_iri)})) }}", default_graph=DEFAULT_GRAPH))
    subjects = tuple(sorted(URIRef(row["t"].value) for row in store.query(
        "SELECT DISTINCT ?t WHERE { ?s <http://purl.org/dc/terms/subject> ?t "
        f"FILTER (STRSTARTS(STR(?t), {ox.Literal(UNBIS)})) }}", default_graph=DEFAULT_GRAPH)))
    if not dates:
        return Coverage(None, None, subjects)
    (first, first_type), (last, last_type) = dates[0], dates[-1]
    return Coverage(Literal(first, datatype=URIRef(first_type)), Literal(last, datatype=URIRef(last_type)), subjects)


def _terms() -> Graph:
    return parse_turtle_files([catalogue_dir() / TERMS_FILE])


def describe_catalogue(base_iri: str, metadata: DatasetMetadata, files: dict[str, Path], digests: dict[str, str],
                       coverage: Coverage, versions: Sequence[dict] = ()) -> Graph:
    """The DCAT-AP catalogue: the catalogue, the dataset, a distribution per dump, the publisher, the contact
    point, the period covered, the descriptions of the EU and IANA terms they use, and the releases of the
    publication (`versions`: their release.json, oldest first) as versions of the dataset."""
    catalog, dataset = URIRef(base_iri + "catalog"), URIRef(base_iri + "dataset")
    graph = Graph()
    add = graph.add
    licence = URIRef(metadata.license)
    add((licence, RDF.type, DCTERMS.LicenseDocument))  # what dataset.yaml names as the licence is one
    publisher = URIRef(metadata.publisher_iri(base_iri))
    service = URIRef(base_iri + "dataset/service/sparql")
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, RDF.type, FOAF.Organization))
    add((publisher, FOAF.name, Literal(metadata.publisher.name)))
    if metadata.publisher.homepage:
        add((publisher, FOAF.homepage, _document(graph, metadata.publisher.homepage)))

    add((catalog, RDF.type, DCAT.Catalog))
    add((catalog, DCTERMS.title, Literal(f"Catalogue of {metadata.title}", lang="en")))
    add((catalog, DCTERMS.description, Literal(f"The datasets of {metadata.publisher.name}: {metadata.description}",
                                               lang="en")))
    add((catalog, DCTERMS.publisher, publisher))
    add((catalog, DCAT.dataset, dataset))
    add((catalog, FOAF.homepage, _document(graph, base_iri)))
    add((catalog, DCTERMS.license, licence))
    add((catalog, DCAT.themeTaxonomy, URIRef(EU_DATA_THEMES)))

    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal(metadata.title, lang="en")))
    add((dataset, DCTERMS.description, Literal(metadata.description, lang="en")))
    add((dataset, DCTERMS.publisher, publisher))
    add((dataset, DCTERMS.license, licence))
    add((dataset, DCAT3.version, Literal(metadata.version)))
    add((dataset, OWL.versionInfo, Literal(metadata.version)))
    add((dataset, DCAT.landingPage, _document(graph, base_iri)))
    for keyword in metadata.keywords:
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for theme in metadata.themes:
        add((dataset, DCAT.theme, URIRef(theme)))
    for subject in coverage.subjects:
        add((dataset, DCTERMS.subject, subject))
    for node in (catalog, dataset):
        add((node, DCTERMS.language, ENGLISH))
        if metadata.spatial:
            add((node, DCTERMS.spatial, URIRef(metadata.spatial)))
    if metadata.spatial:
        add((URIRef(metadata.spatial), RDF.type, DCTERMS.Location))
    if metadata.issued:
        for node in (catalog, dataset):
            add((node, DCTERMS.issued, Literal(metadata.issued, datatype=XSD.date)))
    if metadata.modified:
        for node in (catalog, dataset):
            add((node, DCTERMS.modified, Literal(metadata.modified, datatype=XSD.dateTime)))
    if metadata.contact:
        contact = URIRef(base_iri + "dataset/contact")
        add((dataset, DCAT.contactPoint, contact))
        add((service, DCAT.contactPoint, contact))
        add((contact, RDF.type, VCARD.Kind))
        add((contact, RDF.type, VCARD.Organization))
        add((contact, VCARD.fn, Literal(metadata.contact.name)))
        if metadata.contact.email:
            add((contact, VCARD.hasEmail, URIRef("mailto:" + metadata.contact.email)))
        if metadata.contact.url:
            add((contact, VCARD.hasURL, URIRef(metadata.contact.url)))
    if coverage.start is not None:
        period = URIRef(base_iri + "dataset/temporal")
        add((dataset, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, coverage.start))
        add((period, DCAT.endDate, coverage.end))
    if metadata.data_digest:
        provenance = URIRef(base_iri + "dataset/provenance")
        add((dataset, DCTERMS.provenance, provenance))
        add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
        add((provenance, RDFS.label, Literal(f"Built with migration-lod from the record files of digest "
                                             f"{metadata.data_digest}", lang="en")))

    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal(f"SPARQL endpoint of {metadata.title}", lang="en")))
    add((service, DCAT.endpointURL, URIRef(base_iri + "sparql")))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.publisher, publisher))
    add((service, DCTERMS.license, licence))
    for suffix, media_type in DUMPS.items():
        name = f"{DUMP_NAME}.{suffix}"
        download = URIRef(base_iri + name)
        distribution = URIRef(f"{base_iri}dataset/distribution/{suffix}")
        checksum = URIRef(f"{distribution}#sha256")
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCTERMS.title, Literal(f"{FORMAT_NAMES[suffix]} dump", lang="en")))
        add((distribution, DCTERMS.description, Literal(f"The whole dataset in one {FORMAT_NAMES[suffix]} file, also "
                                                        f"at {name}.gz", lang="en")))
        add((distribution, DCAT.accessURL, download))
        add((distribution, DCAT.downloadURL, download))
        add((distribution, DCAT.accessService, service))
        add((distribution, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + media_type)))
        add((distribution, DCTERMS.format, URIRef(EU_FILE_TYPES + FILE_TYPES[suffix])))
        add((distribution, DCAT.byteSize, Literal(files[suffix].stat().st_size, datatype=XSD.nonNegativeInteger)))
        add((distribution, DCTERMS.license, licence))
        add((distribution, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(digests[name], datatype=XSD.hexBinary)))
    _add_versions(graph, dataset, base_iri, metadata, versions)
    _add_terms(graph)
    return graph


def _add_versions(graph: Graph, dataset: URIRef, base_iri: str, metadata: DatasetMetadata,
                  versions: Sequence[dict]) -> None:
    """Each release as a dataset of its own (BASE/releases/VERSION/dataset, described by its own catalogue),
    a dct:hasVersion of the dataset, chained by dcat:previousVersion."""
    previous = None
    for version in versions:
        name = str(version["version"])
        node = URIRef(f"{base_iri}{RELEASES}/{name}/dataset")
        graph.add((dataset, DCTERMS.hasVersion, node))
        graph.add((node, DCTERMS.isVersionOf, dataset))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.title, Literal(f"{metadata.title}, release {name}", lang="en")))
        graph.add((node, DCTERMS.description, Literal(str(version.get("notes") or f"Release {name} of "
                                                          f"{metadata.title}."), lang="en")))
        graph.add((node, DCAT3.version, Literal(name)))
        graph.add((node, RDFS.seeAlso, URIRef(f"{base_iri}{RELEASES}/{name}/{CATALOGUE_FILE}")))
        if previous is not None:
            graph.add((node, DCAT3.previousVersion, previous))
        previous = node


def _document(graph: Graph, iri: str) -> URIRef:
    """A web page named as a foaf:Document, as DCAT-AP types landing pages and home pages."""
    node = URIRef(iri)
    graph.add((node, RDF.type, FOAF.Document))
    return node


def _add_terms(graph: Graph) -> None:
    """Add what catalogue/terms.ttl says of each term the catalogue names."""
    terms = _terms()
    named = {o for o in graph.objects() if isinstance(o, URIRef)}
    schemes = set()
    for term in named:
        for triple in terms.triples((term, None, None)):
            graph.add(triple)
            if triple[1] == SKOS.inScheme:
                schemes.add(triple[2])
    for scheme in schemes:
        for triple in terms.triples((scheme, None, None)):
            graph.add(triple)


def check_catalogue(graph: Graph) -> list[Problem]:
    """Every result of the vendored DCAT-AP 3.0.1 shapes on the catalogue, as problems (violations and warnings)."""
    from migration_lod.validation.shacl import shacl_validate
    from migration_lod.validation.sources import read_triples

    folder = shapes_dir() / DCAT_AP_DIR
    shapes = [triple for name in DCAT_AP_SHAPES for triple in read_triples(folder / name)]
    for wrong, right in SHAPE_CORRECTIONS:
        shapes = [right if triple == wrong else triple for triple in shapes]
    report = shacl_validate(graph, shapes)
    return [Problem(str(r.messages[0]) if r.messages else f"does not conform to {r.component.split('#')[-1]}",
                    CATALOGUE_FILE, severity=r.severity.split("#")[-1], focus=str(r.focus), field=r.path_text,
                    rule="DCAT-AP 3.0.1") for r in report.results]
