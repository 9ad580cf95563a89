"""The fast SHACL engine: shapes compiled to SPARQL, run by pyoxigraph on the data's store.

It validates the default graph of a :class:`pyoxigraph.Store` against a
shapes graph, all of SHACL Core and SHACL-SPARQL, without rdflib:

- :mod:`.shapes` reads the shapes graph into shapes, paths and constraints
  (:class:`Shapes`, the public handle on a shapes graph);
- :mod:`.compile` turns value tests into SPARQL expressions and focus nodes
  into graph patterns;
- :mod:`.sparql` handles the text of SHACL-SPARQL queries (pre-binding rules,
  substitutions, message templates);
- :mod:`.engine` runs a shape's checks over all its focus nodes in a few
  queries and turns the rows into results (:class:`Engine`).

What it cannot run (SHACL-AF targets and rules, JavaScript, ``$shapesGraph``)
it hands back per shape; :func:`kg.validate.validate` runs those with pySHACL,
the reference implementation, and says so in the report's warnings. The W3C
SHACL test suite is its first test (``tests/test_shacl_w3c.py``).
"""

from __future__ import annotations

from .engine import Engine, Outcome, Unsupported
from .shapes import Shape, Shapes

__all__ = ["Engine", "Outcome", "Shape", "Shapes", "Unsupported"]
