"""The ontology and the SKOS concept schemes say what the official texts say."""

from __future__ import annotations

import json

import pytest
from rdflib import FOAF, OWL, RDF, RDFS, SKOS, VANN, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

import migration_lod
from migration_lod.rdf.namespaces import MIG, SH, VOCAB, compact
from migration_lod.records.kinds import KINDS
from migration_lod.validation.report import load_shapes

from .conftest import DATA, REFERENCE

LANGUAGE = {"fr": "French", "es": "Spanish", "ar": "Arabic", "ru": "Russian", "zh": "Chinese"}
SCHEMES = ("iscm-types", "gcm-elements", "gcm-clusters", "gcm-objectives", "gcm-guiding-principles", "sdg",
           "iscm-areas-of-focus", "membership-roles")


@pytest.fixture(scope="module")
def vocabulary():
    return migration_lod.load_vocabulary()


def english(graph, subject, predicate=SKOS.prefLabel):
    values = [str(v) for v in graph.objects(subject, predicate) if isinstance(v, Literal) and v.language == "en"]
    assert len(values) == 1, f"{subject} has {len(values)} English {predicate}"
    return values[0]


def notes(graph, concept):
    return " ".join(str(n) for n in graph.objects(concept, SKOS.editorialNote))


def test_ontology_header_follows_lov_conventions(vocabulary):
    graph = vocabulary.graph
    ontology = URIRef("https://w3id.org/migration-lod/ontology")
    assert (ontology, RDF.type, OWL.Ontology) in graph
    for predicate in (DCTERMS.title, DCTERMS.description, OWL.versionIRI, DCTERMS.license, DCTERMS.creator):
        assert graph.value(ontology, predicate) is not None, predicate
    assert str(graph.value(ontology, VANN.preferredNamespacePrefix)) == "mig"
    assert str(graph.value(ontology, VANN.preferredNamespaceUri)) == str(MIG)


def test_every_minted_term_has_a_label_and_a_definition(vocabulary):
    graph = vocabulary.graph
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in graph.subjects(RDF.type, t) if str(s).startswith(str(MIG))}
    assert len(terms) > 20
    for term in terms:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, SKOS.definition) is not None, term


def test_every_scheme_has_top_concepts_and_notations(vocabulary):
    graph = vocabulary.graph
    for slug in SCHEMES:
        scheme = VOCAB[slug]
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
        assert list(graph.objects(scheme, SKOS.hasTopConcept)), slug
        for concept in graph.subjects(SKOS.inScheme, scheme):
            assert graph.value(concept, SKOS.notation) is not None, concept


def test_iscm_types_are_the_reference_definitions_tied_to_classes(vocabulary, reference):
    graph = vocabulary.graph
    types = reference["iscm-types"]["types"]
    assert len(vocabulary.concepts["iscm-types"]) == len(types) == 4
    for entry in types:
        concept = vocabulary.concept("iscm-types", entry["id"])
        assert english(graph, concept, SKOS.definition) == entry["definition"]
        cls = graph.value(concept, MIG.correspondingClass)
        assert (cls, RDF.type, OWL.Class) in graph
    rcp = vocabulary.concept("iscm-types", "rcp")
    assert graph.value(rcp, MIG.correspondingClass) == MIG.RegionalConsultativeProcess
    assert graph.value(rcp, SKOS.broader) == vocabulary.concept("iscm-types", "iscm")


def test_the_24_elements_are_verbatim_and_each_in_exactly_one_cluster(vocabulary, reference):
    graph = vocabulary.graph
    elements = reference["gcm-elements"]["elements"]
    assert len(elements) == 24
    assert sorted(vocabulary.concepts["gcm-elements"]) == [chr(c) for c in range(ord("a"), ord("x") + 1)]
    for entry in elements:
        concept = vocabulary.concept("gcm-elements", entry["letter"])
        assert english(graph, concept) == entry["text"]
        clusters = list(graph.objects(concept, MIG.inCluster))
        assert clusters == [vocabulary.concept("gcm-clusters", str(entry["theme_id"]))]
        unverified = entry["text_status"] != "verified_against_A_RES_71_1"
        assert ("not verified" in notes(graph, concept).lower() or "not against" in notes(graph, concept)) == \
            unverified, entry["letter"]


def test_the_six_clusters_group_the_elements_as_the_reference_gives(vocabulary, reference):
    graph = vocabulary.graph
    themes = reference["gcm-themes"]["themes"]
    assert len(vocabulary.concepts["gcm-clusters"]) == len(themes) == 6
    for theme in themes:
        cluster = vocabulary.concept("gcm-clusters", str(theme["id"]))
        assert english(graph, cluster) == theme["label"]
        assert english(graph, cluster, SKOS.definition) == theme["text_un_thematic_session"]
        assert "not verified" in notes(graph, cluster).lower()
        members = {str(graph.value(e, SKOS.notation)) for e in graph.subjects(MIG.inCluster, cluster)
                   if (e, SKOS.inScheme, VOCAB["gcm-elements"]) in graph}
        assert members == set(theme["elements"])


def test_the_23_objectives_have_their_titles(vocabulary, reference):
    graph = vocabulary.graph
    objectives = reference["gcm-objectives"]["objectives"]
    assert len(vocabulary.concepts["gcm-objectives"]) == len(objectives) == 23
    hub = json.loads((REFERENCE / "hub-gcm-labels.json").read_text(encoding="utf-8"))
    for entry in objectives:
        number = str(entry["number"])
        concept = vocabulary.concept("gcm-objectives", number)
        assert english(graph, concept) == entry["title"]
        labels = set(graph.objects(concept, SKOS.altLabel))
        assert Literal(entry["notation"], lang="en") in labels
        # The Hub's short names in its three languages, as the Hub writes them ("1 – Données", "1 - Datos").
        assert {Literal(f"{number} - {hub['en'][number]}", lang="en"), Literal(f"{number} – {hub['fr'][number]}",
                lang="fr"), Literal(f"{number} - {hub['es'][number]}", lang="es")} <= labels
        assert set(graph.objects(concept, FOAF.page)) == {
            URIRef(f"https://migrationnetwork.un.org/taxonomy/term/{278 + entry['number']}")}
        assert (concept, SKOS.exactMatch, None) not in graph, "the Hub's terms are tags, not equivalent concepts"
        notes = [str(n) for n in graph.objects(concept, SKOS.editorialNote)]
        assert any(n.startswith("Not verified: the paragraph number") for n in notes) == (
            entry["commitment_paragraph"] is None), number
        # A title in another language carries the page it was read from, and says it was not checked
        # against the official PDF.
        for title in (v for v in graph.objects(concept, SKOS.prefLabel) if v.language != "en"):
            opening = f"Not verified against the official {LANGUAGE[title.language]}"
            note = next(n for n in notes if n.startswith(opening))
            page = note.rsplit("(", 1)[1].rstrip(").")
            assert URIRef(page) in set(graph.objects(concept, DCTERMS.source)), number
        if entry["commitment_paragraph"] is not None:
            assert str(graph.value(concept, SKOS.note)).endswith(f"para. {entry['commitment_paragraph']}.")


def test_the_ten_guiding_principles_have_the_reference_texts(vocabulary, reference):
    graph = vocabulary.graph
    principles = reference["gcm-objectives"]["guiding_principles"]
    hub = json.loads((REFERENCE / "hub-gcm-labels.json").read_text(encoding="utf-8"))["guiding_principles"]
    assert len(vocabulary.concepts["gcm-guiding-principles"]) == len(principles) == 10
    for number, entry in enumerate(principles):
        concept = vocabulary.concept("gcm-guiding-principles", entry["letter"])
        assert english(graph, concept) == entry["label"]
        assert english(graph, concept, SKOS.definition) == entry["text"]
        # the Hub's short names, as alternative labels only, with the Hub's pages as sources
        assert {(str(v), v.language) for v in graph.objects(concept, SKOS.altLabel)} == {
            (hub["fr"][number], "fr"), (hub["es"][number], "es")}
        assert any("migrationnetwork.un.org/fr/hub" in str(s) for s in graph.objects(concept, DCTERMS.source))
        notes = " ".join(str(n) for n in graph.objects(concept, SKOS.editorialNote))
        # README of the reference, "Unverified" 6: (e) and (f) are quoted from UN Network pages
        assert notes.startswith("Not verified") == (entry["letter"] in "def"), entry["letter"]
    assert (VOCAB["gcm-guiding-principles"], RDF.type, SKOS.ConceptScheme) in graph


def test_a_practice_can_be_tagged_with_a_guiding_principle(data_copy, tmp_path, cli):
    path = data_copy / "practices.yaml"
    text = path.read_text()
    first = text.index("- id: ")
    second = text.index("\n- id: ", first + 1)
    record = text[first:second]
    path.write_text(text[:first] + record.replace("\n  sources:", "\n  principles: [b, j]\n  sources:", 1)
                    + text[second:])
    assert cli("build", "--data", data_copy, "--out", tmp_path / "out").returncode == 0
    graph = migration_lod.build(data_copy).graph
    tagged = set(graph.objects(None, MIG.gcmGuidingPrinciple))
    assert tagged == {VOCAB["gcm-guiding-principles/b"], VOCAB["gcm-guiding-principles/j"]}
    path.write_text(text[:first] + record.replace("\n  sources:", "\n  principles: [k]\n  sources:", 1)
                    + text[second:])
    wrong = cli("build", "--data", data_copy, "--out", tmp_path / "out2")
    assert wrong.returncode == 2 and "principles" in wrong.stderr and '"k"' in wrong.stderr


def test_target_10_7_and_its_indicators_match_the_un_sdg_kos(vocabulary, reference):
    graph = vocabulary.graph
    target = reference["sdg"]["target_10_7"]
    concept = vocabulary.concept("sdg", "10.7")
    assert graph.value(concept, SKOS.exactMatch) == URIRef("http://metadata.un.org/sdg/10.7")
    for language, text in target["labels"].items():
        assert Literal(text, lang=language) in set(graph.objects(concept, SKOS.prefLabel))
    indicators = target["indicators"]
    assert [i["code"] for i in indicators] == ["10.7.1", "10.7.2", "10.7.3", "10.7.4"]
    for indicator in indicators:
        node = vocabulary.concept("sdg", indicator["code"])
        assert english(graph, node) == indicator["text"]
        assert graph.value(node, SKOS.exactMatch) == URIRef(indicator["iri"])
        assert graph.value(node, SKOS.broader) == concept
        unverified = indicator.get("iri_status") or indicator["text_status"] == "secondary_sources"
        assert ("not verified" in notes(graph, node).lower()) == bool(unverified), indicator["code"]
    assert str(graph.value(vocabulary.concept("sdg", "10.7.1"), SKOS.exactMatch)) == \
        "http://metadata.un.org/sdg/C100701"


def test_the_other_migration_related_targets_are_there(vocabulary, reference):
    graph = vocabulary.graph
    for target in reference["sdg"]["other_migration_related_targets"]:
        concept = vocabulary.concept("sdg", target["code"])
        assert english(graph, concept) == target["text"]
        assert graph.value(concept, SKOS.exactMatch) == URIRef(target["iri"])
        for indicator in target["indicators"]:
            assert graph.value(vocabulary.concept("sdg", indicator["code"]), SKOS.exactMatch) == \
                URIRef(indicator["iri"])


def test_the_areas_of_focus_are_the_rows_of_the_grcp7_table(vocabulary, reference):
    graph = vocabulary.graph
    rows = reference["iscms"]["appendix2_table"]["rows"]
    areas = vocabulary.concepts["iscm-areas-of-focus"]
    assert len(areas) == len(rows) == 12
    by_label = {english(graph, c): c for c in areas.values()}
    for row in rows:
        concept = by_label[row["area_of_focus"]]
        assert graph.value(concept, MIG.inCluster) == vocabulary.concept("gcm-clusters", str(row["theme_id"]))


def _superclasses(ontology, cls):
    found, todo = {cls}, [cls]
    while todo:
        for parent in ontology.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _property_shapes(shapes, shape, through_or):
    """The property shapes of a shape (and, through_or, of the members of its sh:or)."""
    found = list(shapes.objects(shape, SH.property))
    for members in shapes.objects(shape, SH["or"]) if through_or else ():
        for member in Collection(shapes, members):
            found += _property_shapes(shapes, member, True) + ([member] if shapes.value(member, SH.path) else [])
    return found


def _counts(shapes, targeting, parameter, predicate, through_or=False):
    """The values of sh:minCount or sh:maxCount that the shapes give a predicate."""
    return {int(shapes.value(p, parameter)) for s in targeting for p in _property_shapes(shapes, s, through_or)
            if shapes.value(p, SH.path) == predicate and shapes.value(p, parameter) is not None}


def test_the_record_kinds_the_ontology_and_the_shapes_say_the_same(dataset):
    """A field's predicate is a property of the ontology; a required field has an sh:minCount 1 and a field of
    one value (text aside: one per language) an sh:maxCount 1 on every class its records are mapped to; a
    field of many values has no sh:maxCount 1."""
    ontology, shapes, graph = dataset.vocabulary.graph, load_shapes(), dataset.graph
    classes: dict[str, set] = {}
    for iri, (record, field) in dataset.origins.items():
        if field is None:
            classes.setdefault(record.kind.name, set()).update(graph.objects(URIRef(iri), RDF.type))
    disagreements = []
    for kind in KINDS:
        assert classes.get(kind.name), f"no record of the kind {kind.name} in data/ to check it with"
        for cls in sorted(classes[kind.name]):
            targeting = [s for c in _superclasses(ontology, cls) for s in shapes.subjects(SH.targetClass, c)]
            for field in (f for f in kind.fields if f.predicate is not None):
                where = f"{kind.name}.{field.name} ({compact(field.predicate)}) on {compact(cls)}"
                minimum = _counts(shapes, targeting, SH.minCount, field.predicate, through_or=True)
                maximum = _counts(shapes, targeting, SH.maxCount, field.predicate)
                if field.predicate.startswith(MIG) and not {OWL.ObjectProperty, OWL.DatatypeProperty} & set(
                        ontology.objects(field.predicate, RDF.type)):
                    disagreements.append(f"{where}: not a property of the ontology")
                if field.required and not any(n >= 1 for n in minimum):
                    disagreements.append(f"{where}: required, but no sh:minCount 1")
                if not field.many and field.type != "text" and 1 not in maximum:
                    disagreements.append(f"{where}: one value, but no sh:maxCount 1")
                if field.many and 1 in maximum:
                    disagreements.append(f"{where}: many values, but sh:maxCount 1")
    assert not disagreements


def _minted_terms(graph):
    return sorted({s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                   for s in graph.subjects(RDF.type, t) if str(s).startswith(str(MIG))})


def test_every_term_is_documented_and_every_property_has_a_domain_and_a_range(vocabulary):
    """The OOPS! pitfalls the ontology had: no rdfs:comment (P08), no domain or range (P11), no inverses (P13)."""
    graph = vocabulary.graph
    terms = _minted_terms(graph)
    assert len(terms) >= 48
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment, SKOS.definition):
            assert graph.value(term, predicate) is not None, (term, predicate)
        if (term, RDF.type, OWL.Class) not in graph:
            assert graph.value(term, RDFS.domain) is not None and graph.value(term, RDFS.range) is not None, term
    inverses = {(s, o) for s, o in graph.subject_objects(OWL.inverseOf)}
    assert {(MIG.actorIn, MIG.actor), (MIG.participatedIn, MIG.participant), (MIG.hosted, MIG.hostCountry)} <= inverses
    ontology = URIRef("https://w3id.org/migration-lod/ontology")
    for predicate in (DCTERMS.creator, DCTERMS.publisher):
        assert isinstance(graph.value(ontology, predicate), URIRef), predicate
    for predicate in (DCTERMS.issued, DCTERMS.modified):
        assert graph.value(ontology, predicate) is not None, predicate


def test_the_project_prefixes_do_not_clash_with_the_un_ones():
    from migration_lod.rdf.namespaces import PREFIXES

    declared = {}
    for path in sorted((DATA / "external").glob("*.ttl")):  # the UN SDG KOS files, as the UN writes them
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("@prefix"):
                name, namespace = line.split()[1].rstrip(":"), line.split()[2].strip("<>")
                declared[name] = namespace
    for name, namespace in PREFIXES.items():
        assert declared.get(name, namespace) == namespace, name
    assert PREFIXES["sdg"] == "http://metadata.un.org/sdg/" and PREFIXES["schema"] == "http://schema.org/"


def test_the_ontology_documentation_lists_every_class_and_property(dist, vocabulary):
    html = (dist / "ontology.html").read_text(encoding="utf-8")
    assert "<title>migration-lod ontology</title>" in html
    for term in _minted_terms(vocabulary.graph):
        assert f"<code>{term}</code>" in html, term
        section = html.split(f"<code>{term}</code>")[0].rsplit("<h3>", 1)[-1]  # pyLODE: a section per term
        assert section.strip().startswith(str(vocabulary.graph.value(term, RDFS.label))), term


def test_the_ontology_documentation_is_written_offline_and_leaves_logging_alone(tmp_path, socket_disabled):
    import logging

    from migration_lod.publish.ontology_docs import write_ontology_docs

    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    files = write_ontology_docs(tmp_path)  # pytest-socket: any connection attempt raises
    assert (list(root.handlers), root.level) == before
    assert files["ontology.html"].read_text(encoding="utf-8").count("<h3>") >= 48


def test_the_sdg_concepts_carry_the_french_and_spanish_labels_of_the_un_sdg_kos(vocabulary):
    graph, un = vocabulary.graph, migration_lod.load_un_vocabularies()
    compared = 0
    for concept in vocabulary.concepts["sdg"].values():
        match = graph.value(concept, SKOS.exactMatch)
        theirs = {(label.language, str(label)) for label in un.graph.objects(match, SKOS.prefLabel)
                  if label.language in ("fr", "es")}
        ours = {(label.language, str(label)) for label in graph.objects(concept, SKOS.prefLabel)
                if label.language in ("fr", "es")}
        assert ours == theirs, concept  # as the KOS has them, or none where it has none (10.7.3, 10.7.4)
        compared += bool(theirs)
    assert compared == 25


def test_no_concept_has_two_preferred_labels_in_one_language(vocabulary):
    graph = vocabulary.graph
    for scheme in SCHEMES:
        for concept in vocabulary.concepts[scheme].values():
            languages = [label.language for label in graph.objects(concept, SKOS.prefLabel)]
            assert "en" in languages and len(languages) == len(set(languages)), concept


def test_objective_titles_in_other_languages_are_the_un_network_pages_and_nothing_else(vocabulary, reference):
    graph = vocabulary.graph
    read = reference["un-network-objective-titles"]["titles"]
    expected = {(entry["objective"], entry["language"], entry["title"], entry["page"]) for entry in read}
    published = set()
    for number, concept in vocabulary.concepts["gcm-objectives"].items():
        for title in graph.objects(concept, SKOS.prefLabel):
            if title.language != "en":
                note = next(str(n) for n in graph.objects(concept, SKOS.editorialNote)
                            if str(n).startswith(f"Not verified against the official {LANGUAGE[title.language]}"))
                published.add((int(number), title.language, str(title), note.rsplit("(", 1)[1].rstrip(").")))
    assert published == expected
    assert {(n, language) for n, language, _, _ in published} >= {(2, "es"), (4, "es"), (6, "es"), (1, "fr")}


def test_every_concept_is_labelled_in_english_and_every_other_language_is_sourced(vocabulary):
    """No label in another language without a source that gives it: the UN SDG KOS concept the label is
    taken from (skos:exactMatch), or a page or document named by dcterms:source."""
    graph = vocabulary.graph
    for scheme in SCHEMES:
        for concept in vocabulary.concepts[scheme].values():
            english(graph, concept)
            others = [label for p in (SKOS.prefLabel, SKOS.altLabel) for label in graph.objects(concept, p)
                      if label.language != "en"]
            if others:
                assert graph.value(concept, DCTERMS.source) is not None or \
                    str(graph.value(concept, SKOS.exactMatch)).startswith("http://metadata.un.org/sdg/"), concept
