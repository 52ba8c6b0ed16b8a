"""GB/T 9704-2012 as it looks on the page: what a rendered .docx gets before it is saved.

`finish(doc)` runs on every rendered document (template text and data alike):
- punctuation: Chinese running text takes full-width marks (service/documents/punctuation.py);
- 发文机关标志: one line, its size chosen to fit, its upper edge 35 mm below the 版心's (7.2.4);
- 标题: broken at word boundaries into balanced lines, no line of one or two characters (7.3.1);
- 署名 and 成文日期: the date ends four characters from the right edge, the 署名 centred above it;
  they keep with the body's last lines, never alone on a page; headings keep with their text.

The 版记 belongs at the foot of the last page, its last rule on the 版心's bottom edge (7.4.1).
Word and LibreOffice know no "bottom of the last page" for body text, so the space is measured:
`record_padding` converts the document (warm LibreOffice), reads where the 版记 falls in the
PDF and returns the height to add above it; `pad_record` inserts one blank paragraph of
exactly that height (or a page break and the height when the 版记 would not fit).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from service.documents import gbt9704 as gb
from service.documents.punctuation import marks

PT_PER_MM = 72 / 25.4
TEXT_WIDTH_PT = (gb.PAGE_MM[0] - gb.MARGINS_MM["left"] - gb.MARGINS_MM["right"]) * PT_PER_MM
TITLE_CHARS = int(TEXT_WIDTH_PT // (gb.TITLE_PT - 0.25))  # 20 characters of 2号 a line
ISSUER_MAX_PT = 36
ISSUER_TOP_MM = 35.0  # upper edge of the 发文机关标志 below the 版心's upper edge
# In an exact-height line LibreOffice sets a CJK glyph's em box this far below the line's top, as a
# share of the font size (measured with Noto Serif CJK; test_document_layout reads it from the PDF).
ISSUER_GLYPH_OFFSET = 0.017
MIN_TITLE_LINE = 3


_LATIN_RUN = re.compile(r"[\x21-\u2e7f]+")


def _style(p: etree._Element) -> str | None:
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val")) if style is not None else None


def _texts(p: etree._Element) -> list[etree._Element]:
    return [t for t in p.iter(qn("w:t"))]


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in _texts(p))


def width(text: str) -> float:
    """Width in characters of the text's size: Chinese 1, a Latin letter or digit 0.5, and each
    run of them 0.3 more (the space set between Chinese and Latin text; measured on the PDF)."""
    latin = sum(1 for ch in text if ord(ch) < 0x2E80)
    runs = len(_LATIN_RUN.findall(text))
    return len(text) - latin * 0.5 + runs * 0.3


# --- punctuation ---------------------------------------------------------------------------


def punctuate(root: etree._Element) -> None:
    """Full-width marks in every paragraph, judged on the paragraph's whole text across runs."""
    for p in root.iter(qn("w:p")):
        texts = _texts(p)
        whole = "".join(t.text or "" for t in texts)
        converted = marks(whole)
        if "".join(converted) == whole:
            continue
        pos = 0
        for t in texts:
            n = len(t.text or "")
            t.text = "".join(converted[pos:pos + n])
            pos += n


# --- titles --------------------------------------------------------------------------------

# Places a title may break: after these words, before these words (longest first).
_AFTER = ("关于对", "关于", "年度", "年", "县", "市", "区", "镇", "乡", "局", "厅", "委", "办", "室",
          "科", "院", "所", "中心", "站", "队", "公司", "小组", "办公室", "学校", "医院")
_BEFORE = ("廉政风险", "廉政", "防控", "工作", "实施方案", "限期整改", "发出", "关于", "手册")
LINE_PENALTY = 20.0  # a title takes as few lines as it can
_TOKEN = re.compile(r"[0-9A-Za-z.\-/]+")


def _break_cost(text: str, i: int) -> float:
    """The cost of breaking `text` before position i: 0 at a word boundary, more elsewhere."""
    for m in _TOKEN.finditer(text):
        if m.start() < i < m.end():
            return 1000.0  # never inside a number or Latin word
    if text[i] in "，。、；：）》”" or text[i - 1] in "（《“":
        return 1000.0
    if text[i:].startswith("的") and len(text) - i <= 4:
        return 50.0  # "…的/通知": the tail would be too short anyway
    if any(text[:i].endswith(w) for w in _AFTER) or any(text[i:].startswith(w) for w in _BEFORE):
        return 0.0
    if text[i - 1] == "的":
        return 1.0
    return 8.0


def _lines_of(text: str, count: int, per_line: int, total: float) -> tuple[float, list[int]] | None:
    """Cheapest cuts splitting `text` into exactly `count` lines, with its cost; None if none fit.

    Dynamic programming over break positions: cost of breaks plus imbalance.
    """
    n = len(text)
    target = total / count
    table: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for line in range(count):
        for (_k, start), (cost, cuts) in [kv for kv in table.items() if kv[0][0] == line]:
            ends = [n] if line == count - 1 else range(start + 1, n)
            for end in ends:
                w = width(text[start:end])
                if w > per_line:
                    break
                if end - start < MIN_TITLE_LINE:
                    continue
                step = (0.0 if end == n else _break_cost(text, end)) + (w - target) ** 2 * 0.5
                key = (line + 1, end)
                if key not in table or table[key][0] > cost + step:
                    table[key] = (cost + step, [*cuts, end])
    final = table.get((count, n))
    return (final[0] + count * LINE_PENALTY, final[1]) if final else None


def title_lines(text: str, per_line: int = TITLE_CHARS) -> list[str]:
    """`text` as balanced lines of at most `per_line` characters, broken at word boundaries."""
    total = width(text)
    if total <= per_line:
        return [text]
    best: tuple[float, list[str]] | None = None
    for count in range(math.ceil(total / per_line), math.ceil(total / per_line) + 2):
        final = _lines_of(text, count, per_line, total)
        if final and (best is None or final[0] < best[0]):
            bounds = [0, *final[1]]
            best = (final[0], [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
    return best[1] if best else [text]


def _set_lines(p: etree._Element, lines: list[str]) -> None:
    """Replace the paragraph's runs by one run holding `lines` with line breaks between them."""
    runs = p.findall(qn("w:r"))
    rpr = runs[0].find(qn("w:rPr")) if runs else None
    for r in runs:
        p.remove(r)
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(rpr)
    for i, line in enumerate(lines):
        if i:
            run.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
    p.append(run)


def balance_titles(root: etree._Element) -> None:
    for p in root.iter(qn("w:p")):
        if _style(p) == gb.STYLE_TITLE and p.find(f".//{qn('w:br')}") is None:
            text = text_of(p)
            lines = title_lines(text)
            if len(lines) > 1:
                _set_lines(p, lines)


# --- 发文机关标志 ------------------------------------------------------------------------


def issuer_size(text: str) -> float:
    """The largest size (≤ 36 pt, whole points) at which `text` fits one line of the 版心."""
    return float(min(ISSUER_MAX_PT, int((TEXT_WIDTH_PT - 2) / max(width(text), 1) + 0.25)))


def place_issuer(root: etree._Element) -> None:
    """The red 发文机关标志: one line, its upper edge 35 mm below the 版心's upper edge."""
    for p in root.iter(qn("w:p")):
        if _style(p) != gb.STYLE_ISSUER:
            continue
        size = issuer_size(text_of(p))
        for r in p.findall(qn("w:r")):
            gb.set_size(r.get_or_add_rPr() if hasattr(r, "get_or_add_rPr") else gb._child(r, "w:rPr"), size)
        ppr = gb._child(p, "w:pPr")
        spacing = gb._child(ppr, "w:spacing", before=("w:ind", "w:jc"))
        line = round(size * 1.25 * 20)
        before = gb.twips(ISSUER_TOP_MM) - round(size * ISSUER_GLYPH_OFFSET * 20)
        spacing.attrib.clear()
        spacing.set(qn("w:before"), str(max(before, 0)))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(line))
        spacing.set(qn("w:lineRule"), "exact")
        return


# --- 署名 and 成文日期 ------------------------------------------------------------------------


def place_signature(root: etree._Element) -> None:
    """Date ending four characters from the right edge, 署名 centred above it (7.3.5.2)."""
    body = [p for p in root.iter(qn("w:p")) if _style(p) == gb.STYLE_SIGNATURE]
    for signer, day in zip(body, body[1:], strict=False):
        if signer.getnext() is not day:
            continue
        one = gb.BODY_PT * 20
        date_right = 4 * one
        # spaces ending a right-aligned line are not set, so the visible text is centred
        offset = (width(text_of(day)) - width(text_of(signer).rstrip("　 "))) / 2
        signer_right = round(date_right + offset * one)
        for p, right in ((signer, max(signer_right, 0)), (day, date_right)):
            gb.set_indent(gb._child(p, "w:pPr"), right=right)


def keep_signature_with_body(root: etree._Element) -> None:
    """The 署名 and 成文日期 never stand alone on a page (nor apart): the 署名 keeps with the date,
    and the blank lines, the 附件说明 and the last body paragraph above it keep with what follows,
    so a page break before the 署名 carries the body's last lines (widow control: two) along."""
    signer = next((p for p in root.iter(qn("w:p")) if _style(p) == gb.STYLE_SIGNATURE), None)
    if signer is None:
        return
    chain = [signer]
    p = signer.getprevious()
    while p is not None and p.tag == qn("w:p"):
        chain.append(p)
        if text_of(p).strip() and _style(p) != gb.STYLE_ATTACHMENT:
            break  # the last body paragraph
        p = p.getprevious()
    for p in chain:
        p.get_or_add_pPr().keepNext_val = True


def keep_headings_with_text(root: etree._Element) -> None:
    """A heading line (一、（一）1.) never ends a page: it keeps with the paragraph under it. A heading
    run into its text (several lines) is body text and breaks like it."""
    for p in root.iter(qn("w:p")):
        if _style(p) in (gb.STYLE_H1, gb.STYLE_H2, gb.STYLE_H3) and width(text_of(p)) <= gb.CHARS_PER_LINE - 2:
            p.get_or_add_pPr().keepNext_val = True


def drop_empty_copy_line(root: etree._Element) -> None:
    """No 抄送 named: the 版记 is the 印发 line alone, between two thick rules."""
    record = [p for p in root.iter(qn("w:p")) if _style(p) == gb.STYLE_RECORD]
    if len(record) >= 2 and not text_of(record[0]).strip():
        record[0].getparent().remove(record[0])
        gb.set_border(gb._child(record[1], "w:pPr"), "top", gb.THICK_LINE)


def finish(doc: Document) -> None:
    """Everything above, on a document docxtpl has just rendered."""
    root = doc.element.body
    drop_empty_copy_line(root)
    punctuate(root)
    place_issuer(root)
    balance_titles(root)
    place_signature(root)
    keep_headings_with_text(root)
    keep_signature_with_body(root)


# --- 版记 at the foot of the last page -----------------------------------------------------

RECORD_MARK = "印发"
# LibreOffice moves a paragraph whose border would touch the 版心's edge to the next page: the
# last rule ends this much above the edge (0.4 mm; the standard's tolerance is 1 mm).
RECORD_SLACK_PT = 1.2


@dataclass(frozen=True, slots=True)
class RecordPlace:
    """Where the 版记's last rule falls on the rendered page, against the 版心's bottom."""

    page: int  # 0-based
    pages: int
    gap_pt: float  # from the last rule down to the 版心's bottom edge (negative: below it)
    split: bool  # the 版记 starts on one page and ends on the next


def has_record(data: bytes) -> bool:
    doc = docx.Document(io.BytesIO(data))
    return any(_style(p) == gb.STYLE_RECORD for p in doc.element.body.iter(qn("w:p")))


def record_place(pdf: bytes) -> RecordPlace | None:
    """Read the 版记 from a PDF: the lines of its last page, the rule under the 印发 line."""
    from service.documents import rendered

    pages = rendered.read(pdf)
    for page in reversed(pages):
        printed = [ln for ln in page.lines if ln.text.endswith(RECORD_MARK)]
        if not printed:
            continue
        below = [r for r in page.rules if r > printed[-1].top]
        last_rule = below[0] if below else printed[-1].bottom
        body = [ln for ln in page.lines if ln.top < rendered.BOTTOM]
        copy = next((ln for ln in body if ln.text.startswith("抄送")), printed[-1])
        # split from the text above: cut by a page break, or carried whole to a page of its own
        split = copy is not printed[-1] and body[0] is copy or copy is printed[-1] and body[0] is printed[-1]
        return RecordPlace(page.index, len(pages), rendered.BOTTOM - last_rule, split and page.index > 0)
    return None


def pad_record(data: bytes, height_pt: float, *, new_page: bool = False) -> bytes:
    """The .docx with its 版记 after a blank paragraph `height_pt` high (less RECORD_SLACK_PT),
    on a new page when `new_page`; the template's blank line before the 版记 makes way for it."""
    doc = docx.Document(io.BytesIO(data))
    body = doc.element.body
    first = next((p for p in body.iter(qn("w:p")) if _style(p) == gb.STYLE_RECORD), None)
    if first is None:
        return data
    previous = first.getprevious()
    if previous is not None and _style(previous) == gb.STYLE_PLAIN and not text_of(previous):
        body.remove(previous)
    spacer = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    spacer.append(ppr)
    for tag in ("w:pStyle", "w:pageBreakBefore", "w:snapToGrid", "w:spacing"):
        if tag != "w:pageBreakBefore" or new_page:
            ppr.append(OxmlElement(tag))
    ppr.find(qn("w:pStyle")).set(qn("w:val"), gb.STYLE_PLAIN)
    ppr.find(qn("w:snapToGrid")).set(qn("w:val"), "0")
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(max(int((height_pt - RECORD_SLACK_PT) * 20), 20)))
    spacing.set(qn("w:lineRule"), "exact")
    first.addprevious(spacer)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Padding:
    pt: float
    new_page: bool


def record_padding(data: bytes) -> Padding | None:
    """How much space to add above the 版记 of a .docx so it ends on the 版心's bottom edge;
    None when the document has no 版记 or this machine cannot lay it out (no LibreOffice)."""
    from service.documents import pdf

    if not has_record(data) or pdf.soffice_path() is None:
        return None
    place = record_place(pdf.pdf_bytes(data, ".docx"))
    if place is None:
        return None
    if not place.split and place.gap_pt >= 0:  # the blank line before it goes: its height too
        return Padding(place.gap_pt + gb.LINE_PITCH_TWIPS / 20, False)
    # No room with the blank line above it: measured again without it (a 1 pt spacer instead),
    # then, if it still does not fit, on a page of its own.
    place = record_place(pdf.pdf_bytes(pad_record(data, RECORD_SLACK_PT + 1), ".docx"))
    if place is not None and not place.split and place.gap_pt >= 0:
        return Padding(place.gap_pt + 1, False)  # the 1 pt spacer's own height and the gap
    place = record_place(pdf.pdf_bytes(pad_record(data, RECORD_SLACK_PT + 1, new_page=True), ".docx"))
    return Padding(max(place.gap_pt, 0) + 1, True) if place else None


def settle(data: bytes, padding: Padding | None) -> bytes:
    return pad_record(data, padding.pt, new_page=padding.new_page) if padding else data

