"""SPARQL parse trees (rdflib's SPARQL 1.1 grammar): parsing a query and walking the tree without recursion.

Decisions about a query (may it run here? does it use syntax pre-binding forbids?) are made on this tree,
never on the query's text.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

__all__ = ["CompValue", "parse", "tree_nodes"]


def parse(text: str) -> ParseResults:
    """The parse tree of a query; pyparsing's ParseBaseException or RecursionError when it cannot be read."""
    return parseQuery(text)


def tree_nodes(tree: object) -> Iterator[CompValue]:
    """Every node of a parse tree (walked without recursion: trees can be deep)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
