"""kg site: the server's pages as files a static host serves, the dumps, VoID + DCAT.

The site is read here the way a static host serves it: a link is resolved against
the URL the page is read at (``/id/x/`` for ``id/x/index.html``), and a path is a
file, or a folder with an ``index.html``. Every same-site link of every page must
lead to a file; the SPARQL endpoint and the API (``/sparql``, ``/api/``) need a
server and are left out of the site.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pyoxigraph as ox
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kg.errors import InputError
from kg.graph import KnowledgeGraph, load_graph
from kg.project import Project
from kg.serve import site as site_module
from kg.serve.site import (MARKER, crawl_site, links_in, relocate, server_only, write_site)

ROOT = Path(__file__).resolve().parents[1]
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
PUBLISHED = "https://data.example.org/kg/"
HOST = "http://host.test"


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.locate(str(ROOT))


@pytest.fixture(scope="module")
def graph(project: Project) -> KnowledgeGraph:
    return load_graph(project)


@pytest.fixture(scope="module")
def site(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("site") / "out"
    return folder, write_site(folder, project)


@pytest.fixture(scope="module")
def based(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("based") / "out"
    write_site(folder, project, base=PUBLISHED)
    return folder


def named_quads(graph: KnowledgeGraph) -> set[ox.Quad]:
    return {q for q in graph.store if not isinstance(q.graph_name, ox.DefaultGraph)}


def hosted(folder: Path, path: str) -> Path | None:
    """The file a static host serves at ``path`` (a file, or a folder's index.html), or None."""
    local = folder / unquote(path).lstrip("/")
    if local.is_file():
        return local
    if (local / "index.html").is_file():
        return local / "index.html"
    return None


def url_of(folder: Path, page: Path) -> str:
    """The URL path a static host reads ``page`` at."""
    relative = page.relative_to(folder).as_posix()
    return "/" + (relative.removesuffix("index.html") if page.name == "index.html" else relative)


def site_links(folder: Path, prefix: str = "") -> list[tuple[str, str, str]]:
    """(page, link, path in the site) for every same-site link of every page and chart."""
    found = []
    for page in sorted(folder.rglob("*")):
        if page.suffix not in (".html", ".svg"):
            continue
        url = prefix + url_of(folder, page)
        for link in links_in(page.read_text(encoding="utf-8")):
            parts = urlsplit(urljoin(HOST + url, link))
            if f"{parts.scheme}://{parts.netloc}" != HOST or link.startswith("#"):
                continue
            path = parts.path.removeprefix(prefix)
            if not server_only(path + ("?" + parts.query if parts.query else "")):
                found.append((url, link, path))
    return found


def pages_are_served() -> bool:
    """Whether this branch's application has pages (kg.serve.pages may be a placeholder)."""
    from kg.serve import pages
    from kg.serve.context import Context
    from kg.serve.dataset import Dataset

    dataset = Dataset(Project.locate(str(ROOT)), graph=KnowledgeGraph(ox.Store()))
    try:
        return bool(pages.routes(Context(dataset)))
    finally:
        dataset.close()


# ----------------------------------------------------------------------------- the pages

def test_every_link_of_every_page_leads_to_a_file(site):
    folder, report = site
    assert not report.broken
    missing = [(page, link) for page, link, path in site_links(folder) if hosted(folder, path) is None]
    assert not missing, missing[:10]


@pytest.mark.skipif(not pages_are_served(), reason="kg.serve.pages serves no page on this branch yet")
def test_the_entry_pages_and_every_thing_of_the_graph_are_written(site, graph):
    folder, report = site
    for path in ("/sources", "/indicators", "/def/"):
        assert hosted(folder, path) is not None, path
    things = site_module.entry_paths(graph)[len(site_module.ENTRY_PATHS):]
    assert report.pages >= len(things) - report.unserved
    assert report.unserved < len(things) / 10  # most things have a page
    person = next(p for p in things if p.startswith("/id/person/"))
    assert (folder / person.lstrip("/") / "index.html").is_file()
    assert (folder / (person.lstrip("/") + ".ttl")).is_file()


def test_the_stylesheet_every_page_loads_is_in_the_site(site):
    folder, _ = site
    if any(folder.rglob("index.html")):
        assert (folder / "static" / "kg.css").is_file()


# ----------------------------------------------------------------------------- dumps and VoID

@pytest.mark.parametrize("name,fmt", [("kg.trig", ox.RdfFormat.TRIG),
                                      ("kg.nq", ox.RdfFormat.N_QUADS),
                                      ("kg.jsonld", ox.RdfFormat.JSON_LD)])
def test_the_dumps_hold_every_statement_of_the_graph(site, graph, name, fmt):
    folder, report = site
    quads = list(ox.parse(path=folder / "dumps" / name, format=fmt))
    assert len(quads) == len(named_quads(graph)) == report.quads
    assert set(quads) == named_quads(graph)


def void_graph(folder: Path, where: str = "void.ttl") -> ox.Store:
    store = ox.Store()
    store.load(path=folder / where, format=ox.RdfFormat.TURTLE, base_iri=HOST + "/" + where)
    return store


def one(store: ox.Store, subject: object, predicate: str) -> ox.NamedNode | ox.Literal:
    found = [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]  # type: ignore[arg-type]
    assert len(found) == 1, (predicate, found)
    return found[0]  # type: ignore[return-value]


def the_dataset(store: ox.Store) -> ox.NamedNode:
    datasets = {q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(VOID + "sparqlEndpoint"), None)} | {q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(VOID + "dataDump"), None)}
    assert len(datasets) == 1
    return datasets.pop()  # type: ignore[return-value]


def test_void_counts_what_the_dumps_hold(site, graph):
    folder, report = site
    store = void_graph(folder)
    dataset = the_dataset(store)
    assert int(one(store, dataset, VOID + "triples").value) == report.quads == len(named_quads(graph))
    subsets = [q.object for q in store.quads_for_pattern(dataset, ox.NamedNode(VOID + "subset"), None)]
    assert len(subsets) == len(graph.named_graphs())
    assert sum(int(one(store, s, VOID + "triples").value) for s in subsets) == report.quads
    subjects = {q.subject for q in named_quads(graph)}
    assert int(one(store, dataset, VOID + "distinctSubjects").value) == len(subjects)
    assert one(store, dataset, VOID + "uriSpace").value == "https://kg.example/"
    assert not list(store.quads_for_pattern(None, ox.NamedNode(VOID + "sparqlEndpoint"), None))
    assert not list(store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/license"), None))
    dumps = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(DCAT + "downloadURL"), None)}
    assert dumps == {f"{HOST}/dumps/kg.trig", f"{HOST}/dumps/kg.nq", f"{HOST}/dumps/kg.jsonld"}
    for dump in dumps:
        assert hosted(folder, urlsplit(dump).path) is not None
    # the same description at the well-known address, the dumps found from there too
    assert (folder / ".well-known" / "void").read_bytes() == (folder / "void.ttl").read_bytes()
    vocabularies = {q.object.value for q in store.quads_for_pattern(dataset, ox.NamedNode(VOID + "vocabulary"), None)}
    assert {"https://kg.example/def/", "http://www.w3.org/ns/org#"} <= vocabularies


# ----------------------------------------------------------------------------- --base

def test_a_base_mints_every_iri_of_the_pages_and_dumps_under_it(based, graph):
    for name in ("kg.trig", "kg.nq", "kg.jsonld"):
        text = (based / "dumps" / name).read_text(encoding="utf-8")
        assert "kg.example" not in text, name
    quads = list(ox.parse(path=based / "dumps" / "kg.nq", format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(named_quads(graph))
    for page in based.rglob("*.html"):
        for link in links_in(page.read_text(encoding="utf-8")):
            assert "kg.example" not in link, (page, link)
    # a site under a path: every root-relative link carries it
    missing = [(p, link) for p, link, path in site_links(based, prefix="/kg")
               if hosted(based, path) is None]
    assert not missing, missing[:10]
    store = void_graph(based)
    dataset = the_dataset(store)
    assert one(store, dataset, VOID + "sparqlEndpoint").value == PUBLISHED + "sparql"
    assert one(store, dataset, VOID + "uriSpace").value == PUBLISHED
    dumps = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(DCAT + "downloadURL"), None)}
    assert dumps == {PUBLISHED + "dumps/kg.trig", PUBLISHED + "dumps/kg.nq", PUBLISHED + "dumps/kg.jsonld"}
    assert "kg.example" not in (based / "void.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize("base", ["ftp://data.example.org/", "https://data.example.org/kg",
                                  "data.example.org/", "https:///kg/"])
def test_a_base_that_is_not_an_http_folder_url_is_refused(project, tmp_path, base):
    with pytest.raises(InputError, match="--base"):
        write_site(tmp_path / "out", project, base=base)
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- the folder

@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """kg site over the stand-in server below (what the folder tests need, in a moment)."""
    monkeypatch.setattr(site_module, "site_app", lambda *args: tiny_app())
    monkeypatch.setattr(site_module, "entry_paths", lambda graph: ["/"])


def test_a_folder_of_other_files_is_refused_and_left_alone(project, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("mine")
    with pytest.raises(InputError, match="not a site kg wrote"):
        write_site(folder, project)
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_a_previous_site_is_replaced_whole(project, tmp_path, small):
    folder = tmp_path / "out"
    write_site(folder, project)
    (folder / "stale.html").write_text("from an older graph")
    write_site(folder, project)
    assert (folder / MARKER).is_file() and not (folder / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary left beside


def test_a_failure_halfway_leaves_no_half_written_site(project, tmp_path, monkeypatch, small):
    folder = tmp_path / "out"
    write_site(folder, project)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))

    def failing(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(site_module, "void_text", failing)
    with pytest.raises(OSError):
        write_site(folder, project)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    with pytest.raises(OSError):
        write_site(tmp_path / "new", project)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_site_reports_what_it_wrote_and_fails_on_a_broken_link(kg, tmp_path, small):
    run = kg("site", "-o", tmp_path / "out")
    assert run.code == 1, run  # the stand-in server's /a links to a page it does not serve
    assert run.out.startswith("wrote 4 pages (7 files") and "void.ttl" in run.out
    assert "warning: /a links to /gone, which the server answers with 404" in run.out
    run = kg("site", "-o", tmp_path / "out2", "--base", "https://data.example.org/kg")
    assert run.code == 2 and "must end with '/'" in run.err and run.err.count("\n") == 1


# ----------------------------------------------------------------------------- the crawler

def tiny_app() -> Starlette:
    """A stand-in server: pages linking each other in every way a page can link."""
    async def home(request):
        return HTMLResponse('<a href="/a">a</a> <a href="b">b</a> <a href="#top">top</a> '
                            '<a href="https://kg.example/id/thing/c#x">c</a> '
                            '<a href="/sparql?query=ASK%7B%7D">q</a> <a href="/api/queries">api</a> '
                            '<a href="https://example.org/elsewhere">out</a>')

    async def a(request):
        return HTMLResponse('<link rel="stylesheet" href="/static/s.css">'
                            '<img src="chart.svg"><a href="a.ttl">rdf</a> <a href="/gone">gone</a> '
                            '<a href="/a?lang=en">en</a>')

    async def b(request):
        return HTMLResponse('<a href="../">home</a> <a href="/id/thing/c">c</a>')

    async def c(request):
        return HTMLResponse("<p>c</p>")

    async def svg(request):
        return Response('<svg xmlns="http://www.w3.org/2000/svg"><a href="/b"><text>b</text></a></svg>',
                        media_type="image/svg+xml")

    async def ttl(request):
        return Response("<x:a> <x:b> <x:c> .\n", media_type="text/turtle")

    async def css(request):
        return Response("body{}", media_type="text/css")

    async def sparql(request):  # must never be fetched
        raise AssertionError("the crawler asked the SPARQL endpoint")

    return Starlette(routes=[Route("/", home), Route("/a", a), Route("/b", b),
                             Route("/id/thing/c", c), Route("/chart.svg", svg),
                             Route("/a.ttl", ttl), Route("/static/s.css", css),
                             Route("/sparql", sparql), Route("/api/queries", sparql)])


def test_the_crawler_follows_every_same_site_link_and_writes_what_a_host_serves(tmp_path):
    import asyncio

    crawl = asyncio.run(crawl_site(tiny_app(), tmp_path, starts=["/", "/nothing-here"]))
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["a.ttl", "a/index.html", "b/index.html", "chart.svg", "id/thing/c/index.html",
                       "index.html", "static/s.css"]
    assert crawl.pages == 4
    assert crawl.broken == [("/a", "/a?lang=en", "a query string needs a server"),
                            ("/a", "/gone", "which the server answers with 404")]
    # relative links now read from the page's folder (/a/ on a host)
    page = (tmp_path / "a" / "index.html").read_text()
    assert 'src="/chart.svg"' in page and 'href="/a.ttl"' in page
    assert 'href="/b"' in (tmp_path / "index.html").read_text()


def test_relocate_puts_the_sites_path_before_its_links_and_leaves_others_alone():
    page = ('<a href="/id/x">x</a><img src="c.svg"><a href="#f">f</a>'
            '<a href="https://example.org/">o</a><a href="//cdn.example/x">p</a><p>href=&#34;/no&#34;</p>')
    assert relocate(page, "/id/y", "/kg") == (
        '<a href="/kg/id/x">x</a><img src="/kg/id/c.svg"><a href="#f">f</a>'
        '<a href="https://example.org/">o</a><a href="//cdn.example/x">p</a><p>href=&#34;/no&#34;</p>')
