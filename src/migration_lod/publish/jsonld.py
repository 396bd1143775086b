"""JSON-LD publication: the context generated from the ontology, and a fast writer of compacted JSON-LD
(pyld compacts ~31k triples/s; this writes the dump from canonical N-Triples, one subject at a time)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph

from migration_lod.progress import Stage
from migration_lod.rdf.namespaces import MIG, PREFIXES

RDF_TYPE = str(RDF.type)
UN_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")  # the six official languages of the UN
# Terms that select one language: a client that compacts or frames with the context gets prefLabel_fr with
# the French labels only (JSON-LD 1.1: a term with @language matches only values in that language).
LANGUAGE_TERMS = ("prefLabel", "altLabel", "definition")  # SKOS properties
OBJECT_CACHE = 500_000  # compacted object IRIs kept (~100 MB at most)
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
    for name in LANGUAGE_TERMS:
        for language in UN_LANGUAGES:
            context[f"{name}_{language}"] = {"@id": f"skos:{name}", "@language": language}
    return context


class _Compactor:
    """Writes N-Triples as compacted node objects using the generated context's prefixes and terms.

    It reads the canonical N-Triples text, not parsed terms: the escapes of a canonical literal are JSON's
    own, so lexical forms are copied as they are and the whole pass is string slicing (making Python
    objects for the terms costs more than all the rest).
    """

    def __init__(self, context: dict[str, Any]) -> None:
        # Longest namespace first, so that e.g. gcme: wins over a shorter prefix of the same IRI.
        self.prefixes = sorted(((iri, name) for name, iri in context.items() if isinstance(iri, str)
                                and iri.endswith(("/", "#"))), key=lambda p: -len(p[0]))
        self.by_head: dict[str, tuple[str, str] | None] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}
        self.class_terms: dict[str, str] = {}
        self.keys: dict[str, tuple[str, str, str, str | None]] = {}
        self.datatypes: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.objects: dict[str, str] = {}  # objects recur: concepts, areas, documents cited as sources
        for name, definition in context.items():
            # A term with @language holds only values in its language: the dump writes every label, in
            # every language, under the property's own name instead.
            if isinstance(definition, dict) and "@language" not in definition:
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

    def key(self, predicate: str) -> tuple[str, str, str, str | None]:
        """The JSON keys of a predicate: for IRI values, for literals, for values that need the full
        form, and the datatype the context coerces its values to ("@id" for IRIs)."""
        found = self.keys.get(predicate)
        if found is None:
            term, coercion = self.terms.get(predicate, (None, None))
            full = self.json_iri(predicate)
            found = self.keys[predicate] = (
                f'"{term}"' if term and coercion in (None, "@id") else full,
                f'"{term}"' if term and coercion != "@id" else full,
                full,
                coercion if term else None,
            )
        return found

    def json_iri(self, iri: str) -> str:
        """An IRI, compacted, as a JSON string (an IRI never holds a quote, a backslash or a control
        character, so it needs no escaping)."""
        return '"' + self.iri(iri) + '"'

    def node(self, subject: str, pairs: list[tuple[str, str]]) -> str:
        """One node object as JSON text, from the (predicate, object) pairs of its N-Triples."""
        types: list[str] = []
        values: dict[str, list[str]] = {}
        objects, key, json_iri = self.objects, self.key, self.json_iri
        for predicate, obj in pairs:
            first = obj[0]
            if first == "<":
                if predicate == RDF_TYPE:
                    types.append(self.types.get(obj) or self.type_of(obj))
                    continue
                iri_key, _, _, coercion = key(predicate)
                text = objects.get(obj)
                if text is None:
                    text = json_iri(obj[1:-1])
                    if len(objects) < OBJECT_CACHE:
                        objects[obj] = text
                if coercion != "@id":
                    text = '{"@id": ' + text + "}"
                values.setdefault(iri_key, []).append(text)
            elif first == "_":
                values.setdefault(key(predicate)[2], []).append('{"@id": "' + obj + '"}')
            else:
                _, literal_key, full_key, coercion = key(predicate)
                end = obj.rindex('"') + 1
                if end == len(obj):
                    values.setdefault(full_key if coercion else literal_key, []).append(obj)
                elif obj[end] == "@":
                    values.setdefault(literal_key, []).append(
                        '{"@value": ' + obj[:end] + ', "@language": "' + obj[end + 1:] + '"}')
                else:
                    datatype = self.datatypes.get(obj[end + 3:-1]) or self.datatype(obj[end + 3:-1])
                    if datatype == coercion:
                        values.setdefault(literal_key, []).append(obj[:end])
                    else:
                        values.setdefault(full_key if coercion else literal_key, []).append(
                            '{"@value": ' + obj[:end] + ', "@type": "' + datatype + '"}')
        parts = ['{"@id": ' + (json_iri(subject) if subject[0] != "_" else f'"{subject}"')]
        if types:
            parts.append('"@type": ' + (types[0] if len(types) == 1 else "[" + ", ".join(types) + "]"))
        for name, texts in values.items():
            parts.append(name + ": " + (texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"))
        return ", ".join(parts) + "}"

    def datatype(self, iri: str) -> str:
        found = self.datatypes[iri] = self.iri(iri)
        return found

    def type_of(self, obj: str) -> str:
        iri = obj[1:-1]
        found = self.types[obj] = f'"{self.class_terms.get(iri) or self.iri(iri)}"'
        return found


def write_jsonld(ntriples: Path, context: dict[str, Any], context_iri: str, out: Path,
                 progress: Stage | None = None) -> None:
    """Write a graph given as a file of canonical N-Triples (each subject's triples together) as compacted
    JSON-LD that refers to the published context."""
    compactor = _Compactor(context)
    with out.open("w", encoding="utf-8") as stream:
        stream.write('{"@context": ' + json.dumps(context_iri) + ', "@graph": [\n')
        separator = ""
        for subject, pairs in _grouped(ntriples):
            stream.write(separator + compactor.node(subject, pairs))
            separator = ",\n"
            if progress is not None:
                progress.advance(len(pairs))
        stream.write("\n]}\n")


def _grouped(ntriples: Path) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(subject, [(predicate IRI, object as written)]) for each run of lines with the same subject."""
    current, pairs = None, []
    # Read line by line (a line ends only at "\n": pyoxigraph escapes any other line break in a literal).
    with ntriples.open(encoding="utf-8", newline="\n") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                continue
            # Canonical N-Triples: "<s> <p> o ." or "_:b <p> o .", one space between terms; IRIs hold no space.
            cut = line.index(" ")
            subject = line[1:cut - 1] if line[0] == "<" else line[:cut]
            end = line.index("> ", cut + 1)
            if subject != current:
                if current is not None:
                    yield current, pairs
                current, pairs = subject, []
            pairs.append((line[cut + 2:end], line[end + 2:-2]))
    if current is not None:
        yield current, pairs
