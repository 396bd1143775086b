"""Nothing a user feeds in exhausts the machine or is silently ignored: bounded aliases, nesting, values
and file sizes; unknown entries of the data folder named; Excel's CSV read."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

import migration_lod

from .conftest import DATA

LAUGHS = "\n".join([
    "- id: bomb", "  label: Billion laughs", "  kind: initiative",
    "  sources: [{document: grcp7-summary-report}]",
    '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    *(f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)),
    "  date: [*a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8]", ""])


def build_in_a_small_child(data, tmp_path, memory_mib=1024) -> tuple[subprocess.CompletedProcess, float]:
    """`migration-lod build` in a child process whose memory the test caps."""
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_DATA, ({memory_mib << 20}, {memory_mib << 20}))
        from migration_lod.cli import main
        sys.argv = ["migration-lod", "build", "--data", {str(data)!r}, "--out", {str(tmp_path / "dist")!r}, "-q"]
        main()
    """)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    return result, time.monotonic() - started


def test_a_yaml_alias_bomb_is_refused_in_seconds(data_copy, tmp_path):
    (data_copy / "practices.yaml").write_text(LAUGHS)
    assert len(LAUGHS) < 1000
    result, seconds = build_in_a_small_child(data_copy, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "practices.yaml" in result.stderr and "aliases" in result.stderr and "Traceback" not in result.stderr
    assert seconds < 30 and len(result.stderr) < 5000


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_nesting_50000_deep_is_refused_in_seconds(data_copy, tmp_path, suffix):
    (data_copy / "practices.yaml").unlink()
    (data_copy / f"practices.{suffix}").write_text("[" * 50_000 + "]" * 50_000)
    result, seconds = build_in_a_small_child(data_copy, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    # "nested more than 32 levels deep" (ours), or libyaml's "exceeded maximum nesting depth" when its scanner,
    # which looks ahead through flow collections, meets its own limit first
    assert f"practices.{suffix}" in result.stderr and "nest" in result.stderr and "Traceback" not in result.stderr
    assert seconds < 30


def test_nesting_past_the_limit_in_block_style_is_refused_with_its_line(data_copy, cli):
    nested = "".join("  " * depth + "- \n" for depth in range(40)) + "  " * 40 + "- x\n"
    (data_copy / "practices.yaml").write_text(nested)
    outcome = cli("validate", data_copy)
    assert outcome.returncode == 2 and "practices.yaml:33" in outcome.stderr
    assert "nested more than 32 levels deep" in outcome.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("- &loop [1, *loop]\n", "an alias refers to a value that contains it"),
    ("- *nowhere\n", "found undefined alias 'nowhere'"),
])
def test_an_alias_to_itself_or_to_nothing_is_refused(data_copy, cli, text, message):
    (data_copy / "practices.yaml").write_text(text)
    outcome = cli("validate", data_copy)
    assert outcome.returncode == 2 and "practices.yaml" in outcome.stderr and message in outcome.stderr


def test_messages_quote_at_most_a_hundred_characters_of_a_value(data_copy, cli):
    path = data_copy / "events.yaml"
    path.write_text(path.read_text().replace("start: '2017-10-10'", "start: '" + "9" * 5_000_000 + "'", 1))
    result = cli("build", "--data", data_copy, "--out", data_copy.parent / "dist")
    assert result.returncode == 2
    [line] = [row for row in result.stderr.splitlines() if "is not a date" in row]
    assert len(line) < 400 and "(5,000,000 characters)" in line


def test_a_record_file_past_the_size_limit_is_refused_with_its_size(data_copy, cli):
    path = data_copy / "practices.yaml"
    path.write_text(path.read_text() + "#" + "x" * (2 << 20) + "\n")
    result = cli("build", "--data", data_copy, "--out", data_copy.parent / "dist", "--max-file-mib", "1")
    assert result.returncode == 2 and "practices.yaml" in result.stderr
    assert "bytes, more than the limit of 1,048,576" in result.stderr
    assert cli("build", "--data", data_copy, "--out", data_copy.parent / "dist", "-q").returncode == 0


def test_a_csv_cell_past_the_csv_field_limit_is_an_error_not_a_crash(data_copy, cli):
    (data_copy / "recommendations.yaml").unlink()
    (data_copy / "recommendations.csv").write_text("id,label\nx," + "y" * 200_000 + "\n")
    result = cli("build", "--data", data_copy, "--out", data_copy.parent / "dist")
    assert result.returncode == 2 and "recommendations.csv:2" in result.stderr


def test_excels_csv_utf8_with_a_byte_order_mark_is_read(data_copy, dataset):
    records = migration_lod.load_records(DATA / "recommendations.yaml")
    from migration_lod.records.export import export_records

    export_records(records, data_copy, "csv")
    (data_copy / "recommendations.yaml").unlink()
    csv = data_copy / "recommendations.csv"
    csv.write_bytes(b"\xef\xbb\xbf" + csv.read_bytes())
    assert len(migration_lod.build(data_copy).graph) == len(dataset.graph)


@pytest.mark.parametrize(("entry", "make", "says"), [
    ("organisation.yaml", lambda folder: (folder / "organisation.yaml").write_text("- id: x\n"), "organisations.yaml"),
    ("events.yaml", lambda folder: ((folder / "events.yaml").unlink(), (folder / "events.yaml").mkdir()),
     "must be a file"),
    ("README.md", lambda folder: (folder / "README.md").write_text("# my data\n"), "--ignore"),
])
def test_an_entry_that_is_no_record_file_is_named_not_ignored(data_copy, cli, entry, make, says):
    make(data_copy)
    for command in (["build", "--data", data_copy, "--out", data_copy.parent / "dist"], ["validate", data_copy],
                    ["export", "--data", data_copy, "--out", data_copy.parent / "exported"]):
        result = cli(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert entry in result.stderr and says in result.stderr, result.stderr
    if entry == "README.md":
        assert cli("build", "--data", data_copy, "--out", data_copy.parent / "dist", "-q",
                   "--ignore", "*.md").returncode == 0


def test_a_link_out_of_the_data_folder_is_refused_unless_followed(data_copy, tmp_path, cli):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (data_copy / "events.yaml").rename(elsewhere / "events.yaml")
    (data_copy / "events.yaml").symlink_to(elsewhere / "events.yaml")
    result = cli("build", "--data", data_copy, "--out", tmp_path / "dist")
    assert result.returncode == 2 and "outside the data folder" in result.stderr
    assert cli("build", "--data", data_copy, "--out", tmp_path / "dist", "-q", "--follow-links").returncode == 0


def test_validate_reads_a_folder_as_build_does(tmp_path, data_copy, cli):
    (data_copy / "dataset.yaml").unlink()
    for command in (["build", "--data", data_copy, "--out", tmp_path / "dist"], ["validate", data_copy]):
        result = cli(*command)
        assert result.returncode == 2 and "dataset.yaml" in result.stderr, result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "dataset.yaml").write_text((DATA / "dataset.yaml").read_text())
    for command in (["build", "--data", empty, "--out", tmp_path / "dist"], ["validate", empty]):
        result = cli(*command)
        assert result.returncode == 2 and "no record files" in result.stderr, result.stderr


def test_the_test_child_really_is_limited():
    """The memory cap the bomb tests rely on is in force in the child (a test that can fail)."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_DATA, (256 << 20, 256 << 20)); "
            "b = bytearray(512 << 20)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "MemoryError" in result.stderr
