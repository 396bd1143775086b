"""SHACL validation of the project's data, reported as problems that name the record and the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef

from migration_lod.problems import Problem
from migration_lod.progress import Progress
from migration_lod.rdf.namespaces import SH, compact
from migration_lod.rdf.vocabulary import parse_turtle_files
from migration_lod.resources import shapes_dir
from migration_lod.validation.results import ShaclResult
from migration_lod.validation.shacl import shacl_validate

if TYPE_CHECKING:  # a type only: validation does not need the mapping's imports
    from migration_lod.records.mapping import Origins

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class ValidationReport:
    """The result of validating a graph: every problem, with its severity, and notes on how it was validated."""

    problems: list[Problem]
    notes: list[str] = field(default_factory=list)  # e.g. why the fast engine left the shapes to pyshacl

    @property
    def violations(self) -> list[Problem]:
        """The problems that make the data wrong."""
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are only suspicious."""
        return [p for p in self.problems if p.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings do not count)."""
        return not self.violations

    def __repr__(self) -> str:
        return f"ValidationReport({len(self.violations)} violation(s), {len(self.warnings)} warning(s))"

    def __str__(self) -> str:
        lines = [f"{p.severity}: {p}" for p in self.problems]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def load_shapes(directory: Path | str | None = None) -> Graph:
    """The SHACL shapes (every .ttl file of the shapes folder)."""
    return parse_turtle_files(sorted(Path(directory or shapes_dir()).glob("*.ttl")))


def validate(graph: Graph, shapes: Graph | None = None, origins: Origins | None = None,
             also: list[Problem] | None = None, *, engine: str = "fast",
             progress: Progress | None = None) -> ValidationReport:
    """Validate `graph` against the shapes (SHACL Core and SHACL-SPARQL, no inference); locate problems
    through `origins`.

    The "fast" engine compiles the shapes to SPARQL run by pyoxigraph and falls back to pyshacl when the shapes
    use something it does not implement (the progress line says why). `also` adds problems found by other
    checks (the offline link check) to the same report.
    """
    shapes = shapes if shapes is not None else load_shapes()
    progress = progress or Progress(quiet=True)
    stage = progress.stage("validating", "results")
    shacl = shacl_validate(graph, shapes, engine=engine)
    problems = {_problem(result, origins or {}) for result in shacl.results} | set(also or ())
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    report = ValidationReport(sorted(problems, key=lambda p: (order.get(p.severity, 3), p.file or "",
                                                              p.line or 0, p.record or p.focus or "",
                                                              p.field or "", p.message)),
                              [f"validated with pyshacl: the fast engine refused the shapes: {shacl.fallback}"]
                              if shacl.fallback else [])
    used = f"pyshacl: the fast engine refused the shapes, {shacl.fallback}" if shacl.fallback else shacl.engine
    stage.done(f"validated ({used}): {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return report


def _problem(result: ShaclResult, origins: Origins) -> Problem:
    focus, path, value = result.focus, result.path, result.value
    severity = SEVERITIES.get(result.severity, "Violation")
    message = "; ".join(sorted(str(m) for m in result.messages)) or f"does not conform to {compact(result.component)}"
    if value is not None and value != focus:
        shown = f'"{value}"' if isinstance(value, Literal) else compact(value)
        message = f"{shown}: {message}"
    rule = " ".join(compact(t) for t in (result.shape, result.component) if isinstance(t, URIRef)) or None
    record, field = origins.get(str(focus), (None, None))
    if record is None:
        return Problem(message, severity=severity, focus=compact(focus), field=_path(path), rule=rule)
    if field is None and isinstance(path, URIRef):
        spec = record.kind.field_for(path)
        field = spec.name if spec else compact(path)
    located = record.problem(field, message, severity)
    return Problem(located.message, located.file, located.line, located.record, located.field, severity,
                   compact(focus), rule)


def _path(path: object) -> str | None:
    return compact(path) if isinstance(path, URIRef) else None
