"""SHACL validation: a fast engine (shapes compiled to SPARQL on pyoxigraph) that implements SHACL Core and
SHACL-SPARQL and refuses, before validating, whatever it does not implement; pyshacl as the other engine.

    >>> from migration_lod.shacl import shacl_validate
    >>> report = shacl_validate("data.ttl", "shapes.ttl")
    >>> report.conforms, report.engine
"""

from migration_lod.shacl.graph import ShapeError, Unsupported
from migration_lod.shacl.validator import (
    ENGINES,
    REPORT_FORMATS,
    ShaclReport,
    ShaclResult,
    read_triples,
    shacl_validate,
)

__all__ = [
    "ENGINES", "REPORT_FORMATS", "ShaclReport", "ShaclResult", "ShapeError", "Unsupported", "read_triples",
    "shacl_validate",
]
