"""Write the built-in docxtpl templates, one .docx per document kind.

The templates are code so they can be reviewed and regenerated: `python templates_docx/build.py`.
A user restyles or rewords a copy in Word/WPS and drops it into LIANFANG_TEMPLATES; the Jinja
tags ({{ … }}, {%p … %}, {%tr … %}) name the data each kind provides (see service/documents/*.py).
Default wording follows the public work plans in ../shared/seeds.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Twips
from docx.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.document_kinds import templates  # noqa: E402
from service.documents import gbt9704 as gb  # noqa: E402
from service.documents.punctuation import fullwidth_outside_tags  # noqa: E402

HERE = Path(__file__).resolve().parent


def new() -> Document:
    doc = docx.Document()
    gb.apply_base_styles(doc)
    return doc


def para(doc: Document, text: str = "", style: str = "Normal") -> None:
    """A paragraph of template text: Chinese punctuation full-width, Jinja tags as written."""
    doc.add_paragraph(fullwidth_outside_tags(text), style=style)


def tag(doc: Document, text: str) -> None:
    """A paragraph holding only a docxtpl {%p … %} tag (removed when rendered)."""
    doc.add_paragraph(text, style=gb.STYLE_PLAIN)


def letterhead(doc: Document) -> None:
    """版头: red 发文机关标志 (placed 35 mm down by layout.finish), two blank lines, 发文字号 with
    the red line 4 mm under it, two blank lines before the title (GB/T 9704-2012 7.2)."""
    para(doc, "{{ issuer }}文件", gb.STYLE_ISSUER)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "{{ number_text }}", gb.STYLE_NUMBER)
    gb.red_rule_below(doc.paragraphs[-1]._p)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "", gb.STYLE_PLAIN)


def attachments(doc: Document) -> None:
    """附件说明: one line under the body, two characters in, numbered."""
    para(doc, "", gb.STYLE_PLAIN)
    tag(doc, "{%p for a in attachments %}")
    para(doc, "{% if loop.first %}附件:{% else %}　　　{% endif %}{% if attachments|length > 1 %}"
              "{{ loop.index }}.{% endif %}{{ a }}", gb.STYLE_ATTACHMENT)
    tag(doc, "{%p endfor %}")


def signature(doc: Document, who: str = "{{ issuer }}") -> None:
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, who, gb.STYLE_SIGNATURE)
    para(doc, "{{ date }}", gb.STYLE_SIGNATURE)


def record(doc: Document) -> None:
    """版记: 抄送 and 印发 between a thick first and last line with a thin line between, each line
    one character in from both sides; 抄送 wraps under its first name, the 印发 date sits on a
    right tab. The blank line before it becomes the padding that puts it at the page foot."""
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "{% if copy_to %}抄送:{{ copy_to }}。{% endif %}", gb.STYLE_RECORD)
    para(doc, "{{ printed_by }}\t{{ printed_date }}印发", gb.STYLE_RECORD)
    first, last = doc.paragraphs[-2], doc.paragraphs[-1]
    one = gb.RECORD_PT * 20
    gb.set_indent(first._p.get_or_add_pPr(), size_pt=gb.RECORD_PT, left=4 * one, right=one, hanging=3 * one)
    gb.set_indent(last._p.get_or_add_pPr(), size_pt=gb.RECORD_PT, left=one, right=one)
    text_width = gb.twips(gb.PAGE_MM[0] - gb.MARGINS_MM["left"] - gb.MARGINS_MM["right"])
    last.paragraph_format.tab_stops.add_tab_stop(Twips(text_width - one), WD_TAB_ALIGNMENT.RIGHT)
    gb.record_lines(first._p.get_or_add_pPr(), last._p.get_or_add_pPr(), [first._p.get_or_add_pPr()])


def table(doc: Document, headers: Iterable[str], loop: str, cells: Iterable[str],
          widths_mm: Iterable[float] | None = None) -> Table:
    """A header row, then one row repeated by `{%tr for … %}`; widths fill the 156 mm text block."""
    headers, cells = list(headers), list(cells)
    widths = list(widths_mm or [156 / len(headers)] * len(headers))
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.autofit = False
    for column, grid, width in zip(t.columns, t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid.w = Mm(width)  # LibreOffice lays out by the grid, Word by the cells
        for cell in column.cells:
            cell.width = Mm(width)
    rows = [headers, [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1), cells,
            ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = t.cell(r, c)
            cell.paragraphs[0].text = fullwidth_outside_tags(value)
            cell.paragraphs[0].style = doc.styles[gb.STYLE_TABLE]
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    header_row = t.rows[0]._tr.get_or_add_trPr()
    header_row.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    return t


def plan() -> Document:
    doc = new()
    letterhead(doc)
    para(doc, "{{ title }}", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    tag(doc, "{%p if main_to %}")
    para(doc, "{{ main_to }}:", gb.STYLE_PLAIN)
    tag(doc, "{%p endif %}")
    para(doc, "为深入推进全面从严治党,加强对权力运行的制约和监督,根据{{ campaign }}的统一部署,"
              "结合{{ unit }}工作实际,制定本实施方案。")
    para(doc, "一、指导思想", gb.STYLE_H1)
    para(doc, "以习近平新时代中国特色社会主义思想为指导,深入贯彻党的二十大和二十届中央纪委历次全会精神,"
              "坚持严的基调不动摇,一体推进不敢腐、不能腐、不想腐,以岗位为点、以流程为线、以制度为面,"
              "通过查找风险、制定措施、监控执行、检查考核,构建覆盖全员、全程的廉政风险防控机制,"
              "推动廉政风险防控关口前移、预防在先。")
    para(doc, "二、目标要求", gb.STYLE_H1)
    para(doc, "通过开展廉政风险防控工作,全面排查{{ unit }}各科室、各岗位的廉政风险点,评定风险等级,"
              "制定前期预防、中期监控、后期处置的防控措施,做到风险点找得准、防控措施定得实、监督制约管得住。")
    para(doc, "三、实施范围", gb.STYLE_H1)
    para(doc, "{{ unit }}全体干部职工,涵盖{% if departments %}{{ departments|join('、') }}等"
              "{{ departments|length }}个科室(部门){% else %}各科室(部门){% endif %}的全部岗位。")
    para(doc, "四、工作步骤", gb.STYLE_H1)
    para(doc, "本次工作自{{ start }}开始,至{{ end }}结束,分{{ stages|length }}个阶段进行。")
    tag(doc, "{%p for s in stages %}")
    para(doc, "{{ s.heading }}{{ s.name }}({{ s.period }})", gb.STYLE_H2)
    para(doc, "{{ s.task }}{% if s.deadline %}各科室(部门)须于{{ s.deadline }}前报送相关表格。{% endif %}")
    tag(doc, "{%p endfor %}")
    para(doc, "五、组织领导", gb.STYLE_H1)
    para(doc, "为加强对廉政风险防控工作的领导,成立{{ unit }}廉政风险防控工作领导小组,成员如下:")
    tag(doc, "{%p for m in leaders %}")
    para(doc, "{{ m.role }}:{{ m.name }}{% if m.position %}({{ m.position }}){% endif %}")
    tag(doc, "{%p endfor %}")
    para(doc, "领导小组下设办公室,负责廉政风险防控工作的组织协调、督促检查和日常工作。")
    para(doc, "六、工作要求", gb.STYLE_H1)
    para(doc, "(一)加强领导,落实责任", gb.STYLE_H2)
    para(doc, "各科室(部门)主要负责人是本科室廉政风险防控工作的第一责任人,要亲自部署、亲自过问,确保工作落到实处。")
    para(doc, "(二)严格标准,按时报送", gb.STYLE_H2)
    para(doc, "各科室(部门)要按照附件所列表格如实填写,风险点要具体,等级要准确,措施要可操作、有责任人和完成时限,"
              "按时报送领导小组办公室。")
    para(doc, "(三)注重实效,防止走过场", gb.STYLE_H2)
    para(doc, "要把廉政风险防控与业务工作紧密结合,边查边改、立查立改,防止形式主义。")
    attachments(doc)
    signature(doc)
    record(doc)
    return doc


def summary() -> Document:
    doc = new()
    para(doc, "{{ title }}", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    tag(doc, "{%p if not figures.entries %}")
    para(doc, "{{ period }},{{ scope_name }}按照{{ campaign }}的部署开展廉政风险防控工作。"
              "本阶段没有收到各科室(部门)报送的风险点排查表格,尚无风险点和防控措施的数据"
              "{% if figures.departments_expected %},应报送的{{ figures.departments_expected }}个科室(部门)"
              "均未报送{% endif %}。")
    tag(doc, "{%p else %}")
    para(doc, "{{ period }},{{ scope_name }}按照{{ campaign }}的部署,扎实开展廉政风险防控工作。"
              "共查找风险点{{ figures.entries }}个,制定防控措施{{ figures.measures }}条,"
              "涉及风险岗位{{ figures.positions }}个、风险岗位人员{{ figures.persons }}人,"
              "覆盖科室(部门){{ figures.departments }}个{% if figures.departments_expected %}"
              "(应报{{ figures.departments_expected }}个){% endif %}{% if figures.units_expected %},"
              "涉及单位{{ figures.units }}个(共{{ figures.units_expected }}个){% endif %}。")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if figures.entries %}")
    para(doc, "一、风险等级分布", gb.STYLE_H1)
    para(doc, "按风险等级分,{% for r in by_level %}{{ r.label }}{{ r.count }}个"
              "{% if not loop.last %},{% endif %}{% endfor %}。")
    table(doc, ["风险等级", "风险点(个)", "占比"], "r in by_level", ["{{ r.label }}", "{{ r.count }}", "{{ r.share }}"])
    para(doc, "{{ level_chart }}", gb.STYLE_PLAIN)
    para(doc, "二、风险类型分布", gb.STYLE_H1)
    table(doc, ["风险类型", "风险点(个)", "占比"], "r in by_type", ["{{ r.label }}", "{{ r.count }}", "{{ r.share }}"])
    para(doc, "{{ type_chart }}", gb.STYLE_PLAIN)
    para(doc, "三、各科室(部门)情况", gb.STYLE_H1)
    table(doc, ["科室(部门)", "风险点(个)", "防控措施(条)", "高风险(个)"], "r in by_department",
          ["{{ r.label }}", "{{ r.count }}", "{{ r.measures }}", "{{ r.high }}"])
    para(doc, "四、高等级风险点", gb.STYLE_H1)
    para(doc, "{% if top_risks %}以下风险点等级最高,须由主要领导和纪检组织重点监控:"
              "{% else %}本阶段未评定高等级风险点。{% endif %}")
    tag(doc, "{%p for e in top_risks %}")
    para(doc, "{{ loop.index }}.{{ e.where }}:{{ e.risk }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ problems_heading }}存在问题", gb.STYLE_H1)
    tag(doc, "{%p if problem_groups %}")
    para(doc, "经审核,{{ scope_name }}报送的材料尚有{{ problem_count }}个问题未整改到位:")
    tag(doc, "{%p for g in problem_groups %}")
    para(doc, "{{ g.heading }}{{ g.title }}({{ g.lines|length }}个)", gb.STYLE_H2)
    tag(doc, "{%p for p in g.lines %}")
    para(doc, "{{ p.no }}.{{ p.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "{% if figures.entries %}审核发现的问题均已整改。{% else %}本阶段没有可审核的材料。{% endif %}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ next_heading }}下一步工作", gb.STYLE_H1)
    para(doc, "针对排查中发现的问题,督促各科室(部门)完善防控措施,加强监控执行和检查考核,"
              "推动廉政风险防控工作常态化、长效化。")
    signature(doc)
    return doc


def commitment() -> Document:
    doc = new()
    para(doc, "廉政承诺书", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "承诺人:{{ person }}　　科室(部门):{{ department }}　　岗位:{{ position }}")
    tag(doc, "{%p if reported %}")
    para(doc, "本人作为{{ unit }}{{ department }}{{ position }},对照岗位职责查找出以下廉政风险点,"
              "并郑重承诺严格落实相应的防控措施:")
    table(doc, ["序号", "风险点", "等级", "防控措施"], "e in entries",
          ["{{ e.no }}", "{{ e.risk }}", "{{ e.level }}", "{{ e.measures }}"], [14, 62, 14, 66])
    tag(doc, "{%p else %}")
    para(doc, "{{ not_reported }}")
    tag(doc, "{%p endif %}")
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "本人郑重承诺:")
    para(doc, "1.严格遵守党的政治纪律和廉洁自律各项规定,依法依规履行岗位职责。")
    para(doc, "2.认真落实上述防控措施,主动接受组织和群众监督。")
    para(doc, "3.不利用职务之便谋取私利,不收受可能影响公正执行公务的礼品礼金。")
    para(doc, "4.如有违反,自愿接受组织处理。")
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "承诺人(签名):", gb.STYLE_SIGNATURE)
    para(doc, "{{ date }}", gb.STYLE_SIGNATURE)
    return doc


def notice_head() -> Document:
    """版头, title and 主送机关 of a notice addressed to a unit, department or person."""
    doc = new()
    letterhead(doc)
    para(doc, "{{ title }}", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "{{ addressee }}:", gb.STYLE_PLAIN)
    return doc


def rectification() -> Document:
    """Problems first (一、, then each rule as （一） and its findings as 1.), then what to do and by when."""
    doc = notice_head()
    para(doc, "根据{{ campaign }}的工作安排,经审核,你{{ addressee_kind }}报送的廉政风险防控材料存在"
              "{{ count }}个问题。现将有关事项通知如下:")
    para(doc, "一、存在的问题", gb.STYLE_H1)
    tag(doc, "{%p for g in groups %}")
    para(doc, "{{ g.heading }}{{ g.title }}", gb.STYLE_H2)
    tag(doc, "{%p for p in g.lines %}")
    para(doc, "{{ p.no }}.{{ p.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "二、整改要求", gb.STYLE_H1)
    para(doc, "(一)对照上述问题逐项核实,补充完善风险点、风险等级和防控措施,按附件重新填报。", gb.STYLE_H2)
    para(doc, "(二)防控措施要具体可行,明确责任人和完成时限;提出制定制度的,写明制度名称和出台时间。", gb.STYLE_H2)
    para(doc, "三、报送时限", gb.STYLE_H1)
    para(doc, "请于{{ deadline }}前将整改情况和修订后的登记表书面报送{{ issuer }}。逾期未报送或整改不到位的,"
              "将予以通报。")
    attachments(doc)
    signature(doc)
    record(doc)
    return doc


def warning() -> Document:
    doc = notice_head()
    para(doc, "根据{{ campaign }}的工作安排和廉政风险预警机制,经分析研判,现发出廉政风险"
              "{{ colour }}预警。预警事项如下:")
    tag(doc, "{%p for s in signals %}")
    para(doc, "{{ loop.index }}.{{ s }}")
    tag(doc, "{%p endfor %}")
    para(doc, "请按以下要求处置:")
    tag(doc, "{%p for a in actions %}")
    para(doc, "{{ loop.index }}.{{ a }}")
    tag(doc, "{%p endfor %}")
    para(doc, "请于{{ deadline }}前将处置和整改落实情况书面报送{{ issuer }}。逾期未报或整改不力的,"
              "将提高预警等级并依纪依规处理。")
    signature(doc)
    record(doc)
    return doc


def points_by_department(doc: Document) -> None:
    """The risk points by department, then position, one table each: the 手册's body and the 公示's."""
    tag(doc, "{%p for d in departments %}")
    para(doc, "{{ d.heading }}{{ d.name }}", gb.STYLE_H1)
    tag(doc, "{%p for pos in d.positions %}")
    para(doc, "{{ pos.heading }}{{ pos.name }}", gb.STYLE_H2)
    table(doc, ["序号", "风险点", "类型", "等级", "防控措施", "责任人"], "e in pos.entries",
          ["{{ e.no }}", "{{ e.risk }}", "{{ e.category }}", "{{ e.level }}", "{{ e.measures }}", "{{ e.owner }}"],
          [12, 40, 22, 12, 50, 20])
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def manual() -> Document:
    doc = new()
    para(doc, "{{ title }}", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "目　录", gb.STYLE_PLAIN)  # not a heading: the 目录 does not list itself
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    gb.set_fonts(doc.paragraphs[-1].runs[0]._r.get_or_add_rPr(), gb.HEADING1_FONT)
    toc_begin = doc.add_paragraph(style=gb.STYLE_PLAIN)
    toc_begin._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'))
    toc_begin._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'))
    toc_begin._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    tag(doc, "{%p for d in departments %}")
    para(doc, "{{ d.name }}", gb.STYLE_PLAIN)
    tag(doc, "{%p endfor %}")
    toc_end = doc.add_paragraph(style=gb.STYLE_PLAIN)
    toc_end._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    doc.add_page_break()
    para(doc, "{{ intro }}")
    points_by_department(doc)
    return doc


def publicity() -> Document:
    """公示: the 公示期, how to comment, the points by department and position, 署名 and date."""
    doc = new()
    para(doc, "{{ title }}", gb.STYLE_TITLE)
    para(doc, "", gb.STYLE_PLAIN)
    para(doc, "经分级审核,现将{{ unit }}廉政风险点{{ count }}个、防控措施{{ measures }}条予以公示,"
              "接受干部职工和群众监督。")
    para(doc, "公示期:{{ period }}。", gb.STYLE_H3)
    para(doc, "意见反馈:对公示内容有意见的,请{{ feedback }}。反映问题应当实事求是,"
              "署名反映的,我们将及时反馈处理情况。")
    points_by_department(doc)
    signature(doc)
    return doc


def main() -> None:
    """One template per kind that declares one (service.document_kinds), built by the function of its name."""
    for kind, filename in templates().items():
        globals()[kind]().save(HERE / filename)
        print(f"wrote {HERE / filename}")


if __name__ == "__main__":
    main()
