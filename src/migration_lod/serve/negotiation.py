"""Content negotiation: which representation a client gets, by `Accept` (werkzeug's parser) or by `format=`.

One table per kind of answer (SELECT/ASK results, graphs), used by the SPARQL endpoint, the Linked Data
pages and the service description alike. A representation may be asked for by media type or by one of
the `format`/`output` values that SPARQLWrapper, rdflib's SPARQLStore, YASGUI and browsers send.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

HTML = "text/html"


@dataclass(frozen=True)
class Representation:
    """A media type offered for one kind of answer, the pyoxigraph format that writes it, the `format=` names."""

    media_type: str
    format: ox.QueryResultsFormat | ox.RdfFormat
    names: tuple[str, ...] = ()

    @property
    def html(self) -> bool:
        """True when the answer is shown as a page (written in `format`, rendered by the server)."""
        return self.media_type == HTML


@dataclass(frozen=True)
class Offer:
    """The representations of one kind of answer, the preferred first (what `*/*` gets)."""

    kind: str
    representations: tuple[Representation, ...]

    @property
    def media_types(self) -> list[str]:
        """The media types offered, in order of preference."""
        return [r.media_type for r in self.representations]

    @property
    def names(self) -> list[str]:
        """The `format=` values understood."""
        return [name for r in self.representations for name in r.names]


RESULTS = Offer("SELECT and ASK results", (
    Representation("application/sparql-results+json", ox.QueryResultsFormat.JSON, ("json", "srj")),
    Representation("application/sparql-results+xml", ox.QueryResultsFormat.XML, ("xml", "srx")),
    Representation("text/csv", ox.QueryResultsFormat.CSV, ("csv",)),
    Representation("text/tab-separated-values", ox.QueryResultsFormat.TSV, ("tsv",)),
    # Clients that know only the generic types get the SPARQL results formats under those names.
    Representation("application/json", ox.QueryResultsFormat.JSON),
    Representation("application/xml", ox.QueryResultsFormat.XML),
    Representation(HTML, ox.QueryResultsFormat.JSON, ("html",)),
))
GRAPHS = Offer("graphs (CONSTRUCT and DESCRIBE)", (
    Representation("text/turtle", ox.RdfFormat.TURTLE, ("turtle", "ttl")),
    Representation("application/ld+json", ox.RdfFormat.JSON_LD, ("json-ld", "jsonld", "json")),
    Representation("application/n-triples", ox.RdfFormat.N_TRIPLES, ("nt", "ntriples", "n-triples")),
    Representation("application/rdf+xml", ox.RdfFormat.RDF_XML, ("xml", "rdf", "rdf+xml", "rdfxml")),
    # Turtle is a subset of N3: a client asking for N3 can read it.
    Representation("text/n3", ox.RdfFormat.TURTLE, ("n3",)),
    Representation("application/x-turtle", ox.RdfFormat.TURTLE),
    Representation("application/xml", ox.RdfFormat.RDF_XML),
    Representation("application/json", ox.RdfFormat.JSON_LD),
    Representation(HTML, ox.RdfFormat.TURTLE, ("html",)),
))


class NotAcceptable(Exception):
    """No representation on offer is acceptable to the client (HTTP 406)."""


def choose(offer: Offer, accept: str | None, formats: tuple[str, ...] = ()) -> Representation:
    """The representation a client gets: the first `format` value understood, else the best match of `Accept`.

    A missing or empty `Accept` means anything; `q=0` excludes. Raises NotAcceptable when nothing fits.
    """
    if formats:
        for value in formats:
            wanted = value.strip().lower()
            for representation in offer.representations:
                if wanted in representation.names or wanted == representation.media_type:
                    return representation
        raise NotAcceptable(f"format={formats[0][:100]!r} is not offered for {offer.kind}; use one of "
                            + ", ".join(offer.names))
    header = accept.strip() if accept else ""
    best = parse_accept_header(header or "*/*", MIMEAccept).best_match(offer.media_types)
    if best is None:
        raise NotAcceptable(f"none of the accepted media types ({header[:200]}) is offered for {offer.kind}; offered: "
                            + ", ".join(offer.media_types))
    return offer.representations[offer.media_types.index(best)]


DEFAULT_LANGUAGE = "en"  # the language every resource of the dataset has labels in


@dataclass(frozen=True)
class LanguageChoice:
    """The language a page is shown in, the languages the resource has, and the one asked for if it has not."""

    language: str
    available: tuple[str, ...]
    missing: str | None = None


def choose_language(available: list[str], asked: str | None, accept_language: str | None) -> LanguageChoice:
    """The language of a page: `?lang=` when the resource has it, else the best of Accept-Language (werkzeug's
    parser and matcher: fr-CH finds fr), else English."""
    languages = tuple(sorted(set(available)))
    if asked is not None and asked.lower() in languages:
        return LanguageChoice(asked.lower(), languages)
    accept = parse_accept_header(accept_language, LanguageAccept) if accept_language else None
    accepted = accept.best_match(languages) if accept else None
    if asked is not None:
        missing = asked
    elif accepted is None and accept is not None and accept.best not in (None, "*"):
        missing = accept.best
    else:
        missing = None
    return LanguageChoice(accepted or DEFAULT_LANGUAGE, languages, missing)
