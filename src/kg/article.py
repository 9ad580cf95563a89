"""A new source article's skeleton (``kg new-article``): TriG to fill in, then ``kg add``.

The text is the project's, not Python's: ``ontology/article-template.trig.in``,
which a domain expert edits (its notes say how). This module fills the few
places written ``{{name}}`` in it:

- ``{{prefixes}}``: the project's prefixes (:data:`kg.prefixes.PREFIXES`);
- ``{{stem}}``: the article's id, the stem of its file in ``data/``;
- ``{{article}}``: the article described as ``kg add --source`` describes it
  (:class:`kg.add.SourceDescription`: the publisher and authors reused by name
  when the graph knows them, the stated date at the precision given);
- ``{{day}}``: the day the article states, or the placeholder ``«day»`` when it
  states a month, a year or no date.

The template ends with ``.in`` so that nothing takes it for RDF (``ontology/``
is read as the vocabulary).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from .add import RDF_TYPE, SourceDescription, stated_date
from .errors import InputError
from .graph import KnowledgeGraph
from .prefixes import PREFIXES
from .project import Project

__all__ = ["TEMPLATE_NAME", "skeleton"]

#: The template, in the project's ontology/ folder.
TEMPLATE_NAME = "article-template.trig.in"
_SLOT = re.compile(r"\{\{(\w+)\}\}")
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_ARTICLE_ORDER = ("type", "identifier", "publisher", "statedDate", "dateNotPrinted", "author",
                  "headline", "inLanguage")


def skeleton(description: SourceDescription, *, project: Project | None = None,
             graph: KnowledgeGraph | None = None) -> str:
    """The TriG skeleton of the article ``description`` names, filled in from the template.

    ``graph``: where known publishers and authors are looked up (default: the project's).

    Raises:
        InputError: a bad stem or date; no template in the project, or a ``{{name}}`` in it
            that kg does not fill (naming the file and line).
    """
    from .graph import load_graph

    project = project or Project.locate()
    _ = description.iri  # a bad stem fails first
    date = stated_date(description.date) if description.date is not None else None
    template = project.ontology_dir / TEMPLATE_NAME
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{template}: the article template cannot be read "
                         f"({exc.strerror}); `kg init DIR` writes a project that has it") from None
    graph = graph if graph is not None else load_graph(project)
    day = date.value if date is not None and date.datatype.value.endswith("#date") else "«day»"
    values = {"prefixes": prefix_declarations(), "stem": description.stem,
              "article": indent(turtle(description.statements(graph)), 4), "day": day}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"{template}:{line}: {{{{{name}}}}} is not filled by kg "
                             f"(it fills {', '.join('{{' + n + '}}' for n in values)}); "
                             "write a «placeholder» for the maintainer instead")
        return values[name]

    return _SLOT.sub(fill, text)


def prefix_declarations() -> str:
    """The project's prefixes as ``@prefix`` lines, in the order of :mod:`kg.prefixes`."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).rstrip("\n")


def turtle(quads: list[ox.Quad]) -> str:
    """Statements as Turtle with the project's prefixes (declared elsewhere): one block per
    subject, in the order met; the article's own statements in the order of ontology/README.md."""
    by_subject: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in quads:
        by_subject.setdefault(quad.subject, []).append(quad)  # type: ignore[arg-type]

    def rank(quad: ox.Quad) -> int:
        name = "type" if quad.predicate == RDF_TYPE else re.split(r"[/#]", quad.predicate.value)[-1]
        return _ARTICLE_ORDER.index(name) if name in _ARTICLE_ORDER else len(_ARTICLE_ORDER)

    blocks = []
    for subject, said in by_subject.items():
        said = sorted(said, key=rank)
        lines = [f"{term(subject)} {term(q.predicate)} {term(q.object)}" for q in said[:1]]
        lines += [f"    {term(q.predicate)} {term(q.object)}" for q in said[1:]]
        blocks.append(" ;\n".join(lines) + " .")
    return "\n\n".join(blocks)


def term(node: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    """One term as Turtle: ``a``, a prefixed name where one reads back the same, else N-Triples."""
    if isinstance(node, ox.NamedNode):
        if node == RDF_TYPE:
            return "a"
        for prefix, namespace in PREFIXES.items():
            local = node.value[len(namespace):]
            if node.value.startswith(namespace) and _LOCAL.fullmatch(local):
                return f"{prefix}:{local}"
        return str(node)
    if isinstance(node, ox.Literal) and not node.language:
        datatype = node.datatype
        if datatype.value.endswith("#string"):
            return str(node)
        lexical = str(ox.Literal(node.value))
        return f"{lexical}^^{term(datatype)}"
    return str(node)


def indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.splitlines())


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path``; never overwrite one.

    Raises:
        InputError: the file exists, or cannot be written.
    """
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise InputError(f"{path} exists; kg new-article does not overwrite a file: give "
                         "another -o FILE, or remove it first") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror})") from None
