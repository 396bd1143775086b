"""The publication's own files, where the data's links say they are: dumps, context, VoID, SSSOM, checksums.

The JSON-LD dump names its context `BASE/context.jsonld` and VoID names `BASE/migration-lod.nt`,
`BASE/mappings.sssom.tsv` and the others: served at the base IRI, the server must answer for them. The
files served are exactly those that the publication's SHA256SUMS lists (and SHA256SUMS itself), from the
folder of a dump that it lists, so that serving a dump never exposes any other file that lies beside it; and
so for each release in its releases/ folder, at /releases/VERSION/NAME.
Responses carry ETag and Last-Modified, answer conditional requests with 304 and range requests with 206.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from migration_lod.publish.distribution import (
    CHANGES_JSON,
    CHECKSUMS,
    ONTOLOGY_TURTLE,
    RELEASES,
    checksums,
    media_type,
    releases,
)

MAX_CHANGE_SET_BYTES = 256 * 1024 * 1024  # a release's changes.json read for the history of the pages
MAX_ONTOLOGY_BYTES = 16 * 1024 * 1024  # the ontology's Turtle read for its version IRI
VERSION_IRI = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")


def _listed(folder: Path) -> list[str]:
    """The plain file names that the folder's checksum file lists and that are regular files in the folder."""
    return [name for name in checksums(folder) if Path(name).name == name and name not in (".", "..")
            and (folder / name).is_file() and not (folder / name).is_symlink()]


def _history(folder: Path, held: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """Per resource IRI, the releases that added, changed or removed it: (version, status), oldest first.
    A release whose change set is missing, too large or not the tool's JSON adds nothing."""
    found: dict[str, list[tuple[str, str]]] = {}
    for release in held:
        path = folder / RELEASES / release["version"] / CHANGES_JSON
        try:
            if path.stat().st_size > MAX_CHANGE_SET_BYTES:
                continue
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        resources = document.get("resources") if isinstance(document, dict) else None
        for change in resources if isinstance(resources, list) else ():
            if isinstance(change, dict) and isinstance(change.get("iri"), str) and \
                    change.get("status") in ("added", "removed", "changed"):
                found.setdefault(change["iri"], []).append((release["version"], change["status"]))
    return found


def _version_iri(ontology: Path) -> str | None:
    """The owl:versionIRI an ontology's Turtle file states, if it is small enough and readable."""
    try:
        if ontology.stat().st_size > MAX_ONTOLOGY_BYTES:
            return None
        triples = ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)
        return next((t.object.value for t in triples if t.predicate == VERSION_IRI), None)
    except (OSError, SyntaxError):
        return None


class PublishedFiles(StaticFiles):
    """The files of one publication folder, each served at /NAME with its media type."""

    def __init__(self, folder: Path, names: Iterable[str], held: Iterable[dict] = ()) -> None:
        super().__init__(directory=folder)
        self.names = frozenset(names)
        self.releases = list(held)  # release.json of each release, oldest first
        self.history = _history(folder, self.releases)
        self.ontology_version = _version_iri(folder / ONTOLOGY_TURTLE) if ONTOLOGY_TURTLE in self.names else None

    @classmethod
    def beside(cls, dumps: Iterable[Path]) -> PublishedFiles | None:
        """The publication that holds the first of `dumps` its checksum file lists, if any, with its releases."""
        for dump in dumps:
            names = _listed(dump.parent)
            if dump.name in names:
                held = [r for r in releases(dump.parent) if not (dump.parent / RELEASES / r["version"]).is_symlink()]
                released = [f"{RELEASES}/{r['version']}/{name}" for r in held
                            for name in [*_listed(dump.parent / RELEASES / r["version"]), CHECKSUMS]]
                return cls(dump.parent, [*names, CHECKSUMS, *released], held)
        return None

    def ontology_folder(self, version_iri: str) -> str | None:
        """Where the ontology's documents of the version `version_iri` are served: the newest release that holds
        it (`releases/VERSION/`, its documents frozen), else the publication's own (""); None if none does."""
        for release in reversed(self.releases):
            ontology = release.get("ontology")
            if isinstance(ontology, dict) and ontology.get("version_iri") == version_iri:
                return f"{RELEASES}/{release['version']}/"
        return "" if version_iri == self.ontology_version else None

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """Only the listed files are found."""
        return super().lookup_path(path) if path in self.names else ("", None)

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        """The file with its media type, or 304 when the client's copy is current."""
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result,
                                media_type=media_type(Path(full_path).name))
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response
