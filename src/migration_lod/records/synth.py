"""Synthetic records shaped like the real ones, for benchmarks at 1k to 500k records: seeded, deterministic.

The generator writes the project's own input formats (YAML for the smaller kinds, CSV for the large ones),
draws codes from the real code lists (ISO 3166-1 alpha-3 codes of the UN M49 list, the concept schemes),
and can inject known violations, counting how many of each kind it injected.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from migration_lod.outputs import SYNTHETIC, write_output
from migration_lod.rdf.vocabulary import load_un_vocabularies, load_vocabulary
from migration_lod.records.export import export_records
from migration_lod.records.kinds import KIND_BY_NAME
from migration_lod.records.load import Record

VIOLATIONS = ("missing_label", "bad_date", "unknown_code", "concept_outside_scheme")
BAD_DATES = {"practice": ("date", "2017-02-30"), "document": ("date", "2017-02-30"), "event": ("start", "2017-02-30"),
             "iscm": ("established", "19x5"), "organisation": ("established", "19x5")}
# Shares of each kind, close to a repository of practices that grows around a few dozen mechanisms.
SHARES = {"iscm": 0.01, "organisation": 0.04, "document": 0.10, "event": 0.20, "practice": 0.65}
WORDS = ("migration", "migrants", "regional", "cooperation", "dialogue", "States", "protection", "labour",
         "mobility", "governance", "border", "management", "return", "reintegration", "trafficking", "smuggling",
         "persons", "data", "capacity", "development", "partnership", "policy", "rights", "workers", "diaspora",
         "remittances", "integration", "consultation", "ministerial", "meeting", "process", "framework", "action",
         "plan", "national", "strategy", "compact", "implementation", "review", "assistance", "victims", "safe",
         "orderly", "regular", "pathways", "recruitment", "fair", "information", "exchange", "training")


@dataclass
class Synthesis:
    """What the generator wrote: the files, the records per kind and the violations injected per kind."""

    files: list[Path]
    records: Counter = field(default_factory=Counter)
    violations: Counter = field(default_factory=Counter)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return (" ".join(words) + ".").capitalize()


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, 8, 22) for _ in range(sentences))


def synthesize(records: int, out_dir: Path | str, *, seed: int = 1, violations: float = 0.0) -> Synthesis:
    """Write about `records` synthetic records into `out_dir` (with dataset.yaml); return what was written.

    `out_dir` must be missing, empty or earlier synthetic data (outputs.check_output); it is replaced whole.
    """
    out_dir = Path(out_dir)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    vocabulary = load_vocabulary()
    iso3 = sorted(load_un_vocabularies().by_iso3)
    codes = {scheme: sorted(notations) for scheme, notations in vocabulary.concepts.items()}
    counts = {kind: max(1, round(records * share)) for kind, share in SHARES.items()}
    counts["practice"] += records - sum(counts.values())
    ids: dict[str, list[str]] = {kind: [f"{kind}-{n:07d}" for n in range(counts[kind])] for kind in counts}
    agents = ids["iscm"] + ids["organisation"]
    result = Synthesis([])

    def source() -> list[dict[str, str]]:
        return [{"document": rng.choice(ids["document"]), "section": f"section {rng.randint(1, 40)}"}]

    def date() -> str:
        return f"{rng.randint(1985, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def make(kind: str, slug: str) -> dict[str, Any]:
        raw: dict[str, Any] = {"id": slug, "label": _sentence(rng, 3, 9).rstrip(".")}
        if kind == "iscm":
            raw |= {"type": rng.choice(["rcp", "rcp", "irf", "global_process"]), "established": rng.randint(1985, 2020),
                    "members": rng.sample(iso3, rng.randint(5, 40)),
                    "areas_of_focus": rng.sample(codes["iscm-areas-of-focus"], rng.randint(1, 6))}
        elif kind == "organisation":
            raw |= {"alt_labels": [slug.upper()[-6:]], "established": rng.randint(1945, 2020)}
        elif kind == "document":
            raw |= {"kind": rng.choice(["resolution", "report", "news_article", "press_release", "web_page"]),
                    "date": date(), "publisher": rng.choice(ids["organisation"])}
        elif kind == "event":
            start = date()
            raw |= {"kind": rng.choice(["meeting", "conference"]), "start": start, "end": start,
                    "city": rng.choice(["Geneva", "Bangkok", "Cairo", "Lima", "Vienna", "Rabat", "Manila"]),
                    "country": rng.choice(iso3), "organisers": [rng.choice(agents)],
                    "participants": [*rng.sample(iso3, rng.randint(2, 12)), *rng.sample(agents, 2)]}
        else:
            raw |= {"kind": rng.choice(["initiative", "agreement", "declaration", "action_plan", "strategy"]),
                    "description": _text(rng, rng.randint(2, 5)), "date": date(),
                    "actors": [*rng.sample(iso3, rng.randint(1, 4)), rng.choice(agents)],
                    "objectives": rng.sample(codes["gcm-objectives"], rng.randint(1, 3)),
                    "elements": rng.sample(codes["gcm-elements"], rng.randint(1, 3)),
                    "sdg": [rng.choice(codes["sdg"])], "topics": [_sentence(rng, 2, 4).rstrip(".")]}
        raw["sources"] = source() if kind != "document" else [{"document": "https://example.org/source",
                                                                "section": "page 1"}]
        if rng.random() < violations:
            result.violations[_inject(rng, kind, raw)] += 1
        return raw

    built: list[Record] = []
    for kind, slugs in ids.items():
        spec = KIND_BY_NAME[kind]
        for slug in slugs:
            raw = make(kind, slug)
            built.append(Record(spec, _as_values(spec, raw), "synthetic", 0))
            result.records[kind] += 1
    small = [r for r in built if r.kind.name in ("iscm", "organisation")]
    large = [r for r in built if r.kind.name not in ("iscm", "organisation")]

    def fill(staging: Path) -> list[str]:
        # YAML for the kinds a curator edits by hand, CSV for the large ones.
        files = export_records(small, staging, "yaml") + export_records(large, staging, "csv")
        (staging / "dataset.yaml").write_text(yaml.safe_dump({
            "title": f"Synthetic migration-lod dataset ({records} records, seed {seed})",
            "description": "Synthetic records shaped like the real ones, for benchmarks.", "version": "synthetic",
            "license": "https://creativecommons.org/publicdomain/zero/1.0/", "publisher": "migration-lod synth"}))
        return [f.name for f in files]

    result.files = [out_dir / name for name in write_output(out_dir, SYNTHETIC, fill)]
    return result


def _inject(rng: random.Random, kind: str, raw: dict[str, Any]) -> str:
    """Break one record in one of the known ways; return which."""
    choices = list(VIOLATIONS) if kind == "practice" else ["missing_label", "bad_date", "unknown_code"]
    violation = rng.choice(choices)
    if violation == "missing_label":
        raw.pop("label")
    elif violation == "bad_date":
        name, bad = BAD_DATES[kind]
        raw[name] = bad
    elif violation == "unknown_code":
        field_name = {"iscm": "members", "event": "participants", "practice": "actors",
                      "organisation": "members", "document": "publisher"}[kind]
        raw[field_name] = ["XYZ"] if field_name != "publisher" else "no-such-organisation"
    else:
        raw["objectives"] = ["k"]  # an element letter where an objective number belongs
    return violation


def _as_values(kind: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """Raw values in the form Record.values holds them, so the exporter writes them as given."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        spec = kind.field(name)
        if spec is None:
            continue
        if spec.type == "text":
            values[name] = [{"en": v} for v in value] if spec.many else {"en": value}
        elif spec.many and spec.type != "sources":
            values[name] = [str(v) for v in value]
        else:
            values[name] = value if spec.type == "sources" else str(value)
    return values
