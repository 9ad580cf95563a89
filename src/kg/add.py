"""Adding statements to the graph (``kg add``): checked, validated, then written safely.

The steps, each of which can refuse (and then nothing is written):

1. **read** every file as untrusted input (:mod:`kg.untrusted`: limits, syntax,
   ill-typed literals, IRIs; blank nodes are refused, so that adding a file
   twice adds nothing the second time);
2. **provenance**: every statement lands in the named graph of a source article
   (``source:<stem>``). Statements of a named graph stay in it; statements
   outside any graph go to the article named by :class:`SourceDescription`
   (``--source``), or are refused. Each such graph must describe its article
   (``kg:SourceArticle`` with ``schema:publisher`` and ``kg:statedDate``), in
   the addition or already in ``data/`` (:class:`~kg.errors.ProvenanceError`);
3. **what is new**: statements already in their graph are dropped; when nothing
   is left, nothing is written;
4. **validation**: the data with the addition, against the shapes, on the focus
   nodes the addition can affect (:mod:`kg.incremental`). Non-conformance is a
   result (exit 1), with every problem and the new statements concerned;
5. **write**: each touched graph's file ``data/<stem>.trig`` gets the new
   statements appended as a TriG block of the same graph (what is there is kept
   byte for byte, comments included), or is created; all files change at once
   or none does (:mod:`kg.datafiles`), under a lock that keeps two ``kg add``
   from losing each other's statements.

Exit codes of ``kg add`` (as ``kg validate``): 0 added, or nothing new to add;
1 does not conform (nothing written); 2 could not run: an unusable file, a
statement without a described source article (:class:`~kg.errors.ProvenanceError`:
the input, not the data, is at fault), ``data/`` locked or unwritable.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node

from .errors import InputError, ProvenanceError, StoreError
from .formats import RdfFormat
from .incremental import Scope, ShapeAnalysis, validate_addition
from .load import (
    KnowledgeGraph, Project, load_graph, load_ontology, load_shapes, new_dataset, rdf_files,
)
from .namespaces import KG, PREFIXES, SCHEMA, SOURCE, bind_prefixes
from .terms import to_rdflib
from .untrusted import Limits, parse_untrusted
from .validate import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from .storeview import StoreData, StoreDataset

__all__ = ["SourceDescription", "GraphAddition", "AddResult", "add"]

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]  # the last: the source graph

#: A source stem names a file in data/: letters, digits, ``_ . -``; not hidden.
STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")


def stem_of(graph: Node) -> str | None:
    """The stem of a source graph's IRI (``source:<stem>``), or None when it is not one."""
    text = str(graph)
    if not text.startswith(str(SOURCE)):
        return None
    stem = text[len(str(SOURCE)):]
    if not STEM.fullmatch(stem) or stem.endswith((".trig", ".tmp")):
        return None
    return stem


@dataclass(frozen=True)
class SourceDescription:
    """The article that statements outside any named graph come from (``--source`` ...).

    ``publisher`` and ``authors`` are each a prefixed name (``body:iknbisnis``), a
    full IRI, or a name: a name is looked up among the labels of publishers
    (people) already in the data, else a new IRI is made from it
    (``body:<slug>``, ``person:<slug>``) and described with that name as its label.
    ``publisher`` and ``date`` may be left out only when ``data/`` already
    describes the article.
    """

    stem: str
    publisher: str | None = None
    date: str | None = None          #: YYYY-MM-DD, the date the article states (kg:statedDate)
    headline: str | None = None      #: as printed, in Indonesian (schema:headline @id)
    authors: tuple[str, ...] = ()
    language: str = "id"             #: schema:inLanguage of the article

    @property
    def iri(self) -> URIRef:
        """The article's IRI, which names its graph.

        Raises:
            InputError: the stem cannot name a file in data/.
        """
        if not STEM.fullmatch(self.stem) or self.stem.endswith((".trig", ".tmp")):
            raise InputError(f"--source {self.stem!r}: a source id is letters, digits, '_', '.' "
                             "and '-' (the stem of its file, e.g. 005_1a2b3c4d5e6f7a8b)")
        return URIRef(str(SOURCE) + self.stem)

    def statements(self, data: Dataset | StoreDataset) -> list[Triple]:
        """What ``--source`` says about the article, for its graph.

        Raises:
            InputError: a date that is not YYYY-MM-DD, or a bad stem.
        """
        article = self.iri
        said: list[Triple] = []
        if self.publisher is None and self.date is None and not self.headline and \
                not self.authors:
            return said
        said += [(article, RDF.type, KG.SourceArticle),
                 (article, DCTERMS.identifier, Literal(self.stem)),
                 (article, SCHEMA.inLanguage, Literal(self.language))]
        if self.date is not None:
            try:
                day = dt.date.fromisoformat(self.date)
            except ValueError:
                raise InputError(f"--date {self.date!r}: expected a day as YYYY-MM-DD") from None
            said.append((article, KG.statedDate, Literal(day.isoformat(), datatype=XSD.date)))
        if self.publisher is not None:
            publisher, described = _agent(self.publisher, SCHEMA.NewsMediaOrganization, "body",
                                          data)
            said.append((article, SCHEMA.publisher, publisher))
            said += described
        for author in self.authors:
            person, described = _agent(author, FOAF.Person, "person", data)
            said.append((article, SCHEMA.author, person))
            said += described
        if self.headline:
            said.append((article, SCHEMA.headline, Literal(self.headline, lang="id")))
        return said


def _agent(given: str, cls: URIRef, prefix: str,
           data: Dataset | StoreDataset) -> tuple[URIRef, list[Triple]]:
    """The IRI a publisher or author option names, and the statements that describe it."""
    iri = expand(given)
    label: Literal | None = None
    def objects(node: Node, prop: URIRef) -> set[Node]:  # in any source graph
        return {o for _, _, o, _ in data.quads((node, prop, None, None))}

    if iri is None:
        wanted = given.strip().casefold()
        for node in sorted({s for s, _, _, _ in data.quads((None, RDF.type, cls, None))}, key=str):
            names = objects(node, SKOS.prefLabel) | objects(node, SKOS.altLabel)
            if any(str(n).strip().casefold() == wanted for n in names):
                iri = URIRef(str(node))
                break
        else:
            slug = slugify(given)
            if not slug:
                raise InputError(f"{given!r}: cannot make an IRI from this name; give an IRI "
                                 f"({prefix}:<name>)")
            iri = URIRef(PREFIXES[prefix] + slug)
            label = Literal(given.strip(), lang="id")
    described: list[Triple] = [(iri, RDF.type, cls)]
    if label is not None:
        described.append((iri, SKOS.prefLabel, label))
    else:  # each graph repeats the type and labels it needs (ontology/README.md)
        described += [(iri, SKOS.prefLabel, lab) for lab in objects(iri, SKOS.prefLabel)]
    return iri, described


def expand(text: str) -> URIRef | None:
    """``prefix:local`` (a project prefix) or a full IRI as an IRI; None for anything else."""
    text = text.strip()
    if re.fullmatch(r"https?://\S+", text):
        return URIRef(text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[A-Za-z0-9_.~%-]+", local):
        return URIRef(PREFIXES[prefix] + local)
    return None


def slugify(name: str) -> str:
    """``"Kaltim Post"`` -> ``"kaltim-post"`` (ASCII letters and digits, joined by hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ---------------------------------------------------------------------- the result


@dataclass(frozen=True)
class GraphAddition:
    """What the addition brings to one source graph."""

    graph: URIRef
    file: Path                       #: the data file it is written to
    new_file: bool                   #: whether that file is created
    statements: tuple[Triple, ...]   #: the new statements, sorted
    entities: tuple[URIRef, ...]     #: IRIs the new statements are about (subjects)
    new_entities: tuple[URIRef, ...]  #: of those, the ones data/ did not mention before


@dataclass(frozen=True)
class AddResult:
    """What ``add`` did (or, refused or in a dry run, would have done)."""

    additions: tuple[GraphAddition, ...]
    report: ValidationReport
    written: bool
    dry_run: bool = False
    already_present: int = 0          #: statements of the input that were already there
    scope: Scope | None = None        #: what the validation looked at
    recovered: str | None = None      #: what an interrupted earlier ``kg add`` left, and how it was settled
    origins: dict[Quad, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    @property
    def statements(self) -> int:
        return sum(len(a.statements) for a in self.additions)

    def to_text(self, root: Path | None = None) -> str:
        """The account a user reads: what was (or would be) added where, and the problems."""
        shown = Graph()
        bind_prefixes(shown)
        lines: list[str] = []
        if self.recovered:
            lines.append(f"note: {self.recovered}")
        if not self.additions:
            lines.append(f"nothing to add: all {self.already_present} statement(s) are already "
                         "in data/; nothing was written")
            return "\n".join(lines) + "\n"
        if not self.conforms:
            lines.append("refused: the addition does not conform to the shapes; nothing was "
                         "written. The problems, each with the new statements it concerns:")
            lines += self._problems(shown)
            lines.append(self.report.summary())
            return "\n".join(lines) + "\n"
        verb = "would add" if self.dry_run else "added"
        entities = len({e for a in self.additions for e in a.entities})
        lines.append(f"{verb} {self.statements} statement(s) about {entities} entit"
                     f"{'y' if entities == 1 else 'ies'} in {len(self.additions)} source "
                     f"graph(s){', already there: ' + str(self.already_present) if self.already_present else ''}:")
        for a in self.additions:
            where = _relative(a.file, root)
            lines.append(f"  {_short(shown, a.graph)}  {where}{' (new file)' if a.new_file else ''}: "
                         f"{len(a.statements)} statement(s), {len(a.entities)} entit"
                         f"{'y' if len(a.entities) == 1 else 'ies'} ({len(a.new_entities)} new)")
            if a.new_entities:
                names = [_short(shown, e) for e in a.new_entities]
                more = f", ... ({len(names) - 12} more)" if len(names) > 12 else ""
                lines.append("    new: " + ", ".join(names[:12]) + more)
        if self.scope is not None:
            lines.append(self.scope.describe())
        lines.append("validation: " + self.report.summary())
        for result in self.report.results:
            lines.append("  " + result.line())
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines) + "\n"

    def _problems(self, shown: Graph) -> list[str]:
        new = [(q, origin) for q, origin in self.origins.items()]
        lines = []
        for result in self.report.results:
            lines.append(result.line())
            for quad, origin in concerned(result, new, shown):
                s, p, o, _ = quad
                lines.append(f"    new statement: {_short(shown, s)} {_short(shown, p)} "
                             f"{_short(shown, o)} .  (from {origin})")
        return lines


def concerned(result: ValidationResult, new: list[tuple[Quad, str]],
              shown: Graph, *, limit: int = 3) -> list[tuple[Quad, str]]:
    """The new statements a result is about: on its focus node and path, else about the node."""
    focus = result.focus
    about = [(q, o) for q, o in new if str(q[0]) == focus]
    on_path = [(q, o) for q, o in about if result.path and _short(shown, q[1]) == result.path]
    if result.value is not None:
        exact = [(q, o) for q, o in on_path if _short(shown, q[2]) == result.value]
        on_path = exact or on_path
    pointing = [(q, o) for q, o in new if str(q[2]) == focus]
    return (on_path or about or pointing)[:limit]


def _short(graph: Graph, term: Node) -> str:
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return f"<{term}>"
    return term.n3(graph.namespace_manager)


def _relative(path: Path, root: Path | None) -> str:
    for base in (root, Path.cwd()):
        if base is not None:
            try:
                return str(path.resolve().relative_to(base.resolve()))
            except ValueError:
                continue
    return str(path)


# ---------------------------------------------------------------------- adding


def read_inputs(files: Sequence[Path], *, fmt: RdfFormat | None, limits: Limits
                ) -> list[tuple[Path, Dataset]]:
    """Every file parsed as untrusted input; every file's problems reported together.

    Raises:
        InputError: one line per problem, for every file that has one.
    """
    parsed: list[tuple[Path, Dataset]] = []
    problems: list[InputError] = []
    for path in files:
        try:
            quads = parse_untrusted(path, fmt=fmt or RdfFormat.from_path(path), limits=limits)
        except InputError as exc:
            problems.append(exc)
        else:
            parsed.append((path, _as_rdflib(quads)))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputError("\n".join(str(p) for p in problems))
    return parsed


def _as_rdflib(quads: Iterable[ox.Quad]) -> Dataset:
    """Glue while this module works on rdflib: parse_untrusted's quads as a Dataset."""
    dataset = new_dataset()
    for quad in quads:
        dataset.graph(URIRef(str(to_rdflib(quad.graph_name)))).add(
            (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return dataset


def place_statements(parsed: Iterable[tuple[Path, Dataset]], source: SourceDescription | None,
                     data: Dataset | StoreDataset) -> dict[Quad, str]:
    """Every input statement in the graph it goes to (quad -> the file it came from).

    Raises:
        ProvenanceError: statements outside any graph and no ``source``; a graph
            that is not a source article's.
    """
    placed: dict[Quad, str] = {}
    homeless: dict[str, int] = {}
    target = source.iri if source is not None else None
    for path, dataset in parsed:
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            if name == DATASET_DEFAULT_GRAPH_ID or name is None:
                if target is None:
                    homeless[str(path)] = homeless.get(str(path), 0) + 1
                    continue
                name = target
            placed.setdefault((s, p, o, URIRef(str(name))), path.name)
    if homeless:
        files = ", ".join(f"{path} ({count} statement(s))" for path, count in homeless.items())
        raise ProvenanceError(
            f"statements without a source: {files} lie outside any named graph. Put them in the "
            "graph of their source article (TriG: source:<stem> { ... }), or name the article "
            "with --source STEM (and --publisher, --date when data/ does not describe it yet)")
    if source is not None:
        for s, p, o in source.statements(data):
            placed.setdefault((s, p, o, source.iri), "--source")
    strangers = sorted({str(g) for _, _, _, g in placed if stem_of(g) is None})
    if strangers:
        raise ProvenanceError(
            f"graph <{strangers[0]}> is not a source article's: every statement lives in the graph "
            f"named by its article's IRI, {PREFIXES['source']}<stem> (stem: letters, digits, "
            "'_', '.', '-'), so that its provenance is known")
    return placed


def check_sources(placed: dict[Quad, str], data: Dataset | StoreDataset) -> None:
    """Each target graph describes its article, in the addition or already in data/.

    Raises:
        ProvenanceError: naming the graph and what its description lacks.
    """
    needs = {"a kg:SourceArticle type": (RDF.type, KG.SourceArticle),
             "a schema:publisher": (SCHEMA.publisher, None),
             "a kg:statedDate": (KG.statedDate, None)}
    for graph in sorted({g for _, _, _, g in placed}, key=str):
        assert isinstance(graph, URIRef)
        existing = data.graph(graph)
        missing = []
        for what, (p, o) in needs.items():
            if (graph, p, o) in existing:
                continue
            if any(q[0] == graph and q[1] == p and (o is None or q[2] == o) and q[3] == graph
                   for q in placed):
                continue
            missing.append(what)
        if missing:
            raise ProvenanceError(
                f"source {graph} is not described: its graph lacks {', '.join(missing)} (neither "
                "the addition nor data/ says it). Describe the article inside its graph "
                "(see ontology/README.md), or give --source "
                f"{stem_of(graph)} --publisher NAME --date YYYY-MM-DD")


def add(files: Sequence[str | Path], *, project: Project | None = None,
        source: SourceDescription | None = None, fmt: RdfFormat | None = None,
        dry_run: bool = False, strict: bool = False, limits: Limits | None = None,
        lock_timeout: float | None = None, analysis: ShapeAnalysis | None = None,
        engine: str | None = None, store: str | Path | None = None) -> AddResult:
    """Add the statements of ``files`` to ``data/``, if they conform; see the module docstring.

    ``fmt`` forces the input format (else each file's suffix tells). ``analysis``
    (a :class:`~kg.incremental.ShapeAnalysis`) may be passed to reuse it. ``engine``:
    the validation engine, as :func:`kg.validate.validate` (default: the project's).
    ``store``: an on-disk store (``kg load``) to read the data from instead of
    parsing ``data/``, and to insert the addition into as well as into its files,
    which lie in the store's data folder (:mod:`kg.storeview`).

    Raises:
        SourceFileError, LimitError, InputError: a file is unusable (names file and line).
        ProvenanceError: statements whose source article is unknown or undescribed.
        StoreError: data/ is locked for longer than ``lock_timeout``, or cannot be written.
        KGError: the shapes cannot be run.
    """
    from .datafiles import checkpoint, commit, recover, writer_lock

    project = project or Project.locate()
    paths = [Path(f) for f in files]
    if not paths:
        raise InputError("nothing to add: give one or more files")
    limits = limits or Limits.from_env()
    if source is not None:
        _ = source.iri  # a bad stem fails before anything is read
    parsed = read_inputs(paths, fmt=fmt, limits=limits)
    if store is not None:
        from .storeview import data_folder

        data_dir = data_folder(Path(store))
    else:
        data_dir = project.data_dir if dry_run else project.writable_data_dir()
    lock = nullcontext() if dry_run else writer_lock(data_dir, timeout=lock_timeout)
    with lock:
        recovered = None
        if not dry_run:
            checkpoint("locked")
            recovered = recover(data_dir)
        graph: KnowledgeGraph | StoreData
        if store is not None:
            from .storeview import StoreData

            graph = StoreData.open(store, read_only=dry_run)
            if not dry_run:
                recovered = graph.settle() or recovered
        else:
            graph = load_graph(project)
        placed = place_statements(parsed, source, graph.dataset)
        check_sources(placed, graph.dataset)
        mentioned = {s for s, _, _, _ in placed
                     if next(graph.dataset.quads((s, None, None, None)), None) is not None}
        new = {q: origin for q, origin in placed.items()
               if (q[0], q[1], q[2]) not in graph.dataset.graph(q[3])}
        if not new:
            return AddResult((), ValidationReport(()), written=False, dry_run=dry_run,
                             already_present=len(placed), recovered=recovered)
        # Validation sees all graphs merged: a statement another graph already makes (a
        # label repeated, as the contract asks) changes no result; the others may.
        novel = {(s, p, o) for s, p, o, _ in new
                 if not any(True for _ in graph.dataset.quads((s, p, o, None)))}
        shapes, ontology = load_shapes(project), load_ontology(project)
        for s, p, o, g in new:
            graph.dataset.graph(g).add((s, p, o))
        if analysis is None:
            analysis = ShapeAnalysis.of_files(rdf_files(project.shapes_dir), shapes)
        report, scope = validate_addition(graph, novel, shapes, ontology,  # type: ignore[arg-type]
                                          strict=strict, analysis=analysis, engine=engine)
        additions, contents = _plan(data_dir, graph, new, mentioned)
        result = AddResult(tuple(additions), report, written=False, dry_run=dry_run,
                           already_present=len(placed) - len(new), scope=scope,
                           recovered=recovered, origins=new)
        if not report.conforms or dry_run:
            return result
        if store is not None:
            assert not isinstance(graph, KnowledgeGraph)
            prepared = graph.prepare(new, contents)
            commit(data_dir, contents, timeout=lock_timeout)
            for addition in additions:
                graph.record(addition.graph, addition.file)
            graph.apply(prepared)
        else:
            commit(data_dir, contents, timeout=lock_timeout)
        return AddResult(result.additions, report, written=True, dry_run=False,
                         already_present=result.already_present, scope=scope,
                         recovered=recovered, origins=new)


def _plan(data_dir: Path, graph: KnowledgeGraph | StoreData, new: dict[Quad, str],
          mentioned: set[Node]) -> tuple[list[GraphAddition], dict[str, bytes]]:
    """Per touched graph: what it gains, and the full new content of its file."""
    additions: list[GraphAddition] = []
    contents: dict[str, bytes] = {}
    by_graph: dict[URIRef, list[Quad]] = {}
    for quad in new:
        by_graph.setdefault(URIRef(str(quad[3])), []).append(quad)
    for name in sorted(by_graph, key=str):
        quads = by_graph[name]
        target = _target_file(data_dir, graph, name)
        old = contents.get(target.name, target.read_bytes() if target.exists() else None)
        files = sorted({new[q] for q in quads})
        block = _trig_block(name, quads)
        if old is None:
            header = (f"# Source {stem_of(name)}: written by kg add from {', '.join(files)}.\n"
                      "# The model is described in ontology/README.md.\n\n")
            content = (header + block).encode("utf-8")
        else:
            joint = b"" if old.endswith(b"\n\n") else (b"\n" if old.endswith(b"\n") else b"\n\n")
            added = f"# Added by kg add from {', '.join(files)}.\n{block}"
            content = old + joint + added.encode("utf-8")
        _verify(target, old, content, quads)
        contents[target.name] = content
        subjects = sorted({URIRef(str(q[0])) for q in quads}, key=str)
        additions.append(GraphAddition(
            graph=name, file=target, new_file=old is None,
            statements=tuple(sorted(((q[0], q[1], q[2]) for q in quads), key=lambda t: (
                str(t[0]), str(t[1]), str(t[2])))),
            entities=tuple(subjects),
            new_entities=tuple(s for s in subjects if s not in mentioned)))
    return additions, contents


def _target_file(data_dir: Path, graph: KnowledgeGraph | StoreData, name: URIRef) -> Path:
    origin = graph.origins.get(name)
    if origin is not None:
        if origin.suffix.lower() != ".trig" or origin.resolve().parent != data_dir.resolve():
            raise StoreError(f"the graph {name} is stored in {origin}, which kg add cannot "
                             f"extend (it appends TriG to data/<stem>.trig); convert that file "
                             "to TriG first")
        return origin
    return data_dir / f"{stem_of(name)}.trig"


def _trig_block(name: URIRef, quads: list[Quad]) -> str:
    """The statements as TriG: the prefixes they use, then ``name { ... }``."""
    dataset = new_dataset()
    target = dataset.graph(name)
    for s, p, o, _ in quads:
        target.add((s, p, o))
    with warnings.catch_warnings():  # rdflib's TriG serializer uses its own deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        return dataset.serialize(format="trig").strip() + "\n"


def _verify(target: Path, old: bytes | None, content: bytes, quads: list[Quad]) -> None:
    """Re-read the new file content: it must hold what was there plus the new statements."""
    def read(raw: bytes) -> set[Quad]:
        dataset = Dataset()
        dataset.parse(data=raw.decode("utf-8-sig"), format="trig",
                      publicID=target.resolve().as_uri())
        return {(s, p, o, URIRef(str(g))) for s, p, o, g in dataset.quads((None, None, None, None))}

    try:
        expected = (read(old) if old is not None else set()) | {
            (s, p, o, URIRef(str(g))) for s, p, o, g in quads}
        found = read(content)
    except Exception as exc:
        raise StoreError(f"{target}: the file kg add would write does not read back ({exc}); "
                         "nothing was written") from exc
    if found != expected:
        raise StoreError(f"{target}: the file kg add would write does not read back as the "
                         f"data plus the addition ({len(found ^ expected)} statement(s) differ); "
                         "nothing was written")

