"""The dataset's description (data/dataset.yaml): what its DCAT-AP catalogue and VoID say about it as a whole.

Each field has a reader that checks it and says what is wrong; the publisher and the contact point are small
mappings, as a catalogue needs an agent with a name and an IRI, and a contact a name and an address.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migration_lod.problems import InputError, Problem, quoted
from migration_lod.records.folder import METADATA_FILE
from migration_lod.records.parsers import parse_document


@dataclass(frozen=True)
class Agent:
    """Who publishes the dataset: a name, and an IRI (minted under the base IRI when none is given)."""

    name: str
    iri: str | None = None
    homepage: str | None = None


@dataclass(frozen=True)
class Contact:
    """Where to write about the dataset: a name and an e-mail address or a web page (a vCard)."""

    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class DatasetMetadata:
    """What the dataset description says about the dataset as a whole (from data/dataset.yaml)."""

    title: str
    description: str
    version: str
    license: str
    publisher: Agent
    contact: Contact | None = None
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # IRIs of concepts, such as the EU's data themes
    spatial: str | None = None  # the IRI of the area the dataset covers
    issued: str | None = None  # xsd:date of the first publication
    modified: str | None = None  # when the input data last changed (xsd:dateTime), set by the build
    data_digest: str | None = None  # sha256 of the input files: which version of the data was built

    def publisher_iri(self, base_iri: str) -> str:
        """The publisher's IRI: the one dataset.yaml gives, else one minted under the dataset's base IRI."""
        return self.publisher.iri or base_iri + "publisher"


class _Invalid(ValueError):
    """A field's value is not what the field takes."""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
        raise _Invalid("expected a text")
    return str(value).strip()


def _iri(value: Any) -> str:
    text = _text(value)
    if not text.startswith(("http://", "https://")) or any(c in text for c in ' <>"{}|\\^`'):
        raise _Invalid(f"expected an http(s) IRI, not {quoted(text)}")
    return text


def _email(value: Any) -> str:
    text = _text(value)
    local, _, domain = text.partition("@")
    if not local or "." not in domain or any(c in text for c in " <>\"\\"):
        raise _Invalid(f"expected an e-mail address, not {quoted(text)}")
    return text


def _date(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime.date) else _text(value)
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise _Invalid(f"expected a date YYYY-MM-DD, not {quoted(text)}") from exc


def _list(read: Callable[[Any], str]) -> Callable[[Any], tuple[str, ...]]:
    def read_list(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _Invalid("expected a list")
        return tuple(read(v) for v in value)
    return read_list


def _record(cls: type, readers: dict[str, Callable[[Any], Any]], required: str) -> Callable[[Any], Any]:
    def read_record(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Invalid(f"expected a mapping of {', '.join(readers)}")
        unknown = [str(k) for k in value if k not in readers]
        if unknown:
            raise _Invalid(f"unknown key(s) {', '.join(map(quoted, unknown))} (known: {', '.join(readers)})")
        if required not in value:
            raise _Invalid(f"{required} is missing")
        values = {}
        for key, item in value.items():
            try:
                values[key] = readers[key](item)
            except _Invalid as exc:
                raise _Invalid(f"{key}: {exc}") from exc
        return cls(**values)
    return read_record


def _publisher(value: Any) -> Agent:
    # A name alone is enough: the build mints the agent's IRI under the dataset's base IRI.
    if isinstance(value, str):
        return Agent(_text(value))
    if not isinstance(value, dict):
        raise _Invalid("expected a name, or a mapping of name, iri, homepage")
    return _record(Agent, {"name": _text, "iri": _iri, "homepage": _iri}, "name")(value)


@dataclass(frozen=True)
class MetadataField:
    """One field of data/dataset.yaml: how it is read, whether it must be there, what it says."""

    read: Callable[[Any], Any]
    required: bool
    meaning: str


METADATA_FIELDS = {
    "title": MetadataField(_text, True, "the dataset's title (dcterms:title)"),
    "description": MetadataField(_text, True, "what the dataset holds (dcterms:description)"),
    "version": MetadataField(_text, True, "the version of the data (dcat:version)"),
    "license": MetadataField(_iri, True, "the IRI of the licence of the data (dcterms:license)"),
    "publisher": MetadataField(_publisher, True, "who publishes it: a name, or a mapping of name, iri, homepage"),
    "contact": MetadataField(_record(Contact, {"name": _text, "email": _email, "url": _iri}, "name"), False,
                             "where to write about it: a mapping of name and email or url (dcat:contactPoint)"),
    "keywords": MetadataField(_list(_text), False, "a list of keywords (dcat:keyword)"),
    "themes": MetadataField(_list(_iri), False, "a list of theme IRIs, such as the EU's data themes (dcat:theme)"),
    "spatial": MetadataField(_iri, False, "the IRI of the area the data covers (dcterms:spatial)"),
    "issued": MetadataField(_date, False, "the date of the first publication (dcterms:issued)"),
}


def load_metadata(data_dir: Path | str) -> DatasetMetadata:
    """Read data/dataset.yaml: the dataset's title, description, version, licence, publisher and catalogue fields."""
    path = Path(data_dir) / METADATA_FILE
    shown = str(path)
    if not path.is_file():
        raise InputError([Problem("missing: it gives the dataset's " + ", ".join(
            n for n, f in METADATA_FIELDS.items() if f.required), shown)])
    raw = parse_document(path, shown)
    if not isinstance(raw, dict):
        raise InputError([Problem("expected a mapping of " + ", ".join(METADATA_FIELDS), shown,
                                  getattr(raw, "line", None))])
    lines = getattr(raw, "key_lines", {})
    problems = [Problem(f"unknown field (known: {', '.join(METADATA_FIELDS)})", shown, lines.get(k), field=str(k))
                for k in raw if k not in METADATA_FIELDS]
    problems += [Problem("required field is missing", shown, field=n) for n, f in METADATA_FIELDS.items()
                 if f.required and raw.get(n) is None]
    values = {}
    for name, spec in METADATA_FIELDS.items():
        if raw.get(name) is None:
            continue
        try:
            values[name] = spec.read(raw[name])
        except _Invalid as exc:
            problems.append(Problem(str(exc), shown, lines.get(name), field=name))
    if problems:
        raise InputError(problems)
    return DatasetMetadata(**values)
