"""The SPARQL endpoint and the Linked Data pages, over real HTTP against a server the tests start."""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from rdflib import Graph, URIRef

from .conftest import JSON_RESULTS, ROOT, Server, cpu_ticks, eventually

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIME_LIMIT = 3


@pytest.fixture(scope="module")
def server(dist):
    running = Server(dist / "migration-lod.nt", options=("--timeout", str(TIME_LIMIT), "--workers", "2",
                                                          "--max-result-bytes", "200000"))
    yield running
    running.stop()


def count(server, client: str | None = None) -> int:
    response = server.query(COUNT, client=client)
    assert response.status_code == 200
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_readme_query_works(server, dataset):
    response = requests.post(server.url + "/sparql", data={"query": "SELECT ?p WHERE { ?p a ?type } LIMIT 10"},
                             headers={"Accept": JSON_RESULTS}, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON_RESULTS)
    assert len(response.json()["results"]["bindings"]) == 10
    assert count(server) == len(dataset.graph)


def test_get_post_form_and_post_query_give_the_same_answer(server):
    query = "SELECT ?iscm WHERE { ?iscm a <https://w3id.org/migration-lod/ontology/GlobalProcess> } ORDER BY ?iscm"
    by_get = server.query(query).json()
    by_form = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": JSON_RESULTS},
                            timeout=10).json()
    by_body = requests.post(server.url + "/sparql", data=query.encode(), timeout=10,
                            headers={"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}).json()
    assert by_get == by_form == by_body
    assert [b["iscm"]["value"].rsplit("/", 1)[1] for b in by_get["results"]["bindings"]] == ["gfmd", "idm", "un-hld"]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values"])
def test_select_and_ask_results_by_accept(server, accept):
    select = server.query("SELECT ?s WHERE { ?s a <https://w3id.org/migration-lod/ontology/State> } LIMIT 3", accept)
    assert select.status_code == 200 and select.headers["content-type"].startswith(accept)
    if accept == "text/csv":
        assert len(list(csv.reader(io.StringIO(select.text)))) == 4
    ask = server.query("ASK { ?s a <https://w3id.org/migration-lod/ontology/State> }", accept)
    assert ask.status_code == 200 and ask.headers["content-type"].startswith(accept) and "true" in ask.text


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml"])
def test_construct_and_describe_by_accept(server, accept):
    iri = "https://w3id.org/migration-lod/iscm/commit"
    for query in (f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}", f"DESCRIBE <{iri}>"):
        response = server.query(query, accept)
        assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
        fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
               "application/rdf+xml": "xml"}[accept]
        graph = Graph().parse(data=response.text, format=fmt)
        assert (URIRef(iri), None, None) in graph


def test_a_format_parameter_for_browsers(server):
    response = server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept="text/html", format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    table = server.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", accept="text/html", format="html")
    assert table.headers["content-type"].startswith("text/html") and "<table>" in table.text


def test_default_and_named_graph_uris(server):
    with_graph = server.query(COUNT, **{"default-graph-uri": "http://example.org/no-such-graph"})
    assert with_graph.json()["results"]["bindings"][0]["n"]["value"] == "0"
    named = server.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": "http://example.org/g"})
    assert named.status_code == 200 and named.json()["results"]["bindings"] == []


def test_protocol_errors_have_the_right_status(server):
    assert server.query("SELECT * WHERE { ?s ?p ").status_code == 400
    two = requests.get(server.url + "/sparql", params=[("query", COUNT), ("query", COUNT)], timeout=10)
    assert two.status_code == 400 and "more than one" in two.text
    missing = requests.post(server.url + "/sparql", data={"default-graph-uri": "http://x/"}, timeout=10)
    assert missing.status_code == 400 and "missing query" in missing.text
    assert server.query(COUNT, accept="image/png").status_code == 406
    wrong = requests.post(server.url + "/sparql", data=COUNT, headers={"Content-Type": "text/plain"}, timeout=10)
    assert wrong.status_code == 415


def test_service_description(server):
    response = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(server.url + "/sparql"), URIRef(sd + "endpoint"), URIRef(server.url + "/sparql")) in graph
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph


def test_updates_are_refused_and_change_nothing(server):
    before = count(server)
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert requests.post(server.url + "/sparql", data={"update": insert}, timeout=10).status_code == 403
    assert requests.post(server.url + "/sparql", data=insert, timeout=10,
                         headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert server.query(insert).status_code == 400
    assert requests.get(server.url + "/sparql", params={"update": insert}, timeout=10).status_code == 403
    assert count(server) == before


def test_from_a_file_reads_nothing(server):
    response = server.query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    named = server.query("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert named.status_code == 200 and named.json()["results"]["bindings"] == []


def test_a_result_past_the_size_limit_is_stopped_with_a_clear_error(server):
    response = server.query("SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 413 and "LIMIT" in response.text
    assert server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 5").status_code == 200


def test_a_pathological_query_is_cut_while_others_are_answered(server):
    workers_before = server.workers()
    assert len(workers_before) == 2
    idle_ticks = {pid: cpu_ticks(pid) for pid in workers_before}
    outcome = {}

    def slow():
        started = time.monotonic()
        outcome["response"] = server.query(PATHOLOGICAL)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    busy = max(workers_before, key=lambda pid: cpu_ticks(pid) - idle_ticks[pid])
    started = time.monotonic()
    assert count(server, client="203.0.113.7") > 5000, "a simple query from another client is answered meanwhile"
    assert time.monotonic() - started < 2
    thread.join(TIME_LIMIT + 20)
    assert outcome["response"].status_code == 503
    assert "time limit" in outcome["response"].text
    assert outcome["seconds"] < TIME_LIMIT + 3
    assert eventually(lambda: busy not in server.workers()), "the worker that ran the query was stopped"
    assert eventually(lambda: len(server.workers()) == 2), "and replaced"
    workers_after = server.workers()
    ticks = {pid: cpu_ticks(pid) for pid in workers_after}
    time.sleep(1)
    assert all(cpu_ticks(pid) - ticks[pid] < 20 for pid in workers_after), "no CPU is spent after the cut"
    assert count(server) > 5000


def test_resource_pages_negotiate_content(server, dataset):
    page = requests.get(server.url + "/iscm/budapest-process", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Budapest Process" in page.text and "mig:InterRegionalForum" in page.text
    assert "https://cdn" not in page.text and "<script src" not in page.text
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")):
        response = requests.get(server.url + "/iscm/budapest-process", headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
        graph = Graph().parse(data=response.text, format=fmt)
        iri = URIRef("https://w3id.org/migration-lod/iscm/budapest-process")
        assert set(graph.triples((iri, None, None))) == set(dataset.graph.triples((iri, None, None)))
        assert (URIRef(str(iri) + "#source-1"), None, None) in graph
    assert requests.get(server.url + "/iscm/no-such-process", timeout=10).status_code == 404
    assert requests.get(server.url + "/iscm/no-such-process", headers={"Accept": "text/turtle"},
                        timeout=10).status_code == 404


def test_the_ontology_iri_gives_browsers_its_documentation_and_rdf_clients_its_turtle(server, dist):
    browser = requests.get(server.url + "/ontology", timeout=10, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.history[0].status_code == 303
    assert browser.headers["content-type"].startswith("text/html")
    assert browser.text == (dist / "ontology.html").read_text(encoding="utf-8")
    client = requests.get(server.url + "/ontology", headers={"Accept": "text/turtle"}, timeout=10)
    assert client.status_code == 200 and client.headers["content-type"].startswith("text/turtle")
    assert "Accept" in browser.history[0].headers["vary"]
    from rdflib import OWL, RDF, Graph, URIRef

    graph = Graph().parse(data=client.text, format="turtle")
    assert (URIRef("https://w3id.org/migration-lod/ontology"), RDF.type, OWL.Ontology) in graph
    assert len(list(graph.subjects(RDF.type, OWL.Class))) > 20
    other = requests.get(server.url + "/ontology", headers={"Accept": "application/n-triples"}, timeout=10)
    assert other.status_code == 200 and not other.history, "other RDF formats: the resource's description"
    version = str(graph.value(URIRef("https://w3id.org/migration-lod/ontology"), OWL.versionIRI))
    versioned = requests.get(server.url + version.removeprefix("https://w3id.org/migration-lod"),
                             headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=10)
    assert versioned.status_code == 303 and versioned.headers["location"] == "/ontology.ttl", "its version IRI too"


def test_ontology_scheme_concept_and_external_pages(server):
    ontology = requests.get(server.url + "/ontology", headers={"Accept": "text/html"}, timeout=10)
    assert ontology.status_code == 200 and "migration-lod ontology" in ontology.text
    scheme = requests.get(server.url + "/vocab/gcm-elements", headers={"Accept": "text/html"}, timeout=10)
    assert scheme.status_code == 200 and "Elements of the global compact for migration" in scheme.text
    assert "k · Combating trafficking in persons" in scheme.text
    concept = requests.get(server.url + "/vocab/sdg/10.7", headers={"Accept": "text/html"}, timeout=10)
    assert "sdg:10.7" in concept.text and quote("http://metadata.un.org/sdg/10.7", safe="") in concept.text
    area = requests.get(server.url + "/resource", params={"iri": "http://metadata.un.org/sdg/codes/geoArea/764"},
                        headers={"Accept": "text/html"}, timeout=10)
    assert area.status_code == 200 and "Thailand" in area.text


def test_the_query_page_offers_the_competency_questions(server):
    page = requests.get(server.url + "/", timeout=10)
    assert page.status_code == 200
    questions = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    for name in questions:
        assert f"example={name}" in page.text
    assert "Which ISCMs count Thailand as a member?" in page.text
    example = requests.get(server.url + "/", params={"example": "iscms-with-thailand-as-member"}, timeout=10)
    assert "membership-roles/member" in example.text


def test_cors_lets_browser_apps_elsewhere_query(server):
    response = requests.get(server.url + "/sparql", params={"query": COUNT}, timeout=10,
                            headers={"Origin": "https://app.example.org", "Accept": JSON_RESULTS})
    assert response.headers.get("access-control-allow-origin") == "*"
    preflight = requests.options(server.url + "/sparql", timeout=10, headers={
        "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_sigterm_shuts_down_gracefully_and_stops_the_workers(dist):
    def stores():
        return set(Path(tempfile.gettempdir()).glob("migration-lod-store-*"))

    before = stores()
    server = Server(dist / "migration-lod.nt", options=("--load-dumps",))
    workers = server.workers()
    [store] = stores() - before
    # uvicorn re-raises the signal once it has shut down, as a process killed by it would report.
    assert server.stop() in (0, -signal.SIGTERM)
    log = server.output()
    assert "Waiting for application shutdown" in log and "Finished server process" in log
    assert "GET /sparql" in log, "requests are logged"
    assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                   for pid in workers)
    assert not store.exists(), "the server's store is deleted"


def test_a_publication_is_served_from_the_store_its_build_left_unless_a_dump_changed(dist, tmp_path):
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)  # modification times kept, as rsync -a or cp -p keep them
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    triples = len(Graph().parse(copy / "migration-lod.nt"))
    server = Server(copy / "migration-lod.nt")
    try:
        assert "opened the store built with the dumps" in server.output()
        assert int(server.query(count).json()["results"]["bindings"][0]["n"]["value"]) == triples
    finally:
        server.stop()
    assert (copy / "store" / "oxigraph").is_dir(), "a published store is never deleted"
    assert "store" not in (copy / "SHA256SUMS").read_text(), "nor served: it is not a published file"

    def served_alone(dump, why):
        server = Server(copy / dump)
        try:
            assert "opened the store" not in server.output() and why in server.output(), dump
            return server.query("ASK { <http://example.org/new> ?p ?o }").json()["boolean"]
        finally:
            server.stop()

    with (copy / "migration-lod.nt").open("a", encoding="utf-8") as dump:
        dump.write('<http://example.org/new> <http://example.org/p> "written after the build" .\n')
    assert served_alone("migration-lod.nt", "not a dump the store was built with"), "never a stale store"
    shutil.move(copy / "store" / "oxigraph", tmp_path / "moved")
    assert not served_alone("migration-lod.ttl", "the store cannot be opened")
    shutil.move(tmp_path / "moved", copy / "store" / "oxigraph")
    manifest = json.loads((copy / "store" / "store.json").read_text())
    manifest["pyoxigraph"] = "0.0.1"
    (copy / "store" / "store.json").write_text(json.dumps(manifest))
    assert not served_alone("migration-lod.ttl", "written by pyoxigraph 0.0.1")


def test_results_are_valid_json_for_the_competency_queries(server):
    for path in sorted((ROOT / "queries").glob("*.rq")):
        response = server.query(path.read_text())
        assert response.status_code == 200, path.name
        json.loads(response.text)


def test_pages_speak_the_language_asked_for_where_the_data_has_it(server):
    page = server.url + "/state/THA"
    french = requests.get(page, headers={"Accept": "text/html", "Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"},
                          timeout=10)
    assert french.status_code == 200 and "<html lang='fr'>" in french.text
    assert "<h1>Thaïlande</h1>" in french.text and "Accept-Language" in french.headers["vary"]
    assert "Languages: <a href='/state/THA?lang=ar' hreflang='ar'>ar</a>" in french.text and "<b>fr</b>" in french.text
    russian = requests.get(page, params={"lang": "ru"}, headers={"Accept": "text/html", "Accept-Language": "fr"},
                           timeout=10)
    assert "<h1>Таиланд</h1>" in russian.text, "?lang= wins over Accept-Language"
    german = requests.get(page, headers={"Accept": "text/html", "Accept-Language": "de"}, timeout=10)
    assert "<h1>Thailand</h1>" in german.text and 'No labels in "de": shown in en.' in german.text
    hostile = requests.get(page, params={"lang": "<script>alert(1)</script>" + "x" * 500},
                           headers={"Accept": "text/html"}, timeout=10)
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text and "x" * 100 not in hostile.text
    turtle = requests.get(page, headers={"Accept": "text/turtle", "Accept-Language": "fr"}, timeout=10)
    assert '"Таиланд"@ru' in turtle.text, "RDF keeps every language"
    french_only_in_english = requests.get(server.url + "/iscm/colombo-process",
                                          headers={"Accept": "text/html", "Accept-Language": "fr"}, timeout=10)
    assert "<h1>Regional Consultative Process on Overseas Employment" in french_only_in_english.text
    assert 'No labels in "fr": shown in en.' in french_only_in_english.text
    spanish = requests.get(server.url + "/vocab/gcm-objectives/4",
                           headers={"Accept": "text/html", "Accept-Language": "es"}, timeout=10)
    assert "<h1>4 · Velar por que todos los migrantes tengan pruebas de su identidad jurídica" in spanish.text
