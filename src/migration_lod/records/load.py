"""Loading records from YAML, CSV and JSON files; each record knows its file, line and field lines."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from migration_lod.problems import InputError, Problem, quoted
from migration_lod.progress import Stage
from migration_lod.records.folder import RECORD_SUFFIXES, ReadOptions, check_file, record_files
from migration_lod.records.kinds import KIND_BY_STEM, Field, Kind

MAX_DEPTH = 32  # nesting of a record file: records in a list, mappings of lists of mappings need 5
MAX_EXPANSION = 10  # YAML aliases may repeat what a file holds at most this many times over
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO3 = re.compile(r"^[A-Z]{3}$")
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$")
YEAR = re.compile(r"^\d{4}$")
YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://\S+$")
UN_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.]*(?:/[A-Z0-9.()-]+)+$")
UNBIS_ID = re.compile(r"^(?:http://metadata\.un\.org/thesaurus/)?(\d+)$")
LIST_SEPARATOR = "|"
SOURCE_KEYS = ("document", "section")
REFERENCES = {  # field type -> what a value must name
    "agent": "an ISO 3166-1 alpha-3 code or the id of an ISCM or organisation",
    "organisation": "the id of an organisation",
    "document": "the id of a document",
    "event": "the id of an event",
}


@dataclass
class Record:
    """One record: its kind, its checked values, and where it was read from."""

    kind: Kind
    values: dict[str, Any]
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The record's stable slug."""
        return self.values["id"]

    def problem(self, field_name: str | None, message: str, severity: str = "Violation") -> Problem:
        """A problem located at this record (and at the field's own line when known)."""
        line = self.field_lines.get(field_name, self.line) if field_name else self.line
        return Problem(message, self.file, line, self.values.get("id"), field_name, severity)


# --- reading files -------------------------------------------------------------------------------


class _LocatedDict(dict):
    """A mapping read from YAML or JSON that remembers the line of each key."""

    line: int
    key_lines: dict[str, int]


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping (PyYAML would silently keep the last)."""


class _Loader(yaml.SafeLoader):
    """Safe YAML loading that keeps dates as strings and mappings with their lines, and bounds nesting."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        """Compose a node, refusing to go deeper than MAX_DEPTH (PyYAML recurses)."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LocatedDict:
    loader.flatten_mapping(node)
    mapping = _LocatedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise _DuplicateKey(None, None, f'duplicate key "{key}"', key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _display(path: Path) -> str:
    """The path as a curator would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_text(path: Path, shown: str) -> str:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" and some editors start the file with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", shown)]) from exc
    if not text.strip():
        raise InputError([Problem("the file is empty: expected a list of records", shown, 1)])
    return text


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """How many values the document holds once its aliases are expanded, and how many it writes out.

    Raises ValueError for an alias that contains itself. Walked without recursion: documents can be deep.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise ValueError("an alias refers to a value that contains it")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)], len(sizes)


def _read_structured(path: Path, shown: str) -> list[Any]:
    """Parse a YAML or JSON file into a list of located mappings (nesting and aliases bounded)."""
    text = _read_text(path, shown)
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(f"malformed JSON: {exc.msg}", shown, exc.lineno)]) from exc
        except RecursionError as exc:
            raise InputError([Problem("malformed JSON: nested too deeply", shown)]) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            expanded, written = _expanded_size(node)
            if expanded > MAX_EXPANSION * written + 1000:
                raise InputError([Problem(f"its aliases (*name) expand it to {expanded:,} values from {written:,}: "
                                          f"write the repeated values out", shown)])
        data = loader.construct_document(node) if node is not None else None
    except ValueError as exc:
        raise InputError([Problem(f"malformed YAML: {exc}", shown)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "syntax error"
        raise InputError([Problem(f"malformed YAML: {what}", shown, line)]) from exc
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"malformed YAML: {exc}", shown)]) from exc
    finally:
        loader.dispose()
    if data is None:
        raise InputError([Problem("the file is empty: expected a list of records", shown, 1)])
    if not isinstance(data, list):
        line = getattr(data, "line", 1)
        raise InputError([Problem("expected a list of records at the top level", shown, line)])
    return data


def _read_csv(path: Path, shown: str, kind: Kind) -> Iterator[_LocatedDict]:
    """Rows of a CSV file as located mappings; list cells are split on '|', sources.N.key columns nested."""
    text = _read_text(path, shown)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _csv_rows(reader, shown, kind)
    except csv.Error as exc:
        raise InputError([Problem(f"malformed CSV: {exc}", shown, reader.line_num)]) from exc


def _csv_rows(reader: Any, shown: str, kind: Kind) -> Iterator[_LocatedDict]:
    header = next(reader)
    end = reader.line_num
    for row in reader:
        # A quoted cell may span lines: a row starts on the line after the previous one ended.
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError([Problem(f"the row has {len(row)} cells, the header {len(header)}", shown, line)])
        mapping = _LocatedDict()
        mapping.line = line
        mapping.key_lines = {}
        for column, cell in zip(header, row, strict=True):
            cell = cell.strip()
            if not cell:
                continue
            name, _, language = column.partition("@")
            spec = kind.field(name.split(".")[0])
            if name.startswith("sources."):
                _, index, key = ([*name.split("."), "", ""])[:3]
                sources = mapping.setdefault("sources", {})
                sources.setdefault(index, {})[key] = cell
                mapping.key_lines["sources"] = line
                continue
            value: Any = cell
            if spec and spec.many:
                items = [v.strip() for v in cell.split(LIST_SEPARATOR)]
                value = [*(mapping.get(name) or []), *({language: v} for v in items)] if language else [
                    *(mapping.get(name) or []), *items]
            elif language or name in mapping:
                # label and label@fr columns make one text in several languages.
                texts = mapping.get(name, {})
                value = {**({"en": texts} if isinstance(texts, str) else texts), language or "en": cell}
            mapping[name] = value
            mapping.key_lines[name] = line
        if "sources" in mapping:
            mapping["sources"] = [mapping["sources"][i] for i in sorted(mapping["sources"], key=_index_key)]
        yield mapping


def _index_key(index: str) -> tuple[int, str]:
    return (int(index), "") if index.isdigit() else (10**9, index)


# --- checking values -----------------------------------------------------------------------------


def _check_text(value: Any) -> dict[str, str] | str:
    """A text is a non-empty string (English) or a mapping of language tags to strings."""
    if isinstance(value, str):
        return {"en": value.strip()} if value.strip() else "must not be empty"
    if isinstance(value, dict) and value:
        for tag, text in value.items():
            if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
                return f"{quoted(tag)} is not a valid BCP 47 language tag"
            if not isinstance(text, str) or not text.strip():
                return f"the {quoted(tag)} text must be a non-empty string"
        return {tag: text.strip() for tag, text in value.items()}
    return "must be a string or a mapping of language tags to strings"


def _check_when(value: Any, allow_partial: bool) -> str | None:
    """A year, year-month or full date, checked to exist; None when malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    if allow_partial and YEAR.match(value):
        return value
    if allow_partial and YEAR_MONTH.match(value):
        return value if 1 <= int(value[5:]) <= 12 else None
    if FULL_DATE.match(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return None
        return value
    return None


def _check_scalar(spec: Field, value: Any) -> tuple[Any, str | None]:
    """Check one value of a field; return the normalised value, or an error message."""
    kind = spec.type
    if kind == "text":
        checked = _check_text(value)
        return (checked, None) if isinstance(checked, dict) else (None, checked)
    if kind == "count":
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        return (str(int(text)), None) if text.isdigit() else (None, f"{quoted(value)} is not a whole number")
    if kind in ("year", "date", "when"):
        checked = _check_when(value, allow_partial=kind == "when") if kind != "year" else (
            str(value) if YEAR.match(str(value)) and not isinstance(value, bool) else None
        )
        expected = {"year": "a year (YYYY)", "date": "a date (YYYY-MM-DD)",
                    "when": "a date (YYYY, YYYY-MM or YYYY-MM-DD)"}[kind]
        return (checked, None) if checked else (None, f"{quoted(value)} is not {expected}")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None, f"must be a string, not {type(value).__name__}"
    value = str(value).strip()
    if kind == "symbol" and not UN_SYMBOL.match(value):
        return None, f"{quoted(value)} is not a UN document symbol (for example A/RES/71/1)"
    if kind == "unbis":
        match = UNBIS_ID.match(value)
        return (match.group(1), None) if match else (None, f"{quoted(value)} is not a UNBIS Thesaurus identifier")
    if kind == "iso3" and not ISO3.match(value):
        return None, f"{quoted(value)} is not an ISO 3166-1 alpha-3 code"
    if kind == "slug" and not SLUG.match(value):
        return None, f"{quoted(value)} is not a safe IRI slug (lower-case letters, digits and single hyphens)"
    if kind in REFERENCES and not (SLUG.match(value) or (kind == "agent" and ISO3.match(value))):
        return None, f"{quoted(value)} is not {REFERENCES[kind]}"
    if spec.choices and value not in spec.choices:
        return None, f"{quoted(value)} is not one of: {', '.join(spec.choices)}"
    return value, None


def _check_sources(value: Any) -> tuple[list[dict[str, str]] | None, str | None]:
    if not isinstance(value, list) or not value:
        return None, "must be a non-empty list of sources (document, section)"
    sources = []
    for item in value:
        if not isinstance(item, dict):
            return None, "each source must be a mapping with 'document' and optionally 'section'"
        unknown = sorted(set(item) - set(SOURCE_KEYS))
        if unknown:
            return None, f"unknown key {quoted(unknown[0])} in a source (expected: document, section)"
        document = item.get("document")
        if not isinstance(document, str) or not (SLUG.match(document) or URL.match(document)):
            return None, f"{quoted(document)} is not the id of a document nor an http(s) URL"
        section = item.get("section")
        if section is not None and (not isinstance(section, str) or not section.strip()):
            return None, "a source's section must be a non-empty string"
        sources.append({k: item[k].strip() for k in SOURCE_KEYS if item.get(k)})
    return sources, None


def check_record(kind: Kind, raw: Any, file: str, index: int) -> tuple[Record | None, list[Problem]]:
    """Check one raw mapping against its kind; return the record and the problems found."""
    line = getattr(raw, "line", None)
    if not isinstance(raw, dict):
        return None, [Problem(f"record {index + 1} is not a mapping of fields", file, line)]
    key_lines = getattr(raw, "key_lines", {})
    record = Record(kind, {}, file, line or 0, dict(key_lines))
    if isinstance(raw.get("id"), str):
        record.values["id"] = raw["id"]
    problems = []
    for name, value in raw.items():
        spec = kind.field(name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(f.name for f in kind.fields)
            problems.append(record.problem(str(name), f"unknown field for a {kind.name} record (known: {known})"))
            continue
        if value is None or value == [] or value == "":
            continue
        if spec.type == "sources":
            checked, error = _check_sources(value)
        elif spec.many:
            if not isinstance(value, list):
                checked, error = None, "must be a list"
            else:
                results = [_check_scalar(spec, v) for v in value]
                error = next((e for _, e in results if e), None)
                checked = [v for v, _ in results]
        else:
            checked, error = _check_scalar(spec, value)
        if error:
            problems.append(record.problem(name, error))
        else:
            record.values[name] = checked
    for spec in kind.fields:
        if spec.required and spec.name not in record.values and not any(p.field == spec.name for p in problems):
            problems.append(record.problem(spec.name, "required field is missing"))
    return (record if not problems else None), problems


def read_file(path: Path, progress: Stage | None = None,
              options: ReadOptions | None = None) -> tuple[list[Record], list[Problem]]:
    """The good records of one file and the problems of the others; the kind comes from the file name."""
    shown = _display(path)
    kind = KIND_BY_STEM.get(path.stem)
    if kind is None:
        names = ", ".join(sorted(KIND_BY_STEM))
        raise InputError([Problem(f"unknown kind of records: the file name must be one of {names}", shown)])
    if path.suffix not in RECORD_SUFFIXES:
        raise InputError([Problem(f"unsupported format {quoted(path.suffix)}: use .yaml, .json or .csv", shown)])
    too_large = check_file(path, options or ReadOptions(), shown)
    if too_large:
        raise InputError([too_large])
    raws: Iterable[Any] = _read_csv(path, shown, kind) if path.suffix == ".csv" else _read_structured(path, shown)
    records, problems = [], []
    for index, raw in enumerate(raws):
        record, found = check_record(kind, raw, shown, index)
        problems.extend(found)
        if record:
            records.append(record)
        if progress is not None:
            progress.advance()
    return records, problems


def read_records(source: Path | str | Iterable[Path | str], progress: Stage | None = None,
                 options: ReadOptions | None = None) -> tuple[list[Record], list[Problem]]:
    """The good records of a data directory or of the given files, and every problem of the others."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            return [], [Problem("no such file or directory", str(source))]
        try:
            paths = record_files(path, options) if path.is_dir() else [path]
        except InputError as exc:
            return [], exc.problems
    else:
        paths = [Path(p) for p in source]
    records: list[Record] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            good, bad = read_file(path, progress, options)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        records.extend(good)
        problems.extend(bad)
    problems.extend(_duplicate_ids(records))
    return records, problems


def load_records(source: Path | str | Iterable[Path | str], progress: Stage | None = None,
                 options: ReadOptions | None = None) -> list[Record]:
    """Load the records of a data directory or of the given files; raise InputError naming every problem."""
    records, problems = read_records(source, progress, options)
    if problems:
        raise InputError(problems)
    return records


def _duplicate_ids(records: list[Record]) -> list[Problem]:
    """Ids are unique per kind, and across ISCMs and organisations, which actor fields name alike."""
    seen: dict[tuple[str, str], Record] = {}
    problems = []
    for record in records:
        namespace = "agent" if record.kind.name in ("iscm", "organisation") else record.kind.name
        first = seen.setdefault((namespace, record.id), record)
        if first is not record:
            message = f'duplicate id "{record.id}": first used at {first.file}:{first.line}'
            problems.append(record.problem("id", message))
    return problems
