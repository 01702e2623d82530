"""Charts as server-side SVG: horizontal bars, one row per group, the label above its bars and the value
printed beside each (or inside each stacked segment), so a chart reads on a 375 px phone, on paper and to a
screen reader (``role="img"``, ``<title>``, ``<desc>``). No script, no third-party code.

Each series has a colour that prints and a pattern (solid, hatched, dotted, cross-hatched) so that the
series stay apart in greyscale; the legend shows both. Every text is escaped here.
"""

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

#: The viewBox width: one unit is about one CSS pixel on a 375 px phone.
WIDTH = 360
FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
LABEL_HEIGHT = 16
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 8
#: Room kept right of the longest bar for its value.
VALUE_ROOM = 44
LEGEND_HEIGHT = 22
#: A label longer than this is cut (the table beside the chart has it whole).
LABEL_CHARS = 40

#: Colour-blind-safe colours that stay apart in print (Okabe–Ito), each with its own pattern.
PALETTE = (
    ("#0072B2", "solid"),
    ("#E69F00", "hatch"),
    ("#009E73", "dots"),
    ("#CC79A7", "cross"),
    ("#56B4E9", "hatch-back"),
)
_ids = count(1)


class Chart(Markup):
    """An SVG chart's markup that also knows its title (a page shows it as the figure's caption)."""

    def __new__(cls, title, markup):
        chart = super().__new__(cls, markup)
        chart.title = str(title)
        return chart


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name in the legend and, per row, its value (``None``: no value, shown "—")."""

    name: str
    values: tuple


def _pattern(pid: str, colour: str, kind: str) -> str:
    ink = 'stroke="#000" stroke-opacity=".55"'
    marks = {
        "solid": "",
        "hatch": f'<path d="M0 6 L6 0" {ink} stroke-width="1.2"/>',
        "hatch-back": f'<path d="M0 0 L6 6" {ink} stroke-width="1.2"/>',
        "dots": '<circle cx="3" cy="3" r="1.2" fill="#000" fill-opacity=".55"/>',
        "cross": f'<path d="M0 6 L6 0 M0 0 L6 6" {ink} stroke-width=".9"/>',
    }[kind]
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
    )


def _text(x, y, text, *, anchor="start", size=11, weight=None, fill="#212529") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{bold}>'
        f"{escape(text)}</text>"
    )


def _cut(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(
    title: str,
    description: str,
    labels,
    series,
    *,
    stacked: bool = False,
    maximum: float | None = None,
    show=str,
    empty: str = "—",
) -> Chart:
    """An SVG chart of ``labels`` (one row each) and ``series``: side by side (grouped, one bar per series)
    or ``stacked`` in one bar (the row's total printed at its end). ``maximum`` fixes the scale (1 for
    rates); ``show`` writes a value (``"50%"``). A value of ``None`` draws no bar and prints ``empty``."""
    labels = [str(label) for label in labels]
    series = [Series(str(s.name), tuple(s.values)) for s in series]
    chart = next(_ids)
    patterns = [(f"chart{chart}-p{i}", *PALETTE[i % len(PALETTE)]) for i in range(len(series))]
    totals = [sum(s.values[row] or 0 for s in series) for row in range(len(labels))]
    values = totals if stacked else [v for s in series for v in s.values if v is not None]
    top = maximum or max(values, default=0) or 1
    span = WIDTH - VALUE_ROOM
    bars_per_row = 1 if stacked else len(series)
    row_height = LABEL_HEIGHT + bars_per_row * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    places = _legend_places(series) if len(series) > 1 else []
    legend = (places[-1][1] + LEGEND_HEIGHT) if places else 0
    height = legend + max(len(labels), 1) * row_height + 4

    out = []
    tid, did = f"chart{chart}-title", f"chart{chart}-desc"
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'aria-describedby="{did}" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}">'
    )
    out.append(f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(description)}</desc>')
    out.append("<defs>" + "".join(_pattern(*p) for p in patterns) + "</defs>")
    for (x, y), (pid, *_), s in zip(places, patterns, series, strict=False):
        out.append(
            f'<g class="chart-legend"><rect x="{x:g}" y="{y + 4}" width="12" height="12" fill="url(#{pid})" '
            f'stroke="#000" stroke-width=".5"/>{_text(x + 16, y + 14, s.name, size=10)}</g>'
        )
    if not labels:
        out.append(_text(0, legend + 14, empty, fill="#6c757d"))
    for row, label in enumerate(labels):
        y = legend + row * row_height
        out.append(f'<g class="chart-row" data-label="{escape(label)}">')
        out.append(_text(0, y + 12, _cut(label), size=11, weight="600"))
        y += LABEL_HEIGHT
        if stacked:
            out.append(_stacked(y, [s.values[row] for s in series], series, patterns, top, span, show))
            out.append(_text(span * totals[row] / top + 4, y + 11, show(totals[row]), size=10))
        else:
            for (pid, *_), s in zip(patterns, series, strict=True):
                out.append(_bar(y, s.values[row], s.name, pid, top, span, show, empty))
                y += BAR_HEIGHT + BAR_GAP
        out.append("</g>")
    out.append("</svg>")
    return Chart(title, Markup("".join(out)))


def _width(text: str, size: int = 10) -> float:
    """About how wide ``text`` is drawn: a Chinese character is square, a Latin one about half that."""
    return sum(size if ord(c) > 0x2E80 else size * 0.6 for c in text)


def _legend_places(series) -> list[tuple[float, float]]:
    """Where each legend entry goes: left to right, on a new line when the width is used up."""
    places, x, y = [], 0.0, 0.0
    for s in series:
        width = 16 + _width(s.name) + 12
        if x and x + width > WIDTH:
            x, y = 0.0, y + 18
        places.append((x, y))
        x += width
    return places


def _bar(y, value, name, pid, top, span, show, empty) -> str:
    if value is None:
        return _text(0, y + 11, empty, size=10, fill="#495057")
    width = max(span * value / top, 0)
    shown = show(value)
    return (
        f'<rect class="chart-bar" x="0" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="url(#{pid})" '
        f'stroke="#000" stroke-width=".5" data-series="{escape(name)}" data-value="{value}">'
        f"<title>{escape(name)}: {escape(shown)}</title></rect>" + _text(width + 4, y + 11, shown, size=10)
    )


def _stacked(y, values, series, patterns, top, span, show) -> str:
    out, x = [], 0.0
    for value, s, (pid, *_) in zip(values, series, patterns, strict=True):
        if not value:
            continue
        width = span * value / top
        out.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="url(#{pid})" stroke="#000" stroke-width=".5" data-series="{escape(s.name)}" '
            f'data-value="{value}"><title>{escape(s.name)}: {escape(show(value))}</title></rect>'
        )
        plate = _width(show(value), 9) + 6
        if width >= plate + 2:  # the value inside its segment, on a white plate
            cx = x + width / 2
            out.append(
                f'<rect x="{cx - plate / 2:.1f}" y="{y + 2}" width="{plate:.1f}" height="{BAR_HEIGHT - 4}" '
                'fill="#fff" rx="2"/>' + _text(cx, y + 11, show(value), anchor="middle", size=9)
            )
        x += width
    return "".join(out)


def percent(value) -> str:
    """A share as the charts and tables print it: "50%"; "—" when there is none."""
    return "—" if value is None else f"{round(value * 100)}%"
