"""The relationship graph as an SVG picture: a deterministic radial layout (the entity asked about in the
middle, each depth on a ring, nodes on a ring in code order), drawn with no script, font file or any other
external asset. Pure: a graph (services/signals.py ``relationships``) in, SVG text out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

EDGE_STYLES = {
    "legal_representative": ("#c0392b", "", "同一法定代表人 / same legal representative"),
    "address": ("#2471a3", "6 4", "同一登记住所 / same registered address"),
    "former_legal_representative": ("#d68910", "2 3", "曾任法定代表人 / former legal representative"),
}
_RING = 210  # px between rings
_MARGIN = 150
_NODE_R = 9
_LABEL_CHARS = 14
# Labels over lines stay legible: a white halo under each glyph (presentation attributes, not a <style>
# element, which the platform's Content-Security-Policy would refuse).
_HALO = 'paint-order="stroke" stroke="#ffffff" stroke-width="3"'


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(graph: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Code → (x, y), a radial tree: depth d on a circle of radius d × ring (grown when a ring is crowded).
    The ring of depth 1 is shared evenly in code order from the top; a node further out sits in the sector
    of its parent (its linked node one ring in, the first in code order), which its parent's children share
    evenly in code order. The same graph always gives the same picture."""
    depth = {node["uscc"]: int(node["depth"]) for node in graph["nodes"]}
    neighbours: dict[str, set[str]] = {code: set() for code in depth}
    for edge in graph["edges"]:
        if edge["source"] in depth and edge["target"] in depth:
            neighbours[edge["source"]].add(edge["target"])
            neighbours[edge["target"]].add(edge["source"])
    children: dict[str | None, list[str]] = {}
    for code in sorted(depth, key=lambda c: (depth[c], c)):
        inner = sorted(n for n in neighbours[code] if depth[n] == depth[code] - 1)
        parent = inner[0] if inner else None
        if depth[code] == 0:
            continue
        children.setdefault(parent if depth[code] > 1 else None, []).append(code)
    rings: dict[int, int] = {}
    for d in depth.values():
        rings[d] = rings.get(d, 0) + 1
    radius = {0: 0.0}
    for d in sorted(rings):
        if d:
            crowd = rings[d] * 26 / (2 * math.pi)  # keep ~26 px between neighbours on a full ring
            radius[d] = max(radius[d - 1] + _RING, crowd)
    size = 2 * (max(radius.values()) + _MARGIN)
    centre = size / 2
    out: dict[str, tuple[float, float]] = {}
    sectors: dict[str, tuple[float, float]] = {}

    def place(code: str, start: float, width: float) -> None:
        angle = -math.pi / 2 + start + width / 2
        r = radius[depth[code]]
        out[code] = (round(centre + r * math.cos(angle), 1), round(centre + r * math.sin(angle), 1))
        sectors[code] = (start, width)

    for code in depth:
        if depth[code] == 0:
            out[code] = (round(centre, 1), round(centre, 1))
    first = children.get(None, [])
    for i, code in enumerate(first):
        place(code, i * 2 * math.pi / len(first), 2 * math.pi / len(first))
    for d in sorted(rings):
        for parent in sorted((c for c in sectors if depth[c] == d - 1), key=lambda c: sectors[c][0]):
            kids = children.get(parent, [])
            start, width = sectors[parent]
            for i, code in enumerate(kids):
                place(code, start + i * width / len(kids), width / len(kids))
    for i, code in enumerate(sorted(c for c in depth if c not in out)):  # unreachable: spread on the rim
        place(code, i * 2 * math.pi / max(1, len(depth)), 0.0)
    return out


def render_graph(graph: Mapping[str, Any]) -> str:
    positions = layout(graph)
    extent = max([max(x, y) for x, y in positions.values()] + [0.0]) + _MARGIN
    width = height = round(max(extent, 2 * _MARGIN + 240))
    title = f"关系图谱 / Relationships of {graph['uscc']} (depth {graph['depth']}, as of {graph['as_of']})"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 90}" '
        f'viewBox="0 0 {width} {height + 90}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height + 90}" fill="#ffffff"/>',
        f'<text x="12" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    if graph.get("truncated"):
        parts.append(
            f'<text x="12" y="38" fill="#c0392b">truncated at {graph["max_nodes"]} nodes / 已截断</text>'
        )
    parts.append('<g id="edges">')
    for edge in graph["edges"]:
        colour, dash, label = EDGE_STYLES.get(edge["kind"], ("#7f8c8d", "", edge["kind"]))
        (x1, y1), (x2, y2) = positions[edge["source"]], positions[edge["target"]]
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="1.6"{dashing}>'
            f"<title>{escape(edge['source'])} — {escape(edge['target'])}: {escape(label)}</title></line>"
        )
    parts.append("</g>")
    parts.append('<g id="nodes">')
    for node in graph["nodes"]:
        x, y = positions[node["uscc"]]
        serious = node["flags"]["serious_lists"]
        fill = "#922b21" if serious else ("#1f618d" if node["depth"] == 0 else "#5d6d7e")
        radius = _NODE_R + 4 if node["depth"] == 0 else _NODE_R
        flag = " · " + "、".join(serious) if serious else ""
        tooltip = f"{node['name']} {node['uscc']} ({node['status'] or '—'}){flag}"
        label_y, code_y = round(y + radius + 12, 1), round(y + radius + 24, 1)
        parts.append(
            f'<g class="node" data-uscc={quoteattr(node["uscc"])}>'
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}" stroke="#17202a" stroke-width="1">'
            f"<title>{escape(tooltip)}</title></circle>"
            f'<text x="{x}" y="{label_y}" text-anchor="middle" {_HALO}>'
            f"{escape(_short(node['name']))}</text>"
            f'<text x="{x}" y="{code_y}" text-anchor="middle" fill="#566573" font-size="9" {_HALO}>'
            f"{escape(node['uscc'])}</text></g>"
        )
    parts.append("</g>")
    legend_y = height + 10
    parts.append(f'<g id="legend" transform="translate(12,{legend_y})">')
    for i, (colour, dash, label) in enumerate(EDGE_STYLES.values()):
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        y = i * 18
        parts.append(
            f'<line x1="0" y1="{y}" x2="34" y2="{y}" stroke="{colour}" stroke-width="2"{dashing}/>'
            f'<text x="42" y="{y + 4}">{escape(label)}</text>'
        )
    parts.append(
        f'<circle cx="17" cy="54" r="{_NODE_R}" fill="#922b21"/>'
        '<text x="42" y="58">严重失信名单在列 / on a serious list</text>'
    )
    parts.append("</g></svg>")
    return "\n".join(parts) + "\n"
