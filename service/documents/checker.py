"""`check-format`: any .docx against the GB/T 9704-2012 rules, each rule pass / fail / n.a.

Properties are resolved the way Word does (run, then paragraph style and its basedOn chain,
then the document defaults), so a user's document that sets fonts in styles passes as well as
one that sets them on runs. Rules about parts a document may not have (版头, 版记, 附件说明,
成文日期) report n.a. (passed None) when the part is absent.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from typing import Any

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from service.documents import gbt9704 as gb
from service.documents.errors import DocumentError

_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_H3 = re.compile(r"^(\d+[.．]|[(（]\d+[)）])")
_NUMBER = re.compile(r"[〔\[(（【]\s*(\d{4})\s*[〕\])）】]\s*(第?)\s*(\d+)\s*号")
_DATE = re.compile(r"^\s*([0-9〇零一二三四五六七八九]{4})年(\S{1,3})月(\S{1,3})日\s*$")


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    title: str
    passed: bool | None  # None: not applicable to this document
    found: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Resolver:
    """Effective run/paragraph properties through styles and defaults."""

    def __init__(self, doc: Document) -> None:
        styles = doc.styles.element
        self.by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        self.default_style = next(
            (
                s
                for s in self.by_id.values()
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) == "1"
            ),
            None,
        )
        self.defaults = styles.find(qn("w:docDefaults"))

    def _chain(self, p: etree._Element) -> list[etree._Element]:
        """Property holders from most to least specific: paragraph, styles, defaults."""
        ppr = p.find(qn("w:pPr"))
        style_id = (
            ppr.find(qn("w:pStyle")).get(qn("w:val"))
            if ppr is not None and ppr.find(qn("w:pStyle")) is not None
            else None
        )
        style = self.by_id.get(style_id) if style_id else self.default_style
        out, seen = [], set()
        while style is not None and id(style) not in seen:
            seen.add(id(style))
            out.append(style)
            based = style.find(qn("w:basedOn"))
            style = self.by_id.get(based.get(qn("w:val"))) if based is not None else None
        if self.defaults is not None:
            out.extend(self.defaults.findall(f"{qn('w:rPrDefault')}"))
            out.extend(self.defaults.findall(f"{qn('w:pPrDefault')}"))
        return out

    def run_prop(self, p: etree._Element, path: str, attr: str = "w:val") -> str | None:
        """A run property of the paragraph's first text run, else of its style chain."""
        for r in p.findall(qn("w:r")):
            if r.find(qn("w:t")) is not None and (r.findtext(qn("w:t")) or "").strip():
                el = r.find(f"{qn('w:rPr')}/{qn(path)}")
                if el is not None and el.get(qn(attr)) is not None:
                    return el.get(qn(attr))
                break
        for holder in self._chain(p):
            el = holder.find(f"{qn('w:rPr')}/{qn(path)}")
            if el is not None and el.get(qn(attr)) is not None:
                return el.get(qn(attr))
        return None

    def para_el(self, p: etree._Element, path: str) -> etree._Element | None:
        for holder in [p, *self._chain(p)]:
            el = holder.find(f"{qn('w:pPr')}/{qn(path)}")
            if el is not None:
                return el
        return None

    def size(self, p: etree._Element) -> float | None:
        sz = self.run_prop(p, "w:sz")
        return int(sz) / 2 if sz else None

    def east_asia(self, p: etree._Element) -> str | None:
        return self.run_prop(p, "w:rFonts", "w:eastAsia")

    def align(self, p: etree._Element) -> str | None:
        jc = self.para_el(p, "w:jc")
        return jc.get(qn("w:val")) if jc is not None else None

    def first_indent_chars(self, p: etree._Element, size: float) -> float:
        ind = self.para_el(p, "w:ind")
        if ind is None:
            return 0
        if ind.get(qn("w:firstLineChars")) not in (None, "0"):
            return int(ind.get(qn("w:firstLineChars"))) / 100
        return int(ind.get(qn("w:firstLine")) or 0) / 20 / size


def _mm(length: int | None) -> float:
    return round((length or 0) / 36000, 1)


def _page(doc: Document) -> list[RuleResult]:
    """A4 with the standard margins; a landscape section (a table annex) with them turned."""
    sizes = [(_mm(s.page_width), _mm(s.page_height)) for s in doc.sections]
    ok_size = all(
        abs(min(w, h) - gb.PAGE_MM[0]) <= gb.TOLERANCE_MM and abs(max(w, h) - gb.PAGE_MM[1]) <= gb.TOLERANCE_MM
        for w, h in sizes
    )
    margins = [{k: _mm(getattr(s, f"{k}_margin")) for k in gb.MARGINS_MM} for s in doc.sections]
    wanted = [gb.LANDSCAPE_MARGINS_MM if w > h else gb.MARGINS_MM for w, h in sizes]
    ok_margins = all(abs(m[k] - v) <= gb.TOLERANCE_MM for m, want in zip(margins, wanted, strict=True)
                     for k, v in want.items())
    m = margins[0]
    return [
        RuleResult("page_size", "纸张 A4(210×297 mm)", ok_size, f"{sizes[0][0]}×{sizes[0][1]} mm"),
        RuleResult(
            "margins",
            "页边距 上37 下35 左28 右26 mm",
            ok_margins,
            f"上{m['top']} 下{m['bottom']} 左{m['left']} 右{m['right']} mm",
        ),
    ]


def _landscape(doc: Document) -> bool:
    """A landscape form (a table annex): running-text rules (28×22, indents) do not apply."""
    section = doc.sections[0]
    return bool(section.page_width and section.page_height and section.page_width > section.page_height)


def _grid(doc: Document) -> RuleResult:
    section = doc.sections[0]
    if _landscape(doc):
        return RuleResult("line_grid", "每页22行、每行28字(行距579、字符网格)", None, "横排表格页")
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        return RuleResult("line_grid", "每页22行、每行28字(行距579、字符网格)", False, "未设置文档网格")
    pitch = grid.get(qn("w:linePitch"))
    space = int(grid.get(qn("w:charSpace")) or 0)
    if space >= 2**31:  # LibreOffice writes negative values as unsigned 32-bit
        space -= 2**32
    size = doc.styles["Normal"].font.size.pt if doc.styles["Normal"].font.size else gb.BODY_PT
    width = gb.twips((section.page_width - section.left_margin - section.right_margin) / 36000)
    expected = gb.char_space(size, width)
    ok = (
        pitch == str(gb.LINE_PITCH_TWIPS)
        and grid.get(qn("w:type")) == "linesAndChars"
        and abs(space - expected) <= 16
    )
    return RuleResult(
        "line_grid",
        "每页22行、每行28字(行距579、字符网格)",
        ok,
        f"type={grid.get(qn('w:type'))} linePitch={pitch} charSpace={space}(应约为{expected})",
    )


def _fonts(doc: Document, res: _Resolver, body: list[etree._Element]) -> list[RuleResult]:
    normal = doc.styles["Normal"].element
    fonts = normal.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    east = fonts.get(qn("w:eastAsia")) if fonts is not None else None
    size = doc.styles["Normal"].font.size
    ok = (
        east in (gb.BODY_FONT, gb.FONT_FALLBACKS[gb.BODY_FONT]) and size is not None and size.pt == gb.BODY_PT
    )
    out = [
        RuleResult(
            "body_font",
            "正文 3号(16pt)仿宋_GB2312(w:eastAsia)",
            ok,
            f"eastAsia={east} 字号={size.pt if size else None}pt",
        )
    ]
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    alt = None
    if part is not None:
        for f in etree.fromstring(part.blob).findall(qn("w:font")):
            if f.get(qn("w:name")) == gb.BODY_FONT and f.find(qn("w:altName")) is not None:
                alt = f.find(qn("w:altName")).get(qn("w:val"))
    names_gb2312 = east == gb.BODY_FONT
    out.append(
        RuleResult(
            "font_fallback",
            "字体表为仿宋_GB2312 指定替代字体仿宋",
            (alt == gb.FONT_FALLBACKS[gb.BODY_FONT]) if names_gb2312 else None,
            f"altName={alt}" if names_gb2312 else "未使用仿宋_GB2312",
        )
    )
    headings = (
        ("heading1_font", "一级标题“一、”用黑体", _H1, (gb.HEADING1_FONT,)),
        ("heading2_font", "二级标题“(一)”用楷体_GB2312", _H2,
         (gb.HEADING2_FONT, gb.FONT_FALLBACKS[gb.HEADING2_FONT])),
        ("heading3_font", "三、四级标题“1.”“(1)”用仿宋", _H3, (gb.BODY_FONT, gb.FONT_FALLBACKS[gb.BODY_FONT])),
    )
    for rule, title, pattern, fonts in headings:
        found = [p for p in body if pattern.match(_text(p))]
        bad = [_text(p)[:12] for p in found if res.east_asia(p) not in fonts]
        summary = f"{len(found)}个,不符:{'、'.join(bad[:3])}" if bad else f"{len(found)}个"
        out.append(RuleResult(rule, title, (not bad) if found else None, summary))
    return out


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()


def _is_red(res: _Resolver, p: etree._Element) -> bool:
    return (res.run_prop(p, "w:color") or "").upper() in ("FF0000", "E60012", "C00000")


def _title(res: _Resolver, body: list[etree._Element]) -> RuleResult:
    title = next((p for p in body if _text(p) and (res.size(p) or 0) >= 20 and not _is_red(res, p)), None)
    if title is None:
        return RuleResult("title", "标题 2号(22pt)方正小标宋简体,居中,不对齐网格", False, "未找到22pt标题")
    snap = res.para_el(title, "w:snapToGrid")
    no_snap = snap is not None and snap.get(qn("w:val")) in ("0", "false")
    font, size, align = res.east_asia(title), res.size(title), res.align(title)
    ok = font == gb.TITLE_FONT and size == gb.TITLE_PT and align == "center" and no_snap
    return RuleResult(
        "title",
        "标题 2号(22pt)方正小标宋简体,居中,不对齐网格",
        ok,
        f"“{_text(title)[:16]}” {font} {size}pt 对齐={align} 对齐网格={'否' if no_snap else '是'}",
    )


def _in_fields(body: list[etree._Element]) -> set[int]:
    """Paragraphs inside a multi-paragraph field result (a table of contents)."""
    inside, depth = set(), 0
    for p in body:
        if depth > 0:
            inside.add(id(p))
        for mark in p.iter(qn("w:fldChar")):
            depth += {"begin": 1, "end": -1}.get(mark.get(qn("w:fldCharType")), 0)
    return inside


def _indent(res: _Resolver, body: list[etree._Element]) -> RuleResult:
    checked, bad = 0, []
    toc = _in_fields(body)
    for p in body:
        size = res.size(p) or gb.BODY_PT
        if not _text(p) or res.align(p) in ("center", "right") or size > gb.BODY_PT or id(p) in toc:
            continue
        if res.para_el(p, "w:pBdr") is not None or _NUMBER.search(_text(p)):
            continue  # 版记 and 发文字号 lines are not body paragraphs
        checked += 1
        if abs(res.first_indent_chars(p, size) - 2) > 0.1 and not _text(p).endswith((":", "：")):
            bad.append(_text(p)[:12])
    return RuleResult(
        "first_line_indent",
        "正文段落首行缩进2字",
        not bad if checked else None,
        f"检查{checked}段,未缩进{len(bad)}段" + (f":{'、'.join(bad[:3])}" if bad else ""),
    )


def _footer(doc: Document) -> RuleResult:
    title = "页码 4号(14pt)宋体“— 1 —”,单页居右、双页居左,空一字"
    section = doc.sections[0]
    even_odd = doc.settings.odd_and_even_pages_header_footer
    problems = []
    for footer, side, name in ((section.footer, "right", "单页"), (section.even_page_footer, "left", "双页")):
        xml = etree.tostring(footer._element, encoding="unicode")
        text = "".join(footer._element.itertext())
        p = footer._element.find(qn("w:p"))
        jc = p.find(f"{qn('w:pPr')}/{qn('w:jc')}") if p is not None else None
        sz = footer._element.find(f".//{qn('w:sz')}")
        fonts = footer._element.find(f".//{qn('w:rFonts')}")
        if "PAGE" not in xml or not re.search(r"—\s*\S*\s*—", text):
            problems.append(f"{name}无“— N —”页码")
        elif jc is None or jc.get(qn("w:val")) != side:
            problems.append(f"{name}页码未居{'右' if side == 'right' else '左'}")
        elif (
            sz is None
            or sz.get(qn("w:val")) != str(gb.PAGE_NUMBER_PT * 2)
            or fonts is None
            or fonts.get(qn("w:eastAsia")) != gb.PAGE_NUMBER_FONT
        ):
            problems.append(f"{name}页码不是14pt宋体")
    if not even_odd:
        problems.append("未设置奇偶页不同")
    number_top = _mm(section.footer_distance) + gb.PAGE_NUMBER_PT * 25.4 / 72
    gap = _mm(section.bottom_margin) - number_top
    if abs(gap - 7) > 2:
        problems.append(f"页码距版心下边缘约{gap:.0f} mm(应约7 mm)")
    return RuleResult(
        "page_numbers", title, not problems, ";".join(problems) or "单页居右、双页居左,14pt宋体"
    )


def _letterhead(res: _Resolver, body: list[etree._Element]) -> list[RuleResult]:
    idx = next((i for i, p in enumerate(body) if _NUMBER.search(_text(p)) and len(_text(p)) < 40), None)
    if idx is None:
        na = "无发文字号(无版头)"
        return [
            RuleResult("doc_number", "发文字号用六角括号〔〕,不加“第”,不编虚位", None, na),
            RuleResult("letterhead", "发文机关标志红色,发文字号下红色分隔线", None, na),
        ]
    text = _text(body[idx])
    m = _NUMBER.search(text)
    ok = "〔" in m.group(0) and "〕" in m.group(0) and not m.group(2) and not m.group(3).startswith("0")
    red_issuer = any(_is_red(res, p) for p in body[:idx] if _text(p))
    line = None
    for p in body[idx : idx + 2]:
        bottom = res.para_el(p, "w:pBdr")
        bottom = bottom.find(qn("w:bottom")) if bottom is not None else None
        if bottom is not None:
            line = bottom.get(qn("w:color"))
    red_line = (line or "").upper() == gb.RED
    return [
        RuleResult("doc_number", "发文字号用六角括号〔〕,不加“第”,不编虚位", ok, text),
        RuleResult(
            "letterhead",
            "发文机关标志红色,发文字号下红色分隔线",
            red_issuer and red_line,
            f"发文机关标志{'红色' if red_issuer else '非红色'},分隔线颜色={line}",
        ),
    ]


def _issue_date(body: list[etree._Element]) -> RuleResult:
    dates = [m for p in body if (m := _DATE.match(_text(p)))]
    if not dates:
        return RuleResult("issue_date", "成文日期用阿拉伯数字,不编虚位(如2026年11月22日)", None, "无成文日期")
    m = dates[-1]
    ok = all(part.isdigit() and not part.startswith("0") for part in m.groups())
    return RuleResult("issue_date", "成文日期用阿拉伯数字,不编虚位(如2026年11月22日)", ok, m.group(0).strip())


def _attachment_note(res: _Resolver, body: list[etree._Element]) -> RuleResult:
    notes = [p for p in body if re.match(r"^附件[:：]", _text(p))]
    if not notes:
        return RuleResult("attachment_note", "附件说明在正文下空一行、左空二字", None, "无附件说明")
    p = notes[0]
    chars = res.first_indent_chars(p, res.size(p) or gb.BODY_PT)
    i = body.index(p)
    blank_before = i > 0 and not _text(body[i - 1])
    return RuleResult(
        "attachment_note",
        "附件说明在正文下空一行、左空二字",
        abs(chars - 2) <= 0.1 and blank_before,
        f"缩进{chars:g}字,{'前有' if blank_before else '前无'}空行",
    )


def _record(res: _Resolver, body: list[etree._Element]) -> RuleResult:
    title = "版记 4号仿宋,首末条粗线(0.35mm)、中间细线(0.25mm)"
    lines = [p for p in body if _text(p).startswith("抄送") or _text(p).endswith("印发")]
    if not lines:
        return RuleResult("record", title, None, "无版记")

    def border(p: etree._Element, side: str) -> int:
        b = res.para_el(p, "w:pBdr")
        el = b.find(qn(f"w:{side}")) if b is not None else None
        return int(el.get(qn("w:sz"))) if el is not None else 0

    first, last = lines[0], lines[-1]
    sizes = {res.size(p) for p in lines}
    thick_ok = border(first, "top") >= gb.THICK_LINE and border(last, "bottom") >= gb.THICK_LINE
    thin_ok = all(0 < border(p, "bottom") <= gb.THIN_LINE for p in lines[:-1])
    return RuleResult(
        "record",
        title,
        thick_ok and thin_ok and sizes == {gb.RECORD_PT},
        f"字号{sorted(s for s in sizes if s)}pt,首线{border(first, 'top')}/8pt,末线{border(last, 'bottom')}/8pt",
    )


def check(data: bytes) -> list[RuleResult]:
    """Check .docx bytes; raises DocumentError when they are not a Word document."""
    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for non-docx input
        raise DocumentError("not_docx", "文件不是有效的 Word(.docx)文档") from exc
    doc.element.body.get_or_add_sectPr()  # none written: Word's defaults apply (and fail the page rules)
    try:
        return _rules(doc)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a structure python-docx cannot read
        raise DocumentError("check_failed", "文档结构异常,无法检查格式") from exc


def _rules(doc: Document) -> list[RuleResult]:
    res = _Resolver(doc)
    body = list(doc.element.body.iterchildren(qn("w:p")))
    return [
        *_page(doc),
        _grid(doc),
        *_fonts(doc, res, body),
        _title(res, body),
        _indent(res, body) if not _landscape(doc) else RuleResult("first_line_indent", "正文段落首行缩进2字",
                                                                  None, "横排表格页"),
        _footer(doc),
        *_letterhead(res, body),
        _issue_date(body),
        _attachment_note(res, body),
        _record(res, body),
    ]
