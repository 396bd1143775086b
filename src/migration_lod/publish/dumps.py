"""Publishing a graph into dist/: Turtle, JSON-LD, N-Triples (+ .gz), context, VoID/DCAT, checksums.

The dumps are written by pyoxigraph from the store that holds the graph (20-35 times faster than rdflib's
serialisers), in the order of their sorted N-Triples lines: the same graph always gives the same bytes,
whether it was held in memory or on disk. The JSON-LD is compacted in
Python while threads write the Turtle dump and the compressed copies (pyoxigraph and zlib work outside
the GIL). Files are written into a temporary folder beside the target, which then replaces it: a failed
publication leaves the previous one untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, Graph

from migration_lod.links.sssom import MappingSet, link_mappings, write_sssom
from migration_lod.outputs import MARKER, OutputKind, write_output
from migration_lod.problems import Problem, ValidationFailed
from migration_lod.progress import Progress, Stage
from migration_lod.publish.catalogue import check_catalogue, data_coverage, describe_catalogue
from migration_lod.publish.distribution import (
    CATALOGUE_FILE,
    CHECKSUMS,
    DUMP_NAME,
    DUMPS,
    PUBLICATION,
    SSSOM_FILE,
    STORE,
    VOID_FILE,
    releases,
)
from migration_lod.publish.jsonld import write_jsonld
from migration_lod.publish.ontology_docs import write_ontology_docs
from migration_lod.publish.query_store import copy_query_store, describe_query_store, load_query_store
from migration_lod.publish.void import dataset_statistics, describe_dataset
from migration_lod.rdf.jsonld import CONTEXT_FILE
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES
from migration_lod.rdf.sorted_lines import write_sorted
from migration_lod.rdf.sources import un_space
from migration_lod.rdf.terms import DEFAULT_GRAPH, as_store, sorted_ntriples
from migration_lod.records.metadata import DatasetMetadata

# gzip -1: a third of the time of -6 for files ~25% larger; publishers rebuild on every change.
GZIP_LEVEL = 1


def context_iri(base_iri: str) -> str:
    """Where the JSON-LD context is published, beside the dumps."""
    return base_iri + CONTEXT_FILE


def _write_gzip(path: Path) -> None:
    # mtime=0 and no file name in the header keep the compressed bytes reproducible.
    with path.open("rb") as source, open(f"{path}.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as target:
        shutil.copyfileobj(source, target, 1 << 20)


def write_dumps(store: ox.Store, folder: Path, context: dict[str, Any], base_iri: str,
                pool: Executor, progress: Stage | None = None, query_store: Path | None = None,
                store_on_disk: bool = False) -> dict[str, Path]:
    """Write the three dumps of the store's default graph and their .gz into `folder`; return them by suffix.
    With `query_store`, the N-Triples are also loaded into an on-disk store there (publish/query_store), or
    `store` is copied there when it is `store_on_disk` and holds only the graph of the dumps.

    Every dump is in the order of the sorted N-Triples lines (rdf/sorted_lines), whatever store holds the
    graph, read from the file and never held whole. The JSON-LD compaction is Python and holds the GIL; the
    Turtle dump, gzip and the query store's loading run in `pool`'s threads meanwhile (pyoxigraph and zlib
    let go of the GIL), on the other cores.
    """
    files = {suffix: folder / f"{DUMP_NAME}.{suffix}" for suffix in DUMPS}
    write_sorted(lambda stream: store.dump(stream, format=ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT_GRAPH),
                 files["nt"])
    jobs = [pool.submit(_write_gzip, files["nt"]), pool.submit(_write_turtle_dump, files["nt"], files["ttl"])]
    if query_store is not None and store_on_disk:
        jobs.append(pool.submit(copy_query_store, store, query_store))
    write_jsonld(files["nt"], context, context_iri(base_iri), files["jsonld"], progress)
    jobs.append(pool.submit(_write_gzip, files["jsonld"]))
    # After the compaction: their memory peaks would add up (2 M triples: 1.1 GB).
    if query_store is not None and not store_on_disk:
        jobs.append(pool.submit(load_query_store, files["nt"], query_store))
    for job in jobs:
        job.result()
    return files


def _write_turtle_dump(ntriples: Path, path: Path) -> None:
    # pyoxigraph's Turtle writer groups the consecutive triples of a subject: the sorted lines keep them so.
    ox.serialize(ox.parse(path=ntriples, format=ox.RdfFormat.N_TRIPLES), path, format=ox.RdfFormat.TURTLE,
                 prefixes=PREFIXES)
    _write_gzip(path)


def write_turtle(graph: Graph, path: Path) -> None:
    """Write a small graph as sorted Turtle with the project's prefixes."""
    ordered = ox.parse(sorted_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(ordered, path, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def publish_graph(graph: Graph, out_dir: Path | str, *, base_iri: str, context: dict[str, Any],
                  metadata: DatasetMetadata, progress: Progress | None = None, inputs: Iterable[Path] = (),
                  catalogue_report: list[Problem] | None = None, kind: OutputKind = PUBLICATION,
                  also: Callable[[Path], None] | None = None,
                  revise_catalogue: Callable[[Graph], Graph] | None = None,
                  prior_ontology_version: tuple[str, str] | None = None,
                  query_store: bool = True, store_on_disk: bool = False) -> dict[str, Path]:
    """Publish `graph` into `out_dir` atomically; return the published files by name.

    `out_dir` must be missing, empty or an earlier publication, and apart from the `inputs` folders
    (outputs.check_output); InputError says why otherwise, before anything is written. The DCAT-AP catalogue
    is checked against the profile's shapes: ValidationFailed on a violation, nothing published; the
    warnings are added to `catalogue_report` when given. `kind` says what the folder is (a publication, or a
    release that is never replaced); `also` writes more files into the staging folder, before the checksums;
    `revise_catalogue` rewrites the catalogue before it is checked (a release's names its version);
    `prior_ontology_version` (the ontology's IRI, the IRI of its version before) is stated in the dumps and
    the ontology's files of this publication only (a release's), the graph given is left as it was;
    `query_store` builds the on-disk store `serve` opens instead of loading the dumps (publish/query_store),
    a copy of the graph's own store when it is `store_on_disk` (a streamed build's).
    """
    out = Path(out_dir)
    store = as_store(graph)
    stage = (progress or Progress(quiet=True)).stage("publishing (JSON-LD)", "triples", len(store))

    def fill(staging: Path) -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            statistics = pool.submit(dataset_statistics, store, base_iri, un_space())
            coverage = pool.submit(data_coverage, store, base_iri)
            files = write_dumps(store, staging, context, base_iri, pool, stage,
                                query_store=staging / STORE if query_store else None, store_on_disk=store_on_disk)
        (staging / CONTEXT_FILE).write_text(
            json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        links = link_mappings(graph, tuple(dict.fromkeys((base_iri, DEFAULT_BASE_IRI))))
        write_sssom(links, staging / SSSOM_FILE, MappingSet(
            mapping_set_id=base_iri + SSSOM_FILE, title=f"Links of {metadata.title} to the UN's vocabularies",
            version=metadata.version, license=metadata.license, creator=metadata.publisher_iri(base_iri),
            mapping_date=(metadata.modified or datetime.now(UTC).isoformat())[:10],
            subject_source=base_iri + "dataset"), prefixes={**PREFIXES, "mlod": base_iri})
        write_turtle(describe_dataset(statistics.result(), base_iri, metadata, links), staging / VOID_FILE)
        write_ontology_docs(staging, prior_ontology_version)
        if also is not None:
            also(staging)
        digests = {path.name: _sha256(path) for path in staging.iterdir() if path.is_file()}
        if query_store:
            dumps = [staging / f"{files[suffix].name}{gz}" for suffix in DUMPS for gz in ("", ".gz")]
            describe_query_store(staging / STORE, dumps, digests, len(store))
        catalogue = describe_catalogue(base_iri, metadata, files, digests, coverage.result(), releases(out))
        if revise_catalogue is not None:
            catalogue = revise_catalogue(catalogue)
        problems = check_catalogue(catalogue)
        violations = [p for p in problems if p.severity == "Violation"]
        if violations:
            raise ValidationFailed(violations)
        if catalogue_report is not None:
            catalogue_report.extend(problems)
        write_turtle(catalogue, staging / CATALOGUE_FILE)
        _write_checksums(staging, digests)

    stated = _prior_version_quad(prior_ontology_version)
    added = stated is not None and stated not in store
    if added:
        store.add(stated)
    try:
        write_output(out, kind, fill, inputs)
    finally:
        if added:
            store.remove(stated)
    stage.done(f"published {stage.total:,} triples into {out}")
    return {p.name: out / p.name for p in sorted(out.iterdir()) if p.name != MARKER}


def _prior_version_quad(prior: tuple[str, str] | None) -> ox.Quad | None:
    if prior is None:
        return None
    return ox.Quad(ox.NamedNode(prior[0]), ox.NamedNode(str(OWL.priorVersion)), ox.NamedNode(prior[1]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_checksums(folder: Path, known: dict[str, str]) -> None:
    """SHA256SUMS of every file of the folder (the digests already computed are not computed again)."""
    lines = [f"{known.get(path.name) or _sha256(path)}  {path.name}\n" for path in sorted(folder.iterdir())
             if path.is_file()]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
