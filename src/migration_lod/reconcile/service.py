"""The Reconciliation Service API 0.2 over a name index: manifest, queries, suggest, preview, data extension.

What arrives is JSON from anyone: it is parsed whole, bounded (size, number of queries, ids, properties,
text lengths), and checked field by field; a request that does not follow the API gets a ReconcileError
with the HTTP status and a message naming the query and the field. Answers are plain data for json.dumps.
"""

from __future__ import annotations

import bisect
import html
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from migration_lod.reconcile.index import Entity, NameIndex
from migration_lod.reconcile.match import Candidate, PropertyValue, Query, candidates
from migration_lod.reconcile.names import fold
from migration_lod.reconcile.types import PROPERTIES, PROPERTY_BY_ID, TYPES, ServiceProperty

VERSION = "0.2"
BATCH_SIZE = 1000  # queries in a batch (413 past it); OpenRefine sends 10 at a time
MAX_IDS = 1000  # entities in a data extension query
MAX_PROPERTIES = 50  # properties in a query or an extension
MAX_VALUES = 50  # values of one property in a query
MAX_TEXT = 1000  # characters of a query text, a property value, a prefix
MAX_LIMIT = 100  # candidates of one query, suggestions of one prefix
DEFAULT_LIMIT = 5
SUGGEST_LIMIT = 10
MAX_CURSOR = 1000  # suggestions skipped: a prefix search walks that many names first
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 120
PREVIEW_VALUES = 6  # values of one property shown in a preview
QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})
TYPE_STRICT = ("any", "should", "all")


class ReconcileError(Exception):
    """A request the service cannot answer, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ReconcileError(400, f"{what}: the JSON is nested too deeply") from exc
    except ValueError as exc:
        raise ReconcileError(400, f"{what}: not JSON: {exc}") from exc


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ReconcileError(400, f"{where}: a string is expected, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise ReconcileError(400, f"{where}: longer than {MAX_TEXT:,} characters ({len(value):,})")
    return value


def _limit(value: Any, where: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value != int(value) or value < 0:
        raise ReconcileError(400, f"{where}: a non-negative whole number is expected, not {value!r}"[:300])
    return min(int(value), MAX_LIMIT) or default


@dataclass(frozen=True)
class Endpoints:
    """Where the service's parts are, for the manifest: the service's own URL and this server's resource pages."""

    service: str  # the /reconcile URL as the client addressed it
    view: str  # a URL template of an entity's page, with {{id}}


class ReconciliationService:
    """The API's operations over a name index."""

    def __init__(self, index: NameIndex, name: str = "migration-lod") -> None:
        self.index = index
        self.name = name

    def type_key(self, value: Any, where: str) -> str:
        """The key of a type given by its id (or its key); 400 for any other."""
        text = value.get("id") if isinstance(value, dict) else value
        text = _text(text, where)
        found = self.index.types_by_iri.get(text) or self.index.types_by_key.get(text.casefold())
        if found is None:
            known = ", ".join(t.key for t in TYPES)
            raise ReconcileError(400, f"{where}: unknown type {text[:200]!r}; the types are {known}, "
                                      "or their ids as the manifest gives them")
        return found.key

    def manifest(self, endpoints: Endpoints, base_iri: str) -> dict[str, Any]:
        """The service manifest."""
        service = endpoints.service
        return {
            "versions": [VERSION],
            "name": self.name,
            "identifierSpace": base_iri,
            "schemaSpace": base_iri + "ontology/",
            "defaultTypes": [self.index.type_description(t.key) for t in TYPES],
            "view": {"url": endpoints.view},
            "preview": {"url": service + "/preview?id={{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
            "suggest": {kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
                        for kind in ("entity", "type", "property")},
            "extend": {"propose_properties": {"service_url": service, "service_path": "/properties"},
                       "property_settings": [{"name": "limit", "label": "Limit", "type": "number", "default": 0,
                                              "help_text": "Values per entity and property (0: all)"}]},
            "batchSize": BATCH_SIZE,
        }

    def read_queries(self, text: str) -> dict[str, Query]:
        """A reconciliation query batch, checked."""
        batch = _json(text, "queries")
        if not isinstance(batch, dict):
            raise ReconcileError(400, "queries: a JSON object of queries by key is expected")
        if len(batch) > BATCH_SIZE:
            raise ReconcileError(413, f"queries: {len(batch):,} queries in one batch, more than {BATCH_SIZE:,}")
        return {key: self._query(value, f"query {key[:100]!r}") for key, value in batch.items()}

    def read_query(self, text: str) -> Query:
        """A single query (the API's older single-query mode: a JSON object, or a bare query string)."""
        stripped = text.strip()
        if stripped.startswith("{"):
            return self._query(_json(text, "query"), "query")
        return self._query({"query": text}, "query")

    def _query(self, value: Any, where: str) -> Query:
        if not isinstance(value, dict):
            raise ReconcileError(400, f"{where}: a JSON object is expected")
        unknown = sorted(set(value) - QUERY_FIELDS)
        if unknown:
            raise ReconcileError(400, f"{where}: unknown field {unknown[0][:100]!r}; the fields are "
                                      + ", ".join(sorted(QUERY_FIELDS)))
        text = _text(value["query"], f"{where}, field query") if "query" in value else ""
        given = value.get("type")
        given = [] if given is None else given if isinstance(given, list) else [given]
        if len(given) > len(TYPES):
            raise ReconcileError(400, f"{where}, field type: more types than the service has")
        types = frozenset(self.type_key(t, f"{where}, field type") for t in given)
        if value.get("type_strict") not in (None, *TYPE_STRICT):
            raise ReconcileError(400, f"{where}, field type_strict: one of {', '.join(TYPE_STRICT)}")
        properties = self._properties(value.get("properties", []), where)
        if not text.strip() and not properties:
            raise ReconcileError(400, f"{where}: give a query text or properties")
        return Query(text, types, _limit(value.get("limit"), f"{where}, field limit", DEFAULT_LIMIT), properties)

    def _properties(self, value: Any, where: str) -> tuple[tuple[str, tuple[PropertyValue, ...]], ...]:
        if not isinstance(value, list) or len(value) > MAX_PROPERTIES:
            raise ReconcileError(400, f"{where}, field properties: a list of at most {MAX_PROPERTIES} is expected")
        found = []
        for number, item in enumerate(value, 1):
            place = f"{where}, property {number}"
            if not isinstance(item, dict) or "pid" not in item or "v" not in item:
                raise ReconcileError(400, f"{place}: an object with pid and v is expected")
            pid = _property(item["pid"], f"{place}, pid").id
            values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            if not values or len(values) > MAX_VALUES:
                raise ReconcileError(400, f"{place}, v: between 1 and {MAX_VALUES} values are expected")
            found.append((pid, tuple(_value(v, f"{place}, v") for v in values)))
        return tuple(found)

    def reconcile(self, queries: Mapping[str, Query], checkpoint: Callable[[], None] = lambda: None
                  ) -> dict[str, Any]:
        """The result batch; `checkpoint` runs before each query (it raises to stop a batch at a deadline)."""
        results = {}
        for key, query in queries.items():
            checkpoint()
            results[key] = {"result": [self._candidate(c) for c in candidates(self.index, query)]}
        return results

    def _candidate(self, candidate: Candidate) -> dict[str, Any]:
        return {"id": candidate.entity.iri, "name": candidate.entity.name, "score": candidate.score,
                "match": candidate.match, "type": self.index.types_of(candidate.entity),
                "features": [{"id": "name", "value": candidate.name_score},
                             {"id": "properties", "value": candidate.property_score}]}

    def suggest_entities(self, prefix: str, cursor: int = 0, type_given: str | None = None) -> dict[str, Any]:
        """Entities whose id is the prefix, then those having a name that starts with it, by that name."""
        folded = fold(_text(prefix, "prefix"))
        types = {self.type_key(type_given, "type")} if type_given else set()
        found: list[Entity] = []
        exact = self.index.entities.get(prefix.strip())
        if exact is not None:
            found.append(exact)
        if folded:
            found += self._prefixed(folded, types, cursor + SUGGEST_LIMIT)
        unique: dict[str, Entity] = {}
        for entity in found:
            if not types or types & entity.types:
                unique.setdefault(entity.iri, entity)
        chosen = list(unique.values())[cursor:cursor + SUGGEST_LIMIT]
        return {"result": [self._suggestion(e) for e in chosen]}

    def _suggestion(self, entity: Entity) -> dict[str, Any]:
        types = self.index.types_of(entity)
        return {"id": entity.iri, "name": entity.name, "notable": types,
                "description": ", ".join(t["name"] for t in types)}

    def _prefixed(self, folded: str, types: set[str], wanted: int) -> list[Entity]:
        names = self.index.prefixes
        found: dict[str, Entity] = {}
        start = bisect.bisect_left(names, (folded, ""))
        for position in range(start, len(names)):  # not a slice: that would copy the rest of the list
            name, iri = names[position]
            if not name.startswith(folded) or len(found) >= wanted:
                break
            entity = self.index.entities[iri]
            if not types or types & entity.types:
                found.setdefault(iri, entity)
        return list(found.values())

    def suggest_types(self, prefix: str, cursor: int = 0) -> dict[str, Any]:
        """The service's types whose name, key or id starts with the prefix."""
        folded = fold(_text(prefix, "prefix"))
        found = [self.index.type_description(t.key) for t in TYPES
                 if any(fold(n).startswith(folded) for n in (self.index.type_names[t.key], t.key, t.iri))
                 or t.iri == prefix]
        return {"result": found[cursor:cursor + SUGGEST_LIMIT]}

    def suggest_properties(self, prefix: str, cursor: int = 0) -> dict[str, Any]:
        """The properties whose name or id starts with the prefix."""
        folded = fold(_text(prefix, "prefix"))
        found = [{"id": p.id, "name": p.name} for p in PROPERTIES
                 if fold(p.name).startswith(folded) or fold(p.id).startswith(folded)]
        return {"result": found[cursor:cursor + SUGGEST_LIMIT]}

    def propose_properties(self, type_given: str, limit: int | None = None) -> dict[str, Any]:
        """The properties data extension offers for a type."""
        key = self.type_key(type_given, "type")
        proposed = [{"id": p.id, "name": p.name} for p in PROPERTIES if key in p.types]
        answer: dict[str, Any] = {"type": type_given, "properties": proposed[:limit] if limit else proposed}
        if limit:
            answer["limit"] = limit
        return answer

    def read_extension(self, text: str) -> tuple[list[str], list[tuple[ServiceProperty, int]]]:
        """A data extension query, checked: the ids, and each property with its limit of values (0: all)."""
        query = _json(text, "extend")
        if not isinstance(query, dict) or not isinstance(query.get("ids"), list) \
                or not isinstance(query.get("properties"), list):
            raise ReconcileError(400, "extend: an object with the lists ids and properties is expected")
        ids, properties = query["ids"], query["properties"]
        if len(ids) > MAX_IDS or len(properties) > MAX_PROPERTIES:
            raise ReconcileError(413, f"extend: at most {MAX_IDS:,} ids and {MAX_PROPERTIES} properties")
        checked = []
        for number, item in enumerate(properties, 1):
            where = f"extend, property {number}"
            if not isinstance(item, dict) or "id" not in item:
                raise ReconcileError(400, f"{where}: an object with an id is expected")
            prop = _property(item["id"], f"{where}, id")
            settings = item.get("settings") or {}
            if not isinstance(settings, dict):
                raise ReconcileError(400, f"{where}, settings: an object is expected")
            limit = settings.get("limit", 0)
            limit = int(limit) if isinstance(limit, str) and limit.isdigit() else limit
            checked.append((prop, _limit(limit, f"{where}, settings, limit", 0) if limit else 0))
        return [_text(i, "extend, ids") for i in ids], checked

    def extend(self, ids: list[str], properties: list[tuple[ServiceProperty, int]]) -> dict[str, Any]:
        """The values of the properties for each entity (an id that is no entity of the index gets no values)."""
        meta = [{"id": prop.id, "name": prop.name} for prop, _ in properties]
        rows = {}
        for iri in ids:
            row = {}
            for prop, limit in properties:
                nodes = self.index.values(iri, prop.path) if iri in self.index.entities else ()
                values = [self._extension_value(prop, node) for node in nodes]
                values.sort(key=lambda v: v.get("name") or v.get("str") or "")
                row[prop.id] = values[:limit] if limit else values
            rows[iri] = row
        return {"meta": meta, "rows": rows}

    def _extension_value(self, prop: ServiceProperty, node: Any) -> dict[str, str]:
        if prop.entities and isinstance(node, ox.NamedNode):
            return {"id": node.value, "name": self.index.label(node)}
        return {"str": self.index.label(node)}

    def preview(self, iri: str, page: str) -> str:
        """A small HTML page about the entity (404 when it is not one); `page` is the link to its full page."""
        entity = self.index.entities.get(_text(iri, "id"))
        if entity is None:
            raise ReconcileError(404, f"no entity {iri[:200]!r} in this dataset")
        rows = [("type", ", ".join(t["name"] for t in self.index.types_of(entity)))]
        for prop in PROPERTIES:
            if entity.types.isdisjoint(prop.types):
                continue
            values = sorted({self.index.label(node) for node in self.index.values(iri, prop.path)})
            if values:
                more = f" and {len(values) - PREVIEW_VALUES} more" if len(values) > PREVIEW_VALUES else ""
                rows.append((prop.name, ", ".join(values[:PREVIEW_VALUES]) + more))
        cells = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>" for name, value in rows)
        return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html.escape(entity.name) +
                "</title><style>body{font:13px sans-serif;margin:4px}th{text-align:left;padding-right:6px;"
                "vertical-align:top}</style></head><body>"
                f"<a href=\"{html.escape(page)}\" target=\"_blank\"><b>{html.escape(entity.name)}</b></a>"
                f"<table>{cells}</table></body></html>")


def _property(value: Any, where: str) -> ServiceProperty:
    """The property a query or an extension names by its id; 400 for an unknown one."""
    pid = _text(value, where)
    if pid not in PROPERTY_BY_ID:
        raise ReconcileError(400, f"{where}: unknown property {pid[:100]!r}; the properties are "
                                  + ", ".join(PROPERTY_BY_ID))
    return PROPERTY_BY_ID[pid]


def _value(value: Any, where: str) -> PropertyValue:
    if isinstance(value, dict):
        return PropertyValue(_text(value.get("id"), f"{where}, id"), entity=True)
    if isinstance(value, bool | int | float):
        return PropertyValue(str(value).lower() if isinstance(value, bool) else str(value))
    return PropertyValue(_text(value, where))
