"""migration-lod: the governance of international migration as Linked Open Data.

    import migration_lod
    dataset = migration_lod.build("data/")
    report = dataset.validate()
    dataset.publish("dist/")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from migration_lod.exports import lazy_exports

try:
    __version__ = version("migration-lod")
except PackageNotFoundError:  # a checkout used without installing it
    __version__ = "unknown"

# Name -> module. The names are imported on first use, so that a part of the package (the server's query
# workers, the command line's --help) does not load the whole pipeline (rdflib's SPARQL, pyshacl).
_EXPORTS = {
    "Dataset": "dataset", "build": "dataset",
    "read_jsonld": "rdf.jsonld",
    "load_un_vocabularies": "rdf.vocabulary", "load_vocabulary": "rdf.vocabulary",
    "Record": "records.load", "load_records": "records.load",
    "load_metadata": "records.metadata",
    "map_records": "records.mapping",
    "InputError": "problems", "Problem": "problems", "ValidationFailed": "problems",
    "ValidationReport": "validation.report", "load_shapes": "validation.report", "validate": "validation.report",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
