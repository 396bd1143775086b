"""Writing records back out as CSV, JSON or YAML, in the form the loader reads: a round trip keeps the graph."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from migration_lod.outputs import EXPORT, check_output, write_output
from migration_lod.problems import InputError
from migration_lod.records.folder import EXTERNAL_DIR, METADATA_FILE, ReadOptions
from migration_lod.records.kinds import Field, Kind
from migration_lod.records.load import LIST_SEPARATOR, SOURCE_KEYS, Record, load_records

FORMATS = ("csv", "json", "yaml")


def _plain(spec: Field, value: Any) -> Any:
    """A checked value in the form a curator writes it (an English text as a plain string)."""
    if spec.type == "text" and isinstance(value, dict) and list(value) == ["en"]:
        return value["en"]
    if spec.type == "count":
        return int(value)
    return value


def to_raw(record: Record) -> dict[str, Any]:
    """The record as the mapping a YAML or JSON file holds."""
    raw: dict[str, Any] = {}
    for spec in record.kind.fields:
        if spec.name not in record.values:
            continue
        value = record.values[spec.name]
        raw[spec.name] = [_plain(spec, v) for v in value] if spec.many and spec.type != "sources" else (
            _plain(spec, value))
    return raw


def _columns(kind: Kind, records: list[Record]) -> list[str]:
    columns = []
    for spec in kind.fields:
        present = [r.values[spec.name] for r in records if spec.name in r.values]
        if spec.type == "sources":
            most = max((len(v) for v in present), default=0)
            columns += [f"sources.{i}.{key}" for i in range(1, most + 1) for key in SOURCE_KEYS]
        elif spec.type == "text":
            texts = [t for v in present for t in (v if spec.many else [v])]
            languages = sorted({language for t in texts for language in t} - {"en"})
            columns += [spec.name] + [f"{spec.name}@{language}" for language in languages]
        else:
            columns.append(spec.name)
    return columns


def _cell(record: Record, column: str) -> str:
    name, _, language = column.partition("@")
    if name.startswith("sources."):
        _, index, key = name.split(".")
        sources = record.values.get("sources", [])
        return sources[int(index) - 1].get(key, "") if int(index) <= len(sources) else ""
    spec = record.kind.field(name)
    value = record.values.get(name)
    if spec is None or value is None:
        return ""
    items = value if spec.many else [value]
    if spec.type == "text":
        items = [t[language or "en"] for t in items if (language or "en") in t]
    items = [str(i) for i in items]
    if spec.many and any(LIST_SEPARATOR in i for i in items):
        raise InputError([record.problem(name, f"a value contains '{LIST_SEPARATOR}', which CSV uses between the "
                                               "items of a list: export as json or yaml")])
    return LIST_SEPARATOR.join(items)


def export_records(records: list[Record], out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write the records as one file per kind (iscms.csv, ...) into `out_dir`, which the caller has made and
    claimed (outputs.write_output); return the files."""
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind.file_stem, []).append(record)
    written = []
    for stem, group in sorted(by_kind.items()):
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps([to_raw(r) for r in group], indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        elif fmt == "yaml":
            path.write_text(yaml.safe_dump([to_raw(r) for r in group], sort_keys=False, allow_unicode=True,
                                           width=120), encoding="utf-8")
        else:
            columns = _columns(group[0].kind, group)
            with path.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow(columns)
                writer.writerows([_cell(r, c) for c in columns] for r in group)
        written.append(path)
    return written


def export_folder(data_dir: Path, out_dir: Path, fmt: str = "csv", options: ReadOptions | None = None,
                  ) -> tuple[int, list[str]]:
    """Export the records of a data folder, with its dataset.yaml and external/, into `out_dir` (missing, empty
    or an earlier export, apart from the data folder; replaced only when every file is written); return the
    number of records and the names of the files."""
    check_output(out_dir, EXPORT, [data_dir])
    records = load_records(data_dir, options=options)

    def fill(staging: Path) -> list[str]:
        files = export_records(records, staging, fmt)
        if (data_dir / METADATA_FILE).is_file():
            shutil.copy2(data_dir / METADATA_FILE, staging / METADATA_FILE)
        if (data_dir / EXTERNAL_DIR).is_dir():
            shutil.copytree(data_dir / EXTERNAL_DIR, staging / EXTERNAL_DIR)
        return [f.name for f in files]

    return len(records), write_output(out_dir, EXPORT, fill, [data_dir])
