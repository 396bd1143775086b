"""The logical components and sh:node: sh:not, sh:and, sh:or, sh:xone, sh:node, decided from which value
nodes conform to the member shapes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migration_lod.validation.components.base import (
    Check,
    core,
    failing_values,
    list_parameter,
    parameter,
)
from migration_lod.validation.engine import Run
from migration_lod.validation.graph import Term
from migration_lod.validation.model import Constraint, Result

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
        members = [parameter(constraint, name)] if name in ("not", "node") else list_parameter(run, constraint, name)
        failing = [failing_values(run, member) for member in members]
        pairs = run.pairs() if candidates is None or not members else run.pairs_among(candidates(failing))
        for focus, value in pairs:
            if decide([value not in f for f in failing]):
                yield run.result(constraint, focus, value)
    return check


COMPONENTS = [core(name.capitalize(), name, _logical(name)) for name in LOGICAL]
