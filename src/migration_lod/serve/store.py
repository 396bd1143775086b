"""The on-disk store the workers share: the dumps loaded once, then opened read-only by every worker."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from migration_lod.rdf.formats import load_into


def load_dumps(paths: Iterable[Path], store_dir: Path) -> int:
    """Load the dumps (any RDF file rdf.formats reads) into a new on-disk store at `store_dir`; return the quads."""
    store = ox.Store(str(store_dir))
    for path in paths:
        load_into(store, path)
    store.flush()
    count = len(store)
    del store
    return count
