"""Two dumps compared resource by resource, as a person reads a change: records added and removed, and for a
changed record each field with the values it lost and gained.

The nodes that belong to a resource (its fragment IRIs such as `iscm/x#source-1`, and blank nodes) are
compared by what they say, not by their names: a source renumbered or a blank node relabelled is no change."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from migration_lod.changes.groups import GroupedDump, Triple
from migration_lod.changes.lines import SortedLines, available, changed_resources, parse_line, sorted_dumps
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES, split_iri
from migration_lod.records.kinds import KINDS

SKOS_PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PART = "(part)"  # the pseudo-predicate of a node of a resource that the resource itself does not point to
# Which section of a change set a resource is listed in, by the first segment of its path under the base IRI.
VOCABULARY_PATHS = ("vocab", "ontology")
SECTIONS = ("records", "vocabularies", "others")  # in the order they are written


@dataclass(frozen=True)
class FieldChange:
    """The values one field (predicate) of a resource lost and gained, as a reader sees them."""

    field: str
    predicate: str
    removed: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True)
class ResourceChange:
    """A resource added, removed or changed, with its label, kind and field changes."""

    iri: str
    status: str  # added | removed | changed
    section: str  # records | vocabularies | others
    kind: str  # the kind of record (iscm, ...), "state", a vocabulary's name, or "" for others' resources
    label: str
    fields: tuple[FieldChange, ...]


@dataclass
class ChangeSet:
    """What changed from one dump to another."""

    old: str
    new: str
    base_iri: str
    resources: list[ResourceChange] = field(default_factory=list)
    old_triples: int = 0
    new_triples: int = 0

    def __bool__(self) -> bool:
        return bool(self.resources)

    def counts(self) -> dict[str, int]:
        """How many resources were added, removed and changed."""
        found = {"added": 0, "removed": 0, "changed": 0}
        for change in self.resources:
            found[change.status] += 1
        return found

    def by_section(self) -> Iterator[tuple[str, list[ResourceChange]]]:
        """(section, its changes in IRI order) for each section that has changes, in the order of SECTIONS."""
        for section in SECTIONS:
            listed = [change for change in self.resources if change.section == section]
            if listed:
                yield section, listed


def _local(node: str, key: str) -> bool:
    """True for a node that belongs to the resource `key`: a blank node, or one of its fragment IRIs."""
    return node.startswith("_:") or (key.endswith(">") and node.startswith(key[:-1] + "#"))


class Canonical:
    """A resource's triples as (predicate, value) pairs, each node that belongs to it written out as its
    content; `shown` writes a value as a reader sees it, only for the values that changed."""

    def __init__(self, key: str, triples: list[Triple]) -> None:
        self.key = key
        self.about: dict[str, list[tuple[str, str]]] = {}
        for subject, predicate, obj in triples:
            self.about.setdefault(subject, []).append((predicate, obj))
        self._written: dict[str, str] = {}
        self.pairs: dict[tuple[str, str], str] = {(p, self._value(o)): o for p, o in self.about.get(key, ())}
        referred = {o for _, _, o in triples}
        for node in self.about:
            if node != key and node not in referred:
                self.pairs[(PART, self._content(node, frozenset()))] = node

    def _inside(self, node: str) -> bool:
        return node.startswith("_:") or (_local(node, self.key) and node in self.about)

    def _content(self, node: str, visiting: frozenset[str]) -> str:
        if node in self._written:
            return self._written[node]
        if node in visiting:  # a cycle of nodes: written where it closes
            return "[…]"
        inner = visiting | {node}
        text = "[" + "; ".join(sorted(f"{p} {self._value(o, inner)}" for p, o in self.about.get(node, ()))) + "]"
        self._written[node] = text
        return text

    def _value(self, node: str, visiting: frozenset[str] = frozenset()) -> str:
        return self._content(node, visiting) if self._inside(node) else node

    def shown(self, node: str, show: Callable[[str], str], visiting: frozenset[str] = frozenset()) -> str:
        """A value (a term, or a node of the resource written out) as a reader sees it."""
        if not self._inside(node):
            return show(node)
        if node in visiting:
            return "[…]"
        inner = visiting | {node}
        return "[" + "; ".join(sorted(f"{show(p)} {self.shown(o, show, inner)}"
                                      for p, o in self.about.get(node, ()))) + "]"


class Describer:
    """Names a dump's resources and fields as a reader of the records knows them."""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.prefixes = {**PREFIXES, "": base_iri}
        self.fields = {kind.path: {f"<{f.predicate}>": f.name for f in kind.fields if f.predicate is not None}
                       for kind in KINDS}

    def place(self, key: str) -> tuple[str, str]:
        """(section, kind) of a resource by its IRI."""
        iri = key[1:-1]
        if not iri.startswith(self.base_iri):
            return "others", ""
        head, _, rest = iri[len(self.base_iri):].partition("/")
        if head in VOCABULARY_PATHS:
            return "vocabularies", rest.split("/", 1)[0] if head == "vocab" else head
        return "records", head

    def field(self, kind: str, predicate: str) -> str:
        """The record field a predicate is written from, or the predicate written short."""
        return self.fields.get(kind, {}).get(predicate) or ("parts" if predicate == PART else self.short(predicate))

    def short(self, term: str) -> str:
        """An IRI written short (`mig:actor`, `:iscm/commit` under the base IRI), other terms as they are."""
        if not (term.startswith("<") and term.endswith(">")):
            return term
        split = split_iri(term[1:-1], self.prefixes)
        return term if split is None else f"{split[0]}:{split[1]}"

    def show(self, term: str) -> str:
        """A term as a reader sees it: an IRI short, a literal's text in quotes with its language or type."""
        if not term.startswith('"'):
            return self.short(term)
        literal = literal_of(term)
        if literal.language:
            return f'"{literal.value}"@{literal.language}'
        if literal.datatype.value in (XSD_STRING, RDF_LANG_STRING):
            return f'"{literal.value}"'
        return f"{literal.value} ({self.short(str(literal.datatype))})"


def literal_of(term: str) -> ox.Literal:
    """A literal written in N-Triples syntax, parsed."""
    return parse_line(f"<urn:x:s> <urn:x:p> {term} .".encode()).object


def _label(triples: list[Triple], key: str) -> str:
    """The resource's English preferred label, else any preferred label, else nothing."""
    labels = [literal_of(o) for s, p, o in triples if s == key and p == SKOS_PREF_LABEL]
    english = [label for label in labels if label.language == "en"]
    return (english or labels)[0].value if labels else ""


def _field_changes(describer: Describer, kind: str, old: Canonical | None,
                   new: Canonical | None) -> tuple[FieldChange, ...]:
    before = old.pairs if old else {}
    after = new.pairs if new else {}
    gone, came = before.keys() - after.keys(), after.keys() - before.keys()
    changes = []
    for predicate in sorted({p for p, _ in gone | came}):
        removed = tuple(sorted(old.shown(before[pair], describer.show) for pair in gone if pair[0] == predicate))
        added = tuple(sorted(new.shown(after[pair], describer.show) for pair in came if pair[0] == predicate))
        changes.append(FieldChange(describer.field(kind, predicate), predicate, removed, added))
    return tuple(changes)


def _merged(old: Iterator[tuple[str, list[Triple]]], new: Iterator[tuple[str, list[Triple]]]
            ) -> Iterator[tuple[str, list[Triple] | None, list[Triple] | None]]:
    """The groups of both dumps side by side, in key order: (key, old triples or None, new triples or None)."""
    left, right = next(old, None), next(new, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[0] < right[0]):
            yield left[0], left[1], None
            left = next(old, None)
        elif left is None or right[0] < left[0]:
            yield right[0], None, right[1]
            right = next(new, None)
        else:
            yield left[0], left[1], right[1]
            left, right = next(old, None), next(new, None)


def _by_lines(old: Path, new: Path, folder: Path) -> tuple[Iterator[tuple[str, list | None, list | None]],
                                                              int, int, Callable[[], None]] | None:
    """The changed resources found by comparing sorted lines, or None when blank nodes differ."""
    old_sorted, new_sorted, old_count, new_count = sorted_dumps(old, new, folder)
    keys = changed_resources(old_sorted, new_sorted)
    if keys is None:
        return None
    before, after = SortedLines(old_sorted), SortedLines(new_sorted)

    def groups() -> Iterator[tuple[str, list | None, list | None]]:
        for key in sorted(keys):
            was, now = before.triples(key), after.triples(key)
            yield key, was or None, now or None

    def close() -> None:
        before.close()
        after.close()

    return groups(), old_count, new_count, close


def _by_groups(old: Path, new: Path, folder: Path) -> tuple[Iterator[tuple[str, list | None, list | None]],
                                                              int, int, Callable[[], None]]:
    """Every resource of both dumps side by side, grouped on disk (blank nodes attached to their resource)."""
    before, after = GroupedDump(old, folder, "old"), GroupedDump(new, folder, "new")

    def close() -> None:
        before.close()
        after.close()

    return _merged(before.groups(), after.groups()), before.triples, after.triples, close


def diff_dumps(old: Path | str, new: Path | str, base_iri: str = DEFAULT_BASE_IRI,
               workdir: Path | str | None = None) -> ChangeSet:
    """What changed from the dump `old` to the dump `new` (any RDF files this tool reads), resource by resource.

    Memory holds one resource at a time. Both dumps are written as sorted N-Triples by the system's `sort` in
    a temporary folder (under `workdir` if given, removed afterwards) and compared line by line, so that only
    the resources with a differing line are read; where a differing line names a blank node, or `sort` is
    missing, every resource is grouped with its blank nodes in SQLite and compared."""
    describer = Describer(base_iri)
    folder = Path(tempfile.mkdtemp(prefix="migration-lod-diff-", dir=workdir))
    try:
        compared = _by_lines(Path(old), Path(new), folder) if available() else None
        groups, old_count, new_count, close = compared or _by_groups(Path(old), Path(new), folder)
        changes = ChangeSet(str(old), str(new), base_iri, old_triples=old_count, new_triples=new_count)
        for key, was, now in groups:
            if was is not None and now is not None and sorted(was) == sorted(now):
                continue  # the same triples: no need to compare by content
            then = Canonical(key, was) if was is not None else None
            later = Canonical(key, now) if now is not None else None
            if then is not None and later is not None and then.pairs.keys() == later.pairs.keys():
                continue
            section, kind = describer.place(key) if key else ("others", "")
            status = "added" if was is None else "removed" if now is None else "changed"
            changes.resources.append(ResourceChange(
                key[1:-1] if key else "", status, section, kind, _label(now or was or [], key),
                _field_changes(describer, kind, then, later)))
        close()
        return changes
    finally:
        shutil.rmtree(folder, ignore_errors=True)
