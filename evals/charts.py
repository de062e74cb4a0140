"""Inline SVG charts for the HTML report: horizontal bars and a histogram, no scripts."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PASS = "#2e7d32"
FAIL = "#c62828"
NEUTRAL = "#1565c0"
MUTED = "#90a4ae"


_LABEL_W, _ROW_H = 210, 22


def _bar_chart_start(title: str, width: int, rows: int) -> list[str]:
    """The opening tags of a bar chart with `rows` rows and its title."""
    height = _ROW_H * rows + 30
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-weight="bold" font-size="13">{escape(title)}</text>',
    ]


def hbar_chart(
    rows: Sequence[tuple[str, float | None, str]],
    maximum: float = 1.0,
    title: str = "",
    width: int = 640,
    colour: str = NEUTRAL,
) -> str:
    """Horizontal bars: `(label, value, value text)` per row; None draws an empty row."""
    label_w, bar_w, row_h = _LABEL_W, width - 290, _ROW_H
    parts = _bar_chart_start(title, width, len(rows))
    for i, (label, value, text) in enumerate(rows):
        y = 24 + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#eceff1"/>'
        )
        if value is not None and maximum > 0:
            filled = max(0.0, min(1.0, value / maximum)) * bar_w
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{filled:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def pass_fail_chart(rows: Sequence[tuple[str, int, int]], title: str, width: int = 640) -> str:
    """Stacked bars of passed (green) and failed (red) counts per label."""
    label_w, bar_w, row_h = _LABEL_W, width - 290, _ROW_H
    parts = _bar_chart_start(title, width, len(rows))
    for i, (label, passed, total) in enumerate(rows):
        y = 24 + i * row_h
        ok_w = bar_w * passed / total if total else 0
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{ok_w:.1f}" height="{row_h - 8}" '
            f'fill="{PASS}"/>'
            f'<rect x="{label_w + ok_w:.1f}" y="{y + 3}" width="{bar_w - ok_w:.1f}" '
            f'height="{row_h - 8}" fill="{FAIL if passed < total else PASS}"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{passed}/{total}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    values: Sequence[float],
    title: str,
    unit: str = "ms",
    bins: int = 12,
    markers: Sequence[tuple[str, float]] = (),
    width: int = 640,
    height: int = 180,
) -> str:
    """A histogram of `values` with labelled vertical markers (e.g. p50, p95)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / span * bins))] += 1
    top = max(counts)
    plot_x, plot_y, plot_w, plot_h = 40, 24, width - 60, height - 72
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-weight="bold" font-size="13">{escape(title)}</text>',
    ]
    for i, count in enumerate(counts):
        bar_h = plot_h * count / top if top else 0
        x = plot_x + i * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{plot_y + plot_h - bar_h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{bar_h:.1f}" fill="{NEUTRAL}"><title>{count}</title></rect>'
        )
    base = plot_y + plot_h
    parts.append(
        f'<line x1="{plot_x}" y1="{base}" x2="{plot_x + plot_w}" y2="{base}" stroke="#455a64"/>'
        f'<text x="{plot_x}" y="{base + 16}" font-size="11">{low:.1f} {unit}</text>'
        f'<text x="{plot_x + plot_w}" y="{base + 16}" font-size="11" text-anchor="end">'
        f"{high:.1f} {unit}</text>"
        f'<text x="4" y="{plot_y + 10}" font-size="11">{top}</text>'
    )
    for n, (label, value) in enumerate(markers):
        x = plot_x + (value - low) / span * plot_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_y}" x2="{x:.1f}" y2="{base}" stroke="{FAIL}" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{base + 28 + 12 * n}" font-size="11" fill="{FAIL}">'
            f"{escape(label)} {value:.1f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
