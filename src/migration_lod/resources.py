"""Where the ontology, the shapes and the vendored vocabularies are, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _resource(name: str) -> Path:
    """The folder `name`, bundled in the wheel (migration_lod/_data/NAME) or at the checkout's root."""
    bundled = _PACKAGE / "_data" / name
    return bundled if bundled.is_dir() else _CHECKOUT / name


def ontology_dir() -> Path:
    """The folder of the OWL ontology and SKOS concept schemes (Turtle)."""
    return _resource("ontology")


def shapes_dir() -> Path:
    """The folder of the SHACL shapes (Turtle)."""
    return _resource("shapes")


def catalogue_dir() -> Path:
    """What the catalogue says of the terms and datasets of others it names (Turtle)."""
    return _resource("catalogue")


def queries_dir() -> Path:
    """The competency questions (SPARQL), shown as the endpoint's example queries."""
    return _resource("queries")


def example_dir() -> Path:
    """The small data folder `init` writes to start from."""
    return _PACKAGE / "example"


def external_dir(data_dir: Path | None = None) -> Path:
    """The vendored external vocabularies: DATA/external when present, else the project's own copy."""
    if data_dir is not None and (data_dir / "external").is_dir():
        return data_dir / "external"
    bundled = _PACKAGE / "_data" / "external"
    return bundled if bundled.is_dir() else _CHECKOUT / "data" / "external"
