"""The dashboard's pictures as geometry for its SVG templates: bars, a curve, a graph's layout.

Only coordinates are computed here; the templates draw them (with presentation attributes, not
inline styles, which the Content-Security-Policy forbids) and escape every label.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from vestige_client.models import Neighbor, RetentionPoint

WIDTH = 600  # the viewBox of a chart; it scales to the page
HEIGHT = 160
MARGIN = 34
GRAPH_SIZE = 640
LABEL_CHARS = 24


@dataclass(frozen=True)
class Bar:
    """One bar: its box, its label under it and the value it stands for."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Curve:
    """A polyline with its axis ticks."""

    points: str
    ticks: list[tuple[float, str]]  # x, label
    levels: list[tuple[float, str]]  # y, label


@dataclass(frozen=True)
class Node:
    """A memory drawn in the graph."""

    id: uuid.UUID
    x: float
    y: float
    r: float
    label: str
    title: str
    hops: int
    activation: float


@dataclass(frozen=True)
class Link:
    """A line between two drawn memories."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Graph:
    """The layout of a neighbourhood: the start in the middle, each hop on a ring further out."""

    size: int
    nodes: list[Node]
    links: list[Link]


def bars(values: Sequence[tuple[str, float]]) -> list[Bar]:
    """Bars for (label, value) pairs, scaled to the largest value."""
    if not values:
        return []
    top = max(max(v for _, v in values), 1e-9)
    slot = (WIDTH - 2 * MARGIN) / len(values)
    inner = HEIGHT - 2 * MARGIN
    result = []
    for i, (label, value) in enumerate(values):
        height = inner * value / top
        shown = f"{value:g}" if isinstance(value, int) or value == int(value) else f"{value:.2f}"
        result.append(
            Bar(MARGIN + i * slot + slot * 0.1, HEIGHT - MARGIN - height, slot * 0.8, height, label, shown)
        )
    return result


def retention_curve(points: Sequence[RetentionPoint]) -> Curve:
    """The retention (0 to 1) over the days from now, as a polyline with ticks every week or so."""
    if not points:
        return Curve("", [], [])
    last = max(points[-1].day, 1)
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def x(day: int) -> float:
        return MARGIN + inner_w * day / last

    def y(value: float) -> float:
        return HEIGHT - MARGIN - inner_h * min(max(value, 0.0), 1.0)

    line = " ".join(f"{x(p.day):.1f},{y(p.retention):.1f}" for p in points)
    step = max(1, math.ceil(last / 6))
    ticks = [(x(d), "today" if d == 0 else f"+{d} d") for d in range(0, last + 1, step)]
    levels = [(y(v), f"{v:.1f}") for v in (0.0, 0.5, 1.0)]
    return Curve(line, ticks, levels)


def neighbourhood(start: uuid.UUID, start_label: str, neighbors: Sequence[Neighbor]) -> Graph:
    """The start in the middle, the memories of each hop evenly on a ring; a link per path's last step."""
    centre = GRAPH_SIZE / 2
    deepest = max((n.hops for n in neighbors), default=1)
    ring = (GRAPH_SIZE / 2 - 90) / max(deepest, 1)  # the outermost ring leaves room for its labels
    nodes = {start: Node(start, centre, centre, 18, short(start_label), start_label, 0, 1.0)}
    angle_of: dict[uuid.UUID, float] = {start: 0.0}
    for hops in (1, 2, 3):
        on_ring = [n for n in neighbors if n.hops == hops and len(n.path) >= 2]
        # near their parent: ordered by the parent's angle, then by activation
        on_ring.sort(key=lambda n: (angle_of.get(n.path[-2], 0.0), -n.activation, str(n.id)))
        for i, n in enumerate(on_ring):
            angle = 2 * math.pi * i / max(len(on_ring), 1) - math.pi / 2 + hops * 0.5
            angle_of[n.id] = angle
            nodes[n.id] = Node(
                n.id,
                centre + ring * hops * math.cos(angle),
                centre + ring * hops * math.sin(angle),
                7 + 9 * n.activation,
                short(n.content),
                n.content,
                hops,
                n.activation,
            )
    links = []
    for n in neighbors:
        if n.id in nodes and len(n.path) >= 2 and n.path[-2] in nodes:
            a, b = nodes[n.path[-2]], nodes[n.id]
            links.append(Link(a.x, a.y, b.x, b.y))
    return Graph(GRAPH_SIZE, list(nodes.values()), links)


def short(text: str, chars: int = LABEL_CHARS) -> str:
    """The first line of a text, cut at `chars` characters with an ellipsis."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= chars else line[: chars - 1].rstrip() + "…"
