"""The ``kg`` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform (or an
ASK answered false), 2 could not run (bad input, unreadable file, unreachable
endpoint). A user's mistake prints one line on stderr, no traceback unless
``--debug``. Heavy libraries are imported inside the commands, so that
start-up stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .backends import Backend
    from .graph import KnowledgeGraph
    from .project import Project
    from .results import QueryResult

Handler = Callable[[argparse.Namespace, TextIO], int]


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run ``kg`` with ``argv``; return the exit code. Output goes to ``out`` (stdout)."""
    from .errors import KGError

    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return 2
    try:
        return handler(args, out)
    except KGError as exc:
        if args.debug:
            raise
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def console() -> None:
    """The ``kg`` command of the installed package: :func:`main`, then the process ends
    at once, without freeing one by one what it built (14 ms of `kg validate`'s 0.19 s).

    By then every file kg writes is written and synced, and every on-disk store it
    wrote to is closed (``kg load``) or flushed (``kg add --store``: RocksDB needs no
    close to keep what is flushed); the output is flushed here. :func:`main` is the
    one to call from Python.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (`kg ... | head`) or stream
            pass
    os._exit(code)


class VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=kwargs.get("help"))  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("kg")
        except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
            found = "unknown (not installed)"
        print(f"kg {found}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg", description="The Balikpapan industry knowledge graph.")
    parser.add_argument("--root", metavar="DIR",
                        help="project folder with ontology/, shapes/, data/, queries/ (default: "
                             "$KG_ROOT, else this checkout, else the current folder, else the "
                             "graph shipped in the package; `kg init DIR` writes one)")
    parser.add_argument("--version", action=VersionAction, help="print kg's version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--store", metavar="PATH",
                        help="query, export and summarize the on-disk store at PATH (made by "
                             "`kg load`) instead of the files of data/ (default: $KG_STORE)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    summary = commands.add_parser(
        "summary", help="load and validate the graph; print what it holds",
        description="Load the shipped graph, validate it, and print counts per source and class.")
    summary.set_defaults(handler=cmd_summary)

    validate = commands.add_parser(
        "validate", help="validate the data (and FILEs with it) against the shapes",
        description="Validate the shipped data, together with FILEs when given, against the "
                    "SHACL shapes. Exit 0 conforms, 1 does not conform, 2 could not run.")
    validate.add_argument("files", nargs="*", metavar="FILE", type=Path,
                          help="extra RDF files (.ttl .trig .nt .nq .jsonld) validated with the data")
    validate.add_argument("--format", choices=["text", "json", "turtle"], default="text",
                          help="report format (default: text)")
    validate.add_argument("--strict", action="store_true", help="warnings fail too")
    validate.add_argument("--engine", choices=["fast", "pyshacl"], default=None,
                          help="fast: the shapes compiled to SPARQL, run by pyoxigraph "
                               "(default; a shape it cannot run goes to pySHACL, with a warning); "
                               "pyshacl: the reference implementation (slow at scale)")
    validate.add_argument("--shapes", action="append", type=Path, metavar="SHAPES",
                          help="validate FILEs alone against these shapes files (repeatable), "
                               "outside the project, as pySHACL's command line does")
    validate.set_defaults(handler=cmd_validate)

    init = commands.add_parser(
        "init", help="write a new project folder to start from",
        description="Write DIR with the ontology/, shapes/, queries/ and data/ of the current "
                    "project (the shipped graph when kg runs from an installed package), to "
                    "work on with --root DIR or KG_ROOT=DIR.")
    init.add_argument("folder", metavar="DIR", type=Path, help="a new or empty folder")
    init.add_argument("--no-data", action="store_true",
                      help="leave data/ empty (no source articles): only the model and queries")
    init.set_defaults(handler=cmd_init)

    add_query_commands(commands)
    add_store_commands(commands)
    add_add_command(commands)
    add_new_article_command(commands)
    add_draft_command(commands)
    add_scale_commands(commands)
    add_web_commands(commands)
    return parser


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    from .project import init

    project = init(args.folder, data=not args.no_data)
    out.write(f"wrote a kg project to {project.root}; use it with `kg --root {args.folder} "
              f"summary` or KG_ROOT={args.folder}\n")
    return 0


RESULT_FORMATS = ["table", "csv", "tsv", "json", "turtle", "jsonld", "ntriples"]


def add_query_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg queries``, ``kg query NAME``, ``kg sparql QUERY``."""
    queries = commands.add_parser(
        "queries", help="list the saved queries and their parameters, or describe one",
        description="List the saved queries (queries/*.rq): name, summary and parameters. "
                    "With NAME: that query's summary, description, parameters (type, "
                    "example, description) and a command line that runs it.")
    queries.add_argument("name", metavar="NAME", nargs="?", help="describe this saved query")
    queries.add_argument("--format", choices=["text", "json"], default="text",
                         help="list format (default: text)")
    queries.set_defaults(handler=cmd_queries)

    query = commands.add_parser(
        "query", help="run a saved query", add_help=False,
        description="Run a saved query with its parameters bound. SELECT prints rows; ASK "
                    "prints true or false and exits 0 or 1; CONSTRUCT and DESCRIBE print RDF. "
                    "`kg query NAME --help` describes the query NAME too.")
    query.add_argument("--help", "-h", action="store_true", dest="help_wanted",
                       help="show this help (after NAME: with that query's description) and exit")
    # NAME is optional to argparse so that `kg query --help` needs none; cmd_query asks for it
    query.add_argument("name", metavar="NAME", nargs="?", help="the saved query (see `kg queries`)")
    query.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter value (repeatable)")
    query.add_argument("--format", "-f", choices=RESULT_FORMATS, default=None,
                       help="output: table (default), csv, tsv, json (W3C SPARQL results); "
                            "turtle (default for graphs), jsonld, ntriples")
    add_wide_option(query)
    add_endpoint_options(query)
    query.set_defaults(handler=cmd_query, parser=query)

    sparql = commands.add_parser(
        "sparql", help="run an ad hoc SPARQL query",
        description="Run a SPARQL query given as text, as a FILE, or on stdin (-). The "
                    "project prefixes need no declaring.")
    sparql.add_argument("query", metavar="QUERY|FILE|-", help="query text, a .rq file, or - for stdin")
    sparql.add_argument("--format", "-f", choices=RESULT_FORMATS, default=None,
                        help="output format, as for `kg query`")
    add_wide_option(sparql)
    add_endpoint_options(sparql)
    sparql.set_defaults(handler=cmd_sparql)


def add_wide_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--wide", "-w", action="store_true",
                         help="never cut a table's cells to the terminal's width (a table "
                              "written to a pipe or a file is never cut)")


def cmd_queries(args: argparse.Namespace, out: TextIO) -> int:
    from .project import Project
    from .queries import QueryLibrary, describe_library, describe_query

    folder = Project.locate(args.root).queries_dir
    if args.name:
        out.write(describe_query(QueryLibrary.read_one(folder, args.name),
                                 as_json=args.format == "json"))
        return 0
    library = QueryLibrary.load(folder, check_syntax=False)
    out.write(describe_library(library, as_json=args.format == "json"))
    return 0


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    from .errors import ParameterError
    from .project import Project
    from .queries import QueryLibrary, check_query, describe_query, unknown_iri_notes

    parser: argparse.ArgumentParser = args.parser
    if args.help_wanted:  # after NAME (argparse reads it first): that query's description too
        out.write(parser.format_help())
        if args.name:
            saved = QueryLibrary.read_one(project_of(args).queries_dir, args.name)
            out.write(f"\n{describe_query(saved)}")
        return 0
    if not args.name:
        parser.error("the following arguments are required: NAME")
    saved = QueryLibrary.read_one(Project.locate(args.root).queries_dir, args.name)
    check_query(saved.path, saved.text)
    values: dict[str, str] = {}
    for item in args.param:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise ParameterError(f"--param {item!r}: write NAME=VALUE")
        values[name.strip()] = value
    text = saved.bind(**values)
    backend = open_backend(args)
    result = backend.run(text)
    code = print_result(result, args.format, out, wide=args.wide)
    if result.kind == "SELECT" and not result.rows:
        for note in [*unknown_iri_notes(backend, saved, values), *graph_notes(args, text)]:
            print(f"note: {note}", file=sys.stderr)
    return code


def cmd_sparql(args: argparse.Namespace, out: TextIO) -> int:
    from .errors import InputError

    given: str = args.query
    if given == "-":
        text = sys.stdin.read()
    elif _is_file(given):
        from .parse import read_text

        text = read_text(Path(given))
    elif "{" in given or any(c.isspace() for c in given.strip()):
        text = given
    else:
        raise InputError(f"{given}: no such file, and not a SPARQL query")
    result = open_backend(args).run(text)
    code = print_result(result, args.format, out, wide=args.wide)
    if (result.kind == "SELECT" and not result.rows) or (result.kind == "ASK" and not result.boolean):
        for note in graph_notes(args, text):
            print(f"note: {note}", file=sys.stderr)
    return code


def graph_notes(args: argparse.Namespace, text: str) -> list[str]:
    """Why a query with ``GRAPH`` may have found nothing on an endpoint: ``--default-graph``
    without ``--named-graph`` leaves ``GRAPH`` no graph to see (by the protocol; Oxigraph
    follows it, Virtuoso shows every graph)."""
    if not getattr(args, "default_graph", None) or getattr(args, "named_graph", None):
        return []
    from .sparqltext import tokens

    if not any(kind == "word" and value.upper() == "GRAPH" for kind, value, _ in tokens(text)):
        return []
    return ["with --default-graph and no --named-graph, GRAPH sees no graph on a store that "
            "follows the SPARQL protocol (Oxigraph does; Virtuoso shows every graph): name "
            "the graphs GRAPH may see with --named-graph IRI (repeatable)"]


def _is_file(given: str) -> bool:
    """Whether ``given`` names a file (a long query text is no file name: the OS says so)."""
    try:
        return Path(given).is_file()
    except OSError:  # "File name too long"
        return False


def print_result(result: QueryResult, fmt: str | None, out: TextIO, *, wide: bool = False) -> int:
    """Write a query's result; exit 1 for an ASK answered false, else 0.

    A table is cut to the terminal's width only when ``out`` is a terminal and not
    ``wide``: piped or redirected, every cell is whole (the next command needs the IRIs).
    """
    from .results import ResultFormat, render

    width = None
    if not wide and out.isatty():
        import shutil

        width = shutil.get_terminal_size().columns
    out.write(render(result, ResultFormat.from_name(fmt) if fmt else None, width=width))
    return 1 if result.kind == "ASK" and not result.boolean else 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from .validate import project_shapes, validate_files, validate_graph

    if args.shapes:
        from .errors import InputError

        if not args.files:
            raise InputError("kg validate --shapes SHAPES needs the data files to validate")
        report = validate_files(args.shapes, args.files, strict=args.strict, engine=args.engine)
    else:
        report = validate_graph(open_graph(args, extra=args.files),
                                project_shapes(project_of(args)), strict=args.strict,
                                engine=args.engine, guards=True, files=args.files)
    for warning in report.warnings:
        print(f"kg: warning: {warning}", file=sys.stderr)
    text = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}
    out.write(text[args.format]())
    return 0 if report.conforms else 1


def cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    from .validate import project_shapes, validate_graph

    graph = open_graph(args)
    out.write(graph.describe())
    if graph.path is not None:
        out.write(f"\nvalidation: not run on a store (`kg --store {graph.path} validate` "
                  "runs it)\n")
        return 0
    report = validate_graph(graph, project_shapes(project_of(args)), guards=True)
    for warning in report.warnings:
        print(f"kg: warning: {warning}", file=sys.stderr)
    out.write(f"\nvalidation: {report.summary()}\n")
    if not report.conforms:
        out.write("run `kg validate` for the details\n")
    return 0 if report.conforms else 1


def project_of(args: argparse.Namespace) -> Project:
    """The project of ``--root`` (else as :meth:`Project.locate` finds it)."""
    from .project import Project

    return Project.locate(args.root)


def open_graph(args: argparse.Namespace, *, extra: Sequence[Path] = ()) -> KnowledgeGraph:
    """The graph a command works on: the on-disk store of ``--store`` (or ``$KG_STORE``),
    else the project's files read into memory (with ``extra`` untrusted files).

    Raises:
        InputError: extra files given with a store (a store holds what it was loaded with).
    """
    from .graph import load_graph, open_store

    store = store_path(args)
    if store is not None:
        if extra:
            from .errors import InputError

            raise InputError("with --store, kg validate checks the store as it is; validate "
                             "FILEs against the project's files (without --store), or add "
                             "them with `kg add --store`")
        return open_store(store)
    return load_graph(project_of(args), extra=extra)


def open_backend(args: argparse.Namespace) -> Backend:
    """The backend the query commands run on: the shipped data, loaded in process,
    the remote SPARQL endpoint of ``--endpoint``, or the on-disk store of
    ``--store`` (else ``$KG_STORE``; an explicit ``--endpoint`` wins over the variable).

    The one place that chooses a backend.

    Raises:
        InputError: both ``--store`` and ``--endpoint``, or ``--default-graph`` /
            ``--named-graph`` without ``--endpoint``.
        EndpointError: ``--endpoint`` is not an http(s) URL.
    """
    store_path(args)  # --store with --endpoint is refused
    if getattr(args, "endpoint", None):
        from .backends import RemoteBackend

        user, password = credentials(args)
        return RemoteBackend(args.endpoint, timeout=args.timeout, user=user, password=password,
                             default_graph=args.default_graph, named_graph=args.named_graph)
    if args.default_graph or args.named_graph:
        from .errors import InputError

        given = "--default-graph" if args.default_graph else "--named-graph"
        raise InputError(f"{given} names the graphs of a remote endpoint's dataset: give "
                         "--endpoint URL too (the local default graph is the merge of all graphs)")
    return open_graph(args)


# --------------------------------------------------------------------------- remote stores, export

ENDPOINT_USER_ENV = "KG_ENDPOINT_USER"
ENDPOINT_PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"


def add_endpoint_options(command: argparse.ArgumentParser) -> None:
    """``--endpoint URL`` and its companions, for the commands that run queries."""
    command.add_argument("--endpoint", metavar="URL",
                         help="run on this remote SPARQL endpoint instead of the local data; "
                              f"credentials from ${ENDPOINT_USER_ENV} / ${ENDPOINT_PASSWORD_ENV}")
    command.add_argument("--default-graph", action="append", default=[], metavar="IRI",
                         help="with --endpoint: a graph the endpoint's default graph is made of "
                              "(repeatable; Virtuoso's own default is every graph it holds)")
    command.add_argument("--named-graph", action="append", default=[], metavar="IRI",
                         help="with --endpoint: a graph GRAPH ?g sees (repeatable). Needed with "
                              "--default-graph: by the protocol a request that names default "
                              "graphs and no named graphs has none for GRAPH to see (Oxigraph "
                              "answers nothing; Virtuoso shows every graph)")
    command.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                         help="with --endpoint: give up after this long (default: 30)")


def add_store_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg publish`` and ``kg export``."""
    publish = commands.add_parser(
        "publish", help="load the graph into a triple store, one named graph per source",
        description="Replace each source graph in a triple store with the local one: by the "
                    "SPARQL 1.1 Graph Store Protocol (PUT per graph) with --graph-store, else "
                    "by SPARQL Update (DROP + INSERT DATA) on --endpoint. Publishing again is "
                    "idempotent. Virtuoso: --endpoint http://HOST:8890/sparql-auth "
                    "--graph-store http://HOST:8890/sparql-graph-crud-auth (Digest auth).")
    publish.add_argument("--endpoint", required=True, metavar="URL",
                         help="the store's SPARQL endpoint: counts the published graphs, and "
                              "takes the updates when no --graph-store is given")
    publish.add_argument("--graph-store", metavar="URL",
                         help="the store's Graph Store Protocol URL (preferred where offered)")
    publish.add_argument("--user", metavar="USER",
                         help=f"user for HTTP Digest/Basic auth (default: ${ENDPOINT_USER_ENV})")
    publish.add_argument("--password", metavar="PASSWORD",
                         help=f"its password (default: ${ENDPOINT_PASSWORD_ENV}, which keeps it "
                              "out of the process list)")
    publish.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                         help="give up on one request after this long (default: 60)")
    publish.add_argument("--base", metavar="URL", help=BASE_HELP)
    publish.set_defaults(handler=cmd_publish)

    export = commands.add_parser(
        "export", help="write the graph as TriG, N-Quads, JSON-LD, Turtle or N-Triples",
        description="Write the graph, or one source graph, to stdout or a FILE. TriG, N-Quads "
                    "and JSON-LD keep every named graph (the source of each statement) and the "
                    "vocabulary graphs (ontology, code lists); Turtle and N-Triples have no "
                    "graphs and hold the union of the source graphs (with --vocabulary, of the "
                    "vocabulary too). JSON-LD is compacted with the shipped context "
                    "(src/kg/context.jsonld, inlined).")
    export.add_argument("--format", "-f", metavar="FORMAT",
                        choices=["trig", "nquads", "jsonld", "turtle", "nt"],
                        help="trig, nquads, jsonld, turtle or nt (default: from the -o suffix, "
                             "else trig)")
    export.add_argument("--graph", "-g", metavar="SOURCE",
                        help="only this source graph: its IRI, source:STEM, or the STEM")
    export.add_argument("--output", "-o", metavar="FILE", type=Path,
                        help="write to FILE (atomically: all or nothing) instead of stdout")
    export.add_argument("--expanded", action="store_true",
                        help="JSON-LD: expanded (full IRIs, no context), written by pyoxigraph "
                             "alone: faster for millions of statements than the compacted default")
    export.add_argument("--vocabulary", action="store_true",
                        help="Turtle and N-Triples: add the ontology and code lists to the data "
                             "(TriG, N-Quads and JSON-LD carry their graphs anyway)")
    export.add_argument("--base", metavar="URL", help=BASE_HELP)
    export.set_defaults(handler=cmd_export)


#: ``--base`` of kg export, kg publish and kg site.
BASE_HELP = ("mint the published IRIs under URL (http(s), ending with /) in place of "
             "https://kg.example/")


def credentials(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The user and password of the command line, else of the environment."""
    import os

    user = getattr(args, "user", None) or os.environ.get(ENDPOINT_USER_ENV) or None
    password = getattr(args, "password", None) or os.environ.get(ENDPOINT_PASSWORD_ENV) or None
    return user, password


def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    from .graph import load_graph
    from .project import Project
    from .publish import publish

    user, password = credentials(args)
    report = publish(load_graph(Project.locate(args.root)), endpoint=args.endpoint,
                     graph_store=args.graph_store, user=user, password=password,
                     timeout=args.timeout, base=args.base)
    out.write(report.to_text())
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from .export import check_base, export, export_to
    from .formats import RdfFormat

    if args.base is not None:
        check_base(args.base)  # before the graph is read
    if args.format:
        fmt = RdfFormat.from_name(args.format)
    elif args.output:
        fmt = RdfFormat.from_path(args.output, hint="give --format")
    else:
        fmt = RdfFormat.TRIG
    graph = open_graph(args)
    vocabulary = True if args.vocabulary else None
    if args.output:
        export_to(graph, fmt, args.output, source=args.graph, vocabulary=vocabulary,
                  expanded=args.expanded, base=args.base)
    else:
        data = export(graph, fmt, source=args.graph, vocabulary=vocabulary,
                      expanded=args.expanded, base=args.base) or b""
        out.write(data.decode("utf-8"))
    return 0


# --------------------------------------------------------------------------- scale: store, synthetic data

#: The commands that run on the store when ``--store`` (or ``$KG_STORE``) names one.
STORE_COMMANDS = ("query", "sparql", "export", "summary", "validate", "add")


def add_scale_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg load`` and ``kg synth``; ``--store`` also accepted after the commands that use it."""
    for name in STORE_COMMANDS:
        # SUPPRESS: absent here, the value given before the command (or None) stays
        commands.choices[name].add_argument(
            "--store", metavar="PATH", default=argparse.SUPPRESS,
            help="run on the on-disk store at PATH (made by `kg load`; default: $KG_STORE)")
    load = commands.add_parser(
        "load", help="load the data (or FILEs) into an on-disk store",
        description="Bulk-load the files of data/ (or the FILEs given) into the pyoxigraph store "
                    "at --store PATH, one named graph per source. The store is replaced as a "
                    "whole: it is built beside PATH and swapped in only when every file has "
                    "loaded, so a file that does not parse changes nothing. --add adds the "
                    "files to the store instead. Other commands use the store with --store "
                    "PATH or $KG_STORE.")
    load.add_argument("files", nargs="*", metavar="FILE", type=Path,
                      help="RDF files (.trig .nq .ttl .nt .jsonld; default: the files of data/); "
                           "a folder stands for the RDF files in it")
    load.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                      help="the store folder (default: $KG_STORE)")
    load.add_argument("--add", action="store_true",
                      help="add the files to the existing store instead of replacing it")
    load.add_argument("--validate", action="store_true",
                      help="validate the files against the shapes first; refuse to load them "
                           "if they do not conform (slow for millions of statements)")
    load.set_defaults(handler=cmd_load)

    synth = commands.add_parser(
        "synth", help="write synthetic data at national scale (for benchmarks and tests)",
        description="Write synthetic source articles in the project's model for REGIONS regions "
                    "and YEARS years (up to 2024): bodies, posts and holders, facilities, "
                    "statistics with a known rate of conflicting figures. One TriG file per "
                    "region; every IRI carries `synth-`. About 514 statements per region-year: "
                    "--regions 552 --years 10 is about 2.8M, --years 35 about 10M. The same "
                    "seed writes the same bytes.")
    synth.add_argument("--regions", type=int, required=True, metavar="N",
                       help="number of regions (552 = every province and kabupaten/kota)")
    synth.add_argument("--years", type=int, default=5, metavar="Y",
                       help="number of years, ending in 2024 (default: 5)")
    synth.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default: 1)")
    synth.add_argument("--conflict-rate", type=float, default=None, metavar="R",
                       help="share of re-reported figures that conflict (default: 0.1)")
    synth.add_argument("--output", "-o", type=Path, required=True, metavar="DIR",
                       help="folder to write to: new, empty, or an earlier synthesis")
    synth.set_defaults(handler=cmd_synth)


def store_path(args: argparse.Namespace) -> Path | None:
    """The store the command runs on: ``--store``, else ``$KG_STORE`` unless ``--endpoint`` is given.

    Raises:
        InputError: both ``--store`` and ``--endpoint`` are given.
    """
    import os

    from .errors import InputError
    from .graph import STORE_ENV

    given = getattr(args, "store", None)
    endpoint = getattr(args, "endpoint", None)
    if given and endpoint:
        raise InputError("give --store or --endpoint, not both")
    if given:
        return Path(given)
    if endpoint:
        return None
    from_env = os.environ.get(STORE_ENV, "").strip()
    return Path(from_env) if from_env else None


def cmd_load(args: argparse.Namespace, out: TextIO) -> int:
    from .errors import InputError
    from .graph import STORE_ENV, load_store
    from .parse import rdf_files, rdf_inputs
    from .project import Project

    store = store_path(args)
    if store is None:
        raise InputError(f"kg load needs a store folder: give --store PATH or set ${STORE_ENV}")
    project = Project.locate(args.root)
    files = rdf_inputs(args.files) if args.files else rdf_files(project.data_dir)
    if args.validate:
        from .validate import validate_files

        report = validate_files(rdf_files(project.shapes_dir), files,
                                vocabulary=rdf_files(project.ontology_dir), guards=True)
        for warning in report.warnings:
            print(f"kg: warning: {warning}", file=sys.stderr)
        if not report.conforms:
            out.write(report.to_text())
            out.write(f"not loaded into {store}: the files do not conform\n")
            return 1
    out.write(load_store(store, files, add=args.add, project=project).to_text())
    return 0


def cmd_synth(args: argparse.Namespace, out: TextIO) -> int:
    from .synth import CONFLICT_RATE, synthesize

    rate = CONFLICT_RATE if args.conflict_rate is None else args.conflict_rate
    summary = synthesize(args.regions, args.years, args.seed, args.output, conflict_rate=rate)
    out.write(summary.to_text())
    return 0


# --------------------------------------------------------------------------- add: new statements


def add_add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg add FILE... [--source STEM --publisher P --date D ...] [--dry-run]``."""
    add = commands.add_parser(
        "add", help="add the statements of FILEs to data/, if they conform to the shapes",
        description="Check FILEs (untrusted input: limits, syntax, datatypes, no blank nodes), "
        "place every statement in the graph of its source article, validate the data with them "
        "against the shapes (only where they can change a result), and on success append them "
        "to data/<stem>.trig, all files at once or none. With --store (or $KG_STORE) the data "
        "is read from the store, the files written are those the store was loaded from, and "
        "the store gets the statements too. Exit 0 added (or nothing new), "
        "1 does not conform (nothing written), 2 could not run: a bad file, statements without "
        "a described source article (provenance), data/ locked.")
    add.add_argument("files", nargs="+", metavar="FILE", type=Path,
                     help="RDF files: .ttl .trig .nt .nq .jsonld (or give --format); a folder "
                          "stands for the RDF files in it")
    add.add_argument("--format", dest="input_format", metavar="FORMAT",
                     help="the files' RDF format: turtle, trig, nt, nquads, json-ld "
                          "(default: from each file's suffix)")
    article = add.add_argument_group(
        "source article", "where statements outside any named graph come from; --publisher and "
        "--date are needed only when data/ does not describe the article yet")
    article.add_argument("--source", "--source-id", dest="source", metavar="STEM",
                         help="the article's id, the stem of its file: the statements go to "
                              "graph source:STEM, written to data/STEM.trig")
    article.add_argument("--publisher", metavar="NAME|IRI",
                         help="its publisher: body:<id>, an IRI, or a name (matched against the "
                              "publishers in data/, else made into body:<slug>)")
    article.add_argument("--date", metavar="YYYY-MM-DD|YYYY-MM|YYYY|not-printed",
                         help="the date the article states for its event or quote (kg:statedDate), "
                              "as precise as the article prints it; not-printed when it prints "
                              "none (kg:dateNotPrinted true)")
    article.add_argument("--headline", metavar="TEXT", help="the printed headline (Indonesian)")
    article.add_argument("--author", dest="authors", action="append", default=[],
                         metavar="NAME|IRI", help="an author (repeatable): person:<id> or a name")
    article.add_argument("--language", default="id", metavar="CODE",
                         help="the article's language (schema:inLanguage; default: id)")
    add.add_argument("--amend", action="append", default=[], metavar="STEM",
                     help="allow statements into the graph of this existing source (repeatable); "
                          "without it, an addition that changes an existing article's graph is "
                          "refused. A new article needs none")
    add.add_argument("--dry-run", action="store_true",
                     help="check and validate, say what would be added, write nothing")
    add.add_argument("--strict", action="store_true", help="warnings refuse the addition too")
    add.add_argument("--engine", choices=["fast", "pyshacl"], default=None,
                     help="validation engine, as for kg validate (default: fast)")
    add.add_argument("--lock-timeout", type=float, metavar="SECONDS",
                     help="how long to wait for another kg add to finish "
                          "(default: $KG_LOCK_TIMEOUT, else 30)")
    limits = add.add_argument_group("limits", "untrusted input; the defaults come from "
                                    "$KG_MAX_FILE_BYTES, $KG_MAX_LITERAL_CHARS, $KG_MAX_DEPTH")
    limits.add_argument("--max-file-bytes", type=int, metavar="N", help="largest file read")
    limits.add_argument("--max-literal-chars", type=int, metavar="N", help="longest literal")
    limits.add_argument("--max-depth", type=int, metavar="N",
                        help="deepest nesting of brackets (Turtle) or of JSON")
    add.set_defaults(handler=cmd_add)


def add_new_article_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                            ) -> None:
    """``kg new-article --id STEM --publisher P --date D [--author A ...] [-o FILE]``."""
    new = commands.add_parser(
        "new-article", help="print a TriG skeleton for a new source article, to fill in and add",
        description="Print (or write to a new FILE) a TriG skeleton for a new source article: "
        "the prefixes, the article described inside its own graph source:STEM as "
        "ontology/README.md says, and a commented example of each common pattern (from the "
        "project's ontology/article-template.trig.in, which a maintainer edits). Fill it in, "
        "then `kg add FILE`.")
    new.add_argument("--id", dest="stem", required=True, metavar="STEM",
                     help="the article's id, the stem of its file in data/ (e.g. 005_kaltimpost-umkm)")
    new.add_argument("--publisher", required=True, metavar="NAME|IRI",
                     help="its publisher: body:<id>, an IRI, or a name (matched against the "
                          "publishers in data/, else made into body:<slug>)")
    new.add_argument("--date", required=True, metavar="YYYY-MM-DD|YYYY-MM|YYYY|not-printed",
                     help="the date the article states, as precise as it prints it; "
                          "not-printed when it prints none")
    new.add_argument("--author", dest="authors", action="append", default=[],
                     metavar="NAME|IRI", help="an author (repeatable): person:<id> or a name")
    new.add_argument("--headline", metavar="TEXT", help="the printed headline (Indonesian)")
    new.add_argument("--language", default="id", metavar="CODE",
                     help="the article's language (schema:inLanguage; default: id)")
    new.add_argument("--output", "-o", type=Path, metavar="FILE",
                     help="write to FILE, which must not exist (default: print)")
    new.set_defaults(handler=cmd_new_article)


def cmd_new_article(args: argparse.Namespace, out: TextIO) -> int:
    from .add import SourceDescription
    from .article import skeleton, write_new

    description = SourceDescription(args.stem, publisher=args.publisher, date=args.date,
                                    headline=args.headline, authors=tuple(args.authors),
                                    language=args.language)
    text = skeleton(description, project=project_of(args))
    if args.output is None:
        out.write(text)
    else:
        write_new(args.output, text)
        out.write(f"wrote {args.output}: fill it in (ontology/README.md), then "
                  f"`kg add {args.output}`\n")
    return 0


def add_draft_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg draft ARTICLE.txt [--source-id ID] [--publisher NAME] [-o FILE] [--format F]``."""
    draft = commands.add_parser(
        "draft", help="draft an article's figures, dates and people in posts as TriG to review",
        description="Read the plain text of a news article (Indonesian) and write a draft "
        "addition: every figure (value, unit, qualifier, indicator, period), date (at the "
        "precision printed) and person in a post (linked to the graph's people, posts and "
        "bodies by their labels, with the evidence), every open question a TODO comment. "
        "Review it, then `kg add --dry-run FILE`.")
    draft.add_argument("article", type=Path, metavar="ARTICLE.txt", help="the article's text")
    draft.add_argument("--source-id", metavar="ID",
                       help="the article's id, the stem of its file in data/ (default: the "
                            "text file's stem)")
    draft.add_argument("--publisher", metavar="NAME",
                       help="its publisher (matched against the graph's publishers; default: a "
                            "publisher the graph holds whose name the text prints at its top)")
    draft.add_argument("--output", "-o", type=Path, metavar="FILE",
                       help="write to FILE, which must not exist (default: print)")
    draft.add_argument("--format", choices=["trig", "json"], default="trig",
                       help="trig: the draft (default); json: the findings as a list")
    draft.set_defaults(handler=cmd_draft)


def cmd_draft(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from .article import write_new
    from .draft import draft, findings_json
    from .errors import InputError
    from .graph import load_graph

    if not args.article.is_file():
        raise InputError(f"{args.article}: no such file")
    findings, trig = draft(args.article, graph=load_graph(project_of(args)),
                           stem=args.source_id, publisher=args.publisher)
    text = trig if args.format == "trig" else \
        json.dumps(findings_json(findings), ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        out.write(text)
    else:
        write_new(args.output, text)
        out.write(f"wrote {args.output}: review it, then `kg add --dry-run {args.output}`\n")
    return 0


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    from .add import SourceDescription, add
    from .formats import RdfFormat
    from .project import Project
    from .untrusted import Limits

    project = Project.locate(args.root)
    source = None
    if args.source:
        source = SourceDescription(args.source, publisher=args.publisher, date=args.date,
                                   headline=args.headline, authors=tuple(args.authors),
                                   language=args.language)
    elif args.publisher or args.date or args.headline or args.authors:
        from .errors import InputError
        raise InputError("--publisher, --date, --headline and --author describe the article "
                         "named by --source STEM: give --source too")
    limits = Limits.from_env().with_overrides(
        max_file_bytes=args.max_file_bytes, max_literal_chars=args.max_literal_chars,
        max_depth=args.max_depth)
    fmt = RdfFormat.from_name(args.input_format) if args.input_format else None
    result = add(args.files, project=project, source=source, fmt=fmt, dry_run=args.dry_run,
                 strict=args.strict, limits=limits, lock_timeout=args.lock_timeout,
                 engine=args.engine, store=store_path(args), amend=args.amend)
    out.write(result.to_text(project.root))
    return 0 if result.conforms else 1


# --------------------------------------------------------------------------- the web

def add_web_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kg serve`` and ``kg site``."""
    serve = commands.add_parser(
        "serve", help="serve the graph on the web: SPARQL endpoint, pages, charts, API",
        description="Serve the graph over HTTP: the SPARQL 1.1 Protocol at /sparql, the query "
                    "page at /, a page for every thing of the graph (/id/..., /code/..., "
                    "/def/...), the saved queries at /api/queries. Read-only. Over the "
                    "project's files (default), an on-disk store (--store) or a remote "
                    "SPARQL endpoint (--endpoint).")
    add_endpoint_options(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--query-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="time limit of one query (default: 10)")
    serve.add_argument("--max-rows", type=int, default=100_000, metavar="N",
                       help="the most rows one answer may have (default: 100000)")
    serve.add_argument("--base", metavar="URL",
                       help="the published base IRI in place of https://kg.example/")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="an origin whose pages may call /sparql and /api (repeatable; "
                            "default: any, the data being public and read-only)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="server processes (default: 1; each holds the graph, or opens "
                            "the store read-only)")
    serve.add_argument("--no-access-log", action="store_true",
                       help="do not write the access log (JSON lines on stderr)")
    serve.set_defaults(handler=cmd_serve)

    site = commands.add_parser(
        "site", help="write the graph's pages as a static site",
        description="Write the entity, indicator and source pages, the dumps (TriG, N-Quads, "
                    "JSON-LD) and a VoID + DCAT description of the dataset into a folder, for "
                    "hosting without a server: the pages kg serve answers, each at its path "
                    "(/id/x as id/x/index.html). DIR must be new, empty or a site kg wrote "
                    "before; the site is written beside it and renamed into place at the end. "
                    "Exit status 1 when a page links to one the server does not answer.")
    site.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write")
    site.add_argument("--base", metavar="URL", help=BASE_HELP)
    site.set_defaults(handler=cmd_site)


def serve_settings(args: argparse.Namespace) -> dict[str, object]:
    """What each server process needs to build the application (JSON-able)."""
    from .errors import InputError

    store = store_path(args)
    if (args.default_graph or args.named_graph) and not args.endpoint:
        given = "--default-graph" if args.default_graph else "--named-graph"
        raise InputError(f"{given} names the graphs of a remote endpoint's dataset: give "
                         "--endpoint URL too")
    if args.endpoint:
        from .remote import check_url

        check_url(args.endpoint)
    for name in ("query_timeout", "max_rows", "workers"):
        if getattr(args, name) <= 0:
            raise InputError(f"--{name.replace('_', '-')} must be more than 0")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port}: a port is a number from 0 to 65535")
    return {"root": args.root, "store": str(store) if store else None,
            "endpoint": args.endpoint, "default_graph": args.default_graph,
            "named_graph": args.named_graph, "timeout": args.query_timeout,
            "endpoint_timeout": args.timeout, "max_rows": args.max_rows, "base": args.base,
            "cors_origins": args.cors_origin or ["*"], "access_log": not args.no_access_log}


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    import json
    import logging

    import uvicorn

    settings = serve_settings(args)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if args.workers > 1:
        os.environ["KG_SERVE"] = json.dumps(settings)
        uvicorn.run("kg.serve.app:app_from_environment", factory=True, host=args.host,
                    port=args.port, workers=args.workers, access_log=False, log_level="warning")
        return 0
    from .serve import build

    app = build(**settings)  # type: ignore[arg-type]
    print(f"kg: serving {app.state.context.dataset.describe()} at "
          f"http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


def cmd_site(args: argparse.Namespace, out: TextIO) -> int:
    from .serve.site import write_site

    report = write_site(Path(args.output), project_of(args), base=args.base)
    out.write(report.to_text())
    return 1 if report.broken else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
