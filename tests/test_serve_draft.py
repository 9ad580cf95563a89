"""``/draft``: the page where a maintainer pastes an article and gets the draft ``kg draft`` writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kg.draft import Labels, draft_trig, read_article
from kg.graph import KnowledgeGraph
from kg.project import Project
from kg.serve import Dataset, create_app

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def client(shipped: KnowledgeGraph, project: Project) -> Iterator[TestClient]:
    with TestClient(create_app(Dataset(project, graph=shipped))) as client:
        yield client


def seed(name: str) -> str:
    found = sorted(SEEDS.glob(f"{name}_*.txt"))
    assert found, f"the seed article {name} is not in {SEEDS}"
    return found[0].read_text(encoding="utf-8")


def test_the_draft_page_writes_the_draft_kg_draft_writes(client: TestClient,
                                                          shipped: KnowledgeGraph) -> None:
    text = seed("002")
    answer = client.post("/draft", data={"text": text, "source_id": "005-later"},
                         headers={"Accept": "application/trig"})
    assert answer.status_code == 200, answer.text
    labels = Labels.of(shipped)
    expected = draft_trig(text, read_article(text, labels), stem="005-later", labels=labels,
                          origin="the text pasted at /draft")
    assert answer.text == expected
    page = client.post("/draft", data={"text": text, "source_id": "005-later"})
    assert "93 ribu" in page.text and "source:005-later" in page.text


def test_the_draft_page_escapes_the_pasted_text(client: TestClient) -> None:
    text = 'Wali Kota <script>alert(1)</script> "><img src=x onerror=alert(1)> 93 ribu UMKM.'
    page = client.post("/draft", data={"text": text, "source_id": "x-1"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text


@pytest.mark.parametrize(("form", "named"), [
    ({"text": "", "source_id": "x"}, "`text` is empty"),
    ({"text": "93 ribu", "source_id": "../etc"}, "`source_id`"),
    ({"text": "x" * 200_001, "source_id": "x"}, "paste one article"),
])
def test_a_bad_draft_form_is_a_400_naming_the_field(client: TestClient, form: dict[str, str],
                                                    named: str) -> None:
    answer = client.post("/draft", data=form)
    assert answer.status_code == 400
    assert named in answer.text
