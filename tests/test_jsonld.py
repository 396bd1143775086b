"""JSON-LD: published with its context and read back without ever touching the network."""

from __future__ import annotations

import json

import pytest
from pytest_socket import SocketBlockedError, disable_socket, enable_socket
from rdflib import DCTERMS, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import migration_lod
from migration_lod.publish.dumps import publish_graph
from migration_lod.publish.jsonld import build_context
from migration_lod.rdf.jsonld import RemoteContextRefused
from migration_lod.rdf.namespaces import MIG

from .conftest import DATA


@pytest.fixture
def no_network():
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


def test_the_guard_really_blocks_sockets(no_network):
    import socket

    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_publishing_and_reading_json_ld_never_opens_a_socket(no_network, tmp_path):
    dataset = migration_lod.build(DATA)
    dataset.publish(tmp_path / "dist")
    graph = migration_lod.read_jsonld(tmp_path / "dist" / "migration-lod.jsonld")
    assert isomorphic(graph, dataset.graph)


def test_a_remote_context_is_refused_not_fetched(no_network, tmp_path):
    document = tmp_path / "elsewhere.jsonld"
    document.write_text(json.dumps({"@context": "https://example.org/context.jsonld",
                                    "@id": "https://example.org/x", "https://example.org/p": "v"}))
    with pytest.raises(RemoteContextRefused, match=r"https://example\.org/context\.jsonld"):
        migration_lod.read_jsonld(document)


def test_the_json_ld_dump_is_compact(dist):
    document = json.loads((dist / "migration-lod.jsonld").read_text())
    nodes = {node["@id"]: node for node in document["@graph"]}
    budapest = nodes["https://w3id.org/migration-lod/iscm/budapest-process"]
    assert budapest["@type"] == "InterRegionalForum"
    assert budapest["iscmType"] == "iscmt:irf"
    assert budapest["yearEstablished"] == "1993"


def test_every_kind_of_term_survives_the_json_ld_dump(dataset, tmp_path):
    """Escapes, control characters, other scripts, language tags, datatypes, blank nodes, literals that look
    like IRIs, an IRI equal to a namespace: the dump reads back as the same graph."""
    graph = Graph()
    graph += dataset.graph
    thing, other = URIRef("https://w3id.org/migration-lod/practice/odd"), BNode("b1")
    for text in ('say "hi"', "back\\slash \\\"", "tab\tnew\nline\rcr\x08\x0c\x01\x7f", "Ελληνικά 中文 🌍",
                 "https://w3id.org/migration-lod/ontology/x", "mig:notAnIri"):
        graph.add((thing, SKOS.note, Literal(text)))
    graph.add((thing, SKOS.prefLabel, Literal("Étrange", lang="fr-ca")))
    graph.add((thing, MIG.yearEstablished, Literal("1999", datatype=XSD.gYear)))
    graph.add((thing, MIG.yearEstablished, Literal("2001-05", datatype=XSD.gYearMonth)))
    graph.add((thing, MIG.delegateCount, Literal("7", datatype=XSD.integer)))
    graph.add((thing, DCTERMS.source, other))
    graph.add((other, RDFS.label, Literal("a blank node")))
    graph.add((other, RDFS.seeAlso, URIRef(str(MIG))))
    metadata = dataset.metadata
    publish_graph(graph, tmp_path / "dist", base_iri=dataset.base_iri, context=build_context(
        dataset.vocabulary.graph), metadata=metadata)
    back = migration_lod.read_jsonld(tmp_path / "dist" / "migration-lod.jsonld")
    assert isomorphic(back, graph)


def test_the_context_lets_a_client_ask_for_one_language(dist, no_network):
    """Compacted with the published context, a State's description gives its French name under
    prefLabel_fr, and only that one; expanding again gives every label back."""
    from pyld import jsonld

    context = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    state = "https://w3id.org/migration-lod/state/THA"
    graph = Graph().parse(dist / "migration-lod.nt")
    description = Graph()
    for triple in graph.triples((URIRef(state), None, None)):
        description.add(triple)
    expanded = json.loads(description.serialize(format="json-ld"))
    compacted = jsonld.compact(expanded, context, options={"documentLoader": None})
    assert compacted["prefLabel_fr"] == "Thaïlande" and compacted["prefLabel_zh"] == "泰国"
    again = Graph().parse(data=json.dumps(jsonld.expand(compacted, options={"documentLoader": None})),
                          format="json-ld")
    assert isomorphic(again, description)
