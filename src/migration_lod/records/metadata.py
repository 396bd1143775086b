"""The dataset's description (data/dataset.yaml): its title, description, version, licence and publisher."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from migration_lod.problems import InputError, Problem
from migration_lod.records.folder import METADATA_FILE


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


def load_metadata(data_dir: Path | str) -> DatasetMetadata:
    """Read data/dataset.yaml: the title, description, version, licence and publisher of the dataset."""
    path = Path(data_dir) / METADATA_FILE
    shown = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError([Problem("missing: it gives the dataset's title, description, version, license and "
                                  "publisher", shown)]) from exc
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([Problem(f"cannot read the dataset description: {exc}", shown)]) from exc
    names = [f.name for f in fields(DatasetMetadata) if f.default is dataclasses.MISSING]
    if not isinstance(raw, dict):
        raise InputError([Problem("expected a mapping of " + ", ".join(names), shown)])
    problems = [Problem(f"unknown field (known: {', '.join(names)})", shown, field=str(k)) for k in raw
                if k not in names]
    problems += [Problem("required field is missing or empty", shown, field=n) for n in names
                 if not isinstance(raw.get(n), str | int | float) or not str(raw.get(n)).strip()]
    if problems:
        raise InputError(problems)
    return DatasetMetadata(**{n: str(raw[n]).strip() for n in names if n in raw})
