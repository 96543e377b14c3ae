"""Pure drawing functions: the map, the network, the charts and tables as SVG/HTML strings.

SVG drawn directly is fast enough to redraw every month in the browser (benchmarks/
bench_dashboard.py). The map is a tile layout: each governorate a tile placed where it lies
(north up, the coast on the left), its size a rough guide to its area, with its control shares
as bands.
"""

from __future__ import annotations

import html
import math

import numpy as np

from sim.vocabulary import FACTIONS, STATES

FACTION_COLOURS = {"regime": "#c0392b", "opposition": "#27ae60", "sdf": "#f1c40f",
                   "isis": "#2c3e50", "successor": "#16a085"}
FACTION_LABELS = {"regime": "Assad government", "opposition": "Opposition (incl. HTS)",
                  "sdf": "SDF", "isis": "ISIS", "successor": "Successor government"}
STATE_COLOURS = {"iran": "#1e8449", "israel": "#2874a6", "russia": "#922b21",
                 "syria": "#7d3c98", "turkey": "#d35400", "us": "#1b4f72"}

# (column, row, width, height) on a 6 x 5 grid; Damascus sits inside Rif Dimashq
TILES = {
    "latakia": (0.0, 0.6, 1.0, 1.0), "idlib": (1.0, 0.0, 1.0, 1.2),
    "aleppo": (2.0, 0.0, 1.4, 1.2), "raqqa": (3.4, 0.0, 1.2, 1.4),
    "al_hasakah": (4.6, 0.0, 1.4, 1.4), "tartus": (0.0, 1.6, 1.0, 0.9),
    "hama": (1.0, 1.2, 2.0, 1.0), "deir_ez_zor": (3.4, 1.4, 2.6, 1.6),
    "homs": (1.0, 2.2, 2.4, 1.3), "rif_dimashq": (1.0, 3.5, 2.2, 0.9),
    "damascus": (1.55, 3.68, 0.7, 0.5), "quneitra": (0.2, 4.4, 0.8, 0.6),
    "daraa": (1.0, 4.4, 1.0, 0.6), "as_suwayda": (2.0, 4.4, 1.2, 0.6),
}
SCALE = 90.0


def _label(name: str) -> str:
    return name.replace("_", " ").title().replace("Ez Zor", "ez-Zor").replace("Al ", "al-")


def map_svg(control: np.ndarray, names: list[str] | tuple[str, ...]) -> str:
    """Syria's governorates as tiles, each split into bands by its control shares (G, F)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {6 * SCALE:.0f} '
             f'{5 * SCALE + 70:.0f}" width="100%" class="syria-map-svg" role="img" '
             f'aria-label="Map of Syria\'s governorates coloured by control">']
    # Damascus last: its tile sits on top of Rif Dimashq's
    order = sorted(range(len(names)), key=lambda g: names[g] == "damascus")
    for g in order:
        name = names[g]
        x, y, w, h = (v * SCALE for v in TILES[name])
        parts.append(f'<g class="governorate" data-name="{name}">')
        left = x
        for f, faction in enumerate(FACTIONS):
            share = float(control[g, f])
            if share <= 0.0:
                continue
            width = w * share
            parts.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{h:.1f}" fill="{FACTION_COLOURS[faction]}" '
                         f'data-faction="{faction}" data-share="{share:.3f}"/>')
            left += width
        holder = FACTIONS[int(np.argmax(control[g]))]
        text = "#fff" if holder in ("regime", "isis", "successor") else "#111"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     'fill="none" stroke="#fff" stroke-width="2"/>')
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14:.1f}" font-size="11" fill="{text}">'
                     f'{html.escape(_label(name))}</text>')
        parts.append(f'<title>{html.escape(_label(name))}: ' + ", ".join(
            f"{FACTION_LABELS[f]} {control[g, i]:.0%}" for i, f in enumerate(FACTIONS)
            if control[g, i] > 0.005) + "</title></g>")
    y = 5 * SCALE + 18
    for i, faction in enumerate(FACTIONS):
        x = 6 + (i % 3) * 180
        row = y + (i // 3) * 22
        parts.append(f'<rect x="{x}" y="{row - 10}" width="12" height="12" '
                     f'fill="{FACTION_COLOURS[faction]}"/><text x="{x + 16}" y="{row}" '
                     f'font-size="12">{FACTION_LABELS[faction]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def network_svg(relations: np.ndarray) -> str:
    """The six states on a circle; an edge's colour is cooperation (green) or rivalry (red),
    its width the strength of the index (N, N) in [-1, 1]."""
    size, radius = 320.0, 115.0
    centre = size / 2
    points = {s: (centre + radius * math.cos(2 * math.pi * i / len(STATES) - math.pi / 2),
                  centre + radius * math.sin(2 * math.pi * i / len(STATES) - math.pi / 2))
              for i, s in enumerate(STATES)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:.0f} {size:.0f}" '
             'width="100%" class="network-svg" role="img" aria-label="Cooperation network">']
    for i, a in enumerate(STATES):
        for j in range(i + 1, len(STATES)):
            b = STATES[j]
            value = float(relations[i, j])
            if abs(value) < 0.05:
                continue
            colour = "#27ae60" if value > 0 else "#c0392b"
            (x1, y1), (x2, y2) = points[a], points[b]
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                         f'stroke="{colour}" stroke-width="{0.5 + 6 * abs(value):.1f}" '
                         f'stroke-opacity="0.75" data-pair="{a}-{b}" data-value="{value:.2f}">'
                         f'<title>{a}-{b}: {value:+.2f}</title></line>')
    for state, (x, y) in points.items():
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="24" fill="{STATE_COLOURS[state]}"/>'
                     f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" fill="#fff" '
                     f'text-anchor="middle">{state}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(series: dict[str, np.ndarray], colours: dict[str, str], first_month: int,
                   months: tuple[int, int], title: str,
                   record: list[tuple[int, int, float, float, str]] = ()) -> str:
    """Lines (one value per month from `first_month`) on the window `months` (first, last
    month index), with record bands (start, end, low, high, colour) drawn behind them."""
    width, height, pad = 520.0, 170.0, 30.0
    lo_month, hi_month = months
    span = max(hi_month - lo_month, 1)

    def px(month: float) -> float:
        return pad + (width - 2 * pad) * (month - lo_month) / span

    def py(value: float) -> float:
        return height - pad - (height - 2 * pad) * min(max(value, 0.0), 1.0)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="100%" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{pad}" y="16" font-size="13">{html.escape(title)}</text>']
    for start, end, low, high, colour in record:
        parts.append(f'<rect x="{px(start):.1f}" y="{py(high):.1f}" '
                     f'width="{max(px(end) - px(start), 3):.1f}" '
                     f'height="{py(low) - py(high):.1f}" fill="{colour}" fill-opacity="0.25" '
                     f'stroke="{colour}" stroke-dasharray="3,2"><title>record band</title></rect>')
    for value in (0.0, 0.5, 1.0):
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{py(value):.1f}" '
                     f'y2="{py(value):.1f}" stroke="#ccc"/><text x="2" y="{py(value) + 4:.1f}" '
                     f'font-size="10">{value:.1f}</text>')
    for year in range(2011, 2027, 2):
        month = year * 12  # month indices count from year 0 (sim.vocabulary)
        if lo_month <= month <= hi_month:
            parts.append(f'<text x="{px(month):.1f}" y="{height - 12}" font-size="10" '
                         f'text-anchor="middle">{year}</text>')
    for i, (name, values) in enumerate(series.items()):
        if len(values):
            points = " ".join(f"{px(first_month + m):.1f},{py(v):.1f}"
                              for m, v in enumerate(values))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colours[name]}" '
                         f'stroke-width="2"><title>{name}</title></polyline>')
        parts.append(f'<text x="{width - pad + 2 - 80 * (len(series) - i)}" y="30" '
                     f'font-size="11" fill="{colours[name]}">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)


def why_table_html(rows: list[dict]) -> str:
    """The options a state weighed this month: its payoff split and the logit's probability."""
    if not rows:
        return "<p>No choice made yet: press Step.</p>"
    head = ("<tr><th>option</th><th>survival</th><th>balancing</th><th>influence</th>"
            "<th>cost</th><th>utility</th><th>probability</th></tr>")
    body = []
    for row in sorted(rows, key=lambda r: -r["utility"]):
        style = ' style="font-weight:bold;background:#fdebd0"' if row["chosen"] else ""
        mark = " (chosen)" if row["chosen"] else ""
        cells = "".join(f"<td>{row[k]:+.3f}</td>" for k in
                        ("survival", "balancing", "influence", "cost", "utility"))
        body.append(f"<tr{style}><td>{html.escape(row['label'])}{mark}</td>{cells}"
                    f"<td>{row['probability']:.2f}</td></tr>")
    return ('<table class="why-table" style="border-collapse:collapse;font-size:12px">'
            + head + "".join(body) + "</table>")
