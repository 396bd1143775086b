"""SHACL validation: injected violations are found and reported against the record that holds them."""

from __future__ import annotations

import copy

import pytest
from rdflib import SKOS, Literal, URIRef

from migration_lod.rdf.namespaces import MIG

BASE = "https://w3id.org/migration-lod/"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


@pytest.fixture
def broken(dataset):
    """A copy of the built dataset whose graph a test may break."""
    clone = copy.copy(dataset)
    clone.graph = copy.deepcopy(dataset.graph)
    return clone


def only_violation(report):
    assert len(report.violations) == 1, "\n".join(map(str, report.violations))
    return report.violations[0]


def test_the_real_data_conforms(dataset):
    report = dataset.validate()
    assert report.conforms, str(report)
    assert all(p.severity == "Warning" for p in report.warnings)


def test_a_missing_label_names_the_record_and_field(broken):
    iri = URIRef(BASE + "iscm/budapest-process")
    broken.graph.remove((iri, SKOS.prefLabel, None))
    problem = only_violation(broken.validate())
    assert (problem.file, problem.record, problem.field) == ("data/iscms.yaml", "budapest-process", "label")
    assert problem.line == next(r.field_lines["label"] for r in broken.records if r.id == "budapest-process")
    assert "needs a label" in problem.message


def test_a_wrong_datatype_names_the_record_and_field(broken):
    iri = URIRef(BASE + "iscm/commit")
    broken.graph.remove((iri, MIG.yearEstablished, None))
    broken.graph.add((iri, MIG.yearEstablished, Literal("2004", datatype=XSD_STRING)))
    problem = only_violation(broken.validate())
    assert (problem.record, problem.field) == ("commit", "established")
    assert "xsd:gYear" in problem.message


def test_a_concept_outside_its_scheme_is_a_violation(broken):
    iri = URIRef(BASE + "practice/almaty-process-dialogue")
    broken.graph.add((iri, MIG.gcmObjective, URIRef("https://w3id.org/migration-lod/vocab/gcm-elements/k")))
    problem = only_violation(broken.validate())
    assert (problem.file, problem.record, problem.field) == ("data/practices.yaml", "almaty-process-dialogue",
                                                             "objectives")
    assert "outside the objectives scheme" in problem.message and "gcme:k" in problem.message


def test_skos_integrity_duplicate_notation_and_dangling_broader(broken):
    element = URIRef("https://w3id.org/migration-lod/vocab/gcm-elements/b")
    broken.graph.remove((element, SKOS.notation, None))
    broken.graph.add((element, SKOS.notation, Literal("a")))
    broken.graph.add((element, SKOS.broader, URIRef("https://w3id.org/migration-lod/vocab/gcm-elements/zz")))
    messages = [p.message for p in broken.validate().violations]
    assert any('notation "a" is used by more than one concept' in m for m in messages), messages
    assert any("skos:broader points to something that is not a concept" in m for m in messages), messages


def test_two_labels_in_one_language_is_a_violation(broken):
    concept = URIRef("https://w3id.org/migration-lod/vocab/gcm-objectives/9")
    broken.graph.add((concept, SKOS.prefLabel, Literal("Another title", lang="en")))
    problem = only_violation(broken.validate())
    assert problem.focus == "gcmo:9" and problem.field == "skos:prefLabel"


def test_validate_command_on_a_dump_a_broken_graph_and_unreadable_input(dist, tmp_path, cli):
    for name in ("migration-lod.ttl", "migration-lod.jsonld", "migration-lod.nt.gz", "migration-lod.jsonld.gz"):
        result = cli("validate", dist / name)
        assert result.returncode == 0, (name, result.stdout, result.stderr)
    broken = tmp_path / "broken.nt"
    lines = (dist / "migration-lod.nt").read_text().splitlines(keepends=True)
    label = "<https://w3id.org/migration-lod/iscm/rcm> <http://www.w3.org/2004/02/skos/core#prefLabel>"
    broken.write_text("".join(line for line in lines if not line.startswith(label)))
    result = cli("validate", broken)
    assert result.returncode == 1
    assert "Violation: <https://w3id.org/migration-lod/iscm/rcm>" not in result.stdout
    assert "https://w3id.org/migration-lod/iscm/rcm · skos:prefLabel · needs a label" in result.stdout
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is not turtle .\n")
    result = cli("validate", garbage)
    assert result.returncode == 2 and "garbage.ttl" in result.stderr
    assert cli("validate", tmp_path / "missing.ttl").returncode == 2
    notes = tmp_path / "notes.txt"
    notes.write_text("not RDF, not records\n")
    unknown = cli("validate", notes)
    assert unknown.returncode == 2 and "notes.txt" in unknown.stderr


def test_validate_command_on_record_files(data_copy, cli):
    result = cli("validate", data_copy / "practices.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violation(s)" in result.stdout
    path = data_copy / "events.yaml"
    path.write_text(path.read_text().replace("end: '2017-10-11'", "end: '2017-10-09'", 1))
    result = cli("validate", data_copy)
    assert result.returncode == 1
    assert "grcp-7 · start · " in result.stdout


def test_help_is_there_for_every_command(cli):
    for command in ([], ["build"], ["validate"]):
        result = cli(*command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_an_iscm_without_a_year_is_only_a_warning(broken):
    iri = URIRef(BASE + "iscm/gfmd")
    broken.graph.remove((iri, MIG.yearEstablished, None))
    report = broken.validate()
    assert report.conforms
    [problem] = [p for p in report.warnings if p.record == "gfmd"]
    assert (problem.field, problem.message) == ("established", "has no year established")


def injected(graph):
    """A copy of a graph with one of each kind of violation the shapes catch."""
    from rdflib import XSD

    broken = copy.deepcopy(graph)
    schema = "http://schema.org/"
    broken.remove((URIRef(BASE + "iscm/budapest-process"), SKOS.prefLabel, None))
    broken.add((URIRef(BASE + "iscm/commit"), MIG.yearEstablished, Literal("2004")))
    broken.add((URIRef(BASE + "practice/almaty-process-dialogue"), MIG.gcmObjective,
                URIRef("https://w3id.org/migration-lod/vocab/gcm-elements/k")))
    broken.add((URIRef("https://w3id.org/migration-lod/vocab/gcm-objectives/9"), SKOS.prefLabel,
                Literal("Another title", lang="en")))
    broken.remove((URIRef(BASE + "iscm/gfmd"), MIG.yearEstablished, None))
    broken.add((URIRef(BASE + "event/grcp-7"), URIRef(schema + "endDate"), Literal("2017-10-01", datatype=XSD.date)))
    broken.remove((URIRef(BASE + "event/grcp-1"), URIRef("http://purl.org/dc/terms/date"), None))
    broken.add((URIRef(BASE + "state/THA"), URIRef("http://purl.org/dc/terms/identifier"), Literal("tha")))
    broken.remove((URIRef(BASE + "organisation/iom"), URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"), None))
    broken.add((URIRef(BASE + "iscm/rcp-x"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                MIG.RegionalConsultativeProcess))
    broken.add((URIRef(BASE + "document/a-res-71-1"), URIRef("http://purl.org/dc/terms/issued"), Literal("2016")))
    return broken


def outcome(report):
    return sorted(tuple(x or "" for x in (p.severity, p.focus, p.field, p.message, p.rule)) for p in report.problems)


def test_the_fast_validator_finds_exactly_what_pyshacl_finds(dataset):
    from migration_lod import validate

    for graph in (dataset.graph, injected(dataset.graph)):
        fast = validate(graph, origins=dataset.origins, engine="fast")
        reference = validate(graph, origins=dataset.origins, engine="pyshacl")
        assert outcome(fast) == outcome(reference)
    assert len(fast.violations) >= 12


def test_the_fast_validator_agrees_on_synthetic_data(tmp_path):
    from migration_lod import build, validate
    from migration_lod.records.synth import synthesize

    synthesize(800, tmp_path / "data", seed=5)
    dataset = build(tmp_path / "data")
    graph = injected(dataset.graph)
    assert outcome(validate(graph, engine="fast")) == outcome(validate(graph, engine="pyshacl"))


def test_shapes_the_fast_validator_refuses_fall_back_to_pyshacl_and_say_so(dataset):
    from rdflib import Graph

    from migration_lod import validate
    # A look-ahead: XPath regular expressions have none, Rust's regex crate cannot compile it.
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/migration-lod/ontology/ISCM> ;
            sh:property [ sh:path <http://www.w3.org/2004/02/skos/core#prefLabel> ; sh:pattern "^(?!Zz)" ] .
    """, format="turtle")
    report = validate(dataset.graph, shapes, dataset.origins, engine="fast")
    assert report.conforms
    assert report.notes == [
        "validated with pyshacl: the fast engine refused the shapes: sh:pattern '^(?!Zz)' (flags '') is not a "
        "regular expression this engine can compile"]
