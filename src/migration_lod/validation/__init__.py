"""Validation: a SHACL engine (shapes compiled to SPARQL on pyoxigraph) that implements SHACL Core and
SHACL-SPARQL and refuses, before validating, whatever it does not implement, with pyshacl as the other engine
(`shacl`, `reference`); and the dataset's validation against the project's shapes, each result located in
the records (`report`).

    >>> from migration_lod.validation import shacl_validate
    >>> report = shacl_validate("data.ttl", "shapes.ttl")
    >>> report.conforms, report.engine
"""

from __future__ import annotations

from migration_lod.exports import lazy_exports

# Name -> module, imported on first use: the command line reads the choices (options) without the engines.
_EXPORTS = {
    "ShapeError": "graph", "Unsupported": "graph",
    "ENGINES": "options", "REPORT_FORMATS": "options",
    "ValidationReport": "report", "load_shapes": "report", "validate": "report",
    "ShaclReport": "results", "ShaclResult": "results",
    "shacl_validate": "shacl",
    "read_triples": "sources",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
