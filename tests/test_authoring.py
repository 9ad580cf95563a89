"""Authoring (issue 10): a skeleton for a new article, the project's prefixes without declaring
them, refusals that show the statements that cause them, conflicts shown by ``kg add``.

Each hole of the issue has a test named ``test_hole_...``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES

ADD = FIXTURES / "add"


#: What each «placeholder» of the skeleton's examples is replaced with, as their notes say.
FILLS = {
    "topic": "Jumlah UMKM Balikpapan menurut Kabar Contoh",
    "note": "Tanggal terbit tidak tercantum; URL tidak tercantum.",
    "person": "siti-contoh", "person-name": "Siti Contoh",
    "post": "head-contoh-agency", "post-label": "Kepala Dinas Contoh",
    "body": "dinas-contoh", "body-label": "Dinas Contoh",
    "role": "head-of-agency", "day": "2025-01-15",
    "indicator": "umkm-count", "unit": "business-unit", "qualifier": "approximate",
    "value": "93000", "stated-as": "sekitar 93 ribu unit usaha", "year": "2023",
    "place": "balikpapan", "place-label": "Balikpapan",
    "facility": "cold-storage-contoh", "facility-label": "Cold storage contoh",
    "event": "contoh-expo-2025", "event-label": "Pameran contoh", "event-type": "presentation",
    "finding": "industry-mainstay", "finding-label": "Industri penopang utama",
    "sector": "industry", "assessment": "economic-mainstay",
    "description": "Industri menjadi penopang utama perekonomian kota.",
    "temperature": "-18",
}
PLACEHOLDER = re.compile("«([^»]+)»")


def examples(skeleton: str) -> dict[str, tuple[int, int]]:
    """Each commented example of a skeleton: its name -> (first, last line index) of its code."""
    lines = skeleton.splitlines()
    found: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(lines):
        if line.strip().startswith("## Example:"):
            name = re.split(r"[,.(]", line.split("Example:", 1)[1])[0].strip()
            code = [i for i in range(number + 1, len(lines))
                    if lines[i].strip().startswith("# ")]
            first = code[0]
            last = first
            while last + 1 < len(lines) and lines[last + 1].strip().startswith("# "):
                last += 1
            found[name] = (first, last)
    return found


def uncommented(skeleton: str, first: int, last: int) -> str:
    """The skeleton with one example's code uncommented (one level) and its placeholders filled."""
    lines = skeleton.splitlines()
    for i in range(first, last + 1):
        lines[i] = lines[i].replace("# ", "", 1)
        lines[i] = PLACEHOLDER.sub(lambda m: FILLS[m.group(1)], lines[i])
    return "\n".join(lines) + "\n"


def new_article(kg, project, *options: str) -> str:
    run = kg("--root", project.root, "new-article", *options)
    assert run.code == 0, run
    return run.out


# ---------------------------------------------------------------------------- kg new-article


@pytest.mark.parametrize("date", [
    "2025-07-09",
    "2025-07",
    "2025",
    "not-printed",
])
def test_hole_no_skeleton_for_a_new_article_the_skeleton_is_added_on_the_first_try(
        kg, project_copy, tmp_path, date):
    text = new_article(kg, project_copy, "--id", "905_kabar-contoh", "--publisher",
                       "Kabar Contoh", "--date", date, "--author", "Yandri Rinaldi",
                       "--headline", "UMKM Balikpapan tumbuh")
    assert "source:905_kabar-contoh {" in text
    skeleton = tmp_path / "905.trig"
    skeleton.write_text(text, encoding="utf-8")
    run = kg("--root", project_copy.root, "add", skeleton)
    assert run.code == 0, run
    assert "added" in run.out


@pytest.mark.parametrize("date, written", [
    ("2025-07-09", 'kg:statedDate "2025-07-09"^^xsd:date'),
    ("2025-07", 'kg:statedDate "2025-07"^^xsd:gYearMonth'),
    ("2025", 'kg:statedDate "2025"^^xsd:gYear'),
    ("not-printed", 'kg:dateNotPrinted "true"^^xsd:boolean'),
])
def test_new_article_states_the_date_at_the_precision_given(kg, project_copy, date, written):
    text = new_article(kg, project_copy, "--id", "905_x", "--publisher", "body:iknbisnis",
                       "--date", date)
    assert written in text
    if date == "not-printed":
        assert "kg:statedDate" not in text.split("source:905_x {", 1)[1].split("##")[0]


def test_new_article_reuses_a_known_publisher_and_author_by_name(kg, project_copy):
    text = new_article(kg, project_copy, "--id", "905_x", "--publisher", "IKNBISNIS.COM",
                       "--date", "2025-07-09", "--author", "Yandri Rinaldi")
    assert "schema:publisher body:iknbisnis" in text
    assert "schema:author person:yandri-rinaldi" in text
    assert "body:iknbisnis a schema:NewsMediaOrganization" in text


def test_new_article_examples_each_added_once_uncommented_and_filled(kg, project_copy, tmp_path):
    text = new_article(kg, project_copy, "--id", "905_kabar-contoh", "--publisher",
                       "Kabar Contoh", "--date", "2025-07-09")
    found = examples(text)
    assert {"the article's topic", "a person holding a post", "a statistic", "a facility",
            "an event", "a finding"} <= set(found)
    for name, (first, last) in found.items():
        filled = uncommented(text, first, last)
        assert "«" not in "\n".join(filled.splitlines()[first:last + 1]), name
        path = tmp_path / f"example-{first}.trig"
        path.write_text(filled, encoding="utf-8")
        run = kg("--root", project_copy.root, "add", "--dry-run", path)
        assert run.code == 0, (name, run)


def test_new_article_examples_use_placeholders_only_their_notes_name(kg, project_copy):
    text = new_article(kg, project_copy, "--id", "905_x", "--publisher", "Kabar Contoh",
                       "--date", "2025")
    lines = text.splitlines()
    for name, (first, last) in examples(text).items():
        start = max(i for i in range(first) if lines[i].strip().startswith("## Example:"))
        notes = "\n".join(lines[start:first])
        for placeholder in set(PLACEHOLDER.findall("\n".join(lines[first:last + 1]))):
            assert f"«{placeholder}»" in notes, (name, placeholder)
    assert "{{" not in text


def test_new_article_writes_a_new_file_and_never_overwrites_one(kg, project_copy, tmp_path):
    target = tmp_path / "905.trig"
    run = kg("--root", project_copy.root, "new-article", "--id", "905_x", "--publisher",
             "Kabar Contoh", "--date", "2025-07-09", "-o", target)
    assert run.code == 0, run
    first = target.read_bytes()
    assert b"source:905_x {" in first
    again = kg("--root", project_copy.root, "new-article", "--id", "905_x", "--publisher",
               "Other", "--date", "2025-07-09", "-o", target)
    assert again.code == 2 and "does not overwrite" in again.err
    assert target.read_bytes() == first


def test_new_article_refuses_a_date_it_cannot_read(kg, project_copy):
    run = kg("--root", project_copy.root, "new-article", "--id", "905_x", "--publisher",
             "Kabar Contoh", "--date", "9 Juli 2025")
    assert run.code == 2
    assert "YYYY-MM-DD, a month YYYY-MM, a year YYYY, or not-printed" in run.err


def test_new_article_template_is_a_file_the_project_ships(project):
    from kg.article import TEMPLATE_NAME

    assert (project.ontology_dir / TEMPLATE_NAME).is_file()
    text = Path(__file__).resolve().parents[1].joinpath("pyproject.toml").read_text()
    assert '"ontology/*.in"' in text


@pytest.mark.parametrize("date, datatype", [
    ("2025-07-09", "date"),
    ("2025-07", "gYearMonth"),
    ("2025", "gYear"),
])
def test_hole_forced_invented_dates_kg_add_date_at_source_precision(kg, project_copy, tmp_path,
                                                                    date, datatype):
    facts = tmp_path / "facts.ttl"
    facts.write_text('person:siti-contoh a foaf:Person ; skos:prefLabel "Siti Contoh"@id .\n')
    run = kg("--root", project_copy.root, "add", facts, "--source", "906_x", "--publisher",
             "Kabar Contoh", "--date", date)
    assert run.code == 0, run
    written = (project_copy.data_dir / "906_x.trig").read_text()
    assert f"^^xsd:{datatype}" in written


def test_kg_add_date_not_printed_states_it(kg, project_copy, tmp_path):
    from kg.add import check_sources, SourceDescription
    from kg.graph import load_graph
    import pyoxigraph as ox

    graph = load_graph(project_copy)
    said = SourceDescription("906_x", publisher="Kabar Contoh", date="not-printed")
    quads = said.statements(graph)
    predicates = {q.predicate.value.rsplit("/", 1)[-1] for q in quads}
    assert "dateNotPrinted" in predicates and "statedDate" not in predicates
    assert ox.Literal(True) in {q.object for q in quads}
    check_sources({q: "--source" for q in quads}, graph)  # described: no error


def test_check_sources_names_both_ways_of_giving_a_date(kg, project_copy, tmp_path):
    facts = tmp_path / "facts.ttl"
    facts.write_text('person:siti-contoh a foaf:Person ; skos:prefLabel "Siti Contoh"@id .\n')
    run = kg("--root", project_copy.root, "add", facts, "--source", "906_x", "--publisher",
             "Kabar Contoh")
    assert run.code == 2
    assert "kg:statedDate (or kg:dateNotPrinted true)" in run.err
    assert "--date YYYY-MM-DD (or YYYY-MM, YYYY, not-printed)" in run.err


# ---------------------------------------------------------------------------- prefixes

UNDECLARED = """source:906_x {
    source:906_x a kg:SourceArticle ; dct:identifier "906_x" ;
        schema:publisher body:kabar-contoh ; kg:statedDate "2025-07-09"^^xsd:date ;
        schema:inLanguage "id" .
    body:kabar-contoh a schema:NewsMediaOrganization ; skos:prefLabel "Kabar Contoh"@id .
    person:siti-contoh a foaf:Person ; skos:prefLabel "Siti Contoh"@id .
}
"""


def test_hole_additions_must_declare_every_prefix_they_need_not(kg, project_copy, tmp_path):
    path = tmp_path / "undeclared.trig"
    path.write_text(UNDECLARED, encoding="utf-8")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 0, run
    assert "added 9 statement(s)" in run.out
    turtle = tmp_path / "facts.ttl"
    turtle.write_text('person:budi-contoh a foaf:Person ; skos:prefLabel "Budi"@id .\n')
    run = kg("--root", project_copy.root, "add", turtle, "--source", "906_x", "--amend", "906_x")
    assert run.code == 0, run


def test_kg_validate_reads_files_with_the_project_prefixes(kg, tmp_path):
    path = tmp_path / "undeclared.trig"
    path.write_text(UNDECLARED, encoding="utf-8")
    run = kg("validate", path)
    assert run.code == 0, run


@pytest.mark.parametrize("line, column", [(1, 1), (1, 14), (2, 5), (6, 5)])
def test_hole_undeclared_prefixes_keep_error_lines_and_columns(kg, tmp_path, line, column):
    """An error on line N of a file without prefix declarations is reported at line N."""
    lines = UNDECLARED.splitlines()
    before = lines[line - 1]
    lines[line - 1] = before[:column - 1] + "nope:x " + before[column - 1:]
    path = tmp_path / "bad.trig"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (("add", "--dry-run"), ("validate",)):
        run = kg(*command, path)
        assert run.code == 2, run
        assert f'bad.trig:{line}:{column}: syntax error: Prefix "nope:" not bound' in run.err, \
            run.err


def test_a_files_own_prefix_wins_over_the_projects(tmp_path):
    from kg.untrusted import parse_untrusted

    path = tmp_path / "own.ttl"
    path.write_text("@prefix person: <https://other.example/people/> .\n"
                    'person:ani foaf:name "Ani" .\n')
    (quad,) = parse_untrusted(path)
    assert quad.subject.value == "https://other.example/people/ani"
    assert quad.predicate.value == "http://xmlns.com/foaf/0.1/name"


def test_an_unknown_prefix_is_still_refused_at_its_place(kg, tmp_path):
    path = tmp_path / "unknown.ttl"
    path.write_text('person:ani a foaf:Person .\nperson:ani foo:knows person:budi .\n')
    run = kg("add", "--dry-run", path, "--source", "906_x")
    assert run.code == 2
    assert 'unknown.ttl:2:12: syntax error: Prefix "foo:" not bound' in run.err


# ---------------------------------------------------------------------------- refusals


def problems_of(out: str) -> dict[str, list[str]]:
    """A refusal's account: each problem line -> the new statements shown under it."""
    found: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith(("Violation", "Warning", "Info")):
            current = line
            found[current] = []
        elif line.startswith("    new statement:") and current is not None:
            found[current].append(line.strip())
    return found


def test_hole_refusal_lists_statements_that_are_not_the_faulty_ones_sections_over_total(
        kg, project_copy):
    """Chilled 60 + frozen 30 vs the facility's 80: the 30 t statement, not containedInPlace,
    type, hasPart of the facility."""
    path = ADD / "capacity-parts-over-total.trig"
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    problems = problems_of(run.out)
    (sum_problem,) = [p for p in problems if "add up to 110" in p]
    shown = problems[sum_problem]
    assert shown == ['new statement: facility:cold-storage-teritip--frozen--capacity '
                     'schema:value "30"^^xsd:integer .  (from capacity-parts-over-total.trig:17)']
    for line in problems.values():
        assert not any("containedInPlace" in s or "rdf:type" in s for s in line), problems


def test_hole_refusal_lists_statements_that_are_not_the_faulty_ones_share_over_100(
        kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "share-over-100-percent.trig")
    assert run.code == 1, run
    (shown,) = problems_of(run.out).values()
    assert shown == ['new statement: obs:908-manufacturing-pdrb-share sdmx-measure:obsValue '
                     '"147.0"^^xsd:decimal .  (from share-over-100-percent.trig:16)']


def test_refusal_of_a_path_shows_the_statement_on_it_with_its_line(kg, project_copy, tmp_path):
    text = UNDECLARED.replace('schema:inLanguage "id" .', 'schema:inLanguage "id" ;\n'
                              '        dct:identifier "another-id" .')
    path = tmp_path / "two-ids.trig"
    path.write_text(text, encoding="utf-8")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    (shown,) = [s for p, s in problems_of(run.out).items() if "dct:identifier" in p]
    assert all("dct:identifier" in s for s in shown), shown
    assert {s.rsplit("(from ", 1)[1] for s in shown} == {"two-ids.trig:2)", "two-ids.trig:5)"}


def test_statement_lines_are_where_each_statement_is_written(tmp_path):
    from kg.causes import statement_lines
    from kg.formats import RdfFormat
    from kg.untrusted import parse_untrusted

    path = ADD / "capacity-parts-over-total.trig"
    lines = statement_lines(path, RdfFormat.TRIG, {q.triple for q in parse_untrusted(path)})
    text = path.read_text().splitlines()
    for triple, line in lines.items():
        local = triple.object.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        assert local in text[line - 1], (triple, line)
    assert len(lines) == 14


# ---------------------------------------------------------------------------- conflicts

#: 900 says "sekitar 88 ribu" for 2024 where 004 says 87,397: different values, both possible.
COMPATIBLE = ("compatible: obs:900-umkm-count-2024 (source:900_test-article) 88000 'sekitar 88 ribu "
              "unit usaha' [qualifier:approximate] differs from, but agrees with, "
              "obs:004-umkm-count-2024 (source:004_ceeb33199186a361) 87397 '87.397 unit usaha' "
              "[qualifier:exact] (same period)")
#: 914 says "lebih dari 100 ribu" as of November 2025, 002 "93 ribu" on a day in it.
CONFLICT = ("conflict: obs:914-umkm-count-2025-11 (source:914_conflict-at-month-precision) 100000 "
            "'lebih dari 100 ribu unit usaha' [qualifier:lower-bound] disagrees with "
            "obs:002-umkm-count (source:002_90bcced4ea2d4b0f) 93000 '93 ribu unit usaha' "
            "[qualifier:approximate] (month 2025-11 holds day 2025-11-10)")
LATER = Path(__file__).resolve().parent / "fixtures" / "later"


def test_hole_conflicts_found_by_an_addition_are_not_printed_by_kg_add(kg, project_copy):
    before = {p.name: p.read_bytes() for p in project_copy.data_dir.iterdir()}
    dry = kg("--root", project_copy.root, "add", "--dry-run",
             LATER / "914-conflict-at-month-precision.trig")
    assert dry.code == 0, dry
    assert "figures of this addition that other sources state otherwise (saved query " \
           "conflicting-figures): 1" in dry.out
    assert "  " + CONFLICT in dry.out
    assert {p.name: p.read_bytes() for p in project_copy.data_dir.iterdir()} == before
    run = kg("--root", project_copy.root, "add", LATER / "914-conflict-at-month-precision.trig")
    assert run.code == 0, run
    assert CONFLICT in run.out


def test_kg_add_says_when_another_source_differs_but_both_can_hold(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "new-article.trig")
    assert run.code == 0, run
    assert "  " + COMPATIBLE in run.out


def test_kg_add_dry_run_on_a_store_prints_conflicts_and_leaves_the_store_as_it_was(
        kg, project_copy, tmp_path):
    from kg.graph import open_store

    store = tmp_path / "store"
    assert kg("--root", project_copy.root, "load", "--store", store).code == 0
    size = len(open_store(store).store)
    later = LATER / "914-conflict-at-month-precision.trig"
    run = kg("--root", project_copy.root, "add", "--store", store, "--dry-run", later)
    assert run.code == 0, run
    assert CONFLICT in run.out
    assert len(open_store(store).store) == size
    run = kg("--root", project_copy.root, "add", "--store", store, later)
    assert run.code == 0 and CONFLICT in run.out, run


def test_an_addition_without_conflicts_prints_none(kg, project_copy, tmp_path):
    path = tmp_path / "undeclared.trig"
    path.write_text(UNDECLARED, encoding="utf-8")
    run = kg("--root", project_copy.root, "add", "--dry-run", path)
    assert run.code == 0, run
    assert "conflicting-figures" not in run.out


