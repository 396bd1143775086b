"""The record format, written out from the kinds table (records/kinds.py): the page RECORDS.md that ships with the
package, printed by `migration-lod fields`. Nothing here is declared twice: kinds, fields, types, choices and
predicates all come from records/kinds.py, the data folder's rules from records/folder.py."""

from __future__ import annotations

from migration_lod.rdf.namespaces import compact
from migration_lod.records.folder import EXTERNAL_DIR, METADATA_FILE
from migration_lod.records.formats import RECORD_SUFFIXES
from migration_lod.records.kinds import KINDS, LIST_SEPARATOR, TYPES, Field, Kind
from migration_lod.records.metadata import METADATA_FIELDS

PAGE = "RECORDS.md"


def _value(spec: Field) -> str:
    base, _, scheme = spec.type.partition(":")
    text = TYPES[base] + (f" `{scheme}`" if scheme else "")
    if spec.choices:
        text += ": " + ", ".join(f"`{c}`" for c in spec.choices)
    return text


def _meaning(kind: Kind, spec: Field) -> str:
    if spec.name == "id":
        return f"the IRI `<base IRI>{kind.path}/<id>`"
    if spec.name == "kind" and kind.classes:
        return "the class: " + ", ".join(f"`{compact(c)}`" for c in kind.classes.values())
    return f"`{compact(spec.predicate)}`" if spec.predicate is not None else "mapped by the tool (see the ontology)"


def kind_table(kind: Kind) -> str:
    """The fields of one kind as a Markdown table."""
    rows = [f"| `{f.name}` | {_value(f)} | {'yes' if f.many else ''} | {'yes' if f.required else ''} "
            f"| {_meaning(kind, f)} |" for f in kind.fields]
    return "\n".join(["| field | value | a list | required | published as |", "| --- | --- | --- | --- | --- |",
                      *rows])


def record_format_page() -> str:
    """The whole page: the data folder, the dataset's description, every kind and its fields, CSV conventions."""
    metadata = ", ".join(f"`{name}`" for name, f in METADATA_FIELDS.items() if f.required)
    parts = [
        "# The record format of migration-lod",
        "",
        "Written from the tool's own table of record kinds (`migration-lod fields` prints it; "
        "`migration-lod init DIR` writes a small data folder to start from).",
        "",
        "## The data folder",
        "",
        f"- One file per kind of record, named after the kind: {', '.join(f'`{k.file_stem}`' for k in KINDS)}, "
        f"each {', '.join(f'`{s}`' for s in RECORD_SUFFIXES)}.",
        f"- `{METADATA_FILE}`: the dataset's description, with {metadata}; optionally "
        + ", ".join(f"`{name}` ({f.meaning})" for name, f in METADATA_FIELDS.items() if not f.required) + ".",
        f"- `{EXTERNAL_DIR}/` (optional): vendored vocabularies; without it the tool's own copies are used.",
        "- Nothing else, unless named with `--ignore GLOB`; hidden files are left alone; links to outside the "
        "folder are read only with `--follow-links`.",
        "- Every record has an `id` (its IRI never changes with its label) and `sources`: which document and "
        "which section its facts come from.",
        "",
        "## CSV",
        "",
        f"A list cell separates its items with `{LIST_SEPARATOR}`; a text in another language goes in a column "
        "`label@fr`; sources are the columns `sources.1.document`, `sources.1.section`, `sources.2.document`, ... "
        "A byte-order mark (Excel's \"CSV UTF-8\") is accepted.",
    ]
    for kind in KINDS:
        parts += ["", f"## {kind.file_stem}: {kind.name} records", "", kind_table(kind)]
    return "\n".join(parts) + "\n"
