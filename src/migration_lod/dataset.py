"""The dataset: records mapped onto the ontology, validated, then published. The Python API's centre."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from migration_lod.links.offline import check_links, un_links
from migration_lod.problems import InputError, Problem, ValidationFailed
from migration_lod.progress import Progress, Stage
from migration_lod.publish.dumps import publish_graph
from migration_lod.publish.jsonld import build_context
from migration_lod.rdf.formats import read_quads
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI
from migration_lod.rdf.terms import as_store, canonical_quads, store_graph
from migration_lod.rdf.vocabulary import UNVocabularies, Vocabulary, load_un_vocabularies, load_vocabulary
from migration_lod.records.folder import MIB, ReadOptions, all_files, record_files
from migration_lod.records.load import Record, collector_paused, load_records
from migration_lod.records.mapping import Origins, check_base_iri, map_into, map_records
from migration_lod.records.metadata import DatasetMetadata, load_metadata
from migration_lod.records.stream import Workspace, check_records, stream_records
from migration_lod.validation.literals import faithful_store
from migration_lod.validation.report import ValidationReport, load_shapes, validate

STREAM_ABOVE_MIB = 64  # record files larger than this in all are built streamed (see BENCHMARKS.md)


def data_version(data_dir: Path, options: ReadOptions | None = None) -> tuple[str, str]:
    """The digest of the input files and when they last changed, so that a rebuild gives the same bytes.

    The date is SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the date of the last
    git commit of the folder when it has no uncommitted change, else the newest modification time.
    """
    files = all_files(data_dir, options or ReadOptions())
    digest = hashlib.sha256()
    for path in files:
        try:
            digest.update(path.name.encode() + b"\0")
            with path.open("rb") as stream:  # in blocks: a record file may be hundreds of MB
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            digest.update(b"\0")
        except OSError as exc:
            raise InputError([Problem(f"cannot read the file: {exc.strerror or exc}", str(path))]) from exc
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    else:
        moment = _git_date(data_dir) or datetime.datetime.fromtimestamp(
            max(p.stat().st_mtime for p in files), datetime.UTC)
    return f"sha256:{digest.hexdigest()}", moment.replace(microsecond=0).isoformat()


def _git_date(folder: Path) -> datetime.datetime | None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,  # noqa: S603,S607
                              timeout=10, check=True).stdout.strip()

    try:
        if git("status", "--porcelain", "--", "."):
            return None
        stamp = git("log", "-1", "--format=%ct", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return None
    return datetime.datetime.fromtimestamp(int(stamp), datetime.UTC) if stamp.isdigit() else None


@dataclass
class Dataset:
    """A built dataset: the graph (ontology, concept schemes, records, M49 areas) and where it came from."""

    graph: Graph
    base_iri: str
    vocabulary: Vocabulary
    un: UNVocabularies
    metadata: DatasetMetadata | None = None
    records: list[Record] = field(default_factory=list, repr=False)  # empty for a streamed build
    origins: Origins = field(default_factory=dict, repr=False)
    data_dir: Path | None = None
    record_count: int | None = None
    workspace: Workspace | None = field(default=None, repr=False)  # a streamed build's store and origins

    def __post_init__(self) -> None:
        if self.record_count is None:
            self.record_count = len(self.records)

    def __repr__(self) -> str:
        return (f"Dataset({self.record_count:,} records, {len(self.graph):,} triples, base_iri={self.base_iri!r}"
                + (", streamed" if self.workspace else "")
                + (f", data_dir={str(self.data_dir)!r})" if self.data_dir else ")"))

    def close(self) -> None:
        """Remove a streamed build's on-disk store and origins (the graph cannot be read after); nothing to do
        for a build in memory. Also done when the dataset is garbage-collected or the interpreter exits."""
        if self.workspace is not None:
            self.workspace.remove()

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def validate(self, shapes: Graph | None = None, engine: str = "fast",
                 progress: Progress | None = None) -> ValidationReport:
        """Validate the graph against the SHACL shapes and its UN links against the vendored vocabularies;
        problems name the record, file, line and field. engine: "fast" (SPARQL) or "pyshacl"."""
        return validate(self.graph, shapes if shapes is not None else load_shapes(), self.origins,
                        also=check_links(self.graph, self.un, self.origins), engine=engine, progress=progress)

    def publish(self, out_dir: Path | str, report: ValidationReport | None = None,
                progress: Progress | None = None, catalogue_report: list[Problem] | None = None,
                query_store: bool = True) -> dict[str, Path]:
        """Write the dumps, context, catalogue, VoID, SSSOM and checksums into `out_dir`; refuse when there is a
        violation, of the data's shapes or of DCAT-AP's on the catalogue.

        `out_dir` must be missing, empty or an earlier publication, and apart from the data folder (InputError
        otherwise). `report` is the validation of the graph as it is now, when the caller has just made it;
        the catalogue's DCAT-AP warnings are added to `catalogue_report` when given. `query_store` also writes
        store/, the on-disk store `serve` opens instead of loading the dumps.
        """
        return publish_graph(self.graph, out_dir, query_store=query_store, store_on_disk=self.workspace is not None,
                             **self._publishing(report, progress, catalogue_report))

    def release(self, out_dir: Path | str, version: str, notes: str = "", report: ValidationReport | None = None,
                progress: Progress | None = None, catalogue_report: list[Problem] | None = None) -> Path:
        """Publish the release `version` into `out_dir`/releases/`version`, with CHANGES.md since the previous
        release there and release.json; refuse a version that exists (InputError) and violations as publish
        does. The folder written is returned; its files are read-only."""
        from migration_lod.publish.releases import publish_release  # the diff machinery only for releases

        return publish_release(self.graph, out_dir, version, notes,
                               **self._publishing(report, progress, catalogue_report))

    def _publishing(self, report: ValidationReport | None, progress: Progress | None,
                    catalogue_report: list[Problem] | None) -> dict:
        """publish_graph's arguments for this dataset, once it is validated without violations."""
        if self.metadata is None:
            raise ValueError("the dataset has no description (data/dataset.yaml): it cannot be published")
        report = report or self.validate(progress=progress)
        if not report.conforms:
            raise ValidationFailed(report.violations)
        return {"base_iri": self.base_iri, "context": build_context(self.vocabulary.graph), "metadata": self.metadata,
                "progress": progress, "inputs": [self.data_dir] if self.data_dir else [],
                "catalogue_report": catalogue_report}


def assemble(records: list[Record], base_iri: str = DEFAULT_BASE_IRI, data_dir: Path | None = None,
             metadata: DatasetMetadata | None = None, progress: Progress | None = None) -> Dataset:
    """Map records onto the ontology and add the vocabulary: the dataset's graph, ready to validate."""
    vocabulary = load_vocabulary()
    un = load_un_vocabularies(data_dir)
    stage = (progress or Progress(quiet=True)).stage("mapping", "records", len(records))
    with collector_paused():  # 100k records: 25 s -> 18 s of CPU, the same peak memory
        mapping = map_records(records, base_iri, vocabulary, un, progress=stage)
    _add_vocabulary(as_store(mapping.graph), vocabulary, un, stage, len(records))
    return Dataset(mapping.graph, base_iri, vocabulary, un, metadata, records, mapping.origins)


def _add_vocabulary(store: ox.Store, vocabulary: Vocabulary, un: UNVocabularies, stage: Stage, records: int) -> None:
    # The UN SDG KOS concepts the vocabulary matches are published too, so queries reach their labels.
    described = un.describe({o for _, _, o in un_links(vocabulary.graph)})
    store.bulk_extend(canonical_quads(chain(vocabulary.graph, described)))
    stage.done(f"mapped {records:,} records to {len(store):,} triples")


def build(data_dir: Path | str, base_iri: str = DEFAULT_BASE_IRI, progress: Progress | None = None,
          options: ReadOptions | None = None, streamed: bool | None = None) -> Dataset:
    """Load the records of `data_dir`, map them onto the ontology and return the dataset (not yet validated).

    `options` say which extra entries the folder may hold, whether links out of it are read, and the
    largest record file (folder.ReadOptions). `streamed` builds through an on-disk store without holding the
    records (records/stream): memory that does not grow with the data, for the price of reading the records
    twice; by default it is chosen when the record files hold more than STREAM_ABOVE_MIB MiB in all.
    """
    data = Path(data_dir)
    check_base_iri(base_iri)
    if not data.is_dir():
        raise InputError([Problem("not a directory of records", str(data))])
    metadata = load_metadata(data)
    digest, modified = data_version(data, options)
    metadata = replace(metadata, data_digest=digest, modified=modified)
    files = record_files(data, options)
    if streamed is None:
        streamed = sum(path.stat().st_size for path in files) > STREAM_ABOVE_MIB * MIB
    progress = progress or Progress(quiet=True)
    if streamed:
        return _build_streamed(files, base_iri, data, metadata, progress, options)
    stage = progress.stage("loading", "records")
    records = load_records(files, progress=stage, options=options)
    _check_some(len(records), data)
    stage.done(f"loaded {len(records):,} records")
    return replace(assemble(records, base_iri, data, metadata, progress), data_dir=data)


def _check_some(records: int, data: Path) -> None:
    if not records:
        raise InputError([Problem("no record files (iscms, organisations, practices, events, documents)",
                                  str(data))])


def _build_streamed(files: list[Path], base_iri: str, data: Path, metadata: DatasetMetadata, progress: Progress,
                    options: ReadOptions | None) -> Dataset:
    """The records checked in a first reading (their ids kept), then read again and mapped a few at a time
    into an on-disk store, their origins on disk too."""
    stage = progress.stage("loading", "records")
    ids = check_records(files, stage, options)
    _check_some(len(ids), data)
    stage.done(f"checked {len(ids):,} records (streamed build: they are read again to be mapped)")
    vocabulary = load_vocabulary()
    un = load_un_vocabularies(data)
    workspace = Workspace()
    try:
        stage = progress.stage("mapping", "records", len(ids))
        map_into(workspace.store, stream_records(files, options), ids, base_iri, vocabulary, un, workspace.origins,
                 progress=stage)
        workspace.origins.flush()
        _add_vocabulary(workspace.store, vocabulary, un, stage, len(ids))
    except BaseException:
        workspace.remove()
        raise
    return Dataset(store_graph(workspace.store), base_iri, vocabulary, un, metadata, [], workspace.origins, data,
                   len(ids), workspace)


def validate_rdf_files(paths: list[Path], engine: str = "fast") -> ValidationReport:
    """Validate RDF files (merged into one graph with the project's vocabulary, every literal as written) against
    the shapes, links to the UN's vocabularies checked offline too."""
    store, _ = faithful_store([*read_quads(paths), *canonical_quads(load_vocabulary().graph)])
    graph = store_graph(store)
    return validate(graph, also=check_links(graph, load_un_vocabularies()), engine=engine)


def validate_data_folders(paths: list[Path], base_iri: str = DEFAULT_BASE_IRI, engine: str = "fast",
                          options: ReadOptions | None = None) -> ValidationReport:
    """Validate the data folders of record files and folders, each read exactly as `build` reads it (a record
    refers to records of other kinds)."""
    folders = sorted({(p if p.is_dir() else p.parent) for p in paths})
    reports = [build(folder, base_iri, options=options).validate(engine=engine) for folder in folders]
    return ValidationReport([p for r in reports for p in r.problems], [n for r in reports for n in r.notes])
