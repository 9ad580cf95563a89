"""SHACL-SPARQL query text: the rules of pre-binding, substitutions, message templates.

SHACL runs a SPARQL-based constraint once per focus node with ``$this``
*pre-bound* (https://www.w3.org/TR/shacl/#pre-binding): every occurrence of
the variable stands for the focus node, in triple patterns, FILTERs, BINDs
and subqueries alike. The engine does that for all focus nodes in one query:
the query becomes the right side of an Oxigraph ``LATERAL`` join whose left
side binds ``?this`` to each focus node, and LATERAL evaluates the right side
with the left side's bindings substituted. What SHACL fixes before the query
runs (``$PATH``, ``$currentShape``, the parameters of a constraint
component) is written into the text.

This module reads the text only: it checks the rules SHACL sets on such
queries (no MINUS, VALUES or SERVICE; no ``AS`` rebinding a pre-bound
variable; a nested SELECT must return ``$this``), replaces variables by terms,
splits the prologue from the query, and fills message templates
(``{?var}``, ``{$var}``). Strings, IRIs and comments are never mistaken for
keywords or variables.

>>> substitute("SELECT $this WHERE { $this ex:p ?x . FILTER(?x != '$x' && bound(?x)) }", "x", "1")
"SELECT $this WHERE { $this ex:p 1 . FILTER(1 != '$x' && (true)) }"
>>> fill("{$this} has {?n} parts", {"this": ox.NamedNode("http://e.org/a"), "n": ox.Literal("3")})
'http://e.org/a has 3 parts'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import pyoxigraph as ox

from ..errors import ShapesError

# \w rather than SPARQL's exact ranges of letters: the same tokens here, and compiling the
# explicit Unicode ranges took 15 ms of kg validate's start-up
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$]\w+)
  | (?P<word>[^\W\d][\w\-.]*(?::[\w\-.:%\\]*)?|:[\w\-.:%\\]*)
  | (?P<open>[{(])
  | (?P<close>[})])
  | (?P<space>\s+)
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)


class Token(NamedTuple):
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The token upper-cased when it is a bare word (a keyword), else ""."""
        return self.text.upper() if self.kind == "word" and ":" not in self.text else ""


def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of SPARQL text (comments and whitespace included, so that the text can be rebuilt)."""
    found = _TOKENS.get(text)
    if found is None:
        if len(_TOKENS) > 1000:  # texts with focus nodes in them come and go
            _TOKENS.clear()
        found = _TOKENS[text] = tuple(Token(m.lastgroup or "other", m.group(), m.start())
                                      for m in _TOKEN.finditer(text))
    return found


_TOKENS: dict[str, tuple[Token, ...]] = {}


def uses(text: str, name: str) -> bool:
    """Whether the query mentions the variable ``?name`` / ``$name``."""
    if f"?{name}" not in text and f"${name}" not in text:
        return False
    return any(t.kind == "var" and t.text[1:] == name for t in tokens(text))


def substitute(text: str, name: str, replacement: str) -> str:
    """``text`` with every ``?name`` / ``$name`` replaced by ``replacement`` (SPARQL text).

    ``BOUND(?name)`` becomes ``(true)``: the variable is bound, and BOUND takes a variable.
    """
    found = list(tokens(text))
    out: list[str] = []
    index = 0
    while index < len(found):
        token = found[index]
        if token.keyword == "BOUND":
            rest = [i for i in range(index + 1, min(index + 8, len(found)))
                    if found[i].kind not in ("space", "comment")][:3]
            if len(rest) == 3 and found[rest[0]].text == "(" and found[rest[2]].text == ")" \
                    and found[rest[1]].kind == "var" and found[rest[1]].text[1:] == name:
                out.append("(true)")
                index = rest[2] + 1
                continue
        out.append(replacement if token.kind == "var" and token.text[1:] == name else token.text)
        index += 1
    return "".join(out)


def term_text(term: ox.NamedNode | ox.Literal) -> str:
    """An IRI or literal as SPARQL text (N-Triples syntax, which SPARQL reads)."""
    return str(term)


def split_prologue(text: str) -> tuple[str, str]:
    """``(prologue, query)``: the leading BASE / PREFIX declarations, and the rest."""
    position = 0
    expect = 0  # tokens still belonging to the declaration being read
    for token in tokens(text):
        if token.kind in ("space", "comment"):
            continue
        if expect:
            expect -= 1
            position = token.start + len(token.text)
            continue
        if token.keyword == "PREFIX":
            expect = 2
        elif token.keyword == "BASE":
            expect = 1
        else:
            break
        position = token.start + len(token.text)
    return text[:position], text[position:]


def group_of_ask(text: str) -> str:
    """The group graph pattern of an ASK query (``{ ... }``), without ``ASK`` and ``WHERE``.

    Raises:
        ShapesError: not an ASK query.
    """
    _, query = split_prologue(text)
    seen = [t for t in tokens(query) if t.kind not in ("space", "comment")]
    if not seen or seen[0].keyword != "ASK":
        raise ShapesError(f"an ASK validator must hold an ASK query: {_excerpt(text)}")
    opening = next((t for t in seen if t.text == "{"), None)
    if opening is None:
        raise ShapesError(f"the ASK query has no group pattern: {_excerpt(text)}")
    return query[opening.start:]


def check(text: str, prebound: Iterable[str]) -> None:
    """Refuse what SHACL forbids in a query run with pre-bound variables (SHACL 5.2.1).

    Raises:
        ShapesError: MINUS, VALUES or SERVICE; ``AS`` binding a pre-bound variable;
            a nested SELECT that does not return ``$this`` (or ``SELECT *``).
    """
    names = set(prebound)
    seen = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    selects = 0
    for index, token in enumerate(seen):
        word = token.keyword
        if word in ("MINUS", "VALUES", "SERVICE"):
            raise ShapesError(f"a SHACL-SPARQL query must not use {word} (SHACL 5.2.1, "
                              f"pre-binding): {_excerpt(text)}")
        if word == "AS" and index + 1 < len(seen) and seen[index + 1].kind == "var" \
                and seen[index + 1].text[1:] in names:
            raise ShapesError(f"a SHACL-SPARQL query must not bind the pre-bound variable "
                              f"{seen[index + 1].text} with AS: {_excerpt(text)}")
        if word == "SELECT":
            selects += 1
            if selects == 1:
                continue
            projected: set[str] = set()
            star = False
            for item in seen[index + 1:]:
                if item.keyword in ("WHERE", "FROM") or item.text == "{":
                    break
                if item.kind == "var":
                    projected.add(item.text[1:])
                star = star or item.text == "*"
            if star:
                raise ShapesError("a nested SELECT * does not return the pre-bound variables "
                                  f"(SHACL 5.2.1): {_excerpt(text)}")
            needed = names - {"currentShape", "shapesGraph"}
            if "this" in names and not needed <= projected:
                missing = ", ".join(f"${n}" for n in sorted(needed - projected))
                raise ShapesError(f"a nested SELECT must return the pre-bound variables "
                                  f"({missing}; SHACL 5.2.1): {_excerpt(text)}")


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LISTING = {"SELECT", "GROUP", "ORDER"}   # clauses that list variables, not patterns
_LISTED_UNTIL = {"WHERE", "FROM", "HAVING", "LIMIT", "OFFSET", "ORDER", "GROUP", "VALUES"}


def _term(token: Token | None) -> bool:
    if token is None:
        return False
    return token.kind in ("var", "iri", "string") or token.text in ("a", "]", ")") or (
        token.kind == "word" and ":" in token.text)


def predicates(text: str, prefixes: Mapping[str, str]) -> set[str] | None:
    """Every IRI the query names (a superset of the predicates it reads), or None when it
    may read any statement: a variable predicate, or GRAPH (other graphs than the default).

    ``a`` is ``rdf:type``; prefixed names are expanded with ``prefixes`` and the text's own
    PREFIX lines. A variable is taken for a predicate, conservatively, when it stands
    between two terms (or after ``;`` or ``[``) outside a SELECT, GROUP BY or ORDER BY list.
    """
    known = dict(prefixes)
    found: set[str] = set()
    seen = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    listing = False
    for index, token in enumerate(seen):
        word = token.keyword
        if word == "GRAPH":
            return None
        if word == "PREFIX" and index + 2 < len(seen):
            name, iri = seen[index + 1].text, seen[index + 2].text
            known[name.rstrip(":")] = iri.strip("<>")
            continue
        if word in _LISTING:
            listing = True
        elif word in _LISTED_UNTIL or token.text == "{" or token.text == "}":
            listing = word in _LISTING
        if token.kind == "iri":
            found.add(token.text[1:-1])
        elif token.kind == "word" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            if prefix in known:
                found.add(known[prefix] + local.rstrip("."))
        elif token.kind == "word" and token.text == "a":
            found.add(_RDF_TYPE)
        elif token.kind == "var" and not listing:
            before = seen[index - 1] if index else None
            after = seen[index + 1] if index + 1 < len(seen) else None
            if (_term(before) or (before is not None and before.text in (";", "["))) and (
                    _term(after) or (after is not None and after.text == "[")):
                return None
    return found


def fill(message: str, values: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """A message template with ``{?name}`` and ``{$name}`` replaced by the values' text.

    The text of an IRI is the IRI, of a literal its lexical form, of a blank node
    its label: as pySHACL writes them, so that both engines word results alike.
    """
    def replace(found: re.Match[str]) -> str:
        term = values.get(found.group(1))
        return found.group(0) if term is None else term.value

    return re.sub(r"\{[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)\}", replace, message)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 160 else flat[:157] + "..."


__all__ = ["Token", "tokens", "uses", "substitute", "term_text", "split_prologue",
           "group_of_ask", "check", "fill", "predicates"]
