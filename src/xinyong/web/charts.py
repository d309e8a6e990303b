"""Charts drawn on the server as SVG, inline in the page: no script and nothing fetched from elsewhere. One
kind serves every chart of the staff pages: horizontal bars, one per row, each split into its parts, with the
row's total at its end and a legend; every bar has a tooltip (``<title>``) with its exact counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

# Best first: green, blue, amber, red, then neutral tones for further parts.
PALETTE = ("#2e7d32", "#1565c0", "#ef6c00", "#c62828", "#6d4c41", "#546e7a", "#8e24aa", "#00838f")
WIDTH = 760
LABEL = 230
TOTAL = 60
BAR = 18
GAP = 8
LEGEND_LINE = 20
FONT = 12


def text_width(text: str) -> int:
    """Pixels a label takes at 12 px: a CJK character is square, a Latin one about 0.6 of it."""
    return sum(FONT if ord(c) >= 0x2E80 else 7 for c in text)


def _fitted(text: str, room: int) -> str:
    """The label cut with … to fit `room` pixels (the whole label stays in the bar's tooltip)."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def stacked_bars(
    title: str,
    rows: Sequence[tuple[str, Mapping[str, int]]],
    parts: Sequence[tuple[str, str]],
    *,
    colours: Sequence[str] = PALETTE,
) -> str:
    """`rows`: (label, part key → count); `parts`: (key, label) in legend order. Bars share one scale."""
    plot = WIDTH - LABEL - TOTAL
    biggest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    legend, x, y = [], 0, 4
    for i, (_, label) in enumerate(parts):
        width = 16 + text_width(label) + 16
        if x and x + width > WIDTH:
            x, y = 0, y + LEGEND_LINE
        colour = colours[i % len(colours)]
        legend.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        legend.append(f'<text x="{x + 16}" y="{y + 10}" font-size="{FONT}">{escape(label)}</text>')
        x += width
    top = y + LEGEND_LINE + 4
    height = top + len(rows) * (BAR + GAP) + GAP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        *legend,
    ]
    for n, (label, counts) in enumerate(rows):
        y = top + n * (BAR + GAP)
        total = sum(counts.values())
        shown = escape(_fitted(label, LABEL - 10))
        out.append(
            f'<text x="{LABEL - 8}" y="{y + BAR - 5}" font-size="{FONT}" text-anchor="end">{shown}</text>'
        )
        left = float(LABEL)
        for i, (key, part) in enumerate(parts):
            count = counts.get(key, 0)
            if not count:
                continue
            width = plot * count / biggest
            tip = f"{escape(label)} · {escape(part)}: {count}"
            out.append(
                f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                f'fill="{colours[i % len(colours)]}"><title>{tip}</title></rect>'
            )
            left += width
        out.append(f'<text x="{left + 6:.1f}" y="{y + BAR - 5}" font-size="{FONT}">{total}</text>')
    out.append("</svg>")
    return "".join(out)
