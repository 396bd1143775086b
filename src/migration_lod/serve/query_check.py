"""Which queries may run here: none that holds a SERVICE clause or nests deeper than a parser can follow.

Whether a query holds SERVICE is decided on rdflib's parse tree, never on the text: a SERVICE clause in
any form (IRI, variable, SILENT, nested, in a subquery, in EXISTS) is a `ServiceGraphPattern` node of the
tree. A query that this parser cannot read is refused too, even where pyoxigraph might read it: what cannot
be checked does not run. The parser recurses, so it runs in a thread with a large stack (see worker.py)
under a recursion limit that turns deep nesting into a clear error instead of a crash.

That parser takes milliseconds, about ten times pyoxigraph's whole answer to a lookup, so a query that
cannot hold either danger skips it and goes to pyoxigraph's parser alone (which refuses malformed text
itself). The test is of necessary conditions, never a reading of the text: a SERVICE clause needs the
keyword, whose letters SPARQL matches without regard to ASCII case and which can be hidden only by a
\\u escape, so a text in which no "service" and no "\\u" occur at all holds none; and a text with few
opening brackets cannot nest deeper than their number (pyoxigraph's parser crashes at about 100,000 levels,
rdflib's refuses 1,000). Whatever does not pass that test is parsed as above.
"""

from __future__ import annotations

import functools

from pyparsing import ParseBaseException

from migration_lod.rdf.sparql_syntax import parse, tree_nodes
from migration_lod.serve.messages import QueryError

SERVICE = "ServiceGraphPattern"
MAX_OPENERS = 64  # "{", "(" and "[" in a query that may skip the full parse
REMEMBERED_TEXT = 4096  # longest query text (characters) whose passed check a worker remembers, 1,024 at most


def check_query(text: str) -> None:
    """Raise QueryError (400) unless `text` parses as a SPARQL 1.1 query without SERVICE.

    Parsing takes 1-10 ms for everyday queries: a text that cannot hold a SERVICE clause nor deep nesting is
    not parsed here (see above); the texts that passed are remembered (the same text parses the same way),
    those that failed are parsed again.
    """
    if _plainly_safe(text):
        return
    if len(text) <= REMEMBERED_TEXT:
        _passed(text)
    else:
        _check(text)


def _plainly_safe(text: str) -> bool:
    """True when the text has no "service" (in any case), no \\u escape and at most MAX_OPENERS brackets."""
    folded = text.casefold()
    if "service" in folded or "service" in text.lower() or "\\u" in folded:
        return False
    return sum(text.count(opener) for opener in "{([") <= MAX_OPENERS


@functools.lru_cache(maxsize=1024)
def _passed(text: str) -> bool:
    _check(text)
    return True


def _check(text: str) -> None:
    try:
        tree = parse(text)
    except ParseBaseException as exc:
        raise QueryError(400, f"malformed query: {exc.msg} at line {exc.lineno}, column {exc.col}") from exc
    except RecursionError as exc:
        raise QueryError(400, "the query is nested more deeply than this endpoint accepts") from exc
    if any(node.name == SERVICE for node in tree_nodes(tree)):
        raise QueryError(400, "SERVICE is not allowed: this endpoint never queries other servers")
