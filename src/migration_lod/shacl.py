"""A fast SHACL validator: the shapes compiled to SPARQL and evaluated by pyoxigraph.

pyshacl walks the graph node by node in Python (minutes at 100k records); each constraint here becomes one
SPARQL query over all focus nodes at once. It covers the constraint components this project's shapes use
and refuses any other (UnsupportedShape), so a new kind of constraint never passes unchecked: the caller
falls back to pyshacl, which stays the reference the tests compare this validator with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from migration_lod.namespaces import SH
from migration_lod.progress import Stage
from migration_lod.terms import from_oxigraph_term, to_oxigraph

TYPE_OF = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
# Parameters that describe a shape rather than constrain: they need no query of their own.
DESCRIPTIVE = {RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.targetClass, SH.property,
               SH.qualifiedMinCount, SH.deactivated, SH.order, SH.group}


class UnsupportedShape(Exception):
    """The shapes use a constraint this validator does not compile."""


@dataclass(frozen=True)
class Result:
    """One validation result, with the same fields as a pyshacl sh:ValidationResult."""

    focus: URIRef | BNode
    path: URIRef | None
    value: URIRef | BNode | Literal | None
    severity: URIRef
    component: URIRef
    shape: URIRef | BNode
    message: str | None


@dataclass(frozen=True)
class _Check:
    shape: URIRef | BNode
    component: URIRef
    severity: URIRef
    path: URIRef | None
    messages: tuple[str, ...]
    query: str
    target: str


def _iri(term: object) -> str:
    if not isinstance(term, URIRef):
        raise UnsupportedShape(f"expected an IRI, found {term!r}")
    return f"<{term}>"


def _literal(term: Literal) -> str:
    """A literal in SPARQL syntax."""
    return str(to_oxigraph(term))


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes

    def items(self, node: object) -> list:
        return list(Collection(self.shapes, node))

    def messages(self, shape: object) -> tuple[str, ...]:
        return tuple(sorted(str(m) for m in self.shapes.objects(shape, SH.message)))

    def severity(self, shape: object) -> URIRef:
        return self.shapes.value(shape, SH.severity) or SH.Violation

    def checks(self) -> Iterator[_Check]:
        for shape in sorted(set(self.shapes.subjects(SH.targetClass, None)), key=str):
            targets = [f"{{ ?this {TYPE_OF} {_iri(c)} }}" for c in self.shapes.objects(shape, SH.targetClass)]
            target = " UNION ".join(targets)
            for parameter in set(self.shapes.predicates(shape)) - DESCRIPTIVE:
                yield from self.node_constraint(shape, parameter, target)
            for prop in self.shapes.objects(shape, SH.property):
                yield from self.property_constraints(prop, target)

    def node_constraint(self, shape: object, parameter: URIRef, target: str) -> Iterator[_Check]:
        severity, messages = self.severity(shape), self.messages(shape)
        if parameter == SH["or"]:
            for members in self.shapes.objects(shape, SH["or"]):
                test = " || ".join(f"({self.conforms(m)})" for m in self.items(members))
                query = f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {target} FILTER (!({test})) }}"
                yield _Check(shape, SH.OrConstraintComponent, severity, None, messages, query, target)
        elif parameter == SH.sparql:
            for constraint in self.shapes.objects(shape, SH.sparql):
                select = str(self.shapes.value(constraint, SH.select)).replace("$this", "?this")
                if self.shapes.value(constraint, SH.prefixes) is not None:
                    raise UnsupportedShape("sh:prefixes in SPARQL constraints")
                query = f"SELECT * WHERE {{ {{ {select} }} {target} }}"
                yield _Check(shape, SH.SPARQLConstraintComponent, severity, None, self.messages(constraint) or messages,
                             query, target)
        else:
            raise UnsupportedShape(f"node-level {parameter}")

    def conforms(self, member: object) -> str:
        """A SPARQL expression true when ?this conforms to `member` (the shapes inside an sh:or)."""
        parameters = set(self.shapes.predicates(member)) - {RDF.type, SH.message, SH.severity}
        path = self.shapes.value(member, SH.path)
        if path is None and parameters == {SH["class"]}:
            return f"EXISTS {{ ?this {TYPE_OF} {_iri(self.shapes.value(member, SH['class']))} }}"
        if path is None or not parameters <= {SH.path, SH.minCount, SH["class"], SH.datatype}:
            raise UnsupportedShape(f"sh:or member with {sorted(parameters)}")
        tests = []
        if self.shapes.value(member, SH.minCount) is not None:
            if int(self.shapes.value(member, SH.minCount)) != 1:
                raise UnsupportedShape("sh:minCount other than 1 inside sh:or")
            tests.append(f"EXISTS {{ ?this {_iri(path)} ?any }}")
        cls = self.shapes.value(member, SH["class"])
        if cls is not None:
            tests.append(f"NOT EXISTS {{ ?this {_iri(path)} ?x FILTER NOT EXISTS {{ ?x {TYPE_OF} {_iri(cls)} }} }}")
        datatype = self.shapes.value(member, SH.datatype)
        if datatype is not None:
            tests.append(f"NOT EXISTS {{ ?this {_iri(path)} ?x FILTER (!isLiteral(?x) || datatype(?x) != "
                         f"{_iri(datatype)}) }}")
        return " && ".join(tests) or "true"

    def property_constraints(self, prop: object, target: str) -> Iterator[_Check]:
        path = self.shapes.value(prop, SH.path)
        p = _iri(path)
        severity, messages = self.severity(prop), self.messages(prop)

        def check(component: URIRef, where: str, aggregate: str | None = None) -> _Check:
            if aggregate:
                query = (f"SELECT ?this WHERE {{ {target} OPTIONAL {{ {where} }} }} GROUP BY ?this "
                         f"HAVING ({aggregate})")
            else:
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {target} {where} }}"
            return _Check(prop, component, severity, path, messages, query, target)

        values = f"?this {p} ?value ."
        for parameter, argument in self.shapes.predicate_objects(prop):
            if parameter in DESCRIPTIVE:
                continue
            if parameter == SH.minCount:
                yield check(SH.MinCountConstraintComponent, f"?this {p} ?v", f"COUNT(DISTINCT ?v) < {int(argument)}")
            elif parameter == SH.maxCount:
                yield check(SH.MaxCountConstraintComponent, f"?this {p} ?v", f"COUNT(DISTINCT ?v) > {int(argument)}")
            elif parameter == SH.datatype:
                yield check(SH.DatatypeConstraintComponent,
                            f"{values} FILTER (!isLiteral(?value) || datatype(?value) != {_iri(argument)})")
            elif parameter == SH["class"]:
                yield check(SH.ClassConstraintComponent,
                            f"{values} FILTER NOT EXISTS {{ ?value {TYPE_OF} {_iri(argument)} }}")
            elif parameter == SH.nodeKind and argument == SH.IRI:
                yield check(SH.NodeKindConstraintComponent, f"{values} FILTER (!isIRI(?value))")
            elif parameter == SH.pattern:
                flags = self.shapes.value(prop, SH.flags)
                regex = _literal(Literal(str(argument)))
                extra = f", {_literal(Literal(str(flags)))}" if flags else ""
                yield check(SH.PatternConstraintComponent,
                            f"{values} FILTER (isBlank(?value) || !REGEX(STR(?value), {regex}{extra}))")
            elif parameter == SH.lessThanOrEquals:
                yield check(SH.LessThanOrEqualsConstraintComponent,
                            f"{values} ?this {_iri(argument)} ?other FILTER (!(?value <= ?other))")
            elif parameter == SH.uniqueLang and argument == Literal(True):
                yield check(SH.UniqueLangConstraintComponent,
                            f"?this {p} ?a, ?b FILTER (lang(?a) != \"\" && lang(?a) = lang(?b) && ?a != ?b)")
            elif parameter == SH.node:
                yield check(SH.NodeConstraintComponent, f"{values} FILTER NOT EXISTS {{ {self.code_list(argument)} }}")
            elif parameter == SH["or"]:
                datatypes = [self.shapes.value(m, SH.datatype) for m in self.items(argument)]
                if None in datatypes or any(set(self.shapes.predicates(m)) - {SH.datatype}
                                            for m in self.items(argument)):
                    raise UnsupportedShape("sh:or of a property shape other than a choice of datatypes")
                choice = ", ".join(_iri(d) for d in datatypes)
                yield check(SH.OrConstraintComponent,
                            f"{values} FILTER (!isLiteral(?value) || !(datatype(?value) IN ({choice})))")
            elif parameter == SH.qualifiedValueShape:
                languages = self.shapes.value(argument, SH.languageIn)
                minimum = self.shapes.value(prop, SH.qualifiedMinCount)
                if languages is None or minimum is None or set(self.shapes.predicates(argument)) != {SH.languageIn}:
                    raise UnsupportedShape("sh:qualifiedValueShape other than a language choice")
                tests = " || ".join(f"langMatches(lang(?v), {_literal(Literal(str(t)))})"
                                    for t in self.items(languages))
                yield check(SH.QualifiedMinCountConstraintComponent, f"?this {p} ?v FILTER ({tests})",
                            f"COUNT(DISTINCT ?v) < {int(minimum)}")
            else:
                raise UnsupportedShape(f"property constraint {parameter}")

    def code_list(self, shape: object) -> str:
        """sh:node to a shape that only requires a value (a concept's scheme): the pattern it requires."""
        patterns = []
        for prop in self.shapes.objects(shape, SH.property):
            parameters = set(self.shapes.predicates(prop)) - {RDF.type}
            if parameters != {SH.path, SH.hasValue}:
                raise UnsupportedShape(f"sh:node to a shape with {sorted(parameters)}")
            patterns.append(f"?value {_iri(self.shapes.value(prop, SH.path))} "
                            f"{to_oxigraph(self.shapes.value(prop, SH.hasValue))} .")
        if not patterns or set(self.shapes.predicates(shape)) - {RDF.type, SH.property}:
            raise UnsupportedShape("sh:node to a shape that is not a code list")
        return " ".join(patterns)


def compile_shapes(shapes: Graph) -> list[_Check]:
    """The SPARQL checks of a shapes graph; raises UnsupportedShape for constraints it does not cover."""
    return list(_Compiler(shapes).checks())


def _message(template: str, row: ox.QuerySolution, names: list[str]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        value = row[name] if name in names else None
        return value.value if value is not None else match.group(0)

    return re.sub(r"\{[?$](\w+)\}", fill, template)


def run_checks(store: ox.Store, checks: list[_Check], progress: Stage | None = None) -> list[Result]:
    """Evaluate the checks on a store; one Result per violating focus node (and value)."""
    results = []
    for item in checks:
        if progress is not None:
            progress.advance()
        solutions = store.query(item.query)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            focus = from_oxigraph_term(row["this"])
            value = from_oxigraph_term(row["value"]) if "value" in names and row["value"] is not None else None
            if value is None and item.component == SH.SPARQLConstraintComponent:
                value = focus  # SHACL: a SPARQL constraint that binds no ?value reports the focus node
            message = _message(item.messages[0], row, names) if item.messages else None
            results.append(Result(focus, item.path, value, item.severity, item.component, item.shape, message))
    return results
