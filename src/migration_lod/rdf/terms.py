"""Conversions between rdflib terms (the public API's graph) and pyoxigraph terms (the fast parsers,
serialisers and store), and rdflib graphs held in a pyoxigraph store."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _not_ill_typed(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Failed to convert Literal lexical form to value")


# rdflib logs a traceback for every ill-typed literal it reads ("2017-02-30"^^xsd:date): reading one is no
# error here (validation reports it, with the record), and users must not see tracebacks.
logging.getLogger("rdflib.term").addFilter(_not_ill_typed)
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning, module="rdflib.term")
XSD_STRING_IRI = URIRef(XSD_STRING)
DEFAULT_GRAPH = ox.DefaultGraph()


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
    # As written: rdflib would otherwise rewrite a valid lexical form into its canonical one ("03" -> "3").
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def from_oxigraph(quad: ox.Triple | ox.Quad) -> tuple:
    """An rdflib triple from a pyoxigraph triple or quad (the graph name is dropped)."""
    return from_oxigraph_term(quad.subject), from_oxigraph_term(quad.predicate), from_oxigraph_term(quad.object)


def _plain(term: Any) -> Any:
    return Literal(str(term)) if type(term) is Literal and term.datatype == XSD_STRING_IRI else term


class _PlainLiteralStore(OxigraphStore):
    """oxrdflib's store, giving xsd:string literals back as rdflib's plain literals: rdflib tells them
    apart (Literal("x") != Literal("x", datatype=XSD.string)), and the rest of rdflib's world makes plain ones."""

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[tuple, Iterator]]:
        """The matching triples, as rdflib makes them."""
        for (s, p, o), contexts in super().triples(triple_pattern, context):
            yield (s, p, _plain(o)), contexts

    def query(self, *args: Any, **kwargs: Any) -> Result:
        """A query's result, with plain literals in its rows or its graph."""
        result = super().query(*args, **kwargs)
        if result.type == "SELECT":
            result.bindings = [{k: _plain(v) for k, v in row.items()} for row in result.bindings]
        elif result.type == "CONSTRUCT":
            graph = Graph()
            graph += ((s, p, _plain(o)) for s, p, o in result.graph)
            result.graph = graph
        return result

    def __len__(self, context: Any = None) -> int:
        """The number of triples (oxrdflib counts them with a SPARQL query: seconds for millions)."""
        if next(iter(self._inner.named_graphs()), None) is None:
            return len(self._inner)
        return super().__len__(context)

    def __deepcopy__(self, memo: dict) -> _PlainLiteralStore:
        """A copy with a store of its own (a pyoxigraph store cannot be pickled)."""
        copy = ox.Store()
        copy.bulk_extend(self._inner)
        return _PlainLiteralStore(store=copy)


def store_graph(store: ox.Store | None = None) -> Graph:
    """An rdflib Graph over the default graph of a pyoxigraph store (oxrdflib): rdflib's API at
    pyoxigraph's speed, and no copy when a stage hands the graph to pyoxigraph."""
    return Graph(store=_PlainLiteralStore(store=store if store is not None else ox.Store()),
                 identifier=DATASET_DEFAULT_GRAPH_ID)


def as_store(graph: Graph) -> ox.Store:
    """The pyoxigraph store holding `graph`: its own when it is a store_graph, else a copy of it."""
    if isinstance(graph.store, OxigraphStore) and graph.identifier == DATASET_DEFAULT_GRAPH_ID:
        # oxrdflib exposes the store it wraps only through this attribute.
        return graph.store._inner
    store = ox.Store()
    store.bulk_extend(canonical_quads(graph))
    return store


def canonical_quads(triples: Iterable[tuple]) -> Iterator[ox.Quad]:
    """rdflib triples as pyoxigraph quads in the order of their sorted N-Triples: the same triples give
    the same order whatever the order of the rdflib store (which varies with Python's string hashing)."""
    for triple in ox.parse(sorted_ntriples(triples), format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object)


def plain_copy(graph: Graph) -> Graph:
    """A copy of `graph` in rdflib's own memory store."""
    copy = Graph()
    store = as_store(graph)
    copy.addN((*from_oxigraph(quad), copy) for quad in store.quads_for_pattern(None, None, None, DEFAULT_GRAPH))
    return copy


def sorted_ntriples(triples: Iterable[tuple]) -> bytes:
    """Canonical N-Triples of rdflib triples, one per line, sorted: the deterministic form of a graph."""
    converted = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
    lines = ox.serialize(converted, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)
