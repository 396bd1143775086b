"""SHACL validation (compiled to SPARQL, or pyshacl), reported as problems that name the record and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oxrdflib import OxigraphStore
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, URIRef

from migration_lod.mapping import Origins
from migration_lod.namespaces import SH, compact
from migration_lod.problems import Problem
from migration_lod.progress import Progress
from migration_lod.resources import shapes_dir
from migration_lod.shacl import Result, UnsupportedShape, compile_shapes, run_checks
from migration_lod.terms import as_store, plain_copy
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

    def __repr__(self) -> str:
        return f"ValidationReport({len(self.violations)} violation(s), {len(self.warnings)} warning(s))"

    def __str__(self) -> str:
        lines = [f"{p.severity}: {p}" for p in self.problems]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def load_shapes(directory: Path | str | None = None) -> Graph:
    """The SHACL shapes (every .ttl file of the shapes folder)."""
    return parse_turtle_files(sorted(Path(directory or shapes_dir()).glob("*.ttl")))


ENGINES = ("fast", "pyshacl")


def validate(graph: Graph, shapes: Graph | None = None, origins: Origins | None = None,
             also: list[Problem] | None = None, *, engine: str = "fast",
             progress: Progress | None = None) -> ValidationReport:
    """Validate `graph` against the shapes (core SHACL, no inference); locate problems through `origins`.

    The "fast" engine compiles the shapes to SPARQL run by pyoxigraph and falls back to pyshacl, the
    reference, when the shapes use a constraint it does not compile. `also` adds problems found by other
    checks (the offline link check) to the same report.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}: use one of {', '.join(ENGINES)}")
    shapes = shapes if shapes is not None else load_shapes()
    progress = progress or Progress(quiet=True)
    try:
        checks = compile_shapes(shapes) if engine == "fast" else None
    except UnsupportedShape:
        checks = None
    if checks is None:
        used, stage = "pyshacl", progress.stage("validating with pyshacl", "results")
        results = _pyshacl(graph, shapes)
    else:
        used, stage = "fast", progress.stage("validating", "checks", len(checks))
        results = run_checks(as_store(graph), checks, stage)
    problems = {_problem(result, origins or {}) for result in results} | set(also or ())
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    report = ValidationReport(sorted(problems, key=lambda p: (order.get(p.severity, 3), p.file or "",
                                                              p.line or 0, p.record or p.focus or "",
                                                              p.field or "", p.message)))
    stage.done(f"validated ({used}): {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return report


def _pyshacl(graph: Graph, shapes: Graph) -> list[Result]:
    if isinstance(graph.store, OxigraphStore):
        # pyshacl makes millions of small look-ups: rdflib's own store answers them 10 times faster.
        graph = plain_copy(graph)
    _, report, _ = pyshacl_validate(graph, shacl_graph=shapes, inference="none", abort_on_first=False,
                                    allow_warnings=True, advanced=False, meta_shacl=False)
    results = []
    # Only the report's own results: pyshacl also lists the nested results of sh:node as sh:detail.
    for node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(node, SH.result):
            messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
            results.append(Result(report.value(result, SH.focusNode), report.value(result, SH.resultPath),
                                  report.value(result, SH.value), report.value(result, SH.resultSeverity),
                                  report.value(result, SH.sourceConstraintComponent),
                                  report.value(result, SH.sourceShape), messages[0] if messages else None))
    return results


def _problem(result: Result, origins: Origins) -> Problem:
    focus, path, value = result.focus, result.path, result.value
    severity = SEVERITIES.get(result.severity, "Violation")
    message = result.message or f"does not conform to {compact(result.component)}"
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
