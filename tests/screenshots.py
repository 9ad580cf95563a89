"""The README's screenshots, taken as tests/test_browser.py drives the pages: a real ``kg serve``
and Debian's Chromium, headless. Not a test: run it by hand after a change to the pages,

    PYTHONPATH=src python tests/screenshots.py [--url http://127.0.0.1:8000] [-o docs/screenshots]

and look at each PNG before committing it. Without ``--url`` it starts ``kg serve`` on the
project itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_server import kg_server  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT  # noqa: E402

WIDTH, HEIGHT = 1280, 900


@contextmanager
def server(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
    else:
        with kg_server("--root", str(ROOT)) as started:
            yield started


def query_page(page: Any, url: str, out: Path) -> None:
    """The editor with its example query's results."""
    page.goto(url + "/")
    page.wait_for_function("() => window.kgYasgui && window.kgYasgui.getTab()")
    page.locator("#editor .yasqe_queryButton").click()
    page.locator("#editor .yasr_results table tbody tr").first.wait_for()
    page.screenshot(path=str(out / "query-page.png"))


def saved_query(page: Any, url: str, out: Path) -> None:
    """A saved query's form, run with its example values."""
    page.goto(url + "/")
    saved = page.locator("details#q-post-holder-on-date")
    saved.locator("summary").click()
    saved.locator("button.fill-example").click()
    saved.locator("button[type=submit]").click()
    saved.locator(".rows table.results tbody tr").first.wait_for()
    saved.screenshot(path=str(out / "saved-query.png"))


def opened(page: Any, url: str) -> None:
    answer = page.goto(url)
    if answer is None or answer.status != 200:
        raise RuntimeError(f"{url} answered {answer and answer.status}")


def entity_page(page: Any, url: str, out: Path) -> None:
    opened(page, url + "/id/person/heru-ressandy")
    page.screenshot(path=str(out / "entity-page.png"), full_page=True)


def indicator_chart(page: Any, url: str, out: Path) -> None:
    opened(page, url + "/code/indicator/umkm-count")
    page.locator("main svg").first.wait_for()
    page.screenshot(path=str(out / "indicator-chart.png"), full_page=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running kg serve (default: start one)")
    parser.add_argument("-o", "--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with server(args.url) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        failed = 0
        for shot in (query_page, saved_query, entity_page, indicator_chart):
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.set_default_timeout(20_000)
            try:
                shot(context.new_page(), url, out)
                print(f"{shot.__name__}: done")
            except Exception as error:  # one page missing should not stop the others
                failed += 1
                print(f"{shot.__name__}: failed: {error}".splitlines()[0], file=sys.stderr)
            finally:
                context.close()
        browser.close()
    print(f"screenshots in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
