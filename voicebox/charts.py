"""Server-side charts as SVG documents (pygal), with no JavaScript in them (no Flask here).

pygal adds a script element (a CDN tooltip library and an inline config) to every chart;
both are removed, so a chart is a plain picture: nothing runs, nothing is fetched.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from itertools import accumulate
from typing import Any

import pygal
from pygal.etree import etree
from pygal.style import CleanStyle

# pygal appends an old-style import hook (for its optional map plugins) to sys.meta_path;
# it makes every later failed import warn, so it is taken out again. voicebox uses no maps.
sys.meta_path[:] = [hook for hook in sys.meta_path if type(hook).__name__ != "PluginImportFixer"]

Series = Sequence[tuple[date, int]]
LABEL_MAX = 40
# Served as its own resource: even opened directly, a chart may run and fetch nothing.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


def _strip_scripts(root: Any) -> Any:
    """Remove every script element and comment from a rendered pygal tree."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag
            if callable(tag) or (isinstance(tag, str) and tag.rsplit("}", 1)[-1] == "script"):
                parent.remove(child)
    return root


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def timeline_svg(title: str, series: Sequence[tuple[str, Series]], *, ascii_only: bool = False) -> bytes:
    """A line chart of cumulative signatures per day for each named daily series, as SVG bytes."""
    days = sorted({day for _, points in series for day, _ in points})
    config = pygal.Config(
        js=[],
        width=800,
        height=360,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_count=8,
        truncate_legend=-1,
        legend_at_bottom=True,
        show_dots=len(days) <= 60,
        no_data_text="No signatures yet",
        style=CleanStyle,
    )
    chart = pygal.Line(config, title=title)
    chart.x_labels = [day.isoformat() for day in days]
    for name, points in series:
        by_day = dict(points)
        running = list(accumulate(by_day.get(day, 0) for day in days))
        label = _short(name)
        if ascii_only:
            # The PDF's built-in chart fonts carry Latin-1 only; the text beside it names each series.
            label = label.encode("latin-1", "replace").decode("latin-1")
        chart.add(label, running)
    root = _strip_scripts(chart.render_tree())
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
