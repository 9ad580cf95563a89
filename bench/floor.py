"""The floor of ``kg query`` on the shipped graph: what any process must do for that answer.

    python bench/floor.py QUERY_TEXT

Loads ``data/`` and ``ontology/`` into an in-memory pyoxigraph store (the data's
named graphs, the ontology into the default graph) and runs the query given,
bound and with its prefixes declared; prints the number of rows. Imports
nothing of kg: ``bench/run.py`` times it beside ``kg query`` (start-up included).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]

store = ox.Store()
for path in sorted((ROOT / "data").glob("*.trig")):
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
for path in sorted((ROOT / "ontology").glob("*.ttl")):
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
rows = store.query(sys.argv[1], use_default_graph_as_union=True)
print(sum(1 for _ in rows))  # type: ignore[attr-defined]
