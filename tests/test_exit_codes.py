"""One exit-code contract for every command: 0 done, 1 violations (or refused, or a server that said no),
2 bad input or usage with a one-line message naming the path, 3 an internal error; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DATA


@pytest.fixture
def bad(tmp_path, data_copy, dist):
    """Bad inputs of every kind, by name."""
    without_description = tmp_path / "no-description"
    without_description.mkdir()
    for name in ("iscms.yaml", "documents.yaml", "organisations.yaml"):
        (without_description / name).write_bytes((DATA / name).read_bytes())
    empty = tmp_path / "no-records"
    empty.mkdir()
    (empty / "dataset.yaml").write_bytes((DATA / "dataset.yaml").read_bytes())
    undecodable = tmp_path / "undecodable"
    undecodable.mkdir()
    (undecodable / "dataset.yaml").write_bytes((DATA / "dataset.yaml").read_bytes())
    (undecodable / "iscms.yaml").write_bytes(b"- id: \xff\xfe\n")
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "dataset.yaml").write_bytes((DATA / "dataset.yaml").read_bytes())
    (deep / "iscms.yaml").write_text("[" * 50_000 + "]" * 50_000)
    typo = data_copy
    (typo / "organisation.yaml").write_text("- id: x\n")
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not RDF, not records\n")
    garbage = tmp_path / "garbage.nt"
    garbage.write_text("this is not N-Triples\n")
    garbage_tsv = tmp_path / "garbage.tsv"
    garbage_tsv.write_text("no\tsssom\there\n\x00\x01\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.docx").write_text("mine")
    return {"no description": without_description, "no records": empty, "undecodable": undecodable,
            "deep": deep, "typo": typo, "a file": a_file, "garbage rdf": garbage, "garbage sssom": garbage_tsv,
            "notes": notes, "missing": tmp_path / "nowhere", "dist": dist, "under a file": a_file / "dist",
            "under proc": Path("/proc/migration-lod-test/out"), "out": tmp_path / "out"}


CASES = [  # (name, command with {placeholders} of the `bad` fixture, exit code, words in the message)
    ("build: no dataset.yaml", ["build", "--data", "{no description}", "--out", "{out}"], 2, ["dataset.yaml"]),
    ("build: no records", ["build", "--data", "{no records}", "--out", "{out}"], 2, ["no record files"]),
    ("build: an unreadable record file", ["build", "--data", "{undecodable}", "--out", "{out}"], 2, ["iscms.yaml"]),
    ("build: YAML nested 50,000 deep", ["build", "--data", "{deep}", "--out", "{out}"], 2, ["nest"]),
    ("build: a typo in a file name", ["build", "--data", "{typo}", "--out", "{out}"], 2, ["organisation.yaml"]),
    ("build: no data folder", ["build", "--data", "{missing}", "--out", "{out}"], 2, ["nowhere"]),
    ("build: out under a file", ["build", "--data", str(DATA), "--out", "{under a file}"], 2, ["a-file.txt"]),
    ("build: out under /proc", ["build", "--data", str(DATA), "--out", "{under proc}"], 2, ["/proc"]),
    ("build: out is someone's", ["build", "--data", str(DATA), "--out", "{notes}"], 2, ["thesis.docx"]),
    ("build: a bad base IRI", ["build", "--data", str(DATA), "--out", "{out}", "--base-iri", "x"], 2, ["base-iri"]),
    ("validate: a bad base IRI", ["validate", "--base-iri", "https://example.org/lod", str(DATA)], 2, ["base-iri"]),
    ("validate: no dataset.yaml", ["validate", "{no description}"], 2, ["dataset.yaml"]),
    ("validate: no records", ["validate", "{no records}"], 2, ["no record files"]),
    ("validate: a missing file", ["validate", "{missing}"], 2, ["nowhere"]),
    ("validate: garbage RDF", ["validate", "{garbage rdf}"], 2, ["garbage.nt"]),
    ("validate: neither records nor RDF", ["validate", "{a file}"], 2, ["a-file.txt"]),
    ("validate: YAML nested 50,000 deep", ["validate", "{deep}"], 2, ["nest"]),
    ("export: into the data folder", ["export", "--data", "{typo}", "--out", "{typo}"], 2, ["input folder"]),
    ("export: a typo in a file name", ["export", "--data", "{typo}", "--out", "{out}"], 2, ["organisation.yaml"]),
    ("export: no data folder", ["export", "--data", "{missing}", "--out", "{out}"], 2, ["nowhere"]),
    ("synth: no records", ["synth", "--records", "0", "--out", "{out}"], 2, ["--records"]),
    ("synth: out is someone's", ["synth", "--records", "10", "--out", "{notes}"], 2, ["thesis.docx"]),
    ("init: out is someone's", ["init", "{notes}"], 2, ["thesis.docx"]),
    ("serve: not RDF", ["serve", "{a file}"], 2, ["a-file.txt"]),
    ("serve: garbage RDF", ["serve", "{garbage rdf}"], 2, ["garbage.nt"]),
    ("serve: a limit of 0", ["serve", "{garbage rdf}", "--workers", "0"], 2, ["--workers"]),
    ("links check: garbage RDF", ["links", "check", "--dump", "{garbage rdf}"], 2, ["garbage.nt"]),
    ("links import: garbage SSSOM", ["links", "import", "{garbage sssom}", "--dump", "{dist}/migration-lod.nt",
                                     "--out", "{out}"], 2, ["garbage.tsv"]),
    ("links import: garbage dump", ["links", "import", "{garbage sssom}", "--dump", "{garbage rdf}",
                                    "--out", "{out}"], 2, ["garbage.nt"]),
    ("push: no such dump", ["push", "{missing}.nt", "--endpoint", "http://127.0.0.1:9/store"], 2, ["nowhere.nt"]),
    ("push: not RDF", ["push", "{a file}", "--endpoint", "http://127.0.0.1:9/store"], 2, ["a-file.txt"]),
    ("push: no server", ["push", "{dist}/migration-lod.nt", "--endpoint", "http://127.0.0.1:9/store",
                         "--retries", "1"], 1, ["cannot reach"]),
]


@pytest.mark.parametrize(("name", "command", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_every_command_answers_bad_input_with_its_code_and_no_traceback(bad, cli, name, command, code, words):
    args = [_fill(part, bad) for part in command]
    result = cli(*args)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert all(word in result.stderr for word in words), result.stderr
    assert len(result.stderr) < 5000


def _fill(part: str, bad: dict) -> str:
    for key, value in bad.items():
        part = part.replace("{" + key + "}", str(value))
    return part


def test_an_internal_error_is_a_short_report_and_exit_3(cli, monkeypatch, tmp_path):
    import migration_lod.dataset

    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(migration_lod.dataset, "build", broken)
    result = cli("build", "--data", DATA, "--out", tmp_path / "never-written")
    assert result.returncode == 3 and "internal error: RuntimeError: a fault of ours" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(RuntimeError, match="a fault of ours"):
        cli("--debug", "build", "--data", DATA, "--out", tmp_path / "never-written")
