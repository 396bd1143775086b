"""RDF files, one registry for every command that reads or writes them: the format of a file by its suffix
(through a .gz), its media type, and reading it, JSON-LD only ever with a local context, never the network."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from migration_lod.problems import InputError, Problem

FORMATS = {  # suffix -> format; the media type is the format's own
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
COMPRESSED = ".gz"


class UnknownRdfFormat(ValueError):
    """A file whose name says no RDF format this tool reads."""


def _suffix(path: Path) -> str:
    return Path(path.stem).suffix if path.suffix == COMPRESSED else path.suffix


def is_rdf(path: Path | str) -> bool:
    """True when the file's name says an RDF format (.ttl, .nt, .nq, .trig, .rdf, .jsonld, each maybe .gz)."""
    return _suffix(Path(path)) in FORMATS


def rdf_format(path: Path | str) -> ox.RdfFormat:
    """The RDF format of a file by its suffix, through a .gz; UnknownRdfFormat otherwise."""
    suffix = _suffix(Path(path))
    if suffix not in FORMATS:
        raise UnknownRdfFormat(f"{path}: not an RDF file this tool reads (use {', '.join(FORMATS)}, "
                               f"each also {COMPRESSED})")
    return FORMATS[suffix]


def media_type(path: Path | str) -> str:
    """The media type of an RDF file's content (of what is inside a .gz)."""
    return rdf_format(path).media_type


@contextmanager
def opened(path: Path | str) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when it is a .gz."""
    path = Path(path)
    with (gzip.open(path, "rb") if path.suffix == COMPRESSED else path.open("rb")) as stream:
        yield stream


def quads(path: Path | str) -> Iterator[ox.Quad]:
    """The quads of an RDF file, streamed (triples in the default graph); JSON-LD contexts come from beside
    the file. Raises OSError (unreadable), SyntaxError or ValueError (malformed), UnknownRdfFormat."""
    path = Path(path)
    rdf = rdf_format(path)
    if rdf == ox.RdfFormat.JSON_LD:
        from migration_lod.rdf.jsonld import jsonld_quads  # pyld only where JSON-LD is read

        yield from jsonld_quads(path)
        return
    with opened(path) as stream:
        yield from ox.parse(stream, format=rdf)


def load_into(store: ox.Store, path: Path | str) -> None:
    """Bulk-load an RDF file into a store (streamed, except JSON-LD, which is read whole)."""
    path = Path(path)
    rdf = rdf_format(path)
    if rdf == ox.RdfFormat.JSON_LD:
        store.bulk_extend(quads(path))
        return
    with opened(path) as stream:
        store.bulk_load(stream, format=rdf)


def read_quads(paths: Iterable[Path | str]) -> list[ox.Quad]:
    """The quads of RDF files, in one list; InputError naming the file that cannot be read and why."""
    found: list[ox.Quad] = []
    for path in paths:
        try:
            found += quads(path)
        except (OSError, SyntaxError, ValueError) as exc:
            raise unreadable(path, exc) from exc
    return found


def unreadable(path: Path | str, exc: Exception) -> InputError:
    """The input error for an RDF file that cannot be read (OSError, SyntaxError or ValueError), naming it."""
    return InputError([Problem(f"cannot read this RDF file: {exc}", str(path))])
