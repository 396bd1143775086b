"""The query store: the publication's graph in an on-disk Oxigraph store beside the dumps, built once when
publishing so that `serve` opens it read-only in milliseconds instead of parsing the dumps at every start.

`store/oxigraph/` is the store (RocksDB files); `store/store.json` names the dumps it holds the graph of
(their SHA-256, size and modification time), its number of triples and the pyoxigraph version that wrote it.
A store is used only for dumps it names, unchanged since (size and time, as `make` and `rsync` judge), whose
digest is the one the publication's SHA256SUMS lists, and by the pyoxigraph minor version that wrote it;
for anything else the caller loads the dumps, as it would without a store."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from migration_lod.publish.distribution import STORE, STORE_MANIFEST, checksums

STORE_DATA = "oxigraph"  # the store's own files, in STORE/
MAX_MANIFEST_BYTES = 1 << 20
FORMAT = 1  # of store.json


@dataclass(frozen=True)
class PublishedStore:
    """A query store that holds the graph of the dumps asked for."""

    path: Path  # the Oxigraph store, to open read-only
    triples: int


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load_query_store(ntriples: Path, folder: Path) -> int:
    """Bulk-load an N-Triples dump into a new on-disk store in `folder`/oxigraph; the number of triples."""
    folder.mkdir()
    store = ox.Store(str(folder / STORE_DATA))
    store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    count = len(store)
    del store  # closes the store: its files are complete
    return count


def copy_query_store(store: ox.Store, folder: Path) -> int:
    """Copy an on-disk store holding the graph of the dumps into `folder`/oxigraph (a RocksDB checkpoint:
    hard links where both are on one file system); the number of triples."""
    folder.mkdir()
    store.flush()
    store.backup(str(folder / STORE_DATA))
    return len(store)


def describe_query_store(folder: Path, dumps: Iterable[Path], digests: dict[str, str], triples: int) -> None:
    """Write `folder`/store.json: the dumps (with their digests) whose graph the store in `folder` holds."""
    described = {}
    for dump in dumps:
        status = dump.stat()
        described[dump.name] = {"sha256": digests[dump.name], "size": status.st_size, "mtime_ns": status.st_mtime_ns}
    manifest = {"format": FORMAT, "pyoxigraph": ox.__version__, "triples": triples, "dumps": described}
    (folder / STORE_MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def published_store(dumps: Iterable[Path]) -> PublishedStore | str:
    """The query store published with all of `dumps`, or why there is none to use."""
    dumps = [Path(d) for d in dumps]
    folders = {d.resolve().parent for d in dumps}
    if len(folders) != 1:
        return "the dumps are in several folders"
    folder = folders.pop()
    manifest_path = folder / STORE / STORE_MANIFEST
    try:
        if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
            return f"{manifest_path} is too large"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no query store beside the dumps ({folder / STORE})"
    except (OSError, ValueError) as exc:
        return f"{manifest_path} cannot be read: {exc}"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            not isinstance(manifest.get("dumps"), dict) or not isinstance(manifest.get("triples"), int):
        return f"{manifest_path} is not a description this tool wrote"
    if _minor(str(manifest.get("pyoxigraph"))) != _minor(ox.__version__):
        return f"the store was written by pyoxigraph {manifest.get('pyoxigraph')}, this is {ox.__version__}"
    listed = checksums(folder)
    for dump in dumps:
        described = manifest["dumps"].get(dump.name)
        status = dump.stat()
        if not isinstance(described, dict) or described.get("sha256") != listed.get(dump.name) or \
                (described.get("size"), described.get("mtime_ns")) != (status.st_size, status.st_mtime_ns):
            return f"{dump.name} is not a dump the store was built with, unchanged and listed in the checksums"
    try:  # opened once here, so that a store the workers could not open (permissions, damage) is never chosen
        ox.Store.read_only(str(folder / STORE / STORE_DATA))
    except OSError as exc:
        return f"the store cannot be opened: {exc}"
    return PublishedStore(folder / STORE / STORE_DATA, manifest["triples"])
