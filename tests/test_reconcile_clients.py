"""Real clients of /reconcile: OpenRefine (Debian's openrefine, headless on 127.0.0.1) reconciling a column and
adding columns from the reconciled values through its own HTTP commands, and the `reconciler` package."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time

import pandas as pd
import pytest
import requests
from reconciler import reconcile

from tests.conftest import Server, free_port

BASE = "https://w3id.org/migration-lod/"
ISCM = BASE + "ontology/ISCM"
NAMES = ["Puebla Process", "Colombo Process", "MIDSA", "Bali Proces", "Migration Dialogue for West Africa"]
EXPECTED = [BASE + "iscm/rcm", BASE + "iscm/colombo-process", BASE + "iscm/midsa", BASE + "iscm/bali-process",
            BASE + "iscm/midwa"]
OPENREFINE = shutil.which("openrefine")


@pytest.fixture(scope="module")
def server(dist):
    running = Server(dist / "migration-lod.nt")
    yield running
    running.stop()


class OpenRefine:
    """OpenRefine started headless on 127.0.0.1 with a workspace of its own, driven by its HTTP commands."""

    def __init__(self, workspace) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen([OPENREFINE, "-i", "127.0.0.1", "-p", port, "-d", str(workspace),
                                         "-x", "refine.headless=true"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_for_start()
        except BaseException:  # its JVM must not outlive the test, whatever stopped the wait
            self.stop()
            raise

    def _wait_for_start(self) -> None:
        # A JVM starting beside the rest of the suite can take a while to answer, even once it listens.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(self.url + "/command/core/get-version", timeout=30).ok:
                    return
            time.sleep(0.5)
        raise AssertionError("OpenRefine did not start")

    def command(self, name: str, params: dict | None = None, data: dict | None = None, files=None) -> requests.Response:
        """POST a command with a fresh CSRF token."""
        token = requests.get(self.url + "/command/core/get-csrf-token", timeout=30).json()["token"]
        return requests.post(f"{self.url}/command/core/{name}", params={**(params or {}), "csrf_token": token},
                             data=data, files=files, timeout=120, allow_redirects=False)

    def wait(self, project: str) -> None:
        """Wait until the project's long-running operations have ended."""
        deadline = time.monotonic() + 120
        while requests.get(self.url + "/command/core/get-processes", params={"project": project},
                           timeout=30).json()["processes"]:
            assert time.monotonic() < deadline, "OpenRefine's operation did not end"
            time.sleep(0.3)

    def rows(self, project: str) -> list[list[dict | None]]:
        """The project's rows, their cells as OpenRefine holds them, each reconciliation looked up in the pool."""
        answer = requests.get(self.url + "/command/core/get-rows",
                              params={"project": project, "start": 0, "limit": 100}, timeout=30).json()
        recons = answer.get("pool", {}).get("recons", {})
        return [[{**cell, "r": recons.get(cell["r"], cell["r"])} if cell and "r" in cell else cell
                 for cell in row["cells"]] for row in answer["rows"]]

    def stop(self) -> None:
        """Stop OpenRefine and the Java process it started (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def openrefine(tmp_path_factory):
    if OPENREFINE is None:
        pytest.skip("OpenRefine is not installed (Debian package openrefine; `make test` installs it as root)")
    running = OpenRefine(tmp_path_factory.mktemp("openrefine"))
    yield running
    running.stop()


def test_openrefine_reconciles_a_column_and_adds_columns_from_the_matches(openrefine, server):
    table = "name\n" + "\n".join(NAMES) + "\n"
    created = openrefine.command("create-project-from-upload", data={
        "project-name": "iscms", "format": "text/line-based/*sv",
        "options": json.dumps({"separator": ",", "headerLines": 1, "encoding": "UTF-8"})},
        files={"project-file": ("iscms.csv", table.encode(), "text/csv")})
    assert created.status_code == 302, created.text
    project = created.headers["Location"].split("project=")[1]
    service = server.url + "/reconcile"
    config = {"mode": "standard-service", "service": service, "identifierSpace": BASE,
              "schemaSpace": BASE + "ontology/", "type": {"id": ISCM, "name": "ISCM"}, "autoMatch": True,
              "columnDetails": [], "limit": 0}
    engine = json.dumps({"facets": [], "mode": "row-based"})
    started = openrefine.command("reconcile", params={"project": project}, data={
        "columnName": "name", "config": json.dumps(config), "engine": engine})
    assert started.json()["code"] == "pending", started.text
    openrefine.wait(project)
    recons = [cells[0]["r"] for cells in openrefine.rows(project)]
    assert [r["m"]["id"] for r in recons] == EXPECTED
    assert all(r["j"] == "matched" for r in recons)
    extended = openrefine.command("extend-data", params={"project": project}, data={
        "baseColumnName": "name", "columnInsertIndex": 1, "endpoint": service, "identifierSpace": BASE,
        "schemaSpace": BASE + "ontology/", "engine": engine,
        "extension": json.dumps({"properties": [{"id": "year"}, {"id": "iscm-type"}]})})
    assert extended.json()["code"] == "pending", extended.text
    openrefine.wait(project)
    first = openrefine.rows(project)[2]  # MIDSA: its year and type follow its name
    values = [cell["v"] if cell else None for cell in first]
    assert "2000" in values and "Regional consultative process on migration" in values


@pytest.mark.filterwarnings("ignore::DeprecationWarning:reconciler")  # its own use of pandas, not ours
def test_the_reconciler_package_matches_the_same_names(server):
    matched = reconcile(pd.Series(NAMES), type_id=ISCM, reconciliation_endpoint=server.url + "/reconcile")
    by_name = dict(zip(matched["input_value"], matched["id"], strict=True))
    assert [by_name[name] for name in NAMES] == EXPECTED
    assert matched.set_index("input_value").loc["MIDSA", "match"]
