"""Timeline charts: one pure model, drawn as SVG for pages and natively in PDFs (no Flask here).

A chart is drawn in the UI's font and palette, its y axis starts at 0, and its x axis runs
through the last day it covers (today for a live petition) so a quiet week shows as a flat
line rather than vanishing. The phone rendering is drawn at a phone's width with larger
text instead of shrinking the desktop one to unreadable 5 px labels. An SVG here is a
plain picture: no script, no external reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

Series = Sequence[tuple[date, int]]
# The UI's palette (static/css/voicebox.css): accent, ok, warn, danger, then darker variants.
PALETTE = ("#1f5fbf", "#1e7a46", "#8a5a00", "#b3261e", "#6b3fa0", "#0f6e75", "#174a96", "#5a6275")
INK, MUTED, GRID, PAPER = "#1d2330", "#5a6275", "#d9dce3", "#ffffff"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Served as its own resource: even opened directly, a chart may run and fetch nothing.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


@dataclass(frozen=True)
class Size:
    """One rendering: pixel box, text size, how many x labels fit, how long a legend entry may be."""

    width: int
    plot_height: int
    font: int
    x_labels: int
    legend_chars: int


DESKTOP = Size(width=800, plot_height=300, font=14, x_labels=7, legend_chars=80)
PHONE = Size(width=360, plot_height=220, font=13, x_labels=3, legend_chars=30)
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    running: list[int]  # running total on each day of the chart


@dataclass(frozen=True)
class ChartModel:
    days: list[date]
    lines: list[Line]
    y_max: int
    y_ticks: list[int]
    through_today: bool

    def x_ticks(self, count: int) -> list[int]:
        """Indexes of the days to label, first and last always included."""
        last = len(self.days) - 1
        if last <= 0:
            return [0]
        count = max(2, min(count, last + 1))
        return sorted({round(i * last / (count - 1)) for i in range(count)})


def nice_ticks(top: int, most: int = 5) -> list[int]:
    """0 and round steps (1, 2 or 5 × 10^n) up to at least `top`, at most `most` + 1 ticks."""
    top = max(top, 1)
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return list(range(0, step * math.ceil(top / step) + 1, step))


def day_label(day: date, months: Sequence[str] = MONTHS) -> str:
    return f"{day.day} {months[day.month - 1]}"


def grouped(value: int) -> str:
    """A count with English digit grouping, the default when the caller passes no formatter."""
    return f"{value:,}"


@dataclass(frozen=True)
class ChartText:
    """The words a chart shows, in the reader's language; the caller translates them."""

    today: str = "today"
    empty: str = "No signatures yet"
    months: Sequence[str] = MONTHS
    number: Callable[[int], str] = grouped


def build_model(
    series: Sequence[tuple[str, Series]], *, start: date | None = None, until: date, today: date | None = None
) -> ChartModel:
    """Running totals per day from `start` (or the first signing day) through `until`."""
    first = min((day for _, points in series for day, _ in points), default=until)
    begin = min(start or first, first, until)
    days = [begin + timedelta(days=n) for n in range((until - begin).days + 1)]
    lines = []
    for i, (name, points) in enumerate(series):
        by_day: dict[date, int] = {}
        for day, count in points:
            by_day[day] = by_day.get(day, 0) + count
        running, total = [], 0
        for day in days:
            total += by_day.get(day, 0)
            running.append(max(total, 0))
        lines.append(Line(name, PALETTE[i % len(PALETTE)], running))
    ticks = nice_ticks(max((max(line.running, default=0) for line in lines), default=0))
    return ChartModel(days, lines, ticks[-1], ticks, through_today=today is not None and until == today)


def chart_height(size: Size, lines: int) -> int:
    """The pixel height of a rendering with `lines` series (pages size their images with it)."""
    top = size.font * 1.6
    return round(top + size.plot_height + size.font * 2.6 + lines * size.font * 1.6 + size.font * 0.6)


def running_rows(points: Series) -> list[tuple[date, int, int]]:
    """(day, net signatures, running total) for a data table beside a chart."""
    rows, total = [], 0
    for day, count in points:
        total += count
        rows.append((day, count, total))
    return rows


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _el(tag: str, text: str | None = None, **values: object) -> str:
    """One SVG element; attribute names use "_" for "-", values and text are escaped."""
    attrs = " ".join(f"{key.rstrip('_').replace('_', '-')}={quoteattr(str(v))}" for key, v in values.items())
    return f"<{tag} {attrs}/>" if text is None else f"<{tag} {attrs}>{escape(text)}</{tag}>"


def _n(value: float) -> str:
    return f"{value:.1f}"


def render_svg(model: ChartModel, title: str, size: Size = DESKTOP, text: ChartText | None = None) -> bytes:
    """The chart as a standalone SVG document sized for `size`, its words from `text`."""
    text = text or ChartText()
    font = size.font
    left, right, top = font * 3.6, font * 1.2, font * 1.6
    plot_w, plot_h = size.width - left - right, size.plot_height
    bottom = top + plot_h
    legend_top = bottom + font * 2.6
    height = str(chart_height(size, len(model.lines)))
    last_index = len(model.days) - 1

    def x_at(index: int) -> str:
        return _n(left + plot_w * index / max(last_index, 1))

    def y_at(value: float) -> str:
        return _n(bottom - plot_h * value / model.y_max)

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        _el(
            "svg",
            None,
            xmlns="http://www.w3.org/2000/svg",
            viewBox=f"0 0 {size.width} {height}",
            width=size.width,
            height=height,
            font_family=FONT,
            font_size=font,
            role="img",
        )[:-2]
        + ">",
        f"<title>{escape(title)}</title>",
        _el("rect", width="100%", height="100%", fill=PAPER),
    ]
    for tick in model.y_ticks:
        y = y_at(tick)
        parts.append(
            _el("line", x1=_n(left), x2=_n(left + plot_w), y1=y, y2=y, stroke=GRID if tick else MUTED)
        )
        label_y = _n(float(y) + font * 0.35)
        parts.append(
            _el("text", text.number(tick), x=_n(left - font * 0.5), y=label_y, text_anchor="end", fill=MUTED)
        )
    for index in model.x_ticks(size.x_labels):
        anchor = "middle"
        if last_index and index == 0:
            anchor = "start"
        elif last_index and index == last_index:
            anchor = "end"
        x = x_at(index)
        parts.append(_el("line", x1=x, x2=x, y1=_n(bottom), y2=_n(bottom + 5), stroke=MUTED))
        label = day_label(model.days[index], text.months)
        parts.append(_el("text", label, x=x, y=_n(bottom + font * 1.5), text_anchor=anchor, fill=MUTED))
    if model.through_today:
        x = x_at(last_index)
        parts.append(_el("line", x1=x, x2=x, y1=_n(top), y2=_n(bottom), stroke=MUTED, stroke_dasharray="4 4"))
        parts.append(
            _el("text", text.today, x=_n(float(x) - 4), y=_n(top + font * 0.9), text_anchor="end", fill=MUTED)
        )
    for line in model.lines:
        if len(line.running) == 1:
            parts.append(_el("circle", cx=x_at(0), cy=y_at(line.running[0]), r=4, fill=line.colour))
            continue
        points = " ".join(f"{x_at(i)},{y_at(v)}" for i, v in enumerate(line.running))
        parts.append(
            _el(
                "polyline",
                points=points,
                fill="none",
                stroke=line.colour,
                stroke_width=3,
                stroke_linejoin="round",
            )
        )
    for i, line in enumerate(model.lines):
        legend_y = legend_top + i * font * 1.6
        total = line.running[-1] if line.running else 0
        parts.append(
            _el(
                "rect",
                x=_n(left),
                y=_n(legend_y - font * 0.8),
                width=font,
                height=_n(font * 0.9),
                fill=line.colour,
            )
        )
        label = f"{_shorten(line.name, size.legend_chars)} ({text.number(total)})"
        parts.append(_el("text", label, x=_n(left + font * 1.5), y=_n(legend_y), fill=INK))
    if not any(any(line.running) for line in model.lines):
        middle = {"x": _n(left + plot_w / 2), "y": _n(top + plot_h / 2)}
        parts.append(_el("text", text.empty, **middle, text_anchor="middle", fill=MUTED))
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")


def timeline_svg(
    title: str,
    series: Sequence[tuple[str, Series]],
    *,
    until: date,
    today: date | None = None,
    start: date | None = None,
    size: str = "desktop",
    text: ChartText | None = None,
) -> bytes:
    """A line chart of running signature totals per named daily series, as SVG bytes."""
    model = build_model(series, start=start, until=until, today=today)
    return render_svg(model, title, SIZES.get(size, DESKTOP), text)
