"""Charts of the monthly page as inline SVG, drawn on the server: no script, no CDN.

The charts are sized in percentages of their width and in pixels of their height, with
no viewBox: they stretch to any card width while their text keeps its size, so the
labels stay readable on a phone. Every chart is an `<svg role="img">` with a <title>
and a <desc> that says in words what it shows; every bar and point carries its number.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count, pairwise

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BRAND = "#0f5e6b"
TRACK = "#e3f1f2"
INK = "#1f2a30"
MUTED = "#5f6d75"
GRID = "#dde3e6"

# Horizontal bars: the label column, then the bar, then room for the number.
LABEL_END = 34  # % of the width where the right-aligned labels end
BAR_START = 36
BAR_SPAN = 50  # the longest bar reaches BAR_START + BAR_SPAN %
ROW = 30
BAR_HEIGHT = 18
FONT = 13
# Labels are cut to fit the label column of a phone (about 115 px at 13 px).
LABEL_EM = 8.5

_ids = count(1)


def _em(text: str) -> float:
    """Rough width in ems: CJK and full-width characters 1, the rest about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.52 for ch in text)


def fit(text: str, em: float = LABEL_EM) -> str:
    text = str(text)
    if _em(text) <= em:
        return text
    while text and _em(text + "…") > em:
        text = text[:-1]
    return text + "…"


def fit_lines(text: str, em: float = LABEL_EM) -> list[str]:
    """One line when it fits, else two (the second cut with an ellipsis if need be)."""
    text = str(text)
    if _em(text) <= em:
        return [text]
    cut = len(text)
    while cut > 1 and _em(text[:cut]) > em:
        cut -= 1
    # Latin text breaks between words when the first line can end at a space.
    space = text.rfind(" ", 0, cut + 1)
    if space > 0:
        cut = space
    return [text[:cut].rstrip(), fit(text[cut:].lstrip(), em)]


def _label(text: str, x: float, mid: float) -> SafeString:
    """A bar's label, right-aligned at `x`%, on one line or two around the bar's middle."""
    lines = fit_lines(text)
    if len(lines) == 1:
        return format_html(
            '<text x="{x}%" y="{y}" text-anchor="end" font-size="{fs}" fill="{ink}">{t}</text>',
            x=x,
            y=f"{mid + FONT * 0.36:.1f}",
            fs=FONT,
            ink=INK,
            t=lines[0],
        )
    size = FONT - 1.5
    return format_html(
        '<text text-anchor="end" font-size="{fs}" fill="{ink}">'
        '<tspan x="{x}%" y="{y1}">{a}</tspan><tspan x="{x}%" y="{y2}">{b}</tspan></text>',
        fs=size,
        ink=INK,
        x=x,
        y1=f"{mid - 1.5:.1f}",
        y2=f"{mid + size:.1f}",
        a=lines[0],
        b=lines[1],
    )


def _svg_open(kind: str, height: int, title: str, desc: str) -> tuple[SafeString, str]:
    uid = f"chart-{kind}-{next(_ids)}"
    head = format_html(
        '<svg class="chart chart-{kind}" width="100%" height="{h}" role="img" '
        'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>',
        kind=kind,
        h=height,
        uid=uid,
        title=title,
        desc=desc,
    )
    return head, uid


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # a count, or a share 0–1 when the chart is in percent
    text: str  # the number written on the bar
    note: str = ""  # more detail, in the bar's tooltip and the description
    heading: bool = False  # a row naming the group of bars below it, with no bar


HEADING_ROW = 24


def bar_chart(
    *, title: str, bars: Sequence[Bar], percent: bool = False, empty: str = ""
) -> SafeString:
    """Horizontal bars, one row each, the number at the end of the bar. In percent the
    bar area is the whole 0–100% scale, drawn as a pale track behind each bar."""
    if not any(not b.heading for b in bars):
        return format_html('<p class="chart-empty muted">{}</p>', empty or _("Nothing to show."))
    top = max((b.value for b in bars if not b.heading), default=0) or 1
    scale = 1.0 if percent else top
    desc = _("; ").join(
        b.label if b.heading else f"{b.label}: {b.text}" + (f" ({b.note})" if b.note else "")
        for b in bars
    )
    height = sum(HEADING_ROW if b.heading else ROW for b in bars) + 8
    head, _uid = _svg_open("bar", height, title, desc)
    rows = []
    y = 4
    for b in bars:
        if b.heading:
            rows.append(
                format_html(
                    '<text x="0" y="{y}" font-size="{fs}" font-weight="600" fill="{m}">{t}</text>',
                    y=f"{y + HEADING_ROW - 7:.1f}",
                    fs=FONT - 1,
                    m=MUTED,
                    t=b.label,
                )
            )
            y += HEADING_ROW
            continue
        mid = y + ROW / 2
        y += ROW
        width = BAR_SPAN * max(0.0, min(b.value / scale, 1.0))
        tooltip = f"{b.label}: {b.text}" + (f" ({b.note})" if b.note else "")
        track = (
            format_html(
                '<rect x="{x}%" y="{y}" width="{w}%" height="{h}" rx="3" fill="{c}"/>',
                x=BAR_START,
                y=mid - BAR_HEIGHT / 2,
                w=BAR_SPAN,
                h=BAR_HEIGHT,
                c=TRACK,
            )
            if percent
            else ""
        )
        number_x = BAR_START + (BAR_SPAN if percent else width)
        rows.append(
            format_html(
                '<g class="bar"><title>{tooltip}</title>'
                "{label}{track}"
                '<rect x="{bx}%" y="{by}" width="{bw}%" height="{bh}" rx="3" fill="{brand}"/>'
                '<text x="{nx}%" dx="6" y="{ty}" font-size="{fs}" font-weight="600" fill="{ink}">{text}</text>'
                "</g>",
                tooltip=tooltip,
                ty=f"{mid + FONT * 0.36:.1f}",
                fs=FONT,
                ink=INK,
                label=_label(b.label, LABEL_END, mid),
                track=track,
                bx=BAR_START,
                by=mid - BAR_HEIGHT / 2,
                bw=f"{width:.2f}",
                bh=BAR_HEIGHT,
                brand=BRAND,
                nx=f"{number_x:.2f}",
                text=b.text,
            )
        )
    return mark_safe(head + "".join(rows) + "</svg>")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no value that month (the line breaks)
    color: str
    texts: Sequence[str] | None = None  # numbers written at the points; None: none


# The line chart's plot area.
PLOT_LEFT = 11  # %
PLOT_RIGHT = 96  # %
PLOT_TOP = 34  # px: the legend lives above
PLOT_HEIGHT = 150


def _x(i: int, n: int) -> float:
    """The middle of the i-th of n equal bands: no point sits on the value axis."""
    return PLOT_LEFT + (i + 0.5) * (PLOT_RIGHT - PLOT_LEFT) / n


def line_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[tuple[str, str, str]],
    series: Sequence[Series],
    y_min: float = 0,
    y_max: float | None = None,
    ticks: Sequence[float] = (),
    legend: Sequence[str] | None = None,
) -> SafeString:
    """Lines over the months. `labels`: per point (month, short month, year or ""), the
    year written under the month where it changes. `ticks`: the values given a grid line; `legend`
    the text of each series' key (default: its name)."""
    n = len(labels)
    values = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else max([*values, *ticks, 1])
    span = (top - y_min) or 1

    def y(v: float) -> float:
        return PLOT_TOP + PLOT_HEIGHT * (1 - (v - y_min) / span)

    height = PLOT_TOP + PLOT_HEIGHT + 40
    head, _uid = _svg_open("line", height, title, desc)
    parts: list[str] = []
    for t in ticks:
        parts.append(
            format_html(
                '<line x1="{l}%" x2="{r}%" y1="{y}" y2="{y}" stroke="{c}" stroke-width="1"/>'
                '<text x="{lx}%" dx="-6" y="{ty}" text-anchor="end" font-size="11" fill="{m}">{t}</text>',
                l=PLOT_LEFT,
                r=PLOT_RIGHT,
                y=f"{y(t):.1f}",
                c=GRID,
                lx=PLOT_LEFT,
                ty=f"{y(t) + 4:.1f}",
                m=MUTED,
                t=f"{t:g}",
            )
        )
    base = PLOT_TOP + PLOT_HEIGHT
    parts.append(
        format_html(
            '<line x1="{l}%" x2="{r}%" y1="{y}" y2="{y}" stroke="{c}" stroke-width="1"/>',
            l=PLOT_LEFT,
            r=PLOT_RIGHT,
            y=base,
            c=MUTED,
        )
    )
    for i, (long_label, short_label, year_label) in enumerate(labels):
        # Both forms are drawn; the page's stylesheet shows the short one on phones.
        parts.append(
            format_html(
                '<text class="axis-long" x="{x}%" y="{y}" text-anchor="middle" font-size="11" fill="{m}">{t}</text>'
                '<text class="axis-short" x="{x}%" y="{y}" text-anchor="middle" font-size="11" fill="{m}">{s}</text>',
                x=f"{_x(i, n):.2f}",
                y=base + 16,
                m=MUTED,
                t=long_label,
                s=short_label,
            )
        )
        if year_label:
            parts.append(
                format_html(
                    '<text x="{x}%" y="{y}" text-anchor="middle" font-size="10" fill="{m}">{t}</text>',
                    x=f"{_x(i, n):.2f}",
                    y=base + 30,
                    m=MUTED,
                    t=year_label,
                )
            )
    for s in series:
        points = [(i, v) for i, v in enumerate(s.values)]
        for (i, a), (j, b) in pairwise(points):
            if a is None or b is None:
                continue
            parts.append(
                format_html(
                    '<line x1="{x1}%" y1="{y1}" x2="{x2}%" y2="{y2}" '
                    'stroke="{c}" stroke-width="2.5" stroke-linecap="round"/>',
                    x1=f"{_x(i, n):.2f}",
                    y1=f"{y(a):.1f}",
                    x2=f"{_x(j, n):.2f}",
                    y2=f"{y(b):.1f}",
                    c=s.color,
                )
            )
        for i, v in points:
            if v is None:
                continue
            parts.append(
                format_html(
                    '<circle cx="{x}%" cy="{y}" r="3.5" fill="#fff" stroke="{c}" stroke-width="2">'
                    "<title>{tip}</title></circle>",
                    x=f"{_x(i, n):.2f}",
                    y=f"{y(v):.1f}",
                    c=s.color,
                    tip=f"{s.name} {labels[i][0]}: {s.texts[i] if s.texts else f'{v:g}'}",
                )
            )
            if s.texts:
                parts.append(
                    format_html(
                        '<text x="{x}%" y="{y}" text-anchor="middle" font-size="11" '
                        'font-weight="600" fill="{ink}">{t}</text>',
                        x=f"{_x(i, n):.2f}",
                        y=f"{y(v) - 9:.1f}",
                        ink=INK,
                        t=s.texts[i],
                    )
                )
    keys = legend or [s.name for s in series]
    parts.append(
        format_html_join(
            "",
            '<g class="legend"><rect x="{}" y="8" width="12" height="12" rx="2" fill="{}"/>'
            '<text x="{}" y="18" font-size="12" fill="{}">{}</text></g>',
            (
                (4 + k * 110, s.color, 20 + k * 110, INK, key)
                for k, (s, key) in enumerate(zip(series, keys, strict=True))
            ),
        )
    )
    return mark_safe(head + "".join(parts) + "</svg>")
