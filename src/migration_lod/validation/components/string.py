"""The string-based components: sh:minLength, sh:maxLength, sh:pattern (XPath flags; refused when it cannot
be compiled), sh:languageIn, sh:uniqueLang."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox

from migration_lod.validation.components.base import (
    PROPERTY,
    core,
    integer_parameter,
    list_parameter,
    parameter,
    value_condition,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import ShapeError, ShapesGraph, Unsupported, sh
from migration_lod.validation.model import TRUE, Constraint, Result


def _length(operator: str, name: str) -> Callable[[Run, Constraint], str]:
    def condition(run: Run, constraint: Constraint) -> str:
        limit = integer_parameter(constraint, name)
        return f"isBlank({run.value}) || !COALESCE(STRLEN(STR({run.value})) {operator} {limit}, false)"
    return condition


def _regex_arguments(constraint: Constraint) -> str:
    pattern, flags = parameter(constraint, "pattern"), constraint.get(sh("flags"))
    return str(ox.Literal(pattern.value)) + (f", {ox.Literal(flags.value)}" if flags is not None else "")


def _compiles(graph: ShapesGraph, constraint: Constraint) -> None:
    """Fail closed: a regular expression the engine cannot compile is refused, never passed."""
    if not bool(ox.Store().query(f"ASK {{ BIND (REGEX(\"\", {_regex_arguments(constraint)}) AS ?ok) "
                                 "FILTER (BOUND(?ok)) }")):
        pattern, flags = parameter(constraint, "pattern"), constraint.get(sh("flags"))
        raise Unsupported(f"sh:pattern {pattern.value!r} (flags {flags.value if flags else ''!r}) is not a regular "
                          "expression this engine can compile")


def _pattern(run: Run, constraint: Constraint) -> str:
    return f"isBlank({run.value}) || !COALESCE(REGEX(STR({run.value}), {_regex_arguments(constraint)}), false)"


def _language_in(run: Run, constraint: Constraint) -> str:
    tags = [t for t in list_parameter(run, constraint, "languageIn")]
    if not all(isinstance(t, ox.Literal) for t in tags):
        raise ShapeError("sh:languageIn members must be literals")
    matches = " || ".join(f"langMatches(LANG({run.value}), {ox.Literal(t.value)})" for t in tags) or "false"
    return f"!isLiteral({run.value}) || !({matches})"


def _unique_lang(run: Run, constraint: Constraint) -> Iterator[Result]:
    if parameter(constraint, "uniqueLang") != TRUE:
        return
    # Two distinct values of one language joined, where grouping every value by language is slower.
    query = (f"SELECT DISTINCT ?this ?lang WHERE {{ {{focus}} {run.values} {run.shape.path.pattern('?this', '?other')} "
             f"FILTER (!sameTerm(?value, ?other) && isLiteral(?value) && LANG(?value) != \"\" "
             f"&& LANG(?value) = LANG(?other)) BIND (LANG(?value) AS ?lang) }}")
    for row in run.query(query):
        yield run.result(constraint, row["this"], None)


COMPONENTS = [
    core("MinLength", "minLength", value_condition(_length(">=", "minLength"))),
    core("MaxLength", "maxLength", value_condition(_length("<=", "maxLength"))),
    core("Pattern", "pattern", value_condition(_pattern), optional="flags", prepare=_compiles),
    core("LanguageIn", "languageIn", value_condition(_language_in)),
    core("UniqueLang", "uniqueLang", _unique_lang, kinds=PROPERTY),
]
