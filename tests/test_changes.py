"""`migration-lod diff`: what changed between two dumps, record by record, in each format."""

from __future__ import annotations

import json
import os

import pytest
import rdflib

import migration_lod
from migration_lod.changes import compare
from migration_lod.changes.writers import to_json

BASE = "https://w3id.org/migration-lod/"
CS = rdflib.Namespace("http://purl.org/vocab/changeset/schema#")


@pytest.fixture(scope="module")
def changed_dist(changed_data, tmp_path_factory):
    """data/ with a maintainer's changes, published."""
    out = tmp_path_factory.mktemp("changed") / "dist"
    migration_lod.build(changed_data).publish(out)
    return out


EXPECTED = {
    (f"{BASE}iscm/budapest-process", "changed"),
    (f"{BASE}membership/almaty-process/IND", "added"),
    (f"{BASE}practice/gfmd-business-mechanism", "removed"),
    (f"{BASE}event/commit-meeting-vientiane", "changed"),
}


def test_the_change_set_lists_exactly_the_changes_made_in_each_format(dist, changed_dist, cli, tmp_path):
    old, new = dist / "migration-lod.nt", changed_dist / "migration-lod.nt"
    outcome = cli("diff", old, new, "--format", "json")
    assert outcome.returncode == 0 and "1 added, 1 removed, 2 changed" in outcome.stderr
    found = json.loads(outcome.stdout)
    assert {(r["iri"], r["status"]) for r in found["resources"]} == EXPECTED, "the reordered sources are no change"
    by_iri = {r["iri"]: r for r in found["resources"]}
    label = by_iri[f"{BASE}iscm/budapest-process"]["fields"]
    assert label == [{"field": "label", "predicate": "http://www.w3.org/2004/02/skos/core#prefLabel",
                      "removed": ['"Budapest Process"@en'], "added": ['"The Budapest Process"@en']}]
    (source,) = by_iri[f"{BASE}event/commit-meeting-vientiane"]["fields"]
    assert source["field"] == "sources" and len(source["removed"]) == len(source["added"]) == 1
    assert 'mig:section "paragraphs 3 and 14"' in source["removed"][0]
    assert 'mig:section "paragraphs 3 and 14 (attendance)"' in source["added"][0]
    assert by_iri[f"{BASE}practice/gfmd-business-mechanism"]["label"] == "GFMD Business Mechanism"
    assert all(r["section"] == "records" for r in found["resources"])

    markdown = cli("diff", old, new).stdout
    assert "1 added, 1 removed, 2 changed" in markdown and "## Records" in markdown
    assert '`label`: "Budapest Process"@en → "The Budapest Process"@en' in markdown
    assert "**removed** `practice/gfmd-business-mechanism (GFMD Business Mechanism)`" in markdown
    assert "**added** `membership/almaty-process/IND`" in markdown
    assert markdown.count("- **") == 4

    page = cli("diff", old, new, "--format", "html").stdout
    assert page.count("<li><b>") == 4 and "<del>&quot;Budapest Process&quot;@en</del>" in page

    graph = rdflib.Graph().parse(data=cli("diff", old, new, "--format", "ttl").stdout, format="turtle")
    subjects = {str(s) for s in graph.objects(None, CS.subjectOfChange)}
    assert subjects == {iri for iri, _ in EXPECTED}
    additions = {str(graph.value(statement, rdflib.RDF.object)) for statement in graph.objects(None, CS.addition)}
    assert '"The Budapest Process"@en' in additions


def test_a_dump_against_itself_or_in_another_format_is_no_change(dist, cli):
    outcome = cli("diff", dist / "migration-lod.nt", dist / "migration-lod.ttl.gz")
    assert outcome.returncode == 0 and "No change." in outcome.stdout
    assert json.loads(cli("diff", dist / "migration-lod.jsonld", dist / "migration-lod.nt", "-f", "json")
                      .stdout)["resources"] == []


def test_blank_node_labels_and_triple_order_are_no_change(tmp_path, cli):
    """Two dumps of one graph with blank nodes named and ordered differently, at two depths."""
    lines = ['<http://example.org/a> <http://example.org/p> _:{x} .',
             '_:{x} <http://example.org/q> "one" .',
             '_:{x} <http://example.org/r> _:{y} .',
             '_:{y} <http://example.org/q> "two"@en .',
             '_:{z} <http://example.org/q> "nobody refers to me" .',
             '<http://example.org/a> <http://example.org/p> "plain" .']
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_text("\n".join(line.format(x="b1", y="b2", z="b3") for line in lines) + "\n")
    shuffled = [line.format(x="zz9", y="k", z="q0") for line in lines]
    shuffled = shuffled[3:] + shuffled[:3]
    second.write_text("\n".join(shuffled) + "\n")
    assert "No change." in cli("diff", first, second).stdout
    third = tmp_path / "third.nt"
    third.write_text(first.read_text().replace('"two"@en', '"deux"@fr'))
    found = json.loads(cli("diff", first, third, "-f", "json").stdout)["resources"]
    assert [(r["iri"], r["status"]) for r in found] == [("http://example.org/a", "changed")]
    assert found[0]["section"] == "others"


def test_bad_input_is_named_and_an_existing_file_is_never_replaced(dist, cli, tmp_path):
    missing = cli("diff", dist / "migration-lod.nt", tmp_path / "nothing.nt")
    assert missing.returncode == 2 and "nothing.nt" in missing.stderr and "no such file" in missing.stderr
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://example.org/a> <http://example.org/p> .\n")
    outcome = cli("diff", dist / "migration-lod.nt", broken)
    assert outcome.returncode == 2 and "not a readable RDF dump" in outcome.stderr and "broken.nt" in outcome.stderr
    assert "migration-lod.nt" not in outcome.stderr, "only the broken file is named"
    mine = tmp_path / "CHANGES.md"
    mine.write_text("my notes\n")
    refused = cli("diff", dist / "migration-lod.nt", dist / "migration-lod.ttl", "--out", mine)
    assert refused.returncode == 2 and "never replaces" in refused.stderr
    assert mine.read_text() == "my notes\n"
    written = tmp_path / "new" / "CHANGES.md"
    written.parent.mkdir()
    assert cli("diff", dist / "migration-lod.nt", dist / "migration-lod.ttl", "-o", written).returncode == 0
    assert "No change." in written.read_text(encoding="utf-8") and [p.name for p in written.parent.iterdir()] == [
        "CHANGES.md"]


def test_a_failing_sort_is_reported_with_its_reason(dist, cli, tmp_path, monkeypatch):
    """A `sort` that stops (here one that says the disk is full) is the user's to fix: exit 2 and its reason."""
    tools = tmp_path / "bin"
    tools.mkdir()
    sort = tools / "sort"
    sort.write_text("#!/bin/sh\necho 'sort: write failed: /tmp/x: No space left on device' >&2\nexit 2\n")
    sort.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    outcome = cli("diff", dist / "migration-lod.nt", dist / "migration-lod.ttl")
    assert outcome.returncode == 2 and "cannot compare the dumps" in outcome.stderr
    assert "No space left on device" in outcome.stderr and "internal error" not in outcome.stderr


def test_the_line_path_and_the_grouping_path_find_the_same_changes(dist, changed_dist, monkeypatch):
    """Where `sort` is missing, every resource is grouped in SQLite: the change set is the same."""
    old, new = dist / "migration-lod.nt", changed_dist / "migration-lod.nt"
    by_lines = to_json(compare.diff_dumps(old, new))
    monkeypatch.setattr(compare, "available", lambda: False)
    assert to_json(compare.diff_dumps(old, new)) == by_lines
    assert json.loads(by_lines)["counts"] == {"added": 1, "removed": 1, "changed": 2}


def test_the_html_change_set_links_only_to_the_web(tmp_path, cli):
    old, new = tmp_path / "old.nt", tmp_path / "new.nt"
    statement = '<{s}> <http://example.org/p> "{o}" .\n'.format
    old.write_text(statement(s="javascript:alert(1)", o="a") + statement(s="https://example.org/x", o="a"))
    new.write_text(statement(s="javascript:alert(1)", o="b") + statement(s="https://example.org/x", o="<b>"))
    page = cli("diff", old, new, "--format", "html").stdout
    assert "href='javascript:" not in page and "href='https://example.org/x'" in page
    assert "&quot;&lt;b&gt;&quot;" in page and '"<b>"' not in page
