"""Literal fidelity: validation sees literals as they were written, though the store would rewrite some.

pyoxigraph's store keeps valid literals of the XSD types it knows in canonical form: "03"^^xsd:integer
becomes "3", "300"^^xsd:byte becomes "300"^^xsd:integer, "1"^^xsd:boolean becomes "true" (so two distinct
literals can even become one). Which literals it rewrites is found by asking it (a probe store, one
literal per subject); those are loaded under an escaped datatype the store does not interpret, so they keep
their lexical form and datatype, and the engine reads them back through `original`, compares them through
`typed` and writes constants of the shapes through `sparql`. (Language tags are lower-cased by pyoxigraph's
parser already; RDF compares them case-insensitively.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from migration_lod.validation.graph import Term

ESCAPED = "urn:x-migration-lod:literal-datatype:"
_PROBE = ox.NamedNode("urn:x-migration-lod:probe")
MARKS = ox.NamedNode("urn:x-migration-lod:literals")  # a named graph: validation reads the default graph only
KEPT = {ox.NamedNode("http://www.w3.org/2001/XMLSchema#string"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")}
_ESCAPING = ox.Quad(MARKS, ox.NamedNode("urn:x-migration-lod:escapes"), ox.Literal("true"), MARKS)


def _rewritten(literals: list[ox.Literal]) -> set[ox.Literal]:
    probe = ox.Store()
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:x:{i}"), _PROBE, literal) for i, literal in enumerate(literals))
    return {literals[int(q.subject.value[6:])] for q in probe if q.object != literals[int(q.subject.value[6:])]}


class Literals:
    """Which literals are stored escaped, and how to read and write them."""

    def __init__(self, data_escaped: bool = False) -> None:
        self.escaped: set[ox.Literal] = set()  # of the data and of the shapes' constants
        self.known: set[ox.Literal] = set()
        self.data_escaped = data_escaped  # whether the store holds escaped literals

    @classmethod
    def of_store(cls, store: ox.Store) -> Literals:
        """Whether a store holds escaped literals: one made by `faithful_store` says so in a graph of its own
        (a look-up, where searching the data for them would read every triple); any other holds none."""
        return cls(data_escaped=next(iter(store.quads_for_pattern(None, None, None, MARKS)), None) is not None)

    def learn(self, literals: Iterable[ox.Literal]) -> None:
        """Ask the store which of these literals it would rewrite."""
        new = [literal for literal in dict.fromkeys(literals) if literal not in self.known]
        self.escaped |= _rewritten(new)
        self.known.update(new)

    def escape(self, term: Term) -> Term:
        """The term as the store must hold it to keep it as written."""
        if isinstance(term, ox.Literal) and term in self.escaped:
            return ox.Literal(term.value, datatype=ox.NamedNode(ESCAPED + term.datatype.value))
        return term

    @staticmethod
    def original(term: Term | None) -> Term | None:
        """A term read from the store, as it was written."""
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(ESCAPED):
            return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(ESCAPED):]))
        return term

    def sparql(self, term: ox.NamedNode | ox.Literal) -> str:
        """A constant of the shapes in SPARQL syntax, escaped as the data's literals are."""
        if isinstance(term, ox.Literal):
            self.learn([term])
        return str(self.escape(term))

    def typed(self, var: str) -> str:
        """A SPARQL expression of a variable's value, an escaped literal read with its written datatype."""
        if not self.data_escaped:
            return var
        return (f"IF(isLiteral({var}) && STRSTARTS(STR(DATATYPE({var})), \"{ESCAPED}\"), "
                f"STRDT(STR({var}), IRI(STRAFTER(STR(DATATYPE({var})), \"{ESCAPED}\"))), {var})")


def faithful_store(quads: Iterable[ox.Quad | ox.Triple]) -> tuple[ox.Store, Literals]:
    """A store holding these triples in its default graph with every literal as written."""
    triples = quads if isinstance(quads, list) else list(quads)
    literals = Literals()
    # Strings and language-tagged strings are kept as written (their tags aside): only typed values are asked.
    literals.learn(t.object for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype not in KEPT)
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, literals.escape(t.object)) for t in triples)
    literals.data_escaped = bool(literals.escaped)
    if literals.data_escaped:
        store.add(_ESCAPING)
    return store, literals
