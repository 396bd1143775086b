"""The constraint components of SHACL Core, one each, in one registry: the parameters that select a component
and how its constraint is checked (a SPARQL query over all focus nodes, Python where SPARQL cannot say it).

Each check yields sh:ValidationResults; `failing` gives the focus nodes that do not conform (for shapes used
inside other shapes). A component that needs nested shapes asks the engine which value nodes conform.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pyoxigraph as ox

from migration_lod.validation.engine import SUBCLASS, TYPE, TYPE_OF, Run
from migration_lod.validation.focus import Pattern
from migration_lod.validation.graph import SH, ShapeError, ShapesGraph, Term, Unsupported, sh
from migration_lod.validation.model import TRUE, Constraint, Result, Shape, Shapes
from migration_lod.validation.paths import Path
from migration_lod.validation.xsd import CHECKS, well_formed

Check = Callable[[Run, Constraint], Iterator[Result]]
# The parameters a shape may have one value of (the syntax rules of SHACL, as its shapes graph for shapes says).
SINGLE = {sh(name) for name in (
    "closed", "datatype", "in", "languageIn", "maxCount", "maxExclusive", "maxInclusive", "maxLength", "minCount",
    "minExclusive", "minInclusive", "minLength", "nodeKind", "pattern", "qualifiedMaxCount", "qualifiedMinCount",
    "qualifiedValueShape", "uniqueLang")}


@dataclass(frozen=True)
class Component:
    """A constraint component: its IRI, the parameters that select it, the shapes it applies to, its check."""

    iri: ox.NamedNode
    mandatory: tuple[ox.NamedNode, ...]
    check_fn: Check
    optional: tuple[ox.NamedNode, ...] = ()
    kinds: tuple[str, ...] = ("node", "property")
    # Checks a constraint's parameters when the shapes are read (Unsupported, ShapeError): before validation.
    prepare: Callable[[ShapesGraph, Constraint], None] | None = None

    def constraints(self, shapes: Shapes, shape: Shape) -> list[Constraint]:
        """The constraints of this component a shape declares (one per combination of mandatory values)."""
        graph = shapes.graph
        values = [graph.objects(shape.node, p) for p in self.mandatory]
        optional = [(p, graph.value(shape.node, p)) for p in self.optional]
        if not all(values):  # a component missing a mandatory parameter is not used (its others are read)
            return []
        for parameter, found in zip(self.mandatory, values, strict=True):
            if parameter in SINGLE and len(found) > 1:
                raise ShapeError(f"{shape.node} has {len(found)} values of {parameter}, where SHACL allows one")
        if shape.kind not in self.kinds:
            raise ShapeError(f"{shape.node}: {self.mandatory[0]} applies to {' and '.join(self.kinds)} shapes only")
        found = [Constraint(self, (*zip(self.mandatory, combination, strict=True),
                                   *((p, v) for p, v in optional if v is not None)))
                 for combination in itertools.product(*values)]
        for constraint in found if self.prepare else []:
            self.prepare(graph, constraint)
        return found

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        """The results of the constraint on the run's focus nodes."""
        return self.check_fn(run, constraint)

    def failing(self, run: Run, constraint: Constraint) -> set[Term]:
        """The focus nodes that violate the constraint."""
        return {result.focus for result in self.check(run, constraint)}


def _param(constraint: Constraint, name: str) -> Term:
    value = constraint.get(sh(name))
    if value is None:
        raise ShapeError(f"missing sh:{name}")
    return value


def _iri(constraint: Constraint, name: str) -> ox.NamedNode:
    value = _param(constraint, name)
    if not isinstance(value, ox.NamedNode):
        raise ShapeError(f"sh:{name} must be an IRI, not {value}")
    return value


def _integer(constraint: Constraint, name: str) -> int:
    value = _param(constraint, name)
    if not isinstance(value, ox.Literal) or not value.value.lstrip("+-").isdigit():
        raise ShapeError(f"sh:{name} must be an integer, not {value}")
    return int(value.value)


def _constant(run: Run, term: ox.NamedNode | ox.Literal) -> str:
    return run.engine.literals.sparql(term)


def _list(run: Run, constraint: Constraint, name: str) -> list[Term]:
    return run.engine.shapes.graph.items(_param(constraint, name))


def value_condition(condition: Callable[[Run, Constraint], str]) -> Check:
    """A check that reports every value node for which the SPARQL `condition` holds."""
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        expression = condition(run, constraint)
        for focus, value in run.pairs(expression):
            yield run.result(constraint, focus, value)
    return check


# --- value type -------------------------------------------------------------------------------------


def _class(run: Run, constraint: Constraint) -> Iterator[Result]:
    cls = _iri(constraint, "class")
    # The class and its subclasses in the data, named in the query: a path rdf:type/rdfs:subClassOf* for each
    # value node costs twenty times more.
    classes = {cls, *(row[0] for row in run.engine.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c {SUBCLASS}* {cls} }}"))}
    if any(isinstance(c, ox.BlankNode) for c in classes):
        instances = f"FILTER NOT EXISTS {{ {run.value} {TYPE_OF} {cls} }}"
    elif len(classes) == 1:  # a look-up of one triple: twice as fast as the MINUS, which is for several classes
        instances = f"FILTER NOT EXISTS {{ {run.value} {TYPE} {cls} }}"
    else:
        instances = f"MINUS {{ VALUES ?class {{ {' '.join(map(str, classes))} }} {run.value} {TYPE} ?class }}"
    for focus, value in run.pairs(extra=instances):
        yield run.result(constraint, focus, value)


def _datatype(run: Run, constraint: Constraint) -> Iterator[Result]:
    datatype = _iri(constraint, "datatype")
    original, v = run.engine.literals.original, run.value

    def conforms(value: Term) -> bool:
        written = original(value)  # an escaped literal is checked as it was written
        return (isinstance(written, ox.Literal) and written.datatype == datatype
                and well_formed(written.value, datatype.value))

    if datatype.value in CHECKS and isinstance(run.focus, Pattern):
        # The lexical form matters: each distinct value node is checked once, then the pairs of the bad ones found.
        bad = {value for value in run.engine.nodes(run.value_focus()) if not conforms(value)}
        pairs = run.pairs_among(bad)
    elif datatype.value in CHECKS:
        pairs = run.pairs()
    else:  # any lexical form is well-formed: the store finds the values of another datatype
        pairs = run.pairs(f"!isLiteral({v}) || DATATYPE({v}) != {datatype}")
    for focus, value in pairs:
        if not conforms(value):
            yield run.result(constraint, focus, value)


NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}


def _node_kind(run: Run, constraint: Constraint) -> str:
    kind = _iri(constraint, "nodeKind").value
    if not kind.startswith(SH) or kind[len(SH):] not in NODE_KINDS:
        raise ShapeError(f"sh:nodeKind {kind} is not a node kind")
    return "!" + NODE_KINDS[kind[len(SH):]].format(v=run.value)


# --- cardinality ----------------------------------------------------------------------------------


def _focus_counted(run: Run, having: str, exclude: str = "") -> Iterator[Term]:
    """The focus nodes whose number of distinct value nodes (less those the MINUS block `exclude` removes)
    satisfies the HAVING condition `having` on COUNT(DISTINCT ?value)."""
    values = f"{run.values} {exclude}"
    # Every focus node, with its values if it has some (a path that can be empty has at least one).
    pattern = (f"{{ {{ {{focus}} {values} }} UNION {{ {{focus}} }} }}" if run.shape.path.nullable
               else f"{{focus}} OPTIONAL {{ {values} }}")
    for row in run.query(f"SELECT ?this WHERE {{ {pattern} }} GROUP BY ?this HAVING ({having})"):
        yield row["this"]


def _fewer(run: Run, minimum: int, exclude: str = "") -> Iterator[Term]:
    """The focus nodes with fewer than `minimum` distinct value nodes (less those `exclude` removes)."""
    nullable = run.shape.path.nullable
    if minimum <= 0 or (minimum == 1 and nullable and not exclude):  # a node is one of its own values then
        return iter(())
    if minimum == 1 and not nullable:  # one look-up per focus node, where counting groups them (3x slower)
        query = f"SELECT DISTINCT ?this WHERE {{ {{focus}} FILTER NOT EXISTS {{ {run.values} {exclude} }} }}"
        return (row["this"] for row in run.query(query))
    return _focus_counted(run, f"COUNT(DISTINCT ?value) < {minimum}", exclude)


def _more(run: Run, maximum: int, exclude: str = "") -> Iterator[Term]:
    """The focus nodes with more than `maximum` distinct value nodes (less those `exclude` removes)."""
    if maximum == 1 and not exclude:  # two distinct values joined, where counting groups them (2x slower)
        path = run.shape.path
        query = (f"SELECT DISTINCT ?this WHERE {{ {{focus}} {path.pattern('?this', '?value')} "
                 f"{path.pattern('?this', '?other')} FILTER (!sameTerm(?value, ?other)) }}")
        return (row["this"] for row in run.query(query))
    return _focus_counted(run, f"COUNT(DISTINCT ?value) > {maximum}", exclude)


def _count(focus_nodes: Callable[[Run, int], Iterator[Term]], name: str) -> Check:
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        for focus in focus_nodes(run, _integer(constraint, name)):
            yield run.result(constraint, focus, None)
    return check


# --- value range, string ------------------------------------------------------------------------


def _range(operator: str, name: str) -> Callable[[Run, Constraint], str]:
    def condition(run: Run, constraint: Constraint) -> str:
        bound = _param(constraint, name)
        if not isinstance(bound, ox.Literal):
            raise ShapeError(f"sh:{name} must be a literal")
        # Compared by value: the bound as written, never escaped (the store's rewriting keeps the value).
        return f"!COALESCE({run.engine.literals.typed(run.value)} {operator} {bound}, false)"
    return condition


def _length(operator: str, name: str) -> Callable[[Run, Constraint], str]:
    def condition(run: Run, constraint: Constraint) -> str:
        limit = _integer(constraint, name)
        return f"isBlank({run.value}) || !COALESCE(STRLEN(STR({run.value})) {operator} {limit}, false)"
    return condition


def _regex_arguments(constraint: Constraint) -> str:
    pattern, flags = _param(constraint, "pattern"), constraint.get(sh("flags"))
    return str(ox.Literal(pattern.value)) + (f", {ox.Literal(flags.value)}" if flags is not None else "")


def _compiles(graph: ShapesGraph, constraint: Constraint) -> None:
    """Fail closed: a regular expression the engine cannot compile is refused, never passed."""
    if not bool(ox.Store().query(f"ASK {{ BIND (REGEX(\"\", {_regex_arguments(constraint)}) AS ?ok) "
                                 "FILTER (BOUND(?ok)) }")):
        pattern, flags = _param(constraint, "pattern"), constraint.get(sh("flags"))
        raise Unsupported(f"sh:pattern {pattern.value!r} (flags {flags.value if flags else ''!r}) is not a regular "
                          "expression this engine can compile")


def _pattern(run: Run, constraint: Constraint) -> str:
    return f"isBlank({run.value}) || !COALESCE(REGEX(STR({run.value}), {_regex_arguments(constraint)}), false)"


def _no_blank_constants(graph: ShapesGraph, constraint: Constraint) -> None:
    """A blank node cannot be written in a query: sh:in and sh:hasValue with one are refused."""
    for name, value in constraint.parameters:
        members = graph.items(value) if name == sh("in") else [value]
        if any(isinstance(member, ox.BlankNode) for member in members):
            raise Unsupported(f"a blank node as a value of {name}")


def _language_in(run: Run, constraint: Constraint) -> str:
    tags = [t for t in _list(run, constraint, "languageIn")]
    if not all(isinstance(t, ox.Literal) for t in tags):
        raise ShapeError("sh:languageIn members must be literals")
    matches = " || ".join(f"langMatches(LANG({run.value}), {ox.Literal(t.value)})" for t in tags) or "false"
    return f"!isLiteral({run.value}) || !({matches})"


def _unique_lang(run: Run, constraint: Constraint) -> Iterator[Result]:
    if _param(constraint, "uniqueLang") != TRUE:
        return
    # Two distinct values of one language joined, where grouping every value by language is slower.
    query = (f"SELECT DISTINCT ?this ?lang WHERE {{ {{focus}} {run.values} {run.shape.path.pattern('?this', '?other')} "
             f"FILTER (!sameTerm(?value, ?other) && isLiteral(?value) && LANG(?value) != \"\" "
             f"&& LANG(?value) = LANG(?other)) BIND (LANG(?value) AS ?lang) }}")
    for row in run.query(query):
        yield run.result(constraint, row["this"], None)


# --- property pairs -------------------------------------------------------------------------------


def _equals(run: Run, constraint: Constraint) -> Iterator[Result]:
    other = _constant(run, _iri(constraint, "equals"))
    for focus, value in run.pairs(f"NOT EXISTS {{ ?this {other} {run.value} }}"):
        yield run.result(constraint, focus, value)
    own = (run.shape.path.pattern("?this", "?o", value_bound=True) if not run.node_shape
           else "FILTER (sameTerm(?this, ?o))")
    missing = f"SELECT DISTINCT ?this ?o WHERE {{ {{focus}} ?this {other} ?o FILTER NOT EXISTS {{ {own} }} }}"
    for row in run.query(missing):
        yield run.result(constraint, row["this"], row["o"])


def _disjoint(run: Run, constraint: Constraint) -> str:
    return f"EXISTS {{ ?this {_constant(run, _iri(constraint, 'disjoint'))} {run.value} }}"


def _less(operator: str, name: str) -> Check:
    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        other = _constant(run, _iri(constraint, name))
        typed = run.engine.literals.typed
        # One result per pair of a value and another value it fails against, as the spec's test suite has it.
        for row in run.query(f"SELECT DISTINCT ?this ?value ?o WHERE {{ {{focus}} {run.values} ?this {other} ?o . "
                             f"FILTER (!COALESCE({typed('?value')} {operator} {typed('?o')}, false)) }}"):
            yield run.result(constraint, row["this"], row["value"])
    return check


# --- other constraints ----------------------------------------------------------------------------


def _has_value(run: Run, constraint: Constraint) -> Iterator[Result]:
    expected = _constant(run, _param(constraint, "hasValue"))
    # The path followed to the expected value (a look-up), where listing every value would read them all.
    test = (f"FILTER (!sameTerm(?this, {expected}))" if run.node_shape
            else f"FILTER NOT EXISTS {{ {run.shape.path.pattern('?this', expected, value_bound=True)} }}")
    for row in run.query(f"SELECT DISTINCT ?this WHERE {{ {{focus}} {test} }}"):
        yield run.result(constraint, row["this"], None)


def _in(run: Run, constraint: Constraint) -> str:
    members = " || ".join(f"sameTerm({run.value}, {_constant(run, m)})" for m in _list(run, constraint, "in"))
    return f"!({members or 'false'})"


def _closed(run: Run, constraint: Constraint) -> Iterator[Result]:
    if _param(constraint, "closed") != TRUE:
        return
    graph = run.engine.shapes.graph
    allowed = {path for prop in graph.objects(run.shape.node, sh("property"))
               for path in graph.objects(prop, sh("path")) if isinstance(path, ox.NamedNode)}
    ignored = constraint.get(sh("ignoredProperties"))
    allowed |= {p for p in (graph.items(ignored) if ignored is not None else []) if isinstance(p, ox.NamedNode)}
    exclude = f"FILTER (?p NOT IN ({', '.join(str(p) for p in sorted(allowed, key=str))}))" if allowed else ""
    for row in run.query(f"SELECT DISTINCT ?this {'' if run.node_shape else '?value'} ?p ?o WHERE {{ {{focus}} "
                         f"{run.values} {run.value} ?p ?o . {exclude} }}"):
        yield run.result(constraint, row["this"], row["o"], path=Path(row["p"], predicate=row["p"]))


# --- shape-based constraints ----------------------------------------------------------------------


def _failing(run: Run, shape_node: Term) -> set[Term]:
    """The value nodes of the run that do not conform to the shape at `shape_node` (computed set-wise, once)."""
    return run.engine.failing(run.engine.shapes.shape(shape_node), run.value_focus())


# The logical components: whether a value node violates, from whether it conforms to each member shape; and,
# where it can be said, the only value nodes that can violate (from the members' failing sets), so that the
# engine does not list every value node to find none.
LOGICAL: dict[str, tuple[Callable[[list[bool]], bool], Callable[[list[set[Term]]], set[Term]] | None]] = {
    "not": (lambda conforms: conforms[0], None),
    "and": (lambda conforms: not all(conforms), lambda failing: set().union(*failing)),
    "or": (lambda conforms: not any(conforms), lambda failing: set.intersection(*failing) if failing else set()),
    "xone": (lambda conforms: sum(conforms) != 1, None),
    "node": (lambda conforms: not conforms[0], lambda failing: failing[0]),
}


def _logical(name: str) -> Check:
    decide, candidates = LOGICAL[name]

    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        members = [_param(constraint, name)] if name in ("not", "node") else _list(run, constraint, name)
        failing = [_failing(run, member) for member in members]
        pairs = run.pairs() if candidates is None or not members else run.pairs_among(candidates(failing))
        for focus, value in pairs:
            if decide([value not in f for f in failing]):
                yield run.result(constraint, focus, value)
    return check


class _Property(Component):
    """sh:property: the value nodes are validated against the property shape; its results are reported, once
    for each focus node that has the value node (the spec validates each focus node's values on their own)."""

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        shape = run.engine.shapes.shape(_param(constraint, "property"))
        if shape.path is None:
            raise ShapeError(f"the value of sh:property {shape.node} is not a property shape")
        results = run.engine.evaluate(shape, run.value_focus())
        if not results:
            return
        reported = [result.origin if result.origin is not None else result.focus for result in results]
        parents: dict[Term, list[Term]] = defaultdict(list)
        for focus, value in run.pairs_among(set(reported)):
            parents[value].append(focus)
        for result, value in zip(results, reported, strict=True):
            for parent in parents[value]:
                yield replace(result, origin=parent)

    def failing(self, run: Run, constraint: Constraint) -> set[Term]:
        shape = run.engine.shapes.shape(_param(constraint, "property"))
        return {focus for focus, _ in run.pairs_among(run.engine.failing(shape, run.value_focus()))}


def _siblings(run: Run, qualified: Term) -> list[Term]:
    """The other qualified value shapes of the property shapes next to this one (for ...ShapesDisjoint)."""
    graph = run.engine.shapes.graph
    parents = graph.subjects(sh("property"), run.shape.node)
    return [other for parent in parents for prop in graph.objects(parent, sh("property"))
            for other in graph.objects(prop, sh("qualifiedValueShape")) if other != qualified]


def _qualified(focus_nodes: Callable[[Run, int, str], Iterator[Term]], violates: Callable[[int, int], bool],
               name: str) -> Check:
    """sh:qualifiedMin/MaxCount: the focus nodes whose number of value nodes that conform to the qualified
    shape (and, with sh:qualifiedValueShapesDisjoint, to none of its siblings) `violates` the limit."""

    def check(run: Run, constraint: Constraint) -> Iterator[Result]:
        qualified = _param(constraint, "qualifiedValueShape")
        limit = _integer(constraint, name)
        failing = _failing(run, qualified)
        others = ([_failing(run, s) for s in _siblings(run, qualified)]
                  if constraint.get(sh("qualifiedValueShapesDisjoint")) == TRUE else [])
        if not others and not any(isinstance(value, ox.BlankNode) for value in failing):
            exclude = f"MINUS {{ VALUES ?value {{ {' '.join(map(str, failing))} }} }}" if failing else ""
            for focus in focus_nodes(run, limit, exclude):
                yield run.result(constraint, focus, None)
            return
        counts: dict[Term, int] = defaultdict(int)
        for focus, value in run.pairs():
            if value not in failing and all(value in other for other in others):
                counts[focus] += 1
        for focus in run.focus_nodes():
            if violates(counts[focus], limit):
                yield run.result(constraint, focus, None)
    return check


def _core(name: str, parameters: str, check: Check, optional: str = "", kinds: tuple[str, ...] = ("node", "property"),
          cls: type[Component] = Component, prepare: Callable[[ShapesGraph, Constraint], None] | None = None,
          ) -> Component:
    return cls(sh(name + "ConstraintComponent"), tuple(sh(p) for p in parameters.split()), check,
               tuple(sh(p) for p in optional.split()), kinds, prepare)


PROPERTY = ("property",)
CORE: list[Component] = [
    _core("Class", "class", _class),
    _core("Datatype", "datatype", _datatype),
    _core("NodeKind", "nodeKind", value_condition(_node_kind)),
    _core("MinCount", "minCount", _count(_fewer, "minCount"), kinds=PROPERTY),
    _core("MaxCount", "maxCount", _count(_more, "maxCount"), kinds=PROPERTY),
    _core("MinExclusive", "minExclusive", value_condition(_range(">", "minExclusive"))),
    _core("MinInclusive", "minInclusive", value_condition(_range(">=", "minInclusive"))),
    _core("MaxExclusive", "maxExclusive", value_condition(_range("<", "maxExclusive"))),
    _core("MaxInclusive", "maxInclusive", value_condition(_range("<=", "maxInclusive"))),
    _core("MinLength", "minLength", value_condition(_length(">=", "minLength"))),
    _core("MaxLength", "maxLength", value_condition(_length("<=", "maxLength"))),
    _core("Pattern", "pattern", value_condition(_pattern), optional="flags", prepare=_compiles),
    _core("LanguageIn", "languageIn", value_condition(_language_in)),
    _core("UniqueLang", "uniqueLang", _unique_lang, kinds=PROPERTY),
    _core("Equals", "equals", _equals),
    _core("Disjoint", "disjoint", value_condition(_disjoint)),
    _core("LessThan", "lessThan", _less("<", "lessThan"), kinds=PROPERTY),
    _core("LessThanOrEquals", "lessThanOrEquals", _less("<=", "lessThanOrEquals"), kinds=PROPERTY),
    *(_core(name.capitalize(), name, _logical(name)) for name in LOGICAL),
    _core("Property", "property", lambda run, constraint: iter(()), cls=_Property),
    _core("QualifiedMinCount", "qualifiedValueShape qualifiedMinCount",
          _qualified(_fewer, operator.lt, "qualifiedMinCount"), optional="qualifiedValueShapesDisjoint",
          kinds=PROPERTY),
    _core("QualifiedMaxCount", "qualifiedValueShape qualifiedMaxCount",
          _qualified(_more, operator.gt, "qualifiedMaxCount"), optional="qualifiedValueShapesDisjoint",
          kinds=PROPERTY),
    _core("Closed", "closed", _closed, optional="ignoredProperties"),
    _core("HasValue", "hasValue", _has_value, prepare=_no_blank_constants),
    _core("In", "in", value_condition(_in), prepare=_no_blank_constants),
]
