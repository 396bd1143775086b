"""Publishing a graph into dist/: Turtle, JSON-LD, N-Triples (+ .gz), context, VoID/DCAT, checksums.

Serialisation goes through pyoxigraph (20-35 times faster than rdflib's serialisers); triples are sorted
so that the same graph always gives the same bytes. Files are written into a temporary folder beside the
target, which then replaces it: a failed publication leaves the previous one untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import DCAT, DCTERMS, OWL, RDF, VOID, XSD, Graph, Literal, URIRef

from migration_lod.jsonld import CONTEXT_FILE, write_jsonld
from migration_lod.links import LinkMapping, link_mappings, linksets, target_dataset, write_sssom
from migration_lod.namespaces import DEFAULT_BASE_IRI, PREFIXES
from migration_lod.terms import sorted_ntriples

DUMP_NAME = "migration-lod"
DUMPS = {  # suffix -> media type
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
CHECKSUMS = "SHA256SUMS"
SSSOM_FILE = "mappings.sssom.tsv"
VOID_FILE = "void.ttl"


@dataclass(frozen=True)
class DatasetMetadata:
    """What the dataset description says about the dataset as a whole (from data/dataset.yaml)."""

    title: str
    description: str
    version: str
    license: str
    publisher: str
    modified: str | None = None  # when the input data last changed (xsd:dateTime), set by the build
    data_digest: str | None = None  # sha256 of the input files: which version of the data was built


def context_iri(base_iri: str) -> str:
    """Where the JSON-LD context is published, beside the dumps."""
    return base_iri + CONTEXT_FILE


def _write_gzip(path: Path) -> None:
    # mtime=0 and no file name in the header keep the compressed bytes reproducible.
    with path.open("rb") as source, open(f"{path}.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as target:
        shutil.copyfileobj(source, target, 1 << 20)


def describe_dataset(graph: Graph, base_iri: str, metadata: DatasetMetadata, files: dict[str, Path],
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
    # One pass over the graph for every count.
    subjects, predicates, classes = set(), set(), Counter()
    for s, p, o in graph:
        subjects.add(s)
        predicates.add(p)
        if p == RDF.type and isinstance(o, URIRef):
            classes[o] += 1
    add((dataset, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    entities = sum(1 for s in subjects if str(s).startswith(base_iri))
    add((dataset, VOID.entities, Literal(entities, datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{base_iri}dataset/class/{_local(cls)}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    used = {str(p) for p in predicates} | {str(c) for c in classes}
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


def _local(iri: URIRef) -> str:
    for name, namespace in PREFIXES.items():
        if str(iri).startswith(namespace):
            return f"{name}-{str(iri)[len(namespace):]}"
    return hashlib.sha256(str(iri).encode()).hexdigest()[:16]


def write_dumps(nt: bytes, folder: Path, context: dict[str, Any], base_iri: str) -> dict[str, Path]:
    """Write the three dumps of a graph (given as sorted N-Triples) into `folder`; return them by suffix."""
    files = {suffix: folder / f"{DUMP_NAME}.{suffix}" for suffix in DUMPS}
    files["nt"].write_bytes(nt)
    ordered = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    ox.serialize(ordered, files["ttl"], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    write_jsonld(ordered, context, context_iri(base_iri), files["jsonld"])
    return files


def write_turtle(graph: Graph, path: Path) -> None:
    """Write a small graph as sorted Turtle with the project's prefixes."""
    ordered = ox.parse(sorted_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(ordered, path, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def publish_graph(graph: Graph, out_dir: Path | str, *, base_iri: str, context: dict[str, Any],
                  metadata: DatasetMetadata) -> dict[str, Path]:
    """Publish `graph` into `out_dir` atomically; return the published files by name."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files = write_dumps(sorted_ntriples(graph), staging, context, base_iri)
        (staging / CONTEXT_FILE).write_text(
            json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        links = link_mappings(graph, tuple(dict.fromkeys((base_iri, DEFAULT_BASE_IRI))))
        write_sssom(links, staging / SSSOM_FILE, mapping_set_id=base_iri + "mappings", version=metadata.version,
                    license_iri=metadata.license, prefixes={**PREFIXES, "mlod": base_iri})
        write_turtle(describe_dataset(graph, base_iri, metadata, files, links), staging / VOID_FILE)
        for path in files.values():
            _write_gzip(path)
        _write_checksums(staging)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {p.name: out / p.name for p in sorted(out.iterdir())}


def _write_checksums(folder: Path) -> None:
    lines = []
    for path in sorted(folder.iterdir()):
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda s=stream: s.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {path.name}\n")
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


def _replace(staging: Path, out: Path) -> None:
    """Swap the staged folder in place of `out`, keeping the old one until the new one is there."""
    os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp makes it private; a publication is for everyone to read
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
