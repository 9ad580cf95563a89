"""Synthetic data at national scale, in exactly the project's model.

:func:`synthesize` writes, for ``regions`` synthetic regions and ``years``
years, what news articles about each region would state: the bodies of its
government, their posts and who held them, a cold storage with its sections,
the statistics of the year, sector findings, a program and an event. Every
article is a ``kg:SourceArticle`` with its own named graph, exactly as in
``data/`` (``ontology/README.md``), so ``kg validate``, the saved queries and
every backend take the output as they take the shipped data.

Nothing here can be mistaken for a fact: every IRI the generator mints has
``synth-`` in its local name (``place:synth-r0001``, ``source:synth-r0001-2024-a``),
every publisher is labelled "Sumber sintetis N", every article's
``dct:identifier`` starts with ``synth-`` and its editorial note says
"Data sintetis ... bukan fakta". Only shared vocabulary is reused as is: the
code-list concepts, ``kg:statistics``, and the days and years
(``date:2024-11-25``, ``period:2024``), which name calendar facts.

**Regions.** Like Indonesia's 38 provinces and 514 kabupaten/kota, regions
come in blocks: the first region of each block is a province
(``schema:AdministrativeArea``, ``level:province``), the others are cities in
it (``schema:City``, ``level:city``); ``regions=552`` gives 38 provinces. The
code lists know no regency or provincial government, nor a regent or a
governor, so every non-province region is a kota with a mayor, and a
province has its agency (dinas) but no government body of its own.

**Per region:** a city government (cities), its agency (dinas), a section of
the agency (``org:OrganizationalUnit``), a statistics office, posts (mayor,
head of agency, head of section) held by a succession of people (terms of 5,
3 and 2 years at seeded offsets), a cold storage whose chilled and frozen
sections add up to its capacity, and a support program.

**Per region and year Y, three articles** (``a``, ``b``, ``c``):

- ``a`` (dated early in Y+1), the agency's release: the figures of Y, all
  exact and attributed to the head of agency (who is attested on that day),
  with the statistics office as data provider: UMKM, micro-enterprise and IKM
  counts, own-source revenue from industry, the manufacturing share of GRDP,
  and the shares of three sectors in the UMKM count; the section and its head;
  the day a new head of agency or section began, when the term began in Y or Y+1;
- ``b`` (later in Y+1), a news report: re-reports the UMKM and IKM counts of Y
  (*these are the figures that may conflict*), the UMKM growth over Y-1
  (approximate, ``kg:basePeriod``), the manufacturing share "lebih dari N
  persen" as of its own date (lower bound, ``basis:report-date``), and the
  agency's program;
- ``c`` (in Y), a speech at an event: the speaker (the mayor, or the head of
  a province's agency) attested that day, the IKM count as of that day, the
  growth target for Y+1 (approximate), a finding about a sector, and the cold
  storage once it is built.

**Conflicts.** Of the figures ``b`` re-reports, a fraction ``conflict_rate``
(default 0.1) differ from ``a``'s: same indicator, area, period and size
class, a value 2-15 % off. They are spread evenly (a seeded low-discrepancy
sequence), so a run holds ``floor`` or ``ceil`` of ``conflict_rate`` times
``2 * regions * years`` of them, counted exactly in
:attr:`SynthSummary.conflicts`; the saved query ``conflicting-figures``
finds each of them as one row and nothing else in the synthetic data.

**Sizes.** About 515 triples per region-year (3 source graphs of about
170 each; 52 bytes of TriG per triple): ``--regions 552 --years 2`` is
0.57M triples, ``--years 4`` 1.1M, ``--years 10`` 2.8M, ``--years 35``
10M. Measured, see the README section "Scale".

**Files.** One TriG file per region (``synth-r0001.trig``), holding the
named graphs of that region's articles: at national scale one file per
article would be 3 x 552 x Y files of 30 KB (16,560 at 10 years), which
costs more in file-system and per-file loader overhead than it buys; one
file per region keeps a region's articles together and the count at 552.
The text is written directly (no rdflib graph in between), in a stable
order: the same ``seed`` gives the same bytes.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     summary = synthesize(2, 1, seed=7, out_dir=folder)
>>> summary.sources, summary.files
(6, 2)
"""

from __future__ import annotations

import datetime
import math
import os
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, StoreError
from .prefixes import PREFIXES

#: The last year figures are synthesized for; the years run up to it.
LAST_YEAR = 2024
#: Provinces per "national" block of regions: 38 of 552 (the 514 kabupaten/kota + 38 provinces).
PROVINCES, NATIONAL_REGIONS = 38, 552
#: How many publishers the synthetic articles are spread over.
PUBLISHERS = 12
#: The default share of re-reported figures that conflict with the first report.
CONFLICT_RATE = 0.1
#: Terms of office, in years, by post.
TERMS = {"mayor": 5, "head-dinas": 3, "head-seksi": 2}
#: Sectors whose share of the UMKM count the agency reports, and the range of each (percent).
SECTOR_SHARES = (("trade", 30, 50), ("culinary-food", 15, 30), ("industry", 5, 20))
#: Sectors a finding may be about.
FINDING_SECTORS = ("trade", "industry", "culinary-food", "creative-industry", "logistics",
                   "processed-food", "services")
#: Names of those sectors in labels: (Indonesian, English).
SECTOR_NAMES = {
    "trade": ("perdagangan", "trade"), "industry": ("industri", "industry"),
    "culinary-food": ("kuliner dan pangan", "culinary and food"),
    "creative-industry": ("industri kreatif", "creative industry"),
    "logistics": ("logistik", "logistics"), "processed-food": ("makanan olahan", "processed food"),
    "services": ("jasa", "services"),
}
SYNTH_FILE_PREFIX = "synth-r"

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote."""

    regions: int
    years: int
    seed: int
    out_dir: Path
    files: int               #: TriG files written, one per region
    sources: int             #: source articles (named graphs)
    triples: int             #: statements, over all graphs (quads)
    observations: int        #: qb:Observation nodes
    rereported: int          #: figures re-reported by a second article (candidates for conflict)
    conflicts: int           #: of those, how many differ from the first report
    conflict_rate: float     #: the rate asked for
    seconds: float = field(default=0.0, compare=False)

    @property
    def triples_per_region_year(self) -> float:
        return self.triples / (self.regions * self.years)

    def to_text(self) -> str:
        rate = self.triples / self.seconds if self.seconds else 0.0
        return (f"wrote {self.triples:,} triples in {self.sources:,} source graphs "
                f"({self.files:,} files) to {self.out_dir} in {self.seconds:.1f} s "
                f"({rate:,.0f} triples/s)\n"
                f"  {self.regions:,} regions x {self.years} years: "
                f"{self.triples_per_region_year:,.0f} triples per region-year\n"
                f"  {self.observations:,} observations; {self.conflicts:,} of "
                f"{self.rereported:,} re-reported figures conflict "
                f"(rate {self.conflict_rate:g}; `kg query conflicting-figures` lists them)\n")


def synthesize(regions: int, years: int, seed: int, out_dir: str | Path, *,
               conflict_rate: float = CONFLICT_RATE) -> SynthSummary:
    """Write synthetic articles for ``regions`` regions and ``years`` years to ``out_dir``.

    ``out_dir`` is created if missing; it must be empty or hold only files of
    an earlier synthesis (``synth-r*.trig``), which are replaced. Each file is
    written atomically.

    Raises:
        InputError: ``regions`` or ``years`` below 1, a rate outside [0, 1],
            or ``out_dir`` holds other files (it never mixes with real data).
        StoreError: ``out_dir`` cannot be created or written.
    """
    if regions < 1 or years < 1:
        raise InputError(f"--regions and --years must be at least 1 (got {regions} and {years})")
    if not 0.0 <= conflict_rate <= 1.0:
        raise InputError(f"the conflict rate must lie between 0 and 1 (got {conflict_rate})")
    folder = Path(out_dir)
    prepare_folder(folder)
    started = time.monotonic()
    world = World(regions, years, seed, conflict_rate)
    header = prefix_header()
    width = max(4, len(str(regions)))
    totals = Totals()
    written: set[str] = set()
    for region in range(regions):
        name = f"{SYNTH_FILE_PREFIX}{region + 1:0{width}d}.trig"
        chunks = [header]
        chunks.extend(world.region_text(region, totals))
        write_atomically(folder / name, "".join(chunks))
        written.add(name)
    for stale in folder.glob(f"{SYNTH_FILE_PREFIX}*.trig"):
        if stale.name not in written:
            stale.unlink()
    return SynthSummary(
        regions=regions, years=years, seed=seed, out_dir=folder, files=regions,
        sources=totals.sources, triples=totals.triples, observations=totals.observations,
        rereported=totals.rereported, conflicts=totals.conflicts, conflict_rate=conflict_rate,
        seconds=time.monotonic() - started)


def prepare_folder(folder: Path) -> None:
    """Create ``folder``, or check that it holds nothing but an earlier synthesis.

    Raises:
        InputError: the folder holds other files.
        StoreError: it cannot be created.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the folder: {exc.strerror}") from None
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder")
    others = sorted(p.name for p in folder.iterdir()
                    if not (p.name.startswith(SYNTH_FILE_PREFIX) and p.suffix == ".trig"))
    if others:
        shown = ", ".join(others[:3]) + (" ..." if len(others) > 3 else "")
        raise InputError(f"{folder} holds files that are not synthetic data ({shown}): "
                         "write synthetic data to an empty folder of its own")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``.

    Raises:
        StoreError: the file cannot be written.
    """
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the data from other users
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise StoreError(f"{path}: cannot be written: {exc.strerror}") from None


def prefix_header() -> str:
    lines = ["# Synthetic data written by `kg synth`: not facts. See src/kg/synth.py.\n"]
    lines += [f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()]
    return "".join(lines) + "\n"


# --------------------------------------------------------------------------- text of one graph

def text(value: str, lang: str | None = None) -> str:
    """A string literal in Turtle, with a language tag when given."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^xsd:{datatype}'


def decimal(hundredths: int) -> str:
    """A decimal number from an integer count of hundredths (Turtle's decimal syntax)."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def rupiah(amount: int) -> str:
    """87397 -> "87.397": the Indonesian thousands separator."""
    return f"{amount:,}".replace(",", ".")


def comma(hundredths: int) -> str:
    """1923 -> "19,23": the Indonesian decimal comma."""
    return decimal(hundredths).replace(".", ",")


Objects = str | tuple[str, ...]


class GraphText:
    """The Turtle text of one named graph, each node described once."""

    __slots__ = ("name", "lines", "described", "triples")

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = [f"{name} {{\n"]
        self.described: set[str] = set()
        self.triples = 0

    def node(self, subject: str, types: Objects, *pairs: tuple[str, Objects]) -> bool:
        """Describe ``subject`` (with its types and property-values) unless already described."""
        if subject in self.described:
            return False
        self.described.add(subject)
        kinds = (types,) if isinstance(types, str) else types
        parts = [f"    {subject} a {' , '.join(kinds)}"]
        count = len(kinds)
        for predicate, objects in pairs:
            values = (objects,) if isinstance(objects, str) else objects
            if not values:
                continue
            count += len(values)
            parts.append(f" ;\n        {predicate} {' , '.join(values)}")
        parts.append(" .\n")
        self.lines.append("".join(parts))
        self.triples += count
        return True

    def day(self, day: datetime.date) -> str:
        """The IRI of a day, described in this graph."""
        iso = day.isoformat()
        name = f"date:{iso}"
        self.node(name, "time:Instant", ("skos:prefLabel", text(iso, "id")),
                  ("time:inXSDDate", typed(iso, "date")))
        return name

    def year(self, year: int) -> str:
        """The IRI of a calendar year as a reference period, described in this graph."""
        name = f"period:{year}"
        if name not in self.described:
            first = self.day(datetime.date(year, 1, 1))
            last = self.day(datetime.date(year, 12, 31))
            self.node(name, "time:ProperInterval", ("skos:prefLabel", text(str(year), "id")),
                      ("time:hasBeginning", first), ("time:hasEnd", last))
        return name

    def close(self) -> str:
        self.lines.append("}\n\n")
        return "".join(self.lines)


# --------------------------------------------------------------------------- the synthetic world

@dataclass
class Totals:
    sources: int = 0
    triples: int = 0
    observations: int = 0
    rereported: int = 0
    conflicts: int = 0


@dataclass(frozen=True)
class Term:
    """One person's term in one post."""

    person: int         #: number of the person within the region
    start: datetime.date
    end: datetime.date  #: the last day (the day before the successor starts)
    known_start: bool   #: whether sources may state the start (not for the first term)


@dataclass(frozen=True)
class Post:
    key: str            #: "mayor", "head-dinas", "head-seksi"
    iri: str
    body: str           #: the IRI of the body the post is in
    role: str
    label_id: str
    label_en: str
    terms: tuple[Term, ...]

    def term_on(self, day: datetime.date) -> Term:
        for term in self.terms:
            if term.start <= day <= term.end:
                return term
        raise AssertionError(f"{self.iri}: no holder on {day}")  # terms cover every day


@dataclass(frozen=True)
class Region:
    number: int         #: 0-based
    code: str           #: "r0001"
    province: bool
    province_code: str  #: the code of the province the region lies in (itself for a province)
    rng_seed: str
    label_id: str
    label_en: str

    @property
    def place(self) -> str:
        return f"place:synth-{self.code}"

    def body(self, kind: str) -> str:
        return f"body:synth-{self.code}-{kind}"


class World:
    """The regions, their people and their figures, derived from the seed alone."""

    def __init__(self, regions: int, years: int, seed: int, conflict_rate: float) -> None:
        self.count = regions
        self.years = tuple(range(LAST_YEAR - years + 1, LAST_YEAR + 1))
        self.seed = seed
        self.conflict_rate = conflict_rate
        self.width = max(4, len(str(regions)))
        #: where the evenly spread conflicts start (seeded)
        self.phase = random.Random(f"kg-synth-{seed}-phase").random()
        self._regions: dict[int, Region] = {}

    # -- regions ----------------------------------------------------------------------------

    def is_province(self, number: int) -> bool:
        block = lambda k: (k * PROVINCES) // NATIONAL_REGIONS  # noqa: E731
        return number == 0 or block(number) != block(number - 1)

    def region(self, number: int) -> Region:
        if number not in self._regions:
            self._regions[number] = self.new_region(number)
        return self._regions[number]

    def new_region(self, number: int) -> Region:
        code = f"r{number + 1:0{self.width}d}"
        province = self.is_province(number)
        head = number
        while not self.is_province(head):
            head -= 1
        label = f"{number + 1:0{self.width}d}"
        return Region(
            number=number, code=code, province=province,
            province_code=f"r{head + 1:0{self.width}d}", rng_seed=f"kg-synth-{self.seed}-{code}",
            label_id=f"Provinsi Sintetis {label}" if province else f"Kota Sintetis {label}",
            label_en=f"Synthetic Province {label}" if province else f"Synthetic City {label}")

    def conflicts(self, k: int) -> bool:
        """Whether the k-th re-reported figure (over the whole run) conflicts: evenly spread."""
        rate, phase = self.conflict_rate, self.phase
        return math.floor((k + 1) * rate + phase) > math.floor(k * rate + phase)

    # -- one region -------------------------------------------------------------------------

    def region_text(self, number: int, totals: Totals) -> Iterator[str]:
        """The TriG text of every article about region ``number``, graph by graph."""
        region = self.region(number)
        rng = random.Random(region.rng_seed)
        posts = self.posts(region, rng)
        # the figures of each year, and one year before the first (for growth)
        umkm = rng.randrange(5_000, 150_000)
        first = self.years[0] - 1
        counts: dict[int, int] = {first: umkm}
        for year in self.years:
            counts[year] = round(counts[year - 1] * (1 + rng.randrange(200, 2000) / 10_000))
        facility = Facility.draw(region, rng, self.years[0])
        publishers = [rng.randrange(PUBLISHERS) + 1 for _ in range(3 * len(self.years))]
        for index, year in enumerate(self.years):
            figures = Figures.draw(rng, counts[year], counts[year - 1])
            dates = self.article_dates(rng, year)
            k = 2 * (number * len(self.years) + index)
            for letter, writer in (("a", self.article_a), ("b", self.article_b),
                                   ("c", self.article_c)):
                source = f"source:synth-{region.code}-{year}-{letter}"
                graph = GraphText(source)
                publisher = publishers[3 * index + "abc".index(letter)]
                self.article(graph, region, year, letter, dates[letter], publisher)
                writer(graph, region, year, dates[letter], posts, figures, facility, rng, k,
                       totals)
                totals.sources += 1
                totals.triples += graph.triples
                yield graph.close()

    def article_dates(self, rng: random.Random, year: int) -> dict[str, datetime.date]:
        release = datetime.date(year + 1, 1, 15) + datetime.timedelta(days=rng.randrange(90))
        report = release + datetime.timedelta(days=1 + rng.randrange(120))
        speech = datetime.date(year, 6, 1) + datetime.timedelta(days=rng.randrange(200))
        return {"a": release, "b": report, "c": speech}

    def posts(self, region: Region, rng: random.Random) -> dict[str, Post]:
        """The region's posts, each with a succession of terms covering every year asked for.

        The first term of each post began before the years synthesized (its
        start is unknown); every later one begins the day after the previous ends.
        """
        span_start = datetime.date(self.years[0] - 6, 1, 1)
        span_end = datetime.date(self.years[-1] + 2, 12, 31)
        keys = ("head-dinas", "head-seksi") if region.province else (
            "mayor", "head-dinas", "head-seksi")
        person = 0
        posts: dict[str, Post] = {}
        for key in keys:
            length = 365 * TERMS[key]
            terms: list[Term] = []
            begin = span_start
            end = begin + datetime.timedelta(days=rng.randrange(1, length))
            while True:
                person += 1
                terms.append(Term(person, begin, end, known_start=bool(terms)))
                if end >= span_end:
                    break
                begin = end + datetime.timedelta(days=1)
                end = begin + datetime.timedelta(days=length - 1 + rng.randrange(-30, 60))
            posts[key] = self.post(region, key, tuple(terms))
        return posts

    def post(self, region: Region, key: str, terms: tuple[Term, ...]) -> Post:
        where_id, where_en = region.label_id, region.label_en
        if key == "mayor":
            return Post(key, f"post:synth-{region.code}-mayor", region.body("pemkot"),
                        "role:mayor", f"Wali Kota Sintetis {region.code[1:]}",
                        f"Mayor of {where_en}", terms)
        if key == "head-dinas":
            return Post(key, f"post:synth-{region.code}-head-dinas", region.body("dinas"),
                        "role:head-of-agency", f"Kepala Dinas KUMKMP {where_id}",
                        f"Head of the Office of Cooperatives, MSMEs and Industry, {where_en}",
                        terms)
        return Post(key, f"post:synth-{region.code}-head-seksi", region.body("seksi"),
                    "role:head-of-section", f"Kepala Seksi Industri Dinas KUMKMP {where_id}",
                    f"Head of the Industry Section, {where_en}", terms)

    # -- what every article says about itself and its region ---------------------------------

    def article(self, graph: GraphText, region: Region, year: int, letter: str,
                day: datetime.date, publisher: int) -> None:
        kind_id = {"a": "rilis dinas", "b": "berita", "c": "liputan acara"}[letter]
        kind_en = {"a": "agency release", "b": "news report", "c": "event coverage"}[letter]
        identifier = f"synth-{region.code}-{year}-{letter}"
        publisher_iri = f"body:synth-publisher-{publisher:02d}"
        graph.node(
            graph.name, "kg:SourceArticle",
            ("skos:prefLabel", (text(f"Sumber sintetis {publisher}: {kind_id} tentang "
                                     f"{region.label_id}, {year}", "id"),
                                text(f"Synthetic source {publisher}: {kind_en} on "
                                     f"{region.label_en}, {year}", "en"))),
            ("dct:identifier", text(identifier)),
            ("schema:publisher", publisher_iri),
            ("kg:statedDate", typed(day.isoformat(), "date")),
            ("dct:description", (text(f"Artikel sintetis ({kind_id}) tentang industri dan UMKM "
                                      f"{region.label_id} tahun {year}.", "id"),
                                 text(f"Synthetic article ({kind_en}) on the industry and MSMEs "
                                      f"of {region.label_en} in {year}.", "en"))),
            ("schema:inLanguage", text("id")),
            ("skos:editorialNote", (text(f"Data sintetis yang dibangkitkan `kg synth` (seed "
                                         f"{self.seed}); bukan fakta.", "id"),
                                    text(f"Synthetic data generated by `kg synth` (seed "
                                         f"{self.seed}); not a fact.", "en"))))
        graph.node(publisher_iri, "schema:NewsMediaOrganization",
                   ("skos:prefLabel", text(f"Sumber sintetis {publisher}", "id")))
        graph.day(day)
        self.place(graph, region)

    def place(self, graph: GraphText, region: Region) -> None:
        if region.province:
            graph.node(region.place, "schema:AdministrativeArea",
                       ("skos:prefLabel", (text(region.label_id, "id"),
                                           text(region.label_en, "en"))))
            return
        province = self.region(int(region.province_code[1:]) - 1)
        self.place(graph, province)
        graph.node(region.place, "schema:City",
                   ("skos:prefLabel", (text(region.label_id, "id"), text(region.label_en, "en"))),
                   ("schema:containedInPlace", province.place))

    def bodies(self, graph: GraphText, region: Region, *, section: bool = False,
               statistics: bool = False) -> None:
        """The government of the region (cities), its agency, and the section or statistics office."""
        level = "level:province" if region.province else "level:city"
        agency_parent: tuple[str, Objects] = ("org:subOrganizationOf", ())
        if not region.province:
            graph.node(region.body("pemkot"), ("org:FormalOrganization",
                                               "schema:GovernmentOrganization"),
                       ("skos:prefLabel", (text(f"Pemerintah {region.label_id}", "id"),
                                           text(f"{region.label_en} Government", "en"))),
                       ("org:classification", "orgtype:city-government"),
                       ("kg:governmentLevel", level), ("schema:areaServed", region.place))
            agency_parent = ("org:subOrganizationOf", region.body("pemkot"))
        graph.node(region.body("dinas"), ("org:FormalOrganization", "schema:GovernmentOrganization"),
                   ("skos:prefLabel", (text(f"Dinas KUMKMP {region.label_id}", "id"),
                                       text(f"Office of Cooperatives, MSMEs and Industry, "
                                            f"{region.label_en}", "en"))),
                   ("skos:altLabel", text(f"DKUMKMP {region.code[1:]}", "id")),
                   agency_parent,
                   ("org:classification", "orgtype:agency"),
                   ("kg:governmentLevel", level), ("schema:areaServed", region.place))
        if section:
            graph.node(region.body("seksi"), "org:OrganizationalUnit",
                       ("skos:prefLabel", (text(f"Seksi Industri Dinas KUMKMP {region.label_id}",
                                                "id"),
                                           text(f"Industry Section, {region.label_en}", "en"))),
                       ("org:unitOf", region.body("dinas")),
                       ("org:classification", "orgtype:section"))
        if statistics:
            graph.node(region.body("bps"), ("org:FormalOrganization",
                                            "schema:GovernmentOrganization"),
                       ("skos:prefLabel", text(f"BPS {region.label_id}", "id")),
                       ("org:classification", "orgtype:statistics-office"),
                       ("kg:governmentLevel", level), ("schema:areaServed", region.place))

    def holder(self, graph: GraphText, region: Region, post: Post, day: datetime.date) -> str:
        """The holder of ``post`` on ``day``, attested in this graph; return the person's IRI."""
        term = post.term_on(day)
        who = f"{region.code[1:]}-{term.person:02d}"
        person = f"person:synth-{region.code}-p{term.person:02d}"
        holding = f"holding:synth-{region.code}-p{term.person:02d}--{post.key}"
        period = f"{holding}--period"
        graph.node(post.iri, "org:Post",
                   ("skos:prefLabel", (text(post.label_id, "id"), text(post.label_en, "en"))),
                   ("org:postIn", post.body), ("org:role", post.role))
        graph.node(person, "foaf:Person", ("skos:prefLabel", text(f"Tokoh Sintetis {who}", "id")))
        graph.node(holding, "org:Membership",
                   ("skos:prefLabel", (text(f"Tokoh Sintetis {who}, {post.label_id}", "id"),
                                       text(f"Synthetic Person {who}, {post.label_en}", "en"))),
                   ("org:member", person), ("kg:post", post.iri),
                   ("org:organization", post.body), ("org:role", post.role),
                   ("org:memberDuring", period))
        # the day the term began is stated by the release of its year or the next
        began: tuple[str, Objects] = ("time:hasBeginning", ())
        if graph.name.endswith("-a") and term.known_start \
                and term.start.year in (day.year - 1, day.year):
            began = ("time:hasBeginning", graph.day(term.start))
        graph.node(period, "time:Interval",
                   ("skos:prefLabel", (text(f"Masa jabatan Tokoh Sintetis {who} sebagai "
                                            f"{post.label_id}", "id"),
                                       text(f"Term of Synthetic Person {who} as {post.label_en}",
                                            "en"))),
                   began, ("time:inside", graph.day(day)))
        return person

    def observation(self, graph: GraphText, region: Region, obs: str, indicator: str,
                    label: tuple[str, str], period: str, basis: str, value: str, unit: str,
                    qualifier: str, stated: str, totals: Totals,
                    *extra: tuple[str, Objects]) -> None:
        graph.node(obs, "qb:Observation",
                   ("qb:dataSet", "kg:statistics"),
                   ("skos:prefLabel", (text(label[0], "id"), text(label[1], "en"))),
                   ("kg:indicator", f"indicator:{indicator}"),
                   ("sdmx-dimension:refArea", region.place),
                   ("sdmx-dimension:refPeriod", period),
                   ("kg:periodBasis", basis),
                   ("sdmx-measure:obsValue", value),
                   ("sdmx-attribute:unitMeasure", f"uom:{unit}"),
                   ("kg:qualifier", f"qualifier:{qualifier}"),
                   ("kg:statedAs", text(stated, "id")),
                   *extra,
                   ("dct:source", graph.name))
        totals.observations += 1

    # -- the three articles ----------------------------------------------------------------

    def article_a(self, graph: GraphText, region: Region, year: int, day: datetime.date,
                  posts: dict[str, Post], figures: Figures, facility: Facility,
                  rng: random.Random, k: int, totals: Totals) -> None:
        """The agency's release of the figures of ``year``."""
        self.bodies(graph, region, section=True, statistics=True)
        head = self.holder(graph, region, posts["head-dinas"], day)
        self.holder(graph, region, posts["head-seksi"], day)
        period = graph.year(year)
        say = (("prov:wasAttributedTo", head), ("kg:dataProvider", region.body("bps")))
        where = (region.label_id, region.label_en)
        stem = f"obs:synth-{region.code}-{year}-a"
        self.observation(graph, region, f"{stem}-umkm-count", "umkm-count",
                         (f"Jumlah UMKM di {where[0]}, {year}", f"Number of MSMEs in {where[1]}, {year}"),
                         period, "basis:stated", str(figures.umkm), "business-unit", "exact",
                         f"{rupiah(figures.umkm)} unit usaha", totals,
                         ("kg:sizeClass", "size:umkm"), *say)
        self.observation(graph, region, f"{stem}-micro-enterprise-count", "micro-enterprise-count",
                         (f"Jumlah usaha mikro di {where[0]}, {year}",
                          f"Number of micro enterprises in {where[1]}, {year}"),
                         period, "basis:stated", str(figures.micro), "business-unit", "exact",
                         f"{rupiah(figures.micro)} usaha mikro", totals,
                         ("kg:sizeClass", "size:micro"), *say)
        self.observation(graph, region, f"{stem}-ikm-count", "ikm-count",
                         (f"Jumlah IKM di {where[0]}, {year}",
                          f"Number of small and medium industries in {where[1]}, {year}"),
                         period, "basis:stated", str(figures.ikm), "business-unit", "exact",
                         f"{rupiah(figures.ikm)} IKM", totals, ("kg:sizeClass", "size:ikm"), *say)
        self.observation(graph, region, f"{stem}-industry-sector-pad", "industry-sector-pad",
                         (f"PAD {where[0]} dari sektor industri, {year}",
                          f"Own-source revenue of {where[1]} from industry, {year}"),
                         period, "basis:stated", str(figures.pad), "IDR", "exact",
                         f"Rp {rupiah(figures.pad)}", totals, *say)
        self.observation(graph, region, f"{stem}-manufacturing-pdrb-share",
                         "manufacturing-pdrb-share",
                         (f"Kontribusi industri pengolahan terhadap PDRB {where[0]}, {year}",
                          f"Processing industry share of the GRDP of {where[1]}, {year}"),
                         period, "basis:stated", decimal(figures.pdrb_share), "percent", "exact",
                         f"{comma(figures.pdrb_share)} persen", totals,
                         ("kg:sector", "sector:processing-industry"), *say)
        for sector, share in figures.sector_shares:
            self.observation(graph, region, f"{stem}-umkm-sector-share-{sector}",
                             "umkm-sector-share",
                             (f"Pangsa sektor {SECTOR_NAMES[sector][0]} dalam jumlah UMKM "
                              f"{where[0]}, {year}",
                              f"Share of {SECTOR_NAMES[sector][1]} in the MSMEs of {where[1]}, "
                              f"{year}"),
                             period, "basis:stated", decimal(share), "percent", "exact",
                             f"{comma(share)} persen", totals, ("kg:sector", f"sector:{sector}"),
                             ("kg:sizeClass", "size:umkm"), *say)

    def article_b(self, graph: GraphText, region: Region, year: int, day: datetime.date,
                  posts: dict[str, Post], figures: Figures, facility: Facility,
                  rng: random.Random, k: int, totals: Totals) -> None:
        """A news report: re-reported counts (which may conflict), growth, a bound, the program."""
        self.bodies(graph, region, statistics=True)
        period = graph.year(year)
        where = (region.label_id, region.label_en)
        stem = f"obs:synth-{region.code}-{year}-b"
        say = (("prov:wasAttributedTo", region.body("bps")),)
        for offset, (indicator, size, value, noun) in enumerate((
                ("umkm-count", "umkm", figures.umkm, "unit usaha"),
                ("ikm-count", "ikm", figures.ikm, "IKM"))):
            totals.rereported += 1
            if self.conflicts(k + offset):
                totals.conflicts += 1
                delta = max(1, value * rng.randrange(200, 1500) // 10_000)
                value = value - delta if rng.random() < 0.5 and value > delta else value + delta
            label = (f"Jumlah {'UMKM' if size == 'umkm' else 'IKM'} di {where[0]}, {year} "
                     f"(menurut berita)",
                     f"Number of {'MSMEs' if size == 'umkm' else 'small and medium industries'} "
                     f"in {where[1]}, {year} (as reported)")
            self.observation(graph, region, f"{stem}-{indicator}", indicator, label, period,
                             "basis:stated", str(value), "business-unit", "exact",
                             f"{rupiah(value)} {noun}", totals, ("kg:sizeClass", f"size:{size}"),
                             *say)
        base = graph.year(year - 1)
        self.observation(graph, region, f"{stem}-umkm-growth-rate", "umkm-growth-rate",
                         (f"Pertumbuhan jumlah UMKM {where[0]}, {year} terhadap {year - 1}",
                          f"Growth in the number of MSMEs in {where[1]}, {year} over {year - 1}"),
                         period, "basis:stated", decimal(figures.growth), "percent", "approximate",
                         f"sekitar {comma(figures.growth)} persen", totals,
                         ("kg:basePeriod", base), ("kg:sizeClass", "size:umkm"), *say)
        bound = (figures.pdrb_share - 1) // 100 * 100  # "more than" a whole percent below it
        self.observation(graph, region, f"{stem}-manufacturing-pdrb-share",
                         "manufacturing-pdrb-share",
                         (f"Kontribusi industri pengolahan terhadap PDRB {where[0]}, per "
                          f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}",
                          f"Processing industry share of the GRDP of {where[1]}, as of "
                          f"{day.isoformat()}"),
                         graph.day(day), "basis:report-date", decimal(bound), "percent",
                         "lower-bound", f"lebih dari {bound // 100} persen", totals,
                         ("kg:sector", "sector:processing-industry"),
                         ("kg:dataProvider", region.body("bps")))
        graph.node(f"program:synth-{region.code}-umkm-training", "kg:SupportProgram",
                   ("skos:prefLabel", (text(f"Pelatihan dan pendampingan UMKM {where[0]}", "id"),
                                       text(f"MSME training and mentoring, {where[1]}", "en"))),
                   ("schema:provider", region.body("dinas")),
                   ("kg:instrument", ("instrument:training", "instrument:mentoring")),
                   ("kg:targetGroup", "size:umkm"),
                   ("kg:goal", text("meningkatkan kapasitas pelaku UMKM agar naik kelas", "id")),
                   ("kg:status", "status:ongoing"),
                   ("schema:areaServed", region.place),
                   ("dct:source", graph.name))

    def article_c(self, graph: GraphText, region: Region, year: int, day: datetime.date,
                  posts: dict[str, Post], figures: Figures, facility: Facility,
                  rng: random.Random, k: int, totals: Totals) -> None:
        """A speech at an event: IKM count as of the day, next year's target, a finding, the facility."""
        self.bodies(graph, region)
        post = posts["head-dinas" if region.province else "mayor"]
        speaker = self.holder(graph, region, post, day)
        where = (region.label_id, region.label_en)
        stem = f"obs:synth-{region.code}-{year}-c"
        self.observation(graph, region, f"{stem}-ikm-count", "ikm-count",
                         (f"Jumlah IKM di {where[0]}, per {day.day} {MONTHS_ID[day.month - 1]} "
                          f"{day.year}",
                          f"Number of small and medium industries in {where[1]}, as of "
                          f"{day.isoformat()}"),
                         graph.day(day), "basis:report-date", str(figures.ikm_midyear),
                         "business-unit", "exact", f"{rupiah(figures.ikm_midyear)} IKM", totals,
                         ("kg:sizeClass", "size:ikm"), ("prov:wasAttributedTo", speaker))
        self.observation(graph, region, f"{stem}-umkm-growth-target", "umkm-growth-target",
                         (f"Target pertumbuhan UMKM {where[0]}, {year + 1}",
                          f"MSME growth target of {where[1]}, {year + 1}"),
                         graph.year(year + 1), "basis:stated", decimal(figures.target),
                         "percent", "approximate", f"sekitar {comma(figures.target)} persen",
                         totals, ("kg:sizeClass", "size:umkm"), ("prov:wasAttributedTo", speaker))
        sector = figures.finding_sector
        graph.node(f"finding:synth-{region.code}-{year}-c-{sector}-growing", "kg:SectorFinding",
                   ("skos:prefLabel", (text(f"Sektor {SECTOR_NAMES[sector][0]} di {where[0]} "
                                            "tumbuh", "id"),
                                       text(f"The {SECTOR_NAMES[sector][1]} sector of {where[1]} "
                                            "is growing", "en"))),
                   ("kg:sector", f"sector:{sector}"), ("kg:assessment", "assessment:growing"),
                   ("sdmx-dimension:refArea", region.place),
                   ("kg:indicator", "indicator:umkm-count"),
                   ("prov:wasAttributedTo", speaker), ("dct:source", graph.name))
        organizer = region.body("dinas" if region.province else "pemkot")
        graph.node(f"event:synth-{region.code}-{year}-c", "schema:Event",
                   ("skos:prefLabel", (text(f"Pemaparan perkembangan UMKM {where[0]} {year}", "id"),
                                       text(f"Presentation on the MSMEs of {where[1]}, {year}",
                                            "en"))),
                   ("kg:eventType", "eventtype:presentation"),
                   ("schema:startDate", typed(day.isoformat(), "date")),
                   ("schema:location", region.place), ("schema:organizer", organizer),
                   ("kg:speaker", speaker), ("kg:sector", f"sector:{sector}"),
                   ("dct:source", graph.name))
        if year >= facility.built:
            facility.describe(graph, region, year)


@dataclass(frozen=True)
class Figures:
    """The true figures of one region and year (hundredths where a value is a decimal)."""

    umkm: int
    micro: int
    ikm: int
    ikm_midyear: int
    pad: int
    pdrb_share: int
    growth: int
    target: int
    sector_shares: tuple[tuple[str, int], ...]
    finding_sector: str

    @classmethod
    def draw(cls, rng: random.Random, umkm: int, previous: int) -> Figures:
        ikm = max(1, umkm * rng.randrange(100, 300) // 10_000)
        return cls(
            umkm=umkm,
            micro=umkm * rng.randrange(8_500, 9_200) // 10_000,
            ikm=ikm,
            ikm_midyear=max(1, ikm - rng.randrange(0, 1 + ikm // 20)),
            pad=rng.randrange(50, 2_000) * 1_000_000,
            pdrb_share=rng.randrange(500, 6_000),
            growth=round(10_000 * (umkm - previous) / previous),
            target=rng.randrange(300, 1_500),
            sector_shares=tuple((name, rng.randrange(low * 100, high * 100))
                                for name, low, high in SECTOR_SHARES),
            finding_sector=rng.choice(FINDING_SECTORS))


@dataclass(frozen=True)
class Facility:
    """A region's cold storage: its sections add up to its capacity."""

    iri: str
    built: int
    operational: int
    chilled: int
    frozen: int

    @classmethod
    def draw(cls, region: Region, rng: random.Random, first_year: int) -> Facility:
        built = first_year - 3 + rng.randrange(6)
        return cls(iri=f"facility:synth-{region.code}-cold-storage", built=built,
                   operational=built + rng.randrange(3), chilled=10 * rng.randrange(2, 12),
                   frozen=10 * rng.randrange(1, 6))

    def describe(self, graph: GraphText, region: Region, year: int) -> None:
        total = self.chilled + self.frozen
        stem = graph.name.split(":", 1)[1]  # each source states its own capacities
        parts = []
        for mode, amount, mode_id in (("chilled", self.chilled, "pendingin"),
                                      ("frozen", self.frozen, "pembekuan")):
            part = f"{self.iri}--{mode}"
            parts.append(part)
            graph.node(part, "kg:StorageSection",
                       ("skos:prefLabel", (text(f"Bagian {mode_id} cold storage "
                                                f"{region.label_id}", "id"),
                                           text(f"{mode.capitalize()} section of the "
                                                f"{region.label_en} cold storage", "en"))),
                       ("kg:storageMode", f"storage:{mode}"),
                       ("kg:storageCapacity", f"{part}--capacity--{stem}"),
                       ("dct:isPartOf", self.iri))
            graph.node(f"{part}--capacity--{stem}", "schema:QuantitativeValue",
                       ("skos:prefLabel", text(f"Kapasitas {mode_id} cold storage "
                                               f"{region.label_id}: {amount} ton", "id")),
                       ("schema:value", str(amount)), ("schema:unitCode", "uom:tonne"),
                       ("dct:source", graph.name))
        graph.node(self.iri, "kg:ColdStorage",
                   ("skos:prefLabel", (text(f"Cold storage {region.label_id}", "id"),
                                       text(f"{region.label_en} cold storage", "en"))),
                   ("schema:containedInPlace", region.place),
                   ("kg:builtBy", region.body("dinas")), ("kg:operatedBy", region.body("dinas")),
                   ("kg:yearBuilt", typed(str(self.built), "gYear")),
                   ("kg:yearOperational", typed(str(self.operational), "gYear")
                    if self.operational <= year else ()),
                   ("kg:storageCapacity", f"{self.iri}--capacity--{stem}"),
                   ("dct:hasPart", tuple(parts)))
        graph.node(f"{self.iri}--capacity--{stem}", "schema:QuantitativeValue",
                   ("skos:prefLabel", text(f"Kapasitas cold storage {region.label_id}: "
                                           f"{total} ton", "id")),
                   ("schema:value", str(total)), ("schema:unitCode", "uom:tonne"),
                   ("dct:source", graph.name))


__all__ = ["SynthSummary", "synthesize", "CONFLICT_RATE", "LAST_YEAR"]
