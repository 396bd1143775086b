"""Loading records: each file parsed by its format (records/formats), each record checked against its kind;
each record knows its file, line and field lines."""

from __future__ import annotations

import datetime
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migration_lod.problems import InputError, Problem, quoted
from migration_lod.progress import Stage
from migration_lod.records.folder import ReadOptions, check_file, record_files
from migration_lod.records.formats import RECORD_SUFFIXES, format_of
from migration_lod.records.kinds import KIND_BY_STEM, SOURCE_KEYS, Field, Kind

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO3 = re.compile(r"^[A-Z]{3}$")
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$")
YEAR = re.compile(r"^\d{4}$")
YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://\S+$")
UN_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.]*(?:/[A-Z0-9.()-]+)+$")
UNBIS_ID = re.compile(r"^(?:http://metadata\.un\.org/thesaurus/)?(\d+)$")
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
    field_lines: dict[str, int] = field(default_factory=dict)  # of the fields not on the record's line

    @property
    def id(self) -> str:
        """The record's stable slug."""
        return self.values["id"]

    def problem(self, field_name: str | None, message: str, severity: str = "Violation") -> Problem:
        """A problem located at this record (and at the field's own line when known)."""
        line = self.field_lines.get(field_name, self.line) if field_name else self.line
        return Problem(message, self.file, line, self.values.get("id"), field_name, severity)


def _display(path: Path) -> str:
    """The path as a curator would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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


Checked = tuple[Any, str | None]  # the normalised value, or None and what is wrong with the value
Check = Callable[[Any], Checked]


def _checked_text(value: Any) -> Checked:
    checked = _check_text(value)
    return (checked, None) if isinstance(checked, dict) else (None, checked)


def _checked_count(value: Any) -> Checked:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return (str(int(text)), None) if text.isdigit() else (None, f"{quoted(value)} is not a whole number")


def _checked_year(value: Any) -> Checked:
    if YEAR.match(str(value)) and not isinstance(value, bool):
        return str(value), None
    return None, f"{quoted(value)} is not a year (YYYY)"


def _checked_date(value: Any) -> Checked:
    checked = _check_when(value, allow_partial=False)
    return (checked, None) if checked else (None, f"{quoted(value)} is not a date (YYYY-MM-DD)")


def _checked_when(value: Any) -> Checked:
    checked = _check_when(value, allow_partial=True)
    return (checked, None) if checked else (None, f"{quoted(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")


VALUE_CHECKS: dict[str, Check] = {  # field type -> the check of one value, for the types not written as strings
    "text": _checked_text, "count": _checked_count, "year": _checked_year, "date": _checked_date,
    "when": _checked_when,
}
AGENT = re.compile(f"{SLUG.pattern}|{ISO3.pattern}")
PATTERNS: dict[str, tuple[re.Pattern, str]] = {  # field type -> what its (stripped) string value must match
    "symbol": (UN_SYMBOL, "a UN document symbol (for example A/RES/71/1)"),
    "unbis": (UNBIS_ID, "a UNBIS Thesaurus identifier"),
    "iso3": (ISO3, "an ISO 3166-1 alpha-3 code"),
    "slug": (SLUG, "a safe IRI slug (lower-case letters, digits and single hyphens)"),
    "agent": (AGENT, REFERENCES["agent"]),
    **{kind: (SLUG, REFERENCES[kind]) for kind in ("organisation", "document", "event")},
}
CAPTURED = frozenset({"unbis"})  # the value kept is the pattern's first group (a UNBIS IRI's number)


def _string_check(spec: Field) -> Check:
    """The check of a value of the other types: a string (or a number written as one), its pattern, its
    choices; made once per field."""
    pattern, what = PATTERNS.get(spec.type, (None, ""))
    captured, choices = spec.type in CAPTURED, spec.choices

    def check(value: Any) -> Checked:
        if not isinstance(value, str) and (isinstance(value, bool) or not isinstance(value, int)):
            return None, f"must be a string, not {type(value).__name__}"
        value = str(value).strip()
        if pattern is not None:
            match = pattern.match(value)
            if match is None:
                return None, f"{quoted(value)} is not {what}"
            if captured:
                value = match.group(1)
        if choices and value not in choices:
            return None, f"{quoted(value)} is not one of: {', '.join(choices)}"
        return value, None
    return check


MEMORY = 8192  # the most answers the check of a field remembers, in one file


def _remembering(check: Check) -> Check:
    """The check, answering a string it has seen from memory: dates, codes, notations and the ids of documents
    repeat from record to record (its answers are strings: safely shared between records)."""
    answers: dict[str, Checked] = {}

    def remembered(value: Any) -> Checked:
        if value.__class__ is not str:
            return check(value)
        answer = answers.get(value)
        if answer is None:
            answer = check(value)
            if len(answers) < MEMORY:
                answers[value] = answer
        return answer
    return remembered


def field_check(spec: Field) -> Check:
    """The check of a field's value (a list of values for a field that repeats)."""
    if spec.type == "sources":
        return _check_sources
    check = VALUE_CHECKS.get(spec.type) or _string_check(spec)
    one = check if spec.type == "text" else _remembering(check)  # a text's answer is a mapping: never shared
    if not spec.many:
        return one

    def each(values: Any) -> Checked:
        if not isinstance(values, list):
            return None, "must be a list"
        checked = []
        for value in values:
            result, error = one(value)
            if error:
                return None, error
            checked.append(result)
        return checked, None
    return each


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


def kind_checks(kind: Kind) -> dict[str, Check]:
    """The check of each field of a kind, by field name; made once per file (each remembers its answers)."""
    return {spec.name: field_check(spec) for spec in kind.fields}


def check_record(kind: Kind, raw: Any, file: str, index: int,
                 checks: dict[str, Check]) -> tuple[Record | None, list[Problem]]:
    """Check one raw mapping against its kind with the checks of its file (kind_checks); return the record and
    the problems found."""
    line = getattr(raw, "line", None)
    if not isinstance(raw, dict):
        return None, [Problem(f"record {index + 1} is not a mapping of fields", file, line)]
    # Only the lines that differ from the record's own: a CSV row's fields all share it (and a million
    # records would otherwise hold a million dicts of lines that say nothing more).
    fields_elsewhere = {name: at for name, at in getattr(raw, "key_lines", {}).items() if at != line}
    record = Record(kind, {}, file, line or 0, fields_elsewhere)
    if isinstance(raw.get("id"), str):
        record.values["id"] = raw["id"]
    problems = []
    for name, value in raw.items():
        check = checks.get(name) if isinstance(name, str) else None
        if check is None:
            known = ", ".join(f.name for f in kind.fields)
            problems.append(record.problem(str(name), f"unknown field for a {kind.name} record (known: {known})"))
            continue
        if value is None or value == [] or value == "":
            continue
        checked, error = check(value)
        if error:
            problems.append(record.problem(name, error))
        else:
            record.values[name] = checked
    for spec in kind.required:
        if spec.name not in record.values and not any(p.field == spec.name for p in problems):
            problems.append(record.problem(spec.name, "required field is missing"))
    return (record if not problems else None), problems


def iter_file(path: Path, progress: Stage | None = None,
              options: ReadOptions | None = None) -> Iterator[tuple[Record | None, list[Problem]]]:
    """Each record of one file as it is read, with its problems (a record with problems is None); the kind
    comes from the file name. A file that cannot be read as records raises InputError at the first step."""
    shown = _display(path)
    kind = KIND_BY_STEM.get(path.stem)
    if kind is None:
        names = ", ".join(sorted(KIND_BY_STEM))
        raise InputError([Problem(f"unknown kind of records: the file name must be one of {names}", shown)])
    record_format = format_of(path)
    if record_format is None:
        raise InputError([Problem(f"unsupported format {quoted(path.suffix)}: use {', '.join(RECORD_SUFFIXES)}",
                                  shown)])
    too_large = check_file(path, options or ReadOptions(), shown)
    if too_large:
        raise InputError([too_large])
    checks = kind_checks(kind)
    for index, raw in enumerate(record_format.parse(path, shown, kind)):
        yield check_record(kind, raw, shown, index, checks)
        if progress is not None:
            progress.advance()


def read_file(path: Path, progress: Stage | None = None,
              options: ReadOptions | None = None) -> tuple[list[Record], list[Problem]]:
    """The good records of one file and the problems of the others; the kind comes from the file name."""
    records, problems = [], []
    for record, found in iter_file(path, progress, options):
        problems.extend(found)
        if record:
            records.append(record)
    return records, problems


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (and resumed after it, if it ran before)."""
    # Records and what is made of them hold no reference cycles, yet each full collection walks every object
    # alive, and reading or mapping creates several containers per record that all stay alive: 100k records
    # spent a third of their loading time in collections that freed nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_records(source: Path | str | Iterable[Path | str], progress: Stage | None = None,
                 options: ReadOptions | None = None) -> tuple[list[Record], list[Problem]]:
    """The good records of a data directory or of the given files, and every problem of the others."""
    with collector_paused():
        return _read_records(source, progress, options)


def _read_records(source: Path | str | Iterable[Path | str], progress: Stage | None,
                  options: ReadOptions | None) -> tuple[list[Record], list[Problem]]:
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


class RecordIds:
    """The ids seen so far: ids are unique per kind, and across ISCMs and organisations, which actor fields
    name alike."""

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], tuple[str, int]] = {}  # (namespace, id) -> (file, line)

    def add(self, record: Record) -> Problem | None:
        """Note the record's id; the problem when an earlier record has it."""
        namespace = "agent" if record.kind.name in ("iscm", "organisation") else record.kind.name
        first = self.first.get((namespace, record.id))
        if first is None:
            self.first[(namespace, record.id)] = (record.file, record.line)
            return None
        return record.problem("id", f'duplicate id "{record.id}": first used at {first[0]}:{first[1]}')


def _duplicate_ids(records: list[Record]) -> list[Problem]:
    ids = RecordIds()
    return [problem for problem in map(ids.add, records) if problem is not None]
