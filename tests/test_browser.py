"""The web pages in a real browser: Debian's Chromium, headless, driven by Playwright, against a
real ``kg serve`` on 127.0.0.1 (tests/serve_server.py).

What a user does: run a saved query from its form and see the rows (and a bad value's reason
next to the form); run an ad hoc query in the editor; see a result as a chart; open an entity
page and follow a source link; see an indicator's chart. On every page: no console error, no
failed request, nothing asked of any other host (the Content-Security-Policy lets a page load
only what kg serves, and every request leaving 127.0.0.1 is refused and counted here).

The browser is the system's ``/usr/bin/chromium`` (``$KG_CHROMIUM`` to use another); Playwright
never downloads one. Without it the tests are skipped, unless ``KG_REQUIRE_BROWSER=1`` (as in
CI: ``.ci/run`` installs Debian's chromium), where a missing browser is a failure.
``KG_BROWSER_URL`` runs them against a server already running there instead of starting one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_server import kg_server

from kg.prefixes import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
#: Chromium without anything that reaches the network on its own (updates, sync, QUIC probes).
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000


def unavailable(reason: str) -> None:
    """Skip, or fail where a browser is required (``KG_REQUIRE_BROWSER=1``, as in CI)."""
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (KG_REQUIRE_BROWSER=1: a missing browser is a failure)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if os.environ.get("KG_BROWSER_URL"):
        yield os.environ["KG_BROWSER_URL"].rstrip("/")
        return
    with kg_server("--root", str(ROOT)) as url:
        yield url


class Watch:
    """What went wrong in a page: console errors, uncaught exceptions, failed requests,
    answers of 400 and more, and requests to any other host (refused)."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.problems: list[str] = []
        #: problems the test provokes on purpose (patterns), not counted
        self.expected: list[str] = []

    def attach(self, context: Any, page: Any) -> None:
        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(self.server + "/") or url.startswith("data:"):
                request_route.continue_()
            else:
                self.problems.append(f"request to another host: {url}")
                request_route.abort()

        def console(message: Any) -> None:
            if message.type == "error":
                self.problems.append(
                    f"console error: {message.text} ({message.location.get('url', '')})")

        def response(answer: Any) -> None:
            if answer.status >= 400:
                self.problems.append(f"answer {answer.status}: {answer.url}")

        context.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(
            f"request failed: {request.url} ({request.failure})"))
        page.on("response", response)

    def check(self) -> None:
        left = [p for p in self.problems
                if not any(re.search(pattern, p) for pattern in self.expected)]
        assert not left, "problems in the page:\n" + "\n".join(left)


@pytest.fixture
def watched(browser: Any, server: str, request: pytest.FixtureRequest
            ) -> Iterator[tuple[Any, Watch]]:
    """A fresh page (its own storage) and what goes wrong in it, checked after the test
    (when the test itself passed: a failed one reports its own cause)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(server)
    watch.attach(context, page)
    failed_before = request.session.testsfailed
    yield page, watch
    try:
        if request.session.testsfailed == failed_before:
            watch.check()
    finally:
        context.close()


def open_saved_query(page: Any, server: str, name: str) -> Any:
    page.goto(server + "/")
    saved = page.locator(f"details#q-{name}")
    saved.locator("summary").click()
    return saved


def editor_ready(page: Any) -> None:
    page.wait_for_selector("#editor .CodeMirror")
    page.wait_for_function("() => window.kgYasgui && window.kgYasgui.getTab()")


def run_in_editor(page: Any) -> None:
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/sparql")) as answer:
        page.locator("#editor .yasqe_queryButton").click()
    assert answer.value.status == 200


# --------------------------------------------------------------------------- the query page

def test_a_saved_query_runs_from_its_form_and_shows_the_rows(watched: Any, server: str) -> None:
    page, watch = watched
    saved = open_saved_query(page, server, "post-holder-on-date")
    form = saved.locator("form")
    # typed inputs: a date picker for the date, text (with the example shown) for the IRI
    assert form.locator("input[name=on]").get_attribute("type") == "date"
    post = form.locator("input[name=post]")
    assert post.get_attribute("type") == "text"
    assert post.get_attribute("placeholder") == "post:head-dkumkmp-balikpapan"
    form.locator("button.fill-example").click()
    assert post.input_value() == "post:head-dkumkmp-balikpapan"
    assert form.locator("input[name=on]").input_value() == "2024-11-25"
    with page.expect_response(lambda r: "/api/queries/post-holder-on-date?" in r.url) as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 200
    rows = saved.locator(".rows table.results tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 1
    text = saved.locator(".rows").inner_text()
    assert "attested on that date" in text
    # the holder links to its own page on this server
    holder = saved.locator('.rows a[href="/id/person/heru-ressandy"]')
    assert holder.count() >= 1
    assert form.locator(".error").is_hidden()


def test_a_bad_parameter_is_explained_next_to_its_form(watched: Any, server: str) -> None:
    page, watch = watched
    watch.expected = [r"status of 400", r"answer 400: .*/api/queries/post-holder-on-date"]
    saved = open_saved_query(page, server, "post-holder-on-date")
    form = saved.locator("form")
    form.locator("input[name=post]").fill("not an IRI")
    form.locator("input[name=on]").fill("2024-11-25")
    with page.expect_response(lambda r: "/api/queries/post-holder-on-date?" in r.url) as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 400
    error = form.locator(".error")
    error.wait_for()
    assert "post" in error.inner_text()
    assert saved.locator(".rows table").count() == 0


def test_the_editor_starts_with_the_project_prefixes_and_runs_its_query(
        watched: Any, server: str) -> None:
    page, watch = watched
    page.goto(server + "/")
    editor_ready(page)
    text = page.evaluate("() => window.kgYasgui.getTab().getYasqe().getValue()")
    for prefix, namespace in PREFIXES.items():
        assert f"<{namespace}>" in text and f"PREFIX {prefix}:" in text, prefix
    # syntax highlighting: CodeMirror's SPARQL mode marks keywords and variables
    assert page.locator("#editor .CodeMirror .cm-keyword").count() > 0
    assert page.locator("#editor .CodeMirror .cm-variable-2, #editor .CodeMirror .cm-atom"
                        ).count() > 0
    run_in_editor(page)
    page.locator("#editor .yasr_results table tbody tr").first.wait_for()
    assert "Heru Ressandy" in page.locator("#editor .yasr_results").inner_text()


def test_an_ad_hoc_query_typed_in_the_editor_runs(watched: Any, server: str) -> None:
    page, watch = watched
    page.goto(server + "/")
    editor_ready(page)
    page.locator("#editor .CodeMirror-code").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    typed = ('PREFIX skos: <http://www.w3.org/2004/02/skos/core#> '
             'SELECT ?name WHERE { <https://kg.example/id/person/heru-ressandy> '
             'skos:prefLabel ?name }')
    page.keyboard.type(typed)
    page.keyboard.press("Escape")  # close an autocompletion hint, if one opened
    assert page.evaluate("() => window.kgYasgui.getTab().getYasqe().getValue()") == typed
    run_in_editor(page)
    page.locator("#editor .yasr_results table tbody tr").first.wait_for()
    rows = page.locator("#editor .yasr_results table tbody tr")
    assert rows.count() == 1
    assert "Heru Ressandy" in rows.first.inner_text()


def test_a_numeric_result_is_drawn_as_a_chart(watched: Any, server: str) -> None:
    page, watch = watched
    page.goto(server + "/")
    editor_ready(page)
    page.evaluate("""() => window.kgYasgui.getTab().getYasqe().setValue(
        'SELECT ?year ?count WHERE { VALUES (?year ?count) '
        + '{ ("2021" 10) ("2022" 14) ("2023" 13) } }')""")
    run_in_editor(page)
    page.locator("#editor .yasr_results table tbody tr").first.wait_for()
    page.locator("#editor .yasr .select_chart").click()
    marks = page.locator("#editor .yasr_results svg.kg-chart circle.mark")
    marks.first.wait_for()
    assert marks.count() == 3


# --------------------------------------------------------------------------- the pages

def test_an_entity_page_links_to_the_page_of_its_source(watched: Any, server: str) -> None:
    page, watch = watched
    answer = page.goto(server + "/id/person/heru-ressandy")
    assert answer is not None and answer.status == 200
    assert "Heru Ressandy" in page.title()
    sources = page.locator('main a[href*="/source/"]')
    assert sources.count() >= 1
    with page.expect_navigation() as navigation:
        sources.first.click()
    followed = navigation.value
    assert followed is not None and followed.status == 200
    assert "/source/" in page.url
    assert page.title().strip()
    assert page.locator("main h1").count() == 1


def test_the_chart_of_an_indicator_is_drawn(watched: Any, server: str) -> None:
    page, watch = watched
    answer = page.goto(server + "/code/indicator/umkm-count")
    assert answer is not None and answer.status == 200
    chart = page.locator("main svg").first
    chart.wait_for()
    assert chart.bounding_box()["width"] > 100
    marks = chart.locator("circle, rect, path, polygon, line")
    assert marks.count() >= 2
