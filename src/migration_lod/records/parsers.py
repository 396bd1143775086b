"""Reading record files into located mappings: YAML and JSON (one bounded loader: nesting, alias expansion and
duplicate keys refused; values built in one pass of libyaml's events, PyYAML's composer left the documents
that pass does not read) and CSV (list cells split, sources.N.key columns nested); each mapping knows the line
of the record and of each of its keys."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

import yaml

from migration_lod.problems import InputError, Problem, quoted
from migration_lod.records.kinds import LIST_SEPARATOR, Kind

MAX_DEPTH = 32  # nesting of a record file: records in a list, mappings of lists of mappings need 5
MAX_EXPANSION = 10  # YAML aliases may repeat what a file holds at most this many times over


class LocatedDict(dict):
    """A mapping read from a record file that remembers its line and the line of each key (none for a CSV
    row, whose keys are all on its line)."""

    line: int
    key_lines: dict[str, int]


class _BadKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping (PyYAML would silently keep the last), or a key that is a list or a
    mapping."""


# libyaml's parser where PyYAML was built with it (its wheels are): the pure-Python one is ten times slower.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Parser):  # type: ignore[misc, valid-type]
    """Safe YAML loading that keeps dates as strings and mappings with their lines (the nesting and the
    aliases are bounded before, by _check_shape on the events)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    mapping = LocatedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            what = "mapping" if isinstance(key, dict) else type(key).__name__
            raise _BadKey(None, None, f"a key must be a plain value, not a {what}", key_node.start_mark)
        if key in mapping:
            raise _BadKey(None, None, f'duplicate key "{key}"', key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path, shown: str, empty: str | None = "the file is empty: expected a list of records") -> str:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" and some editors start the file with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", shown)]) from exc
    if empty and not text.strip():
        raise InputError([Problem(empty, shown, 1)])
    return text


class _Shape:
    """What a document's events have shown of its shape so far: nesting past MAX_DEPTH is refused (both of
    PyYAML's composers recurse, libyaml's in C), and so are aliases that would expand it past MAX_EXPANSION
    times what it writes out (a few hundred bytes of anchors can otherwise become gigabytes). Counted event by
    event, without recursion and before anything is built."""

    def __init__(self) -> None:
        self.open_anchors: list[str | None] = []
        self.started_at: list[int] = []  # the count of values when each open collection started
        self.sizes: dict[str, int] = {}  # the expanded size of each anchored value seen whole
        self.written = self.expanded = 0

    def see(self, event: yaml.Event) -> None:
        """Take the next event into account; raise when the document goes past a bound."""
        if isinstance(event, yaml.CollectionStartEvent):
            if len(self.started_at) >= MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                  event.start_mark)
            self.written, self.expanded = self.written + 1, self.expanded + 1
            self.open_anchors.append(event.anchor)
            self.started_at.append(self.expanded - 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = self.open_anchors.pop(), self.started_at.pop()
            if anchor is not None:
                self.sizes[anchor] = self.expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            self.written, self.expanded = self.written + 1, self.expanded + 1
            if event.anchor is not None:
                self.sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise ValueError("an alias refers to a value that contains it")
            if event.anchor not in self.sizes:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            self.expanded += self.sizes[event.anchor]
            if self.expanded > MAX_EXPANSION * self.written + 1000:
                raise _TooExpanded(self.expanded, self.written)


def _check_shape(loader: _Loader) -> None:
    """Read the document's events once, before any node is composed, and refuse it past a bound (_Shape)."""
    shape = _Shape()
    while loader.check_event():
        shape.see(loader.get_event())


class _Unusual(Exception):
    """A document that uses what the one-pass reading leaves to PyYAML: merge keys, keys that are not plain
    scalars, tags of its own on collections or on unknown scalars."""


_STR, _MERGE, _VALUE = (f"tag:yaml.org,2002:{name}" for name in ("str", "merge", "value"))
_UNTAGGED = (None, "!")  # resolved as PyYAML does: a scalar's tag from its value, a collection's the default
_DUPLICATE_ANCHOR = "found duplicate anchor; first occurrence"  # PyYAML's words for it


class _Builder:
    """The document built from its events in one pass, as PyYAML's safe loader would build it (mappings
    located, duplicate keys refused), its shape bounded as it goes; _Unusual where that would differ."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.shape = _Shape()
        self.anchors: dict[str, Any] = {}
        self.anchored_at: dict[str, yaml.Mark] = {}

    def _next(self) -> yaml.Event:
        event = self.loader.get_event()
        self.shape.see(event)
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            if anchor in self.anchored_at:
                raise yaml.composer.ComposerError(_DUPLICATE_ANCHOR, self.anchored_at[anchor], "second occurrence",
                                                  event.start_mark)
            self.anchored_at[anchor] = event.start_mark
        return event

    def document(self) -> Any:
        """The stream's one document (None when empty)."""
        self._next()  # the stream's start
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self._next()  # the document's start
        first = self._next()
        data = self._value(first)
        self._next()  # the document's end
        if not self.loader.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError("expected a single document in the stream", first.start_mark,
                                              "but found another document", self.loader.get_event().start_mark)
        return data

    def _value(self, event: yaml.Event) -> Any:
        if isinstance(event, yaml.AliasEvent):
            return self.anchors[event.anchor]
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event)
        elif event.tag not in _UNTAGGED:
            raise _Unusual
        elif isinstance(event, yaml.SequenceStartEvent):
            value = []
            while not self.loader.check_event(yaml.SequenceEndEvent):
                value.append(self._value(self._next()))
            self._next()
        else:
            value = self._mapping(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = value
        return value

    def _mapping(self, start: yaml.MappingStartEvent) -> LocatedDict:
        mapping = LocatedDict()
        mapping.line = start.start_mark.line + 1
        mapping.key_lines = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            event = self._next()
            if not isinstance(event, yaml.ScalarEvent):
                raise _Unusual
            key = self._scalar(event)
            if key in mapping:
                raise _BadKey(None, None, f'duplicate key "{key}"', event.start_mark)
            if event.anchor is not None:
                self.anchors[event.anchor] = key
            mapping[key] = self._value(self._next())
            mapping.key_lines[key] = event.start_mark.line + 1
        self._next()
        return mapping

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag in _UNTAGGED:
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None or tag in (_MERGE, _VALUE):
            raise _Unusual
        return construct(self.loader, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                                                      event.style))


class _TooExpanded(Exception):
    """A document whose aliases expand it too far (values once expanded, values written)."""


def parse_structured(path: Path, shown: str, kind: Kind) -> list[Any]:
    """Parse a YAML or JSON file into a list of located mappings (nesting and aliases bounded; JSON is YAML, read
    by the same bounded loader once it is known to be valid JSON)."""
    data = parse_document(path, shown)
    if data is None:
        raise InputError([Problem("the file is empty: expected a list of records", shown, 1)])
    if not isinstance(data, list):
        line = getattr(data, "line", 1)
        raise InputError([Problem("expected a list of records at the top level", shown, line)])
    return data


def parse_document(path: Path, shown: str) -> Any:
    """The one document of a YAML or JSON file, read by the bounded loader (None for an empty file)."""
    text = _read_text(path, shown, empty=None)
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(f"malformed JSON: {exc.msg}", shown, exc.lineno)]) from exc
        except RecursionError as exc:
            raise InputError([Problem("malformed JSON: nested too deeply", shown)]) from exc
    loader = _Loader(text)
    try:
        try:
            data = _Builder(loader).document()
        except _Unusual:
            data = _composed(text)
    except _TooExpanded as exc:
        expanded, written = exc.args
        raise InputError([Problem(f"its aliases (*name) expand it to more than {expanded:,} values from "
                                  f"{written:,}: write the repeated values out", shown)]) from exc
    except ValueError as exc:
        raise InputError([Problem(f"malformed YAML: {exc}", shown)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "syntax error"
        if exc.context == _DUPLICATE_ANCHOR and exc.context_mark:
            what = f"an anchor (&name) given twice, first on line {exc.context_mark.line + 1}"
        raise InputError([Problem(f"malformed YAML: {what}", shown, line)]) from exc
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"malformed YAML: {exc}", shown)]) from exc
    finally:
        loader.dispose()
    return data


def _composed(text: str) -> Any:
    """The document composed and constructed by PyYAML, once its events have shown it bounded (_Shape)."""
    checker, loader = _Loader(text), _Loader(text)
    try:
        _check_shape(checker)
        node = loader.get_single_node()
        return loader.construct_document(node) if node is not None else None
    finally:
        checker.dispose()
        loader.dispose()


def parse_csv(path: Path, shown: str, kind: Kind) -> Iterator[LocatedDict]:
    """Rows of a CSV file as located mappings; list cells are split on '|', sources.N.key columns nested.
    Read as it goes: a file of hundreds of MB is never held whole (its text would take four bytes a character
    in a StringIO)."""
    try:
        # utf-8-sig: Excel's "CSV UTF-8" and some editors start the file with a byte-order mark.
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", shown)]) from exc
    with stream:
        reader = csv.reader(stream)
        try:
            yield from _csv_rows(reader, shown, kind)
        except csv.Error as exc:
            raise InputError([Problem(f"malformed CSV: {exc}", shown, reader.line_num)]) from exc
        except UnicodeDecodeError as exc:
            line, reason = _undecodable(path) or (None, str(exc))
            raise InputError([Problem(f"cannot read the file: {reason}", shown, line)]) from exc
        except OSError as exc:
            raise InputError([Problem(f"cannot read the file: {exc}", shown)]) from exc


def _undecodable(path: Path) -> tuple[int, str] | None:
    """The first line that is not UTF-8, and why (the decoder reads in blocks: its error knows no line)."""
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, f"byte {line[exc.start:exc.start + 1]!r}, the line's byte {exc.start + 1}, is not UTF-8"
    return None


Put = Callable[[LocatedDict, str], None]  # writes one non-empty cell into the row's mapping


def _column(column: str, kind: Kind) -> Put:
    """How a cell of this column goes into its row's mapping, decided once per file: list cells split on
    '|', label@fr columns joined with label into one text, sources.N.key columns nested under sources."""
    name, _, language = column.partition("@")
    if name.startswith("sources."):
        _, index, key = ([*name.split("."), "", ""])[:3]

        def source(mapping: LocatedDict, cell: str) -> None:
            mapping.setdefault("sources", {}).setdefault(index, {})[key] = cell
        return source
    spec = kind.field(name.split(".")[0])
    if spec and spec.many:
        def items(mapping: LocatedDict, cell: str) -> None:
            values = [v.strip() for v in cell.split(LIST_SEPARATOR)]
            values = [{language: v} for v in values] if language else values
            mapping[name] = [*mapping[name], *values] if name in mapping else values
        return items

    def text(mapping: LocatedDict, cell: str) -> None:
        if not language and name not in mapping:
            mapping[name] = cell
            return
        texts = mapping.get(name, {})  # label and label@fr columns make one text in several languages
        mapping[name] = {**({"en": texts} if isinstance(texts, str) else texts), language or "en": cell}
    return text


def _csv_rows(reader: Any, shown: str, kind: Kind) -> Iterator[LocatedDict]:
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        raise InputError([Problem("the file is empty: expected a list of records", shown, 1)])
    _check_header(header, shown, reader.line_num)
    columns = [_column(column, kind) for column in header]
    end = reader.line_num
    for row in reader:
        # A quoted cell may span lines: a row starts on the line after the previous one ended.
        line, end = end + 1, reader.line_num
        if len(row) != len(header):
            if not any(cell.strip() for cell in row):
                continue
            raise InputError([Problem(f"the row has {len(row)} cells, the header {len(header)}", shown, line)])
        mapping = LocatedDict()
        for put, cell in zip(columns, row, strict=True):
            if cell and (cell := cell.strip()):
                put(mapping, cell)
        if not mapping:
            continue
        mapping.line = line
        mapping.key_lines = {}
        if "sources" in mapping:
            sources = mapping["sources"]
            mapping["sources"] = list(sources.values()) if len(sources) == 1 else [
                sources[i] for i in sorted(sources, key=_index_key)]
        yield mapping


def _check_header(header: list[str], shown: str, line: int) -> None:
    """InputError for a column given twice, or a sources column (a CSV cell holds no list of mappings)."""
    names: set[str] = set()
    for name in (column.strip() for column in header):
        if name in names:
            raise InputError([Problem(f"the header gives the column {quoted(name)} twice", shown, line)])
        names.add(name)
    if "sources" in names:
        raise InputError([Problem("a CSV file gives each source in sources.N.document and sources.N.section "
                                  "columns (sources.1.document, sources.1.section, sources.2.document, ...), not in "
                                  "a sources column", shown, line)])


def _index_key(index: str) -> tuple[int, str]:
    return (int(index), "") if index.isdigit() else (10**9, index)


# --- checking values -----------------------------------------------------------------------------
