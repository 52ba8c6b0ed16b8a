"""Charts drawn on the server as inline SVG: nothing fetched at run time, nothing to vendor.

A chart is a `Chart` (title, rows of labelled segments, where each row links); the template
renders `svg()` beside a table of the same numbers for screen readers, and a link to the
filtered list behind each bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

# Colours with text contrast >= 4.5:1 against white labels / the page (AA).
COLORS = {"blue": "#1d4ed8", "yellow": "#8a5a00", "red": "#b42318", "green": "#1e6b3a", "grey": "#4b5563",
          "high": "#b42318", "medium": "#9a4a00", "low": "#3f6212", "none": "#4b5563"}
BAR_H = 22
GAP = 8
LABEL_W = 124
WIDTH = 440


@dataclass(slots=True)
class Segment:
    label: str
    value: int
    color: str  # a key of COLORS


@dataclass(slots=True)
class Row:
    label: str
    segments: list[Segment]
    link: str | None = None
    short: str | None = None  # the label drawn beside the bar when the full one is long (the table keeps it)

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


@dataclass(slots=True)
class Chart:
    key: str
    title: str
    rows: list[Row]
    link: str | None = None  # the whole list behind the chart
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour key)

    @property
    def columns(self) -> list[str]:
        """Segment labels in the order they first appear: the data table's columns."""
        seen: list[str] = []
        for r in self.rows:
            for s in r.segments:
                if s.label not in seen:
                    seen.append(s.label)
        return seen

    def value(self, row: Row, column: str) -> int:
        return sum(s.value for s in row.segments if s.label == column)

    @property
    def empty(self) -> bool:
        return not any(r.total for r in self.rows)

    def svg(self) -> Markup:
        """Horizontal (stacked) bars, one per row, each bar a link when the row has one."""
        top = max((r.total for r in self.rows), default=0) or 1
        span = WIDTH - LABEL_W - 50
        height = len(self.rows) * (BAR_H + GAP) + GAP
        out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
               f'aria-labelledby="chart-{self.key}-title" focusable="false">']
        for i, row in enumerate(self.rows):
            y = GAP + i * (BAR_H + GAP)
            parts = [f'<text x="{LABEL_W - 8}" y="{y + BAR_H * 0.72:.1f}" text-anchor="end" class="chart-label">'
                     f'{escape(_short(row.short or row.label))}</text>']
            x = float(LABEL_W)
            for seg in row.segments:
                if seg.value <= 0:
                    continue
                w = max(2.0, span * seg.value / top)
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{COLORS[seg.color]}">'
                             f'<title>{escape(row.label)} · {escape(seg.label)}:{seg.value}</title></rect>')
                x += w
            parts.append(f'<text x="{x + 6:.1f}" y="{y + BAR_H * 0.72:.1f}" class="chart-value">{row.total}</text>')
            body = "".join(parts)
            if row.link:
                body = f'<a href="{escape(row.link)}" aria-label="{escape(row.label)}:{row.total}">{body}</a>'
            out.append(body)
        out.append("</svg>")
        return Markup("".join(out))  # noqa: S704 (every text part is escaped above)


def _short(label: str, limit: int = 8) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
