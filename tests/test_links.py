"""Links to the UN's own vocabularies: right offline, exported as SSSOM and described as VoID linksets."""

from __future__ import annotations

import copy

import pytest
import yaml
from rdflib import PROV, RDF, RDFS, Dataset, Graph, Namespace, URIRef

import migration_lod
from migration_lod.links.offline import check_links
from migration_lod.links.sssom import MAPPING_PREDICATES, link_mappings

BASE = "https://w3id.org/migration-lod/"
VOID = Namespace("http://rdfs.org/ns/void#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
KOS = "http://metadata.un.org/sdg/void.ttl#SDG"


def add_practice(data_copy, extra: str) -> None:
    path = data_copy / "practices.yaml"
    path.write_text(path.read_text() + f"""
- id: test-practice
  kind: initiative
  label: A practice linked to target 10.7
  actors: [THA, KHM]
{extra}  sources:
  - document: grcp7-summary-report
    section: test
""")


def test_a_query_joins_a_record_to_the_kos_target_and_m49_regions(data_copy):
    add_practice(data_copy, "  sdg: ['10.7']\n  subjects: ['1003084']\n")
    dataset = migration_lod.build(data_copy)
    rows = {tuple(str(v) for v in row) for row in dataset.graph.query("""
        PREFIX mig: <https://w3id.org/migration-lod/ontology/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?target ?targetLabel ?region ?regionLabel WHERE {
            <https://w3id.org/migration-lod/practice/test-practice> mig:sdgTarget/skos:exactMatch ?target ;
                mig:actor/mig:geoArea/skos:broader+ ?region .
            ?target skos:prefLabel ?targetLabel FILTER (lang(?targetLabel) = "en")
            ?region skos:broader <http://metadata.un.org/sdg/codes/geoArea/001> ;
                    skos:prefLabel ?regionLabel FILTER (lang(?regionLabel) = "en")
        }""")}
    assert rows == {("http://metadata.un.org/sdg/10.7", "Facilitate orderly, safe, regular and responsible migration "
                     "and mobility of people, including through the implementation of planned and well-managed "
                     "migration policies", "http://metadata.un.org/sdg/codes/geoArea/142", "Asia")}
    iri = URIRef(BASE + "practice/test-practice")
    assert (iri, URIRef("http://purl.org/dc/terms/subject"),
            URIRef("http://metadata.un.org/thesaurus/1003084")) in dataset.graph
    assert dataset.validate().conforms


@pytest.mark.parametrize(("extra", "field", "message"), [
    ("  sdg: ['10.99']\n", "sdg", '"10.99" is not a migration-related SDG target or indicator code'),
    ("  subjects: ['999999999']\n", "subjects", '"999999999" is not a UNBIS Thesaurus subject'),
    ("  subjects: ['migration']\n", "subjects", '"migration" is not a UNBIS Thesaurus identifier'),
])
def test_an_unknown_un_code_in_a_record_fails_the_build(data_copy, tmp_path, cli, extra, field, message):
    add_practice(data_copy, extra)
    result = cli("build", "--data", data_copy, "--out", tmp_path / "dist", cwd=data_copy.parent)
    assert result.returncode == 2
    assert "data/practices.yaml:" in result.stderr and f"test-practice · {field} · {message}" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_an_unknown_m49_code_fails_the_build(data_copy, tmp_path, cli):
    add_practice(data_copy, "")
    path = data_copy / "practices.yaml"
    path.write_text(path.read_text().replace("actors: [THA, KHM]", "actors: [THA, QQQ]"))
    result = cli("build", "--data", data_copy, "--out", tmp_path / "dist", cwd=data_copy.parent)
    assert result.returncode == 2
    assert 'test-practice · actors · "QQQ" is not an ISO 3166-1 alpha-3 code' in result.stderr


def test_every_un_link_of_the_vocabulary_is_checked_offline(dataset):
    warnings = [p for p in dataset.validate().warnings if p.rule == "links"]
    assert {p.focus for p in warnings} == {"migsdg:10.7.3", "migsdg:10.7.4"}
    broken = copy.deepcopy(dataset.graph)
    broken.add((URIRef(BASE + "vocab/sdg/10.7"), SKOS.exactMatch, URIRef("http://metadata.un.org/sdg/10.99")))
    broken.add((URIRef(BASE + "state/THA"), URIRef(BASE + "ontology/geoArea"),
                URIRef("http://metadata.un.org/sdg/codes/geoArea/999")))
    problems = [p for p in check_links(broken, dataset.un, dataset.origins) if p.severity == "Violation"]
    assert {(p.focus, p.message.split(" ")[0]) for p in problems} == {
        ("migsdg:10.7", "sdg:10.99"), ("https://w3id.org/migration-lod/state/THA", "m49:999")}


def test_documents_link_to_the_un_symbol_resolver(dataset):
    sameas = URIRef("http://schema.org/sameAs")
    assert (URIRef(BASE + "document/a-res-73-195"), sameas, URIRef("https://undocs.org/A/RES/73/195")) in dataset.graph


def _sssom(path):
    from sssom.parsers import parse_sssom_table

    return parse_sssom_table(str(path))


def test_the_sssom_file_holds_the_mappings_and_says_how_each_was_made(dataset, dist):
    msdf = _sssom(dist / "mappings.sssom.tsv")
    expand = msdf.converter.expand
    rows = {(expand(r.subject_id), expand(r.predicate_id), expand(r.object_id)): r for r in msdf.df.itertuples()}
    mappings = {(str(m.subject), str(m.predicate), str(m.object)) for m in link_mappings(dataset.graph, (BASE,))
                if m.predicate in MAPPING_PREDICATES}
    assert set(rows) == mappings and len(rows) == len(msdf.df) == 42
    assert not any(p == BASE + "ontology/geoArea" for _, p, _ in rows), "a State's area is no mapping"
    areas = [m for m in link_mappings(dataset.graph, (BASE,)) if str(m.predicate) == BASE + "ontology/geoArea"]
    states = set(dataset.graph.subjects(RDF.type, URIRef(BASE + "ontology/State")))
    assert len(areas) == len(states) > 150 and {(m.justification, str(m.object_match_field)) for m in areas} == {
        ("LexicalMatching", "http://metadata.un.org/sdg/codes/geoArea#iso3code")}, "an ISO code looked up in M49"
    how = {key: (r.mapping_justification, float(r.confidence)) for key, r in rows.items()}
    sdg, kos = BASE + "vocab/sdg/", "http://metadata.un.org/sdg/"
    exact, broad = str(SKOS.exactMatch), str(SKOS.broadMatch)
    assert how[(sdg + "10.7.1", exact, kos + "C100701")] == ("semapv:LexicalMatching", 1.0)
    assert rows[(sdg + "10.7.1", exact, kos + "C100701")].match_string == "10.7.1"
    assert how[(sdg + "10.7", broad, kos + "10")] == ("semapv:ManualMappingCuration", 1.0)
    for code, unverified in (("10.7.3", "C100703"), ("10.7.4", "C100704")):
        row = rows[(sdg + code, exact, kos + unverified)]
        assert (row.mapping_justification, float(row.confidence)) == ("semapv:UnspecifiedMatching", 0.5)
        assert row.comment.startswith("Not verified")
    symbol = rows[(BASE + "document/a-res-73-195", "http://schema.org/sameAs", "https://undocs.org/A/RES/73/195")]
    assert (symbol.mapping_justification, symbol.match_string) == ("semapv:LexicalMatching", "A/RES/73/195")
    text = (dist / "mappings.sssom.tsv").read_text()
    header = yaml.safe_load("\n".join(line[2:] for line in text.splitlines() if line.startswith("# ")))
    assert header["mapping_set_id"] == BASE + "mappings.sssom.tsv"
    assert header["creator_id"] == ["mlod:developers"] and header["subject_source"] == BASE + "dataset"
    for key in ("mapping_date", "mapping_set_title", "license", "mapping_set_version"):
        assert header.get(key), key
    assert set(msdf.df["object_source"]) == {KOS, "https://undocs.org/"}


def test_sssom_py_validates_the_published_file(dist):
    from click.testing import CliRunner
    from sssom.cli import main

    result = CliRunner().invoke(main, ["validate", str(dist / "mappings.sssom.tsv")])
    assert result.exit_code == 0, result.output


def test_void_describes_each_linkset_with_void_datasets_as_targets(dataset, dist):
    void = Graph().parse(dist / "void.ttl")
    counts = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        assert (target, RDF.type, VOID.Dataset) in void, target
        verified = void.value(linkset, RDFS.comment) is None
        counts[(str(target), str(void.value(linkset, VOID.linkPredicate)), verified)] = int(
            void.value(linkset, VOID.triples))
    expected = {}
    for m in link_mappings(dataset.graph, (BASE,)):
        key = ({"un-m49": KOS, "un-sdg-kos": KOS, "undocs": "https://undocs.org/"}[m.target], str(m.predicate),
               m.verified)
        expected[key] = expected.get(key, 0) + 1
    assert counts == expected
    # 9 targets and 18 indicators; 10.7.3 and 10.7.4 (pattern-derived, not in the vendored KOS) counted apart.
    assert counts[(KOS, str(SKOS.exactMatch), True)] == 25 and counts[(KOS, str(SKOS.exactMatch), False)] == 2
    assert counts[(KOS, BASE + "ontology/geoArea", True)] == len(set(dataset.graph.subjects(
        RDF.type, URIRef(BASE + "ontology/State"))))


SSSOM = """# curie_map:
#   mlod: https://w3id.org/migration-lod/
#   skos: http://www.w3.org/2004/02/skos/core#
#   ex: https://example.org/vocab/
#   orcid: https://orcid.org/
# mapping_set_id: https://example.org/mappings/1
# creator_id:
#   - orcid:0000-0000-0000-0001
subject_id	predicate_id	object_id	mapping_justification
mlod:iscm/commit	skos:closeMatch	ex:mekong-anti-trafficking	semapv:ManualMappingCuration
mlod:iscm/budapest-process	skos:exactMatch	ex:budapest	semapv:ManualMappingCuration
"""


def test_links_import_adds_an_attributed_graph_that_serve_can_load(dist, tmp_path, cli):
    import pyoxigraph as ox

    from migration_lod.serve.store import load_dumps

    mappings = tmp_path / "partner-mappings.tsv"
    mappings.write_text(SSSOM)
    result = cli("links", "import", mappings, "--dump", dist / "migration-lod.nt", "--out", tmp_path / "imported")
    assert result.returncode == 0, result.stderr
    trig = tmp_path / "imported" / "partner-mappings.trig"
    graph_iri = URIRef(BASE + "graph/imported/partner-mappings")
    data = Dataset().parse(trig, format="trig")
    named = data.graph(graph_iri)
    partner = URIRef("https://example.org/vocab/mekong-anti-trafficking")
    assert (URIRef(BASE + "iscm/commit"), SKOS.closeMatch, partner) in named
    assert (graph_iri, URIRef("http://www.w3.org/ns/prov#wasAttributedTo"),
            URIRef("https://orcid.org/0000-0000-0000-0001")) in named
    assert len(list(data.default_graph)) == 0, "nothing is added to the dataset's own graph"
    load_dumps([dist / "migration-lod.nt", trig], tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    rows = list(store.query(f"SELECT ?s WHERE {{ GRAPH <{graph_iri}> {{ ?s <{SKOS.exactMatch}> ?o }} }}"))
    assert [r["s"].value for r in rows] == [BASE + "iscm/budapest-process"]


def test_links_import_refuses_unknown_subjects_and_unattributed_mappings(dist, tmp_path, cli):
    unknown = tmp_path / "bad.tsv"
    unknown.write_text(SSSOM.replace("mlod:iscm/commit", "mlod:iscm/no-such-process"))
    result = cli("links", "import", unknown, "--dump", dist / "migration-lod.nt", "--out", tmp_path / "imported")
    assert result.returncode == 1
    assert "https://w3id.org/migration-lod/iscm/no-such-process" in result.stderr
    assert not (tmp_path / "imported").exists()
    turtle = tmp_path / "mine.ttl"
    turtle.write_text("<https://w3id.org/migration-lod/iscm/rcm> "
                      "<http://www.w3.org/2004/02/skos/core#closeMatch> <https://example.org/puebla> .\n")
    unattributed = cli("links", "import", turtle, "--dump", dist / "migration-lod.nt", "--out", tmp_path / "imp")
    assert unattributed.returncode == 1 and "--attributed-to" in unattributed.stderr
    attributed = cli("links", "import", turtle, "--dump", dist / "migration-lod.nt", "--out", tmp_path / "imp",
                     "--attributed-to", "https://example.org/partner")
    assert attributed.returncode == 0 and (tmp_path / "imp" / "mine.trig").is_file()


def test_the_link_tools_read_every_dump_the_project_publishes(dist, tmp_path, cli):
    from migration_lod.links.online import external_iris

    expected = external_iris(dist / "migration-lod.nt", (BASE,))
    for name in ("migration-lod.nt.gz", "migration-lod.ttl", "migration-lod.ttl.gz", "migration-lod.jsonld",
                 "migration-lod.jsonld.gz"):
        assert external_iris(dist / name, (BASE,)) == expected, name
    mappings = tmp_path / "partner-mappings.tsv"
    mappings.write_text(SSSOM)
    for name in ("migration-lod.jsonld", "migration-lod.nt.gz"):
        result = cli("links", "import", mappings, "--dump", dist / name, "--out", tmp_path / name)
        assert result.returncode == 0, result.stderr
    # Every link fails through a proxy that is not there: exit 1, no traceback, nothing fetched elsewhere.
    broken = cli("links", "check", "--dump", dist / "migration-lod.jsonld", "--proxy", "http://127.0.0.1:9",
                 "--retries", "0", "--timeout", "1", "--interval", "0", "--concurrency", "16", "--per-host", "16",
                 "--json")
    assert broken.returncode == 1, broken.stderr


def test_sssom_import_reads_negation_and_the_standard_prefixes(dist, tmp_path, cli):
    table = tmp_path / "negated.tsv"
    table.write_text("# curie_map:\n#   mlod: https://w3id.org/migration-lod/\n#   ex: https://example.org/vocab/\n"
                     "# mapping_set_id: https://example.org/mappings/2\n# license: https://example.org/licence\n"
                     "# creator_id:\n#   - https://example.org/partner\n"
                     "subject_id\tpredicate_id\tpredicate_modifier\tobject_id\tmapping_justification\n"
                     "mlod:iscm/commit\tskos:exactMatch\tNot\tex:not-commit\tsemapv:ManualMappingCuration\n"
                     "mlod:iscm/commit\tskos:closeMatch\t\tex:commit\tsemapv:ManualMappingCuration\n")
    result = cli("links", "import", table, "--dump", dist / "migration-lod.nt", "--out", tmp_path / "imported")
    assert result.returncode == 0, result.stderr
    data = Dataset().parse(tmp_path / "imported" / "negated.trig", format="trig")
    links = {(str(s), str(p), str(o)) for s, p, o, _ in data.quads((None, None, None, None))
             if str(o).startswith("https://example.org/vocab/")}
    assert links == {(BASE + "iscm/commit", str(SKOS.closeMatch), "https://example.org/vocab/commit")}


def test_the_projects_own_mapping_set_imports_back(dataset, dist, tmp_path, cli):
    result = cli("links", "import", dist / "mappings.sssom.tsv", "--dump", dist / "migration-lod.nt",
                 "--out", tmp_path / "imported")
    assert result.returncode == 0, result.stderr
    data = Dataset().parse(tmp_path / "imported" / "mappings.sssom.trig", format="trig")
    graph = data.graph(URIRef(BASE + "graph/imported/mappings.sssom"))
    imported = {(s, p, o) for s, p, o in graph if p != PROV.wasAttributedTo and s != graph.identifier}
    assert imported == {(m.subject, m.predicate, m.object) for m in link_mappings(dataset.graph, (BASE,))
                        if m.predicate in MAPPING_PREDICATES}
    assert (graph.identifier, PROV.wasAttributedTo, URIRef(BASE + "developers")) in graph


def test_the_hub_pages_of_the_objectives_are_checked_like_every_external_link(dist):
    from migration_lod.links.online import external_iris

    checked = external_iris(dist / "migration-lod.nt", (BASE,))
    for number in range(1, 24):
        page = f"https://migrationnetwork.un.org/taxonomy/term/{278 + number}"
        assert checked[page] == [f"{BASE}vocab/gcm-objectives/{number}"], number
