"""Building data/ into dist/: the dumps, their metadata, determinism, and the questions the graph answers."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from copy import deepcopy
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import DCTERMS, RDF, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

import migration_lod
from migration_lod.rdf.namespaces import MIG
from migration_lod.records.parsers import parse_document

from .conftest import DATA, folder_bytes, published_files

GOLDEN = Path(__file__).parent / "golden" / "SHA256SUMS"

DUMPS = ("migration-lod.ttl", "migration-lod.jsonld", "migration-lod.nt")
BASE = "https://w3id.org/migration-lod/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
VOID = Namespace("http://rdfs.org/ns/void#")


def parse(path):
    if path.suffix == ".jsonld":
        return migration_lod.read_jsonld(path)
    return Graph().parse(path, format={".ttl": "turtle", ".nt": "nt"}[path.suffix])


def select(graph, query):
    return sorted(tuple(str(v) for v in row) for row in graph.query(query))


def test_the_three_dumps_hold_the_same_graph(dataset, dist):
    graphs = [parse(dist / name) for name in DUMPS]
    assert len(graphs[0]) == len(dataset.graph) > 5000
    for other in graphs[1:]:
        assert isomorphic(graphs[0], other)
    assert isomorphic(graphs[0], dataset.graph)


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_two_builds_are_byte_identical(dist, tmp_path, hash_seed):
    """Also in another process with another string-hash seed: no set or dict order leaks into the dumps."""
    subprocess.run([sys.executable, "-m", "migration_lod", "build", "--data", str(DATA), "--out",
                    str(tmp_path / "again"), "--quiet"], check=True, timeout=300,
                   env={**os.environ, "PYTHONHASHSEED": hash_seed})
    assert sorted(p.name for p in dist.iterdir()) == sorted(p.name for p in (tmp_path / "again").iterdir())
    names = sorted(p.name for p in dist.iterdir() if p.is_file())  # the query store is RocksDB's, not ours
    for name in names:
        assert (dist / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_the_project_data_publishes_the_recorded_bytes(dist):
    """A change of structure keeps every published byte (tests/golden/README.md says how a deliberate change
    of the data or the output records the new ones)."""
    recorded = dict(reversed(line.split("  ")) for line in GOLDEN.read_text().splitlines())
    published = {name: hashlib.sha256((dist / name).read_bytes()).hexdigest() for name in recorded}
    assert published == recorded


def test_checksums_cover_every_file(dist):
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    # Every file but the checksums themselves and the marker that says whose the folder is; the query store
    # (store/) is not a published file.
    assert set(listed) == {p.name for p in dist.iterdir()} - {"SHA256SUMS", ".migration-lod", "store"}
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


def test_the_query_store_holds_the_graph_of_the_dumps_and_can_be_left_out(dist, tmp_path, cli):
    import pyoxigraph as ox

    stored = set(ox.Store.read_only(str(dist / "store" / "oxigraph")))
    assert stored == {ox.Quad(*t) for t in ox.parse(path=str(dist / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)}
    described = json.loads((dist / "store" / "store.json").read_text())
    assert set(described["dumps"]) == {f"migration-lod.{s}{gz}" for s in ("ttl", "nt", "jsonld") for gz in ("", ".gz")}
    out = tmp_path / "dist"
    assert cli("build", "--data", DATA, "--out", out, "--no-query-store", "--quiet").returncode == 0
    assert not (out / "store").exists() and (out / "migration-lod.nt").read_bytes() == (
        dist / "migration-lod.nt").read_bytes()


def test_context_is_generated_from_the_ontology(dist, dataset):
    context = json.loads((dist / "context.jsonld").read_text())["@context"]
    assert context["mig"] == str(MIG)
    assert context["gcmObjective"] == {"@id": "mig:gcmObjective", "@type": "@id"}
    assert context["yearEstablished"] == {"@id": "mig:yearEstablished", "@type": "xsd:gYear"}
    assert context["RegionalConsultativeProcess"] == "mig:RegionalConsultativeProcess"
    document = json.loads((dist / "migration-lod.jsonld").read_text())
    assert document["@context"] == BASE + "context.jsonld"


def test_void_describes_the_dataset(dist, dataset):
    void = Graph().parse(dist / "void.ttl")
    ds = URIRef(BASE + "dataset")
    assert (ds, RDF.type, VOID.Dataset) in void
    assert (URIRef(BASE + "catalog"), DCAT.dataset, ds) in void, "VoID names the catalogue it is in"
    assert int(void.value(ds, VOID.triples)) == len(dataset.graph)
    subjects = set(dataset.graph.subjects())
    assert int(void.value(ds, VOID.distinctSubjects)) == len(subjects)
    assert int(void.value(ds, VOID.entities)) == sum(1 for s in subjects if str(s).startswith(BASE)) > 800
    assert str(void.value(ds, URIRef("http://purl.org/dc/terms/license"))) == \
        "https://creativecommons.org/licenses/by/4.0/"
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
                  for p in void.objects(ds, VOID.classPartition)}
    assert partitions[MIG.RegionalConsultativeProcess] == len(
        set(dataset.graph.subjects(RDF.type, MIG.RegionalConsultativeProcess)))
    assert URIRef("http://www.w3.org/2004/02/skos/core#") in set(void.objects(ds, VOID.vocabulary))
    downloads = {str(d) for d in void.objects(ds, VOID.dataDump)}
    assert downloads == {BASE + name for name in DUMPS}


def test_every_class_of_the_ontology_has_instances(dataset):
    for cls in (MIG.RegionalConsultativeProcess, MIG.InterRegionalForum, MIG.GlobalProcess, MIG.State,
                MIG.Initiative, MIG.Agreement, MIG.Declaration, MIG.ActionPlan, MIG.Strategy, MIG.Meeting,
                MIG.Conference, MIG.UNResolution, MIG.Report, MIG.NewsArticle, MIG.PressRelease, MIG.WebPage):
        assert (None, RDF.type, cls) in dataset.graph, cls


def test_every_iscm_of_the_reference_is_published_as_what_it_is(dataset, reference):
    classes = {"rcp": MIG.RegionalConsultativeProcess, "irf": MIG.InterRegionalForum,
               "global_process": MIG.GlobalProcess}
    for entry in reference["iscms"]["iscms"]:
        kind = entry["iscm_type"]["value"]
        if kind:
            assert (URIRef(BASE + "iscm/" + entry["id"]), RDF.type, classes[kind]) in dataset.graph, entry["id"]
    assert (URIRef(BASE + "practice/joint-valletta-action-plan"), RDF.type, MIG.ActionPlan) in dataset.graph
    for untyped in ("afml", "acmw"):
        iri = URIRef(BASE + "organisation/" + untyped)
        assert (iri, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")) in dataset.graph
        assert (iri, RDF.type, MIG.ISCM) not in dataset.graph


def test_sparql_which_iscms_are_regional_consultative_processes(dist, reference):
    store = ox.Store()
    store.load(path=str(dist / "migration-lod.nt"), format=ox.RdfFormat.N_TRIPLES)
    rows = store.query("""
        PREFIX mig: <https://w3id.org/migration-lod/ontology/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?iscm WHERE { ?iscm mig:iscmType ?type . ?type mig:correspondingClass mig:RegionalConsultativeProcess }
    """)
    found = {row["iscm"].value.rsplit("/", 1)[1] for row in rows}
    expected = {e["id"] for e in reference["iscms"]["iscms"] if e["iscm_type"]["value"] == "rcp"}
    assert found == expected and len(found) == 14


def test_sparql_which_elements_belong_to_the_smuggling_and_trafficking_cluster(dataset, reference):
    rows = select(dataset.graph, """
        PREFIX mig: <https://w3id.org/migration-lod/ontology/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?letter WHERE {
            ?cluster skos:inScheme <https://w3id.org/migration-lod/vocab/gcm-clusters> ;
                     skos:prefLabel ?label .
            FILTER (CONTAINS(LCASE(STR(?label)), "smuggling") && CONTAINS(LCASE(STR(?label)), "trafficking"))
            ?element mig:inCluster ?cluster ; skos:notation ?letter .
        }
    """)
    theme = next(t for t in reference["gcm-themes"]["themes"] if "Smuggling" in t["label"])
    assert [r[0] for r in rows] == sorted(theme["elements"]) == ["k", "l"]


def test_sparql_which_un_sdg_kos_iri_target_10_7_matches(dataset):
    rows = select(dataset.graph, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?kos WHERE { ?t skos:notation "10.7" ; skos:exactMatch ?kos }
    """)
    assert rows == [("http://metadata.un.org/sdg/10.7",)]


def test_members_are_states_linked_to_m49_areas_through_memberships(dataset):
    rows = select(dataset.graph, """
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX mig: <https://w3id.org/migration-lod/ontology/>
        SELECT ?iscm ?area WHERE {
            ?m a org:Membership ; org:organization ?iscm ; org:member ?state .
            ?state mig:geoArea ?area ; <http://purl.org/dc/terms/identifier> "THA" .
        }
    """)
    assert ("https://w3id.org/migration-lod/iscm/commit", "http://metadata.un.org/sdg/codes/geoArea/764") in rows
    region = select(dataset.graph, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?label WHERE { <http://metadata.un.org/sdg/codes/geoArea/764> skos:broader ?r .
                              ?r skos:broader <http://metadata.un.org/sdg/codes/geoArea/142> ;
                                 skos:prefLabel ?label FILTER (lang(?label) = "en") }
    """)
    assert region == [("South-eastern Asia",)]


def test_every_record_has_its_source_with_a_section(dataset):
    rows = select(dataset.graph, """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?record WHERE {
            ?record prov:qualifiedDerivation ?d .
            FILTER NOT EXISTS { ?d prov:entity ?doc }
        }
    """)
    assert rows == []
    for record in dataset.records:
        iri = URIRef(f"{BASE}{record.kind.path}/{record.id}")
        assert (iri, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in dataset.graph, record.id


def test_the_base_iri_is_configurable_and_ids_are_stable(data_copy, tmp_path, cli):
    result = cli("build", "--data", data_copy, "--out", tmp_path / "dist", "--base-iri", "http://example.org/m/",
                 "--quiet")
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(tmp_path / "dist" / "migration-lod.nt", format="nt")
    assert (URIRef("http://example.org/m/iscm/budapest-process"), RDF.type, MIG.InterRegionalForum) in graph
    path = data_copy / "iscms.yaml"
    path.write_text(path.read_text().replace("label: Budapest Process", "label: Budapest Process (renamed)"))
    assert cli("build", "--data", data_copy, "--out", tmp_path / "dist", "--base-iri", "http://example.org/m/",
               "-q").returncode == 0
    graph = Graph().parse(tmp_path / "dist" / "migration-lod.nt", format="nt")
    assert (URIRef("http://example.org/m/iscm/budapest-process"), RDF.type, MIG.InterRegionalForum) in graph


def test_a_bad_base_iri_is_a_usage_error(tmp_path, cli):
    result = cli("build", "--data", DATA, "--out", tmp_path / "dist", "--base-iri", "not an iri")
    assert result.returncode == 2
    assert "--base-iri" in result.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_records_round_trip_through_csv_and_json(fmt, dataset, tmp_path, cli):
    result = cli("export", "--data", DATA, "--out", tmp_path / "exported", "--format", fmt)
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "exported").glob(f"*.{fmt}"))
    assert files == [f"{k}.{fmt}" for k in ("documents", "events", "iscms", "organisations", "practices",
                                            "recommendations")]
    again = migration_lod.build(tmp_path / "exported")
    assert isomorphic(again.graph, dataset.graph)


SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(records=st.lists(st.dictionaries(st.text(max_size=6), VALUES, max_size=4), max_size=4),
       flow=st.booleans(), shared=st.booleans())
def test_yaml_files_are_read_as_pyyaml_reads_them(tmp_path_factory, records, flow, shared):
    """Read in one pass of libyaml's events: the values PyYAML's safe loader gives (a record given twice is
    written once with an anchor, then as an alias)."""
    text = yaml.safe_dump(records + records[:1] if shared else records, default_flow_style=flow,
                          allow_unicode=True)
    path = tmp_path_factory.mktemp("yaml") / "records.yaml"
    path.write_text(text, encoding="utf-8")
    assert parse_document(path, "records.yaml") == yaml.load(text, Loader=yaml.CSafeLoader)


def test_yaml_anchors_tags_and_merge_keys_are_read_with_their_lines(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("- &first {id: a, label: A}\n- id: b\n  label: !!str 12\n  same: *first\n  year: 1996\n"
                    "- common: &common {kind: initiative, date: '2019'}\n- <<: *common\n  id: c\n")
    first, second, _, merged = parse_document(path, "records.yaml")
    assert second == {"id": "b", "label": "12", "same": first, "year": 1996} and second["same"] is first
    assert (second.line, second.key_lines) == (2, {"id": 2, "label": 3, "same": 4, "year": 5})
    assert merged == {"kind": "initiative", "date": "2019", "id": "c"} and merged.key_lines["id"] == 8


def test_csv_cells_with_other_languages_and_lists_are_read(data_copy):
    (data_copy / "recommendations.yaml").unlink()
    (data_copy / "recommendations.csv").write_text(
        "id,kind,number,label,label@fr,alt_labels,alt_labels@fr,report,elements,sources.1.document,sources.1.section\n"
        "grcp7-priority-1,priority,1,Uphold human rights,Respecter les droits,Human rights|Rights,Droits,"
        "grcp7-summary-report,i|o,grcp7-summary-report,3.1\n")
    dataset = migration_lod.build(data_copy)
    iri = URIRef(BASE + "recommendation/grcp7-priority-1")
    labels = {(str(o), o.language) for o in dataset.graph.objects(iri, SKOS_PREF)}
    assert labels == {("Uphold human rights", "en"), ("Respecter les droits", "fr")}
    alts = {(str(o), o.language) for o in dataset.graph.objects(iri, SKOS_ALT)}
    assert alts == {("Human rights", "en"), ("Rights", "en"), ("Droits", "fr")}
    assert len(set(dataset.graph.objects(iri, MIG.gcmElement))) == 2


def test_a_failure_while_writing_leaves_the_previous_publication(dataset, dist, tmp_path, monkeypatch):
    import migration_lod.publish.dumps as publish_module

    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    before = folder_bytes(out)

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(publish_module, "write_jsonld", disk_full)
    with pytest.raises(migration_lod.InputError, match="No space left"):
        dataset.publish(out)
    assert folder_bytes(out) == before, "the query store (store/) too"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"], "a staging folder was left behind"


def test_the_graph_behaves_as_an_rdflib_graph(dataset):
    """The graph lives in a pyoxigraph store; rdflib users still get rdflib's terms, lengths and copies."""
    budapest = URIRef(BASE + "iscm/budapest-process")
    label = Literal("Budapest Process", lang="en")
    document = URIRef(BASE + "document/a-res-73-195")
    symbol = next(dataset.graph.objects(document, DCTERMS.identifier))
    assert symbol == Literal("A/RES/73/195") and symbol.datatype is None
    assert (budapest, SKOS.prefLabel, label) in dataset.graph
    rows = list(dataset.graph.query(f"SELECT ?symbol WHERE {{ <{document}> <{DCTERMS.identifier}> ?symbol }}"))
    assert rows[0][0] == Literal("A/RES/73/195")
    built = dataset.graph.query(f"CONSTRUCT {{ <{document}> <{DCTERMS.identifier}> ?o }} "
                                f"WHERE {{ <{document}> <{DCTERMS.identifier}> ?o }}").graph
    assert (document, DCTERMS.identifier, Literal("A/RES/73/195")) in set(built)
    assert len(dataset.graph) == sum(1 for _ in dataset.graph)
    copy = deepcopy(dataset.graph)
    copy.remove((budapest, None, None))
    assert (budapest, SKOS.prefLabel, label) in dataset.graph and (budapest, None, None) not in copy


def test_the_dumps_keep_every_literal_as_the_records_wrote_it(dist):
    from migration_lod.records.load import load_records

    # The store rewrites some literals into a canonical form ("03"^^xsd:integer into "3"); what a record
    # says (texts, dates, years, symbols, counts as the loader reads them) must reach the dump unchanged.
    dumped = {(q.object.value, q.object.language) for q in ox.parse(path=str(dist / "migration-lod.nt"),
                                                                    format=ox.RdfFormat.N_TRIPLES)
              if isinstance(q.object, ox.Literal)}
    written = set()
    for record in load_records(DATA):
        for spec in record.kind.fields:
            values = record.values.get(spec.name)
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                if spec.type == "text":
                    written |= {(text, language) for language, text in value.items()}
                elif spec.type in ("date", "year", "when", "count", "symbol"):
                    written.add((value, None))
    assert written and written <= dumped


def test_dumps_are_sorted_with_or_without_the_system_sort(tmp_path, monkeypatch):
    """The system's `sort` where there is one, Python's where there is none: the same bytes."""
    dataset = migration_lod.build(DATA)
    with_sort = published_files(dataset, tmp_path / "with")
    lines = with_sort["migration-lod.nt"].splitlines(keepends=True)
    assert lines == sorted(lines)
    from migration_lod.rdf import sorted_lines

    monkeypatch.setattr(sorted_lines, "SORT", "no-such-sort-command")
    assert shutil.which(sorted_lines.SORT) is None
    assert published_files(dataset, tmp_path / "without") == with_sort


def test_a_failing_sort_leaves_the_publication_as_it_was(dist, tmp_path, monkeypatch):
    """`sort` out of space for its temporary files: exit 2 with its reason, the publication untouched."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sort").write_text("#!/bin/sh\ncat > /dev/null\necho 'sort: write failed: No space left on device' >&2\n"
                               "exit 2\n")
    (fake / "sort").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    before = folder_bytes(out)
    with pytest.raises(migration_lod.InputError, match="No space left on device"):
        migration_lod.build(DATA).publish(out)
    assert folder_bytes(out) == before
