"""What data catalogues read: the DCAT-AP catalogue, checked with the EU's own shapes; VoID that adds up; the
attribution the republished UN content asks for."""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox
import pytest
from rdflib import DCTERMS, RDF, Graph, Literal, Namespace, URIRef

from migration_lod.publish.catalogue import DCAT_AP_DIR, DCAT_AP_SHAPES, SHAPE_CORRECTIONS, check_catalogue
from migration_lod.rdf.sources import un_citation
from migration_lod.resources import shapes_dir

from .conftest import DATA, ROOT

BASE = "https://w3id.org/migration-lod/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET, CATALOG = URIRef(BASE + "dataset"), URIRef(BASE + "catalog")
UN_SUBSET = URIRef(BASE + "dataset/un-sdg-kos")


@pytest.fixture(scope="module")
def catalogue(dist):
    return Graph().parse(dist / "catalog.ttl")


def _pyshacl(graph):
    """The vendored DCAT-AP shapes run by pyshacl, apart from the project's engine."""
    import pyshacl

    shapes = Graph()
    for name in DCAT_AP_SHAPES:
        shapes.parse(shapes_dir() / DCAT_AP_DIR / name)
    def rdflib_triple(triple):
        return tuple(URIRef(t.value) if isinstance(t, ox.NamedNode) else Literal(t.value) for t in triple)

    for wrong, right in SHAPE_CORRECTIONS:
        assert rdflib_triple(wrong) in shapes, "the correction names a triple the vendored shapes hold"
        shapes.remove(rdflib_triple(wrong))
        shapes.add(rdflib_triple(right))
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    return [(report.value(r, sh.focusNode), report.value(r, sh.resultPath), report.value(r, sh.resultSeverity))
            for r in report.objects(None, sh.result)]  # not the sh:detail results nested in them


def test_the_catalogue_conforms_to_dcat_ap(catalogue):
    results = _pyshacl(catalogue)
    assert not [r for r in results if r[2].endswith("Violation")]
    problems = check_catalogue(catalogue)
    assert not [p for p in problems if p.severity == "Violation"]
    assert len(problems) == len(results), "the build lists every warning pyshacl gives"


@pytest.mark.parametrize(("node", "predicate"), [
    (CATALOG, DCTERMS.title), (CATALOG, DCTERMS.publisher), (DATASET, DCTERMS.description),
    (URIRef(BASE + "dataset/distribution/ttl"), DCAT.accessURL), (URIRef(BASE + "developers"), URIRef(
        "http://xmlns.com/foaf/0.1/name"))])
def test_a_catalogue_without_a_mandatory_property_fails(catalogue, node, predicate):
    broken = Graph()
    for triple in catalogue:
        if triple[:2] != (node, predicate):
            broken.add(triple)
    assert len(broken) < len(catalogue)
    violations = [p for p in check_catalogue(broken) if p.severity == "Violation"]
    assert [(p.focus, p.field) for p in violations] == [(str(node), f"<{predicate}>")]
    assert (node, URIRef(str(predicate)), URIRef("http://www.w3.org/ns/shacl#Violation")) in {
        (f, p, s) for f, p, s in _pyshacl(broken)}


def test_each_dump_is_a_distribution_with_its_size_checksum_and_types(catalogue, dist):
    sums = dict(reversed(line.split("  ")) for line in (dist / "SHA256SUMS").read_text().splitlines())
    types = {"ttl": ("text/turtle", "RDF_TURTLE"), "nt": ("application/n-triples", "RDF_N_TRIPLES"),
             "jsonld": ("application/ld+json", "JSON_LD")}
    distributions = set(catalogue.objects(DATASET, DCAT.distribution))
    assert len(distributions) == 3
    for node in distributions:
        download = catalogue.value(node, DCAT.downloadURL)
        name = str(download).removeprefix(BASE)
        path = dist / name
        assert catalogue.value(node, DCAT.accessURL) == download
        size = catalogue.value(node, DCAT.byteSize)
        assert size.datatype == URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
        assert int(size) == path.stat().st_size
        checksum = catalogue.value(node, SPDX.checksum)
        assert catalogue.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalogue.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest() \
            == sums[name]
        media, file_type = types[name.rsplit(".", 1)[1]]
        assert catalogue.value(node, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/" + media)
        assert catalogue.value(node, DCTERMS.format) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/" + file_type)
        assert catalogue.value(node, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_the_dataset_says_who_publishes_it_what_it_covers_and_when(catalogue, dataset):
    publisher = catalogue.value(DATASET, DCTERMS.publisher)
    assert publisher == URIRef(BASE + "developers")
    assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in catalogue
    contact = catalogue.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Kind")) in catalogue
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/INTR") in set(
        catalogue.objects(DATASET, DCAT.theme))
    assert catalogue.value(DATASET, DCTERMS.spatial) == URIRef("http://metadata.un.org/sdg/codes/geoArea/001")
    assert str(catalogue.value(DATASET, DCTERMS.issued)) == "2026-11-23"
    assert {str(k) for k in catalogue.objects(DATASET, DCAT.keyword)} >= {"SDG target 10.7"}
    period = catalogue.value(DATASET, DCTERMS.temporal)
    years = sorted(str(o)[:4] for p in ("yearEstablished",) for o in dataset.graph.objects(
        None, URIRef(BASE + "ontology/" + p)))
    assert str(catalogue.value(period, DCAT.startDate))[:4] <= years[0]
    assert catalogue.value(period, DCAT.endDate) is not None
    # the UNBIS subjects the published UN concepts carry, as the KOS assigns them
    unbis = {o for o in dataset.graph.objects(None, DCTERMS.subject) if str(o).startswith(
        "http://metadata.un.org/thesaurus/")}
    assert set(catalogue.objects(DATASET, DCTERMS.subject)) == unbis and unbis


def test_a_theme_the_profile_does_not_know_stops_the_build(data_copy, tmp_path, cli):
    metadata = data_copy / "dataset.yaml"
    metadata.write_text(metadata.read_text().replace(
        "  - http://publications.europa.eu/resource/authority/data-theme/SOCI",
        "  - https://example.org/themes/migration"))
    result = cli("build", "--data", data_copy, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "catalog.ttl https://w3id.org/migration-lod/dataset · <http://www.w3.org/ns/dcat#theme>" in result.stderr
    assert "not published" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "field", "message"), [
    ("publisher: 42\n", "publisher", "expected a name, or a mapping of name, iri, homepage"),
    ("publisher:\n  homepage: https://example.org/\n", "publisher", "name is missing"),
    ("contact:\n  name: Desk\n  email: not-an-address\n", "contact", 'email: expected an e-mail address'),
    ("themes: http://publications.europa.eu/resource/authority/data-theme/INTR\n", "themes", "expected a list"),
    ("issued: 23 November 2026\n", "issued", "expected a date YYYY-MM-DD"),
    ("spatial: World\n", "spatial", 'expected an http(s) IRI, not "World"'),
])
def test_a_bad_dataset_description_names_the_field(data_copy, tmp_path, cli, text, field, message):
    metadata = data_copy / "dataset.yaml"
    kept = metadata.read_text().splitlines(keepends=True)
    lines, skipping = [], False
    key = text.split(":", 1)[0]
    for line in kept:  # drop the field (and its indented block) to write it anew
        if line.startswith(key + ":"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        lines.append(line)
    metadata.write_text("".join(lines) + text)
    result = cli("build", "--data", data_copy, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert re.search(rf"dataset\.yaml(:\d+)? · {field} · .*{re.escape(message)}", result.stderr), result.stderr


def test_a_publisher_given_by_name_gets_an_iri_under_the_base(data_copy, tmp_path, cli):
    metadata = data_copy / "dataset.yaml"
    text = metadata.read_text()
    start = text.index("publisher:")
    end = text.index("# No e-mail")
    metadata.write_text(text[:start] + "publisher: A ministry\n" + text[end:])
    assert cli("build", "--data", data_copy, "--out", tmp_path / "out").returncode == 0
    catalogue = Graph().parse(tmp_path / "out" / "catalog.ttl")
    assert str(catalogue.value(URIRef(BASE + "publisher"), URIRef("http://xmlns.com/foaf/0.1/name"))) == "A ministry"


def test_void_counts_equal_sparql_counts_class_by_class(dist):
    void = Graph().parse(dist / "void.ttl")
    store = ox.Store()
    store.bulk_load(path=str(dist / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)

    def sparql(space):
        return {row["c"].value: int(row["n"].value) for row in store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
            f"FILTER STRSTARTS(STR(?s), '{space}') }} GROUP BY ?c")}

    for node, space in ((DATASET, BASE), (UN_SUBSET, "http://metadata.un.org/sdg/")):
        assert str(void.value(node, VOID.uriSpace)) == space
        partitions = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
                      for p in void.objects(node, VOID.classPartition)}
        assert partitions == sparql(space) and partitions
        entities = next(iter(store.query(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), '{space}') }}")))
        assert int(void.value(node, VOID.entities)) == int(entities["n"].value)
    total = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    assert int(void.value(DATASET, VOID.triples)) == int(total["n"].value)


def test_void_lists_every_vocabulary_the_dump_uses(dist):
    void = Graph().parse(dist / "void.ttl")
    listed = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    store = ox.Store()
    store.bulk_load(path=str(dist / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)
    for row in store.query("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }"):
        assert any(row["t"].value.startswith(v) for v in listed), row["t"].value
    assert "http://metadata.un.org/sdg/codes/geoArea#" in listed


def test_the_un_content_is_a_subset_with_its_source_and_citation(dist):
    void = Graph().parse(dist / "void.ttl")
    kos = URIRef("http://metadata.un.org/sdg/void.ttl#SDG")
    assert UN_SUBSET in set(void.objects(DATASET, VOID.subset))
    assert void.value(UN_SUBSET, DCTERMS.source) == kos and (kos, RDF.type, VOID.Dataset) in void
    citation = str(void.value(UN_SUBSET, DCTERMS.bibliographicCitation))
    assert citation == un_citation() and citation.startswith("Amit Joshi, Luis Gonzalez Morales")
    assert "citation" in str(void.value(UN_SUBSET, DCTERMS.rights))
    readme = " ".join((ROOT / "README.md").read_text().replace("> ", "").split())
    assert citation in readme


def test_the_pages_carry_the_citation_of_the_un_content():
    from migration_lod.serve.pages import document

    assert un_citation() in " ".join(document("t", "").split()).replace("&amp;", "&")


def test_the_project_data_description_reads():
    from migration_lod.records.metadata import load_metadata

    metadata = load_metadata(DATA)
    assert metadata.publisher.iri == BASE + "developers" and metadata.contact and metadata.themes
