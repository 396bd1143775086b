"""Reading record files into located mappings: YAML and JSON (one bounded loader: nesting, alias expansion and
duplicate keys refused) and CSV (list cells split, sources.N.key columns nested); each mapping knows the line
of the record and of each of its keys."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from migration_lod.problems import InputError, Problem
from migration_lod.records.kinds import LIST_SEPARATOR, Kind

MAX_DEPTH = 32  # nesting of a record file: records in a list, mappings of lists of mappings need 5
MAX_EXPANSION = 10  # YAML aliases may repeat what a file holds at most this many times over


class LocatedDict(dict):
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


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    mapping = LocatedDict()
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


def _read_text(path: Path, shown: str, empty: str | None = "the file is empty: expected a list of records") -> str:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" and some editors start the file with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", shown)]) from exc
    if empty and not text.strip():
        raise InputError([Problem(empty, shown, 1)])
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
    return data


def parse_csv(path: Path, shown: str, kind: Kind) -> Iterator[LocatedDict]:
    """Rows of a CSV file as located mappings; list cells are split on '|', sources.N.key columns nested."""
    text = _read_text(path, shown)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _csv_rows(reader, shown, kind)
    except csv.Error as exc:
        raise InputError([Problem(f"malformed CSV: {exc}", shown, reader.line_num)]) from exc


def _csv_rows(reader: Any, shown: str, kind: Kind) -> Iterator[LocatedDict]:
    header = next(reader)
    end = reader.line_num
    for row in reader:
        # A quoted cell may span lines: a row starts on the line after the previous one ended.
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError([Problem(f"the row has {len(row)} cells, the header {len(header)}", shown, line)])
        mapping = LocatedDict()
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
