"""A library that behaves like one: str or Path everywhere, short reprs, version, types, licence, the record
format shipped with the package, a data folder to start from, and the wheel working on its own."""

from __future__ import annotations

import ast
import gc
import shutil
import subprocess
import sys
import time

import pytest
import requests

import migration_lod
from migration_lod.records.documentation import PAGE, record_format_page
from migration_lod.records.writers import to_raw

from .conftest import DATA, ROOT, free_port

PACKAGE = ROOT / "src" / "migration_lod"


def test_paths_may_be_strings(tmp_path, dist):
    assert migration_lod.load_metadata(str(DATA)).title
    assert len(migration_lod.read_jsonld(str(dist / "migration-lod.jsonld"))) > 5000
    assert migration_lod.load_records(str(DATA / "iscms.yaml"))
    assert migration_lod.load_vocabulary(str(ROOT / "ontology")).schemes
    dataset = migration_lod.build(str(DATA))
    assert dataset.publish(str(tmp_path / "dist"))


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_and_mapping_leave_the_garbage_collector_as_it_was(data_copy, tmp_path, collecting):
    """Both pause Python's cyclic garbage collector while they work: a user's program gets it back as it was."""
    bad = tmp_path / "iscms.yaml"
    bad.write_text("- id: Not A Slug\n")
    unknown_code = data_copy / "iscms.yaml"
    unknown_code.write_text(unknown_code.read_text().replace("  - AZE\n", "  - XYZ\n", 1))
    (gc.enable if collecting else gc.disable)()
    try:
        assert migration_lod.load_records(DATA / "iscms.yaml") and migration_lod.build(DATA)
        assert gc.isenabled() is collecting
        for failing in (lambda: migration_lod.load_records(bad), lambda: migration_lod.build(data_copy)):
            with pytest.raises(migration_lod.InputError):
                failing()
            assert gc.isenabled() is collecting
    finally:
        gc.enable()


def test_reprs_are_short(dataset):
    assert repr(dataset).startswith(f"Dataset({len(dataset.records)} records, ") and len(repr(dataset)) < 200
    report = dataset.validate()
    assert repr(report).startswith("ValidationReport(0 violation(s)") and len(repr(report)) < 100


def test_version_types_and_licence_ship_with_the_package():
    assert migration_lod.__version__ == "0.1.0"
    assert (PACKAGE / "py.typed").is_file()
    assert "Apache License" in (ROOT / "LICENSE").read_text() and "Version 2.0" in (ROOT / "LICENSE").read_text()


def test_the_record_format_page_is_written_from_the_kinds_table(cli):
    assert (PACKAGE / PAGE).read_text(encoding="utf-8") == record_format_page(), "stale: run make records-page"
    result = cli("fields")
    assert result.returncode == 0 and result.stdout == record_format_page()
    for kind in ("iscms", "organisations", "practices", "events", "documents", "recommendations"):
        assert f"## {kind}:" in result.stdout
    assert "| `members` | a State by its ISO 3166-1 alpha-3 code" in result.stdout


def test_init_writes_a_data_folder_that_builds_with_the_projects_own_records(tmp_path, cli):
    folder = tmp_path / "my-data"
    assert cli("init", folder).returncode == 0
    dataset = migration_lod.build(folder)
    assert dataset.validate().conforms
    own = {(r.kind.name, r.id): to_raw(r) for r in migration_lod.load_records(DATA)}
    for record in dataset.records:
        assert to_raw(record) == own[(record.kind.name, record.id)], "an example record differs from data/"
    (folder / "iscms.yaml").write_text((folder / "iscms.yaml").read_text() + "# my edits\n")
    again = cli("init", folder)
    assert again.returncode == 2 and "not empty" in again.stderr
    assert (folder / "iscms.yaml").read_text().endswith("# my edits\n")


def test_the_wheel_works_on_its_own_from_an_empty_folder(tmp_path):
    """Installed from its wheel into a new virtualenv, used from an empty folder: init, build, validate, serve."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", *wheels.glob("*.whl")], check=True,
                   timeout=600)
    work = tmp_path / "empty"
    work.mkdir()
    tool = str(venv / "bin" / "migration-lod")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([tool, *args], cwd=work, capture_output=True, text=True, timeout=300, check=False)

    for step in (["init", "data"], ["build", "--data", "data", "--out", "dist", "-q"], ["validate", "data"]):
        result = run(*step)
        assert result.returncode == 0, (step, result.stderr)
    assert (work / "dist" / "migration-lod.nt").is_file()
    port = free_port()
    server = subprocess.Popen([tool, "serve", "dist/migration-lod.nt", "--port", str(port)], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                      headers={"Accept": "application/sparql-results+json"}, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        server.terminate()
        server.wait(30)
    shutil.rmtree(venv, ignore_errors=True)


# The stages from the bottom up (ARCHITECTURE.md): a module imports from its own stage or the ones below.
LAYERS = [("problems", "progress", "resources", "outputs", "retries", "exports"), ("rdf",), ("records",),
          ("validation", "links"), ("publish", "changes", "reconcile"), ("serve",), ("dataset",),
          ("cli", "__main__", "__init__")]


def _stage(module: str) -> int:
    part = module.split(".")[1] if "." in module else "__init__"
    return next(level for level, names in enumerate(LAYERS) if part.removesuffix(".py") in names)


def _imports(tree: ast.AST) -> list[str]:
    """The project modules a module imports, anywhere in it (in a function or for type checking too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("migration_lod"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("migration_lod.")]
    return found


def test_imports_point_down_the_pipeline():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(("migration_lod", *path.relative_to(PACKAGE).with_suffix("").parts))
        for imported in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if imported != "migration_lod" and _stage(imported) > _stage(module):
                wrong.append(f"{module} imports {imported}")
    assert not wrong


def test_the_command_line_loads_no_stage_until_a_command_runs():
    """--help and argument errors answer without importing the engines (each command imports what it runs)."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, migration_lod.cli; print(' '.join(sys.modules))"],
                            capture_output=True, text=True, check=True).stdout.split()
    heavy = {"pyshacl", "oxrdflib", "pyld", "starlette", "migration_lod.dataset", "migration_lod.validation.shacl",
             "migration_lod.records.mapping", "migration_lod.publish.dumps"}
    assert not heavy & set(loaded)
