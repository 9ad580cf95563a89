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
   the addition or already in the graph (:class:`~kg.errors.ProvenanceError`);
   no statement declares a code-list concept (``skos:inScheme`` ...): those are
   ``ontology/vocabularies.ttl``'s alone (:func:`check_no_concepts`);
3. **what is new**: statements already in their graph are dropped; when nothing
   is left, nothing is written. New statements into the graph of a source that
   exists already need ``--amend STEM`` (``amend=``), else the addition is
   refused (:class:`~kg.errors.ProvenanceError`); the account then lists them;
4. **validation**: the graph with the addition, against the shapes, on the focus
   nodes the addition can affect (:mod:`kg.reach`), and the guards of
   :mod:`kg.guards` on the new statements (``dct:source`` is the graph; the
   terms are declared). Non-conformance is a result (exit 1), with every problem
   and the new statements concerned;
5. **write**: each touched graph's file ``data/<stem>.trig`` gets the new
   statements appended as a TriG block of the same graph (what is there is kept
   byte for byte, comments included), or is created; all files change at once
   or none does (:mod:`kg.datafiles`), under a lock that keeps two ``kg add``
   from losing each other's statements.

The graph is read the same way whether it is the project's files (read into
memory) or an on-disk store (``store``: ``kg add --store``, ``$KG_STORE``): a
:class:`~kg.graph.KnowledgeGraph` either way. A store's vocabulary graphs are
first brought up to date with the project's ``ontology/``
(:func:`~kg.graph.refresh_vocabulary`): a concept added to a code list since
``kg load`` counts, as it does for the files. With a store, the files stay the
record and the store their index, and an addition is written to both:

a. the statements to insert are written beside the store (``kg-pending.nq``,
   with the SHA-256 of each file's new content), fsynced;
b. the files change, all at once or not at all (step 5);
c. the store inserts the statements in one transaction, in their graphs and in
   the merged default graph; ``kg-pending.nq`` is removed.

A crash between a and c leaves ``kg-pending.nq``; the next ``kg add`` on the
store inserts its statements if the files hold the new content (the commit
happened), else drops it. Inserting twice is harmless: a store is a set. All
the files a store's graphs come from lie in one folder (the one ``kg add``
locks and writes, recorded in the store's ``kg-files.json``).

Exit codes of ``kg add`` (as ``kg validate``): 0 added, or nothing new to add;
1 does not conform (nothing written); 2 could not run: an unusable file, a
statement without a described source article, or into an existing one's graph
without ``--amend`` (:class:`~kg.errors.ProvenanceError`: the input, not the
data, is at fault), ``data/`` locked or unwritable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import pyoxigraph as ox

from .errors import InputError, ProvenanceError, StoreError
from .formats import RdfFormat
from .graph import (KnowledgeGraph, is_store, load_graph, open_store, read_record, record_files,
                    refresh_vocabulary)
from .parse import rdf_files, rdf_inputs
from .prefixes import OWN_PREFIXES, PREFIXES, SOURCE_PREFIX
from .project import Project
from .reach import Scope, ShapeAnalysis, validate_addition
from .report import ValidationReport, ValidationResult
from .terms import AnyTerm, short
from .untrusted import Limits, parse_untrusted

__all__ = ["SourceDescription", "GraphAddition", "AddResult", "add", "PENDING_NAME"]

#: Beside the database of a store: an addition written to the files but maybe not yet to the store.
PENDING_NAME = "kg-pending.nq"
#: A source stem names a file in data/: letters, digits, ``_ . -``; not hidden.
STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")

_KG, _SCHEMA = OWN_PREFIXES["kg"], PREFIXES["schema"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
SOURCE_ARTICLE = ox.NamedNode(_KG + "SourceArticle")
STATED_DATE = ox.NamedNode(_KG + "statedDate")
DATE_NOT_PRINTED = ox.NamedNode(_KG + "dateNotPrinted")
PUBLISHER = ox.NamedNode(_SCHEMA + "publisher")
PREF_LABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
#: What makes a node a concept of a code list: said in ontology/vocabularies.ttl alone.
CONCEPT_PREDICATES = frozenset(ox.NamedNode(PREFIXES["skos"] + name) for name in (
    "inScheme", "topConceptOf", "hasTopConcept"))
CONCEPT_CLASSES = frozenset(ox.NamedNode(PREFIXES["skos"] + name) for name in (
    "Concept", "ConceptScheme"))
ALT_LABEL = ox.NamedNode(PREFIXES["skos"] + "altLabel")


def stem_of(graph: AnyTerm | ox.DefaultGraph) -> str | None:
    """The stem of a source graph's IRI (``source:<stem>``), or None when it is not one."""
    if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(SOURCE_PREFIX):
        return None
    stem = graph.value[len(SOURCE_PREFIX):]
    if not STEM.fullmatch(stem) or stem.endswith((".trig", ".tmp")):
        return None
    return stem


class SourceDescription(NamedTuple):
    """The article that statements outside any named graph come from (``--source`` ...).

    ``publisher`` and ``authors`` are each a prefixed name (``body:iknbisnis``), a
    full IRI, or a name: a name is looked up among the labels of publishers
    (people) already in the graph, else a new IRI is made from it
    (``body:<slug>``, ``person:<slug>``) and described with that name as its label.
    ``publisher`` and ``date`` may be left out only when the graph already
    describes the article.
    """

    stem: str
    publisher: str | None = None
    date: str | None = None          #: the date the article states: see :func:`stated_date`
    headline: str | None = None      #: as printed, in Indonesian (schema:headline @id)
    authors: tuple[str, ...] = ()
    language: str = "id"             #: schema:inLanguage of the article

    @property
    def iri(self) -> ox.NamedNode:
        """The article's IRI, which names its graph.

        Raises:
            InputError: the stem cannot name a file in data/.
        """
        if not STEM.fullmatch(self.stem) or self.stem.endswith((".trig", ".tmp")):
            raise InputError(f"--source {self.stem!r}: a source id is letters, digits, '_', '.' "
                             "and '-' (the stem of its file, e.g. 005_1a2b3c4d5e6f7a8b)")
        return ox.NamedNode(SOURCE_PREFIX + self.stem)

    def statements(self, graph: KnowledgeGraph) -> list[ox.Quad]:
        """What ``--source`` says about the article, in its graph.

        Raises:
            InputError: a date that is not YYYY-MM-DD, YYYY-MM, YYYY or not-printed; a bad stem.
        """
        article = self.iri
        said: list[tuple[AnyTerm, ox.NamedNode, AnyTerm]] = []
        if self.publisher is None and self.date is None and not self.headline and \
                not self.authors:
            return []
        said += [(article, RDF_TYPE, SOURCE_ARTICLE),
                 (article, ox.NamedNode(PREFIXES["dct"] + "identifier"), ox.Literal(self.stem)),
                 (article, ox.NamedNode(_SCHEMA + "inLanguage"), ox.Literal(self.language))]
        if self.date is not None:
            date = stated_date(self.date)
            said.append((article, STATED_DATE, date) if date is not None else
                        (article, DATE_NOT_PRINTED, ox.Literal(True)))
        if self.publisher is not None:
            publisher, described = _agent(self.publisher, _SCHEMA + "NewsMediaOrganization",
                                          "body", graph)
            said.append((article, PUBLISHER, publisher))
            said += described
        for author in self.authors:
            person, described = _agent(author, PREFIXES["foaf"] + "Person", "person", graph)
            said.append((article, ox.NamedNode(_SCHEMA + "author"), person))
            said += described
        if self.headline:
            said.append((article, ox.NamedNode(_SCHEMA + "headline"),
                         ox.Literal(self.headline, language="id")))
        return [ox.Quad(s, p, o, article) for s, p, o in said]  # type: ignore[arg-type]


#: ``--date`` for an article that prints no date: ``kg:dateNotPrinted true``, no kg:statedDate.
NOT_PRINTED = "not-printed"
_XSD_BY_PRECISION = (("date", re.compile(r"\d{4}-\d{2}-\d{2}")),
                     ("gYearMonth", re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")),
                     ("gYear", re.compile(r"\d{4}")))


def stated_date(text: str) -> ox.Literal | None:
    """``--date`` as the article's ``kg:statedDate``, at the precision the article prints it:
    a day (``xsd:date``), a month (``xsd:gYearMonth``) or a year (``xsd:gYear``);
    None for ``not-printed`` (the article then says ``kg:dateNotPrinted true``).

    >>> stated_date("2024-11").datatype.value.rsplit("#")[-1], stated_date("not-printed")
    ('gYearMonth', None)

    Raises:
        InputError: anything else, or a day that does not exist.
    """
    text = text.strip()
    if text == NOT_PRINTED:
        return None
    for name, pattern in _XSD_BY_PRECISION:
        if pattern.fullmatch(text):
            if name == "date":
                try:
                    dt.date.fromisoformat(text)
                except ValueError:
                    break
            return ox.Literal(text, datatype=ox.NamedNode(PREFIXES["xsd"] + name))
    raise InputError(f"--date {text!r}: expected the date as the article prints it: a day "
                     "YYYY-MM-DD, a month YYYY-MM, a year YYYY, or not-printed")


def _agent(given: str, cls: str, prefix: str, graph: KnowledgeGraph
           ) -> tuple[ox.NamedNode, list[tuple[AnyTerm, ox.NamedNode, AnyTerm]]]:
    """The IRI a publisher or author option names, and the statements that describe it."""
    iri = expand(given)
    label: ox.Literal | None = None
    if iri is None:
        wanted = given.strip().casefold()
        candidates = sorted({q.subject for q in graph.triples(None, RDF_TYPE, ox.NamedNode(cls))},
                            key=str)
        for node in candidates:
            names = [q.object for p in (PREF_LABEL, ALT_LABEL) for q in graph.triples(node, p, None)]
            if any(isinstance(n, ox.Literal) and n.value.strip().casefold() == wanted
                   for n in names):
                iri = node  # type: ignore[assignment]
                break
        else:
            slug = slugify(given)
            if not slug:
                raise InputError(f"{given!r}: cannot make an IRI from this name; give an IRI "
                                 f"({prefix}:<name>)")
            iri = ox.NamedNode(PREFIXES[prefix] + slug)
            label = ox.Literal(given.strip(), language="id")
    assert iri is not None
    described: list[tuple[AnyTerm, ox.NamedNode, AnyTerm]] = [(iri, RDF_TYPE, ox.NamedNode(cls))]
    if label is not None:
        described.append((iri, PREF_LABEL, label))
    else:  # each graph repeats the type and labels it needs (ontology/README.md)
        described += [(iri, PREF_LABEL, q.object) for q in graph.triples(iri, PREF_LABEL, None)]
    return iri, described


def expand(text: str) -> ox.NamedNode | None:
    """``prefix:local`` (a project prefix) or a full IRI as an IRI; None for anything else."""
    text = text.strip()
    if re.fullmatch(r"https?://\S+", text):
        return ox.NamedNode(text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[A-Za-z0-9_.~%-]+", local):
        return ox.NamedNode(PREFIXES[prefix] + local)
    return None


def slugify(name: str) -> str:
    """``"Kaltim Post"`` -> ``"kaltim-post"`` (ASCII letters and digits, joined by hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ---------------------------------------------------------------------- the result


class GraphAddition(NamedTuple):
    """What the addition brings to one source graph."""

    graph: ox.NamedNode
    file: Path                       #: the data file it is written to
    new_file: bool                   #: whether that file is created
    statements: tuple[ox.Triple, ...]   #: the new statements, sorted
    entities: tuple[AnyTerm, ...]       #: what the new statements are about (subjects)
    new_entities: tuple[AnyTerm, ...]   #: of those, the ones the graph did not mention before
    amended: bool = False               #: the graph existed before (``--amend``)


class AddResult(NamedTuple):
    """What ``add`` did (or, refused or in a dry run, would have done).

    (Named tuples here, not dataclasses: importing ``dataclasses`` cost ``kg add`` 18 ms
    of start-up.)
    """

    additions: tuple[GraphAddition, ...]
    report: ValidationReport
    written: bool
    dry_run: bool = False
    already_present: int = 0          #: statements of the input that were already there
    scope: Scope | None = None        #: what the validation looked at
    recovered: str | None = None      #: what an interrupted earlier ``kg add`` left, and how it was settled
    origins: Mapping[ox.Quad, str] = MappingProxyType({})  #: where each new statement is written
    #: of a refusal: per problem, the new statements that cause it and where each is written
    causes: Mapping[ValidationResult, tuple[tuple[ox.Quad, str], ...]] = MappingProxyType({})
    #: what the saved query conflicting-figures finds between the addition and the graph
    conflicts: tuple[str, ...] = ()

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    @property
    def statements(self) -> int:
        return sum(len(a.statements) for a in self.additions)

    def to_text(self, root: Path | None = None) -> str:
        """The account a user reads: what was (or would be) added where, and the problems."""
        lines: list[str] = []
        if self.recovered:
            lines.append(f"note: {self.recovered}")
        if not self.additions:
            lines.append(f"nothing to add: all {self.already_present} statement(s) are already "
                         "in the graph; nothing was written")
            return "\n".join(lines) + "\n"
        if not self.conforms:
            lines.append("refused: the addition does not conform to the shapes; nothing was "
                         "written. The problems, each with the new statements it concerns:")
            lines += self._problems()
            lines.append(self.report.summary())
            return "\n".join(lines) + "\n"
        verb = "would add" if self.dry_run else "added"
        entities = len({e for a in self.additions for e in a.entities})
        already = f", already there: {self.already_present}" if self.already_present else ""
        lines.append(f"{verb} {self.statements} statement(s) about {entities} entit"
                     f"{'y' if entities == 1 else 'ies'} in {len(self.additions)} source "
                     f"graph(s){already}:")
        for a in self.additions:
            where = _relative(a.file, root)
            lines.append(f"  {short(a.graph)}  {where}{' (new file)' if a.new_file else ''}: "
                         f"{len(a.statements)} statement(s), {len(a.entities)} entit"
                         f"{'y' if len(a.entities) == 1 else 'ies'} ({len(a.new_entities)} new)")
            if a.new_entities:
                names = [short(e) for e in a.new_entities]
                more = f", ... ({len(names) - 12} more)" if len(names) > 12 else ""
                lines.append("    new: " + ", ".join(names[:12]) + more)
            if a.amended:
                lines += amendment_lines(a)
        if self.scope is not None:
            lines.append(self.scope.describe())
        lines.append("validation: " + self.report.summary())
        for result in self.report.results:
            lines.append("  " + result.line())
        if self.conflicts:
            lines.append(f"figures of this addition that other sources state otherwise "
                         f"(saved query conflicting-figures): {len(self.conflicts)}")
            lines += ["  " + line for line in self.conflicts]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines) + "\n"

    def _problems(self) -> list[str]:
        new = list(self.origins.items())
        lines = []
        for result in self.report.results:
            lines.append(result.line())
            shown = self.causes[result] if result in self.causes else concerned(result, new)
            for quad, origin in shown:
                lines.append(f"    new statement: {short(quad.subject)} {short(quad.predicate)} "
                             f"{short(quad.object)} .  (from {origin})")
        return lines


#: How many statements of an amended source's graph the account shows.
AMENDMENT_SHOWN = 20


def amendment_lines(addition: GraphAddition, *, shown: int = AMENDMENT_SHOWN) -> list[str]:
    """What an addition changes in an existing source's graph: its statements, one a line."""
    statements = addition.statements
    lines = [f"    amended {short(addition.graph)}, which existed before: it gains"]
    lines += [f"      + {short(t.subject)} {short(t.predicate)} {short(t.object)} ."
              for t in statements[:shown]]
    if len(statements) > shown:
        lines.append(f"      ... and {len(statements) - shown} more (all of them are in "
                     f"{addition.file.name}, after the line '# Added by kg add')")
    return lines


def concerned(result: ValidationResult, new: list[tuple[ox.Quad, str]], *,
              limit: int = 3) -> list[tuple[ox.Quad, str]]:
    """The new statements a result is about: on its focus node and path, else about the node."""
    def iri(term: AnyTerm) -> str:
        return term.value if isinstance(term, ox.NamedNode) else str(term)

    about = [(q, o) for q, o in new if iri(q.subject) == result.focus]
    on_path = [(q, o) for q, o in about if result.path and short(q.predicate) == result.path]
    if result.value is not None:
        exact = [(q, o) for q, o in on_path if short(q.object) == result.value]
        on_path = exact or on_path
    pointing = [(q, o) for q, o in new if iri(q.object) == result.focus]
    return (on_path or about or pointing)[:limit]


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
                ) -> list[tuple[Path, list[ox.Quad]]]:
    """Every file parsed as untrusted input; every file's problems reported together.

    Raises:
        InputError: one line per problem, for every file that has one.
    """
    parsed: list[tuple[Path, list[ox.Quad]]] = []
    problems: list[InputError] = []
    for path in files:
        try:
            parsed.append((path, parse_untrusted(path, fmt=fmt or RdfFormat.from_path(
                path, hint="give --format"), limits=limits)))
        except InputError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputError("\n".join(str(p) for p in problems))
    return parsed


def place_statements(parsed: Iterable[tuple[Path, list[ox.Quad]]],
                     source: SourceDescription | None, graph: KnowledgeGraph
                     ) -> dict[ox.Quad, str]:
    """Every input statement in the graph it goes to (quad -> the file it came from).

    Raises:
        ProvenanceError: statements outside any graph and no ``source``; a graph
            that is not a source article's.
    """
    placed: dict[ox.Quad, str] = {}
    homeless: dict[str, int] = {}
    target = source.iri if source is not None else None
    for path, quads in parsed:
        for quad in quads:
            name = quad.graph_name
            if isinstance(name, ox.DefaultGraph):
                if target is None:
                    homeless[str(path)] = homeless.get(str(path), 0) + 1
                    continue
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            placed.setdefault(quad, path.name)
    if homeless:
        files = ", ".join(f"{path} ({count} statement(s))" for path, count in homeless.items())
        raise ProvenanceError(
            f"statements without a source: {files} lie outside any named graph. Put them in the "
            "graph of their source article (TriG: source:<stem> { ... }), or name the article "
            "with --source STEM (and --publisher, --date when the graph does not describe it yet)")
    if source is not None:
        for quad in source.statements(graph):
            placed.setdefault(quad, "--source")
    strangers = sorted({str(q.graph_name) for q in placed if stem_of(q.graph_name) is None})
    if strangers:
        raise ProvenanceError(
            f"graph {strangers[0]} is not a source article's: every statement lives in the graph "
            f"named by its article's IRI, {SOURCE_PREFIX}<stem> (stem: letters, digits, "
            "'_', '.', '-'), so that its provenance is known")
    return placed


def check_sources(placed: dict[ox.Quad, str], graph: KnowledgeGraph) -> None:
    """Each target graph describes its article, in the addition or already in the graph.

    Raises:
        ProvenanceError: naming the graph and what its description lacks.
    """
    # each need: what it is, and the statements (predicate, object or any) that meet it
    needs = {"a kg:SourceArticle type": ((RDF_TYPE, SOURCE_ARTICLE),),
             "a schema:publisher": ((PUBLISHER, None),),
             "a kg:statedDate (or kg:dateNotPrinted true)": (
                 (STATED_DATE, None), (DATE_NOT_PRINTED, ox.Literal(True)))}
    for name in sorted({q.graph_name for q in placed}, key=str):
        assert isinstance(name, ox.NamedNode)
        missing = []
        for what, ways in needs.items():
            if any(next(graph.quads(name, p, o, name), None) is not None for p, o in ways):
                continue
            if any(q.subject == name and q.predicate == p and (o is None or q.object == o)
                   and q.graph_name == name for q in placed for p, o in ways):
                continue
            missing.append(what)
        if missing:
            raise ProvenanceError(
                f"source {name.value} is not described: its graph lacks {', '.join(missing)} "
                "(neither the addition nor the graph says it). Describe the article inside its "
                "graph (see ontology/README.md), or give --source "
                f"{stem_of(name)} --publisher NAME --date YYYY-MM-DD (or YYYY-MM, YYYY, "
                "not-printed)")


def check_no_concepts(placed: dict[ox.Quad, str]) -> None:
    """No statement of the addition makes something a concept of a code list.

    The shapes check a code-list value by membership (``skos:inScheme``), so a source
    graph declaring the concept itself would pass them: the code lists are decided in
    ``ontology/vocabularies.ttl`` alone.

    Raises:
        InputError: naming the statements (and their files) and where the concept belongs.
    """
    found = sorted((q for q in placed if q.predicate in CONCEPT_PREDICATES or (
        q.predicate == RDF_TYPE and q.object in CONCEPT_CLASSES)), key=str)
    if found:
        shown = "; ".join(f"{short(q.subject)} {short(q.predicate)} {short(q.object)} "
                          f"(in {placed[q]})" for q in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        raise InputError(
            f"the addition declares code-list concepts: {shown}{more}. A source's graph cannot: "
            "the code lists are ontology/vocabularies.ttl alone. Take these statements out of "
            "the addition and add each new concept to ontology/vocabularies.ttl as a "
            "skos:Concept with skos:inScheme code:<list>, skos:prefLabel @id and @en and "
            "skos:definition @en (ontology/README.md, \"Code lists are data\")")


def add(files: Sequence[str | Path], *, project: Project | None = None,
        source: SourceDescription | None = None, fmt: RdfFormat | None = None,
        dry_run: bool = False, strict: bool = False, limits: Limits | None = None,
        lock_timeout: float | None = None, analysis: ShapeAnalysis | None = None,
        engine: str | None = None, store: str | Path | None = None,
        amend: str | Sequence[str] = ()) -> AddResult:
    """Add the statements of ``files`` to the graph, if they conform; see the module docstring.

    ``fmt`` forces the input format (else each file's suffix tells). ``analysis``
    (a :class:`~kg.reach.ShapeAnalysis`) may be passed to reuse it. ``engine``:
    the validation engine, as :func:`kg.validate.validate`. ``store``: an
    on-disk store (``kg load``) to read the graph from instead of the files of
    ``data/``, kept in step with the files it was loaded from. ``amend``: the
    stems of existing sources whose graphs the addition may change (``--amend``);
    a new article needs none.

    Besides the shapes, the addition must pass the guards of :mod:`kg.guards`
    (each statement's ``dct:source`` is its graph; every class and property is
    declared in ``ontology/`` or reused from a standard vocabulary): a broken guard
    is a violation in the report.

    Raises:
        SourceFileError, LimitError, InputError: a file is unusable (names file and line);
            ``amend`` names a source that does not exist.
        ProvenanceError: statements whose source article is unknown or undescribed;
            statements into an existing source's graph that ``amend`` does not name.
        StoreError: data/ is locked for longer than ``lock_timeout``, or cannot be written.
        KGError: the shapes cannot be run.
    """
    from .datafiles import checkpoint, commit, recover, writer_lock
    from .validate import project_shapes

    project = project or Project.locate()
    paths = rdf_inputs(files)
    if not paths:
        raise InputError("nothing to add: give one or more files")
    limits = limits or Limits.from_env()
    if source is not None:
        _ = source.iri  # a bad stem fails before anything is read
    amended_sources = amendments(amend)
    parsed = read_inputs(paths, fmt=fmt, limits=limits)
    if store is not None:
        data_dir = data_folder(Path(store))
    else:
        data_dir = project.data_dir if dry_run else project.writable_data_dir()
    lock = nullcontext() if dry_run else writer_lock(data_dir, timeout=lock_timeout)
    with lock:
        recovered = None
        if not dry_run:
            checkpoint("locked")
            recovered = recover(data_dir)
        if store is not None:
            graph = open_store(store, read_only=dry_run)
            stale = refresh_vocabulary(graph, rdf_files(project.ontology_dir), write=not dry_run)
            if stale and dry_run:
                raise StoreError(
                    f"{store}: the store holds an older ontology/ than the project's (changed: "
                    f"{', '.join(g.value for g in stale)}); kg add without --dry-run brings it "
                    "up to date, as does `kg load`")
            if not dry_run:
                recovered = settle(graph, data_dir) or recovered
        else:
            graph = load_graph(project)
        placed = place_statements(parsed, source, graph)
        check_sources(placed, graph)
        check_no_concepts(placed)
        new = {q: origin for q, origin in placed.items() if not q in graph.store}
        if not new:
            return AddResult((), ValidationReport(()), written=False, dry_run=dry_run,
                             already_present=len(placed), recovered=recovered)
        amended = check_amendments(new, graph, amended_sources, root=project.root)
        mentioned: set[AnyTerm] = {q.subject for q in placed if graph.mentions(q.subject)}
        shapes = project_shapes(project)
        if analysis is None:
            analysis = ShapeAnalysis.of_files(rdf_files(project.shapes_dir), shapes.store)
        # Validation reads the merged default graph: a statement another graph already
        # makes (a label each graph repeats, as the model asks) changes no result, and
        # walking from it would reach every node that shares it (thousands of
        # observations of a region)
        novel = [q for q in new if ox.Quad(q.subject, q.predicate, q.object) not in graph.store]
        report, scope = validate_addition(graph, novel, shapes, strict=strict,
                                          analysis=analysis, engine=engine)
        report = guarded(report, new, parsed, graph, store=store, root=project.root)
        additions, contents = _plan(data_dir, graph, new, mentioned, amended)
        causes = {}
        conflicts: tuple[str, ...] = ()
        if not report.conforms:
            from .causes import explain

            causes = explain(report.results, new, novel={q.triple for q in novel}, graph=graph,
                             shapes=shapes.store, files={p.name: p for p, _ in parsed}, fmt=fmt)
        else:
            from .conflicts import try_conflicts

            # in memory, the graph is this run's own copy of data/: it may take the statements
            conflicts = try_conflicts(graph, list(new), project, scratch=store is None)
        result = AddResult(tuple(additions), report, written=False, dry_run=dry_run,
                           already_present=len(placed) - len(new), scope=scope,
                           recovered=recovered, origins=new, causes=causes, conflicts=conflicts)
        if not report.conforms or dry_run:
            return result
        if store is not None:
            pending = prepare(Path(store), list(new), contents)
            commit(data_dir, contents, timeout=lock_timeout)
            record_files(Path(store), {a.graph.value: a.file for a in additions}, add=True)
            apply(graph, pending)
        else:
            commit(data_dir, contents, timeout=lock_timeout)
        return result._replace(written=True)


def amendments(amend: str | Sequence[str]) -> set[ox.NamedNode]:
    """The source graphs ``--amend`` names.

    Raises:
        InputError: a stem that cannot name a source.
    """
    stems = [amend] if isinstance(amend, str) else list(amend)
    for stem in stems:
        if not STEM.fullmatch(stem) or stem.endswith((".trig", ".tmp")):
            raise InputError(f"--amend {stem!r}: give the stem of an existing source (the name "
                             "of its file in data/ without .trig, e.g. 004_ceeb33199186a361)")
    return {ox.NamedNode(SOURCE_PREFIX + stem) for stem in stems}


def check_amendments(new: Mapping[ox.Quad, str], graph: KnowledgeGraph,
                     amend: set[ox.NamedNode], *, root: Path | None = None
                     ) -> set[ox.NamedNode]:
    """The existing source graphs the addition changes, each of which ``amend`` must name.

    Statements into an article's graph after the fact change what that source is
    recorded to say: a deliberate act (``--amend STEM``), never a side effect of a
    file that names the wrong graph.

    Raises:
        InputError: ``amend`` names a source with no graph.
        ProvenanceError: an existing source's graph gains statements ``amend`` does not allow.
    """
    def exists(name: ox.NamedNode) -> bool:
        return next(graph.quads(None, None, None, name), None) is not None

    def where(name: ox.NamedNode) -> str:
        origin = graph.origin(name)
        return f" ({_relative(origin, root)})" if origin is not None else ""

    for name in sorted(amend, key=lambda n: n.value):
        if not exists(name):
            raise InputError(f"--amend {stem_of(name)}: there is no source {short(name)} to "
                             "amend (no such graph in the data); a new article needs no --amend")
    touched: dict[ox.NamedNode, int] = {}
    for quad in new:
        assert isinstance(quad.graph_name, ox.NamedNode)  # placed in a source graph
        touched[quad.graph_name] = touched.get(quad.graph_name, 0) + 1
    existing = {name for name in touched if exists(name)}
    refused = sorted(existing - amend, key=lambda n: n.value)
    if refused:
        sources = "; ".join(f"{short(n)}{where(n)} would gain {touched[n]} statement(s)"
                            for n in refused)
        flags = " ".join(f"--amend {stem_of(n)}" for n in refused)
        raise ProvenanceError(
            f"the addition changes existing sources: {sources}. Statements into an existing "
            f"article's graph change what that source is recorded to say; if that is meant, "
            f"give {flags} (library: amend=[...]); if not, put the statements in the graph "
            "of the article that states them. Nothing was written")
    return existing


def guarded(report: ValidationReport, new: Mapping[ox.Quad, str],
            parsed: Sequence[tuple[Path, list[ox.Quad]]], graph: KnowledgeGraph, *,
            store: str | Path | None, root: Path | None) -> ValidationReport:
    """The report with the results of the guards (:mod:`kg.guards`) on the new statements."""
    from .guards import Terms, addition_results
    from .report import sort_key

    paths = {path.name: path for path, _ in parsed}
    files = {quad: paths[origin] for quad, origin in new.items() if origin in paths}
    found = addition_results(new, Terms.of(graph.store), files,
                             store=Path(store) if store is not None else None, root=root)
    if not found:
        return report
    return ValidationReport(sorted((*report.results, *found), key=sort_key),
                            strict=report.strict, warnings=report.warnings)


def _plan(data_dir: Path, graph: KnowledgeGraph, new: dict[ox.Quad, str],
          mentioned: set[AnyTerm], amended: Collection[ox.NamedNode] = ()
          ) -> tuple[list[GraphAddition], dict[str, bytes]]:
    """Per touched graph: what it gains, and the full new content of its file."""
    additions: list[GraphAddition] = []
    contents: dict[str, bytes] = {}
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in new:
        by_graph.setdefault(quad.graph_name, []).append(quad)  # type: ignore[arg-type]
    for name in sorted(by_graph, key=lambda g: g.value):
        quads = by_graph[name]
        target = _target_file(data_dir, graph, name)
        old = contents.get(target.name, target.read_bytes() if target.exists() else None)
        files = sorted({new[q] for q in quads})
        block = trig_block(quads)
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
        subjects = sorted({q.subject for q in quads}, key=str)
        additions.append(GraphAddition(
            graph=name, file=target, new_file=old is None,
            statements=tuple(sorted((q.triple for q in quads), key=str)),
            entities=tuple(subjects),
            new_entities=tuple(s for s in subjects if s not in mentioned),
            amended=name in amended))
    return additions, contents


def _target_file(data_dir: Path, graph: KnowledgeGraph, name: ox.NamedNode) -> Path:
    origin = graph.origin(name)
    if origin is not None:
        if origin.suffix.lower() != ".trig" or origin.resolve().parent != data_dir.resolve():
            raise StoreError(f"the graph {name.value} is stored in {origin}, which kg add cannot "
                             f"extend (it appends TriG to data/<stem>.trig); convert that file "
                             "to TriG first")
        return origin
    return data_dir / f"{stem_of(name)}.trig"


def trig_block(quads: list[ox.Quad]) -> str:
    """The statements as TriG: the prefixes they use, then their graph's block."""
    used = {t.value for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)
            if isinstance(t, ox.NamedNode)}
    used |= {q.object.datatype.value for q in quads if isinstance(q.object, ox.Literal)}
    prefixes = {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in used)}
    ordered = sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    text = (ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"").decode()
    return text.strip() + "\n"


def _verify(target: Path, old: bytes | None, content: bytes, quads: list[ox.Quad]) -> None:
    """Re-read the new file content: it must hold what was there plus the new statements."""
    def read(raw: bytes) -> set[ox.Quad]:
        return set(ox.parse(raw, ox.RdfFormat.TRIG, base_iri=target.resolve().as_uri()))

    try:
        expected = (read(old) if old is not None else set()) | set(quads)
        found = read(content)
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"{target}: the file kg add would write does not read back ({exc}); "
                         "nothing was written") from exc
    if found != expected:
        raise StoreError(f"{target}: the file kg add would write does not read back as the "
                         f"data plus the addition ({len(found ^ expected)} statement(s) differ); "
                         "nothing was written")


# ---------------------------------------------------------------------- a store in step


def data_folder(store: Path) -> Path:
    """The folder ``kg add`` writes a store's files in (recorded in ``kg-files.json``).

    Raises:
        StoreError: not a store, no record of its files, or files in several folders.
    """
    if not is_store(store):
        raise StoreError(f"{store}: not a kg store; make one with `kg load --store {store}`")
    record = read_record(store)
    if not record:
        raise StoreError(f"{store}: the store does not record which files it was loaded from "
                         "(made by an older kg); load it again with `kg load --store "
                         f"{store} FILE...`")
    if not record.get("folder"):
        raise StoreError(f"{store}: its graphs come from files in several folders; kg add "
                         "writes to one: put the files in one folder and load them again")
    return Path(record["folder"])


def prepare(store: Path, quads: list[ox.Quad], contents: dict[str, bytes]) -> bytes:
    """Write ``kg-pending.nq`` beside the store (step a); return its N-Quads."""
    from .atomic import write_atomically

    body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in contents.items()}
    write_atomically(store / PENDING_NAME,
                     b"# " + json.dumps(digests).encode("utf-8") + b"\n" + body)
    return body


def apply(graph: KnowledgeGraph, body: bytes) -> None:
    """Insert the prepared statements (step c) and remove ``kg-pending.nq``.

    Raises:
        StoreError: the store cannot be written; the next ``kg add`` retries.
    """
    assert graph.path is not None
    try:
        graph.add(ox.parse(body, ox.RdfFormat.N_QUADS))
    except StoreError as exc:
        raise StoreError(f"{exc}; the files hold the addition, the next kg add on the store "
                         "inserts it") from None
    (graph.path / PENDING_NAME).unlink(missing_ok=True)


def settle(graph: KnowledgeGraph, data_dir: Path) -> str | None:
    """Finish an addition an earlier ``kg add`` wrote to the files but not to the store.

    Call it after :func:`kg.datafiles.recover`, holding the writers' lock.

    Raises:
        StoreError: the record of the interrupted addition is unreadable.
    """
    assert graph.path is not None
    pending = graph.path / PENDING_NAME
    if not pending.exists():
        return None
    try:
        header, _, body = pending.read_bytes().partition(b"\n")
        expected: dict[str, str] = json.loads(header.decode("utf-8").lstrip("# "))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{pending}: unreadable record of an interrupted kg add ({exc}); "
                         f"load the store again with `kg load`") from None
    committed = all(
        (data_dir / name).is_file() and
        hashlib.sha256((data_dir / name).read_bytes()).hexdigest() == digest
        for name, digest in expected.items())
    if committed:
        graph.add(ox.parse(body, ox.RdfFormat.N_QUADS))
    pending.unlink()
    return ("completed an interrupted kg add in the store" if committed else
            "dropped an interrupted kg add the files do not hold")
