"""A change set written for people (Markdown, HTML), for programs (JSON) and as RDF (Turtle), one registry.

The RDF uses the Changeset vocabulary (http://purl.org/vocab/changeset/schema#), which Talis designed for
exactly this and which Linked Data tools of the field read: one cs:ChangeSet per changed resource, with its
cs:removal and cs:addition statements and a cs:changeReason that names the two dumps."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from migration_lod.changes.compare import ChangeSet, ResourceChange
from migration_lod.changes.options import CHANGE_FORMATS

HEADINGS = {"records": "Records", "vocabularies": "Vocabularies and ontology",
            "others": "Content of others (UN SDG KOS, M49 areas) and unattached nodes"}


def _title(change: ResourceChange, base_iri: str) -> str:
    name = change.iri.removeprefix(base_iri) or "(blank nodes no resource refers to)"
    return f"{name} ({change.label})" if change.label else name


def _summary(changes: ChangeSet) -> str:
    counts = changes.counts()
    return (f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed "
            f"({changes.old_triples:,} → {changes.new_triples:,} triples)")


def to_markdown(changes: ChangeSet) -> str:
    """CHANGES.md: a section per part of the dataset, a line per resource, a sub-line per field."""
    lines = [f"# Changes from {changes.old} to {changes.new}", "", _summary(changes) + ".", ""]
    if not changes:
        lines.append("No change.")
    for section, listed in changes.by_section():
        lines += [f"## {HEADINGS[section]}", ""]
        for change in listed:
            lines.append(f"- **{change.status}** `{_title(change, changes.base_iri)}` <{change.iri}>")
            if change.status != "changed":
                continue
            for field in change.fields:
                if len(field.removed) == len(field.added) == 1:
                    lines.append(f"  - `{field.field}`: {field.removed[0]} → {field.added[0]}")
                else:
                    lines += [f"  - `{field.field}`: − {value}" for value in field.removed]
                    lines += [f"  - `{field.field}`: + {value}" for value in field.added]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(changes: ChangeSet) -> str:
    """The change set as JSON: the dumps compared, the counts, and every resource with its fields."""
    document = {
        "old": changes.old, "new": changes.new, "base_iri": changes.base_iri,
        "triples": {"old": changes.old_triples, "new": changes.new_triples},
        "counts": changes.counts(),
        "resources": [{"iri": c.iri, "status": c.status, "section": c.section, "kind": c.kind, "label": c.label,
                       "fields": [{"field": f.field, "predicate": f.predicate[1:-1] if f.predicate.startswith("<")
                                   else f.predicate, "removed": list(f.removed), "added": list(f.added)}
                                  for f in c.fields]}
                      for c in changes.resources],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def to_html(changes: ChangeSet) -> str:
    """A page that lists the changes, each value escaped."""
    escape = html.escape
    body = [f"<h1>Changes from {escape(changes.old)} to {escape(changes.new)}</h1>",
            f"<p>{escape(_summary(changes))}.</p>"]
    if not changes:
        body.append("<p>No change.</p>")
    for section, listed in changes.by_section():
        body.append(f"<h2>{escape(HEADINGS[section])}</h2><ul>")
        for change in listed:
            title = escape(_title(change, changes.base_iri))
            # a link only to the web: a dump's IRI may be javascript: or data:, which a browser would run
            linked = change.iri.startswith(("https://", "http://"))
            body.append(f"<li><b>{change.status}</b> " + (f"<a href='{escape(change.iri, quote=True)}'>{title}</a>"
                                                          if linked else title))
            if change.status == "changed":
                body.append("<ul>" + "".join(
                    f"<li><code>{escape(f.field)}</code>: "
                    + " ".join(f"<del>{escape(v)}</del>" for v in f.removed)
                    + (" → " if f.removed and f.added else "")
                    + " ".join(f"<ins>{escape(v)}</ins>" for v in f.added) + "</li>"
                    for f in change.fields) + "</ul>")
            body.append("</li>")
        body.append("</ul>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Changes</title></head><body>"
            + "".join(body) + "</body></html>\n")


def _turtle_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Turtle string


def to_turtle(changes: ChangeSet) -> str:
    """The change set in the Changeset vocabulary: per resource a cs:ChangeSet whose removals and additions
    are the field values as a reader sees them (an rdf:Statement with the value as text)."""
    lines = ["@prefix cs: <http://purl.org/vocab/changeset/schema#> .",
             "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .", ""]
    between = f"from {changes.old} to {changes.new}"
    for number, change in enumerate(changes.resources, start=1):
        subject = f"<{change.iri}>" if change.iri else "[]"
        reason = f"{change.status} {between}: {_title(change, changes.base_iri)}"
        lines += [f"_:change{number} a cs:ChangeSet ;", f"    cs:subjectOfChange {subject} ;",
                  f"    cs:changeReason {_turtle_string(reason)}"]
        for field in change.fields:
            for verb, values in (("cs:removal", field.removed), ("cs:addition", field.added)):
                for value in values:
                    lines[-1] += " ;"
                    lines.append(f"    {verb} [ a rdf:Statement ; rdf:subject {subject} ; "
                                 f"rdf:predicate {field.predicate if field.predicate.startswith('<') else '[]'} ; "
                                 f"rdf:object {_turtle_string(value)} ]")
        lines[-1] += " ."
        lines.append("")
    return "\n".join(lines)


WRITERS: dict[str, Callable[[ChangeSet], str]] = dict(zip(CHANGE_FORMATS, (to_markdown, to_html, to_json, to_turtle),
                                                         strict=True))
