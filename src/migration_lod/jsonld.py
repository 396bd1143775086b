"""JSON-LD: the context generated from the ontology, a fast compact writer, and a reader that never fetches."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from rdflib import OWL, RDF, RDFS, XSD, Graph

from migration_lod.namespaces import MIG, PREFIXES
from migration_lod.terms import from_oxigraph

CONTEXT_FILE = "context.jsonld"
RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)


def build_context(ontology: Graph) -> dict[str, Any]:
    """The JSON-LD context: the prefixes, and a term per class and property of the ontology."""
    context: dict[str, Any] = dict(PREFIXES)
    for cls in sorted(ontology.subjects(RDF.type, OWL.Class)):
        if str(cls).startswith(str(MIG)):
            context[str(cls)[len(str(MIG)):]] = f"mig:{str(cls)[len(str(MIG)):]}"
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in sorted(ontology.subjects(RDF.type, kind)):
            if not str(prop).startswith(str(MIG)):
                continue
            name = str(prop)[len(str(MIG)):]
            definition: dict[str, str] = {"@id": f"mig:{name}"}
            if kind == OWL.ObjectProperty:
                definition["@type"] = "@id"
            else:
                datatype = ontology.value(prop, RDFS.range)
                if datatype is not None and str(datatype).startswith(str(XSD)) and datatype != XSD.string:
                    definition["@type"] = f"xsd:{str(datatype)[len(str(XSD)):]}"
            context[name] = definition
    return context


class _Compactor:
    """Writes triples as compacted node objects using the generated context's prefixes and terms."""

    def __init__(self, context: dict[str, Any]) -> None:
        # Longest namespace first, so that e.g. gcme: wins over a shorter prefix of the same IRI.
        self.prefixes = sorted(((iri, name) for name, iri in context.items() if isinstance(iri, str)
                                and iri.endswith(("/", "#"))), key=lambda p: -len(p[0]))
        self.by_head: dict[str, tuple[str, str] | None] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}
        self.class_terms: dict[str, str] = {}
        for name, definition in context.items():
            if isinstance(definition, dict):
                self.terms[self.expand(definition["@id"], context)] = (name, definition.get("@type"))
            elif isinstance(definition, str) and not definition.endswith(("/", "#")):
                self.class_terms[self.expand(definition, context)] = name

    @staticmethod
    def expand(curie: str, context: dict[str, Any]) -> str:
        prefix, _, local = curie.partition(":")
        return context[prefix] + local

    def iri(self, iri: str) -> str:
        # Most IRIs end in a local name after their namespace's last '/' or '#': look that up once.
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        head = iri[:cut]
        if head not in self.by_head:
            self.by_head[head] = next((p for p in self.prefixes if head.startswith(p[0])), None)
        found = self.by_head[head]
        if found is None or len(iri) <= len(found[0]):
            return iri
        return f"{found[1]}:{iri[len(found[0]):]}"

    def node(self, subject: str, pairs: list[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode]]) -> dict:
        node: dict[str, Any] = {"@id": self.iri(subject)}
        types = [self.class_terms.get(o.value, self.iri(o.value)) for p, o in pairs if p == RDF_TYPE]
        if types:
            node["@type"] = types[0] if len(types) == 1 else types
        for predicate, obj in pairs:
            if predicate == RDF_TYPE:
                continue
            key, value = self.entry(predicate, obj)
            node.setdefault(key, []).append(value)
        return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in node.items()}

    def entry(self, predicate: str, obj: ox.NamedNode | ox.Literal | ox.BlankNode) -> tuple[str, Any]:
        term, coercion = self.terms.get(predicate, (None, None))
        if isinstance(obj, ox.NamedNode):
            if term and coercion == "@id":
                return term, self.iri(obj.value)
            return (term if term and coercion is None else self.iri(predicate)), {"@id": self.iri(obj.value)}
        if isinstance(obj, ox.BlankNode):
            return self.iri(predicate), {"@id": f"_:{obj.value}"}
        key = term if term and coercion != "@id" else self.iri(predicate)
        datatype = obj.datatype.value
        if obj.language:
            return key, {"@value": obj.value, "@language": obj.language}
        if term and coercion and coercion != "@id" and self.iri(datatype) == coercion:
            return term, obj.value
        if datatype == XSD_STRING:
            return (key if not coercion else self.iri(predicate)), obj.value
        return (key if not coercion else self.iri(predicate)), {"@value": obj.value, "@type": self.iri(datatype)}


def write_jsonld(triples: Iterable[ox.Triple], context: dict[str, Any], context_iri: str, out: Path) -> None:
    """Write triples (grouped by subject) as compacted JSON-LD that refers to the published context."""
    compactor = _Compactor(context)
    with out.open("w", encoding="utf-8") as stream:
        stream.write('{"@context": ' + json.dumps(context_iri) + ', "@graph": [\n')
        first = True
        for subject, pairs in _grouped(triples):
            stream.write(("" if first else ",\n") + json.dumps(compactor.node(subject, pairs), ensure_ascii=False))
            first = False
        stream.write("\n]}\n")


def _grouped(triples: Iterable[ox.Triple]) -> Iterator[tuple[str, list]]:
    current, pairs = None, []
    for triple in triples:
        subject = triple.subject
        key = f"_:{subject.value}" if isinstance(subject, ox.BlankNode) else subject.value
        if key != current:
            if current is not None:
                yield current, pairs
            current, pairs = key, []
        pairs.append((triple.predicate.value, triple.object))
    if current is not None:
        yield current, pairs


class RemoteContextRefused(ValueError):
    """A JSON-LD document asked for a context that is not available locally."""


def local_document_loader(contexts: dict[str, Path]) -> Callable[[str, dict | None], dict[str, Any]]:
    """A pyld document loader that serves the given contexts from files and refuses everything else."""

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        path = contexts.get(url)
        if path is None:
            raise RemoteContextRefused(
                f"refusing to fetch the JSON-LD context {url}: contexts are only read from local files")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(path.read_text(encoding="utf-8"))}

    return load


def read_jsonld(path: Path, contexts: dict[str, Path] | None = None) -> Graph:
    """Read a JSON-LD file into a graph; a referenced context is read from context.jsonld beside it."""
    document = json.loads(path.read_text(encoding="utf-8"))
    known = dict(contexts or {})
    reference = document.get("@context") if isinstance(document, dict) else None
    beside = path.parent / CONTEXT_FILE
    if isinstance(reference, str) and reference not in known and reference.endswith("/" + CONTEXT_FILE) \
            and beside.is_file():
        known[reference] = beside
    try:
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                          "documentLoader": local_document_loader(known)})
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, RemoteContextRefused):
                raise RemoteContextRefused(f"{path}: {cause}") from exc
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise ValueError(f"{path}: not valid JSON-LD: {exc}") from exc
    graph = Graph()
    for triple in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        graph.add(from_oxigraph(triple))
    return graph
