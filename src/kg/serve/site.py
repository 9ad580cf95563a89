"""``kg site``: the graph's pages as a static site, with the dumps and a VoID + DCAT description.

The pages are the server's own: the application is built over the project's graph
and asked for each page in-process (no socket), starting from the entry pages and
every IRI of the graph under ``https://kg.example/``, following every same-site
``href`` and ``src`` it answers with. Each answer becomes a file that any static
host serves at the same path:

- an HTML page at ``/id/person/x`` -> ``id/person/x/index.html`` (a host answers
  ``/id/person/x`` with a redirect to ``/id/person/x/``), ``/`` -> ``index.html``;
- anything else (``.ttl``, ``.jsonld``, ``.svg``, ``/static/...``) at its own path.

Links are left as the server writes them (root-relative), except under a ``--base``
with a path (``https://data.example.org/kg/``), where the site lives below that
path: root-relative links then get the path in front (:func:`relocate`, the one
place a page is changed). The SPARQL endpoint and the API (``/sparql``, ``/api/``)
need a server: they are not written, and links to them are left for a ``kg serve``
beside the site (VoID names the endpoint only under a ``--base``).

The site is built in a temporary folder beside ``DIR`` and renamed into place at
the end, so a failure leaves no half-written site; ``DIR`` must be new, empty, or a
site kg wrote before (it holds :data:`MARKER`), so that nothing else is replaced.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

import pyoxigraph as ox

from ..errors import InputError
from ..formats import RdfFormat
from ..prefixes import BASE, PREFIXES
from .paths import Paths

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message

    from ..graph import KnowledgeGraph
    from ..project import Project

#: The pages a visitor starts from (the navigation of every page).
ENTRY_PATHS = ("/", "/sources", "/indicators", "/def/")
#: Paths only a running server answers: not written; links to them are left as they are.
SERVER_ONLY = ("/sparql", "/api/")
#: The RDF of each thing, served beside its page by suffix.
RDF_SUFFIXES = (".ttl", ".jsonld")
#: The dumps: file name -> (format, its name for people).
DUMPS = {"kg.trig": (RdfFormat.TRIG, "TriG"), "kg.nq": (RdfFormat.NQUADS, "N-Quads"),
         "kg.jsonld": (RdfFormat.JSONLD, "JSON-LD")}
#: In a folder kg site wrote: says so (a later kg site may replace the folder).
MARKER = ".kg-site"
#: Pages fetched at once.
CONCURRENCY = 8

#: The dataset's title and description (as the README states them).
TITLE = "The Balikpapan industry knowledge graph"
DESCRIPTION = ("What Indonesian news articles report about Balikpapan's industry and small "
               "businesses (UMKM, IKM), as a validated RDF knowledge graph: who heads which "
               "agency and when, programs and events, facilities, and every figure with its "
               "unit, reference period, qualifier and the article that states it. Each "
               "statement is in the named graph of its source article.")


@dataclass
class Crawl:
    """What the crawl found: files written, and links that lead nowhere."""

    files: dict[str, str] = field(default_factory=dict)  #: path -> file written (relative)
    pages: int = 0  #: HTML pages among the files
    broken: list[tuple[str, str, str]] = field(default_factory=list)  #: (page, link, why)
    unserved: int = 0  #: IRIs of the graph the server has no page for (linked from nowhere)


@dataclass(frozen=True)
class SiteReport:
    """What :func:`write_site` wrote."""

    folder: Path
    pages: int
    files: int
    quads: int
    seconds: float
    broken: tuple[tuple[str, str, str], ...] = ()
    unserved: int = 0

    def to_text(self) -> str:
        lines = [f"wrote {self.pages} pages ({self.files} files with the RDF, charts and assets), "
                 f"the dumps of {self.quads} statements (dumps/kg.trig, kg.nq, kg.jsonld) and "
                 f"void.ttl to {self.folder} in {self.seconds:.1f} s"]
        if self.unserved:
            lines.append(f"  {self.unserved} IRIs of the graph have no page (and no page links "
                         "to them)")
        for page, link, why in self.broken:
            lines.append(f"warning: {page} links to {link}, {why}: the link is broken in the site")
        return "\n".join(lines) + "\n"


def write_site(folder: Path, project: Project, *, base: str | None = None) -> SiteReport:
    """Write the static site of ``project``'s graph into ``folder`` (see the module docstring).

    Raises:
        InputError: ``base`` is not an http(s) URL ending with ``/``; ``folder`` holds
            files and is not a site kg wrote; it cannot be written.
        SourceFileError: a file of the project cannot be read.
    """
    from ..export import check_base
    from ..graph import load_graph

    started = time.monotonic()
    if base is not None:
        check_base(base)
    check_folder(folder)
    graph = load_graph(project)
    try:
        building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".building",
                                         dir=folder.parent))
    except OSError as exc:
        raise InputError(f"cannot write the site beside {folder}: {exc.strerror}") from None
    try:
        crawl = asyncio.run(crawl_site(site_app(project, graph, base), building,
                                       starts=entry_paths(graph), paths=Paths(base or BASE)))
        quads = write_dumps(graph, building / "dumps", base=base)
        void = void_text(graph, base=base)
        (building / "void.ttl").write_text(void, encoding="utf-8")
        (building / ".well-known").mkdir(exist_ok=True)
        (building / ".well-known" / "void").write_text(void, encoding="utf-8")
        (building / MARKER).write_text("written by kg site; kg site may replace this folder\n",
                                       encoding="utf-8")
        swap_in(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return SiteReport(folder, crawl.pages, len(crawl.files), quads,
                      time.monotonic() - started, tuple(crawl.broken), crawl.unserved)


# --------------------------------------------------------------------------- the folder

def check_folder(folder: Path) -> None:
    """Refuse a folder that holds files and is not a site kg wrote (nothing of it is touched).

    Raises:
        InputError: it is one, or its parent folder does not exist.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file: give a folder for the site")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise InputError(f"{folder} holds files and is not a site kg wrote: give a new or "
                         "empty folder (kg site replaces only a folder it wrote)")
    if not folder.parent.is_dir():
        raise InputError(f"no folder {folder.parent} to write the site in")


def swap_in(building: Path, folder: Path) -> None:
    """Put the finished site at ``folder``: the old one (if any) goes only once the new is there."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.{building.name}.old")
        folder.rename(old)
    building.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- the pages

def site_app(project: Project, graph: KnowledgeGraph, base: str | None) -> ASGIApp:
    """The application ``kg serve`` would run over ``graph`` (without its access log)."""
    from .app import create_app
    from .context import Options
    from .dataset import Dataset

    dataset = Dataset(project, graph=graph, timeout=60.0, max_rows=10_000_000)
    return create_app(dataset, options=Options(access_log=False), base=base)


def entry_paths(graph: KnowledgeGraph) -> list[str]:
    """The entry pages, then the path of every IRI of the graph under ``https://kg.example/``."""
    rows = graph.query(
        "SELECT DISTINCT ?x WHERE { { GRAPH ?g { ?x ?p ?o } } UNION { GRAPH ?g { ?s ?p ?x } } "
        f'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}').rows
    paths = Paths()
    found = {paths.path_of(row["x"].value) for row in rows}  # type: ignore[union-attr]
    return list(ENTRY_PATHS) + sorted({p.split("#", 1)[0] for p in found if p} - set(ENTRY_PATHS))


def path_prefix(base: str | None) -> str:
    """The path of the site under ``base`` ("" at a host's root): what root-relative links need."""
    return urlsplit(base).path.rstrip("/") if base else ""


def server_only(path: str) -> bool:
    return any(path == p or path.startswith(p if p.endswith("/") else p + "?") or
               (p.endswith("/") and path == p.rstrip("/")) for p in SERVER_ONLY)


async def crawl_site(app: ASGIApp, folder: Path, *, starts: Iterable[str],
                     paths: Paths | None = None) -> Crawl:
    """Fetch ``starts`` and every same-site page they link to from ``app``; write each to ``folder``.

    A start that is not served is skipped (the entry pages, a thing with no page); a
    link to a page that is not served, or that needs a server (a query string), is a
    broken link of the site (:attr:`Crawl.broken`). ``paths``: the published base
    (links to its IRIs lead into the site; its path goes in front of every link).
    """
    paths = paths or Paths()
    prefix = path_prefix(paths.base)
    crawl = Crawl()
    starts = list(starts)
    linked: dict[str, str] = {}  # path -> the first page linking to it
    queue: deque[str] = deque()
    seen: set[str] = set()

    def enqueue(path: str, page: str | None) -> None:
        if page is not None:
            linked.setdefault(path, page)
        if path not in seen:
            seen.add(path)
            queue.append(path)

    for path in starts:
        enqueue(path, None)
    entity_paths = {p for p in starts if p not in ENTRY_PATHS}

    # the requests go to the application itself, in-process: no HTTP client, no network
    async def fetch(path: str) -> None:
        if "?" in path:  # a static host answers every query string with the same file
            crawl.broken.append((linked[path], path, "a query string needs a server"))
            return
        answer = await asgi_get(app, path, accept="text/html,*/*;q=0.8")
        if answer.status_code != 200:
            if path in linked:
                crawl.broken.append((linked[path], path, "which the server answers with "
                                     f"{answer.status_code}"))
            elif path in entity_paths:
                crawl.unserved += 1
            return
        media = answer.headers.get("content-type", "").split(";")[0].strip()
        target = file_of(path, html=media == "text/html")
        body = answer.content
        if media in ("text/html", "image/svg+xml"):
            text = answer.content.decode("utf-8", errors="replace")
            for link in links_in(text):
                found = same_site(link, path, paths)
                if found is not None and not server_only(found):
                    enqueue(found, path)
            if media == "text/html":
                body = relocate(text, path, prefix).encode("utf-8")
        written = folder / target
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_bytes(body)
        crawl.files[path] = str(target)
        crawl.pages += media == "text/html"
        if path in entity_paths and not path.endswith("/"):  # its RDF, served by suffix
            for suffix in RDF_SUFFIXES:
                enqueue(path + suffix, None)

    while queue:
        batch = [queue.popleft() for _ in range(min(CONCURRENCY * 4, len(queue)))]
        await asyncio.gather(*(fetch(p) for p in batch))
    crawl.broken.sort()
    return crawl


class Answer(NamedTuple):
    """What the application answered to one GET."""

    status_code: int
    headers: dict[str, str]
    content: bytes


async def asgi_get(app: ASGIApp, path: str, *, accept: str) -> Answer:
    """GET ``path`` from ``app`` in-process, as an ASGI server would send it (an error the
    application raises is its 500)."""
    raw, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": unquote(raw),
             "raw_path": raw.encode("utf-8"), "root_path": "",
             "query_string": query.encode("utf-8"), "client": ("127.0.0.1", 0),
             "server": ("site.invalid", 80),
             "headers": [(b"host", b"site.invalid"), (b"accept", accept.encode("latin-1"))]}
    done = asyncio.Event()
    asked = False
    status = 500
    headers: dict[str, str] = {}
    body: list[bytes] = []

    async def receive() -> Message:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.update((k.decode("latin-1").lower(), v.decode("latin-1"))
                           for k, v in message.get("headers", []))
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    except Exception:  # the application's own 500 was sent, or nothing was
        if not done.is_set():
            return Answer(500, {}, b"")
    finally:
        done.set()
    return Answer(status, headers, b"".join(body))


def file_of(path: str, *, html: bool) -> PurePosixPath:
    """The file, relative to the site, that a static host serves at ``path``.

    Raises:
        InputError: the path leaves the site (``..``) or names nothing.
    """
    parts = [p for p in unquote(path.split("?", 1)[0]).split("/") if p]
    if any(p in (".", "..") or "\\" in p or "\0" in p for p in parts):
        raise InputError(f"the page path {path!r} leaves the site")
    if html:
        return PurePosixPath(*parts, "index.html")
    if not parts:
        raise InputError(f"the server answers {path!r} with no page")
    return PurePosixPath(*parts)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "xlink:href") and value:
                self.links.append(value.strip())

    handle_startendtag = handle_starttag


def links_in(text: str) -> list[str]:
    """Every ``href`` and ``src`` of an HTML page or SVG image (entities resolved)."""
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser.links


def same_site(link: str, page: str, paths: Paths | None = None) -> str | None:
    """The path of ``link`` (found on ``page``) when it leads to a page of the site, else None.

    Root-relative and relative links, and links to the graph's own IRIs (under
    ``https://kg.example/`` or the published base of ``paths``) lead into the site;
    a fragment is dropped.
    """
    if link.startswith("#") or link.startswith(("mailto:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://site.invalid" + page, link))
    if parts.scheme in ("http", "https") and parts.netloc == "site.invalid":
        path = parts.path
    else:
        own = (paths or Paths()).path_of(f"{parts.scheme}://{parts.netloc}{parts.path}")
        if own is None:
            return None
        path = own
    return path + ("?" + parts.query if parts.query else "")


_LINK = re.compile(r'(\b(?:href|src|action)\s*=\s*)(["\'])(.*?)\2', re.IGNORECASE | re.DOTALL)


def relocate(html: str, page: str, prefix: str = "") -> str:
    """The HTML page served at ``page`` as the site writes it: its links work from its folder.

    The page is read at ``page/`` on a static host (its folder's ``index.html``), so a
    relative link is made root-relative (resolved against ``page``, as the server
    meant it); a root-relative link gets ``prefix`` (the site's path under ``--base``)
    in front. Other links are left alone. (Jinja writes a quote in text as ``&#34;``,
    so only attributes match.)
    """
    def fix(match: re.Match[str]) -> str:
        value = match.group(3)
        if value.startswith("//") or value.startswith("#") or not value or urlsplit(value).scheme:
            return match.group(0)
        if not value.startswith("/"):
            value = urljoin(page, value)
        return f"{match.group(1)}{match.group(2)}{prefix}{value}{match.group(2)}"

    return _LINK.sub(fix, html)


# --------------------------------------------------------------------------- dumps and VoID

def write_dumps(graph: KnowledgeGraph, folder: Path, *, base: str | None) -> int:
    """The dumps (every named graph, sources and vocabulary) in ``folder``; their statement count."""
    from ..export import export_to

    folder.mkdir(parents=True, exist_ok=True)
    for name, (fmt, _) in DUMPS.items():
        export_to(graph, fmt, folder / name, base=base)
    return statement_count(graph)


def statement_count(graph: KnowledgeGraph) -> int:
    """The statements of the dumps: each named graph's, a triple stated by two counting twice."""
    from ..graph import graph_size

    return sum(graph_size(graph.store, g) for g in graph.named_graphs())


VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
#: Stands for the site's own address in void.ttl without --base: written root-relative.
_HERE = "https://site.invalid/"


def void_text(graph: KnowledgeGraph, *, base: str | None) -> str:
    """The VoID + DCAT description of the dataset, as Turtle.

    Under ``base`` every address is absolute; without it, the dumps and the dataset
    are named root-relative (``</dumps/kg.trig>``): the site's host is not known.
    """
    from ..export import rebased_iri
    from ..graph import graph_size

    here = base or _HERE
    published = base or BASE

    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    def term(prefix: str, local: str) -> ox.NamedNode:
        return ox.NamedNode((VOID if prefix == "void" else DCAT if prefix == "dcat"
                             else PREFIXES[prefix]) + local)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=term("xsd", "integer"))

    dataset = iri(here + ".well-known/void#dataset")
    a = term("rdf", "type")
    triples = [ox.Triple(dataset, a, term("void", "Dataset")),
               ox.Triple(dataset, a, term("dcat", "Dataset")),
               ox.Triple(dataset, term("dct", "title"), ox.Literal(TITLE, language="en")),
               ox.Triple(dataset, term("dct", "description"),
                         ox.Literal(DESCRIPTION, language="en"))]
    creators = graph.query("SELECT DISTINCT ?who WHERE { GRAPH ?g { ?o a owl:Ontology ; "
                           "dct:creator ?who FILTER(isLiteral(?who)) } } ORDER BY ?who").rows
    for row in creators:  # the publisher as the ontology names its maker; no address invented
        publisher = ox.BlankNode()
        triples += [ox.Triple(dataset, term("dct", "publisher"), publisher),
                    ox.Triple(publisher, a, term("foaf", "Agent")),
                    ox.Triple(publisher, term("foaf", "name"), row["who"])]  # type: ignore[arg-type]
    counts = graph.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties) "
        "(COUNT(DISTINCT ?o) AS ?objects) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]
    triples += [ox.Triple(dataset, term("void", "triples"), integer(statement_count(graph))),
                ox.Triple(dataset, term("void", "distinctSubjects"), counts["subjects"]),  # type: ignore[arg-type]
                ox.Triple(dataset, term("void", "properties"), counts["properties"]),  # type: ignore[arg-type]
                ox.Triple(dataset, term("void", "distinctObjects"), counts["objects"]),  # type: ignore[arg-type]
                ox.Triple(dataset, term("void", "uriSpace"), ox.Literal(published))]
    if base is not None:
        triples.append(ox.Triple(dataset, term("void", "sparqlEndpoint"), iri(base + "sparql")))
    for namespace in vocabularies(graph):
        triples.append(ox.Triple(dataset, term("void", "vocabulary"),
                                 iri(rebased_iri(namespace, published))))
    for name, (fmt, title) in DUMPS.items():
        dump = iri(here + "dumps/" + name)
        distribution = ox.BlankNode()
        triples += [ox.Triple(dataset, term("void", "dataDump"), dump),
                    ox.Triple(dataset, term("dcat", "distribution"), distribution),
                    ox.Triple(distribution, a, term("dcat", "Distribution")),
                    ox.Triple(distribution, term("dct", "title"),
                              ox.Literal(f"{title} dump: every named graph (sources and "
                                         "vocabulary)", language="en")),
                    ox.Triple(distribution, term("dcat", "downloadURL"), dump),
                    ox.Triple(distribution, term("dcat", "mediaType"),
                              iri(MEDIA_TYPES + fmt.media_type))]
    for graph_name in graph.named_graphs():  # one subset per source article, and the vocabulary
        subset = ox.BlankNode()
        triples += [ox.Triple(dataset, term("void", "subset"), subset),
                    ox.Triple(subset, a, term("void", "Dataset")),
                    ox.Triple(subset, term("dct", "source"),
                              iri(rebased_iri(graph_name.value, published))),
                    ox.Triple(subset, term("void", "triples"),
                              integer(graph_size(graph.store, graph_name)))]
    prefixes = {"void": VOID, "dcat": DCAT, "dct": PREFIXES["dct"], "foaf": PREFIXES["foaf"],
                "xsd": PREFIXES["xsd"]}
    text = (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"").decode()
    header = (f"# {TITLE}: VoID and DCAT description of the dataset (written by kg site)\n")
    return header + (text if base else text.replace("<" + _HERE, "</"))


def vocabularies(graph: KnowledgeGraph) -> list[str]:
    """The namespaces (of the project's prefixes) of the properties and classes the data uses."""
    rows = graph.query("SELECT DISTINCT ?t WHERE { { GRAPH ?g { ?s ?t ?o } } UNION "
                       "{ GRAPH ?g { ?s a ?t } } FILTER(isIRI(?t)) }").rows
    namespaces = sorted(set(PREFIXES.values()), key=len, reverse=True)
    used: set[str] = set()
    for row in rows:
        iri = row["t"].value  # type: ignore[union-attr]
        for namespace in namespaces:
            if iri.startswith(namespace):
                used.add(namespace)
                break
    return sorted(used)


__all__ = ["SiteReport", "crawl_site", "file_of", "links_in", "relocate", "same_site",
           "write_site"]
