"""What can be validated and what shapes can be read from: an rdflib graph, a pyoxigraph store, an RDF file,
or triples and quads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from migration_lod.rdf.terms import to_oxigraph

Source = Graph | ox.Store | str | Path | Iterable[ox.Triple | ox.Quad]


def read_triples(source: Source) -> list[ox.Triple]:
    """The triples of a graph, a store's default graph, an RDF file, or an iterable of triples or quads."""
    from migration_lod.rdf import formats  # the file formats only where a file is read

    if isinstance(source, Graph):
        return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in source]
    if isinstance(source, ox.Store):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in
                source.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    if isinstance(source, str | Path):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in formats.quads(source)]
    return [ox.Triple(t.subject, t.predicate, t.object) for t in source]
