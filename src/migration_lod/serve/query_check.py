"""Which queries may run here: parsed with rdflib's SPARQL 1.1 grammar, refused when they hold a SERVICE.

The decision is made on the parse tree, never on the text: a SERVICE clause in any form (IRI, variable,
SILENT, nested, in a subquery, in EXISTS) is a `ServiceGraphPattern` node of the tree. A query that this
parser cannot read is refused too, even where pyoxigraph might read it: what cannot be checked does not
run. The parser recurses, so it runs in a thread with a large stack (see worker.py) under a recursion
limit that turns deep nesting into a clear error instead of a crash.
"""

from __future__ import annotations

import functools

from pyparsing import ParseBaseException

from migration_lod.rdf.sparql_syntax import parse, tree_nodes
from migration_lod.serve.messages import QueryError

SERVICE = "ServiceGraphPattern"
REMEMBERED_TEXT = 4096  # longest query text (characters) whose passed check a worker remembers, 1,024 at most


def check_query(text: str) -> None:
    """Raise QueryError (400) unless `text` parses as a SPARQL 1.1 query without SERVICE.

    Parsing takes 1-10 ms for everyday queries: the texts that passed are remembered (the same text
    parses the same way), those that failed are parsed again.
    """
    if len(text) <= REMEMBERED_TEXT:
        _passed(text)
    else:
        _check(text)


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
