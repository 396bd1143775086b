"""Bad input: a clear error naming file, line, record and field; exit 2; the published dist/ untouched."""

from __future__ import annotations

import shutil
from unittest.mock import ANY

import pytest

import migration_lod
from migration_lod.records.load import read_records

from .conftest import DATA, folder_bytes


@pytest.fixture
def published(dist, tmp_path):
    """A copy of a good publication, which a failed build must leave as it is."""
    target = tmp_path / "dist"
    shutil.copytree(dist, target)
    return target


def line_of(path, text):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# (file, text to replace, replacement, record, field, what the message says, line marker)
CASES = {
    "unknown field": ("iscms.yaml", "  region: Eurasia\n", "  region: Eurasia\n  chair: Azerbaijan\n",
                      "almaty-process", "chair", "unknown field", "chair: Azerbaijan"),
    "missing required field": ("practices.yaml", "  kind: strategy\n", "",
                               "egypt-national-strategy-illegal-migration", "kind", "required field is missing",
                               "- id: egypt-national-strategy-illegal-migration"),
    "unknown element letter": ("practices.yaml", "  objectives:\n  - 9\n  topics:\n  - Migrant Smuggling\n",
                               "  objectives:\n  - 9\n  elements: [k, z]\n  topics:\n  - Migrant Smuggling\n",
                               "asean-declaration-migrant-workers", "elements", '"z" is not an element letter',
                               "elements: [k, z]"),
    "unknown objective number": ("practices.yaml", "  - 9\n  topics:\n  - 'Objective 9",
                                 "  - 24\n  topics:\n  - 'Objective 9", "almaty-process-dialogue", "objectives",
                                 '"24" is not an objective number', None),
    "unknown ISO code": ("iscms.yaml", "  - AFG\n  - AZE\n", "  - AFG\n  - XYZ\n", "almaty-process", "members",
                         '"XYZ" is not an ISO 3166-1 alpha-3 code', "members:"),
    "malformed ISO code": ("events.yaml", "  country: CHE\n  organisers: [iom, gcim]",
                           "  country: Switzerland\n  organisers: [iom, gcim]", "grcp-1", "country",
                           '"Switzerland" is not an ISO 3166-1 alpha-3 code', "country: Switzerland"),
    "duplicate id": ("events.yaml", "- id: grcp-2\n", "- id: grcp-1\n", "grcp-1", "id", 'duplicate id "grcp-1"',
                     None),
    "bad date": ("events.yaml", "start: '2017-10-10'", "start: '2017-02-30'", "grcp-7", "start",
                 '"2017-02-30" is not a date', "start: '2017-02-30'"),
    "bad language tag": ("organisations.yaml", "  label: Microsoft\n", "  label: {english: Microsoft}\n",
                         "microsoft", "label", '"english" is not a valid BCP 47 language tag', "label: {english"),
    "unsafe id slug": ("iscms.yaml", "- id: budapest-process\n", "- id: Budapest Process\n", "Budapest Process",
                       "id", "is not a safe IRI slug", "- id: Budapest Process"),
    "unknown document in a source": ("events.yaml", "  - document: practice-listing-migrant-smuggling\n",
                                     "  - document: no-such-report\n", "commit-12th-senior-officials-meeting",
                                     "sources", '"no-such-report" is not the id of a document', None),
    "unknown actor": ("practices.yaml", "  - microsoft\n", "  - macrosoft\n", "6degree-crowdfunding-portal",
                      "actors", '"macrosoft" is not the id of a known ISCM or organisation', None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_records_are_named_and_nothing_is_published(case, data_copy, published, cli):
    file, old, new, record, field, message, marker = CASES[case]
    path = data_copy / file
    text = path.read_text()
    assert old in text, f"the fixture text of {case!r} is no longer in data/{file}"
    path.write_text(text.replace(old, new, 1))
    before = folder_bytes(published)
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2, result.stderr
    line = line_of(path, marker) if marker else None
    expected_location = f"data/{file}:{line}" if line else f"data/{file}:"
    matching = [row for row in result.stderr.splitlines() if message in row]
    assert matching, result.stderr
    assert expected_location in matching[0] and f"{record} · {field} · " in matching[0], matching[0]
    assert folder_bytes(published) == before


def test_malformed_yaml_names_file_and_line(data_copy, published, cli):
    path = data_copy / "iscms.yaml"
    path.write_text(path.read_text().replace("  label: Budapest Process\n", '  label: "Budapest Process\n', 1))
    before = folder_bytes(published)
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2
    assert "data/iscms.yaml:" in result.stderr and "malformed YAML" in result.stderr
    assert folder_bytes(published) == before


@pytest.mark.parametrize(("key", "what"), [("[a, b]", "list"), ("{a: 1}", "mapping")])
def test_a_yaml_key_that_is_a_list_or_a_mapping_is_an_error_not_a_crash(tmp_path, key, what):
    path = tmp_path / "iscms.yaml"
    path.write_text(f"- id: a\n  label: A\n  ? {key}\n  : value\n")
    with pytest.raises(migration_lod.InputError) as error:
        migration_lod.load_records(path)
    assert [(p.line, p.message) for p in error.value.problems] == [
        (3, f"malformed YAML: a key must be a plain value, not a {what}")]


@pytest.mark.parametrize("text", ["- {id: a, label: &l A, alt_labels: [&l B, *l]}\n",
                                  "- {id: a, label: &l A, <<: {alt_labels: [&l B]}}\n"])
def test_a_yaml_anchor_given_twice_is_an_error(tmp_path, text):
    """As PyYAML says, whether the file is read in one pass or composed by PyYAML (merge keys)."""
    path = tmp_path / "iscms.yaml"
    path.write_text("# ISCMs\n" + text)
    with pytest.raises(migration_lod.InputError) as error:
        migration_lod.load_records(path)
    assert [(p.line, p.message) for p in error.value.problems] == [
        (2, "malformed YAML: an anchor (&name) given twice, first on line 2")]


def test_malformed_json_names_file_and_line(data_copy, published, cli):
    (data_copy / "practices.yaml").unlink()
    (data_copy / "practices.json").write_text('[\n  {"id": "x",\n   "label": "y"\n  \n]\n')
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2
    assert "data/practices.json:5" in result.stderr and "malformed JSON" in result.stderr


def test_an_empty_file_is_an_error(data_copy, published, cli):
    (data_copy / "events.yaml").write_text("# nothing yet\n")
    before = folder_bytes(published)
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2
    assert "data/events.yaml:1 · the file is empty" in result.stderr
    assert folder_bytes(published) == before


def test_a_csv_file_that_is_not_utf8_or_empty_is_an_error(data_copy, published, cli):
    """The CSV is read as it goes: a byte that is not UTF-8 far into it is reported at its line."""
    (data_copy / "events.yaml").unlink()
    rows = "".join(f"event-{n},meeting,Meeting {n},2019\n" for n in range(2000))
    (data_copy / "events.csv").write_bytes(b"id,kind,label,date\n" + rows.encode() + b"bad,meeting,Caf\xe9,2019\n")
    before = folder_bytes(published)
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2, result.stderr
    reason = "byte b'\\xe9', the line's byte 16, is not UTF-8"
    assert f"data/events.csv:2002 · cannot read the file: {reason}" in result.stderr
    assert "Traceback" not in result.stderr
    (data_copy / "events.csv").write_text("\n \n")
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 2
    assert "data/events.csv:1 · the file is empty" in result.stderr
    assert folder_bytes(published) == before


# The same practices, good and bad, in YAML (keys in the CSV header's order) and in CSV.
PRACTICES_YAML = """\
- {id: p-1, label: {en: Return, fr: Retour}, kind: initiative, date: 2019-01-02, countries: [BGR, TUR],
   sources: [{document: d-1, section: s 1}, {document: d-2}]}
- {id: p-2, label: Return, kind: initiative, date: 2019-02-30, countries: [BGR, bg], colour: red,
   sources: [{document: d-1, section: s 1}]}
- {id: p-3, label: Same date, kind: initiative, date: 2019-02-30, countries: [BGR, bg],
   sources: [{document: d-1, section: s 1}, {document: Not A Slug}]}
- {id: Bad Id, kind: plan, countries: [BGR, TUR], sources: [{document: d-1, section: s 1}]}
- {id: p-5, label: Later sources first, kind: strategy, countries: [BGR, TUR],
   sources: [{document: d-3}, {document: d-1}]}
"""
PRACTICES_CSV = """\
id,label,label@fr,kind,date,countries,colour,sources.2.document,sources.1.document,sources.1.section
p-1,Return,Retour,initiative,2019-01-02,BGR|TUR,,d-2,d-1,s 1
p-2,Return,,initiative,2019-02-30,BGR| bg ,red,,d-1,s 1
,,,,,,,,,
p-3,Same date,,initiative,2019-02-30,BGR| bg,,Not A Slug,d-1,s 1
Bad Id,,,plan,,BGR|TUR,,,d-1,s 1
p-5,Later sources first,,strategy,,BGR|TUR,,d-1,d-3,
"""


def test_a_csv_file_gives_the_records_and_problems_of_the_same_records_in_yaml(tmp_path):
    (tmp_path / "yaml").mkdir(), (tmp_path / "csv").mkdir()
    (tmp_path / "yaml" / "practices.yaml").write_text(PRACTICES_YAML)
    (tmp_path / "csv" / "practices.csv").write_text(PRACTICES_CSV)
    from_yaml = read_records(tmp_path / "yaml" / "practices.yaml")
    from_csv = read_records(tmp_path / "csv" / "practices.csv")

    def located(problems):
        return [(p.record, p.field, p.message) for p in problems]
    assert located(from_csv[1]) == located(from_yaml[1]) and len(from_csv[1]) == 9
    assert [r.values for r in from_csv[0]] == [r.values for r in from_yaml[0]]
    assert [r.line for r in from_csv[0]] == [2, 7] and [p.line for p in from_csv[1]][:2] == [3, 3]


def test_records_that_share_a_cell_do_not_share_its_value(tmp_path):
    """The checks answer values seen before from memory: each record still gets values of its own."""
    path = tmp_path / "practices.csv"
    path.write_text("id,label,kind,countries,sources.1.document\n" + "".join(
        f"p-{n},Practice {n},initiative,BGR|TUR,d-1\n" for n in range(3)))
    records = migration_lod.load_records(path)
    records[0].values["countries"].append("GRC")
    records[0].values["sources"][0]["section"] = "changed"
    assert [r.values["countries"] for r in records[1:]] == [["BGR", "TUR"]] * 2
    assert [r.values["sources"] for r in records[1:]] == [[{"document": "d-1"}]] * 2


@pytest.mark.parametrize(("header", "message"), [
    ("id,label,kind,label,sources.1.document", 'the header gives the column "label" twice'),
    ("id,label,kind,sources,sources.1.document", "not in a sources column"),
    ("id,label,kind,x,sources", "not in a sources column"),
])
def test_a_csv_header_that_gives_a_field_twice_or_sources_in_one_column_is_an_error(tmp_path, header, message):
    path = tmp_path / "practices.csv"
    path.write_text(f"\n{header}\np-1,Return,initiative,x,d-1\n")
    records, problems = read_records(path)
    assert records == [] and [(p.line, p.message) for p in problems if message in p.message] == [(2, ANY)]


def test_a_bad_row_far_into_a_csv_file_keeps_the_problems_found_before_it(tmp_path, cli):
    """The file is read as it goes: the problems of the rows before a broken one are all told too."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "events.yaml").unlink()
    rows = "".join(f"event-{n},meeting,Meeting {n},{'2019-13' if n in (5, 4500) else '2019'},d\n"
                   for n in range(5000))
    (data / "events.csv").write_text("id,kind,label,date,sources.1.document\n" + rows + "event-x,meeting\n")
    result = cli("build", "--data", data, "--out", tmp_path / "dist", "--streamed", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "data/events.csv:7 event-5 · date" in result.stderr
    assert "data/events.csv:4502 event-4500 · date" in result.stderr
    assert "data/events.csv:5002 · the row has 2 cells, the header 5" in result.stderr


def test_every_problem_is_reported_not_only_the_first(data_copy):
    path = data_copy / "iscms.yaml"
    path.write_text(path.read_text().replace("  - AZE\n", "  - XYZ\n", 1).replace("  - KAZ\n", "  - QQQ\n", 1))
    with pytest.raises(migration_lod.InputError) as error:
        migration_lod.build(data_copy)
    messages = [p.message for p in error.value.problems]
    assert any('"XYZ"' in m for m in messages) and any('"QQQ"' in m for m in messages)


def test_a_record_without_a_source_fails(data_copy):
    path = data_copy / "documents.yaml"
    text = path.read_text()
    block = ("  sources:\n"
             "  - document: https://sdg.iisd.org/news/un-statistical-commission-adopts-36-changes-to-sdg-indicators/\n"
             "    section: global indicator framework and its 2020 comprehensive review\n")
    assert block in text
    path.write_text(text.replace(block, ""))
    with pytest.raises(migration_lod.InputError) as error:
        migration_lod.build(data_copy)
    [problem] = error.value.problems
    assert (problem.record, problem.field, problem.message) == ("a-res-71-313", "sources", "required field is missing")


def test_a_shacl_violation_blocks_publication_and_names_the_record(data_copy, published, cli):
    path = data_copy / "events.yaml"
    path.write_text(path.read_text().replace("end: '2017-10-11'", "end: '2017-10-09'", 1))
    before = folder_bytes(published)
    result = cli("build", "--data", data_copy, "--out", published, cwd=data_copy.parent)
    assert result.returncode == 1, result.stderr
    line = line_of(path, "start: '2017-10-10'")
    assert f"Violation: data/events.yaml:{line} grcp-7 · start · " in result.stderr
    assert "the start is after the end" in result.stderr
    assert "not published" in result.stderr
    assert folder_bytes(published) == before


def test_a_missing_data_folder_is_a_usage_error(tmp_path, cli):
    result = cli("build", "--data", tmp_path / "nowhere", "--out", tmp_path / "dist")
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "not a directory" in result.stderr
