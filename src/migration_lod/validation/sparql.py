"""SHACL-SPARQL: `sh:sparql` SELECT constraints and SPARQL-based constraint components (sh:parameter with
sh:validator, sh:nodeValidator, sh:propertyValidator), with the spec's pre-binding.

Pre-binding replaces each pre-bound variable ($this, $value, $currentShape, $shapesGraph, the parameters) by
its value in the query, as SHACL defines it; a query is run once per focus node (and value node, for ASK
validators). The syntax pre-binding forbids (MINUS, VALUES, SERVICE, `AS` a pre-bound variable, a subquery that
hides one) is found on the parsed query and is a ShapeError (the spec's failure); a value that cannot be
written in a query (a blank node) refuses the shapes (Unsupported), so validation falls back to pyshacl.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from pyparsing import ParseBaseException, ParseResults
from rdflib.term import Variable

from migration_lod.rdf.sparql_syntax import CompValue, mentions, parse, substitute, tree_nodes
from migration_lod.validation.components import Component
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import Node, ShapeError, ShapesGraph, Term, Unsupported, sh
from migration_lod.validation.model import FALSE, TRUE, Constraint, Result, Shape, Shapes
from migration_lod.validation.paths import Path

XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
OWL_IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
SHAPES_GRAPH = ox.NamedNode("urn:x-migration-lod:shapes-graph")  # where $shapesGraph points
FORBIDDEN = {"MinusGraphPattern": "MINUS", "InlineData": "VALUES", "ValuesClause": "VALUES",
             "ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM"}
# What would make a SPARQL engine fetch a URL (rdflib's, under pyshacl, follows both): never run.
NETWORK = {"ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM"}
DESCRIPTIVE = {sh("labelTemplate"), sh("name"), sh("description")}
OPTIONAL_PREBOUND = {"shapesGraph", "currentShape"}  # a subquery need not return these


def _string(graph: ShapesGraph, node: Node, name: str) -> str | None:
    value = graph.value(node, sh(name))
    if value is not None and not (isinstance(value, ox.Literal) and value.datatype == XSD_STRING):
        raise ShapeError(f"{node}: sh:{name} must be a string, not {value}")
    return value.value if value is not None else None


def _prefixes(graph: ShapesGraph, node: Node) -> str:
    """The PREFIX declarations of sh:prefixes (sh:declare of the named nodes and of what they owl:import)."""
    declared: dict[str, str] = {}
    todo, seen = list(graph.objects(node, sh("prefixes"))), set()
    while todo:
        source = todo.pop()
        if source in seen or isinstance(source, ox.Literal):
            continue
        seen.add(source)
        todo += graph.objects(source, OWL_IMPORTS)
        for declaration in graph.objects(source, sh("declare")):
            prefix, namespace = graph.value(declaration, sh("prefix")), graph.value(declaration, sh("namespace"))
            if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                raise ShapeError(f"the prefix declaration {declaration} needs a sh:prefix and a sh:namespace literal")
            try:
                ox.NamedNode(namespace.value)
            except ValueError as exc:
                raise ShapeError(f"the namespace of the prefix {prefix.value}: is not an IRI: {exc}") from exc
            if declared.setdefault(prefix.value, namespace.value) != namespace.value:
                raise ShapeError(f"the prefix {prefix.value}: is declared with two namespaces")
    return "".join(f"PREFIX {prefix}: {ox.NamedNode(namespace)}\n" for prefix, namespace in sorted(declared.items()))


@dataclass(frozen=True)
class Query:
    """A SELECT or ASK query of the shapes graph, with its prefixes, messages and the node it is written at."""

    node: Node
    text: str
    ask: bool
    messages: tuple[ox.Literal, ...] = ()
    deactivated: bool = False

    @classmethod
    def read(cls, graph: ShapesGraph, node: Node, form: str) -> Query:
        """The query of a constraint or validator node (`form` is "select" or "ask")."""
        text = _string(graph, node, form)
        if text is None:
            raise ShapeError(f"{node} has no sh:{form} query")
        messages = tuple(m for m in graph.objects(node, sh("message")) if isinstance(m, ox.Literal))
        deactivated = graph.value(node, sh("deactivated")) == TRUE
        query = cls(node, _prefixes(graph, node) + text, form == "ask", messages, deactivated)
        graph.refuse_unread(node, DESCRIPTIVE)
        return query

    def prepared(self, path: Path | None, prebound: set[str]) -> str:
        """The query with $PATH written out, checked against what pre-binding forbids."""
        text = self.text
        if mentions(text, "PATH"):
            if path is None:
                raise ShapeError(f"{self.node}: $PATH in a query of a node shape")
            text = substitute(text, {"PATH": path.sparql()})
        try:
            tree = parse(text)
        except ParseBaseException as exc:
            raise ShapeError(f"{self.node}: not a SPARQL query: {exc.msg} (line {exc.lineno}, column {exc.col})"
                             ) from exc
        except RecursionError as exc:
            raise ShapeError(f"{self.node}: the query is nested too deeply") from exc
        _check_prebinding(self.node, tree, prebound)
        return text


def check_offline(graph: ShapesGraph) -> None:
    """ShapeError when any query of the shapes graph (sh:select, sh:ask, wherever it is) uses SERVICE or FROM:
    checked before either engine runs one, for pyshacl's rdflib would open the connection."""
    for form in ("select", "ask"):
        for node in graph.subjects(sh(form)):
            for text in graph.by_subject[node][sh(form)]:
                if not isinstance(text, ox.Literal):
                    continue
                try:
                    tree = parse(_prefixes(graph, node) + text.value)
                except (ParseBaseException, RecursionError):
                    continue  # not a query at all: the engine that reads it says so
                for part in tree_nodes(tree):
                    if part.name in NETWORK:
                        raise ShapeError(f"{node}: {NETWORK[part.name]} is not allowed in a query of the shapes: "
                                         "validation never fetches anything")


def _check_prebinding(node: Node, tree: object, prebound: set[str]) -> None:
    for part in tree_nodes(tree):
        if part.name in FORBIDDEN:
            raise ShapeError(f"{node}: {FORBIDDEN[part.name]} is not allowed in a SHACL-SPARQL query")
        assigned = part.get("evar") if part.name == "vars" else part.get("var") if part.name == "Bind" else None
        if assigned is not None and str(assigned) in prebound:
            raise ShapeError(f"{node}: the query assigns the pre-bound variable ?{assigned}")
        if part.name == "SubSelect":
            returned = ({str(v.get("var") or v.get("evar")) for v in part["projection"]} if "projection" in part
                        else _in_scope(part))
            used = _variables(part)
            hidden = {name for name in prebound - OPTIONAL_PREBOUND
                      if name not in returned and name in used} | ({"this"} - returned)
            if hidden:
                raise ShapeError(f"{node}: a subquery must return the pre-bound variable(s) "
                                 f"{', '.join('?' + n for n in sorted(hidden))}")


def _variables(tree: object) -> set[str]:
    """Every variable named anywhere in a parse tree."""
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Variable):
            found.add(str(node))
        elif isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
    return found


def _in_scope(select: CompValue) -> set[str]:
    """The variables `SELECT *` returns: those of its triple patterns, BINDs and subquery results (a variable
    used only in a FILTER is not in scope)."""
    scoped: set[str] = set()
    for part in tree_nodes(select.get("where")):
        if part.name == "TriplesBlock":
            scoped |= _variables(part)
        elif part.name == "Bind":
            scoped.add(str(part["var"]))
        elif part.name == "SubSelect" and "projection" in part:
            scoped |= {str(v.get("var") or v.get("evar")) for v in part["projection"]}
    return scoped


def fill(messages: tuple[ox.Literal, ...], bindings: dict[str, Term | None]) -> tuple[ox.Literal, ...]:
    """Messages with their {?var} and {$var} templates replaced by the values bound in a solution."""
    filled = []
    for message in messages:
        text = message.value
        for name, value in bindings.items():
            shown = value.value if value is not None else ""
            text = text.replace("{?" + name + "}", shown).replace("{$" + name + "}", shown)
        filled.append(ox.Literal(text, language=message.language) if message.language else ox.Literal(text))
    return tuple(filled)


def prebind(run: Run, text: str, values: dict[str, Term]) -> str:
    """The query with the pre-bound values it mentions substituted; Unsupported for a blank node."""
    written = {}
    if mentions(text, "shapesGraph"):
        run.engine.load_shapes_graph(SHAPES_GRAPH)
    for name, value in values.items():
        if mentions(text, name):
            if isinstance(value, ox.BlankNode):
                raise Unsupported(f"pre-binding ?{name} to the blank node {value}: a blank node cannot be written "
                                  "in a query to pyoxigraph")
            written[name] = run.engine.literals.sparql(value)
    return substitute(text, written)


def local_name(iri: ox.NamedNode) -> str:
    """The name of the variable a parameter pre-binds: its path's local name."""
    return iri.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _solutions(run: Run, text: str) -> Iterator[dict[str, Term | None]]:
    if run.engine.literals.data_escaped:
        raise Unsupported("the data holds literals the store would rewrite; a SPARQL query would see them "
                          "escaped")
    answer = run.engine.store.query(text)
    if isinstance(answer, ox.QueryBoolean):
        yield {"__ask": TRUE if answer else FALSE}
        return
    names = [v.value for v in answer.variables]
    for row in run.engine.until_stopped(answer):
        yield {name: row[name] for name in names}


def _results(run: Run, constraint: Constraint, query: Query, focus: Term, solutions: Iterator[dict],
             source: Node | None) -> Iterator[Result]:
    seen = set()
    for solution in solutions:
        if solution.get("failure") == TRUE:
            raise ShapeError(f"{query.node}: the query reported a failure (?failure) for {focus}")
        value = solution.get("value")
        if value is None and run.node_shape:
            value = focus
        path = solution.get("path")
        key = (value, path, tuple(sorted((k, str(v)) for k, v in solution.items())))
        if key in seen:
            continue
        seen.add(key)
        changes: dict = {"source": source, "messages": run.shape.messages or fill(query.messages, solution)}
        if isinstance(path, ox.NamedNode):
            changes["path"] = Path(path, predicate=path)
        yield run.result(constraint, focus, value, **changes)


class SparqlConstraints(Component):
    """sh:sparql: SELECT queries whose solutions are validation results."""

    def constraints(self, shapes: Shapes, shape: Shape) -> list[Constraint]:
        """One constraint per sh:sparql value, its query read and checked now (not during validation)."""
        found = []
        for constraint in super().constraints(shapes, shape):
            node = constraint.get(sh("sparql"))
            if isinstance(node, ox.Literal):
                raise ShapeError(f"the value of sh:sparql of {shape.node} is a literal")
            query = Query.read(shapes.graph, node, "select")
            text = query.prepared(shape.path, {"this", "shapesGraph", "currentShape"})
            if not query.deactivated:
                found.append(Constraint(self, constraint.parameters, (query, text)))
        return found

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        """The solutions of the query for each focus node, as results."""
        query, text = constraint.compiled
        for focus in run.focus_nodes():
            values = {"this": focus, "currentShape": run.shape.node, "shapesGraph": SHAPES_GRAPH}
            solutions = _solutions(run, prebind(run, text, values))
            yield from _results(run, constraint, query, focus, solutions, query.node)


@dataclass(frozen=True)
class SparqlComponent(Component):
    """A constraint component declared in the shapes graph, checked by its SPARQL validators."""

    validators: tuple[tuple[str, Query], ...] = ()  # ("node" | "property", validator)

    def constraints(self, shapes: Shapes, shape: Shape) -> list[Constraint]:
        """The constraints of this component a shape declares, with the validator for its kind of shape (none
        when the component has no validator for it, as the spec says)."""
        query = dict(self.validators).get(shape.kind)
        used = super().constraints(shapes, shape) if query is not None else []
        if not used:
            return []
        names = {local_name(p) for p in (*self.mandatory, *self.optional)}
        prebound = {"this", "shapesGraph", "currentShape", *names} | ({"value"} if query.ask else set())
        text = query.prepared(shape.path, prebound)
        return [Constraint(self, c.parameters, (query, text)) for c in used]

    def check(self, run: Run, constraint: Constraint) -> Iterator[Result]:
        """The results of the validator on the run's focus (and, for ASK, value) nodes."""
        query, text = constraint.compiled
        parameters = {local_name(name): value for name, value in constraint.parameters}
        if query.ask:
            for focus, value in run.pairs():
                values = {"this": focus, "currentShape": run.shape.node, "shapesGraph": SHAPES_GRAPH,
                          **parameters, "value": value}
                if next(_solutions(run, prebind(run, text, values)))["__ask"] == FALSE:
                    messages = run.shape.messages or fill(query.messages, values)
                    yield run.result(constraint, focus, value, messages=messages)
            return
        for focus in run.focus_nodes():
            values = {"this": focus, "currentShape": run.shape.node, "shapesGraph": SHAPES_GRAPH, **parameters}
            yield from _results(run, constraint, query, focus, _solutions(run, prebind(run, text, values)),
                                None)


def declared_components(graph: ShapesGraph) -> list[Component]:
    """The SPARQL-based constraint components declared in a shapes graph."""
    found = []
    for node in dict.fromkeys(graph.instances(sh("ConstraintComponent"))):
        if not isinstance(node, ox.NamedNode):
            raise ShapeError(f"the constraint component {node} must be an IRI")
        mandatory, optional = [], []
        for parameter in graph.objects(node, sh("parameter")):
            path = graph.value(parameter, sh("path"))
            if not isinstance(path, ox.NamedNode):
                raise ShapeError(f"a parameter of {node} needs an IRI as its sh:path")
            (optional if graph.value(parameter, sh("optional")) == TRUE else mandatory).append(path)
        if not mandatory:
            raise ShapeError(f"the constraint component {node} declares no mandatory parameter")
        validators: dict[str, Query] = {}
        for kind, names in (("node", ("nodeValidator", "validator")), ("property", ("propertyValidator", "validator"))):
            for name in names:
                chosen = graph.objects(node, sh(name))
                if chosen:
                    validators[kind] = _validator(graph, chosen[0])
                    break
        graph.refuse_unread(node, DESCRIPTIVE)
        found.append(SparqlComponent(node, tuple(mandatory), _no_check, tuple(optional),
                                     validators=tuple(validators.items())))
    return found


def _validator(graph: ShapesGraph, node: Term) -> Query:
    if isinstance(node, ox.Literal):
        raise ShapeError(f"a validator cannot be the literal {node}")
    forms = [form for form in ("select", "ask") if graph.objects(node, sh(form))]
    if len(forms) != 1:
        raise ShapeError(f"the validator {node} needs exactly one of sh:select and sh:ask")
    return Query.read(graph, node, forms[0])


def _no_check(run: Run, constraint: Constraint) -> Iterator[Result]:
    return iter(())


SPARQL_CONSTRAINTS = SparqlConstraints(sh("SPARQLConstraintComponent"), (sh("sparql"),), _no_check)
