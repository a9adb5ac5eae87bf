"""Shared reportlab layout for the printed forms: A4, one Chinese font, boxes like paper forms.

The font is reportlab's built-in CID font STSong-Light (Adobe-GB1): no font file to ship,
and the text stays extractable (pypdf), so tests can read what a document says.

`Document` keeps a cursor `y` that moves down the page: `title`, `line`, `form` (a grid
of label/value boxes), `table`, `paragraph`, `signatures`. Every page gets a footer with
its number out of the total and the print date.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 18 * mm  # the footer lives below this line
BODY = 10.5
LEADING = 1.55  # line height as a multiple of the font size
PAD = 2.2 * mm  # inside a box
SHADE = Color(0.93, 0.94, 0.95)
GREY = Color(0.35, 0.35, 0.35)
ELLIPSIS = "……"

# 避头: punctuation that may not start a line; 避尾: openers that may not end one.
NO_LINE_START = frozenset("，。、；：！？）》」』”’〕】%‰,.;:!?)]}…·")
NO_LINE_END = frozenset("（《「『“‘〔【([{")
# Latin words, numbers, codes and phone numbers stay whole when they fit on a line.
_TOKEN = re.compile(r"[A-Za-z0-9@#%&_+\-./:*¥￥]+|[ \t]+|.", re.S)

_font_registered = False


def register_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


def text_width(text: str, size: float = BODY) -> float:
    register_font()
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, width: float, size: float = BODY) -> list[str]:
    """Break `text` into lines no wider than `width` points.

    Chinese breaks between any two characters; Latin words and numbers break only when
    they alone are wider than the line. A closing mark never starts a line (the last
    character moves down with it), an opening mark never ends one. Line breaks in the
    text are kept.
    """
    lines: list[str] = []
    for paragraph in str(text or "").splitlines() or [""]:
        tokens: list[str] = []
        for token in _TOKEN.findall(paragraph.replace("\t", " ")):
            if not token.strip(" \t"):  # ASCII spaces collapse; 全角空格 (indent) stays
                tokens.append(" ")
            elif text_width(token, size) > width:
                tokens.extend(token)  # a word longer than the line: break it anywhere
            else:
                tokens.append(token)
        line = ""
        for token in tokens:
            if not line and token == " ":
                continue
            if text_width(line + token, size) <= width or not line:
                line += token
                continue
            carry = ""
            if token[0] in NO_LINE_START and len(line) > 1:
                carry, line = line[-1], line[:-1]
            while len(line) > 1 and line[-1] in NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line.rstrip())
            line = (carry + token).lstrip()
        lines.append(line.rstrip())
    return lines


def clip(lines: list[str], max_lines: int | None, width: float, size: float) -> list[str]:
    """At most `max_lines` lines; the last one ends with an ellipsis when text was cut."""
    if max_lines is None or len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width(last + ELLIPSIS, size) > width:
        last = last[:-1]
    kept[-1] = last + ELLIPSIS
    return kept


@dataclass
class Cell:
    """One label/value box of a form row. `span` is how many label/value column pairs the
    value stretches over (the label stays one box wide)."""

    label: str
    value: str = ""
    span: int = 1
    min_lines: int = 1
    max_lines: int | None = None


class _NumberedCanvas(canvas.Canvas):
    """Holds pages back until the end so each footer can say "page n of total"."""

    def __init__(self, *args, footer: str = "", printed_on: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._printed_on = printed_on
        self._held: list[dict] = []

    def showPage(self):
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._draw_footer(total)
            canvas.Canvas.showPage(self)
        canvas.Canvas.save(self)

    def _draw_footer(self, total: int) -> None:
        y = MARGIN_BOTTOM - 7 * mm
        self.setStrokeColor(GREY)
        self.setLineWidth(0.4)
        self.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
        self.setFillColor(GREY)
        self.setFont(FONT, 8)
        if self._footer:
            self.drawString(MARGIN_X, y, self._footer)
        self.drawCentredString(PAGE_WIDTH / 2, y, f"第 {self._pageNumber} 页 / 共 {total} 页")
        if self._printed_on:
            self.drawRightString(PAGE_WIDTH - MARGIN_X, y, f"打印日期 {self._printed_on}")
        self.setFillColor(black)
        self.setStrokeColor(black)


class Document:
    """An A4 document drawn top to bottom. Call `finish()` once for the PDF's bytes."""

    def __init__(
        self,
        *,
        title: str,
        author: str = "",
        subject: str = "",
        footer: str = "",
        printed_on: date | None = None,
    ) -> None:
        register_font()
        self._buffer = BytesIO()
        self.c = _NumberedCanvas(
            self._buffer,
            pagesize=A4,
            footer=footer,
            printed_on=printed_on.isoformat() if printed_on else "",
            pageCompression=1,
        )
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setSubject(subject)
        self.c.setCreator("OwnerDesk 业主服务台")
        self.left = MARGIN_X
        self.right = PAGE_WIDTH - MARGIN_X
        self.width = self.right - self.left
        self.y = PAGE_HEIGHT - MARGIN_TOP

    # ---- the cursor ----------------------------------------------------------------------

    def new_page(self) -> None:
        self.c.showPage()
        self.y = PAGE_HEIGHT - MARGIN_TOP

    def space(self, height: float) -> None:
        self.y -= height

    def room(self) -> float:
        return self.y - MARGIN_BOTTOM

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` points still fit on this one."""
        if self.room() < height:
            self.new_page()

    # ---- text ------------------------------------------------------------------------------

    def _text(
        self, x: float, y: float, text: str, size: float, *, align: str = "l", bold=False
    ) -> None:
        if align == "c":
            x -= text_width(text, size) / 2
        elif align == "r":
            x -= text_width(text, size)
        # The CID font has no bold face: bold text is filled and its outline stroked.
        # The render mode is graphics state that outlives the text object: save/restore.
        self.c.saveState()
        t = self.c.beginText()
        t.setFont(FONT, size)
        if bold:
            t.setTextRenderMode(2)
            self.c.setLineWidth(size * 0.035)
        t.setTextOrigin(x, y)
        t.textOut(text)
        self.c.drawText(t)
        self.c.restoreState()

    def title(self, text: str, *, size: float = 20, subtitle: str = "") -> None:
        self.ensure(size * 2.5)
        self.y -= size
        self._text(PAGE_WIDTH / 2, self.y, text, size, align="c", bold=True)
        self.y -= size * 0.6
        if subtitle:
            self.y -= BODY * 1.2
            self._text(PAGE_WIDTH / 2, self.y, subtitle, BODY + 1, align="c")
            self.y -= BODY * 0.6
        self.y -= 3 * mm

    def heading(self, text: str, *, size: float = 12) -> None:
        self.ensure(size * 3)
        self.y -= size * 1.4
        self._text(self.left, self.y, text, size, bold=True)
        self.y -= size * 0.6

    def line(self, left: str = "", right: str = "", *, size: float = BODY) -> None:
        """One line with text at the left margin and/or at the right margin."""
        self.ensure(size * LEADING)
        self.y -= size * LEADING
        if left:
            self._text(self.left, self.y, left, size)
        if right:
            self._text(self.right, self.y, right, size, align="r")
        self.y -= size * 0.3

    def paragraph(
        self,
        text: str,
        *,
        size: float = BODY,
        indent: float = 0,
        first_line_indent: bool = False,
        max_lines: int | None = None,
    ) -> None:
        """Wrapped text; `first_line_indent` indents by two characters (首行缩进)."""
        width = self.width - indent
        lead = "\u3000\u3000" if first_line_indent else ""
        lines = clip(wrap(lead + text, width, size), max_lines, width, size)
        for line in lines:
            self.ensure(size * LEADING)
            self.y -= size * LEADING
            self._text(self.left + indent, self.y, line, size)
        self.y -= size * 0.4

    # ---- boxes -----------------------------------------------------------------------------

    def form(
        self,
        rows: Sequence[Sequence[Cell]],
        *,
        columns: int = 2,
        label_width: float = 26 * mm,
        size: float = BODY,
    ) -> None:
        """A grid of label/value boxes, `columns` pairs to a row; a cell may span pairs."""
        value_width = (self.width - columns * label_width) / columns
        leading = size * LEADING
        for row in rows:
            laid = []
            for cell in row:
                vw = cell.span * value_width + (cell.span - 1) * label_width
                inner = vw - 2 * PAD
                value_lines = clip(wrap(cell.value, inner, size), cell.max_lines, inner, size)
                label_lines = wrap(cell.label, label_width - 2 * PAD, size)
                laid.append((cell, vw, label_lines, value_lines))
            n_lines = max(max(len(lab), len(val), c.min_lines) for c, _w, lab, val in laid)
            height = n_lines * leading + 2 * PAD - (leading - size)
            self.ensure(height)
            top = self.y
            x = self.left
            for _cell, vw, label_lines, value_lines in laid:
                self.c.setFillColor(SHADE)
                self.c.rect(x, top - height, label_width, height, stroke=0, fill=1)
                self.c.setFillColor(black)
                label_top = top - (height - len(label_lines) * leading + (leading - size)) / 2
                for i, text in enumerate(label_lines):
                    self._text(x + label_width / 2, label_top - size * 0.88 - i * leading, text, size, align="c")  # fmt: skip
                for i, text in enumerate(value_lines):
                    self._text(x + label_width + PAD, top - PAD - size * 0.88 - i * leading, text, size)  # fmt: skip
                self.c.setLineWidth(0.6)
                self.c.rect(x, top - height, label_width, height, stroke=1, fill=0)
                self.c.rect(x + label_width, top - height, vw, height, stroke=1, fill=0)
                x += label_width + vw
            self.y = top - height

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        aligns: str = "",
        size: float = BODY,
        min_rows: int = 0,
    ) -> None:
        """A ruled table; `widths` are fractions of the text width, `aligns` one of l/c/r
        per column. Empty rows are added up to `min_rows` (room to write by hand)."""
        col_widths = [w * self.width / sum(widths) for w in widths]
        aligns = (aligns or "l" * len(headers)).ljust(len(headers), "l")
        leading = size * LEADING
        body = [list(r) for r in rows] + [[""] * len(headers)] * max(0, min_rows - len(rows))
        for index, row in enumerate([list(headers), *body]):
            cells = [wrap(str(v), w - 2 * PAD, size) for v, w in zip(row, col_widths, strict=True)]
            height = max(len(c) for c in cells) * leading + 2 * PAD - (leading - size)
            self.ensure(height)
            top = self.y
            x = self.left
            for lines, w, align in zip(cells, col_widths, aligns, strict=True):
                if index == 0:
                    self.c.setFillColor(SHADE)
                    self.c.rect(x, top - height, w, height, stroke=0, fill=1)
                    self.c.setFillColor(black)
                anchor = {"l": x + PAD, "c": x + w / 2, "r": x + w - PAD}[align]
                for i, text in enumerate(lines):
                    self._text(anchor, top - PAD - size * 0.88 - i * leading, text, size, align=align)  # fmt: skip
                self.c.setLineWidth(0.6)
                self.c.rect(x, top - height, w, height, stroke=1, fill=0)
                x += w
            self.y = top - height

    def signatures(
        self, labels: Sequence[str], *, per_row: int = 2, size: float = BODY, gap: float = 9 * mm
    ) -> None:
        """Signature lines: each label followed by a line to sign on."""
        slot = self.width / per_row
        for start in range(0, len(labels), per_row):
            self.ensure(gap + size)
            self.y -= gap
            for i, label in enumerate(labels[start : start + per_row]):
                x = self.left + i * slot
                self._text(x, self.y, label, size)
                line_from = x + text_width(label, size) + 1.5 * mm
                self.c.setLineWidth(0.6)
                self.c.line(line_from, self.y - 1.5, x + slot - 6 * mm, self.y - 1.5)

    def rule(self, *, dashed: bool = False) -> None:
        self.ensure(4 * mm)
        self.y -= 2 * mm
        self.c.setLineWidth(0.5)
        if dashed:
            self.c.setDash(3, 2)
        self.c.line(self.left, self.y, self.right, self.y)
        self.c.setDash()
        self.y -= 2 * mm

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self._buffer.getvalue()
