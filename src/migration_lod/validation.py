"""SHACL validation with pyshacl, reported as problems that name the record and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, URIRef

from migration_lod.mapping import Origins
from migration_lod.namespaces import PREFIXES, SH
from migration_lod.problems import Problem
from migration_lod.resources import shapes_dir
from migration_lod.vocabulary import parse_turtle_files

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class ValidationReport:
    """The result of validating a graph: every problem, with its severity."""

    problems: list[Problem]

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

    def __str__(self) -> str:
        lines = [f"{p.severity}: {p}" for p in self.problems]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def load_shapes(directory: Path | None = None) -> Graph:
    """The SHACL shapes (every .ttl file of the shapes folder)."""
    return parse_turtle_files(sorted((directory or shapes_dir()).glob("*.ttl")))


def compact(term: object) -> str:
    """A short form of an IRI with the project's prefixes, for messages."""
    text = str(term)
    for name, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{name}:{text[len(namespace):]}"
    return text


def validate(graph: Graph, shapes: Graph | None = None, origins: Origins | None = None,
             also: list[Problem] | None = None) -> ValidationReport:
    """Validate `graph` against the shapes (core SHACL, no inference); locate problems through `origins`.

    `also` adds problems found by other checks (the offline link check) to the same report.
    """
    _, results, _ = pyshacl_validate(
        graph, shacl_graph=shapes if shapes is not None else load_shapes(), inference="none",
        abort_on_first=False, allow_warnings=True, advanced=False, meta_shacl=False,
    )
    # Only the report's own results: pyshacl also lists the nested results of sh:node as sh:detail.
    problems = {_problem(results, result, origins or {})
                for report in results.subjects(RDF.type, SH.ValidationReport)
                for result in results.objects(report, SH.result)} | set(also or ())
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return ValidationReport(sorted(problems, key=lambda p: (order.get(p.severity, 3), p.file or "", p.line or 0,
                                                             p.record or p.focus or "", p.field or "", p.message)))


def _problem(results: Graph, result: URIRef, origins: Origins) -> Problem:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = SEVERITIES.get(results.value(result, SH.resultSeverity), "Violation")
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    message = messages[0] if messages else "does not conform"
    if value is not None and value != focus:
        shown = f'"{value}"' if isinstance(value, Literal) else compact(value)
        message = f"{shown}: {message}"
    shape = results.value(result, SH.sourceShape)
    component = results.value(result, SH.sourceConstraintComponent)
    rule = " ".join(compact(t) for t in (shape, component) if isinstance(t, URIRef)) or None
    record, field = origins.get(focus, (None, None))
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
