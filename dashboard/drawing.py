"""Pure drawing functions: the map, the network, the charts and the "why" table as SVG/HTML.

SVG strings drawn directly are fast enough to redraw every month (benchmarks/
bench_dashboard.py), and each one is also the file a researcher downloads. Text uses
`currentColor`, so it follows the page's light or dark theme.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from dashboard.geo import outline
from dashboard.names import FACTION_NAMES, GOVERNORATE_NAMES, state_name
from sim.vocabulary import FACTIONS, STATES

# Okabe-Ito-like, told apart also by most colour-blind readers: successor (purple) against
# opposition (green), Israel (blue) against the US (pink)
FACTION_COLOURS = {"regime": "#d1495b", "opposition": "#2a9d5c", "sdf": "#edae49",
                   "isis": "#6c6c6c", "successor": "#8e5cc4"}
STATE_COLOURS = {"iran": "#009e73", "israel": "#0072b2", "russia": "#d55e00",
                 "syria": "#a0a0a0", "turkey": "#e69f00", "us": "#cc79a7"}
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg"'


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _shares_text(shares: np.ndarray) -> str:
    return ", ".join(f"{FACTION_NAMES[f]} {shares[i]:.0%}" for i, f in enumerate(FACTIONS)
                     if shares[i] > 0.005)


def map_svg(control: np.ndarray, names: list[str] | tuple[str, ...]) -> str:
    """Syria's governorates (OCHA's boundaries), each filled with vertical bands as wide as its
    control shares (G, F), its name, hover details, and the capital marked."""
    geo = outline()
    parts = [f'{SVG_HEAD} viewBox="0 0 {geo.width:.0f} {geo.height:.0f}" width="100%" '
             'class="syria-map-svg" role="img" font-family="sans-serif" '
             'aria-label="Map of Syria\'s governorates coloured by who holds them"><defs>']
    # each clip reuses its outline's path (sent once: the map is redrawn every month)
    parts += [f'<clipPath id="clip-{n}"><use href="#outline-{n}"/></clipPath>' for n in names]
    parts.append("</defs>")
    for g, name in enumerate(names):
        shape = geo.shapes[name]
        x, y, w, h = shape.box
        label = GOVERNORATE_NAMES[name]
        parts.append(f'<g class="governorate" data-name="{name}"><title>{_esc(label)}: '
                     f'{_esc(_shares_text(control[g]))}</title><g clip-path="url(#clip-{name})">')
        left = x
        for f, faction in enumerate(FACTIONS):
            share = float(control[g, f])
            if share <= 0.0:
                continue
            parts.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{w * share + 0.3:.1f}" '
                         f'height="{h:.1f}" fill="{FACTION_COLOURS[faction]}" '
                         f'data-faction="{faction}" data-share="{share:.3f}"/>')
            left += w * share
        parts.append(f'</g><path class="outline" id="outline-{name}" d="{shape.path}" '
                     'fill="none" '
                     'stroke="#fff" stroke-width="1.2" stroke-linejoin="round"/></g>')
    for name in names:
        if name == "damascus":  # labelled with the capital's star
            continue
        lx, ly = geo.shapes[name].label_at
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" text-anchor="middle" '
                     'fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke" '
                     f'pointer-events="none">{_esc(GOVERNORATE_NAMES[name])}</text>')
    cx, cy = geo.capital
    star = " ".join(f"{cx + r * math.sin(k * math.pi / 5):.1f},"
                    f"{cy - r * math.cos(k * math.pi / 5):.1f}"
                    for k, r in zip(range(10), [7, 3] * 5, strict=True))
    parts.append(f'<g class="capital"><title>Damascus (capital): '
                 f'{_esc(_shares_text(control[list(names).index("damascus")]))}</title>'
                 f'<polygon points="{star}" fill="#ffd43b" stroke="#111" stroke-width="0.8"/>'
                 f'<text x="{cx + 6:.1f}" y="{cy + 16:.1f}" font-size="12" font-weight="bold" '
                 'fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke">'
                 'Damascus</text></g></svg>')
    return "".join(parts)


def legend_html(colours: dict[str, str], names: dict[str, str], extra: str = "") -> str:
    items = "".join(f'<span class="legend-item"><i style="background:{colours[k]}"></i>'
                    f'{_esc(names[k])}</span>' for k in colours)
    return f'<div class="syria-legend">{items}{extra}</div>'


def network_svg(relations: np.ndarray) -> str:
    """The six states on a circle; an edge's colour is cooperation (green) or rivalry (red),
    its width the strength of the index (N, N) in [-1, 1]."""
    size, radius = 320.0, 115.0
    centre = size / 2
    points = {s: (centre + radius * math.cos(2 * math.pi * i / len(STATES) - math.pi / 2),
                  centre + radius * math.sin(2 * math.pi * i / len(STATES) - math.pi / 2))
              for i, s in enumerate(STATES)}
    parts = [f'{SVG_HEAD} viewBox="0 0 {size:.0f} {size:.0f}" width="100%" '
             'class="network-svg" role="img" aria-label="Cooperation network">']
    for i, a in enumerate(STATES):
        for j in range(i + 1, len(STATES)):
            b = STATES[j]
            value = float(relations[i, j])
            if abs(value) < 0.05:
                continue
            colour = "#2a9d5c" if value > 0 else "#d1495b"
            (x1, y1), (x2, y2) = points[a], points[b]
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                         f'stroke="{colour}" stroke-width="{0.5 + 6 * abs(value):.1f}" '
                         f'stroke-opacity="0.8" data-pair="{a}-{b}" data-value="{value:.2f}">'
                         f'<title>{_esc(state_name(a, True))} and {_esc(state_name(b))}: '
                         f'{value:+.2f}</title></line>')
    for state, (x, y) in points.items():
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="25" fill="{STATE_COLOURS[state]}"/>'
                     f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" fill="#fff" '
                     f'stroke="#000" stroke-width="2" paint-order="stroke" '
                     f'text-anchor="middle">{_esc(state_name(state, True))}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Line:
    label: str
    values: np.ndarray  # one a month from the chart's first month
    colour: str
    low: np.ndarray | None = None  # a band around the line (an ensemble's spread)
    high: np.ndarray | None = None
    dashed: bool = False


def line_chart_svg(lines: list[Line], first_month: int, months: tuple[int, int], title: str,
                   bands: list[tuple[int, int, float, float, str]] = (),
                   points: list[tuple[int, float, str, str, str]] = (),
                   y_range: tuple[float, float] = (0.0, 1.0), css_class: str = "") -> str:
    """Lines (and their bands) over the window `months` (first, last month index), with the
    record's bands (start, end, low, high, colour) and points (month, value, bound, colour,
    note) behind them; a legend row above the plot."""
    width, pad_l, pad_r = 560.0, 34.0, 10.0
    legend_rows, x, row = [], pad_l, 0
    for line in lines:
        size = 18 + 6.2 * len(line.label)
        if x + size > width - pad_r:
            x, row = pad_l, row + 1
        legend_rows.append((x, row, line))
        x += size + 10
    top = 40.0 + 15 * row
    height = top + 150.0
    bottom = height - 22
    lo_month, hi_month = months
    span = max(hi_month - lo_month, 1)
    y0, y1 = y_range

    def px(month: float) -> float:
        return pad_l + (width - pad_l - pad_r) * (month - lo_month) / span

    def py(value: float) -> float:
        return bottom - (bottom - top) * (min(max(value, y0), y1) - y0) / (y1 - y0)

    parts = [f'{SVG_HEAD} viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
             f'class="chart {css_class}" role="img" aria-label="{_esc(title)}" '
             'font-family="sans-serif" fill="currentColor">',
             f'<text x="4" y="15" font-size="13" font-weight="bold">{_esc(title)}</text>']
    for lx, r, line in legend_rows:
        ly = 30 + 15 * r
        parts.append(f'<rect x="{lx:.0f}" y="{ly - 8}" width="12" height="8" '
                     f'fill="{line.colour}"/><text x="{lx + 16:.0f}" y="{ly}" '
                     f'font-size="11">{_esc(line.label)}</text>')
    ticks = [y0 + (y1 - y0) * k / 4 for k in range(5)]
    for value in ticks:
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{py(value):.1f}" '
                     f'y2="{py(value):.1f}" stroke="currentColor" stroke-opacity="0.2"/>'
                     f'<text x="{pad_l - 4}" y="{py(value) + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{value:g}</text>')
    years = range(lo_month // 12, hi_month // 12 + 1)
    every = 1 if len(years) <= 16 else 2
    for year in years:
        month = year * 12  # month indices count from year 0 (sim.vocabulary)
        if lo_month <= month <= hi_month and year % every == 0:
            parts.append(f'<line x1="{px(month):.1f}" x2="{px(month):.1f}" y1="{bottom}" '
                         f'y2="{bottom + 4}" stroke="currentColor"/><text x="{px(month):.1f}" '
                         f'y="{height - 6}" font-size="10" text-anchor="middle">{year}</text>')
    for start, end, low, high, colour in bands:
        parts.append(f'<rect x="{px(start):.1f}" y="{py(high):.1f}" '
                     f'width="{max(px(end) - px(start), 3):.1f}" '
                     f'height="{py(low) - py(high):.1f}" fill="{colour}" fill-opacity="0.18" '
                     f'stroke="{colour}" stroke-dasharray="3,2"><title>the record\'s band '
                     f'{low:.0%}-{high:.0%}</title></rect>')
    for month, value, bound, colour, note in points:
        mark = {"upper": "▼", "lower": "▲"}.get(bound, "◆")
        parts.append(f'<text class="record-point" x="{px(month):.1f}" y="{py(value) + 4:.1f}" '
                     f'font-size="11" text-anchor="middle" fill="{colour}" stroke="currentColor" '
                     f'stroke-width="0.4"><title>{_esc(note)}</title>{mark}</text>')
    for line in lines:
        if line.low is not None and len(line.low):
            upper = [f"{px(first_month + m):.1f},{py(v):.1f}" for m, v in enumerate(line.high)]
            lower = [f"{px(first_month + m):.1f},{py(v):.1f}"
                     for m, v in reversed(list(enumerate(line.low)))]
            parts.append(f'<polygon class="fan" points="{" ".join(upper + lower)}" '
                         f'fill="{line.colour}" fill-opacity="0.22" stroke="none"/>')
        if len(line.values):
            path = " ".join(f"{px(first_month + m):.1f},{py(v):.1f}"
                            for m, v in enumerate(line.values))
            dash = ' stroke-dasharray="5,3"' if line.dashed else ""
            parts.append(f'<polyline points="{path}" fill="none" stroke="{line.colour}" '
                         f'stroke-width="2"{dash}><title>{_esc(line.label)}</title></polyline>')
    if y0 < 0 < y1:
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{py(0):.1f}" '
                     f'y2="{py(0):.1f}" stroke="currentColor" stroke-opacity="0.6"/>')
    parts.append("</svg>")
    return "".join(parts)


def _signed(value: float) -> str:
    return f"{value:+.3f}".replace("-0.000", "+0.000")  # no "-0.000" for a tiny negative


WHY_COLUMNS = ("survival", "balancing", "influence", "cost", "entry", "switching")


def why_table_html(rows: list[dict], weights: dict[str, float] | None = None) -> str:
    """The options a state weighed this month (`dashboard.model.why_rows`): each term's
    contribution to the utility (columns that add up to it), best first, the pick marked."""
    if not rows:
        return "<p>No choice made yet: press Step.</p>"
    w = weights or {}
    head = "".join(
        f"<th>{name}" + (f"<br><small>× {w[name]:.2f}</small>" if name in w else "") + "</th>"
        for name in WHY_COLUMNS)
    body = []
    best = max(r["utility"] for r in rows)
    for row in sorted(rows, key=lambda r: -r["utility"]):
        classes = ["chosen"] if row["chosen"] else []
        mark = ""
        if row["chosen"]:
            chance = row["utility"] < best - 1e-12
            mark = (f' <b class="pick chance">chance pick, p = {row["probability"]:.2f}</b>'
                    if chance else ' <b class="pick">chosen</b>')
        cells = "".join(f'<td class="term" data-term="{k}">{_signed(row[k])}</td>'
                        for k in WHY_COLUMNS)
        # utility and chance first: they stay in view when a narrow card scrolls the terms
        body.append(f'<tr class="{" ".join(classes)}"><td class="option">'
                    f'{_esc(row["text"])}{mark}</td>'
                    f'<td class="utility">{_signed(row["utility"])}</td>'
                    f'<td class="probability">{row["probability"]:.2f}</td>{cells}</tr>')
    return ('<table class="why-table"><thead><tr><th>option</th><th>utility<br><small>= sum'
            '</small></th><th>chance</th>' + head + "</tr></thead><tbody>" + "".join(body)
            + "</tbody></table>")
