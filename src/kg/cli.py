"""The ``kg`` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform (or an
ASK answered false), 2 could not run (bad input, unreadable file, unreachable
endpoint). A user's mistake prints one line on stderr, no traceback unless
``--debug``. Heavy libraries are imported inside the commands, so that
start-up stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg", description="The Balikpapan industry knowledge graph.")
    parser.add_argument("--root", metavar="DIR",
                        help="project folder with ontology/, shapes/, data/, queries/ "
                             "(default: $KG_ROOT, else this checkout)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
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
    validate.set_defaults(handler=cmd_validate)
    return parser


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from .load import Project, load_graph, load_ontology, load_shapes
    from .validate import validate

    project = Project.locate(args.root)
    graph = load_graph(project, extra=args.files)
    report = validate(graph, load_shapes(project), load_ontology(project), strict=args.strict)
    text = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}
    out.write(text[args.format]())
    return 0 if report.conforms else 1


def cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    from .load import Project, load_graph, load_ontology, load_shapes
    from .summary import describe
    from .validate import validate

    project = Project.locate(args.root)
    graph = load_graph(project)
    report = validate(graph, load_shapes(project), load_ontology(project))
    out.write(describe(graph))
    out.write(f"\nvalidation: {report.summary()}\n")
    if not report.conforms:
        out.write("run `kg validate` for the details\n")
    return 0 if report.conforms else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
