"""Validation: a SHACL engine (shapes compiled to SPARQL on pyoxigraph) that implements SHACL Core and
SHACL-SPARQL and refuses, before validating, whatever it does not implement, with pyshacl as the other engine
(`shacl`, `reference`); and the dataset's validation against the project's shapes, each result located in
the records (`report`).

    >>> from migration_lod.validation import shacl_validate
    >>> report = shacl_validate("data.ttl", "shapes.ttl")
    >>> report.conforms, report.engine
"""

from migration_lod.validation.graph import ShapeError, Unsupported
from migration_lod.validation.report import ValidationReport, load_shapes, validate
from migration_lod.validation.shacl import (
    ENGINES,
    REPORT_FORMATS,
    ShaclReport,
    ShaclResult,
    read_triples,
    shacl_validate,
)

__all__ = [
    "ENGINES",
    "REPORT_FORMATS",
    "ShaclReport",
    "ShaclResult",
    "ShapeError",
    "Unsupported",
    "ValidationReport",
    "load_shapes",
    "read_triples",
    "shacl_validate",
    "validate",
]
