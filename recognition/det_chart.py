"""The DET chart of an accuracy report as a server-rendered SVG, readable without colour.

FNIR against FPIR on logarithmic axes, as NIST FRTE 1:N draws them; where a gallery has no
genuine pairs, the estimated FPIR against the threshold instead. The operating point is a
ringed marker with its figures written beside it, and the chart carries a title and a text
description for screen readers; every figure is also in the report's table.
"""

import math
from html import escape

WIDTH, HEIGHT = 560, 380
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 50
FPIR_DECADES = (-6, 0)
FNIR_DECADES = (-3, 0)


def _x_log(value: float) -> float:
    low, high = FPIR_DECADES
    v = min(max(math.log10(max(value, 10.0**low)), low), high)
    return LEFT + (v - low) / (high - low) * (WIDTH - LEFT - RIGHT)


def _y_log(value: float) -> float:
    low, high = FNIR_DECADES
    v = min(max(math.log10(max(value, 10.0**low)), low), high)
    return HEIGHT - BOTTOM - (v - low) / (high - low) * (HEIGHT - TOP - BOTTOM)


def _y_linear(value: float, top: float) -> float:
    v = min(max(value, 0.0), top)
    return HEIGHT - BOTTOM - v / top * (HEIGHT - TOP - BOTTOM)


def _axes(x_label: str, y_label: str, y_ticks) -> list[str]:
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="none" stroke="#000"/>'
    ]
    for decade in range(FPIR_DECADES[0], FPIR_DECADES[1] + 1):
        x = _x_log(10.0**decade)
        parts.append(
            f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" y2="{TOP}" '
            'stroke="#999" stroke-dasharray="2 4"/>'
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">1e{decade}</text>'
        )
    for y, label in y_ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#999" stroke-dasharray="2 4"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle" '
        f'font-size="12">{escape(x_label)}</text>'
        f'<text x="16" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 16 {(TOP + HEIGHT - BOTTOM) / 2})">{escape(y_label)}</text>'
    )
    return parts


def det_svg(
    det, *, operating: tuple[float, float, float | None], title: str, labels: dict[str, str]
) -> str:
    """Return an SVG document of the DET curve ``det`` ((threshold, fpir, fnir) points).

    ``operating`` is (threshold, fpir, fnir) of the point in use; ``labels`` holds the
    translated axis names and description: fpir, fnir, threshold, point, description.
    """
    with_fnir = any(p[2] is not None for p in det)
    if with_fnir:
        points = [(_x_log(f), _y_log(n)) for _t, f, n in det if n is not None]
        y_ticks = [(_y_log(10.0**d), f"1e{d}") for d in range(FNIR_DECADES[0], 1)]
        y_label = labels["fnir"]
        marker = (_x_log(operating[1]), _y_log(operating[2] if operating[2] is not None else 1))
    else:
        top = max([p[0] for p in det] + [operating[0], 0.1]) * 1.05
        points = [(_x_log(f), _y_linear(t, top)) for t, f, _n in det]
        y_ticks = [(_y_linear(top * i / 5, top), f"{top * i / 5:.2f}") for i in range(6)]
        y_label = labels["threshold"]
        marker = (_x_log(operating[1]), _y_linear(operating[0], top))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="det-title det-desc" '
        'font-family="sans-serif">',
        f'<title id="det-title">{escape(title)}</title>',
        f'<desc id="det-desc">{escape(labels["description"])}</desc>',
        '<rect width="100%" height="100%" fill="#fff"/>',
        *_axes(labels["fpir"], y_label, y_ticks),
    ]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="2"/>')
    mx, my = marker
    anchor = "end" if mx > WIDTH / 2 else "start"
    dx = -10 if anchor == "end" else 10
    parts.append(
        f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="7" fill="#fff" stroke="#000" stroke-width="2"/>'
        f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="2.5" fill="#000"/>'
        f'<text x="{mx + dx:.1f}" y="{my - 10:.1f}" text-anchor="{anchor}" font-size="12" '
        f'font-weight="bold">{escape(labels["point"])}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
