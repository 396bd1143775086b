"""The names of the dataset's entities, indexed for matching: read once from a store, then kept in memory.

An entity is any resource of one of the service's types (types.py). Its names are its labels (preferred,
alternative, hidden, rdfs:label, title), their variants (names.py), and, matched exactly only, its
notations and identifiers (an ISO code, a document symbol, "objective 9"). Everything else about an entity
(its property values, its preview) is read from the store when asked, so the index holds names only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from migration_lod.publish.query_store import PublishedStore, published_store
from migration_lod.rdf.formats import load_into, unreadable
from migration_lod.rdf.namespaces import DCTERMS, FOAF, RDF, RDFS, SKOS
from migration_lod.reconcile.names import fold, notation_names, variants
from migration_lod.reconcile.types import TYPES, ServiceType

LABELS = (str(SKOS.prefLabel), str(SKOS.altLabel), str(SKOS.hiddenLabel), str(RDFS.label), str(DCTERMS.title),
          str(FOAF.name))
CODES = (str(SKOS.notation), str(DCTERMS.identifier))
VARIANT_WEIGHT = 0.97  # a name derived from a label (see names.py) counts a little less than the label itself
# The name shown for an entity: its preferred label in English, else without a language, else in any.
LANGUAGE_RANK = {"en": 0, "": 1}
OTHER_LANGUAGE = 5


@dataclass
class Entity:
    """A resource that can be a candidate: its IRI, the name shown, its types (keys), its folded names."""

    iri: str
    types: set[str] = field(default_factory=set)
    name: str = ""
    name_rank: int = 99  # how good `name` is as the shown name (lower is better)
    names: dict[str, float] = field(default_factory=dict)  # folded name -> weight; matched approximately
    codes: set[str] = field(default_factory=set)  # folded notations and identifiers; matched exactly

    def add_name(self, folded: str, weight: float) -> None:
        """Keep the best weight a folded name has."""
        if folded and weight > self.names.get(folded, 0.0):
            self.names[folded] = weight


class NameIndex:
    """The entities of a store and their names, with the lookups the matcher needs."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        # A class's label names its instances; a concept scheme's names the collection, not one of its concepts.
        self.type_names = {t.key: (None if t.scheme else _label(store, t.iri)) or t.name for t in TYPES}
        self.types_by_iri = {t.iri: t for t in TYPES}
        self.types_by_key = {t.key: t for t in TYPES}
        # A type's broader types, as the ontology says (rdfs:subClassOf): an ISCM and a State are organisations.
        self.broader = {t.key: [self.types_by_iri[q.object.value].key for q in store.quads_for_pattern(
            ox.NamedNode(t.iri), ox.NamedNode(str(RDFS.subClassOf)), None) if q.object.value in self.types_by_iri]
            for t in TYPES}
        self.entities: dict[str, Entity] = {}
        for service_type in TYPES:
            for iri in _members(store, service_type):
                self.entities.setdefault(iri, Entity(iri)).types.add(service_type.key)
        self._read_names()
        self.exact: dict[str, list[Entity]] = defaultdict(list)  # folded name or code -> entities
        self.postings: dict[str, list[Entity]] = defaultdict(list)  # word of a name -> entities
        for entity in self.entities.values():
            for name in {*entity.names, *entity.codes}:
                self.exact[name].append(entity)
            for word in {w for name in entity.names for w in name.split()}:
                self.postings[word].append(entity)
        self.words = list(self.postings)
        total = len(self.entities) + 1
        self.rarity = {word: math.log(total / len(found)) + 1.0 for word, found in self.postings.items()}
        self.prefixes = sorted((name, entity.iri) for entity in self.entities.values()
                               for name in {*entity.names, *entity.codes})

    def _read_names(self) -> None:
        for rank, predicate in enumerate(LABELS):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                entity = self.entities.get(quad.subject.value)
                if entity is None or not isinstance(quad.object, ox.Literal):
                    continue
                label = quad.object.value
                entity.add_name(fold(label), 1.0)
                for variant in variants(label):
                    entity.add_name(variant, VARIANT_WEIGHT)
                shown = rank * 10 + LANGUAGE_RANK.get(quad.object.language or "", OTHER_LANGUAGE)
                if shown < entity.name_rank or (shown == entity.name_rank and label < entity.name):
                    entity.name, entity.name_rank = label, shown
        for predicate in CODES:
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                entity = self.entities.get(quad.subject.value)
                if entity is None or not isinstance(quad.object, ox.Literal):
                    continue
                words = tuple(w for key in entity.types for w in self.types_by_key[key].notation_words)
                entity.codes.update(notation_names(quad.object.value, words))
                if not entity.name:
                    entity.name = quad.object.value
        for entity in self.entities.values():
            entity.name = entity.name or entity.iri

    def type_description(self, key: str) -> dict[str, Any]:
        """A type as the manifest gives it: id, name, and its broader types."""
        found: dict[str, Any] = {"id": self.types_by_key[key].iri, "name": self.type_names[key]}
        if self.broader[key]:
            found["broader"] = [{"id": self.types_by_key[b].iri, "name": self.type_names[b]} for b in self.broader[key]]
        return found

    def types_of(self, entity: Entity) -> list[dict[str, str]]:
        """The entity's types as the API gives them: id and name."""
        return [{"id": self.types_by_key[key].iri, "name": self.type_names[key]}
                for key in sorted(entity.types)]

    def values(self, entity: str, path: tuple[str, ...]) -> Iterator[ox.NamedNode | ox.Literal]:
        """The values reached from an entity along a path of predicates, in the store's order."""
        nodes: list = [ox.NamedNode(entity)]
        for predicate in path:
            nodes = [quad.object for node in nodes if isinstance(node, ox.NamedNode)
                     for quad in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None)]
        yield from nodes

    def label(self, node: ox.NamedNode | ox.Literal) -> str:
        """A value as text: a literal's lexical form, a resource's shown name (or its label, or its IRI)."""
        if isinstance(node, ox.Literal):
            return node.value
        entity = self.entities.get(node.value)
        return entity.name if entity is not None else (_label(self.store, node.value) or node.value)


def _label(store: ox.Store, iri: str) -> str | None:
    """An IRI's English label (skos:prefLabel or rdfs:label), else any label, else None."""
    found = []
    for predicate in (SKOS.prefLabel, RDFS.label):
        for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(str(predicate)), None):
            if isinstance(quad.object, ox.Literal):
                found.append((quad.object.language not in ("en", None), quad.object.value))
        if found:
            return min(found)[1]
    return None


def _members(store: ox.Store, service_type: ServiceType) -> Iterator[str]:
    """The IRIs of a type's members: a scheme's concepts, or the instances of a class and of its subclasses."""
    if service_type.scheme:
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(SKOS.inScheme)), ox.NamedNode(service_type.iri)):
            if isinstance(quad.subject, ox.NamedNode):
                yield quad.subject.value
        return
    classes, pending = {service_type.iri}, [service_type.iri]
    while pending:
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDFS.subClassOf)), ox.NamedNode(pending.pop())):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in classes:
                classes.add(quad.subject.value)
                pending.append(quad.subject.value)
    for iri in sorted(classes):
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(iri)):
            if isinstance(quad.subject, ox.NamedNode):
                yield quad.subject.value


def open_index(dumps: Iterable[Path]) -> NameIndex:
    """The name index of dumps: read from the store published with them (read-only), else from the dumps loaded
    into memory. InputError naming the file that cannot be read."""
    dumps = [Path(d) for d in dumps]
    found = published_store(dumps)
    if isinstance(found, PublishedStore):
        return NameIndex(ox.Store.read_only(str(found.path)))
    store = ox.Store()
    for path in dumps:
        try:
            load_into(store, path)
        except (OSError, SyntaxError, ValueError) as exc:
            raise unreadable(path, exc) from exc
    return NameIndex(store)
