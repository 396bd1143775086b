"""migration-lod: the governance of international migration as Linked Open Data.

    import migration_lod
    dataset = migration_lod.build("data/")
    report = dataset.validate()
    dataset.publish("dist/")
"""

from migration_lod.dataset import Dataset, build, load_metadata
from migration_lod.jsonld import read_jsonld
from migration_lod.mapping import map_records
from migration_lod.problems import InputError, Problem, ValidationFailed
from migration_lod.records import Record, load_records
from migration_lod.validation import ValidationReport, load_shapes, validate
from migration_lod.vocabulary import load_un_vocabularies, load_vocabulary

__all__ = [
    "Dataset",
    "InputError",
    "Problem",
    "Record",
    "ValidationFailed",
    "ValidationReport",
    "build",
    "load_metadata",
    "load_records",
    "load_shapes",
    "load_un_vocabularies",
    "load_vocabulary",
    "map_records",
    "read_jsonld",
    "validate",
]
