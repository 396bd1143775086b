"""Write the reconciliation test set (tests/reconcile-test-set.tsv) from a published dump.

Exact queries are the published names as they are: every label (preferred, alternative, hidden; the
States' in the six UN languages from the M49 data), notation and identifier of every entity of the
service's types, with the words that name a notation ("objective 9"). A name that several entities of one
type share is left out: no answer to it is right. Noisy queries are made from the preferred and alternative
labels, in every language, with a seeded random generator: one typo (a letter left out, doubled, replaced or
two swapped) in a name of 8 characters or more, a word left out of a name of 4 words or more, two words
swapped. Run: .venv/bin/python bench/reconcile_test_set.py dist/migration-lod.nt
"""

from __future__ import annotations

import random
import string
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from migration_lod.reconcile.index import CODES, LABELS, open_index
from migration_lod.reconcile.names import fold
from migration_lod.reconcile.quality import Case, write_cases

OUT = Path(__file__).resolve().parents[1] / "tests" / "reconcile-test-set.tsv"
SEED = 107  # SDG target 10.7
HOW = dict(zip(LABELS, ("label", "alternative label", "hidden label", "rdfs label", "title", "name"), strict=True))


def _typo(text: str, rng: random.Random) -> str:
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha()]
    i = rng.choice(positions)
    edit = rng.choice(("leave out", "double", "replace", "swap"))
    if edit == "leave out":
        return text[:i] + text[i + 1:]
    if edit == "double":
        return text[:i] + text[i] + text[i:]
    if edit == "replace":
        letter = rng.choice([c for c in string.ascii_lowercase if c != text[i].lower()])
        return text[:i] + letter + text[i + 1:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _noisy(label: str, rng: random.Random) -> list[tuple[str, str]]:
    words = label.split()
    found = []
    if len(label) >= 8:
        found.append(("one typo", _typo(label, rng)))
    if len(words) >= 4:
        i = rng.randrange(1, len(words))
        found.append(("a word left out", " ".join(words[:i] + words[i + 1:])))
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        swapped = [*words[:i], words[i + 1], words[i], *words[i + 2:]]
        found.append(("two words swapped", " ".join(swapped)))
    return found


def main(dumps: list[str]) -> None:
    """Write the test set."""
    index = open_index([Path(d) for d in dumps])
    rng = random.Random(SEED)  # noqa: S311 (seeded on purpose: the same test set every run)
    exact: list[tuple[str, str, str, str]] = []  # type, how, query, expected
    for predicate in (*LABELS, *CODES):
        for quad in index.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            entity = index.entities.get(quad.subject.value)
            if entity is None or not isinstance(quad.object, ox.Literal):
                continue
            language = quad.object.language
            # A State or an ISCM is an organisation too (the ontology says so): tested under its narrowest types.
            narrowest = entity.types - {b for key in entity.types for b in index.broader[key]}
            for key in sorted(narrowest):
                how = HOW.get(predicate, "notation or identifier") + (f" ({language})" if language else "")
                exact.append((key, how, quad.object.value, entity.iri))
                words = index.types_by_key[key].notation_words if predicate in CODES else ()
                exact += [(key, f"{word} + notation", f"{word} {quad.object.value}", entity.iri) for word in words]
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, _, query, expected in exact:
        owners[key, fold(query)].add(expected)
    cases = sorted({Case(key, "exact", how, query, expected) for key, how, query, expected in exact
                    if len(owners[key, fold(query)]) == 1 and fold(query)},
                   key=lambda c: (c.type, c.expected, c.how, c.query))
    noisy = []
    for case in cases:
        if case.how.startswith(("label", "alternative label")):
            for how, query in _noisy(case.query, rng):
                if len(owners[case.type, fold(query)] - {case.expected}) == 0:
                    noisy.append(Case(case.type, "noisy", how, query, case.expected))
    write_cases(OUT, cases + noisy)
    print(f"{len(cases)} exact and {len(noisy)} noisy queries written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["dist/migration-lod.nt"])
