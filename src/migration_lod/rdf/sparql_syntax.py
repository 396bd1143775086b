"""SPARQL parse trees (rdflib's SPARQL 1.1 grammar): parsing a query and walking the tree without recursion.

Decisions about a query (may it run here? does it use syntax pre-binding forbids?) are made on this tree,
never on the query's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

__all__ = ["CompValue", "mentions", "parse", "substitute", "tree_nodes"]


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


# SPARQL's lexical grammar, only as far as telling variables from strings, IRIs and comments that may hold
# the same characters, and the keywords after which a variable is a projection or a sort key (pre-binding and
# $PATH replace variables, never text inside strings, IRIs or comments).
_PN_CHARS_U = "A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D" \
              "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_TOKENS = re.compile(
    r"""(?P<text>'''(?:'{0,2}(?:[^'\\]|\\.))*'''|\"\"\"(?:"{0,2}(?:[^"\\]|\\.))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*)"""
    rf"|[?$](?P<variable>[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)"
    r"""|(?P<word>[A-Za-z_:][\w.:\-]*)|(?P<bracket>[(){}])|[^'"<#?$A-Za-z_:(){}]+|.""",
    re.DOTALL,
)
_PROJECTION, _SORT_KEYS = {"SELECT"}, {"BY"}
_ENDS = {"WHERE", "HAVING", "LIMIT", "OFFSET", "VALUES", "FROM", "GROUP", "ORDER"}


def substitute(text: str, values: Mapping[str, str]) -> str:
    """The query with the variables named in `values` (?name or $name) replaced by the SPARQL term given for
    each, as SHACL pre-binding defines: a projected variable stays projected, under a name of its own, and
    BOUND of a replaced variable is true."""
    out: list[tuple[str, str]] = []  # (token as read, token as written)
    mode, mode_depth, depth = "", 0, 0
    for match in _TOKENS.finditer(text):
        token, name, word, bracket = match[0], match["variable"], match["word"], match["bracket"]
        written = token
        if word and word.upper() in _PROJECTION | _SORT_KEYS:
            mode, mode_depth = ("projection" if word.upper() in _PROJECTION else "sort"), depth
        elif (word and word.upper() in _ENDS) or bracket in ("{", "}"):
            mode = ""
        elif bracket == "(":
            depth += 1
        elif bracket == ")":
            depth -= 1
            if _bound_call(out, values):
                written = "(true)"
        if name in values:
            term = values[name]
            if mode == "projection" and depth == mode_depth:
                written = f"({term} AS ?{name}_{len(out)}_bound)"
            elif mode == "sort" and depth == mode_depth:
                written = f"({term})"
            else:
                written = term
        out.append((token, written))
    return "".join(written for _, written in out)


def _bound_call(out: list[tuple[str, str]], values: Mapping[str, str]) -> bool:
    """True when the tokens before a ")" are `BOUND ( ?var` of a replaced variable (then taken off `out`)."""
    significant = [i for i in range(len(out) - 1, -1, -1) if out[i][0].strip()][:3]
    if len(significant) < 3:
        return False
    variable, bracket, word = (out[i][0] for i in significant)
    if word.upper() != "BOUND" or bracket != "(" or variable[:1] not in "?$" or variable[1:] not in values:
        return False
    del out[significant[-1]:]
    return True


def mentions(text: str, name: str) -> bool:
    """True when the query uses the variable ?name (or $name) outside strings, IRIs and comments."""
    return any(m["variable"] == name for m in _TOKENS.finditer(text))
