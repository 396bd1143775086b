"""A build too large for memory: the records streamed through an on-disk store give the same publication and
the same validation report as the build in memory, and the same messages for bad records."""

from __future__ import annotations

import tempfile

import pyoxigraph as ox
import pytest

import migration_lod
from migration_lod.publish.query_store import published_store
from migration_lod.records.synth import synthesize

from .conftest import DATA, edit_text, published_files


@pytest.fixture
def scratch(monkeypatch):
    """Make a folder the temporary folder of this process (as TMPDIR does for a new one); return it."""
    def use(folder):
        folder.mkdir(exist_ok=True)
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        return folder
    return use


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Synthetic records in YAML and CSV (SHACL warnings among them: ISCMs whose members lie in several regions)."""
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    synthesize(1500, folder, seed=3)
    return folder


@pytest.fixture
def violating(data_copy):
    """data/ with a SHACL violation: a meeting that ends before it starts."""
    edit_text(data_copy / "events.yaml", "end: '2017-10-11'", "end: '2017-10-09'")
    return data_copy


@pytest.mark.parametrize("folder", ["violating", "synthetic"])
def test_streamed_and_in_memory_builds_give_identical_reports(folder, request, tmp_path, scratch):
    """The same problems, each at the same file, line, record and field, from both paths."""
    scratch(tmp_path)
    data = request.getfixturevalue(folder)
    in_memory = migration_lod.build(data, streamed=False).validate()
    with migration_lod.build(data, streamed=True) as streamed:
        report = streamed.validate()
    assert report.problems == in_memory.problems
    assert report.notes == in_memory.notes
    assert any(p.file and p.line and p.record for p in report.problems)
    if folder == "violating":
        assert [(p.record, p.field) for p in report.violations] == [("grcp-7", "start")]


def test_bad_synthetic_records_get_the_same_problems_from_both_paths(tmp_path, scratch):
    """Records the loader refuses (bad dates, missing labels, unknown codes), in CSV and YAML: the same list."""
    temporary = scratch(tmp_path / "tmp")
    synthesis = synthesize(1500, tmp_path / "data", seed=3, violations=0.05)
    assert sum(synthesis.violations.values()) > 10
    problems = []
    for streamed in (False, True):
        with pytest.raises(migration_lod.InputError) as raised:
            migration_lod.build(tmp_path / "data", streamed=streamed)
        problems.append(raised.value.problems)
    assert problems[0] == problems[1]
    # The loader's problems stop the build before the codes are looked up (both paths alike).
    assert len(problems[0]) >= synthesis.violations["bad_date"] + synthesis.violations["missing_label"]
    assert list(temporary.iterdir()) == []


def test_streamed_and_in_memory_builds_publish_identical_files(tmp_path, scratch):
    """Byte for byte: dumps, catalogue, VoID, mappings, checksums; the streamed build's store is served too."""
    scratch(tmp_path)
    in_memory = published_files(migration_lod.build(DATA, streamed=False), tmp_path / "memory")
    with migration_lod.build(DATA, streamed=True) as dataset:
        assert "streamed" in repr(dataset)
        streamed = published_files(dataset, tmp_path / "streamed")
        triples = len(dataset.graph)
    assert streamed == in_memory
    found = published_store([tmp_path / "streamed" / "migration-lod.nt"])
    assert not isinstance(found, str), found
    assert found.triples == len(ox.Store.read_only(str(found.path))) == triples


def test_a_streamed_build_leaves_no_temporary_files(tmp_path, scratch):
    scratch(tmp_path)
    dataset = migration_lod.build(DATA, streamed=True)
    assert [p.name.startswith("migration-lod-build-") for p in tmp_path.iterdir()] == [True]
    dataset.close()
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_builds_streamed_with_the_same_result(cli, tmp_path, scratch):
    temporary = scratch(tmp_path / "tmp")
    outcomes = {flag: cli("build", "--data", DATA, "--out", tmp_path / flag, "--quiet", f"--{flag}")
                for flag in ("streamed", "in-memory")}
    assert [o.returncode for o in outcomes.values()] == [0, 0], outcomes
    sums = {flag: (tmp_path / flag / "SHA256SUMS").read_text() for flag in outcomes}
    assert sums["streamed"] == sums["in-memory"]
    assert list(temporary.iterdir()) == [], "the streamed build's store was left behind"


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("events.yaml", "- id: grcp-2\n", "- id: grcp-1\n", 'duplicate id "grcp-1"'),
    ("iscms.yaml", "- id: almaty-process\n", "- id: almaty-process\n  colour: blue\n", "unknown field"),
    ("events.yaml", "organisers: [iom, gcim]", "organisers: [iom, no-such-body]", "is not the id of a known"),
])
def test_bad_records_get_the_same_messages_from_both_paths(cli, data_copy, tmp_path, file, old, new, expected):
    """Checked in the first reading (fields, ids) or while mapping (references): exit 2, the same lines."""
    edit_text(data_copy / file, old, new)
    outcomes = [cli("build", "--data", data_copy, "--out", tmp_path / flag, flag)
                for flag in ("--streamed", "--in-memory")]
    assert [o.returncode for o in outcomes] == [2, 2]
    assert outcomes[0].stderr == outcomes[1].stderr
    assert expected in outcomes[0].stderr
    assert not (tmp_path / "--streamed").exists()


def test_a_file_changed_between_the_two_readings_is_refused(data_copy, monkeypatch):
    """The records are read twice; a record that no longer passes its checks the second time stops the build."""
    import migration_lod.dataset as dataset_module

    checked = dataset_module.check_records

    def check_then_break(files, *args, **kwargs):
        ids = checked(files, *args, **kwargs)
        edit_text(data_copy / "iscms.yaml", "- id: almaty-process\n", "- id: almaty-process\n  colour: blue\n")
        return ids

    monkeypatch.setattr(dataset_module, "check_records", check_then_break)
    with pytest.raises(migration_lod.InputError, match="the file changed while it was built") as raised:
        migration_lod.build(data_copy, streamed=True)
    assert raised.value.problems[0].file.endswith("iscms.yaml")
