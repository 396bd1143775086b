"""Conversions between rdflib terms (the public API's graph) and pyoxigraph terms (the fast parsers,
serialisers and store)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph(term: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term from an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_oxigraph_term(term: Any) -> URIRef | BNode | Literal:
    """An rdflib term from a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    # rdflib tells a plain literal from an xsd:string one; RDF 1.1 and pyoxigraph do not.
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def from_oxigraph(quad: ox.Triple | ox.Quad) -> tuple:
    """An rdflib triple from a pyoxigraph triple or quad (the graph name is dropped)."""
    return from_oxigraph_term(quad.subject), from_oxigraph_term(quad.predicate), from_oxigraph_term(quad.object)


def sorted_ntriples(triples: Iterable[tuple]) -> bytes:
    """Canonical N-Triples of rdflib triples, one per line, sorted: the deterministic form of a graph."""
    converted = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
    lines = ox.serialize(converted, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)
