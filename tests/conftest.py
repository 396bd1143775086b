"""Shared fixtures: the reference material, a built dataset, copies of data/ to break, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import migration_lod

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference():
    """The ground-truth reference files of ../shared/reference, by name."""
    if not REFERENCE.is_dir():
        pytest.fail(f"the reference material is missing: {REFERENCE}")
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


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a child process."""
    return subprocess.run([sys.executable, "-m", "migration_lod", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=False)


@pytest.fixture
def cli():
    """The command line, as a function of its arguments."""
    return run_cli
