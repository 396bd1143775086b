"""Shared fixtures: the reference material, a built dataset, copies of data/ to break, the CLI, a server."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml
from click.testing import CliRunner

import migration_lod
from migration_lod.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REFERENCE = ROOT / "tests" / "reference"  # copied from the project's reference material: see its README
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="session")
def reference():
    """The ground-truth reference files (tests/reference), by name."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in REFERENCE.glob("*.yaml")}


@pytest.fixture(scope="session")
def dataset():
    """The dataset built from data/."""
    return migration_lod.build(DATA)


@pytest.fixture(scope="session")
def dist(dataset, tmp_path_factory):
    """data/ published into a fresh folder."""
    out = tmp_path_factory.mktemp("published") / "dist"
    dataset.publish(out)
    return out


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="session")
def changed_data(tmp_path_factory):
    """data/ changed as a maintainer would: a new observer of an ISCM (Almaty Process: India), a label rewritten
    (Budapest Process), a practice removed (GFMD Business Mechanism), a source's section corrected (Vientiane
    meeting), and two sources of another record listed in the other order (no change of content)."""
    folder = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(DATA, folder)
    edit_text(folder / "iscms.yaml", "  observers:\n  - IRN\n  - ITA\n", "  observers:\n  - IRN\n  - ITA\n  - IND\n")
    edit_text(folder / "iscms.yaml", "  label: Budapest Process\n", "  label: The Budapest Process\n")
    practices = (folder / "practices.yaml").read_text(encoding="utf-8")
    start = practices.index("- id: gfmd-business-mechanism")
    (folder / "practices.yaml").write_text(practices[:start].rstrip() + "\n", encoding="utf-8")
    edit_text(folder / "events.yaml", "    section: paragraphs 3 and 14\n",
          "    section: paragraphs 3 and 14 (attendance)\n")
    edit_text(folder / "events.yaml", "  - document: gfmd-2017-summit-gcm-note\n    section: title (place)\n", "")
    edit_text(folder / "events.yaml", """  sources:
  - document: grcp7-summary-report
    section: footnote 9 (the summit, its title and dates)
""", """  sources:
  - document: gfmd-2017-summit-gcm-note
    section: title (place)
  - document: grcp7-summary-report
    section: footnote 9 (the summit, its title and dates)
""")
    return folder


@dataclass
class Outcome:
    """What a command printed and how it ended, as a user sees it."""

    returncode: int
    stdout: str
    stderr: str


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (subfolders too), by its path inside it: what a test compares before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def published_files(dataset: migration_lod.Dataset, out: Path) -> dict[str, bytes]:
    """Publish `dataset` into `out`: every file of it but the query store (a database's files, whose bytes
    differ from one writing to the next)."""
    dataset.publish(out)
    return {name: data for name, data in folder_bytes(out).items() if not name.startswith("store/")}


def run_cli(*args: str | Path, cwd: Path | None = None) -> Outcome:
    """Run the command line in this process (click's runner): exit code, standard output and error.

    An exception that escapes the command is not caught: a traceback a user would see fails the test.
    """
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli():
    """The command line, as a function of its arguments."""
    return run_cli


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`migration-lod serve` in a child process on 127.0.0.1, started and stopped by the test that needs it."""

    def __init__(self, *dumps: Path, options: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The log goes to a file (it lives as long as the server): a pipe nobody reads blocks the server when full.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "migration_lod", "serve", *map(str, dumps), "--host", "127.0.0.1", "--port",
             str(self.port), *options], stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/sparql", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise AssertionError("the server did not start:\n" + self.output())

    def output(self) -> str:
        """What the server has logged so far."""
        self.log.seek(0)
        return self.log.read()

    def query(self, query: str, accept: str = JSON_RESULTS, client: str | None = None,
              **params: str) -> requests.Response:
        """GET /sparql?query=...; `client` names the client through X-Forwarded-For, as a proxy would."""
        headers = {"Accept": accept, **({"X-Forwarded-For": client} if client else {})}
        return requests.get(self.url + "/sparql", params={"query": query, **params}, headers=headers, timeout=60)

    def workers(self) -> set[int]:
        """The live query worker processes: the children of the server's fork server."""
        found = set()
        for child in _children(self.process.pid):
            with contextlib.suppress(OSError):
                if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found |= {pid for pid in _children(child) if _alive(pid)}
        return found

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after 15 s; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _children(pid: int) -> set[int]:
    found = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """True as soon as `check()` is; False if it is still false after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def cpu_ticks(pid: int) -> int | None:
    """CPU time a process has used, in clock ticks (None once it has exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return int(fields[11]) + int(fields[12])
