"""Server-rendered HTML: the query page, result tables and a page per resource. No external CDN."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from migration_lod.problems import quoted
from migration_lod.publish.distribution import CHANGES_FILE, CHECKSUMS, DUMP_NAME, DUMPS, FORMAT_NAMES, RELEASES
from migration_lod.rdf.namespaces import compact
from migration_lod.rdf.sources import un_citation
from migration_lod.serve.negotiation import DEFAULT_LANGUAGE, LanguageChoice

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#fafbfc}
header{background:#0b4f6c;color:#fff;padding:.7em 1.5em}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:72em;margin:0 auto;padding:1em 1.5em}a{color:#0b5cad}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #dde3e8;
padding:.35em .5em;text-align:left;vertical-align:top}th{background:#eef2f5;font-weight:600}
code,pre,textarea{font:13px/1.4 ui-monospace,monospace}textarea{width:100%;box-sizing:border-box}
pre{background:#f0f3f5;padding:.8em;overflow:auto}.iri{color:#5a6570;font-size:.85em;word-break:break-all}
.lang,.type{color:#6b7780;font-size:.8em}ul.examples li{margin:.4em 0}
footer{max-width:72em;margin:1em auto;padding:0 1.5em 1.5em;color:#5a6570;font-size:.85em}
"""


@dataclass(frozen=True)
class Example:
    """An example query: its file name, the question it answers and its text."""

    name: str
    question: str
    text: str


def load_examples(folder: Path) -> list[Example]:
    """The example queries of a folder of .rq files whose first comment lines state the question."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("# ").removeprefix("Question: "))
        question = " ".join(lines).split(". ")[0].split("? ")[0]
        examples.append(Example(path.stem, question.rstrip("?") + "?", text))
    return examples


def document(title: str, body: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A whole HTML page, with the attribution the UN content of the data asks for at its foot."""
    return (f"<!DOCTYPE html><html lang='{escape(language)}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{STYLE}</style></head>"
            f"<body><header><a href='/'>migration-lod</a> · <a href='/sparql'>SPARQL endpoint</a> · "
            f"<a href='/ontology'>ontology</a></header><main>{body}</main>"
            "<footer>The UN M49 areas and the SDG goals, targets and indicators in this data come from the UN SDG "
            f"Knowledge Organization System: {escape(un_citation())}.</footer></body></html>")


def releases_page(releases: list[dict]) -> str:
    """The releases of the publication, newest first: version, date, notes, what changed, and their files."""
    rows = []
    for release in reversed(releases):
        version = escape(str(release.get("version", "")))
        folder = f"/{RELEASES}/{version}"
        changes = release.get("changes")
        counted = ", ".join(f"{int(changes.get(k, 0))} {k}" for k in ("added", "removed", "changed")) \
            if isinstance(changes, dict) else "see the change set"
        files = " · ".join(f"<a href='{folder}/{DUMP_NAME}.{suffix}'>{FORMAT_NAMES[suffix]}</a>" for suffix in DUMPS)
        rows.append(f"<tr><td><a href='{folder}/dataset'>{version}</a></td>"
                    f"<td>{escape(str(release.get('issued', '')))}</td><td>{escape(str(release.get('notes', '')))}</td>"
                    f"<td><a href='{folder}/{CHANGES_FILE}'>{escape(counted)}</a></td>"
                    f"<td>{files} · <a href='{folder}/{CHECKSUMS}'>{CHECKSUMS}</a></td></tr>")
    table = ("<table><tr><th>version</th><th>issued</th><th>notes</th><th>changes</th><th>files</th></tr>"
             + "".join(rows) + "</table>") if rows else "<p>No release yet.</p>"
    return document("Releases", f"<h1>Releases</h1>{table}")


def query_page(examples: list[Example], query: str, triples: int) -> str:
    """The page to write and run queries, with the example queries."""
    items = "".join(
        f"<li><a href='/?example={quote(e.name)}'>{escape(e.question)}</a> "
        f"(<a href='/sparql?format=html&amp;query={quote(e.text)}'>run</a>)</li>" for e in examples)
    formats = "".join(f"<option value='{v}'>{label}</option>" for v, label in (
        ("html", "HTML table"), ("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"),
        ("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML")))
    body = (f"<h1>Query the governance of international migration</h1><p>{triples:,} triples. Read-only SPARQL 1.1; "
            "queries are stopped at the server's time limit; SERVICE is not allowed.</p>"
            "<form action='/sparql' method='get'><textarea name='query' rows='16'>"
            f"{escape(query)}</textarea><p><label>Results as <select name='format'>{formats}</select></label> "
            "<button type='submit'>Run query</button></p></form>"
            f"<h2>Questions the data answers</h2><ul class='examples'>{items}</ul>")
    return document("migration-lod SPARQL", body)


def _term_html(term: dict, link: Callable[[str], str]) -> str:
    if term["type"] == "uri":
        return f"<a href='{escape(link(term['value']))}'>{escape(compact(term['value']))}</a>"
    if term["type"] == "bnode":
        return f"_:{escape(term['value'])}"
    extra = term.get("xml:lang") or (compact(term["datatype"]) if "datatype" in term else "")
    return escape(term["value"]) + (f" <span class='lang'>{escape(extra)}</span>" if extra else "")


def results_page(body: bytes, media_type: str, link: Callable[[str], str]) -> str:
    """SELECT or ASK results (SPARQL JSON) as a table, or a graph as Turtle."""
    if media_type != "application/sparql-results+json":
        return document("Query results", f"<h1>Query results</h1><pre>{escape(body.decode('utf-8'))}</pre>")
    results = json.loads(body)
    if "boolean" in results:
        return document("Query results", f"<h1>Query results</h1><p>ASK: <b>{results['boolean']}</b></p>")
    names = results["head"]["vars"]
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    rows = "".join("<tr>" + "".join(f"<td>{_term_html(b[n], link) if n in b else ''}</td>" for n in names) + "</tr>"
                   for b in results["results"]["bindings"])
    count = len(results["results"]["bindings"])
    return document("Query results", f"<h1>Query results</h1><p>{count} row(s)</p><table><tr>{head}</tr>{rows}</table>")


class _Graph:
    """A small in-memory view of the triples around one resource."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples

    def values(self, subject: str, predicate: str) -> list:
        return [t.object for t in self.triples if t.subject.value == subject and t.predicate.value == predicate]

    def label(self, iri: str, language: str = DEFAULT_LANGUAGE) -> str:
        labels = [v for p in LABELS for v in self.values(iri, p) if isinstance(v, ox.Literal)]
        chosen = ([v.value for v in labels if v.language == language] or [v.value for v in labels if v.language ==
                  DEFAULT_LANGUAGE] or [v.value for v in labels])
        notation = [v.value for v in self.values(iri, NOTATION)]
        text = chosen[0] if chosen else compact(iri)
        return f"{notation[0]} · {text}" if notation and not text.startswith(notation[0]) else text


def resource_page(iri: str, triples: list[ox.Triple], link: Callable[[str], str],
                  language: LanguageChoice | None = None, history: Sequence[tuple[str, str]] = ()) -> str:
    """The page of one resource, in the language chosen where the data has it (English otherwise): its labels
    and types, links out and in, notations and sources, the languages it has, and the releases that added,
    changed or removed it (`history`: (version, status), oldest first), each linked to its change set."""
    graph = _Graph(triples)
    language = language or LanguageChoice(DEFAULT_LANGUAGE, (DEFAULT_LANGUAGE,))
    shown = language.language

    def show(term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return (f"<a href='{escape(link(term.value))}'>{escape(graph.label(term.value, shown))}</a>"
                    f" <span class='iri'>{escape(compact(term.value))}</span>")
        if isinstance(term, ox.Literal):
            extra = term.language or ("" if term.datatype.value.endswith("#string") else compact(term.datatype.value))
            return escape(term.value).replace("\n", "<br>") + (f" <span class='lang'>{escape(extra)}</span>"
                                                                if extra else "")
        return escape(str(term))

    def table(rows: list[tuple[str, str]], heads: tuple[str, str]) -> str:
        body = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
        return f"<table><tr><th>{heads[0]}</th><th>{heads[1]}</th></tr>{body}</table>" if rows else ""

    out = [t for t in triples if t.subject.value == iri]
    types = ", ".join(show(t.object) for t in out if t.predicate.value == RDF_TYPE)
    properties = sorted((escape(compact(t.predicate.value)), show(t.object)) for t in out
                        if t.predicate.value != RDF_TYPE)
    parts = [t for t in triples if t.subject.value.startswith(iri + "#")]
    details = ""
    for node in sorted({t.subject.value for t in parts}):
        rows = [(escape(compact(t.predicate.value)), show(t.object)) for t in parts if t.subject.value == node]
        details += f"<h3 id='{escape(node.split('#', 1)[1])}'>{escape(node.split('#', 1)[1])}</h3>" + table(
            rows, ("property", "value"))
    incoming = sorted((show(t.subject), escape(compact(t.predicate.value))) for t in triples
                      if isinstance(t.object, ox.NamedNode) and t.object.value == iri and not
                      t.subject.value.startswith(iri + "#"))
    body = (f"<h1>{escape(graph.label(iri, shown))}</h1><p class='iri'>{escape(iri)}</p>"
            f"{_languages(link(iri), language)}<p>{types}</p>"
            + table(properties, ("property", "value"))
            + (f"<h2>Sources and details</h2>{details}" if details else "")
            + (f"<h2>Links in</h2>{table(incoming, ('from', 'property'))}" if incoming else "")
            + ("<h2>Releases</h2><p>" + " · ".join(
                f"{escape(status)} in <a href='/{RELEASES}/{escape(version)}/{CHANGES_FILE}'>{escape(version)}</a>"
                for version, status in history) + "</p>" if history else "")
            + "<p>As " + ", ".join(f"<a href='{escape(_with_format(link(iri), fmt))}'>{name}</a>" for fmt, name in (
                ("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"))) + ".</p>")
    return document(graph.label(iri, shown), body, shown)


def _languages(url: str, choice: LanguageChoice) -> str:
    """Which languages the resource has, each a link to the page in it, and the one asked for if it has not."""
    def item(code: str) -> str:
        if code == choice.language:
            return f"<b>{escape(code)}</b>"
        return f"<a href='{escape(_with_parameter(url, 'lang', code))}' hreflang='{escape(code)}'>{escape(code)}</a>"

    links = " · ".join(item(code) for code in choice.available)
    missing = (f" No labels in {escape(quoted(choice.missing, 35), quote=False)}: shown in {escape(choice.language)}."
               if choice.missing else "")
    return f"<p class='lang'>Languages: {links}.{missing}</p>" if choice.available else ""


def _with_format(url: str, fmt: str) -> str:
    return _with_parameter(url, "format", fmt)


def _with_parameter(url: str, name: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{name}={quote(value)}"
