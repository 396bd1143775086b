"""Names as the matcher compares them: folded (case, accents, punctuation), and the variants people write.

Folding keeps letters of every script (Arabic, Chinese, Cyrillic names are matched as written) and drops
what spreadsheets vary in: case, accents, punctuation, spacing, a leading "the". Variants are derived from
the published labels only: a parenthesised acronym or short name on its own ("Conferencia Regional sobre
Migración (CRM)" also names "CRM"), the label without it, the parts of a label with a slash, and the label
without the generic words of mechanisms' names ("Process", "Regional Consultative Process on").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A label's short parenthesised part with a capital: an acronym or another name, such as (CRM), (ACP-EU MD),
# (MiD-IGAD), (Khartoum Process); not (former name) nor (successor, since 2017).
_ACRONYM = re.compile(r"\(([^()\s]*[A-Z][^()]{0,15})\)")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
GENERIC_WORDS = ("regional consultative process on", "regional consultative process", "process", "dialogue on")
FOLD_CACHE = 4096  # texts remembered folded: labels repeat; clients' texts (1,000 characters at most) cannot grow it


@lru_cache(maxsize=FOLD_CACHE)
def fold(text: str) -> str:
    """The text lower-cased, without accents and punctuation, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":  # accents
            continue
        kept.append(char if category[0] in "LN" else " ")
    words = "".join(kept).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _without_generic_words(folded: str) -> str:
    padded = f" {folded} "
    for words in GENERIC_WORDS:
        padded = padded.replace(f" {words} ", " ")
    return " ".join(padded.split())


def variants(label: str) -> set[str]:
    """The folded forms other than the label's own under which people write it (see the module's text)."""
    found = {fold(acronym) for acronym in _ACRONYM.findall(label)}
    bare = _PARENTHESES.sub("", label)
    found.add(fold(bare))
    if "/" in bare:
        found.update(fold(part) for part in bare.split("/"))
    for form in [*found, fold(label)]:
        shorter = _without_generic_words(form)
        if shorter:
            found.add(shorter)
    found.discard("")
    found.discard(fold(label))
    return found


def notation_names(notation: str, words: tuple[str, ...]) -> set[str]:
    """The folded ways of writing a notation alone and after its words: "9", "objective 9"; "(q)", "element q"."""
    code = fold(notation)
    if not code:
        return set()
    return {code} | {f"{fold(word)} {code}" for word in words}
