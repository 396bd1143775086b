"""Writing records to files in the form the loader reads them back (a round trip keeps the graph): YAML, JSON,
and CSV (list cells joined with '|', texts in other languages in label@fr columns, sources.N.key columns)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from migration_lod.problems import InputError
from migration_lod.records.kinds import LIST_SEPARATOR, SOURCE_KEYS, Field, Kind

if TYPE_CHECKING:
    from migration_lod.records.load import Record


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


def write_json(records: list[Record], path: Path) -> None:
    """The records of one kind as a JSON list of mappings."""
    path.write_text(json.dumps([to_raw(r) for r in records], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_yaml(records: list[Record], path: Path) -> None:
    """The records of one kind as a YAML list of mappings."""
    path.write_text(yaml.safe_dump([to_raw(r) for r in records], sort_keys=False, allow_unicode=True, width=120),
                    encoding="utf-8")


def write_csv(records: list[Record], path: Path) -> None:
    """The records of one kind as CSV, one row each, the columns the records use."""
    columns = _columns(records[0].kind, records)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows([_cell(r, c) for c in columns] for r in records)
