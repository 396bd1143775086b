"""Scoring the entities against a query: a score from 0 to 100 per candidate, and when one is clearly right.

How a score is made (README, "Reconciliation"):

1. **Name.** The query is folded (names.py) and compared with each name of the entity; the best comparison
   counts. A folded name or code equal to the query scores 100 times its weight (1 for a label, a notation,
   an identifier; 0.97 for a variant). Otherwise, with rapidfuzz's measures on the folded texts, the best
   of: the similarity of the two strings (a typo costs about 100/length), of their words sorted (other word
   order), and that of their common words with the rest times 0.9 less 0.1 times the share of the name's
   words the query lacks and 0.1 times the share of the query's words the name lacks (missing words: at
   most 90, less when more are missing on either side).
2. **Properties.** Each property the query gives (an ISO code, a region, a year, members) that the entity
   has with one of the values given raises the score by 5; one the entity has only with other values
   lowers it by 15. Scores stay between 0 and 100.
3. **Match.** A candidate is a match when it scores at least 90 and the next candidate at least 10 less.

Candidates are found without comparing the query to every name: entities sharing a name with the query,
then entities sharing its rarest words, a word being allowed one or two typos when no name has it as it is.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from migration_lod.reconcile.index import Entity, NameIndex
from migration_lod.reconcile.names import fold
from migration_lod.reconcile.types import PROPERTY_BY_ID

MATCH_SCORE = 90.0
MATCH_MARGIN = 10.0
PROPERTY_AGREES = 5.0
PROPERTY_DISAGREES = 15.0
MISSING_WORDS_FACTOR = 0.9
MISSING_WORDS_SHARE = 0.1  # taken off that factor per share of one side's words missing from the other
TYPO_SCORE = 75.0  # how close a word of the query must be to a word of a name to stand for it
TYPO_WORDS = 3  # words of names tried for a word of the query that no name has
POOL = 200  # entities compared closely, found by their words
QUERY_WORDS = 32  # words of a query that find candidates: a long text costs no more than a sentence
POSTINGS = 50_000  # entries of the word index visited for one query (a word in every name says little)
TYPO_LENGTH = 3  # shorter words are looked up as they are only


@dataclass(frozen=True)
class PropertyValue:
    """A value given for a property in a query: a text, or an entity's id."""

    text: str
    entity: bool = False


@dataclass(frozen=True)
class Query:
    """One reconciliation query, checked (service.py reads it from the API's JSON)."""

    text: str
    types: frozenset[str] = frozenset()  # type keys; empty: any type
    limit: int = 5
    properties: tuple[tuple[str, tuple[PropertyValue, ...]], ...] = ()


@dataclass(frozen=True)
class Candidate:
    """An entity proposed for a query, with its score and what made it."""

    entity: Entity
    score: float
    name_score: float
    property_score: float
    match: bool = False


def name_score(query: str, entity: Entity) -> float:
    """How well a folded query names the entity, from 0 to 100 (point 1 of the module's text)."""
    if query in entity.codes:
        return 100.0
    best = 0.0
    for name, weight in entity.names.items():
        if name == query:
            similarity = 100.0
        else:
            similarity = max(fuzz.ratio(query, name), fuzz.token_sort_ratio(query, name),
                             _missing_words(query, name))
        best = max(best, similarity * weight)
        if best >= 100.0:
            break
    return best


def _missing_words(query: str, name: str) -> float:
    """The similarity of the words the two share, with the rest; less the more words either lacks of the other's."""
    named, asked = set(name.split()), set(query.split())
    common = len(named & asked)
    lacking = (1.0 - common / len(named)) + (1.0 - common / len(asked))
    return (MISSING_WORDS_FACTOR - MISSING_WORDS_SHARE * lacking) * fuzz.token_set_ratio(query, name)


def property_score(index: NameIndex, entity: Entity, properties: Iterable[tuple[str, tuple[PropertyValue, ...]]]
                   ) -> float:
    """What the query's properties add to the entity's score (point 2 of the module's text)."""
    total = 0.0
    for pid, given in properties:
        nodes = list(index.values(entity.iri, PROPERTY_BY_ID[pid].path))
        if not nodes:
            continue
        texts = {fold(index.label(node)) for node in nodes} | {fold(node.value) for node in nodes}
        iris = {node.value for node in nodes}
        agrees = any(value.text in iris if value.entity else fold(value.text) in texts for value in given)
        total += PROPERTY_AGREES if agrees else -PROPERTY_DISAGREES
    return total


def _found(index: NameIndex, text: str, own: str, types: frozenset[str]) -> list[Entity]:
    """The entities worth scoring: the one whose IRI is `own`, those named by the folded text, then those
    sharing its rarest words (visiting at most POSTINGS entries, the rarest words first)."""
    def wanted(entity: Entity) -> bool:
        return not types or not types.isdisjoint(entity.types)

    named = [e for e in (index.entities.get(own), *index.exact.get(text, ())) if e is not None and wanted(e)]
    words: dict[str, None] = {}
    for word in list(dict.fromkeys(text.split()))[:QUERY_WORDS]:
        if word in index.postings:
            words[word] = None
        elif len(word) >= TYPO_LENGTH:
            words.update((found, None) for found, _, _ in process.extract(
                word, index.words, scorer=fuzz.ratio, limit=TYPO_WORDS, score_cutoff=TYPO_SCORE))
    weights: Counter[str] = Counter()
    budget = POSTINGS
    for word in sorted(words, key=lambda w: len(index.postings[w])):
        if budget <= 0:
            break
        rarity = index.rarity[word]
        for entity in index.postings[word][:budget]:
            weights[entity.iri] += rarity
        budget -= len(index.postings[word])
    pooled = heapq.nlargest(POOL, weights.items(), key=lambda item: item[1])
    seen = {e.iri for e in named}
    return named + [index.entities[iri] for iri, _ in pooled
                    if iri not in seen and wanted(index.entities[iri])]


def candidates(index: NameIndex, query: Query) -> list[Candidate]:
    """The query's best candidates, best first, at most `query.limit`, the first marked when it is a match."""
    own = query.text.strip()  # an entity's IRI given as the query names it
    text = fold(query.text)
    if not text:  # a query by properties alone: their values may name the entity (an ISO code, a symbol)
        text = next((fold(v.text) for _, values in query.properties for v in values if not v.entity), "")
    scored = []
    for entity in _found(index, text, own, query.types):
        names = 100.0 if entity.iri == own else name_score(text, entity)
        extra = property_score(index, entity, query.properties)
        score = round(min(100.0, max(0.0, names + extra)), 1)
        scored.append(Candidate(entity, score, round(names, 1), extra))
    scored.sort(key=lambda c: (-c.score, c.entity.name, c.entity.iri))
    best = scored[: query.limit]
    if best and best[0].score >= MATCH_SCORE and (len(scored) == 1 or best[0].score - scored[1].score >= MATCH_MARGIN):
        best[0] = dataclasses.replace(best[0], match=True)
    return best
