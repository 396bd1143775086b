"""The files of a publication: their names and media types, and the releases it holds (written by publish,
served by serve)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from migration_lod.outputs import OutputKind
from migration_lod.rdf.formats import FORMATS as RDF_FORMATS

DUMP_NAME = "migration-lod"
CHECKSUMS = "SHA256SUMS"
SSSOM_FILE = "mappings.sssom.tsv"
VOID_FILE = "void.ttl"
CATALOGUE_FILE = "catalog.ttl"
ONTOLOGY_HTML = "ontology.html"  # the ontology's documentation, and ...
ONTOLOGY_TURTLE = "ontology.ttl"  # ... the ontology itself: what the ontology's IRI redirects to
IMPORTED = "imported"  # `links import` writes its graphs into a publication's imported/
RELEASES = "releases"  # `release` writes each version into a publication's releases/VERSION/
RELEASE_FILE = "release.json"  # a release's version, date, notes, predecessor and input digest
CHANGES_FILE = "CHANGES.md"  # what changed since the previous release ...
CHANGES_JSON = "changes.json"  # ... and the same for programs, read by serve for the history of each resource
STORE = "store"  # the graph in an on-disk store that serve opens (publish/query_store); not a published file
STORE_MANIFEST = "store.json"  # in STORE/: what the store holds
MEDIA_TYPES = {  # file suffix -> media type of the file itself (a .gz is gzip, whatever it holds)
    **{suffix: rdf.media_type for suffix, rdf in RDF_FORMATS.items()},
    ".tsv": "text/tab-separated-values",
    ".html": "text/html; charset=utf-8",
    ".gz": "application/gzip",
}
DUMPS = {suffix: MEDIA_TYPES["." + suffix] for suffix in ("ttl", "jsonld", "nt")}  # the three dumps, by suffix
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples"}  # the dumps' formats, for people


def media_type(name: str) -> str:
    """The media type of a published file, by its name (the checksums are plain text)."""
    return MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1], "text/plain") if "." in name else "text/plain"


def checksums(folder: Path) -> dict[str, str]:
    """The digests the folder's SHA256SUMS lists, by file name; none when it cannot be read."""
    try:
        lines = (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    return {name: digest for digest, _, name in (line.partition("  ") for line in lines) if name}


def _unmarked_publication(folder: Path, entries: set[str]) -> bool:
    """A publication written before folders were marked: every file is one its checksum file lists."""
    listed = set(checksums(folder))
    ours = {CHECKSUMS, IMPORTED, *([STORE] if (folder / STORE / STORE_MANIFEST).is_file() else [])}
    return f"{DUMP_NAME}.nt" in listed and entries <= listed | ours


PUBLICATION = OutputKind("publication", keep=(IMPORTED, RELEASES), unmarked=_unmarked_publication)
RELEASE = OutputKind("release", replaceable=False)  # written once into a new folder, never replaced


def releases(out_dir: Path | str) -> list[dict[str, Any]]:
    """The releases in `out_dir`/releases, oldest first (by the date each was issued, then by version)."""
    folder = Path(out_dir) / RELEASES
    found = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else ():
        try:
            description = json.loads((entry / RELEASE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a release this tool wrote
        if isinstance(description, dict) and description.get("version") == entry.name:
            found.append(description)
    return sorted(found, key=lambda d: (str(d.get("issued", "")), d["version"]))
