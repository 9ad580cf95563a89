"""A short account of what the graph holds: sources, statements, entities per class."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from .load import KnowledgeGraph
from .namespaces import KG, SCHEMA


def describe(graph: KnowledgeGraph) -> str:
    """Triples per source graph (with publisher and stated date) and entities per class."""
    dataset = graph.dataset
    manager = dataset.namespace_manager
    lines = [f"{len(graph)} statements in {len(graph.source_graphs())} source graphs"]
    for name in graph.source_graphs():
        g = dataset.graph(name)
        publisher = g.value(name, SCHEMA.publisher)
        who = (label_of(g, publisher) if publisher else None) or "publisher unknown"
        date = g.value(name, KG.statedDate)
        lines.append(f"  {manager.normalizeUri(name):<32} {len(g):>5} triples  {who}, {date or 'no date'}")
    classes: Counter[URIRef] = Counter()
    for entity, cls in {(s, o) for s, _, o, _ in dataset.quads((None, RDF.type, None, None))}:
        classes[URIRef(str(cls))] += 1
    lines.append(f"{len({s for s, _, _, _ in dataset.quads((None, RDF.type, None, None))})} "
                 "typed entities, by class:")
    for cls, count in sorted(classes.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        lines.append(f"  {manager.normalizeUri(cls):<40} {count:>4}")
    return "\n".join(lines) + "\n"


def label_of(data: Graph, node: Node | None) -> str | None:
    """The node's Indonesian (else English, else any) preferred label."""
    if node is None:
        return None
    labels = {lit.language: str(lit) for lit in data.objects(node, SKOS.prefLabel)
              if isinstance(lit, Literal)}
    for lang in ("id", "en", None):
        if lang in labels:
            return labels[lang]
    return next(iter(labels.values()), None)
