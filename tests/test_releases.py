"""`migration-lod release`: versioned, frozen publications, each saying what changed since the one before."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import requests
from rdflib import OWL, Graph, Literal, URIRef

from .conftest import DATA, Server, run_cli

BASE = "https://w3id.org/migration-lod/"
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")


def _intact(folder):
    """True when every file of the folder has the digest its SHA256SUMS gives, and no file is missing."""
    listed = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
    present = {p.name for p in folder.iterdir()} - {"SHA256SUMS"}
    return set(listed) == present and all(
        hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest for name, digest in listed.items())


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory, changed_data):
    """2026.11 of data/, a build over the same folder, then 2026.12 of the changed data."""
    out = tmp_path_factory.mktemp("releases") / "dist"
    first = run_cli("release", "--version", "2026.11", "--notes", "The first release.", "--data", DATA,
                    "--out", out, "--quiet")
    assert first.returncode == 0, first.stderr
    assert run_cli("build", "--data", DATA, "--out", out, "--quiet").returncode == 0
    second = run_cli("release", "--version", "2026.12", "--data", changed_data, "--out", out, "--quiet")
    assert second.returncode == 0, second.stderr
    return out


def test_a_release_is_frozen_with_its_checksums_description_and_catalogue(two_releases):
    folder = two_releases / "releases" / "2026.11"
    assert _intact(folder)
    names = {p.name for p in folder.iterdir()}
    assert {"migration-lod.nt", "migration-lod.ttl", "migration-lod.jsonld", "context.jsonld", "catalog.ttl",
            "void.ttl", "mappings.sssom.tsv", "CHANGES.md", "changes.json", "release.json", "SHA256SUMS"} <= names
    description = json.loads((folder / "release.json").read_text())
    assert description["version"] == "2026.11" and description["previous"] is None
    assert description["notes"] == "The first release." and description["input_digest"].startswith("sha256:")
    assert (folder / "CHANGES.md").read_text().startswith("# Changes from nothing (the first release) to release")
    added = json.loads((folder / "changes.json").read_text())["resources"]
    assert {r["status"] for r in added} == {"added"} and description["changes"]["added"] == len(added) > 800
    catalogue = Graph().parse(folder / "catalog.ttl")
    assert (URIRef(BASE + "releases/2026.11/dataset"), DCAT_VERSION, Literal("2026.11")) in catalogue
    assert all(p.stat().st_mode & 0o222 == 0 for p in [folder, *folder.iterdir()]), "read-only, a second defence"
    assert (two_releases / "migration-lod.nt").is_file(), "build published beside the releases and kept them"


def test_the_next_release_lists_exactly_what_changed_since(two_releases):
    folder = two_releases / "releases" / "2026.12"
    description = json.loads((folder / "release.json").read_text())
    assert description["previous"] == "2026.11"
    assert description["changes"] == {"added": 1, "removed": 1, "changed": 2}
    changes = (folder / "CHANGES.md").read_text()
    assert changes.startswith("# Changes from release 2026.11 to release 2026.12")
    assert changes.count("- **") == 4
    for line in ("**changed** `iscm/budapest-process (The Budapest Process)`",
                 "**added** `membership/almaty-process/IND`",
                 "**removed** `practice/gfmd-business-mechanism (GFMD Business Mechanism)`",
                 "**changed** `event/commit-meeting-vientiane"):
        assert line in changes, line
    assert _intact(folder) and _intact(two_releases / "releases" / "2026.11"), "the earlier release is untouched"


def test_a_version_that_exists_or_cannot_be_a_name_is_refused(two_releases, cli):
    before = (two_releases / "releases" / "2026.11" / "SHA256SUMS").read_bytes()
    again = cli("release", "--version", "2026.11", "--data", DATA, "--out", two_releases)
    assert again.returncode == 2 and "release 2026.11 exists" in again.stderr
    assert (two_releases / "releases" / "2026.11" / "SHA256SUMS").read_bytes() == before
    for version in ("../escape", "a/b", "", ".hidden", "x" * 65):
        outcome = cli("release", "--version", version, "--data", DATA, "--out", two_releases)
        assert outcome.returncode == 2 and "version" in outcome.stderr, version
    assert sorted(p.name for p in (two_releases / "releases").iterdir()) == ["2026.11", "2026.12"]
    assert not (two_releases.parent / "escape").exists()


def test_the_release_catalogue_names_the_version_and_its_predecessor(two_releases):
    catalogue = Graph().parse(two_releases / "releases" / "2026.12" / "catalog.ttl")
    series, release = URIRef(BASE + "dataset"), URIRef(BASE + "releases/2026.12/dataset")
    dct, dcat = "http://purl.org/dc/terms/", "http://www.w3.org/ns/dcat#"
    assert (series, URIRef(dct + "hasVersion"), release) in catalogue
    assert (release, URIRef(dct + "isVersionOf"), series) in catalogue
    assert (release, URIRef(dcat + "previousVersion"), URIRef(BASE + "releases/2026.11/dataset")) in catalogue
    assert (release, DCAT_VERSION, Literal("2026.12")) in catalogue
    downloads = {str(o) for o in catalogue.objects(None, URIRef(dcat + "downloadURL"))}
    assert downloads == {f"{BASE}releases/2026.12/migration-lod.{suffix}" for suffix in ("ttl", "nt", "jsonld")}
    assert (None, URIRef(dcat + "endpointURL"), URIRef(BASE + "sparql")) in catalogue, "the live endpoint"
    first = Graph().parse(two_releases / "releases" / "2026.11" / "catalog.ttl")
    assert not list(first.objects(URIRef(BASE + "releases/2026.11/dataset"), URIRef(dcat + "previousVersion")))


def test_the_server_serves_each_release_its_version_iri_and_a_list(two_releases):
    running = Server(two_releases / "migration-lod.nt")
    try:
        version_iri = requests.get(running.url + "/releases/2026.12/dataset", allow_redirects=False, timeout=10)
        assert version_iri.status_code == 303 and version_iri.headers["location"] == "/releases/2026.12/catalog.ttl"
        catalogue = requests.get(running.url + "/releases/2026.12/dataset", timeout=10)
        graph = Graph().parse(data=catalogue.text, format="turtle")
        assert (URIRef(BASE + "releases/2026.12/dataset"), DCAT_VERSION, Literal("2026.12")) in graph
        folder = two_releases / "releases" / "2026.11"
        dump = requests.get(running.url + "/releases/2026.11/migration-lod.nt", timeout=10)
        assert dump.status_code == 200 and dump.content == (folder / "migration-lod.nt").read_bytes()
        changes = requests.get(running.url + "/releases/2026.12/CHANGES.md", timeout=10)
        assert changes.status_code == 200 and "The Budapest Process" in changes.text
        listing = requests.get(running.url + "/releases/", timeout=10)
        assert listing.status_code == 200 and listing.text.index(">2026.12<") < listing.text.index(">2026.11<")
        assert "1 added, 1 removed, 2 changed" in listing.text and "The first release." in listing.text
        page = requests.get(running.url + "/iscm/budapest-process", headers={"Accept": "text/html"}, timeout=10)
        assert ("added in <a href='/releases/2026.11/CHANGES.md'>2026.11</a> · "
                "changed in <a href='/releases/2026.12/CHANGES.md'>2026.12</a>") in page.text
        unchanged = requests.get(running.url + "/iscm/colombo-process", headers={"Accept": "text/html"}, timeout=10)
        assert "added in <a href='/releases/2026.11/CHANGES.md'>" in unchanged.text
        assert "changed in" not in unchanged.text
        for path in ("/releases/2026.11/release.json.bak", "/releases/2026.13/dataset", "/releases/2026.11/.x"):
            assert requests.get(running.url + path, allow_redirects=False, timeout=10).status_code == 404, path
    finally:
        running.stop()


def test_the_live_catalogue_lists_the_releases_its_folder_holds(two_releases, cli):
    assert cli("build", "--data", DATA, "--out", two_releases, "--quiet").returncode == 0, "still DCAT-AP"
    catalogue = Graph().parse(two_releases / "catalog.ttl")
    dataset = URIRef(BASE + "dataset")
    first, second = (URIRef(f"{BASE}releases/{v}/dataset") for v in ("2026.11", "2026.12"))
    has_version = URIRef("http://purl.org/dc/terms/hasVersion")
    assert set(catalogue.objects(dataset, has_version)) == {first, second}
    assert (second, URIRef("http://www.w3.org/ns/dcat#previousVersion"), first) in catalogue
    assert (first, DCAT_VERSION, Literal("2026.11")) in catalogue
    assert str(catalogue.value(first, URIRef("http://purl.org/dc/terms/description"))) == "The first release."


@pytest.fixture
def ontology_copy(tmp_path, monkeypatch):
    """The project's ontology folder copied for a test to edit, read by every stage in place of the real one."""
    from migration_lod.publish import ontology_docs
    from migration_lod.rdf import vocabulary
    from migration_lod.resources import ontology_dir

    folder = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), folder)
    for module in (ontology_docs, vocabulary):
        monkeypatch.setattr(module, "ontology_dir", lambda: folder)
    return folder / "migration-lod.ttl"


def test_the_ontology_states_its_prior_version_and_cannot_change_under_a_published_one(two_releases, ontology_copy,
                                                                                      tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(two_releases, out)
    published = json.loads((out / "releases" / "2026.12" / "release.json").read_text())["ontology"]
    assert published == {"iri": BASE + "ontology", "version_iri": BASE + "ontology/0.1.0", "prior_version": None}
    assert "priorVersion" not in (out / "releases" / "2026.12" / "ontology.ttl").read_text()

    source = ontology_copy.read_text()
    ontology_copy.write_text(source.replace('"migration-lod ontology"@en', '"The migration-lod ontology"@en'))
    refused = run_cli("release", "--version", "2027.01", "--data", DATA, "--out", out, "--quiet")
    assert refused.returncode == 2 and "changed since release 2026.12" in refused.stderr
    assert "migration-lod.ttl" in refused.stderr and "owl:versionIRI" in refused.stderr
    assert not (out / "releases" / "2027.01").exists()

    ontology_copy.write_text(ontology_copy.read_text().replace("ontology/0.1.0>", "ontology/0.2.0>")
                             .replace('owl:versionInfo "0.1.0"', 'owl:versionInfo "0.2.0"'))
    for version in ("2027.01", "2027.02"):
        outcome = run_cli("release", "--version", version, "--data", DATA, "--out", out, "--quiet")
        assert outcome.returncode == 0, outcome.stderr
        folder = out / "releases" / version
        assert json.loads((folder / "release.json").read_text())["ontology"] == {
            "iri": BASE + "ontology", "version_iri": BASE + "ontology/0.2.0", "prior_version": BASE + "ontology/0.1.0"}
        stated = (URIRef(BASE + "ontology"), OWL.priorVersion, URIRef(BASE + "ontology/0.1.0"))
        assert stated in Graph().parse(folder / "ontology.ttl") and stated in Graph().parse(folder / "migration-lod.nt")
        assert (folder / "ontology.ttl").read_text().startswith(ontology_copy.read_text()), "the file as written"
        assert "Prior Version" in (folder / "ontology.html").read_text()
    assert (out / "releases" / "2027.01" / "ontology.ttl").read_bytes() == \
        (out / "releases" / "2027.02" / "ontology.ttl").read_bytes(), "one version, one document"
    changed = json.loads((out / "releases" / "2027.01" / "changes.json").read_text())["resources"]
    (ontology,) = [r for r in changed if r["iri"] == BASE + "ontology"]
    assert ontology["section"] == "vocabularies" and {f["field"] for f in ontology["fields"]} == {
        "dcterms:title", "owl:priorVersion", "owl:versionIRI", "owl:versionInfo"}
    assert "priorVersion" not in (out / "migration-lod.nt").read_text(), "the live publication is not a release"

    running = Server(out / "migration-lod.nt")
    try:
        for iri, accept, location in (("/ontology/0.1.0", "text/turtle", "/releases/2026.12/ontology.ttl"),
                                      ("/ontology/0.2.0", "text/turtle", "/releases/2027.02/ontology.ttl"),
                                      ("/ontology/0.2.0", "text/html", "/releases/2027.02/ontology.html")):
            answer = requests.get(running.url + iri, headers={"Accept": accept}, allow_redirects=False, timeout=10)
            assert answer.status_code == 303 and answer.headers["location"] == location, (iri, accept)
        document = requests.get(running.url + "/ontology/0.2.0", headers={"Accept": "text/turtle"}, timeout=10)
        assert document.status_code == 200 and "ontology/0.1.0" in document.text
        assert requests.get(running.url + "/ontology/9.9.9", allow_redirects=False, timeout=10).status_code == 404
    finally:
        running.stop()
