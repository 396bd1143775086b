"""The synthetic data generator: deterministic, shaped like the real records, with known violations."""

from __future__ import annotations

from collections import Counter

import pytest

import migration_lod
from migration_lod.records.load import read_records
from migration_lod.records.mapping import map_records
from migration_lod.records.synth import synthesize

from .conftest import folder_bytes

# How each injected violation shows in the problems the pipeline reports.
SIGNATURES = {
    "missing_label": lambda p: p.field == "label" and p.message == "required field is missing",
    "bad_date": lambda p: '"2017-02-30" is not a date' in p.message or '"19x5" is not a year' in p.message,
    "unknown_code": lambda p: '"XYZ" is not an ISO 3166-1 alpha-3 code' in p.message
    or '"no-such-organisation" is not the id' in p.message,
    "concept_outside_scheme": lambda p: '"k" is not an objective number' in p.message,
}


def test_the_same_seed_gives_the_same_files(tmp_path, cli):
    for name in ("a", "b"):
        result = cli("synth", "--records", "300", "--out", tmp_path / name, "--seed", "7", "--violations", "0.05")
        assert result.returncode == 0, result.stderr
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")
    synthesize(300, tmp_path / "c", seed=8)
    assert folder_bytes(tmp_path / "c") != folder_bytes(tmp_path / "a")
    assert {"iscms.yaml", "organisations.yaml", "practices.csv", "events.csv", "documents.csv"} <= set(
        folder_bytes(tmp_path / "a"))


def test_synthetic_records_build_into_a_valid_dataset(tmp_path):
    summary = synthesize(400, tmp_path / "data", seed=2)
    assert sum(summary.records.values()) == 400 and summary.violations == Counter()
    dataset = migration_lod.build(tmp_path / "data")
    assert dataset.validate().conforms
    assert len(dataset.graph) > 400 * 15


@pytest.mark.parametrize("seed", [3, 4])
def test_every_injected_violation_is_found(tmp_path, seed):
    summary = synthesize(600, tmp_path / "data", seed=seed, violations=0.1)
    assert set(summary.violations) == set(SIGNATURES) and sum(summary.violations.values()) > 30
    records, problems = read_records(tmp_path / "data")
    with pytest.raises(migration_lod.InputError) as mapped:
        map_records(records, "https://w3id.org/migration-lod/", migration_lod.load_vocabulary(),
                    migration_lod.load_un_vocabularies())
    problems += mapped.value.problems
    found = Counter(kind for p in problems for kind, matches in SIGNATURES.items() if matches(p))
    assert found == summary.violations
    assert all(p.file and p.line and p.field for p in problems if any(m(p) for m in SIGNATURES.values()))
