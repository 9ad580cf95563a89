"""XSD datatypes: whether a literal's text is a value of its datatype, and its Python value.

The one place that knows the lexical spaces of XML Schema's built-in types,
for the checks of untrusted input (``"abc"^^xsd:integer`` is refused) and
for ``sh:datatype`` (an ill-typed literal does not conform). Free of rdflib
and pyoxigraph: it reads the text and the datatype's IRI.

>>> well_formed("087", XSD + "integer"), well_formed("300", XSD + "byte")
(True, False)
>>> well_formed("2024-02-30", XSD + "date"), well_formed("2024-02", XSD + "gYearMonth")
(False, True)
>>> python_value("19.23", XSD + "decimal")
Decimal('19.23')
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12]\d|3[01])"
_TIME = r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)"
_DURATION = r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_FLOAT = r"(\+|-)?((\d+(\.\d*)?|\.\d+)([Ee](\+|-)?\d+)?|INF)|NaN"

#: The lexical space of each datatype whose text has a fixed form (whitespace collapsed first),
#: as a regular expression (compiled on first use: start-up stays fast).
LEXICAL: dict[str, str] = {XSD + name: pattern for name, pattern in {
    "boolean": r"true|false|1|0",
    "decimal": r"(\+|-)?(\d+(\.\d*)?|\.\d+)",
    "integer": r"(\+|-)?\d+",
    "float": _FLOAT,
    "double": _FLOAT,
    "date": _YEAR + "-" + _MONTH + "-" + _DAY + _TZ,
    "time": _TIME + _TZ,
    "dateTime": _YEAR + "-" + _MONTH + "-" + _DAY + "T" + _TIME + _TZ,
    "dateTimeStamp": _YEAR + "-" + _MONTH + "-" + _DAY + "T" + _TIME
                     + r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)",
    "duration": _DURATION,
    "dayTimeDuration": r"-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?",
    "yearMonthDuration": r"-?P(?=\d)(\d+Y)?(\d+M)?",
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + "-" + _MONTH + _TZ,
    "gMonth": "--" + _MONTH + _TZ,
    "gMonthDay": "--" + _MONTH + "-" + _DAY + _TZ,
    "gDay": "---" + _DAY + _TZ,
    "hexBinary": r"([0-9a-fA-F]{2})*",
    "base64Binary": r"(([A-Za-z0-9+/] ?){4})*(([A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|"
                    r"([A-Za-z0-9+/] ?){2}[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=)?",
    "anyURI": r"[^\s<>\"{}|^`\\]*",
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    "NMTOKEN": r"[\w.:-]+",
    "Name": r"[^\W\d.-][\w.:-]*",
    "NCName": r"[^\W\d.-][\w.-]*",
}.items()}

#: The derived integer types and their bounds (inclusive; None: unbounded).
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {XSD + name: bounds for name, bounds in {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}.items()}

#: Datatypes whose lexical space is any string (of XML characters).
STRINGS = frozenset({XSD + "string", XSD + "normalizedString", XSD + "token", RDF + "langString",
                     RDF + "HTML", RDF + "XMLLiteral", RDF + "PlainLiteral"})

#: Every datatype of XML Schema 1.1 that RDF uses: a literal of another ``xsd:`` datatype is
#: an error (a typo such as ``xsd:interger``), one of another namespace is the user's own.
KNOWN = frozenset(LEXICAL) | frozenset(INTEGER_RANGES) | frozenset(
    XSD + name for name in ("string", "normalizedString", "token"))

_COLLAPSE = r"[ \t\n\r]+"
_NOT_XML_CHAR = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def known(datatype: str) -> bool:
    """Whether ``datatype`` is outside the XSD namespace, or a datatype XSD defines."""
    return not datatype.startswith(XSD) or datatype in KNOWN


def problem(lexical: str, datatype: str) -> str | None:
    """Why ``lexical`` is not a value of ``datatype`` (None when it is, or when kg cannot tell).

    Datatypes outside XSD (and ``rdf:`` ones) are the user's business and always pass.
    """
    if datatype.startswith(XSD) and datatype not in KNOWN:
        return f"unknown XSD datatype <{datatype}>"
    if not well_formed(lexical, datatype):
        short = "xsd:" + datatype[len(XSD):] if datatype.startswith(XSD) else f"<{datatype}>"
        return f"{lexical!r} is not a valid {short}"
    return None


def well_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` lies in the lexical space of ``datatype`` (unknown datatypes: True)."""
    if datatype in STRINGS:
        return not _compiled(_NOT_XML_CHAR).search(lexical)
    if datatype in INTEGER_RANGES:
        if not _compiled(LEXICAL[XSD + "integer"]).fullmatch(lexical.strip()):
            return False
        low, high = INTEGER_RANGES[datatype]
        number = int(lexical.strip())
        return (low is None or number >= low) and (high is None or number <= high)
    pattern = LEXICAL.get(datatype)
    if pattern is None:
        return True
    text = lexical.strip() if datatype not in (XSD + "anyURI",) else lexical
    if datatype in (XSD + "base64Binary",):
        text = _compiled(_COLLAPSE).sub(" ", text)
    if not _compiled(pattern).fullmatch(text):
        return False
    if datatype in _DATED:
        return _real_day(text)
    return True


_DATED = frozenset(XSD + name for name in ("date", "dateTime", "dateTimeStamp", "gMonthDay"))
_DAY_OF = r"(-?\d{4,})?-?-?(\d\d)-(\d\d)"


def _real_day(text: str) -> bool:
    """The day exists in its month (2024-02-29 does, 2023-02-29 and 2024-04-31 do not)."""
    found = _compiled(_DAY_OF).match(text)
    if found is None:
        return True
    year = int(found.group(1)) if found.group(1) else 2000  # gMonthDay: --02-29 is allowed
    month, day = int(found.group(2)), int(found.group(3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days


def python_value(lexical: str, datatype: str | None) -> object:
    """The value of a literal as Python: int, Decimal, float, bool, date, datetime, str.

    ``xsd:gYear`` is an int year; a literal that is not a value of its datatype, or of a
    datatype without a Python counterpart, is its text.
    """
    if datatype is None or datatype in STRINGS or not well_formed(lexical, datatype):
        return lexical
    text = lexical.strip()
    try:
        if datatype == XSD + "integer" or datatype in INTEGER_RANGES:
            return int(text)
        if datatype == XSD + "decimal":
            return Decimal(text)
        if datatype in (XSD + "double", XSD + "float"):
            return float(text.replace("INF", "inf"))
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date" and not re.search(r"(Z|[+-]\d\d:\d\d)$", text):
            return datetime.date.fromisoformat(text)
        if datatype in (XSD + "dateTime", XSD + "dateTimeStamp") and "24:00" not in text:
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if datatype == XSD + "gYear" and re.fullmatch(r"-?\d+", text):
            return int(text)
    except (ValueError, InvalidOperation):
        return lexical
    return lexical


__all__ = ["XSD", "LEXICAL", "INTEGER_RANGES", "KNOWN", "STRINGS", "known", "problem",
           "well_formed", "python_value"]
