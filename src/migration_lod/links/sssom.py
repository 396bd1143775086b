"""The dataset's links to other vocabularies as SSSOM: written with a publication, and imported from a
curated mapping file into a graph of their own."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, Graph, Literal, URIRef

from migration_lod.links.offline import UNVERIFIED
from migration_lod.problems import InputError, Problem, quoted
from migration_lod.rdf.formats import is_rdf, quads, read_quads
from migration_lod.rdf.namespaces import M49_CODES, MIG, PREFIXES, SCHEMA, UNDOCS, compact
from migration_lod.rdf.sources import UN_KOS_DATASET, UNDOCS_DATASET
from migration_lod.rdf.terms import from_oxigraph, to_oxigraph

# The link predicates of the dataset, each chosen on purpose (see the ontology's rdfs:comment):
# skos:exactMatch / skos:broadMatch between concepts, mig:geoArea from a State to the area it governs,
# schema:sameAs from a document to the UN's own reference page for it.
LINK_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch,
                   MIG.geoArea, SCHEMA.sameAs, OWL.sameAs)
# Those that say two resources stand for the same or related things, and so are mappings (the SSSOM file
# holds only these): mig:geoArea links an actor to a place, which the ontology says is no match.
MAPPING_PREDICATES = frozenset(LINK_PREDICATES) - {MIG.geoArea}
# Target vocabularies by namespace, longest first: (namespace, name, dataset IRI).
TARGETS = (
    ("http://metadata.un.org/sdg/codes/geoArea/", "un-m49", UN_KOS_DATASET),
    ("http://metadata.un.org/sdg/", "un-sdg-kos", UN_KOS_DATASET),
    (UNDOCS, "undocs", UNDOCS_DATASET),
)
SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM_PREFIXES = {"undocs": UNDOCS, "semapv": SEMAPV}
UNVERIFIED_CONFIDENCE = 0.5  # a target the vendored vocabulary lacks: stated, but not seen to exist


@dataclass(frozen=True)
class LinkMapping:
    """One cross-vocabulary link of the dataset, as an SSSOM row: what links to what, and how it was made."""

    subject: URIRef
    subject_label: str
    predicate: URIRef
    object: URIRef
    object_label: str
    target: str
    justification: str  # a SEMAPV term: LexicalMatching, ManualMappingCuration, UnspecifiedMatching
    comment: str
    verified: bool = True  # False: the target is not in the vendored copy of its vocabulary
    subject_match_field: URIRef | None = None  # for LexicalMatching: the field of the subject that matched ...
    object_match_field: URIRef | None = None  # ... and the object's, when the object has one (not a built IRI)
    match_string: str = ""

    @property
    def confidence(self) -> float:
        """1 for a link to a target seen in its vocabulary; less for one that is not."""
        return 1.0 if self.verified else UNVERIFIED_CONFIDENCE


def _label(graph: Graph, node: URIRef) -> str:
    labels = [o for p in (SKOS.prefLabel, RDFS.label) for o in graph.objects(node, p) if isinstance(o, Literal)]
    english = sorted(str(o) for o in labels if o.language in (None, "en"))
    return english[0] if english else ""


def _how(graph: Graph, subject: URIRef, predicate: URIRef, obj: URIRef, target: str) -> dict:
    """How a link was made, decided on what the graph says of both ends."""
    if target.startswith("un-") and (obj, None, None) not in graph:
        notes = sorted(str(n) for n in graph.objects(subject, SKOS.editorialNote) if str(n).startswith(UNVERIFIED))
        return {"justification": "UnspecifiedMatching", "verified": False, "comment": " ".join(notes) or
                "Not verified: the target is not in the vendored copy of its vocabulary (data/external)."}
    if predicate == SCHEMA.sameAs and str(obj).startswith(UNDOCS):
        symbol = str(obj)[len(UNDOCS):]
        if Literal(symbol) in set(graph.objects(subject, DCTERMS.identifier)):
            return {"justification": "LexicalMatching", "subject_match_field": DCTERMS.identifier,
                    "match_string": symbol,
                    "comment": "the UN's resolver of the document's official symbol, built from the symbol"}
    # A code on both sides: the SDG notation (exactMatch), the ISO 3166-1 alpha-3 code of a State (geoArea).
    for matched, fields in ((SKOS.exactMatch, (SKOS.notation, SKOS.notation)),
                            (SKOS.closeMatch, (SKOS.notation, SKOS.notation)),
                            (MIG.geoArea, (DCTERMS.identifier, M49_CODES.iso3code))):
        if predicate == matched:
            ours = {str(n) for n in graph.objects(subject, fields[0])}
            equal = sorted(ours & {str(n) for n in graph.objects(obj, fields[1])})
            if equal:
                return {"justification": "LexicalMatching", "subject_match_field": fields[0],
                        "object_match_field": fields[1], "match_string": equal[0],
                        "comment": "the codes are equal on both sides"}
    return {"justification": "ManualMappingCuration", "comment": "stated by hand in the project's vocabulary"}


def link_mappings(graph: Graph, own: tuple[str, ...]) -> list[LinkMapping]:
    """The dataset's links from its own resources (IRIs under `own`) to the external vocabularies."""
    rows = []
    for predicate in LINK_PREDICATES:
        for subject, obj in graph.subject_objects(predicate):
            if not (isinstance(obj, URIRef) and str(subject).startswith(own)) or str(obj).startswith(own):
                continue
            target = next((t[1] for t in TARGETS if str(obj).startswith(t[0])), "other")
            rows.append(LinkMapping(subject, _label(graph, subject), predicate, obj, _label(graph, obj), target,
                                    **_how(graph, subject, predicate, obj, target)))
    return sorted(rows, key=lambda r: (str(r.subject), str(r.predicate), str(r.object)))


@dataclass(frozen=True)
class MappingSet:
    """What the SSSOM file says of its mappings as a whole (its YAML header)."""

    mapping_set_id: str  # the IRI the file is published at
    title: str
    version: str
    license: str
    creator: str  # an IRI
    mapping_date: str  # xsd:date
    subject_source: str  # the IRI of this dataset


SSSOM_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                 "mapping_justification", "subject_match_field", "object_match_field", "match_string",
                 "confidence", "object_source", "comment")


def write_sssom(rows: list[LinkMapping], path: Path, mapping_set: MappingSet, prefixes: dict[str, str]) -> None:
    """Write the mappings among the links (MAPPING_PREDICATES) as an SSSOM TSV file with its metadata header."""
    rows = [r for r in rows if r.predicate in MAPPING_PREDICATES]
    curie_map = {**prefixes, **SSSOM_PREFIXES}
    cells = [_cells(row, curie_map) for row in rows]
    creator = compact(mapping_set.creator, curie_map)
    curies = [creator, *(c for row in cells for c in (row[0], row[2], row[3], row[5], row[6]))]
    used = {c.split(":", 1)[0] for c in curies if c}
    header = {"curie_map": {k: v for k, v in sorted(curie_map.items()) if k in used},
              "mapping_set_id": mapping_set.mapping_set_id, "mapping_set_version": mapping_set.version,
              "mapping_set_title": mapping_set.title,
              "mapping_set_description": "Links of the migration-lod dataset to the UN's own vocabularies. "
                                         "Rows with a confidence below 1 name targets that are not in the vendored "
                                         "copy of their vocabulary: they are stated, not verified.",
              "license": mapping_set.license, "creator_id": [creator], "mapping_date": mapping_set.mapping_date,
              "subject_source": mapping_set.subject_source}
    lines = ["# " + line for line in yaml.safe_dump(header, sort_keys=False, width=200).splitlines()]
    lines.append("\t".join(SSSOM_COLUMNS))
    lines += ["\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) for row in cells]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cells(row: LinkMapping, curie_map: dict[str, str]) -> tuple[str, ...]:
    fields = [compact(f, curie_map) if f is not None else "" for f in (row.subject_match_field, row.object_match_field)]
    source = next((t[2] for t in TARGETS if t[1] == row.target), "")
    return (compact(row.subject, curie_map), row.subject_label, compact(row.predicate, curie_map),
            compact(row.object, curie_map), row.object_label, f"semapv:{row.justification}", *fields,
            row.match_string, f"{row.confidence:g}", source, row.comment)


def linksets(rows: list[LinkMapping]) -> dict[tuple[str, URIRef, bool], int]:
    """How many links go to each target vocabulary with each predicate, verified or not (for void:Linkset)."""
    counts: dict[tuple[str, URIRef, bool], int] = {}
    for row in rows:
        key = (row.target, row.predicate, row.verified)
        counts[key] = counts.get(key, 0) + 1
    return counts


def target_dataset(name: str) -> str:
    """The IRI of the void:Dataset of a target vocabulary, by its name."""
    return next(t[2] for t in TARGETS if t[1] == name)


class MappingImportError(ValueError):
    """Mappings refused: unattributed, or about resources this dataset lacks (unreadable ones: InputError)."""


def read_sssom(path: Path) -> tuple[list[tuple[URIRef, URIRef, URIRef]], dict, int]:
    """The positive mappings of an SSSOM TSV file read with sssom-py (its standard prefixes and the file's
    curie_map), the mapping set's metadata with its creators expanded, and how many negated mappings
    (predicate_modifier Not) were left out: a graph of links states links, not their absence."""
    try:
        from sssom.parsers import parse_sssom_table
    except ImportError as exc:
        needed = "reading SSSOM needs sssom-py: pip install 'migration-lod[sssom]'"
        raise InputError([Problem(needed, str(path))]) from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas and linkml deprecation notes, not the user's business
            table = parse_sssom_table(path)
    except Exception as exc:  # sssom-py raises many kinds of errors for a malformed table
        raise InputError([Problem(f"not a valid SSSOM table: {type(exc).__name__}: {exc}", str(path))]) from exc

    def expand(curie: object, row: int | None = None) -> URIRef:
        text = str(curie)
        iri = text if text.startswith(("http://", "https://")) else table.converter.expand(text)
        if not iri:
            where = f"mapping {row}: " if row else ""
            raise InputError([Problem(f"{where}{quoted(text)} uses a prefix neither SSSOM nor the curie_map defines",
                                      str(path))])
        return URIRef(iri)

    frame = table.df
    missing = {"subject_id", "predicate_id", "object_id"} - set(frame.columns)
    if missing:
        raise InputError([Problem(f"missing column(s) {', '.join(sorted(missing))}", str(path))])
    negated = frame["predicate_modifier"].astype(str) == "Not" if "predicate_modifier" in frame.columns else None
    triples, left_out = [], 0
    for number, row in enumerate(frame.to_dict("records"), start=1):
        if negated is not None and negated.iloc[number - 1]:
            left_out += 1
            continue
        triples.append((expand(row["subject_id"], number), expand(row["predicate_id"], number),
                        expand(row["object_id"], number)))
    metadata = dict(table.metadata)
    for key in ("creator_id", "author_id"):
        if metadata.get(key):
            values = metadata[key] if isinstance(metadata[key], list) else [metadata[key]]
            metadata[key] = [str(expand(v)) for v in values]
    return triples, metadata, left_out


def import_mappings(path: Path, dataset_subjects: set[URIRef], graph_iri: str,
                    attributed_to: str | None = None) -> Graph:
    """Mappings someone else made to this dataset's IRIs, as a graph of their own with its provenance.

    Every subject must be a resource of this dataset; the mappings must say who made them (SSSOM
    creator_id / author_id, or `attributed_to`).
    """
    left_out = 0
    if path.suffix == ".tsv":
        triples, metadata, left_out = read_sssom(path)
    elif is_rdf(path):
        try:
            triples = [from_oxigraph(q) for q in quads(path)]
        except (SyntaxError, OSError, ValueError) as exc:
            raise InputError([Problem(f"not valid RDF: {exc}", str(path))]) from exc
        metadata = {}
    else:
        raise InputError([Problem("use an SSSOM .tsv file or an RDF file of mappings (.ttl, .nt, ...)", str(path))])
    unknown = sorted({str(s) for s, _, _ in triples if s not in dataset_subjects})
    if unknown:
        raise MappingImportError(f"{path}: {len(unknown)} subject(s) are not resources of this dataset: "
                                 + ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else ""))
    creators = attributed_to or metadata.get("creator_id") or metadata.get("author_id")
    if not creators:
        raise MappingImportError(f"{path}: say who made these mappings (--attributed-to, or creator_id in the "
                                 "SSSOM metadata)")
    graph = Graph(identifier=URIRef(graph_iri))
    for triple in triples:
        graph.add(triple)
    node = URIRef(graph_iri)
    graph.add((node, RDF.type, PROV.Entity))
    for creator in creators if isinstance(creators, list) else [creators]:
        agent = str(creator)
        graph.add((node, PROV.wasAttributedTo,
                   URIRef(agent) if agent.startswith(("http://", "https://")) else Literal(agent)))
    graph.add((node, DCTERMS.source, Literal(path.name)))
    graph.add((node, VOID.triples, Literal(len(triples), datatype=XSD.integer)))
    if left_out:
        graph.add((node, RDFS.comment, Literal(f"{left_out} negated mapping(s) of the source (SSSOM predicate_modifier "
                                             "Not) are not stated here", lang="en")))
    return graph


def import_mapping_file(mappings: Path, dump: Path, out_dir: Path, base_iri: str,
                        attributed_to: str | None = None) -> tuple[Path, str, int]:
    """Import mappings someone else made to the resources of `dump` into OUT/NAME.trig, one named graph with
    its provenance (see import_mappings); return the file, the graph's IRI and the number of mappings."""
    subjects = {from_oxigraph(q)[0] for q in read_quads([dump])}
    graph_iri = f"{base_iri}graph/imported/{mappings.stem}"
    graph = import_mappings(mappings, subjects, graph_iri, attributed_to)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{mappings.stem}.trig"
    found = [ox.Quad(*(to_oxigraph(t) for t in triple), ox.NamedNode(graph_iri)) for triple in graph]
    ox.serialize(sorted(found, key=str), str(target), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return target, graph_iri, int(graph.value(URIRef(graph_iri), VOID.triples))
