"""Nothing a user mistypes destroys a file: output folders are written only when missing, empty or this
tool's own, never over the data, and always atomically."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import migration_lod

from .conftest import DATA


def checksums(folder: Path) -> dict[str, str]:
    """Every file below a folder, by relative path, with its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def notes(tmp_path):
    """A folder of someone's own work."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    return folder


def refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "not written" in result.stderr and all(w in result.stderr for w in words), result.stderr
    assert "Traceback" not in result.stderr


def test_build_refuses_the_data_folder_itself(data_copy, cli):
    before = checksums(data_copy)
    refused(cli("build", "--data", data_copy, "--out", data_copy), "input folder")
    assert checksums(data_copy) == before


@pytest.mark.parametrize("where", ["inside", "around"])
def test_build_refuses_a_folder_inside_or_around_the_data(data_copy, cli, where):
    out = data_copy / "dist" if where == "inside" else data_copy.parent
    before = checksums(data_copy.parent)
    refused(cli("build", "--data", data_copy, "--out", out), "input folder")
    assert checksums(data_copy.parent) == before


def test_build_and_publish_refuse_someone_elses_folder(notes, dataset, cli):
    before = checksums(notes)
    refused(cli("build", "--data", DATA, "--out", notes), "thesis.docx", "new or empty folder")
    with pytest.raises(migration_lod.InputError, match=r"thesis\.docx"):
        dataset.publish(notes)
    assert checksums(notes) == before


def test_a_publication_is_rebuilt_in_place_but_not_over_files_added_to_it(tmp_path, dataset, cli):
    out = tmp_path / "dist"
    assert cli("build", "--data", DATA, "--out", out, "-q").returncode == 0
    assert cli("build", "--data", DATA, "--out", out, "-q").returncode == 0, "its own earlier output"
    (out / "imported").mkdir()
    (out / "imported" / "partner.trig").write_text("# written by links import\n")
    assert cli("build", "--data", DATA, "--out", out, "-q").returncode == 0
    assert (out / "imported" / "partner.trig").is_file(), "imported mappings survive a rebuild"
    (out / "my-notes.txt").write_text("mine")
    before = checksums(out)
    refused(cli("build", "--data", DATA, "--out", out, "-q"), "my-notes.txt", "added to this publication")
    assert checksums(out) == before


def test_a_publication_written_before_folders_were_marked_is_recognised(tmp_path, dist, dataset):
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    (out / ".migration-lod").unlink()
    dataset.publish(out)
    assert (out / ".migration-lod").is_file()


def test_export_refuses_the_data_folder_and_writes_atomically(data_copy, tmp_path, cli, notes):
    before = checksums(data_copy)
    refused(cli("export", "--data", data_copy, "--out", data_copy), "input folder")
    assert checksums(data_copy) == before
    assert migration_lod.build(data_copy).records, "the data folder still builds"
    refused(cli("export", "--data", data_copy, "--out", notes), "thesis.docx")
    out = tmp_path / "exported"
    assert cli("export", "--data", data_copy, "--out", out).returncode == 0
    assert cli("export", "--data", data_copy, "--out", out, "--format", "json").returncode == 0
    assert len(list(out.glob("*.json"))) == 6 and not list(out.glob("*.csv")), "replaced whole, not mixed"
    publication = tmp_path / "dist"
    migration_lod.build(data_copy).publish(publication)
    refused(cli("export", "--data", data_copy, "--out", publication), "publication, not its export")


def test_synth_refuses_someone_elses_folder(notes, cli):
    before = checksums(notes)
    refused(cli("synth", "--records", "20", "--out", notes), "thesis.docx")
    assert checksums(notes) == before


@pytest.mark.parametrize("where", ["under a file", "under /proc", "a file"])
def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path, cli, where):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    out = {"under a file": a_file / "dist", "under /proc": Path("/proc/migration-lod-test/dist"),
           "a file": a_file}[where]
    result = cli("build", "--data", DATA, "--out", out, "-q")
    refused(result, str(out))
    assert a_file.read_text() == "x"
