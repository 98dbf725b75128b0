"""Server-drawn SVG charts for the dashboard: the geometry here, the markup in templates.

No JavaScript library: the content security policy allows no inline script, and a chart drawn
on the server is readable without script. Series differ by pattern (solid, hatched, dotted) and
every bar carries its value as text, so nothing depends on colour alone; each chart also has a
<title>, a <desc> and the same numbers as a table.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 46
# Fill patterns by series index (ids of the <pattern> defs in panel/charts/_defs.html).
PATTERNS = ("url(#pat-solid)", "url(#pat-hatch)", "url(#pat-dots)")


@dataclass
class Chart:
    """A chart's geometry and its table alternative."""

    key: str
    title: str
    desc: str
    series: list[str]
    bars: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    gridlines: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    empty: bool = False


def _nice_max(value: float) -> float:
    """Return a round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:g}"


def grouped_bars(
    *,
    key: str,
    title: str,
    desc: str,
    categories: list[str],
    series: list[str],
    values: list[list[float]],
    unit: str = "",
    max_value: float | None = None,
) -> Chart:
    """Return vertical bars: one group per category, one bar per series (``values[s][c]``)."""
    chart = Chart(key=key, title=title, desc=desc, series=series)
    peak = max_value or _nice_max(max((v for row in values for v in row), default=0))
    if unit != "%":
        peak = max(peak, 4)  # counts: whole-number gridlines (0 1 2 3 4), never 0.25
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = max(min((group_w - 6) / max(len(series), 1), 28), 3)
    for step in range(5):
        value = peak * step / 4
        y = TOP + plot_h - plot_h * step / 4
        chart.gridlines.append(
            {"y": round(y, 1), "x1": LEFT, "x2": WIDTH - RIGHT, "label": _fmt(value, unit)}
        )
    for c, category in enumerate(categories):
        x0 = LEFT + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, _name in enumerate(series):
            value = values[s][c]
            h = plot_h * min(value / peak, 1) if peak else 0
            chart.bars.append(
                {
                    "x": round(x0 + s * bar_w, 1),
                    "y": round(TOP + plot_h - h, 1),
                    "w": round(bar_w - 1, 1),
                    "h": round(h, 1),
                    "fill": PATTERNS[s % len(PATTERNS)],
                    # Zero bars stay unlabelled (the table has every value): 14 zeros are noise.
                    "text": _fmt(value, unit) if value else "",
                    "tx": round(x0 + s * bar_w + (bar_w - 1) / 2, 1),
                    "ty": round(TOP + plot_h - h - 3, 1),
                    "tooltip": f"{category} · {series[s]}: {_fmt(value, unit)}",
                }
            )
        chart.labels.append(
            {
                "x": round(LEFT + c * group_w + group_w / 2, 1),
                "y": HEIGHT - BOTTOM + 14,
                "text": category,
            }
        )
    chart.legend = [
        {"x": LEFT + i * 150, "y": HEIGHT - 12, "fill": PATTERNS[i % len(PATTERNS)], "text": name}
        for i, name in enumerate(series)
    ]
    chart.table_head = ["", *series]
    chart.table_rows = [
        [category, *(_fmt(values[s][c], unit) for s in range(len(series)))]
        for c, category in enumerate(categories)
    ]
    chart.empty = not any(v for row in values for v in row)
    return chart


def horizontal_bars(*, key: str, title: str, desc: str, items: list[tuple[str, int]]) -> Chart:
    """Return one horizontal bar per (label, count), the count written beside it."""
    row_h, label_w = 26, 170
    height = TOP + row_h * max(len(items), 1) + 8
    chart = Chart(key=key, title=title, desc=desc, series=[], height=height)
    peak = _nice_max(max((n for _label, n in items), default=0))
    plot_w = WIDTH - label_w - RIGHT - 50
    for i, (label, count) in enumerate(items):
        y = TOP + i * row_h
        w = plot_w * count / peak if peak else 0
        chart.bars.append(
            {
                "x": label_w,
                "y": y,
                "w": round(w, 1),
                "h": row_h - 8,
                "fill": PATTERNS[0],
                "text": str(count),
                "tx": round(label_w + w + 6, 1),
                "ty": y + row_h - 12,
                "tooltip": f"{label}: {count}",
            }
        )
        chart.labels.append({"x": label_w - 8, "y": y + row_h - 12, "text": label})
    chart.table_head = ["", title]
    chart.table_rows = [[label, count] for label, count in items]
    chart.empty = not any(n for _label, n in items)
    return chart


def gauge(*, key: str, title: str, desc: str, value: int, limit: int, marks=(0.8, 0.9)) -> Chart:
    """Return a horizontal gauge of ``value`` against ``limit`` with labelled marks (R35)."""
    chart = Chart(key=key, title=title, desc=desc, series=[], height=96)
    track_x, track_w, track_y, track_h = LEFT, WIDTH - LEFT - RIGHT - 10, 30, 26
    share = value / limit if limit else 0
    chart.bars = [
        {
            "x": track_x,
            "y": track_y,
            "w": track_w,
            "h": track_h,
            "fill": "url(#pat-dots)",
            "track": True,
            "text": "",
            "tooltip": "",
        },
        {
            "x": track_x,
            "y": track_y,
            "w": round(track_w * min(share, 1), 1),
            "h": track_h,
            "fill": PATTERNS[0],
            "text": f"{value} / {limit} ({share:.1%})",
            "tx": track_x,
            "ty": track_y - 8,
            "tooltip": f"{value} / {limit}",
        },
    ]
    chart.marks = [
        {
            "x": round(track_x + track_w * m, 1),
            "y1": track_y - 4,
            "y2": track_y + track_h + 4,
            "text": f"{m:.0%}",
            "ty": track_y + track_h + 18,
            "reached": share >= m,
        }
        for m in marks
    ]
    chart.table_head = ["", _("Value")]
    chart.table_rows = [
        [_("Stored"), value],
        [_("Threshold"), limit],
        [_("Share of the threshold"), f"{share:.1%}"],
    ]
    return chart
