"""The on-disk store the workers share: the dumps loaded once, then opened read-only by every worker."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from migration_lod.jsonld import read_jsonld
from migration_lod.terms import to_oxigraph

DUMP_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
                ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML}


def load_dumps(paths: Iterable[Path], store_dir: Path) -> int:
    """Load the dumps into a new on-disk store at `store_dir`; return the number of quads."""
    store = ox.Store(str(store_dir))
    for path in paths:
        if path.suffix == ".jsonld":
            graph = read_jsonld(path)
            store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
        elif path.suffix in DUMP_FORMATS:
            store.bulk_load(path=str(path), format=DUMP_FORMATS[path.suffix])
        else:
            raise ValueError(f"{path}: unsupported dump format (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)")
    store.flush()
    count = len(store)
    del store
    return count
