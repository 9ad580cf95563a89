"""``kg draft``: from an Indonesian news article's text to a draft addition, for review.

Rule-based reading of what a maintainer looks for first (ontology/README.md
"Adding a later article"):

- **figures**: every number the text states, read as Indonesian prints it
  (``93 ribu`` = 93000, ``1,2 juta``, ``Rp 330.280.000``, ``Rp40 juta``,
  ``Rp 2-10 miliar`` a range, ``19,23 persen``, ``minus 20 derajat Celsius``,
  ``80 ton``, ``Rp500 per kg per hari``), with the qualifier the words around
  it give (code:qualifier), the unit and indicator when the sentence says which
  (code:uom, code:indicator), the reference period when it gives one;
- **dates** at the precision printed (a day, a month, a year, a weekday
  alone), a weekday that contradicts its date flagged;
- **people in posts**: a title (``Kepala Dinas ...``, ``Wali Kota ...``,
  ``Kasi ...``, ``Staf Ahli ...``, ``Plt ...``, ``Ketua Umum ...``) and the
  name after it, linked to the people, posts and bodies the graph already holds
  by a normalised fuzzy match of their labels, with the evidence (phrase,
  label, score); no match is a new node marked TODO.

:func:`read_article` returns the :class:`Finding` list (``kg draft --format
json``); :func:`draft_trig` writes them as TriG in the model's patterns, every
open question a ``TODO`` comment quoting the sentence. Nothing is invented: no
URL, no date, no identifier, no value the text does not print. Fuzzy matching is
:mod:`difflib`'s (the labels are a few hundred, the names of an article a
handful: no library is needed for speed).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .graph import KnowledgeGraph
from .prefixes import PREFIXES

__all__ = ["Finding", "Label", "Labels", "draft_trig", "findings_json", "read_article",
           "read_number"]

# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    """One thing the text states: ``kind`` is figure, date, holding or author.

    ``start``/``end`` are character offsets into the text (``text[start:end] ==
    phrase``); ``reading`` is the normalised reading (value, unit, qualifier,
    period, date and precision, linked IRIs and scores); ``warnings`` say what a
    reviewer must check; ``todo`` what the draft leaves open.
    """

    kind: str
    phrase: str
    start: int
    end: int
    sentence: str = ""
    reading: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    context: str = ""    #: the sentences before (where a figure's area may be named)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "phrase": self.phrase, "start": self.start, "end": self.end,
                **self.reading, "warnings": self.warnings, "todo": self.todo,
                "sentence": self.sentence}


def findings_json(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.to_json() for f in findings]


# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]*\s+(?=[A-Z“\"(0-9])|\n+")
_ABBREVIATIONS = ("Plt.", "Dr.", "Ir.", "H.", "Hj.", "Drs.", "No.", "Jl.", "dr.", "St.", "Prof.")


def sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text's sentences: split at a full stop before a capital
    (not after an abbreviation such as ``Plt.``) and at every line break."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[max(0, match.start() - 6):match.start()]
        if "\n" not in match.group() and before.endswith(_ABBREVIATIONS):
            continue
        if text[start:match.start()].strip():
            spans.append(_strip(text, start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append(_strip(text, start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------------------- numbers

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+\.\d{1,2}(?!\d)|\d+(?:,\d+)?"
_SCALES = {"ribu": 10**3, "rb": 10**3, "juta": 10**6, "jt": 10**6, "miliar": 10**9,
           "milyar": 10**9, "triliun": 10**12}
_FIGURE = re.compile(
    r"(?<![\w/.,])(?<!\w-)(?P<rp>Rp\.?\s?)?(?P<a>" + _NUM + r")(?![\d/])"
    r"(?:\s?(?:-|–|—|s\.d\.?|sampai|hingga)\s?(?:Rp\.?\s?)?(?P<b>" + _NUM + r")(?![\d/]))?"
    r"(?:\s?(?P<scale>ribu|rb|juta|jt|miliar|milyar|triliun)\b)?")
_FIGURE_AND = re.compile(_FIGURE.pattern.replace("|hingga)", "|hingga|dan)"))
_LIST_MARKER = re.compile(r"(?m)^\s*\d{1,2}\.\s")


def read_number(text: str) -> float | int:
    """An Indonesian number: dots group thousands, a comma marks decimals.

    >>> read_number("330.280.000"), read_number("19,23"), read_number("1,2")
    (330280000, 19.23, 1.2)
    """
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        text = text.replace(".", "")
    if "," in text:
        return float(text.replace(",", "."))
    if "." in text:      # "2.5": a decimal point as English writes it
        return float(text)
    return int(text)


def _scaled(number: float | int, scale: str | None) -> float | int:
    if not scale:
        return number
    value = number * _SCALES[scale.lower()]
    return int(round(value)) if abs(value - round(value)) < 1e-6 else value


_UNITS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s?(?:poin persen(?:tase)?|persen poin|poin)\b", re.I), "uom:percentage-point"),
    (re.compile(r"\s?(?:persen\b|%)", re.I), "uom:percent"),
    (re.compile(r"\s?(?:derajat(?:\s+cel[cs]ius)?|°\s?C\b)", re.I), "uom:degree-celsius"),
    (re.compile(r"\s?(?:ton)\b", re.I), "uom:tonne"),
    (re.compile(r"\s?(?:kg|kilogram)\b", re.I), "uom:kilogram"),
    (re.compile(r"\s?(?:m2|m²|meter persegi)", re.I), "uom:square-metre"),
    (re.compile(r"\s?(?:unit usaha|unit|pelaku usaha|usaha)\b", re.I), "uom:business-unit"),
    (re.compile(r"\s?(?:UMKM|IKM)\b"), "uom:business-unit"),
]
_PER = [(re.compile(r"\s?(?:per|/)\s?(?:kg|kilogram)\s?(?:per|/)\s?hari\b", re.I),
         "uom:IDR-per-kg-per-day"),
        (re.compile(r"\s?(?:per|/)\s?bulan\b", re.I), "uom:IDR-per-month")]
_UNIT_LATER = re.compile(r"^\W*(?:\w+\W+){0,3}?(usaha mikro|unit usaha|unit|usaha|UMKM|IKM)\b")
_DURATION = re.compile(r"\s?(tahun|bulan|hari|minggu|pekan)\b")

#: words before a number -> qualifier, nearest first (each pattern anchored at the number)
_QUALIFIERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:kurang lebih|lebih kurang|kira-kira|sekitar|sekira|±|\+/-)\s*$", re.I),
     "approximate"),
    (re.compile(r"(?:lebih dari|di atas|melebihi|melampaui|minimal|sedikitnya|setidaknya|"
                r"paling sedikit)\s*$", re.I), "lower-bound"),
    (re.compile(r"(?:kurang dari|di bawah|hampir|maksimal|paling banyak|tidak lebih dari|"
                r"hingga|sampai)\s*$", re.I), "upper-bound"),
    (re.compile(r"(?:mencapai|sebesar|sebanyak|tercatat|yakni|yaitu)\s*$", re.I), "exact"),
]
_AFTER_QUALIFIERS = [(re.compile(r"^\s?(?:lebih|ke atas)\b", re.I), "lower-bound")]
_EXCEEDS_TARGET = re.compile(r"(?:melebihi|melampaui)\s+target\s*$", re.I)
_RANGE_WORDS = re.compile(r"(?:antara|berkisar(?: antara)?)\s*$", re.I)


# --------------------------------------------------------------------------- dates

WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
_WEEKDAY = r"(?P<wd>Senin|Selasa|Rabu|Kamis|Jum(?:'|’)?at|Sabtu|Minggu)"
MONTHS = ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
          "september", "oktober", "november", "desember"]
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
               "ags": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "des": 12}
_MONTH = (r"(?P<mon>(?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
          r"November|Desember|Jan|Feb|Mar|Apr|Jun|Jul|Agu|Agt|Ags|Sept?|Okt|Nov|Des)\.?)")
_DAY_NUMERIC = re.compile(r"(?:" + _WEEKDAY + r"\s*,?\s*)?\(?\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/"
                          r"(?P<y>\d{4})\s*\)?")
_DAY_NAMED = re.compile(r"(?:" + _WEEKDAY + r"\s*,?\s*)?\(?(?P<d>\d{1,2})\s+" + _MONTH +
                        r"\s+(?P<y>\d{4})\)?")
_MONTH_YEAR = re.compile(r"(?<![\d\w])" + _MONTH + r"\s+(?P<y>(?:19|20)\d{2})\b")
_WEEKDAY_ALONE = re.compile(r"\b" + _WEEKDAY + r"\b(?!\s*(?:,\s*)?\(?\s*\d)")
_RELATIVE_YEAR = re.compile(r"\btahun (?P<rel>sebelumnya|lalu|kemarin|ini|depan)\b", re.I)


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    if name in MONTHS:
        return MONTHS.index(name) + 1
    return _MONTH_ABBR[name]


def _weekday_name(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def _norm_weekday(name: str) -> str:
    return "Jumat" if name.lower().startswith("jum") else name.capitalize()


# --------------------------------------------------------------------------- labels and matching

_HONORIFICS = {"h", "hj", "dr", "drs", "dra", "ir", "prof", "st", "se", "mm", "mt", "msi", "sh",
               "mh", "spd", "mpd", "kh", "ust", "tn", "ny", "bapak", "ibu", "pak", "bu"}


def normalise(text: str) -> str:
    """A label or name for matching: no accents, no apostrophes, lower case, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[’'`´ʼ]", "", text).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _name_tokens(name: str) -> list[str]:
    return [t for t in normalise(name).split() if t not in _HONORIFICS]


def name_score(printed: str, label: str) -> float:
    """How well a printed name matches a person's label, 0-100: 100 the same once normalised
    (accents, apostrophes, honorifics such as ``H``), 97 the same written as one word, 90 one
    holding all the other's words (an extra family name, a dropped middle name), else the
    :mod:`difflib` ratio."""
    a, b = _name_tokens(printed), _name_tokens(label)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if "".join(a) == "".join(b):
        return 97.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) >= 2 and set(small) <= set(large):
        return 90.0
    return 100.0 * difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()


def _acronym_variants(label: str) -> set[str]:
    """``Dinas KUMKMP`` <-> ``DKUMKMP``: the acronym an agency is also written as."""
    out = {normalise(label)}
    words = label.split()
    if len(words) == 2 and words[0] == "Dinas" and words[1].isupper():
        out.add(normalise("D" + words[1]))
    if len(words) == 1 and re.fullmatch(r"D[A-Z]{3,}", label):
        out.add(normalise("Dinas " + label[1:]))
    return out


def org_score(printed: str, label: str) -> float:
    """How well a printed body or post name matches a label, 0-100 (normalised; acronyms)."""
    a = normalise(printed)
    best = 0.0
    for b in _acronym_variants(label) | {normalise(label)}:
        for x in {a} | _acronym_variants(printed):
            if not x or not b:
                continue
            if x == b:
                return 100.0
            best = max(best, 100.0 * difflib.SequenceMatcher(None, x, b).ratio())
    return best


@dataclass(frozen=True)
class Label:
    iri: str
    text: str
    kind: str     # person, post, body, place, publisher, role, sector, facility


class Labels:
    """The labels (skos:prefLabel, skos:altLabel, rdfs:label) of what the graph holds, by kind;
    the posts' bodies and roles; what a node is (types) and its Indonesian label."""

    _KINDS = {
        "person": ["foaf:Person"],
        "post": ["org:Post"],
        "body": ["org:FormalOrganization", "org:OrganizationalUnit", "org:Organization",
                 "schema:GovernmentOrganization"],
        "publisher": ["schema:NewsMediaOrganization"],
        "place": ["schema:City", "schema:AdministrativeArea"],
        "facility": ["kg:Facility", "kg:ColdStorage"],
    }

    def __init__(self, labels: Iterable[Label] = (), posts: dict[str, tuple[str, str]] | None = None,
                 described: dict[str, tuple[list[str], str]] | None = None) -> None:
        self.labels = list(labels)
        self.posts = posts or {}               # post -> (body, role)
        self.described = described or {}       # node -> (types, prefLabel @id)

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> Labels:
        labels: list[Label] = []
        described: dict[str, tuple[list[str], str]] = {}
        for kind, classes in cls._KINDS.items():
            values = " ".join(classes)
            rows = graph.query(
                "SELECT DISTINCT ?x ?l WHERE { VALUES ?c { " + values + " } ?x a ?c ; "
                "skos:prefLabel|skos:altLabel|rdfs:label ?l "
                "FILTER(lang(?l) = 'id' || lang(?l) = '') }").values()
            labels += [Label(str(r["x"]), str(r["l"]), kind) for r in rows]
        for kind, scheme in (("role", "code:role"), ("sector", "code:sector")):
            rows = graph.query(
                "SELECT DISTINCT ?x ?l WHERE { ?x skos:inScheme " + scheme + " ; "
                "skos:prefLabel|skos:altLabel ?l FILTER(lang(?l) = 'id') }").values()
            labels += [Label(str(r["x"]), str(r["l"]), kind) for r in rows]
        posts = {str(r["p"]): (str(r["b"]), str(r["r"])) for r in graph.query(
            "SELECT ?p ?b ?r WHERE { ?p a org:Post ; org:postIn ?b ; org:role ?r }").values()}
        rows = graph.query(
            "SELECT ?x (GROUP_CONCAT(DISTINCT STR(?t); separator=' ') AS ?ts) (SAMPLE(?l) AS ?label) "
            "WHERE { ?x a ?t ; skos:prefLabel ?l FILTER(lang(?l) = 'id') "
            "FILTER(STRSTARTS(STR(?x), 'https://kg.example/id/')) } GROUP BY ?x").values()
        for r in rows:
            described[str(r["x"])] = (str(r["ts"]).split(), str(r["label"]))
        return cls(labels, posts, described)

    def of_kind(self, *kinds: str) -> list[Label]:
        return [label for label in self.labels if label.kind in kinds]

    def best(self, printed: str, kinds: Sequence[str], score: Any = org_score
             ) -> tuple[Label | None, float, list[tuple[Label, float]]]:
        """The best label for ``printed`` among ``kinds``, its score, and the runner-up labels
        of other nodes (for ambiguity)."""
        scored = sorted(((label, score(printed, label.text)) for label in self.of_kind(*kinds)),
                        key=lambda x: -x[1])
        if not scored:
            return None, 0.0, []
        top, top_score = scored[0]
        others = [(label, s) for label, s in scored[1:] if label.iri != top.iri]
        return top, top_score, others


PERSON_THRESHOLD = 85.0
ORG_THRESHOLD = 88.0


# --------------------------------------------------------------------------- titles

_TITLE = re.compile(
    r"\b(?P<acting>(?:Plt|Pj|Plh)\.?\s+)?(?P<title>Wakil Wali Kota|Wali Kota|Walikota|"
    r"Kepala Dinas|Kepala Seksi|Kepala Bidang|Kepala Badan|Kepala|Kasi|Kasie|Kabid|Kadis|"
    r"Staf Ahli|Ketua Umum|Ketua|Sekretaris Daerah|Sekda|Gubernur|Bupati|Camat|Lurah|"
    r"Direktur|Menteri)\b")
_TITLE_ROLE = {"walikota": "wali kota", "kasie": "kasi", "kadis": "kepala dinas"}
_AUTHOR = re.compile(r"(?m)^\s*(?:Penulis|Reporter|Pewarta)\s*:\s*(?P<name>[^\n(]+?)\s*$")
_SPEECH_VERBS = ("mengatakan", "menyampaikan", "mengungkapkan", "menjelaskan", "menuturkan",
                 "menambahkan", "menyebut", "menyebutkan", "mengaku", "berkata", "menegaskan",
                 "memaparkan", "menerangkan")
_PAST = re.compile(r"(?:kepemimpinan|semasa|masa jabatan|era|mantan|eks|almarhum)\s+$", re.I)
_WORD = re.compile(r"\([^()]*\)|[A-Za-z0-9][\w’'`.\-]*|,")
#: words that belong to a title or a body, never a name (besides the graph's body and place labels)
_TITLE_WORDS = {"dinas", "kota", "kabupaten", "provinsi", "bidang", "seksi", "badan", "kantor",
                "bagian", "pemerintah", "pemkot", "pemkab", "pemprov", "umum", "daerah", "dan",
                "wakil", "kepala", "ketua", "kasi", "balikpapan"}


# --------------------------------------------------------------------------- reading


@dataclass
class _Context:
    text: str
    spans: list[tuple[int, int]]
    labels: Labels
    stated: Finding | None = None

    def sentence_at(self, offset: int) -> int:
        for i, (s, e) in enumerate(self.spans):
            if s <= offset < e:
                return i
        return max(0, len(self.spans) - 1)

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.text[s:e]

    def window(self, i: int, back: int = 3) -> str:
        return " ".join(self.sentence(j) for j in range(max(0, i - back), i + 1))


def read_article(text: str, labels: Labels | None = None) -> list[Finding]:
    """Every figure, date, person in a post and author the text states, in text order."""
    labels = labels or Labels()
    ctx = _Context(text, sentences(text), labels)
    dates = read_dates(text)
    ctx.stated = next((d for d in dates if d.reading.get("precision") == "day"), None)
    taken = [(d.start, d.end) for d in dates]
    years, figures = _read_numbers(ctx, taken)
    dates += years
    dates += _relative_years(ctx, dates)
    for finding in dates + figures:
        finding.sentence = ctx.sentence(ctx.sentence_at(finding.start))
    _periods(ctx, figures, dates)
    people = read_people(text, labels, ctx)
    found = dates + figures + people
    return sorted(found, key=lambda f: (f.start, f.kind))


def read_dates(text: str) -> list[Finding]:
    """Day, month, weekday-alone dates (years are read with the numbers)."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for pattern in (_DAY_NUMERIC, _DAY_NAMED):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            month = int(m.group("m")) if "m" in m.groupdict() and m.group("m") else \
                _month_number(m.group("mon"))
            phrase_end = m.end()
            finding = Finding("date", text[m.start():phrase_end], m.start(), phrase_end)
            try:
                day = dt.date(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                finding.warnings.append(f"{finding.phrase!r} is not a day of the calendar")
                finding.reading = {"date": None, "precision": "day"}
                found.append(finding)
                taken.append((m.start(), m.end()))
                continue
            finding.reading = {"date": day.isoformat(), "precision": "day",
                               "datatype": "xsd:date"}
            if m.group("wd"):
                printed = _norm_weekday(m.group("wd"))
                finding.reading["weekday"] = printed
                if printed != _weekday_name(day):
                    finding.warnings.append(
                        f"the weekday {printed} contradicts {day.isoformat()}, which is a "
                        f"{_weekday_name(day)}: check the article")
            found.append(finding)
            taken.append((m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(text):
        if free(m.start(), m.end()):
            month = _month_number(m.group("mon"))
            found.append(Finding("date", m.group(), m.start(), m.end(), reading={
                "date": f"{m.group('y')}-{month:02d}", "precision": "month",
                "datatype": "xsd:gYearMonth"}))
            taken.append((m.start(), m.end()))
    for m in _WEEKDAY_ALONE.finditer(text):
        if free(m.start(), m.end()):
            found.append(Finding("date", m.group(), m.start(), m.end(),
                                 reading={"date": None, "precision": "weekday",
                                          "weekday": _norm_weekday(m.group("wd"))},
                                 warnings=["a weekday with no date: which day it is depends on "
                                           "the publication date, which the text does not give"],
                                 todo=["the day this weekday names"]))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _year(date: Finding) -> int | None:
    value = date.reading.get("date")
    return int(value[:4]) if isinstance(value, str) else None


def _relative_years(ctx: _Context, dates: list[Finding]) -> list[Finding]:
    """``tahun sebelumnya`` (the year before the one the sentence names), ``tahun lalu``,
    ``tahun ini``, ``tahun depan`` (against the article's date): a year, flagged as relative."""
    found = []
    for m in _RELATIVE_YEAR.finditer(ctx.text):
        rel = m.group("rel").lower()
        i = ctx.sentence_at(m.start())
        s0 = ctx.spans[max(0, i - 1)][0]
        before = [d for d in dates if s0 <= d.start < m.start() and
                  d.reading.get("precision") in ("year", "month", "day") and _year(d)]
        finding = Finding("date", m.group(), m.start(), m.end())
        year: int | None = None
        if rel == "sebelumnya" and before:
            base = before[-1]
            year = (_year(base) or 0) - 1
            finding.warnings.append(f"relative: the year before {base.phrase!r}")
        elif ctx.stated is not None and _year(ctx.stated):
            stated = _year(ctx.stated) or 0
            year = stated + {"sebelumnya": -1, "lalu": -1, "kemarin": -1, "ini": 0,
                             "depan": 1}[rel]
            finding.warnings.append(f"relative: against the article's date "
                                    f"{ctx.stated.reading['date']}")
        if year is None:
            finding.reading = {"date": None, "precision": "year"}
            finding.todo.append("the year this names: the text gives nothing to count from")
        else:
            finding.reading = {"date": str(year), "precision": "year", "datatype": "xsd:gYear",
                               "relative": True}
        found.append(finding)
    return found


def _read_numbers(ctx: _Context, taken: list[tuple[int, int]]
                  ) -> tuple[list[Finding], list[Finding]]:
    """The years (as dates) and the figures of the text."""
    text = ctx.text
    markers = {m.start() + len(m.group()) - len(m.group().lstrip()) for m in
               _LIST_MARKER.finditer(text)}
    years: list[Finding] = []
    figures: list[Finding] = []
    last_end = 0
    pos = 0
    while True:
        m = _FIGURE.search(text, pos)
        if m is None:
            break
        pos = m.end()
        if any(not (m.end("a") <= s or m.start() >= e) for s, e in taken):
            continue
        if m.start() in markers and not m.group("rp") and not m.group("b"):
            continue   # "1. Dinas ...": a numbered heading
        before = text[max(last_end, m.start() - 30):m.start()]
        if m.group("b") is None and _RANGE_WORDS.search(before):
            ranged = _FIGURE_AND.match(text, m.start())   # "antara 30 dan 35 persen"
            if ranged and ranged.group("b"):
                m, pos = ranged, ranged.end()
        a, b = m.group("a"), m.group("b")
        b_start: int | None = m.start("b") if b is not None else None
        end = m.end()
        if b is not None and _is_year(a) != _is_year(b):
            # "Rp 144.000.000 - 2024 ...": not a range; the second number is read next
            b, b_start, end, pos = None, None, m.end("a"), m.end("a")
        rest = text[end:]
        unit_match = any(p.match(rest) for p, _ in _UNITS)
        # "2015 - 2016", "2024": years, when nothing makes them a figure
        if not m.group("rp") and not (b is None and m.group("scale")) and not unit_match and \
                _is_year(a) and (b is None or _is_year(b)):
            for group in ("a", "b") if b is not None else ("a",):
                years.append(Finding("date", m.group(group), m.start(group), m.end(group),
                                     reading={"date": m.group(group), "precision": "year",
                                              "datatype": "xsd:gYear"}))
            continue
        scale = m.group("scale") if end == m.end() else None
        figures += _figure(ctx, m.start(), m.start("a"), m.end("a"), b_start, scale, last_end,
                           rp=bool(m.group("rp")), end=end)
        last_end = end
    return years, figures


def _is_year(number: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", number))


def _figure(ctx: _Context, start: int, a_start: int, a_end: int, b_start: int | None,
            scale: str | None, previous_end: int, *, rp: bool = False,
            end: int | None = None) -> list[Finding]:
    """The figure (or, for ``melebihi target N``, the two figures) at ``start``."""
    text = ctx.text
    end = end if end is not None else a_end
    i = ctx.sentence_at(start)
    s_start = ctx.spans[i][0]
    before = text[max(previous_end, s_start, start - 40):start]
    number = read_number(text[a_start:a_end])
    value: float | int = _scaled(number, scale)
    low = high = None
    if b_start is not None:
        b_match = re.match(_NUM, text[b_start:])
        assert b_match is not None
        low, high = value, _scaled(read_number(b_match.group()), scale)
        if scale is None and text[b_start + len(b_match.group()):].lstrip().startswith(
                tuple(_SCALES)):
            pass
    negative = bool(re.search(r"(?:minus|negatif|−)\s*$|(?:^|[\s(])-$", before, re.I))
    if negative:
        value = -value
        if low is not None and high is not None:
            low, high = -high, -low
    # the unit
    rest = text[end:]
    unit = None
    unit_end = end
    if rp:
        unit = "uom:IDR"
        for pattern, per_unit in _PER:
            pm = pattern.match(rest)
            if pm:
                unit, unit_end = per_unit, end + pm.end()
                break
    else:
        for pattern, found_unit in _UNITS:
            um = pattern.match(rest)
            if um:
                unit, unit_end = found_unit, end + um.end()
                break
        if unit_end < len(text) and unit == "uom:degree-celsius":
            cm = re.match(r"\s?cel[cs]ius\b", text[unit_end:], re.I)
            if cm:
                unit_end += cm.end()
    later_unit = None
    if unit is None and not rp:
        lm = _UNIT_LATER.match(rest[:60])
        if lm:
            unit, later_unit = "uom:business-unit", lm.group(1)
    duration = None
    if unit is None and not rp:
        dm = _DURATION.match(rest)
        if dm:
            duration, unit_end = dm.group(1), end + dm.end()
    # the qualifier
    qualifier, q_start = "exact", start
    exceeds_target = _EXCEEDS_TARGET.search(before)
    if low is not None:
        qualifier = "range"
        rm = _RANGE_WORDS.search(before)
        if rm:
            q_start = start - (len(before) - rm.start())
    else:
        for pattern, name in _QUALIFIERS:
            qm = pattern.search(before)
            if qm:
                qualifier = name
                if name != "exact":
                    q_start = start - (len(before) - qm.start())
                break
        for pattern, name in _AFTER_QUALIFIERS:
            am = pattern.match(text[unit_end:])
            if am and qualifier == "exact":
                qualifier, unit_end = name, unit_end + am.end()
    if negative:
        nm = re.search(r"(?:minus|negatif|−)\s*$|-$", before, re.I)
        if nm:
            q_start = min(q_start, start - (len(before) - nm.start()))
    warnings: list[str] = []
    if scale and qualifier == "exact":
        qualifier = "approximate"
        warnings.append(f"printed with {scale!r}: rounded as printed, so approximate")
    if exceeds_target:
        q_start = start - (len(before) - exceeds_target.start())
    phrase_start = q_start
    phrase = text[phrase_start:unit_end]
    reading: dict[str, Any] = {"unit": unit, "qualifier": f"qualifier:{qualifier}"}
    if low is not None:
        reading.update({"value": None, "min": low, "max": high})
    else:
        reading["value"] = value
    todo: list[str] = []
    if duration:
        reading["duration"] = duration
        todo.append(f"{phrase!r} is a duration in {duration}: code:uom has no such unit")
    if later_unit:
        reading["unit_from"] = later_unit
    target, indicator, extra = _indicator(ctx, i, start, end, unit_end, reading)
    reading.update(extra)
    reading["target"] = target
    if indicator:
        reading["indicator"] = indicator
    elif target == "observation":
        todo.append(f"the indicator of {phrase!r}: the sentence does not say which "
                    "code:indicator it is")
    if unit is None and not duration:
        todo.append(f"the unit of {phrase!r}: the text prints none")
    finding = Finding("figure", phrase, phrase_start, unit_end, reading=reading,
                      warnings=warnings, todo=todo)
    if i > 0:
        finding.context = text[ctx.spans[max(0, i - 3)][0]:ctx.spans[i - 1][1]]
    if exceeds_target:
        # "melebihi target 2 persen": the target (exact) and what exceeds it (a lower bound)
        t_start = start - (len(before) - re.search(r"target\s*$", before, re.I).start())  # type: ignore[union-attr]
        target_reading = dict(reading, qualifier="qualifier:exact")
        target_reading["indicator"] = _TARGET_OF.get(str(reading.get("indicator")),
                                                     reading.get("indicator"))
        target_finding = Finding("figure", text[t_start:unit_end], t_start, unit_end,
                                 reading=target_reading, warnings=list(warnings),
                                 todo=list(todo), context=finding.context)
        finding.reading["qualifier"] = "qualifier:lower-bound"
        finding.reading["indicator"] = _ACTUAL_OF.get(str(reading.get("indicator")),
                                                      reading.get("indicator"))
        finding.warnings.append("'melebihi target': the figure exceeds the target, a lower bound; "
                                "the target itself is a figure of its own")
        return [finding, target_finding]
    return [finding]


_TARGET_OF = {"indicator:umkm-growth-rate": "indicator:umkm-growth-target"}
_ACTUAL_OF = {"indicator:umkm-growth-target": "indicator:umkm-growth-rate"}
_CAPACITY = re.compile(r"kapasi?s?tas|daya tampung|penyimpanan|pembekuan|pendingin|cold storage",
                       re.I)


def _indicator(ctx: _Context, i: int, start: int, end: int, unit_end: int,
               reading: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """What the figure measures: (target, indicator, more of the reading).

    target is ``observation`` (a qb:Observation), ``capacity`` (a facility's
    kg:storageCapacity) or ``attribute:...`` (a stated attribute of a facility)."""
    unit = reading.get("unit")
    s = ctx.sentence(i)
    sl = s.lower()
    context = ctx.window(i).lower()
    near = ctx.text[max(ctx.spans[i][0], start - 60):min(ctx.spans[i][1], end + 40)].lower()
    after = ctx.text[end:min(ctx.spans[i][1], unit_end + 40)].lower()
    extra: dict[str, Any] = {}
    umkm = "umkm" in context or "usaha mikro" in context
    if unit == "uom:percent":
        if "pdrb" in sl or "produk domestik regional bruto" in sl:
            if "pengolahan" in sl or "manufaktur" in sl:
                return "observation", "indicator:manufacturing-pdrb-share", {
                    "sector": "sector:processing-industry"}
            return "observation", "indicator:sector-pdrb-share", extra
        if "target" in near and umkm:
            return "observation", "indicator:umkm-growth-target", {"size": "size:umkm"}
        if re.search(r"menyumbang|kontribusi|pangsa|dari total|porsi", sl) and umkm:
            extra = {"size": "size:umkm"}
            sector = _sector(ctx, s)
            if sector:
                extra["sector"] = sector
            return "observation", "indicator:umkm-sector-share", extra
        if re.search(r"pertumbuhan|peningkatan|tumbuh|naik|meningkat", sl):
            if "ekonomi" in sl:
                return "observation", "indicator:economic-growth-rate", extra
            if umkm:
                return "observation", "indicator:umkm-growth-rate", {"size": "size:umkm"}
        return "observation", None, extra
    if unit == "uom:percentage-point":
        if "pdrb" in context:
            return "observation", "indicator:sector-pdrb-share-change", extra
        return "observation", None, extra
    if unit == "uom:business-unit":
        if re.search(r"\bikm\b", after) or re.search(r"^\s?ikm\b", after):
            return "observation", "indicator:ikm-count", {"size": "size:ikm"}
        if "mikro" in after:
            return "observation", "indicator:micro-enterprise-count", {"size": "size:micro"}
        if re.search(r"pelatihan|dilatih", sl) and umkm:
            return "observation", "indicator:umkm-trained-count", {"size": "size:umkm"}
        if "umkm" in context:
            return "observation", "indicator:umkm-count", {"size": "size:umkm"}
        if "ikm" in context:
            return "observation", "indicator:ikm-count", {"size": "size:ikm"}
        return "observation", None, extra
    if unit == "uom:IDR":
        if re.search(r"\bpad\b|pendapatan asli daerah", context) and "industri" in context:
            return "observation", "indicator:industry-sector-pad", extra
        if "pdrb" in context and re.search(r"harga berlaku|adhb", context):
            return "observation", "indicator:pdrb-current-prices", extra
        if "pdrb" in context and re.search(r"harga konstan|adhk", context):
            return "observation", "indicator:pdrb-constant-prices", extra
        return "observation", None, extra
    if unit == "uom:tonne" and _CAPACITY.search(context):
        if re.search(r"pembekuan|beku|frozen", after):
            extra["storage"] = "storage:frozen"
        elif re.search(r"pendingin|dingin|chilled", after):
            extra["storage"] = "storage:chilled"
        return "capacity", None, extra
    if unit == "uom:degree-celsius":
        return "attribute:operating-temperature", None, extra
    if unit == "uom:IDR-per-kg-per-day":
        return "attribute:storage-tariff", None, extra
    if unit == "uom:IDR-per-month":
        return "attribute:rental-fee", None, extra
    if unit == "uom:square-metre":
        return "attribute:floor-area", None, extra
    return "observation", None, extra


def _sector(ctx: _Context, sentence: str) -> str | None:
    m = re.search(r"sektor ((?:\w+)(?: dan \w+)?)", sentence, re.I)
    if not m:
        return None
    label, score, _ = ctx.labels.best(m.group(1), ["sector"])
    return label.iri.replace(PREFIXES["sector"], "sector:") if label and score >= 90 else None


def _periods(ctx: _Context, figures: list[Finding], dates: list[Finding]) -> None:
    """The reference period of each figure: the year the sentence names nearest before it (or
    just after it), else the years of the sentence before when this one refers back to it
    (``Peningkatan ini``); else none (the draft says so)."""
    for fig in figures:
        if fig.reading.get("target") != "observation":
            continue
        i = ctx.sentence_at(fig.start)
        s0, s1 = ctx.spans[i]
        in_sentence = [d for d in dates if s0 <= d.start < s1 and d.reading.get("date") and
                       d.reading.get("precision") in ("year", "month", "day")]
        before = [d for d in in_sentence if d.end <= fig.start]
        after = [d for d in in_sentence if d.start >= fig.end and d.start - fig.end < 30]
        chosen: Finding | None = before[-1] if before else (after[0] if after else None)
        base: Finding | None = None
        if chosen is None and i > 0 and re.search(r"\b(?:ini|tersebut|itu)\b",
                                                  ctx.sentence(i).lower()):
            p0, p1 = ctx.spans[i - 1]
            previous = sorted((d for d in dates if p0 <= d.start < p1 and
                               d.reading.get("precision") == "year" and _year(d)),
                              key=lambda d: _year(d) or 0)
            if previous:
                chosen = previous[-1]
                if len(previous) > 1 and "growth" in str(fig.reading.get("indicator")):
                    base = previous[0]
                fig.warnings.append(f"period from the sentence before ({chosen.phrase!r}), "
                                    "which this one refers back to")
        if chosen is not None:
            fig.reading["period"] = chosen.reading["date"]
            fig.reading["period_precision"] = chosen.reading["precision"]
            fig.reading["period_phrase"] = chosen.phrase
            fig.reading["basis"] = "basis:stated"
            stated = ctx.stated.reading.get("date") if ctx.stated else None
            if stated and chosen.reading["precision"] == "year" and \
                    str(stated).startswith(str(chosen.reading["date"])):
                fig.reading["basis"] = "basis:period-to-date"
                fig.warnings.append(f"the period {chosen.reading['date']} had not ended on the "
                                    f"article's date {stated}: basis:period-to-date")
        elif re.search(r"\bBPS\b|badan pusat statistik", " ".join(
                ctx.sentence(j) for j in range(max(0, i - 1), min(len(ctx.spans), i + 2))),
                re.I):
            fig.reading["basis"] = "basis:not-printed"
            fig.todo.append("the period: a statistics office's figure whose period the text "
                            "does not print (basis:not-printed)")
        elif ctx.stated is not None:
            fig.reading["period"] = ctx.stated.reading["date"]
            fig.reading["period_precision"] = "day"
            fig.reading["basis"] = "basis:report-date"
            fig.todo.append("the period: the sentence prints none; taken as of the article's "
                            "date (basis:report-date): check")
        else:
            fig.todo.append("the period: the text prints none")
        if base is not None:
            fig.reading["base_period"] = base.reading["date"]


# --------------------------------------------------------------------------- people


def read_people(text: str, labels: Labels, ctx: _Context | None = None) -> list[Finding]:
    """Each title followed by a name (a person in a post), and each author line."""
    found: list[Finding] = []
    for m in _TITLE.finditer(text):
        span = _title_span(text, m.end())
        words = [w for w in _WORD.finditer(text, m.end(), span)]
        finding = _holding(text, m, words, labels)
        if finding is not None:
            found.append(finding)
    for m in _AUTHOR.finditer(text):
        name = m.group("name").strip()
        finding = Finding("author", name, m.start("name"), m.start("name") + len(name))
        _link_person(finding, name, labels)
        found.append(finding)
    if ctx is not None:
        for f in found:
            f.sentence = ctx.sentence(ctx.sentence_at(f.start))
    return found


def _title_span(text: str, start: int) -> int:
    """Where the run of capitalised words, parentheses, commas and ``dan`` after a title ends."""
    pos = start
    end = start
    for m in _WORD.finditer(text, start):
        gap = text[pos:m.start()]
        if gap.strip() or "\n" in gap:
            break
        word = m.group()
        nxt = re.match(r"\s*(?:(?:dan|&)\s+)?(\S)", text[m.end():]) if word == "," else \
            re.match(r"\s*(\S)", text[m.end():])
        next_upper = bool(nxt and (nxt.group(1).isupper() or nxt.group(1) == "("))
        if word == ",":
            if not next_upper:
                break
        elif word in ("dan", "&"):
            if not next_upper:
                break
        elif not (word[0].isupper() or word.startswith("(")):
            break
        else:
            end = m.end()
        pos = m.end()
    return end


def _holding(text: str, title: re.Match[str], words: list[re.Match[str]], labels: Labels
             ) -> Finding | None:
    """The person and post a title phrase names, linked where the graph holds them."""
    segments: list[list[re.Match[str]]] = [[]]
    for w in words:
        if w.group() == ",":
            segments.append([])
        else:
            segments[-1].append(w)
    last = segments[-1]
    if not last:
        return None
    # the split of the last segment into title words and name: the best-matching known person,
    # else the name-like words at its end
    best: tuple[float, int, str, Label | None, list[str]] = (0.0, len(last), "", None, [])
    for k in range(len(last)):
        printed, notes = _printed_name(text, last[k].start(), last[-1].end(), labels)
        label, score, others = labels.best(printed, ["person"], name_score)
        if label is not None and score >= PERSON_THRESHOLD and score > best[0]:
            best = (score, k, printed, label, notes)
    if best[3] is None:
        k = len(last)
        acronyms = {normalise(a) for a in re.findall(r"\(([A-Z][\w-]*)\)", text)}
        while k > 0 and _name_like(last[k - 1].group(), labels) and \
                normalise(last[k - 1].group()) not in acronyms:
            k -= 1
        if k == len(last):
            return None
        if k > 0 and normalise(last[k - 1].group()) in _HONORIFICS:
            k -= 1
        if k == 0 and len(segments) == 1 and len(last) <= 1:
            return None
        printed, notes = _printed_name(text, last[k].start(), last[-1].end(), labels)
        best = (0.0, k, printed, None, notes)
    _, k, printed, _, notes = best
    name_start = last[k].start()
    title_end = last[k - 1].end() if k > 0 else (words[words.index(last[0]) - 1].start()
                                                 if words.index(last[0]) > 0 else title.end())
    title_text = text[title.start():title_end].strip().rstrip(",").strip()
    if title.group("acting"):
        title_core = text[title.start("title"):title_end].strip().rstrip(",").strip()
    else:
        title_core = title_text
    phrase_end = name_start + len(printed)
    finding = Finding("holding", text[title.start():phrase_end], title.start(), phrase_end)
    finding.reading = {"name": printed, "title": title_text}
    finding.warnings += notes
    _link_person(finding, printed, labels)
    _link_post(finding, title.group("title"), title_core, labels)
    if title.group("acting"):
        finding.reading["acting"] = True
        finding.warnings.append(f"{title.group('acting').strip()}: acting holder of the post "
                                "(the model has no acting role: say it in a note)")
    if _PAST.search(text[max(0, title.start() - 30):title.start()]):
        finding.reading["past"] = True
        finding.warnings.append("a past holding (the text speaks of a former term): "
                                "time:before the article's date, not time:inside")
    return finding


def _printed_name(text: str, start: int, end: int, labels: Labels) -> tuple[str, list[str]]:
    """The name as printed between ``start`` and ``end``, a speech verb glued to its last word
    (``Ressandymengatakan``) cut off."""
    printed = text[start:end].strip().rstrip(".")
    notes: list[str] = []
    last = printed.split()[-1] if printed.split() else ""
    for verb in _SPEECH_VERBS:
        if last.endswith(verb) and len(last) > len(verb) + 1 and last[0].isupper():
            printed = printed[:-len(verb)]
            notes.append(f"{last!r}: the name run into the verb {verb!r}")
            break
    else:
        known = {t for lab in labels.of_kind("person") for t in lab.text.split()}
        for token in known:
            if last != token and last.startswith(token) and len(token) >= 3 and \
                    last[len(token):].islower() and len(last) - len(token) >= 3:
                printed = printed[:-(len(last) - len(token))]
                notes.append(f"{last!r}: the name {token!r} run into the next word")
                break
    return printed, notes


def _name_like(word: str, labels: Labels) -> bool:
    if word.startswith("(") or word.isupper() and len(word) > 1:
        return False
    if not word[:1].isupper():
        return False
    n = normalise(word)
    if n in _TITLE_WORDS:
        return False
    org_words = {t for lab in labels.of_kind("body", "place", "publisher")
                 for t in normalise(lab.text).split()}
    return n not in org_words


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _link_person(finding: Finding, printed: str, labels: Labels) -> None:
    label, score, others = labels.best(printed, ["person"], name_score)
    rivals = [(o, s) for o, s in others if s >= PERSON_THRESHOLD and score - s < 3]
    if label is not None and score >= PERSON_THRESHOLD and not rivals:
        finding.reading.update({"person": _short(label.iri), "person_label": label.text,
                                "person_score": round(score, 1)})
    else:
        finding.reading.update({"person": None})
        if rivals and label is not None:
            finding.warnings.append("ambiguous name: " + ", ".join(
                f"{_short(x.iri)} ({x.text!r}, {s:.0f})" for x, s in [(label, score)] + rivals))
        finding.todo.append(f"{printed!r}: no person in the graph matches; a new person "
                            "(check that the graph does not hold them under another name)")


def _link_post(finding: Finding, keyword: str, title: str, labels: Labels) -> None:
    """The post a title names: by its labels; else by the role the title word names and the
    body the rest names; else, for a bare role word (``Wali Kota``), the one post of that role."""
    role_word = _TITLE_ROLE.get(normalise(keyword).replace(" ", ""), normalise(keyword))
    role_label, role_score, _ = labels.best(role_word, ["role"])
    role = role_label.iri if role_label is not None and role_score >= 95 else None
    finding.reading["role"] = _short(role) if role else None
    label, score, _ = labels.best(title, ["post"])
    if label is not None and score >= ORG_THRESHOLD:
        body_role = labels.posts.get(label.iri, ("", ""))
        finding.reading.update({"post": _short(label.iri), "post_label": label.text,
                                "post_score": round(score, 1),
                                "body": _short(body_role[0]) if body_role[0] else None})
        if body_role[1]:
            finding.reading["role"] = _short(body_role[1])
        return
    rest = title[len(keyword):].strip(" ,") if title.startswith(keyword) else title
    body, body_score, body_phrase = _find_body(rest, labels)
    if body is not None and role is not None:
        posts = [p for p, (b, r) in labels.posts.items() if b == body.iri and r == role]
        if len(posts) == 1:
            finding.reading.update({
                "post": _short(posts[0]), "post_label": labels.described.get(
                    posts[0], ([], posts[0]))[1],
                "post_score": round(min(body_score, 95.0), 1), "body": _short(body.iri),
                "body_label": body.text, "body_score": round(body_score, 1)})
            finding.warnings.append(f"post found by its role and body: {body_phrase!r} matches "
                                    f"{body.text!r} ({body_score:.0f})")
            return
    if not rest and role is not None:
        posts = [p for p, (_, r) in labels.posts.items() if r == role]
        if len(posts) == 1:
            finding.reading.update({"post": _short(posts[0]), "post_label": labels.described.get(
                posts[0], ([], posts[0]))[1], "post_score": 80.0,
                "body": _short(labels.posts[posts[0]][0])})
            finding.warnings.append(f"the title {title!r} names no body: the one post of "
                                    f"{_short(role)} the graph holds; check it is this one")
            return
    finding.reading.update({"post": None, "body": _short(body.iri) if body else None})
    if body is not None:
        finding.reading.update({"body_label": body.text, "body_score": round(body_score, 1)})
    finding.todo.append(f"{title!r}: no post in the graph matches; a new post"
                        + ("" if body else " (and its body)"))


def _find_body(rest: str, labels: Labels) -> tuple[Label | None, float, str]:
    """The body the words after a title name: the whole, the words before a parenthesis, the
    parenthesis' acronym, each without a trailing place name."""
    if not rest:
        return None, 0.0, ""
    candidates = {rest}
    paren = re.search(r"\(([^()]+)\)", rest)
    if paren:
        candidates |= {rest[:paren.start()].strip(" ,"), paren.group(1)}
    places = sorted({lab.text for lab in labels.of_kind("place")}, key=len, reverse=True)
    for c in list(candidates):
        for place in places:
            if c.endswith(" " + place):
                candidates.add(c[:-len(place)].strip(" ,"))
    best: tuple[Label | None, float, str] = (None, 0.0, "")
    for c in candidates:
        label, score, _ = labels.best(c, ["body"])
        if label is not None and score >= ORG_THRESHOLD and score > best[1]:
            best = (label, score, c)
    return best


# --------------------------------------------------------------------------- TriG


def _slug(text: str) -> str:
    return "-".join(normalise(text).split())[:60].strip("-") or "x"


def _lit(text: str, lang: str = "id") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _num(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(float(value)) if "e" not in repr(float(value)) else f"{value:f}"


def _comment(text: str, indent: str = "    ") -> str:
    return "\n".join(f"{indent}# {line}" for line in text.replace("\r", "").split("\n"))


class _Writer:
    def __init__(self, stem: str, labels: Labels) -> None:
        self.stem = stem
        self.labels = labels
        self.short = stem.split("_")[0] if "_" in stem else stem
        self.blocks: list[str] = []
        self.described: set[str] = set()
        self.used: set[str] = set()

    def fresh(self, iri: str) -> str:
        base, n = iri, 2
        while iri in self.used:
            iri, n = f"{base}-{n}", n + 1
        self.used.add(iri)
        return iri

    def known(self, iri: str) -> str:
        """A block repeating the type and label the graph has for ``iri`` (once per draft)."""
        if iri in self.described or iri.startswith(("person:TODO", "post:TODO", "body:TODO")):
            return ""
        self.described.add(iri)
        full = iri
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(prefix + ":"):
                full = namespace + iri[len(prefix) + 1:]
        types, label = self.labels.described.get(full, ([], ""))
        if not types:
            return ""
        type_list = " , ".join(_short(t) for t in types)
        return f"    {iri} a {type_list} ;\n        skos:prefLabel {_lit(label)} ."

    def instant(self, value: str) -> str:
        iri = f"date:{value}"
        if iri in self.described:
            return ""
        self.described.add(iri)
        kind = {10: ("inXSDDate", "date"), 7: ("inXSDgYearMonth", "gYearMonth"),
                4: ("inXSDgYear", "gYear")}[len(value)]
        return (f"    {iri} a time:Instant ; skos:prefLabel {_lit(value)} ;\n"
                f"        time:{kind[0]} \"{value}\"^^xsd:{kind[1]} .")

    def period(self, value: str) -> str:
        if len(value) != 4:
            return self.instant(value)
        iri = f"period:{value}"
        if iri in self.described:
            return ""
        self.described.add(iri)
        parts = [f"    {iri} a time:ProperInterval ; skos:prefLabel {_lit(value)} ;\n"
                 f"        time:hasBeginning date:{value}-01-01 ; time:hasEnd date:{value}-12-31 ."]
        parts += [self.instant(f"{value}-01-01"), self.instant(f"{value}-12-31")]
        return "\n".join(p for p in parts if p)


def draft_trig(text: str, findings: Sequence[Finding], *, stem: str, labels: Labels,
               publisher: str | None = None, origin: str = "") -> str:
    """The findings as a TriG draft of the article's graph ``source:STEM``, in the patterns of
    ontology/README.md; every open question a ``# TODO`` comment quoting the sentence."""
    from .article import prefix_declarations

    w = _Writer(stem, labels)
    src = f"source:{stem}"
    day = next((f for f in findings if f.kind == "date" and f.reading.get("precision") == "day"
                and f.reading.get("date")), None)
    stated = str(day.reading["date"]) if day else None
    out: list[str] = [
        f"# Draft of {src}, written by `kg draft` from {origin or 'the article text'}.",
        "# Review every statement against the article; resolve each TODO (a TODO- IRI is a new",
        "# node: rename it or link it to one the graph holds); then `kg add --dry-run FILE`.",
        "# Nothing here is invented: every value, date and name is quoted from the text.",
        "", prefix_declarations(), "", f"{src} {{", "",
        "    ## -- the article (ontology/README.md, \"Source article\") --------------------"]
    article = [f"    {src} a kg:SourceArticle ;", f"        dct:identifier {_lit(stem, '')} ;"]
    notes: list[str] = []
    pub_iri, pub_note = _publisher(text, publisher, labels)
    if pub_iri:
        article.append(f"        schema:publisher {pub_iri} ;")
    notes += pub_note
    if day is not None:
        article.append(f"        kg:statedDate \"{stated}\"^^xsd:date ;")
        notes.append(f"kg:statedDate from {day.phrase!r}, the first day the text prints: check "
                     "that it is the day of the article's event or quote")
        notes += [f"TODO {x}" for x in day.warnings]
    else:
        notes.append("TODO kg:statedDate: the text prints no day (use a month or year the "
                     "article states, or kg:dateNotPrinted true)")
    headline = _headline(text)
    if headline:
        article.append(f"        schema:headline {_lit(headline)} ;")
        notes.append("schema:headline: the first line, taken as the headline: check")
    authors = [f for f in findings if f.kind == "author"]
    for a in authors:
        iri = a.reading.get("person") or f"person:TODO-{_slug(a.phrase)}"
        article.append(f"        schema:author {iri} ;")
    article.append("        schema:inLanguage \"id\" .")
    out += [_comment(n) for n in notes]
    out.append("\n".join(article))
    out.append(_comment("TODO dct:description: the article's topic, in its words (@id, @en); "
                        "skos:editorialNote: what it leaves open (no URL, publication date)"))
    if pub_iri and pub_iri.startswith("body:TODO"):
        out.append(f"    {pub_iri} a schema:NewsMediaOrganization ; skos:prefLabel "
                   f"{_lit(publisher or '')} .")
    elif pub_iri:
        out.append(w.known(pub_iri))
    for a in authors:
        iri = a.reading.get("person")
        out.append(_comment(f"author {a.phrase!r}: " + (
            f"{iri} ({a.reading['person_label']!r}, score {a.reading['person_score']})" if iri
            else "TODO a new person")))
        out.append(w.known(iri) if iri else
                   f"    person:TODO-{_slug(a.phrase)} a foaf:Person ; skos:prefLabel "
                   f"{_lit(a.phrase)} .")
    if stated:
        out.append(w.instant(stated))
    out += ["", "    ## -- dates the text prints ---------------------------------------------"]
    for d in findings:
        if d.kind != "date":
            continue
        reading = d.reading
        shown = reading.get("date") or "?"
        line = f"{d.phrase!r} ({d.start}-{d.end}): {shown}, {reading.get('precision')}"
        if d.warnings:
            line += "; WARNING " + "; ".join(d.warnings)
        if d.todo:
            line += "; TODO " + "; ".join(d.todo)
        out.append(_comment(line))
    out += ["", "    ## -- people in posts (ontology/README.md, \"Post and holder over time\") ---"]
    for h in findings:
        if h.kind == "holding":
            out.append(_holding_trig(w, h, stated))
    out += ["", "    ## -- figures (ontology/README.md, \"Statistic\", \"Facility\") -----------------"]
    for n, fig in enumerate((f for f in findings if f.kind == "figure"), 1):
        out.append(_figure_trig(w, fig, n, stated, text))
    covered = [(f.start, f.end) for f in findings]
    rest = [(s, e) for s, e in sentences(text)
            if not any(s <= a < e for a, _ in covered)]
    out += ["", "    ## -- the rest of the text: a TODO for each sentence no finding covers -----",
            _comment("(a finding, program, event, policy or place the patterns of ontology/"
                     "README.md describe; or nothing)")]
    for s, e in rest:
        out.append(_comment(f"TODO \"{text[s:e]}\""))
    out.append("}")
    return "\n".join(x for x in out if x is not None and x != "") .replace("\n    ## --", "\n\n    ## --") + "\n"


def _publisher(text: str, given: str | None, labels: Labels) -> tuple[str | None, list[str]]:
    pubs = labels.of_kind("publisher")
    if given:
        label, score, _ = labels.best(given, ["publisher"])
        if label is not None and score >= ORG_THRESHOLD:
            return _short(label.iri), [f"publisher {given!r}: {_short(label.iri)} "
                                       f"({label.text!r}, score {score:.0f})"]
        return f"body:TODO-{_slug(given)}", [f"TODO publisher {given!r}: not in the graph; a "
                                             "new schema:NewsMediaOrganization"]
    head = text[:400].lower()
    for label in sorted(pubs, key=lambda x: -len(x.text)):
        at = head.find(label.text.lower())
        if at >= 0:
            return _short(label.iri), [f"publisher: {label.text!r} printed at {at} is "
                                       f"{_short(label.iri)} (score 100): check"]
    return None, ["TODO schema:publisher: the text names none the graph holds "
                  "(give --publisher NAME)"]


def _headline(text: str) -> str | None:
    first = text.strip().split("\n", 1)[0].strip()
    if 10 < len(first) < 160 and not first.endswith((".", "!", "?", ":")) and \
            not re.search(r"\s[–—-]\s", first):
        return first
    return None


def _holding_trig(w: _Writer, h: Finding, stated: str | None) -> str:
    r = h.reading
    lines: list[str] = []
    evidence = [f"{h.phrase!r} ({h.start}-{h.end})"]
    if r.get("person"):
        evidence.append(f"person {r['person']}: {r['person_label']!r}, score {r['person_score']}")
    if r.get("post"):
        evidence.append(f"post {r['post']}: {r.get('post_label')!r}, score {r['post_score']}")
    lines.append(_comment("; ".join(evidence)))
    for x in h.warnings:
        lines.append(_comment(f"WARNING {x}"))
    for x in h.todo:
        lines.append(_comment(f"TODO {x}"))
    person = r.get("person") or f"person:TODO-{_slug(r['name'])}"
    post = r.get("post") or f"post:TODO-{_slug(r['title'])}"
    body = r.get("body") or f"body:TODO-{_slug(r['title'])}"
    role = r.get("role")
    if r.get("person"):
        lines.append(w.known(person))
        if normalise(r["name"]) != normalise(r["person_label"]) or r["name"] != r["person_label"]:
            if not any(lab.text == r["name"] for lab in w.labels.of_kind("person")):
                lines.append(f"    {person} skos:altLabel {_lit(r['name'])} .  "
                             "# the name as printed here")
    elif person not in w.described:
        w.described.add(person)
        lines.append(f"    {person} a foaf:Person ; skos:prefLabel {_lit(r['name'])} .")
    if r.get("post"):
        lines.append(w.known(post))
        lines.append(w.known(body))
    elif post not in w.described:
        w.described.add(post)
        lines.append(f"    {post} a org:Post ; skos:prefLabel {_lit(r['title'])} ;\n"
                     f"        org:postIn {body}" + (f" ;\n        org:role {role} ." if role else
                                                     " .  # TODO org:role: a concept of code:role"))
        if body.startswith("body:TODO") and body not in w.described:
            w.described.add(body)
            lines.append(f"    {body} a org:FormalOrganization ; skos:prefLabel "
                         f"{_lit('TODO the body of ' + r['title'])} .")
        elif not body.startswith("body:TODO"):
            lines.append(w.known(body))
    holding = w.fresh(f"holding:{person.split(':', 1)[1]}--{post.split(':', 1)[1]}")
    label = f"{r['name']}, {r['title']}"
    period_label = "Masa jabatan " + label
    known_holding = w.labels.described.get(PREFIXES["holding"] + holding.split(":", 1)[1])
    if known_holding:   # the graph holds this holding: its labels, not new ones
        label = known_holding[1]
        period_label = w.labels.described.get(
            PREFIXES["holding"] + holding.split(":", 1)[1] + "--period", ([], period_label))[1]
    role_line = f" ;\n        org:role {role}" if role else ""
    lines.append(f"    {holding} a org:Membership ;\n        skos:prefLabel {_lit(label)} ;\n"
                 f"        org:member {person} ; kg:post {post} ;\n"
                 f"        org:organization {body}{role_line} ;\n"
                 f"        org:memberDuring {holding}--period .")
    relation = "time:before" if r.get("past") else "time:inside"
    if stated:
        lines.append(f"    {holding}--period a time:Interval ;\n"
                     f"        skos:prefLabel {_lit(period_label)} ;\n"
                     f"        {relation} date:{stated} .")
        lines.append(w.instant(stated))
    else:
        lines.append(f"    {holding}--period a time:Interval ;\n"
                     f"        skos:prefLabel {_lit(period_label)} .  "
                     "# TODO time:inside the day the article attests it")
    return "\n".join(x for x in lines if x)


def _figure_trig(w: _Writer, fig: Finding, n: int, stated: str | None, text: str) -> str:
    r = fig.reading
    lines = [_comment(f"{fig.phrase!r} ({fig.start}-{fig.end}) in: \"{fig.sentence}\"")]
    for x in fig.warnings:
        lines.append(_comment(f"WARNING {x}"))
    for x in fig.todo:
        lines.append(_comment(f"TODO {x}"))
    unit = r.get("unit")
    qualifier = r.get("qualifier")
    if unit in ("uom:percent", "uom:percentage-point"):   # xsd:decimal, as data/ writes shares
        r = dict(r, **{k: float(r[k]) for k in ("value", "min", "max") if r.get(k) is not None})
    if r.get("value") is not None:
        value_lines = [f"schema:value {_num(r['value'])}"] if r["target"] != "observation" else \
            [f"sdmx-measure:obsValue {_num(r['value'])}"]
    else:
        value_lines = [f"schema:minValue {_num(r['min'])}", f"schema:maxValue {_num(r['max'])}"]
    if r["target"] != "observation":
        kind = "capacity" if r["target"] == "capacity" else r["target"].split(":", 1)[1]
        facility = "facility:TODO-facility" + ("--" + r["storage"].split(":")[1]
                                               if r.get("storage") else "")
        iri = w.fresh(f"{facility}--{kind}--{w.stem}")
        lines.append(_comment(f"TODO which facility (or section) {fig.phrase!r} is about: "
                              f"link {facility} to one the graph holds, e.g. with "
                              "kg query label-search"))
        cls = "schema:QuantitativeValue" if kind == "capacity" else "schema:PropertyValue"
        body = [f"    {iri} a {cls} ;", f"        skos:prefLabel {_lit(fig.phrase)} ;"]
        if kind != "capacity":
            body.append(f"        schema:propertyID {r['target']} ;")
            body.append(f"        kg:qualifier {qualifier} ;")
            body.append(f"        kg:statedAs {_lit(fig.phrase)} ;")
        body += [f"        {v} ;" for v in value_lines]
        if unit:
            body.append(f"        schema:unitCode {unit} ;")
        body.append(f"        dct:source source:{w.stem} .")
        lines.append("\n".join(body))
        link = "kg:storageCapacity" if kind == "capacity" else "schema:additionalProperty"
        lines.append(_comment(f"TODO {facility} {link} {iri} ."))
        return "\n".join(lines)
    indicator = r.get("indicator")
    local = indicator.split(":", 1)[1] if indicator else "figure"
    period = r.get("period")
    iri = w.fresh(f"obs:{w.short}-{local}" + (f"-{period}" if period and len(str(period)) == 4
                                              else "" if indicator else f"-{n}"))
    body = [f"    {iri} a qb:Observation ; qb:dataSet kg:statistics ;",
            f"        skos:prefLabel {_lit(fig.phrase)} ;"]
    if indicator:
        body.append(f"        kg:indicator {indicator} ;")
    else:
        body.append("        # TODO kg:indicator indicator:«?» ;")
    area = _area(w, fig.sentence or text)
    if area is None and fig.context:
        area = _area(w, fig.context)
        if area:
            lines.append(_comment(f"WARNING refArea {area}: named in the sentences before, "
                                  "not in this one"))
    if area:
        body.append(f"        sdmx-dimension:refArea {area} ;")
    else:
        body.append("        # TODO sdmx-dimension:refArea place:«?» ;")
    extra_blocks: list[str] = []
    if period:
        p = str(period)
        body.append(f"        sdmx-dimension:refPeriod {'period:' + p if len(p) == 4 else 'date:' + p} ;")
        extra_blocks.append(w.period(p))
    elif r.get("basis") == "basis:not-printed":
        body.append(f"        sdmx-dimension:refPeriod period:{iri.split(':', 1)[1]} ;")
        note = f"time:before date:{stated}" if stated else "# TODO time:before the article's date"
        extra_blocks.append(f"    period:{iri.split(':', 1)[1]} a time:Interval ;\n"
                            f"        skos:prefLabel {_lit('Periode ' + fig.phrase + ' (tidak tercantum)')} ;\n"
                            f"        skos:editorialNote \"periode tidak tercantum\"@id , "
                            f"\"period not printed\"@en ;\n        {note} .")
        if stated:
            extra_blocks.append(w.instant(stated))
    else:
        body.append("        # TODO sdmx-dimension:refPeriod period:«?» ;")
    if r.get("basis"):
        body.append(f"        kg:periodBasis {r['basis']} ;")
    if r.get("base_period"):
        body.append(f"        kg:basePeriod period:{r['base_period']} ;")
        extra_blocks.append(w.period(str(r["base_period"])))
    body += [f"        {v} ;" for v in value_lines]
    if unit:
        body.append(f"        sdmx-attribute:unitMeasure {unit} ;")
    else:
        body.append("        # TODO sdmx-attribute:unitMeasure uom:«?» ;")
    body.append(f"        kg:qualifier {qualifier} ;")
    body.append(f"        kg:statedAs {_lit(fig.phrase)} ;")
    if r.get("size"):
        body.append(f"        kg:sizeClass {r['size']} ;")
    if r.get("sector"):
        body.append(f"        kg:sector {r['sector']} ;")
    body.append("        # TODO prov:wasAttributedTo: who says so, where named ;")
    body.append(f"        dct:source source:{w.stem} .")
    lines.append("\n".join(body))
    lines += [b for b in extra_blocks if b]
    if area:
        lines.append(w.known(area))
    return "\n".join(x for x in lines if x)


def _area(w: _Writer, sentence: str) -> str | None:
    """The city or area the sentence names, when the graph holds it (the longest label found)."""
    hits = [lab for lab in w.labels.of_kind("place")
            if re.search(r"\b" + re.escape(lab.text) + r"\b", sentence)]
    hits = [h for h in hits if "City" in " ".join(w.labels.described.get(h.iri, ([], ""))[0])]
    iris = {h.iri for h in hits}
    return _short(hits[0].iri) if len(iris) == 1 else None


# --------------------------------------------------------------------------- entry point


def draft(path: Path, *, graph: KnowledgeGraph, stem: str | None = None,
          publisher: str | None = None) -> tuple[list[Finding], str]:
    """Read the article at ``path``; return its findings and the TriG draft."""
    text = path.read_text(encoding="utf-8")
    labels = Labels.of(graph)
    findings = read_article(text, labels)
    trig = draft_trig(text, findings, stem=stem or path.stem, labels=labels,
                      publisher=publisher, origin=path.name)
    return findings, trig
