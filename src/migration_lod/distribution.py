"""The files of a publication: their names and media types (written by publish, served by serve)."""

from __future__ import annotations

from migration_lod.rdf_io import FORMATS as RDF_FORMATS

DUMP_NAME = "migration-lod"
CONTEXT_FILE = "context.jsonld"
CHECKSUMS = "SHA256SUMS"
SSSOM_FILE = "mappings.sssom.tsv"
VOID_FILE = "void.ttl"
MEDIA_TYPES = {  # file suffix -> media type of the file itself (a .gz is gzip, whatever it holds)
    **{suffix: rdf.media_type for suffix, rdf in RDF_FORMATS.items()},
    ".tsv": "text/tab-separated-values",
    ".gz": "application/gzip",
}
DUMPS = {suffix: MEDIA_TYPES["." + suffix] for suffix in ("ttl", "jsonld", "nt")}  # the three dumps, by suffix


def media_type(name: str) -> str:
    """The media type of a published file, by its name (the checksums are plain text)."""
    return MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1], "text/plain") if "." in name else "text/plain"
