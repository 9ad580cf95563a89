"""The Markdown of a benchmark run (``bench/run.py``): a table per size, the CLI, the targets.

Seconds are medians, written with 3 significant digits; a capped figure is
"> CAP" (it did not finish in CAP seconds) and a ratio involving it a bound
(">= R", "<= R"). Peak memory is the largest peak resident memory of a
figure's processes, in MB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from run import Figure

ENGINES = ("kg", "pyoxigraph", "rdflib")
#: The targets of the issue (bench/run.py measures them side by side).
PYOX_RATIO, RDFLIB_RATIO, PYSHACL_RATIO, MEMORY_RATIO = 1.2, 10.0, 5.0, 1.5
ADD_SECONDS, STARTUP_SECONDS, RUNTIME_MINUTES = 0.4, 0.5, 20.0
#: "One engine for one graph": kg query within 4x the floor process; kg validate of the
#: shipped data; kg validate of ~100k statements within 8x plain pyoxigraph's in-memory
#: load; of a million, within 15 s and 1.5 GB.
FLOOR_RATIO, VALIDATE_SHIPPED_SECONDS, VALIDATE_RATIO = 4.0, 0.2, 8.0
VALIDATE_LARGE_SECONDS, VALIDATE_LARGE_MB = 15.0, 1500.0
QUERY_LABEL = "kg query post-holder-on-date -p post=post:head-dkumkmp-balikpapan -p on=2023-01-01"
FLOOR_LABEL = ("floor: a process that loads data/ and the ontology into pyoxigraph and runs "
               "that query")


def seconds(value: float | None) -> str:
    """3 significant digits, no exponent (also for ratios)."""
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


times = seconds


def shown(figure: Figure | None) -> str:
    """A figure's median seconds as a table cell."""
    if figure is None:
        return "–"
    if not figure.ok:
        return figure.note if not figure.runs else "error"
    if figure.capped:
        return f"> {seconds(figure.bound_s)}" + (" (memory)" if figure.stopped_by_memory else "")
    return seconds(figure.median_s)


def ratio(top: Figure | None, bottom: Figure | None) -> tuple[float | None, str]:
    """``top / bottom`` of two figures' medians, and the cell: a bound when one is capped."""
    if top is None or bottom is None or not top.ok or not bottom.ok:
        return None, "–"
    if top.capped and bottom.capped:
        return None, "?"
    if top.capped:
        assert top.bound_s is not None and bottom.median_s
        value = top.bound_s / bottom.median_s
        return value, f">= {times(value)}"
    if bottom.capped:
        assert bottom.bound_s is not None and top.median_s is not None
        value = top.median_s / bottom.bound_s
        return value, f"<= {times(value)}"
    assert top.median_s is not None and bottom.median_s
    value = top.median_s / bottom.median_s
    return value, times(value)


def peak(figure: Figure | None) -> str:
    return "–" if figure is None or figure.peak_mb is None else f"{figure.peak_mb:.0f}"


class Results:
    """The figures of a run, looked up by size, figure and engine."""

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures

    def get(self, size: str, figure: str, engine: str) -> Figure | None:
        for f in self.figures:
            if (f.size, f.figure, f.engine) == (size, figure, engine):
                return f
        return None

    def names(self, size: str, prefix: str) -> list[str]:
        """The figures of a size that start with ``prefix`` (``query:``), in measured order."""
        seen: list[str] = []
        for f in self.figures:
            if f.size == size and f.figure.startswith(prefix) and f.figure not in seen:
                seen.append(f.figure)
        return seen


# --------------------------------------------------------------------------- tables

def size_table(results: Results, size: str) -> list[str]:
    """One size, every engine: figure | kg | pyoxigraph | rdflib | ratios | rows | peaks."""
    lines = ["| figure | kg (s) | plain pyoxigraph (s) | plain rdflib (s) | kg / pyoxigraph | "
             "rdflib / kg | rows kg / pyox / rdflib | peak MB kg / pyox / rdflib |",
             "|---|--:|--:|--:|--:|--:|--:|--:|"]
    rows: list[tuple[str, str, str | None]] = [("load", "load", "quads")]
    rows += [(name, name.removeprefix("query:"), "rows") for name in results.names(size, "query:")]
    rows += [("export:turtle", "export Turtle", None), ("export:jsonld", "export JSON-LD", None),
             ("export:jsonld-expanded", "export JSON-LD --expanded", None)]
    for figure, label, count in rows:
        kg, ox, rd = (results.get(size, figure, e) for e in ENGINES)
        counts = " / ".join("–" if f is None or f.value(count) is None else str(f.value(count))
                            for f in (kg, ox, rd)) if count else ""
        lines.append(f"| {label} | {shown(kg)} | {shown(ox)} | {shown(rd)} | {ratio(kg, ox)[1]} "
                     f"| {ratio(rd, kg)[1]} | {counts} | {peak(kg)} / {peak(ox)} / {peak(rd)} |")
    lines += end_to_end_rows(results, size, columns=8)
    per_file = results.get(size, "load", "pyoxigraph-per-file")
    if per_file is not None:
        kg = results.get(size, "load", "kg")
        lines.append(f"| load, plain pyoxigraph one `bulk_load` per file | | {shown(per_file)} | "
                     f"| {ratio(kg, per_file)[1]} | | | – / {peak(per_file)} / – |")
    kg, pyshacl = results.get(size, "validate", "kg"), results.get(size, "validate", "pyshacl")
    if kg is not None:
        lines.append(f"| full validation as `kg validate FILE...` runs it (rdflib column: "
                     f"pySHACL on kg's graph) | {shown(kg)} | | {shown(pyshacl)} | | "
                     f"{ratio(pyshacl, kg)[1]} | {verdict(kg)} / – / {verdict(pyshacl)} | "
                     f"{peak(kg)} / – / {peak(pyshacl)} |")
        parts = (f"read {seconds(kg.value('load_seconds'))} + validate "
                 f"{seconds(kg.value('validate_seconds'))}")
        lines.append(f"| … of which kg | {parts} | | | | | | |")
    trusted = results.get(size, "validate", "kg-shapes")
    if trusted is not None:
        lines.append(f"| validation as `kg validate --shapes SHAPES FILE...` runs it (the files "
                     f"read as trusted) | {shown(trusted)} | | | | | {verdict(trusted)} | "
                     f"{peak(trusted)} / – / – |")
    add = results.get(size, "add", "kg")
    if add is not None:
        lines.append(f"| `kg add --store` of 10 observations, end to end | {shown(add)} | | | | "
                     f"| | {peak(add)} / – / – |")
    return lines


def end_to_end_rows(results: Results, size: str, *, columns: int) -> list[str]:
    """kg's load process and the ``kg query --store`` commands: start-up included."""
    rows = []
    load = results.get(size, "load", "kg")
    if load is not None and load.median_wall_s is not None:
        rows.append(("load, the whole process (as `kg load` end to end)",
                     seconds(load.median_wall_s), peak(load)))
    for name in results.names(size, "kg query "):
        figure = results.get(size, name, "kg")
        rows.append((f"`{name}`, end to end", shown(figure), peak(figure)))
    empty = " |" * (columns - 3)
    return [f"| {label} | {value} |{empty} {memory} |" for label, value, memory in rows]


def kg_table(results: Results, size: str) -> list[str]:
    """A size measured on kg alone (one run per figure)."""
    lines = ["| figure | kg (s) | rows | peak MB |", "|---|--:|--:|--:|"]
    for figure in ["load", *results.names(size, "query:"), "add"]:
        kg = results.get(size, figure, "kg")
        if kg is None:
            continue
        count = kg.value("quads" if figure == "load" else "rows")
        lines.append(f"| {figure.removeprefix('query:')} | {shown(kg)} | "
                     f"{'' if count is None else count} | {peak(kg)} |")
    return lines + end_to_end_rows(results, size, columns=4)


def cli_table(results: Results) -> list[str]:
    lines = ["| command | median (s) | runs (s) | peak MB | note |", "|---|--:|---|--:|---|"]
    for f in results.figures:
        if f.size == "cli":
            runs = ", ".join(seconds(r.wall_s) for r in f.runs)
            lines.append(f"| `{f.figure}` | {shown(f)} | {runs} | {peak(f)} | {f.note} |")
    return lines


def verdict(figure: Figure | None) -> str:
    """``conforms`` or ``fails``, with results per severity (V/W/I)."""
    if figure is None or figure.value("counts") is None:
        return "–"
    counts = figure.value("counts")
    said = "conforms" if figure.value("conforms") else "fails"
    return f"{said} {counts['Violation']}/{counts['Warning']}/{counts['Info']}"


# --------------------------------------------------------------------------- targets

def target_size(results: Results, sizes: list[str]) -> str:
    """1M if it was run with baselines, else the largest size that was."""
    with_baselines = [s for s in sizes if results.get(s, "load", "pyoxigraph") is not None]
    if "1M" in with_baselines:
        return "1M"
    return with_baselines[-1] if with_baselines else sizes[-1]


def met(value: float | None, limit: float, *, at_most: bool) -> str:
    if value is None:
        return "not measured"
    return "met" if (value <= limit if at_most else value >= limit) else "**not met**"


def targets(results: Results, sizes: list[str], about: dict[str, Any]) -> list[str]:
    size = target_size(results, sizes)
    rows: list[tuple[str, str, str]] = []

    def pair(figure: str, label: str) -> None:
        kg, ox, rd = (results.get(size, figure, e) for e in ENGINES)
        value, cell = ratio(kg, ox)
        rows.append((f"{label} at {size}: kg within {PYOX_RATIO}x of plain pyoxigraph",
                     f"{shown(kg)} s vs {shown(ox)} s: {cell}x",
                     met(value, PYOX_RATIO, at_most=True) if cell[0] != ">" else "**not met**"))
        value, cell = ratio(rd, kg)
        rows.append((f"{label} at {size}: kg at least {RDFLIB_RATIO:g}x faster than plain rdflib",
                     f"{shown(rd)} s vs {shown(kg)} s: {cell}x",
                     met(value, RDFLIB_RATIO, at_most=False) if cell[0] != "<" else
                     "**not met**"))

    pair("load", "load")
    rows += query_targets(results, size)
    pair("export:turtle", "export Turtle")
    pair("export:jsonld", "export JSON-LD")

    kg, pyshacl = results.get(size, "validate", "kg"), results.get(size, "validate", "pyshacl")
    value, cell = ratio(pyshacl, kg)
    rows.append((f"full validation at {size}: at least {PYSHACL_RATIO:g}x faster than pySHACL",
                 f"{shown(pyshacl)} s vs {shown(kg)} s: {cell}x",
                 met(value, PYSHACL_RATIO, at_most=False)))
    rows.append(verdict_target(results, sizes))

    rows += engine_targets(results, sizes, size)
    add = results.get(size, "add", "kg")
    rows.append((f"`kg add` of 10 entities on a {size} store: under {ADD_SECONDS:g} s end to end",
                 f"{shown(add)} s" if add is not None and add.ok else
                 (add.note if add is not None else "not run"),
                 met(add.median_s if add is not None and add.ok else None, ADD_SECONDS,
                     at_most=True)))
    start = results.get("cli", "kg queries", "kg")
    rows.append((f"`kg queries` start-up: under {STARTUP_SECONDS:g} s", f"{shown(start)} s",
                 met(start.median_s if start is not None else None, STARTUP_SECONDS,
                     at_most=True)))
    rows += memory_targets(results, size)
    minutes = about["total_s"] / 60
    rows.append((f"the whole benchmark under {RUNTIME_MINUTES:g} minutes",
                 f"{minutes:.1f} min ({', '.join(sizes)})",
                 met(minutes, RUNTIME_MINUTES, at_most=True)))
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return lines


def engine_targets(results: Results, sizes: list[str], size: str) -> list[tuple[str, str, str]]:
    """The targets of "One engine for one graph" (see the constants above)."""
    rows = []
    query, floor = results.get("cli", QUERY_LABEL, "kg"), results.get("cli", FLOOR_LABEL, "kg")
    value, cell = ratio(query, floor)
    rows.append((f"`kg query` on the shipped graph end to end: at most {FLOOR_RATIO:g}x the "
                 "floor process", f"{shown(query)} s vs {shown(floor)} s: {cell}x",
                 met(value, FLOOR_RATIO, at_most=True)))
    check = results.get("cli", "kg validate", "kg")
    rows.append((f"`kg validate` on the shipped data: at most {VALIDATE_SHIPPED_SECONDS:g} s",
                 f"{shown(check)} s", met(check.median_s if check is not None else None,
                                          VALIDATE_SHIPPED_SECONDS, at_most=True)))
    small = sizes[0]
    kg, base = results.get(small, "validate", "kg"), results.get(small, "validate", "pyoxigraph")
    value, cell = ratio(kg, base)
    rows.append((f"`kg validate` of the {small} files: at most {VALIDATE_RATIO:g}x plain "
                 "pyoxigraph's in-memory load", f"{shown(kg)} s vs {shown(base)} s: {cell}x",
                 met(value, VALIDATE_RATIO, at_most=True)))
    kg = results.get(size, "validate", "kg")
    seconds_ok = met(kg.median_s if kg is not None else None, VALIDATE_LARGE_SECONDS,
                     at_most=True)
    memory_ok = met(kg.peak_mb if kg is not None else None, VALIDATE_LARGE_MB, at_most=True)
    rows.append((f"`kg validate` of the {size} files: at most {VALIDATE_LARGE_SECONDS:g} s and "
                 f"{VALIDATE_LARGE_MB:g} MB peak", f"{shown(kg)} s, {peak(kg)} MB",
                 "met" if seconds_ok == memory_ok == "met" else "**not met**"))
    # kg before wrote JSON-LD as pyoxigraph expands it: what kg export --expanded writes now
    figures = {"load": "load", **{q: q for q in results.names(size, "query:")},
               "export:turtle": "export:turtle", "export:jsonld-expanded": "export:jsonld"}
    pairs = [(f, results.get(size, f, "kg"), results.get(size, then, "kg-before"))
             for f, then in figures.items()]
    measured = [(f, kg, before) for f, kg, before in pairs if before is not None]
    if measured:  # kg as it was (bench/run.py --before REV), in this run
        slower = []
        for figure, kg, before in measured:
            value, cell = ratio(kg, before)
            # a figure of a few milliseconds moves by its noise: within 1 ms is not slower
            if value is None or (value > 1.0 and not (kg and before and kg.median_s is not None
                                 and before.median_s is not None
                                 and kg.median_s - before.median_s < 0.001)):
                slower.append(f"{figure.removeprefix('query:')} {shown(kg)} s vs "
                              f"{shown(before)} s ({cell}x)")
        rows.append((f"load, saved queries and exports at {size}: no figure slower than kg "
                     f"before ({measured[0][2].note or 'kg-before'}, in this run)",
                     f"{len(measured) - len(slower)} of {len(measured)} as fast or faster"
                     + (f"; slower: {', '.join(slower)}" if slower else ""),
                     "met" if not slower else "**not met**"))
    return rows


def query_targets(results: Results, size: str) -> list[tuple[str, str, str]]:
    """Every saved query within 1.2x of plain pyoxigraph; 10x faster than rdflib."""
    names = results.names(size, "query:")
    within, faster, slow_ox, slow_rd = 0, 0, [], []
    for name in names:
        kg, ox, rd = (results.get(size, name, e) for e in ENGINES)
        short = name.removeprefix("query:")
        if kg is not None and kg.capped:
            slow_ox.append(f"{short} (kg {shown(kg)} s)")
            slow_rd.append(f"{short} (kg {shown(kg)} s)")
            continue
        value, cell = ratio(kg, ox)
        if value is not None and value <= PYOX_RATIO and cell[0] != ">":
            within += 1
        else:
            slow_ox.append(f"{short} {cell}x")
        value, cell = ratio(rd, kg)
        if value is not None and value >= RDFLIB_RATIO and cell[0] != "<":
            faster += 1
        else:
            slow_rd.append(f"{short} {cell}x")
    total = totals(results, size, names)
    return [
        (f"saved queries at {size}: kg within {PYOX_RATIO}x of plain pyoxigraph (each)",
         f"{within} of {len(names)}; {total}" + (f"; over: {', '.join(slow_ox)}" if slow_ox
                                                  else ""),
         "met" if names and within == len(names) else "**not met**"),
        (f"saved queries at {size}: kg at least {RDFLIB_RATIO:g}x faster than plain rdflib (each)",
         f"{faster} of {len(names)}" + (f"; not shown: {', '.join(slow_rd)}" if slow_rd else ""),
         "met" if names and faster == len(names) else "**not met**"),
    ]


def totals(results: Results, size: str, names: list[str]) -> str:
    """The summed medians of the queries both kg and plain pyoxigraph finished."""
    kg_sum = ox_sum = 0.0
    for name in names:
        kg, ox = results.get(size, name, "kg"), results.get(size, name, "pyoxigraph")
        if kg and ox and kg.median_s is not None and ox.median_s is not None:
            kg_sum += kg.median_s
            ox_sum += ox.median_s
    ratio_text = f" ({kg_sum / ox_sum:.3g}x)" if ox_sum else ""
    return f"sum of the finished ones {seconds(kg_sum)} s vs {seconds(ox_sum)} s{ratio_text}"


def verdict_target(results: Results, sizes: list[str]) -> tuple[str, str, str]:
    """kg's and pySHACL's verdicts identical wherever pySHACL finished."""
    checked, differ, capped = [], [], []
    for size in sizes:
        kg, pyshacl = results.get(size, "validate", "kg"), results.get(size, "validate", "pyshacl")
        if kg is None or pyshacl is None:
            continue
        if pyshacl.capped or kg.capped:
            capped.append(size)
            continue
        checked.append(size)
        if (kg.value("conforms"), kg.value("counts")) != (pyshacl.value("conforms"),
                                                          pyshacl.value("counts")):
            differ.append(f"{size}: kg {verdict(kg)}, pySHACL {verdict(pyshacl)}")
    said = f"checked at {', '.join(checked) or 'no size'}"
    if capped:
        said += f"; not checked at {', '.join(capped)} (pySHACL capped)"
    if differ:
        said += "; differ: " + "; ".join(differ)
    return ("full validation: identical verdicts (conforms, results per severity)", said,
            "not measured" if not checked else ("**not met**" if differ else "met"))


def memory_targets(results: Results, size: str) -> list[tuple[str, str, str]]:
    """Peak memory of kg at most 1.5x plain pyoxigraph's: load, each query, the exports."""
    rows = []
    for figure, label in (("load", "load"), ("export:turtle", "export Turtle"),
                          ("export:jsonld", "export JSON-LD")):
        kg, ox = results.get(size, figure, "kg"), results.get(size, figure, "pyoxigraph")
        value = kg.peak_mb / ox.peak_mb if kg and ox and kg.peak_mb and ox.peak_mb else None
        measured = (f"{peak(kg)} MB vs {peak(ox)} MB: {value:.3g}x" if value is not None
                    else "not measured")
        if value is not None and kg and ox and kg.peak_mb and ox.peak_mb:
            measured += f" ({kg.peak_mb - ox.peak_mb:+.0f} MB)"
        rows.append((f"peak memory at {size}, {label}: at most {MEMORY_RATIO}x plain pyoxigraph's",
                     measured, met(value, MEMORY_RATIO, at_most=True)))
    peaks = []  # kg's and pyoxigraph's, of the queries both finished (a stopped run
    for name in results.names(size, "query:"):  # stops at an arbitrary size)
        kg, ox = results.get(size, name, "kg"), results.get(size, name, "pyoxigraph")
        if kg and ox and kg.median_s is not None and ox.median_s is not None \
                and kg.peak_mb and ox.peak_mb:
            peaks.append((name.removeprefix("query:"), kg.peak_mb, ox.peak_mb))
    worst: float | None = None
    measured = "not measured"
    if peaks:
        name, kg_mb, ox_mb = max(peaks, key=lambda p: p[1] / p[2])
        big, big_kg, big_ox = max(peaks, key=lambda p: p[1])
        worst = kg_mb / ox_mb
        measured = (f"worst {name}: {kg_mb:.0f} MB vs {ox_mb:.0f} MB, {worst:.3g}x "
                    f"({kg_mb - ox_mb:+.0f} MB); largest kg peak {big}: {big_kg:.0f} MB vs "
                    f"{big_ox:.0f} MB, {big_kg / big_ox:.3g}x ({len(peaks)} queries both "
                    "finished)")
    rows.append((f"peak memory at {size}, each saved query: at most {MEMORY_RATIO}x plain "
                 "pyoxigraph's", measured, met(worst, MEMORY_RATIO, at_most=True)))
    return rows


def time_table(results: Results, sizes: list[str], *, top: int = 12) -> list[str]:
    """What the benchmark spent its time on: each size, and the costliest figures."""
    groups = ["cli", *sizes]
    spent = {g: sum(f.spent_s for f in results.figures if f.size == g) for g in groups}
    lines = ["| part | minutes |", "|---|--:|"]
    lines += [f"| {g} | {spent[g] / 60:.1f} |" for g in groups if spent[g]]
    costly = sorted(results.figures, key=lambda f: -f.spent_s)[:top]
    lines += ["", "| costliest figures | engine | minutes | runs |", "|---|---|--:|--:|"]
    lines += [f"| {f.size} {f.figure} | {f.engine} | {f.spent_s / 60:.1f} | {len(f.runs)} |"
              for f in costly]
    return lines


# --------------------------------------------------------------------------- the document

def markdown(figures: list[Figure], about: dict[str, Any], sizes: list[str]) -> str:
    results = Results(figures)
    load = about["load_average"]
    lines = [f"# kg benchmark, {about['finished_utc']}", "",
             f"`{about['command']}`: {about['total_s'] / 60:.1f} min on {about['cpus']} CPUs "
             f"({about['platform']}); load average {load[0]:.2f} at the start, "
             f"{about['load_average_end'][0]:.2f} at the end (other processes share the "
             "machine: wall-clock figures include their noise). Python "
             f"{about['python']}, pyoxigraph {about['pyoxigraph']}, rdflib {about['rdflib']}, "
             f"pySHACL {about['pyshacl']}; commit {about['git_head'][:12]}"
             + (f" with {len(about['git_changes'])} changed file(s) in src/ queries/ shapes/ "
                "ontology/" if about["git_changes"] else "") + ".", "",
             "Seconds: the median of the runs (each its own process), the operation alone "
             "(start-up not included) unless the row says end to end; \"> X\": stopped after "
             "X s; a ratio with \">=\" or \"<=\" is a bound. Rows: the answer's size per engine "
             "(plain pyoxigraph's union default graph repeats a triple once per source "
             "stating it). rdflib's queries and exports at each size share one process that "
             "loaded the files once (one run each); pySHACL runs once. \"–\": not run (a "
             "baseline is not run where kg did not finish). Peak memory: the largest of the "
             f"runs' peak resident memory (at least {about['driver_mb']:.0f} MB, the size of "
             "the driver that starts the processes).", ""]
    loads = [r.load_average for f in figures for r in f.runs if r.load_average]
    if loads:
        lines += [f"Load average (1 min) when the runs ended: {min(loads):.2f} to "
                  f"{max(loads):.2f}, median {sorted(loads)[len(loads) // 2]:.2f}.", ""]
    if about.get("changed_during_run"):
        lines += [f"**Warning**: the code or queries changed while the benchmark ran "
                  f"({', '.join(about['changed_during_run'])}): figures of different sizes "
                  "may come from different versions (the JSON keeps each size's query texts).",
                  ""]
    if any(results.get(s, "load", "pyoxigraph") for s in sizes):
        lines += ["## Targets", "", *targets(results, sizes, about), ""]
    else:
        lines += ["The targets compare kg with the baselines: run a size that has them "
                  "(100k, 1M) to check them.", ""]
    for size in sizes:
        with_baselines = results.get(size, "load", "pyoxigraph") is not None
        quads = results.get(size, "load", "kg")
        count = quads.value("quads") if quads is not None else None
        title = f"## {size}" + (f" ({count:,} statements)" if count else "")
        lines += [title, ""]
        if with_baselines:
            lines += size_table(results, size)
        else:
            lines += ["kg alone, one run per figure.", "", *kg_table(results, size)]
        notes = sorted({f"{f.figure if f.figure.startswith('kg ') else f.engine + ' ' + f.figure}"
                        f": {f.note}" for f in figures
                        if f.size == size and f.note and f.engine != "rdflib"})
        if notes:
            lines += ["", *[f"- {n}" for n in notes]]
        lines.append("")
    if any(f.size == "cli" for f in figures):
        lines += ["## CLI start-up (end to end, whole process)", "", *cli_table(results), ""]
    lines += ["## Where the time went", "", *time_table(results, sizes), ""]
    return "\n".join(lines)
