"""GB/T 9704-2012 《党政机关公文格式》: the constants, and the base styles every .docx gets.

One place for the numbers: the template builder, the renderer and the checker all read them
from here. `apply_base_styles` is idempotent: it runs when the templates are built and again
on every rendered document, so a template restyled in Word or WPS still leaves with the
right page, grid, fonts and page numbers.
"""

from __future__ import annotations

from datetime import date

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from docx.styles.style import BaseStyle
from lxml import etree

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
# A landscape page (a table annex) turns the portrait margins with it: 225 mm of text a line.
LANDSCAPE_MARGINS_MM = {"top": 28.0, "bottom": 26.0, "left": 37.0, "right": 35.0}
TOLERANCE_MM = 1.0
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


# 22 lines in the 225 mm block: 579 twips (28.95 pt); 580 fits only 21.
LINE_PITCH_TWIPS = twips(PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) // LINES_PER_PAGE
# The page number sits about 7 mm below the text block: bottom margin - 7 mm - one 14 pt line.
FOOTER_DISTANCE_MM = MARGINS_MM["bottom"] - 7.0 - 14 * 25.4 / 72

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Machines without the GB2312 fonts substitute these (written as w:altName in the font table).
FONT_FALLBACKS = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体"}

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
RECORD_PT = 14  # 版记: 4号仿宋
TABLE_PT = 12
RED = "FF0000"
# 版记 lines in eighths of a point: 0.35 mm ≈ 1 pt, 0.25 mm ≈ 0.75 pt.
THICK_LINE = 8
THIN_LINE = 6

# Paragraph style names (Chinese, as a user sees them in Word's style list).
STYLE_TITLE = "公文标题"
STYLE_H1 = "一级标题"
STYLE_H2 = "二级标题"
STYLE_H3 = "三级标题"
STYLE_ISSUER = "发文机关标志"
STYLE_NUMBER = "发文字号"
STYLE_PLAIN = "无缩进正文"
STYLE_ATTACHMENT = "附件说明"
STYLE_SIGNATURE = "落款"
STYLE_RECORD = "版记"
STYLE_TABLE = "表格文字"


def char_space(normal_pt: float, text_width_twips: int) -> int:
    """docGrid w:charSpace (1/4096 pt) that fits CHARS_PER_LINE characters of the Normal size."""
    pitch_pt = text_width_twips / 20 / CHARS_PER_LINE
    return round((pitch_pt - normal_pt) * 4096)


def date_text(d: date) -> str:
    """成文日期: Arabic numerals without leading zeros, e.g. 2026年11月22日."""
    return f"{d.year}年{d.month}月{d.day}日"


def number_text(issuer_code: str, year: int, number: int | None) -> str:
    """发文字号: 六角括号, no 第, no leading zeros, e.g. 廉办〔2026〕3号; a draft not yet issued
    (number None) leaves the number blank: 廉办〔2026〕　号."""
    return f"{issuer_code}〔{year}〕{'　' if number is None else number}号"


# --- low-level XML helpers -------------------------------------------------------------


def _child(parent: etree._Element, tag: str, before: tuple[str, ...] = ()) -> etree._Element:
    """The first `tag` child of `parent`, created (ahead of any `before` sibling) when missing."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        anchor = next((parent.find(qn(b)) for b in before if parent.find(qn(b)) is not None), None)
        if anchor is not None:
            anchor.addprevious(el)
        else:
            parent.append(el)
    return el


def set_fonts(rpr: etree._Element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts explicitly (theme attributes would win over plain ones, so drop them)."""
    fonts = _child(rpr, "w:rFonts")
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def set_size(rpr: etree._Element, pt: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(round(pt * 2)))


def set_indent(ppr: etree._Element, *, first_chars: int = 0, size_pt: float = BODY_PT, **sides: int) -> None:
    """w:ind in characters (firstLineChars, hundredths) with the twips equivalent beside it."""
    ind = _child(ppr, "w:ind")
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    if first_chars:
        ind.set(qn("w:firstLineChars"), str(first_chars * 100))
        ind.set(qn("w:firstLine"), str(round(first_chars * size_pt * 20)))
    elif "hanging" not in sides:
        ind.set(qn("w:firstLine"), "0")
        ind.set(qn("w:firstLineChars"), "0")
    for side, value in sides.items():
        ind.set(qn(f"w:{side}"), str(value))


def set_border(ppr: etree._Element, side: str, size: int, color: str = "000000", space: int = 1) -> None:
    borders = _child(ppr, "w:pBdr", before=("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"))
    line = _child(borders, f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)


# --- styles ----------------------------------------------------------------------------


def _paragraph_style(doc: Document, name: str) -> BaseStyle:
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
        return style


def _define(
    doc: Document,
    name: str,
    *,
    font: str,
    size: float,
    align: str | None = None,
    first_chars: int = 0,
    bold: bool = False,
    color: str | None = None,
    outline: int | None = None,
    snap: bool = True,
    exact_line: bool = True,
    right_chars: int = 0,
) -> BaseStyle:
    style = doc.styles["Normal"] if name == "Normal" else _paragraph_style(doc, name)
    rpr = style.element.get_or_add_rPr()
    set_fonts(rpr, font)
    set_size(rpr, size)
    if bold:
        _child(rpr, "w:b")
    if color:
        _child(rpr, "w:color").set(qn("w:val"), color)
    ppr = style.element.get_or_add_pPr()
    spacing = _child(ppr, "w:spacing")
    spacing.attrib.clear()
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    if exact_line:
        spacing.set(qn("w:line"), str(LINE_PITCH_TWIPS))
        spacing.set(qn("w:lineRule"), "exact")
    else:
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
    sides = {"right": right_chars * round(size * 20), "rightChars": right_chars * 100} if right_chars else {}
    set_indent(ppr, first_chars=first_chars, size_pt=size, **sides)
    if align:
        _child(ppr, "w:jc").set(qn("w:val"), align)
    if not snap:
        _child(ppr, "w:snapToGrid").set(qn("w:val"), "0")
    if outline is not None:
        _child(ppr, "w:outlineLvl").set(qn("w:val"), str(outline))
    return style


def _define_styles(doc: Document) -> None:
    _define(doc, "Normal", font=BODY_FONT, size=BODY_PT, align="both", first_chars=2)
    _define(doc, STYLE_TITLE, font=TITLE_FONT, size=TITLE_PT, align="center", snap=False)
    _define(doc, STYLE_H1, font=HEADING1_FONT, size=BODY_PT, first_chars=2, outline=0)
    _define(doc, STYLE_H2, font=HEADING2_FONT, size=BODY_PT, first_chars=2, outline=1)
    _define(doc, STYLE_H3, font=BODY_FONT, size=BODY_PT, first_chars=2)
    _define(doc, STYLE_ISSUER, font=TITLE_FONT, size=30, align="center", color=RED, snap=False,
            exact_line=False)
    _define(doc, STYLE_NUMBER, font=BODY_FONT, size=BODY_PT, align="center")
    _define(doc, STYLE_PLAIN, font=BODY_FONT, size=BODY_PT, align="both")
    _define(doc, STYLE_ATTACHMENT, font=BODY_FONT, size=BODY_PT, align="both", first_chars=2)
    _define(doc, STYLE_SIGNATURE, font=BODY_FONT, size=BODY_PT, align="right", right_chars=4)  # 右空四字
    _define(doc, STYLE_RECORD, font=BODY_FONT, size=RECORD_PT, align="both", snap=False)  # follows its padding exactly
    _define(doc, STYLE_TABLE, font=BODY_FONT, size=TABLE_PT, align="left", snap=False, exact_line=False)
    # The default template's theme-based defaults would override explicit fonts in some readers.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_fonts(rpr, BODY_FONT)
            set_size(rpr, BODY_PT)  # LibreOffice sizes the character grid from the defaults
            lang = _child(rpr, "w:lang")  # Simplified Chinese glyphs (a CJK font holds several)
            lang.set(qn("w:val"), "zh-CN")
            lang.set(qn("w:eastAsia"), "zh-CN")


# --- page, grid and page numbers ---------------------------------------------------------


def _page_number_paragraph(footer_el: etree._Element, *, odd: bool) -> None:
    """'— N —' in 4号宋体, odd pages right and even pages left, one character in."""
    for p in footer_el.findall(qn("w:p")):
        footer_el.remove(p)
    one_char = PAGE_NUMBER_PT * 20
    ind = f'w:right="{one_char}"' if odd else f'w:left="{one_char}"'
    run_pr = (
        f'<w:rPr><w:rFonts w:ascii="{PAGE_NUMBER_FONT}" w:hAnsi="{PAGE_NUMBER_FONT}" '
        f'w:eastAsia="{PAGE_NUMBER_FONT}" w:cs="{PAGE_NUMBER_FONT}"/>'
        f'<w:sz w:val="{PAGE_NUMBER_PT * 2}"/><w:szCs w:val="{PAGE_NUMBER_PT * 2}"/></w:rPr>'
    )
    footer_el.append(parse_xml(
        f"<w:p {nsdecls('w')}><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" "
        f"w:lineRule=\"auto\"/><w:ind w:firstLine=\"0\" {ind}/><w:jc w:val=\"{'right' if odd else 'left'}\"/>"
        f"</w:pPr>"
        f'<w:r>{run_pr}<w:t xml:space="preserve">— </w:t></w:r>'
        f'<w:r>{run_pr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{run_pr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{run_pr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{run_pr}<w:t>1</w:t></w:r>"
        f'<w:r>{run_pr}<w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r>{run_pr}<w:t xml:space="preserve"> —</w:t></w:r></w:p>'
    ))


def _page_setup(doc: Document) -> None:
    normal_size = doc.styles["Normal"].font.size
    normal_pt = normal_size.pt if normal_size else BODY_PT
    doc.settings.odd_and_even_pages_header_footer = True
    sections = list(doc.sections)
    first = sections[0]
    for section in sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.footer_distance = Mm(FOOTER_DISTANCE_MM)
        section.header_distance = Mm(15)
        section.different_first_page_header_footer = False
        sect = section._sectPr
        grid = _child(sect, "w:docGrid")
        grid.attrib.clear()
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        width = twips(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])
        grid.set(qn("w:charSpace"), str(char_space(normal_pt, width)))
        if section is not first:  # merged letters: one footer shared by every section (its
            for ref in sect.findall(qn("w:footerReference")):  # relationship stays: the first uses it)
                sect.remove(ref)
            continue
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        _page_number_paragraph(section.footer._element, odd=True)
        _page_number_paragraph(section.even_page_footer._element, odd=False)


# --- font table ----------------------------------------------------------------------------

_FONT_ENTRY = (
    '<w:font {ns} w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="02010609030101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
)


def _font_table(doc: Document) -> None:
    """Name each GB2312/方正 font with its common fallback (w:altName) in word/fontTable.xml."""
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, alt in FONT_FALLBACKS.items():
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        root.append(etree.fromstring(_FONT_ENTRY.format(ns=nsdecls("w"), name=name, alt=alt)))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if hasattr(part, "_element"):  # loaded as an XML part
        part._element = etree.fromstring(data)
    else:
        part._blob = data


def apply_base_styles(doc: Document) -> None:
    """Give `doc` the GB/T 9704 page, grid, styles, page numbers and font fallbacks."""
    _define_styles(doc)
    _page_setup(doc)
    _font_table(doc)


# --- paragraph decorations used by templates --------------------------------------------


def red_rule_below(paragraph_element: etree._Element) -> None:
    """The red separator line under the 发文字号 (about 4 mm below it)."""
    ppr = paragraph_element.get_or_add_pPr()
    set_border(ppr, "bottom", 12, RED, space=11)


def record_lines(first_pr: etree._Element, last_pr: etree._Element, middle: list[etree._Element]) -> None:
    """版记: thick first and last lines (0.35 mm), thin lines between (0.25 mm)."""
    set_border(first_pr, "top", THICK_LINE)
    for ppr in middle:
        set_border(ppr, "bottom", THIN_LINE)
    set_border(last_pr, "bottom", THICK_LINE)
