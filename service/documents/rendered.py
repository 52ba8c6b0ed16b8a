"""GB/T 9704-2012 checked on the rendered page: a PDF read with pdfplumber, not the .docx XML.

What a 秘书 sees: the 发文机关标志 35 mm below the 版心's top, the 版记 ending on the 版心's
bottom edge of the last page, full-width punctuation, 28 characters a line and 22 lines a
page, balanced title lines, the 成文日期 four characters from the right with the 署名 centred
over it and body text above them on their page, page numbers, and a 宋/仿宋 face for the 正文.
Each rule passes, fails or does not
apply (None) to a document without that part, like the .docx rules in checker.py.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from service.documents import gbt9704 as gb
from service.documents.checker import RuleResult

PT = 72 / 25.4
LEFT = gb.MARGINS_MM["left"] * PT
RIGHT = (gb.PAGE_MM[0] - gb.MARGINS_MM["right"]) * PT
TOP = gb.MARGINS_MM["top"] * PT
BOTTOM = (gb.PAGE_MM[1] - gb.MARGINS_MM["bottom"]) * PT
PITCH = gb.LINE_PITCH_TWIPS / 20
_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_NEXT_TO_CJK = re.compile(r"[\u3400-\u9fff][,:;()?!\"]|[,:;()?!\"][\u3400-\u9fff]")
_HEADING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_PAGE_NUMBER = re.compile(r"^—(\d+)—$")
SERIF = ("Serif", "Song", "Sun", "Ming", "Fang", "仿宋", "宋")


@dataclass(slots=True)
class Line:
    """Characters sharing a baseline on one page."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    red: bool
    chars: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars).replace(" ", "")

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Page:
    index: int
    lines: list[Line]
    rules: list[float]  # tops of the horizontal lines wider than half the 版心


def read(pdf: bytes) -> list[Page]:
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for index, page in enumerate(document.pages):
            lines: list[Line] = []
            for c in sorted(page.chars, key=lambda c: (round(c["bottom"]), c["x0"])):
                if c["text"].isspace():
                    continue
                line = next((ln for ln in lines if abs(ln.bottom - c["bottom"]) < 4), None)
                if line is None:
                    colour = c.get("non_stroking_color") or (0,)
                    red = isinstance(colour, tuple | list) and len(colour) == 3 and colour[0] > 0.8 > colour[1]
                    line = Line(index, c["top"], c["bottom"], c["x0"], c["x1"], c["size"], red)
                    lines.append(line)
                line.chars.append(c)
                line.top, line.x0, line.x1 = min(line.top, c["top"]), min(line.x0, c["x0"]), max(line.x1, c["x1"])
                line.size = max(line.size, c["size"])
            for line in lines:
                line.chars.sort(key=lambda c: c["x0"])
            lines.sort(key=lambda ln: ln.top)
            rules = sorted({round(e["top"], 1) for e in page.edges
                            if e["orientation"] == "h" and e["x1"] - e["x0"] > (RIGHT - LEFT) / 2})
            pages.append(Page(index, lines, rules))
    return pages


def _rule(rule: str, title: str, passed: bool | None, found: str) -> RuleResult:
    return RuleResult(f"rendered_{rule}", f"版面:{title}", passed, found)


def issuer_position(pages: list[Page]) -> RuleResult:
    red = [ln for ln in pages[0].lines if ln.red and ln.size >= gb.TITLE_PT] if pages else []
    if not red:
        return _rule("issuer", "发文机关标志上边缘距版心上边缘35mm", None, "无发文机关标志")
    mm = (red[0].top - TOP) / PT
    return _rule("issuer", "发文机关标志上边缘距版心上边缘35mm", abs(mm - 35) <= 1.0, f"{mm:.1f}mm")


def record_at_foot(pages: list[Page]) -> RuleResult:
    title = "版记位于最后一页版心下边缘"
    printed = [ln for ln in pages[-1].lines if ln.text.endswith("印发")] if pages else []
    if not any(ln.text.endswith("印发") for p in pages for ln in p.lines):
        return _rule("record", title, None, "无版记")
    if not printed:
        return _rule("record", title, False, "版记不在最后一页")
    below = [r for r in pages[-1].rules if r > printed[-1].top]
    if not below:
        return _rule("record", title, False, "印发机关一行下无分隔线")
    mm = (BOTTOM - below[0]) / PT
    return _rule("record", title, -0.5 <= mm <= 1.0, f"末条分隔线距版心下边缘{mm:.1f}mm")


def record_indent(pages: list[Page]) -> RuleResult:
    title = "抄送、印发左右各空一字,印发不断行"
    last = pages[-1].lines if pages else []
    copy = next((ln for ln in last if ln.text.startswith("抄送")), None)
    printed = next((ln for ln in last if ln.text.endswith("印发")), None)
    if printed is None:
        return _rule("record_indent", title, None, "无版记")
    one = gb.RECORD_PT
    problems = []
    if copy is not None and abs(copy.x0 - LEFT - one) > 2:
        problems.append(f"抄送左空{(copy.x0 - LEFT) / one:.1f}字")
    if abs(RIGHT - printed.x1 - one) > 2:
        problems.append(f"印发右空{(RIGHT - printed.x1) / one:.1f}字")
    if abs(printed.x0 - LEFT - one) > 2:
        problems.append(f"印发机关左空{(printed.x0 - LEFT) / one:.1f}字")
    return _rule("record_indent", title, not problems, "、".join(problems) or "左右各空一字")


def punctuation(pages: list[Page]) -> RuleResult:
    bad = [m.group(0) for p in pages for ln in p.lines for m in _ASCII_NEXT_TO_CJK.finditer(ln.text)]
    return _rule("punctuation", "中文行文使用全角标点", not bad,
                 f"半角标点{len(bad)}处:{'、'.join(bad[:5])}" if bad else "全角")


def _body(pages: list[Page]) -> list[Line]:
    return [ln for p in pages for ln in p.lines
            if abs(ln.size - gb.BODY_PT) < 0.5 and ln.x0 >= LEFT - 2 and ln.x1 <= RIGHT + 2 and ln.top < BOTTOM]


def grid(pages: list[Page]) -> RuleResult:
    """At most 28 characters a line (a full line of Chinese holds exactly 28), 22 lines a page."""
    body = _body(pages)
    full = [ln for ln in body if not re.search(r"[0-9A-Za-z]", ln.text) and RIGHT - ln.x1 < gb.BODY_PT * 0.9]
    cells = [round((ln.x0 - LEFT) / gb.BODY_PT) + len(ln.text) for ln in full]
    per_page = []
    for p in pages:
        tops = [ln.top for ln in _body([p])]
        if tops:
            per_page.append(round((max(tops) - min(tops)) / PITCH) + 1)
    if not cells:
        return _rule("grid", "每行28字、每页22行", None, "无满行正文")
    ok = max(cells) == gb.CHARS_PER_LINE and max(per_page, default=0) <= gb.LINES_PER_PAGE
    return _rule("grid", "每行28字、每页22行", ok, f"满行{max(cells)}字,每页最多{max(per_page)}行")


def titles(pages: list[Page]) -> RuleResult:
    title = "标题回行词意完整、长短适宜,无一两字的行"
    lines = [ln for ln in pages[0].lines if not ln.red and abs(ln.size - gb.TITLE_PT) < 0.5] if pages else []
    if not lines:
        return _rule("title", title, None, "无标题")
    lengths = [len(ln.text) for ln in lines]
    ok = len(lines) == 1 or (min(lengths) >= 3 and min(lengths) >= max(lengths) / 2)
    return _rule("title", title, ok, "/".join(ln.text for ln in lines))


def signature(pages: list[Page]) -> RuleResult:
    title = "成文日期右空四字,署名居中于日期之上"
    for p in reversed(pages):
        for i in range(len(p.lines) - 1, 0, -1):
            day = p.lines[i]
            if _DATE.match(day.text) and abs(day.size - gb.BODY_PT) < 0.5:
                signer = p.lines[i - 1]
                right = (RIGHT - day.x1) / gb.BODY_PT
                shift = signer.centre - day.centre
                # a 署名 longer than the date and its four characters ends at the right edge
                flush = signer.x1 > RIGHT - gb.BODY_PT / 2 and signer.x1 - signer.x0 > 2 * (RIGHT - day.centre)
                ok = abs(right - 4) <= 0.25 and (abs(shift) <= gb.BODY_PT / 2 or flush)
                return _rule("signature", title, ok, f"日期右空{right:.1f}字,署名中线偏{shift / gb.BODY_PT:+.1f}字")
    return _rule("signature", title, None, "无成文日期")


def signature_with_body(pages: list[Page]) -> RuleResult:
    """The 署名 and 成文日期 never stand alone on a page: body text comes above them there."""
    title = "署名页有正文"
    for p in reversed(pages):
        for i in range(len(p.lines) - 1, -1, -1):
            day = p.lines[i]
            if _DATE.match(day.text) and abs(day.size - gb.BODY_PT) < 0.5 and day.top < BOTTOM:
                if i == 0:
                    return _rule("signature_page", title, False, f"第{p.index + 1}页日期与署名分页")
                above = [ln for ln in p.lines[:i - 1] if ln.text]  # the 署名 is line i - 1
                return _rule("signature_page", title, bool(above),
                             f"第{p.index + 1}页署名之上有{len(above)}行正文" if above else f"第{p.index + 1}页仅有署名和日期")
    return _rule("signature_page", title, None, "无成文日期")


def page_numbers(pages: list[Page]) -> RuleResult:
    title = "页码:单页居右、双页居左,各空一字"
    found, problems = [], []
    for p in pages:
        number = next((ln for ln in p.lines if ln.top > BOTTOM and _PAGE_NUMBER.match(ln.text)), None)
        if number is None:
            problems.append(f"第{p.index + 1}页无页码")
            continue
        n = int(_PAGE_NUMBER.match(number.text).group(1))
        found.append(n)
        side = (RIGHT - number.x1) if n % 2 else (number.x0 - LEFT)
        if abs(side - gb.PAGE_NUMBER_PT) > 2.5:
            problems.append(f"第{n}页页码位置偏离")
    steps = all(b == a + 1 or b == 1 for a, b in zip(found, found[1:], strict=False))
    if found and (found[0] != 1 or not steps):
        problems.append(f"页码不连续:{found}")
    return _rule("page_numbers", title, not problems, "、".join(problems) or f"共{len(found)}页")


def body_face(pages: list[Page]) -> RuleResult:
    """The 正文's face; headings (一、 in 黑体, （一） in 楷体) are not 正文."""
    chars = [c for ln in _body(pages) if not _HEADING.match(ln.text) for c in ln.chars if _CJK.match(c["text"])]
    if not chars:
        return _rule("face", "正文使用宋体或仿宋", None, "无正文")
    serif = sum(1 for c in chars if any(s in c["fontname"] for s in SERIF))
    fonts = sorted({c["fontname"].split("+")[-1] for c in chars})
    return _rule("face", "正文使用宋体或仿宋", serif >= len(chars) * 0.6, "、".join(fonts))


def check_pdf(pdf: bytes) -> list[RuleResult]:
    pages = read(pdf)
    return [issuer_position(pages), record_at_foot(pages), record_indent(pages), punctuation(pages),
            grid(pages), titles(pages), signature(pages), signature_with_body(pages), page_numbers(pages), body_face(pages)]


def check_docx(data: bytes) -> list[RuleResult]:
    """Convert with LibreOffice (warm when it can) and check the pages; [] without LibreOffice."""
    from service.documents import pdf

    if pdf.soffice_path() is None:
        return []
    return check_pdf(pdf.pdf_bytes(data, ".docx"))
