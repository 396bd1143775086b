"""Reading JSON-LD: contexts only ever from local files (a context named context.jsonld beside the file, or
given), never from the network; pyld's default loader and rdflib's parser would fetch them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from rdflib import Graph

from migration_lod.rdf.terms import from_oxigraph

CONTEXT_FILE = "context.jsonld"  # the name a publication gives its context (publish writes it beside the dumps)


class RemoteContextRefused(ValueError):
    """A JSON-LD document asked for a context that is not available locally."""


def local_document_loader(contexts: dict[str, Path]) -> Callable[[str, dict | None], dict[str, Any]]:
    """A pyld document loader that serves the given contexts from files and refuses everything else."""

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        path = contexts.get(url)
        if path is None:
            raise RemoteContextRefused(
                f"refusing to fetch the JSON-LD context {url}: contexts are only read from local files")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(path.read_text(encoding="utf-8"))}

    return load


def jsonld_quads(path: Path | str, contexts: dict[str, Path] | None = None) -> list[ox.Quad]:
    """The quads of a JSON-LD file (.jsonld or .jsonld.gz); a referenced context is read from context.jsonld
    beside it or from `contexts`, never from the network (RemoteContextRefused)."""
    path = Path(path)
    raw = path.read_bytes()
    document = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    known = dict(contexts or {})
    reference = document.get("@context") if isinstance(document, dict) else None
    beside = path.parent / CONTEXT_FILE
    if isinstance(reference, str) and reference not in known and reference.endswith("/" + CONTEXT_FILE) \
            and beside.is_file():
        known[reference] = beside
    try:
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                          "documentLoader": local_document_loader(known)})
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, RemoteContextRefused):
                raise RemoteContextRefused(f"{path}: {cause}") from exc
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise ValueError(f"{path}: not valid JSON-LD: {exc}") from exc
    return list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def read_jsonld(path: Path | str, contexts: dict[str, Path] | None = None) -> Graph:
    """Read a JSON-LD file into a graph; a referenced context is read from context.jsonld beside it."""
    graph = Graph()
    for quad in jsonld_quads(path, contexts):
        graph.add(from_oxigraph(quad))
    return graph
