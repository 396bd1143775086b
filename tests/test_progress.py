"""Feedback at scale: progress with rates on a terminal; silence with --quiet or when not on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from migration_lod.records.synth import synthesize


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """Enough synthetic records for the build to take a few seconds."""
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    synthesize(8000, folder, seed=3)
    return folder


def build_on_a_terminal(records, out, *extra):
    """Run `build` with its stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "migration_lod", "build", "--data", str(records),
                                "--out", str(out), *extra], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=300) == 0, shown.decode(errors="replace")
    return shown.decode()


def test_a_terminal_shows_each_stage_with_its_rate(records, tmp_path):
    shown = build_on_a_terminal(records, tmp_path / "dist")
    assert re.search(r"\] loaded 8,000 records in [\d.]+ s, [\d,]+ records/s", shown)
    assert re.search(r"\] mapped 8,000 records to [\d,]+ triples in [\d.]+ s, [\d,]+ records/s", shown)
    assert re.search(r"\] validated \(fast\): 0 violation\(s\), \d+ warning\(s\) in [\d.]+ s", shown)
    assert re.search(r"\] published [\d,]+ triples into .* in [\d.]+ s, [\d,]+ triples/s", shown)
    # The running count is redrawn in place while a stage works.
    assert re.search(r"\r\x1b\[K(loading|mapping|validating|publishing \(JSON-LD\)): [\d,]+(/[\d,]+)? "
                     r"(records|checks|triples) \([\d,]+ \w+/s\)", shown)


def test_quiet_silences_the_terminal(records, tmp_path):
    assert build_on_a_terminal(records, tmp_path / "dist", "--quiet").strip() == ""


def test_nothing_but_the_result_goes_to_a_pipe_or_a_log(records, tmp_path, cli):
    result = cli("build", "--data", records, "--out", tmp_path / "dist")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "records/s" not in result.stderr
    assert [line for line in result.stderr.splitlines() if not line.startswith("Warning:")][-1].startswith(
        "published ")
