"""Publishing a graph into dist/: Turtle, JSON-LD, N-Triples (+ .gz), context, VoID/DCAT, checksums.

The dumps are written by pyoxigraph straight from the store that holds the graph (20-35 times faster than
rdflib's serialisers, and no copy); the store gives triples back in an order fixed by the order they were
added (the reverse of it), so the same input always gives the same bytes. The JSON-LD is compacted in
Python while threads write the Turtle dump and the compressed copies (pyoxigraph and zlib work outside
the GIL). Files are written into a temporary folder beside the target, which then replaces it: a failed
publication leaves the previous one untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import DCAT, DCTERMS, OWL, RDF, VOID, XSD, Graph, Literal, URIRef

from migration_lod.links.sssom import LinkMapping, link_mappings, linksets, target_dataset, write_sssom
from migration_lod.outputs import MARKER, write_output
from migration_lod.progress import Progress, Stage
from migration_lod.publish.distribution import (
    CHECKSUMS,
    DUMP_NAME,
    DUMPS,
    PUBLICATION,
    SSSOM_FILE,
    VOID_FILE,
)
from migration_lod.publish.jsonld import write_jsonld
from migration_lod.rdf.jsonld import CONTEXT_FILE
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES, split_iri
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


@dataclass(frozen=True)
class Statistics:
    """What VoID says of the graph's size: triples, subjects, entities, predicates, entities per class."""

    triples: int
    subjects: int
    entities: int
    predicates: tuple[str, ...]
    classes: dict[URIRef, int]


def dataset_statistics(store: ox.Store, base_iri: str) -> Statistics:
    """The VoID statistics of the store's default graph (entities: IRIs under the base IRI)."""
    # One scan for the counts and the predicates, one for the classes.
    counts = next(store.query(
        "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?entity) AS ?entities) "
        '(GROUP_CONCAT(DISTINCT STR(?p); SEPARATOR=" ") AS ?predicates) WHERE { ?s ?p ?o '
        f"BIND (IF(isIRI(?s) && STRSTARTS(STR(?s), {_string(base_iri)}), ?s, ?none) AS ?entity) }}"))
    classes = {URIRef(c.value): int(n.value) for c, n in store.query(
        "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c FILTER isIRI(?c) } GROUP BY ?c")}
    return Statistics(int(counts["triples"].value), int(counts["subjects"].value), int(counts["entities"].value),
                      tuple(sorted(counts["predicates"].value.split())), classes)


def describe_dataset(statistics: Statistics, base_iri: str, metadata: DatasetMetadata, files: dict[str, Path],
                     links: list[LinkMapping]) -> Graph:
    """The VoID and DCAT description of the dataset: title, licence, dumps, triples and entities per class,
    and a void:Linkset per target vocabulary and link predicate."""
    dataset = URIRef(base_iri + "dataset")
    void = Graph()
    add = void.add
    for cls in (VOID.Dataset, DCAT.Dataset):
        add((dataset, RDF.type, cls))
    add((dataset, DCTERMS.title, Literal(metadata.title, lang="en")))
    add((dataset, DCTERMS.description, Literal(metadata.description, lang="en")))
    add((dataset, DCTERMS.license, URIRef(metadata.license)))
    add((dataset, DCTERMS.publisher, Literal(metadata.publisher)))
    add((dataset, OWL.versionInfo, Literal(metadata.version)))
    if metadata.data_digest:
        add((dataset, DCTERMS.hasVersion, Literal(metadata.data_digest)))
    if metadata.modified:
        add((dataset, DCTERMS.modified, Literal(metadata.modified, datatype=XSD.dateTime)))
    add((dataset, VOID.uriSpace, Literal(base_iri)))
    # The endpoint is where `migration-lod serve` answers when the dataset is served at its base IRI.
    add((dataset, VOID.sparqlEndpoint, URIRef(base_iri + "sparql")))
    add((dataset, VOID.triples, Literal(statistics.triples, datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(statistics.entities, datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(statistics.subjects, datatype=XSD.integer)))
    for cls, count in sorted(statistics.classes.items()):
        partition = URIRef(f"{base_iri}dataset/class/{_local(cls)}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    used = {*statistics.predicates, *map(str, statistics.classes)}
    for namespace in sorted(set(PREFIXES.values())):
        if any(term.startswith(namespace) for term in used):
            add((dataset, VOID.vocabulary, URIRef(namespace)))
    for (target, predicate), count in sorted(linksets(links).items()):
        linkset = URIRef(f"{base_iri}dataset/linkset/{target}-{_local(predicate)}")
        add((dataset, VOID.subset, linkset))
        add((linkset, RDF.type, VOID.Linkset))
        add((linkset, VOID.subjectsTarget, dataset))
        add((linkset, VOID.objectsTarget, URIRef(target_dataset(target))))
        add((linkset, VOID.linkPredicate, predicate))
        add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
    add((dataset, DCTERMS.relation, URIRef(base_iri + SSSOM_FILE)))
    for suffix, media_type in DUMPS.items():
        name = f"{DUMP_NAME}.{suffix}"
        download = URIRef(base_iri + name)
        distribution = URIRef(f"{base_iri}dataset/distribution/{suffix}")
        add((dataset, VOID.dataDump, download))
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCAT.downloadURL, download))
        add((distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        add((distribution, DCAT.byteSize, Literal(files[suffix].stat().st_size, datatype=XSD.nonNegativeInteger)))
    return void


def _string(text: str) -> str:
    """A SPARQL string literal."""
    return str(ox.Literal(text))


def _local(iri: URIRef) -> str:
    split = split_iri(iri)
    return f"{split[0]}-{split[1]}" if split else hashlib.sha256(str(iri).encode()).hexdigest()[:16]


def write_dumps(store: ox.Store, folder: Path, context: dict[str, Any], base_iri: str,
                pool: Executor, progress: Stage | None = None) -> dict[str, Path]:
    """Write the three dumps of the store's default graph and their .gz into `folder`; return them by suffix.

    The JSON-LD compaction is Python and holds the GIL; the Turtle dump and gzip run in `pool`'s threads
    meanwhile (pyoxigraph and zlib let go of the GIL), on the other cores.
    """
    files = {suffix: folder / f"{DUMP_NAME}.{suffix}" for suffix in DUMPS}
    nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT_GRAPH)
    files["nt"].write_bytes(nt)
    jobs = [pool.submit(_write_gzip, files["nt"]), pool.submit(_write_turtle_dump, store, files["ttl"])]
    write_jsonld(nt, context, context_iri(base_iri), files["jsonld"], progress)
    del nt
    jobs.append(pool.submit(_write_gzip, files["jsonld"]))
    for job in jobs:
        job.result()
    return files


def _write_turtle_dump(store: ox.Store, path: Path) -> None:
    store.dump(path, format=ox.RdfFormat.TURTLE, from_graph=DEFAULT_GRAPH, prefixes=PREFIXES)
    _write_gzip(path)


def write_turtle(graph: Graph, path: Path) -> None:
    """Write a small graph as sorted Turtle with the project's prefixes."""
    ordered = ox.parse(sorted_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(ordered, path, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def publish_graph(graph: Graph, out_dir: Path | str, *, base_iri: str, context: dict[str, Any],
                  metadata: DatasetMetadata, progress: Progress | None = None,
                  inputs: Iterable[Path] = ()) -> dict[str, Path]:
    """Publish `graph` into `out_dir` atomically; return the published files by name.

    `out_dir` must be missing, empty or an earlier publication, and apart from the `inputs` folders
    (outputs.check_output); InputError says why otherwise, before anything is written.
    """
    out = Path(out_dir)
    store = as_store(graph)
    stage = (progress or Progress(quiet=True)).stage("publishing (JSON-LD)", "triples", len(store))

    def fill(staging: Path) -> None:
        with ThreadPoolExecutor(max_workers=3) as pool:
            statistics = pool.submit(dataset_statistics, store, base_iri)
            files = write_dumps(store, staging, context, base_iri, pool, stage)
        (staging / CONTEXT_FILE).write_text(
            json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        links = link_mappings(graph, tuple(dict.fromkeys((base_iri, DEFAULT_BASE_IRI))))
        write_sssom(links, staging / SSSOM_FILE, mapping_set_id=base_iri + "mappings", version=metadata.version,
                    license_iri=metadata.license, prefixes={**PREFIXES, "mlod": base_iri})
        write_turtle(describe_dataset(statistics.result(), base_iri, metadata, files, links),
                     staging / VOID_FILE)
        _write_checksums(staging)

    write_output(out, PUBLICATION, fill, inputs)
    stage.done(f"published {stage.total:,} triples into {out}")
    return {p.name: out / p.name for p in sorted(out.iterdir()) if p.name != MARKER}


def _write_checksums(folder: Path) -> None:
    lines = []
    for path in sorted(folder.iterdir()):
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda s=stream: s.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {path.name}\n")
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
