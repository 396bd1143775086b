"""Releases: a publication frozen under a version, with what changed since the one before.

`publish_release` writes `OUT/releases/VERSION/` once: the dumps, context, catalogue (the release as a version
of the dataset, with its predecessor), VoID, SSSOM and ontology documentation of a publication, `CHANGES.md`
and `changes.json` (the change set from the previous release's N-Triples dump, or from nothing for the
first), `release.json` (version, date, notes, predecessor, the digest of the input records, the ontology's version)
and `SHA256SUMS` over all of them. A version that exists is refused; the written files are made read-only, a
second line of defence after the refusal.

The ontology keeps the version a person gives it (`owl:versionIRI` in ontology/migration-lod.ttl): a release
states its `owl:priorVersion`, the version in the release before where that differs (else the one that
release stated), and refuses an ontology whose content changed under the version IRI an earlier release
published, since a version IRI names one ontology."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import DCTERMS, OWL, RDF, Graph, URIRef
from rdflib.compare import to_isomorphic

from migration_lod.changes.compare import diff_dumps
from migration_lod.changes.writers import to_json, to_markdown
from migration_lod.problems import InputError, Problem
from migration_lod.publish.catalogue import DCAT3
from migration_lod.publish.distribution import (
    CHANGES_FILE,
    CHANGES_JSON,
    DUMP_NAME,
    ONTOLOGY_TURTLE,
    RELEASE,
    RELEASE_FILE,
    RELEASES,
    releases,
)
from migration_lod.publish.dumps import publish_graph
from migration_lod.publish.ontology_docs import ontology_source
from migration_lod.rdf.vocabulary import parse_turtle_files

MAX_VERSION = 64
VERSION_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_version(version: str) -> None:
    """InputError unless the version can name a folder and an IRI segment as it is (2026.12, v1.0-rc.1)."""
    if not version or len(version) > MAX_VERSION or not set(version) <= VERSION_CHARACTERS \
            or not version[0].isalnum():
        raise InputError([Problem(f"the version {version[:MAX_VERSION]!r} is not 1-{MAX_VERSION} letters, digits, "
                                  "dots, hyphens and underscores starting with a letter or digit", field="version")])


def new_release_folder(out_dir: Path | str, version: str) -> Path:
    """Where the release `version` goes: OUT/releases/VERSION; InputError when that cannot be its name or
    when the release exists (a release is never replaced)."""
    check_version(version)
    target = Path(out_dir) / RELEASES / version
    if target.exists():
        raise InputError([Problem(f"release {version} exists: a release is never replaced (give another "
                                  "--version)", str(target))])
    return target


def versioned_catalogue(base_iri: str, version: str, previous: str | None) -> Callable[[Graph], Graph]:
    """The rewrite of a publication's catalogue into its release's: the dataset, its distributions and their
    files under BASE/releases/VERSION/, the version a dct:isVersionOf the dataset (which dct:hasVersion it)
    with dcat:previousVersion the release before. The SPARQL service stays the live one."""
    root = f"{base_iri}{RELEASES}/{version}/"
    series = URIRef(base_iri + "dataset")
    release = URIRef(root + "dataset")
    service = base_iri + "dataset/service/"

    def moved(term: Any) -> Any:
        text = str(term)
        if not isinstance(term, URIRef) or text.startswith(service):
            return term
        if text == str(series) or text.startswith(f"{series}/") or text.startswith(base_iri + DUMP_NAME + "."):
            return URIRef(root + text[len(base_iri):])
        return term

    def revise(catalogue: Graph) -> Graph:
        revised = Graph()
        for prefix, namespace in catalogue.namespaces():
            revised.bind(prefix, namespace, replace=True)
        for triple in catalogue:
            revised.add(tuple(moved(term) for term in triple))
        revised.add((series, DCTERMS.hasVersion, release))
        revised.add((release, DCTERMS.isVersionOf, series))
        if previous is not None:
            revised.add((release, DCAT3.previousVersion, URIRef(f"{base_iri}{RELEASES}/{previous}/dataset")))
        return revised

    return revise


@dataclass(frozen=True)
class OntologyVersion:
    """What an ontology document says of its version, and a digest of the rest of what it says."""

    iri: str
    version_iri: str | None
    prior_version: str | None
    digest: str  # of its triples but its owl:priorVersion, blank nodes compared by structure


def ontology_version(path: Path) -> OntologyVersion:
    """The version of the one owl:Ontology the Turtle file `path` describes; InputError naming the file when it
    cannot be read or does not describe exactly one."""
    try:
        graph = parse_turtle_files([path])
    except ValueError as exc:
        raise InputError([Problem(str(exc), str(path))]) from exc
    ontologies = sorted(graph.subjects(RDF.type, OWL.Ontology))
    if len(ontologies) != 1:
        raise InputError([Problem(f"describes {len(ontologies)} owl:Ontology, not one", str(path))])
    iri = ontologies[0]
    version, prior = graph.value(iri, OWL.versionIRI), graph.value(iri, OWL.priorVersion)
    graph.remove((iri, OWL.priorVersion, None))
    return OntologyVersion(str(iri), str(version) if version else None, str(prior) if prior else None,
                           f"{to_isomorphic(graph).graph_digest():x}")


def prior_ontology_version(ontology: OntologyVersion, source: Path, previous_release: Path | None) -> str | None:
    """The owl:priorVersion a release states of `ontology` (read from `source`), after the release in
    `previous_release`; InputError when the ontology has no version IRI, or changed under the one published."""
    if ontology.version_iri is None:
        raise InputError([Problem("the ontology states no owl:versionIRI: a release names the version of the "
                                  "ontology it holds", str(source), field="owl:versionIRI")])
    before = ontology_version(previous_release / ONTOLOGY_TURTLE) if previous_release is not None else None
    if before is not None and before.version_iri == ontology.version_iri and before.digest != ontology.digest:
        raise InputError([Problem(
            f"the ontology changed since release {previous_release.name}, which published it as "
            f"{ontology.version_iri}: give it a new owl:versionIRI (and owl:versionInfo)", str(source),
            field="owl:versionIRI")])
    if ontology.prior_version is not None or before is None:
        return ontology.prior_version
    return before.version_iri if before.version_iri != ontology.version_iri else before.prior_version


def _freeze(folder: Path) -> None:
    """Read-only for everyone, the owner included: a release is published to be read, never written again."""
    for path in folder.iterdir():
        os.chmod(path, 0o444)
    os.chmod(folder, 0o555)  # noqa: S103 - readable and listable by all, writable by none


def publish_release(graph: Graph, out_dir: Path | str, version: str, notes: str = "", **publishing: Any) -> Path:
    """Publish `graph` as the release `version` into `out_dir`/releases/`version` (publish_graph's keyword
    arguments pass through); the folder written. InputError when the version exists or cannot be a name."""
    target = new_release_folder(out_dir, version)
    out = Path(out_dir)
    earlier = releases(out)
    previous = earlier[-1]["version"] if earlier else None
    metadata = replace(publishing.pop("metadata"), version=version)
    source = ontology_source()
    ontology = ontology_version(source)
    prior = prior_ontology_version(ontology, source, out / RELEASES / previous if previous else None)
    issued = datetime.now(UTC).replace(microsecond=0).isoformat()

    def describe(staging: Path) -> None:
        dump = staging / f"{DUMP_NAME}.nt"
        with tempfile.TemporaryDirectory() as scratch:
            nothing = Path(scratch) / "nothing.nt"  # the first release is compared with an empty dump
            nothing.touch()
            before = out / RELEASES / previous / f"{DUMP_NAME}.nt" if previous else nothing
            changes = diff_dumps(before, dump, publishing["base_iri"])
        changes.old = f"release {previous}" if previous else "nothing (the first release)"
        changes.new = f"release {version}"
        (staging / CHANGES_FILE).write_text(to_markdown(changes), encoding="utf-8")
        (staging / CHANGES_JSON).write_text(to_json(changes), encoding="utf-8")
        description = {"version": version, "issued": issued, "notes": notes, "previous": previous,
                       "input_digest": metadata.data_digest, "changes": changes.counts(),
                       "ontology": {"iri": ontology.iri, "version_iri": ontology.version_iri, "prior_version": prior}}
        (staging / RELEASE_FILE).write_text(json.dumps(description, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")

    publish_graph(graph, target, metadata=metadata, kind=RELEASE, also=describe,
                  revise_catalogue=versioned_catalogue(publishing["base_iri"], version, previous),
                  prior_ontology_version=(ontology.iri, prior) if prior is not None else None, query_store=False,
                  **publishing)
    _freeze(target)
    return target
