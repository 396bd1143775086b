"""The SPARQL 1.1 Protocol as written: the W3C test suite, the usual clients in every format they ask for,
content negotiation, dataset parameters, and the publication's files where the data's own links point."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from .conftest import JSON_RESULTS, Server

SUITE = Path(__file__).parent / "vendor" / "w3c-sparql11-protocol" / "sparql" / "sparql11" / "protocol"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
BASE = "https://w3id.org/migration-lod/"
FORMATS = {  # mf:expectedFormat -> the media types that carry it
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html", "application/xhtml+xml"},
}
RESULT_PARSERS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                  "application/sparql-results+xml": ox.QueryResultsFormat.XML}


MANIFEST = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=SUITE.as_uri() + "/manifest.ttl")
ENTRIES = list(MANIFEST.collection(next(MANIFEST.objects(None, URIRef(MF + "entries")))))


def _list(node: object) -> list:
    return list(MANIFEST.collection(node)) if node is not None else []


def _requests(test: URIRef) -> list[dict]:
    """The HTTP requests of a test, in order, with what each response must be."""
    action = MANIFEST.value(test, URIRef(MF + "action"))
    out = []
    for request in _list(MANIFEST.value(action, URIRef(HT + "requests"))):
        body = MANIFEST.value(request, URIRef(HT + "body"))
        response = MANIFEST.value(request, URIRef(HT + "resp"))
        headers = {str(MANIFEST.value(h, URIRef(HT + "fieldName"))): str(MANIFEST.value(h, URIRef(HT + "fieldValue")))
                   for h in _list(MANIFEST.value(request, URIRef(HT + "headers")))}
        encoding = str(MANIFEST.value(body, URIRef(CNT + "characterEncoding")) or "UTF-8") if body else None
        out.append({
            "method": str(MANIFEST.value(request, URIRef(HT + "methodName"))),
            "path": str(MANIFEST.value(request, URIRef(HT + "absolutePath"))).replace("/sparql/", "/sparql", 1),
            "headers": headers,
            "body": str(MANIFEST.value(body, URIRef(CNT + "chars"))).encode(encoding) if body else None,
            "status": {str(s).rsplit("StatusCode", 1)[1][0] for s in
                       MANIFEST.objects(response, URIRef(MF + "expectedStatus"))},
            "boolean": MANIFEST.value(response, URIRef(MF + "expectedBoolean")),
            "format": MANIFEST.value(response, URIRef(MF + "expectedFormat")),
        })
    return out


def _is_update(request: dict) -> bool:
    body = request["body"] or b""
    return ("update=" in request["path"] or body.startswith(b"update=")
            or request["headers"].get("content-type", "").startswith("application/sparql-update"))


@pytest.fixture(scope="module")
def suite_server(tmp_path_factory):
    """A server over the suite's three graphs, each in the named graph the manifest gives it."""
    quads = []
    for test in ENTRIES:
        for data in MANIFEST.objects(test, URIRef(UT + "graphData")):
            name = ox.NamedNode(str(MANIFEST.value(data, RDFS_LABEL)))
            path = Path(urlsplit(str(MANIFEST.value(data, URIRef(UT + "graph")))).path)
            quads += [ox.Quad(t.subject, t.predicate, t.object, name)
                      for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]
    dump = tmp_path_factory.mktemp("protocol") / "suite.nq"
    ox.serialize(sorted(set(quads), key=str), str(dump), format=ox.RdfFormat.N_QUADS)
    running = Server(dump)
    yield running
    running.stop()


@pytest.mark.parametrize("test", ENTRIES, ids=[str(t).rsplit("#", 1)[1] for t in ENTRIES])
def test_w3c_protocol_suite(suite_server, test):
    """Every test of the W3C SPARQL 1.1 Protocol suite; update requests get this endpoint's read-only answer."""
    requests_ = _requests(test)
    read_only = any(_is_update(r) and "2" in r["status"] for r in requests_)
    for request in requests_:
        connection = http.client.HTTPConnection("127.0.0.1", suite_server.port, timeout=30)
        connection.request(request["method"], request["path"], body=request["body"], headers=request["headers"])
        response = connection.getresponse()
        body = response.read()
        connection.close()
        status, media_type = response.status, (response.getheader("content-type") or "").split(";")[0]
        if _is_update(request) and "2" in request["status"]:
            assert status == 403, body  # read-only: an update the suite expects to succeed is refused
            continue
        assert str(status)[0] in request["status"], (status, body)
        if request["format"] is not None:
            assert media_type in FORMATS[str(request["format"])], media_type
        if request["boolean"] is not None and not read_only:  # an answer that does not depend on an update
            answer = ox.parse_query_results(body, format=RESULT_PARSERS[media_type])
            assert bool(answer) == request["boolean"].toPython()


@pytest.fixture(scope="module")
def server(dist):
    running = Server(dist / "migration-lod.nt")
    yield running
    running.stop()


SELECT = "SELECT ?iscm WHERE { ?iscm a <https://w3id.org/migration-lod/ontology/GlobalProcess> } ORDER BY ?iscm"
ASK = "ASK { ?s a <https://w3id.org/migration-lod/ontology/State> }"
CONSTRUCT = f"CONSTRUCT {{ <{BASE}iscm/commit> ?p ?o }} WHERE {{ <{BASE}iscm/commit> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{BASE}iscm/commit>"


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_with_its_defaults(server, method):
    """SPARQLWrapper as most people use it: default settings (XML results, format= and output= parameters)."""
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(SELECT)
    rows = client.query().convert().getElementsByTagName("result")
    assert len(rows) == 3  # gfmd, idm, un-hld
    client.setQuery(ASK)
    assert client.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    for query in (CONSTRUCT, DESCRIBE):
        client.setQuery(query)
        graph = client.query().convert()  # RDF/XML, parsed by SPARQLWrapper into an rdflib graph
        assert (URIRef(BASE + "iscm/commit"), None, None) in graph


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_results_in_every_format(server, return_format):
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=return_format)
    client.setQuery(SELECT)
    result = client.query()
    assert result._get_responseFormat() == return_format
    text = result.response.read().decode()
    assert f"{BASE}iscm/gfmd" in text and f"{BASE}iscm/idm" in text


@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, JSONLD, JSON, XML])
def test_sparqlwrapper_graphs_in_every_format(server, return_format):
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=return_format)
    client.setQuery(CONSTRUCT)
    result = client.query()
    graph = result.convert()
    if isinstance(graph, bytes):  # Turtle and N3 come back as text
        graph = Graph().parse(data=graph, format="turtle")
    elif not isinstance(graph, Graph):  # JSON-LD asked as "json" comes back as the parsed JSON document
        graph = Graph().parse(data=json.dumps(graph), format="json-ld")
    assert (URIRef(BASE + "iscm/commit"), None, None) in graph


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore(server, return_format):
    """rdflib's SPARQLStore: SELECT and ASK in each results format; graphs with its default (XML)."""
    graph = Graph(store=SPARQLStore(server.url + "/sparql", returnFormat=return_format))
    names = sorted(str(row[0]).rsplit("/", 1)[1] for row in graph.query(SELECT))
    assert names == ["gfmd", "idm", "un-hld"]
    if return_format in ("xml", "json"):
        assert graph.query(ASK).askAnswer is True
    if return_format == "xml":
        constructed = graph.query(CONSTRUCT).graph
        assert (URIRef(BASE + "iscm/commit"), None, None) in constructed
        assert len(graph) > 5000  # SPARQLStore counts with a COUNT query


@pytest.mark.parametrize(("query", "accept", "params", "expected"), [
    (SELECT, "text/*", {}, "text/csv"),
    (SELECT, "application/json", {}, "application/json"),
    (SELECT, "text/html;q=0.5, application/sparql-results+xml", {}, "application/sparql-results+xml"),
    (SELECT, "text/html", {"format": "json"}, "application/sparql-results+json"),
    (SELECT, "*/*", {"format": "text/tab-separated-values"}, "text/tab-separated-values"),
    (CONSTRUCT, "*/*", {"format": "xml"}, "application/rdf+xml"),
    (CONSTRUCT, "*/*", {"format": "json-ld"}, "application/ld+json"),
    (CONSTRUCT, "*/*", {"format": "n3"}, "text/n3"),
    (CONSTRUCT, "*/*", {"output": "turtle"}, "text/turtle"),
    (CONSTRUCT, "text/n3", {}, "text/n3"),
    (CONSTRUCT, "text/*", {}, "text/turtle"),
    (CONSTRUCT, "application/sparql-results+xml, application/rdf+xml", {}, "application/rdf+xml"),
])
def test_content_negotiation(server, query, accept, params, expected):
    response = server.query(query, accept=accept, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("query", "accept", "params"), [
    (SELECT, "*/*;q=0", {}),
    (SELECT, "image/png", {}),
    (SELECT, "*/*", {"format": "turtle"}),
    (CONSTRUCT, "application/sparql-results+json", {}),
    (CONSTRUCT, "*/*", {"format": "csv"}),
])
def test_nothing_acceptable_is_406(server, query, accept, params):
    response = server.query(query, accept=accept, **params)
    assert response.status_code == 406 and ("offered" in response.text or "use one of" in response.text)
    assert "Accept" in response.headers["vary"]


def test_pages_and_the_service_description_vary_on_accept(server):
    for path in ("/iscm/commit", "/sparql", f"/resource?iri={BASE}iscm/commit"):
        for accept in ("text/html", "text/turtle", "application/ld+json"):
            response = requests.get(server.url + path, headers={"Accept": accept}, timeout=10, allow_redirects=False)
            assert response.status_code in (200, 303), (path, accept)
            assert "Accept" in response.headers["vary"], (path, accept)
    refused = requests.get(server.url + "/iscm/commit", headers={"Accept": "*/*;q=0"}, timeout=10)
    assert refused.status_code == 406


def test_relative_iris_resolve_against_the_endpoint(server):
    response = requests.post(server.url + "/sparql", data=b"CONSTRUCT { <s> <p> 1 } WHERE {}", timeout=10,
                             headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert response.status_code == 200
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert response.text.strip() == f'<{server.url}/s> <{server.url}/p> "1"^^{integer} .'


def test_dataset_parameters_replace_the_querys_dataset(server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params: str) -> int:
        response = server.query(count, **params)
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    everything = n()
    assert everything > 5000
    assert n(**{"named-graph-uri": "http://example.org/g"}) == 0, "named graphs only: an empty default graph"
    assert n(**{"default-graph-uri": "http://example.org/g"}) == 0
    from_query = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/none> WHERE { ?s ?p ?o }"
    assert int(server.query(from_query).json()["results"]["bindings"][0]["n"]["value"]) == 0


def test_every_file_the_data_names_is_served_and_parses(server, dist):
    """VoID's dumps, distributions and mapping set, and the JSON-LD dump's context, at their IRIs on the server."""
    void = Graph().parse(dist / "void.ttl", format="turtle")
    links = ("http://rdfs.org/ns/void#dataDump", "http://www.w3.org/ns/dcat#downloadURL",
             "http://purl.org/dc/terms/relation")
    named = {str(o) for p in links for o in void.objects(None, URIRef(p))}
    document = json.loads((dist / "migration-lod.jsonld").read_text(encoding="utf-8"))
    named.add(document["@context"])
    assert len(named) == 5 and all(iri.startswith(BASE) for iri in named)
    for iri in sorted(named):
        response = requests.get(server.url + "/" + iri[len(BASE):], timeout=30)
        assert response.status_code == 200, iri
        media_type = response.headers["content-type"].split(";")[0]
        if iri.endswith(".jsonld") and "context" in iri:
            assert media_type == "application/ld+json" and "@context" in response.json()
        elif iri.endswith(".jsonld"):
            assert media_type == "application/ld+json"
            assert response.json()["@context"] == document["@context"]
        elif iri.endswith(".tsv"):
            assert media_type == "text/tab-separated-values" and "\nsubject_id\t" in response.text
        else:
            fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}[media_type]
            assert len(list(ox.parse(response.content, format=fmt))) > 5000
    checksums = requests.get(server.url + "/SHA256SUMS", timeout=10)
    assert checksums.status_code == 200
    for line in checksums.text.splitlines():
        digest, name = line.split("  ")
        served = requests.get(f"{server.url}/{name}", timeout=30)
        assert hashlib.sha256(served.content).hexdigest() == digest, name
        if name.endswith(".gz"):
            assert served.headers["content-type"] == "application/gzip"
            assert gzip.decompress(served.content) == (dist / name[:-3]).read_bytes()


def test_files_answer_conditional_and_range_requests(server, dist):
    url = server.url + "/migration-lod.nt"
    full = requests.get(url, timeout=30)
    assert full.headers["etag"] and full.headers["last-modified"] and full.headers["accept-ranges"] == "bytes"
    assert requests.get(url, headers={"If-None-Match": full.headers["etag"]}, timeout=10).status_code == 304
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206 and part.content == full.content[100:200]
    assert requests.head(url, timeout=10).headers["content-length"] == str(len(full.content))


def test_only_the_publications_files_are_served(dist, tmp_path):
    """A file lying beside the dump, or a dump outside a publication, is not served."""
    folder = tmp_path / "dist"
    folder.mkdir()
    for path in dist.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "notes.txt").write_text("private")
    (folder / "SHA256SUMS").write_text((dist / "SHA256SUMS").read_text() + "0" * 64 + "  ../../etc/passwd\n")
    running = Server(folder / "migration-lod.nt")
    try:
        assert requests.get(running.url + "/void.ttl", timeout=10).status_code == 200
        assert requests.get(running.url + "/notes.txt", timeout=10).status_code == 404
        assert requests.get(running.url + "/..%2F..%2Fetc%2Fpasswd", timeout=10).status_code in (400, 404)
    finally:
        running.stop()
    lone = tmp_path / "lone.nt"
    lone.write_bytes((dist / "migration-lod.nt").read_bytes())
    (tmp_path / "void.ttl").write_text("# not part of a publication\n")
    running = Server(lone)
    try:
        assert requests.get(running.url + "/void.ttl", timeout=10).status_code == 404
        assert running.query("ASK {}", accept=JSON_RESULTS).json()["boolean"] is True
    finally:
        running.stop()
