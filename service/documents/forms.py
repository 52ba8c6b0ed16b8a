"""The blank forms annexed to the 实施方案 (.docx and .xlsx), laid out so that what units send back
parses cleanly: one header row with the words forms use, the level legend stated (高 highest),
measures asked for one per line numbered 1、2、, and in the workbook drop-down lists for the
level and the type so the values are ones the parser knows.
"""

from __future__ import annotations

import io

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from parsers.model import CATEGORIES
from service.documents import gbt9704
from service.documents.punctuation import fullwidth

TITLE = "廉政风险点排查登记表"
DOCX_COLUMNS = ("序号", "岗位", "职权事项", "风险点", "风险类型", "风险等级", "防控措施", "责任人", "完成时限")
XLSX_COLUMNS = ("序号", "科室", "岗位", "姓名", "职权事项", "风险点", "风险类型", "风险等级", "防控措施", "责任人",
                "完成时限")
XLSX_WIDTHS = (6, 14, 14, 10, 18, 40, 12, 10, 50, 12, 14)
LEVELS = ("高", "中", "低")
NOTE = ("注:1.风险类型填写思想道德、岗位职责、业务流程、制度机制、外部环境之一;2.风险等级填写高、中、低,高为最高;"
        "3.防控措施逐条编号,每条一行(1、……2、……),并写明责任人和完成时限。")
BLANK_ROWS = 10
DOCX_WIDTHS_MM = (13, 18, 22, 45, 21, 21, 46, 18, 21)  # headers on one line (12 pt + cell margins)
ROW_MM = 14  # room to write by hand


def blank_docx(unit: str, label: str = "附件1") -> bytes:
    """The form to fill in on paper: A4 landscape, "附件1" in 3号黑体 at the top left, columns
    sized for what goes in them, rows tall enough to write in, the header row repeated."""
    doc = docx.Document()
    gbt9704.apply_base_styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(gbt9704.PAGE_MM[1]), Mm(gbt9704.PAGE_MM[0])
    margins = gbt9704.LANDSCAPE_MARGINS_MM
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.footer_distance = Mm(margins["bottom"] - 7.0 - gbt9704.PAGE_NUMBER_PT * 25.4 / 72)
    mark = doc.add_paragraph(label, style=gbt9704.STYLE_PLAIN)
    gbt9704.set_fonts(mark.runs[0]._r.get_or_add_rPr(), gbt9704.HEADING1_FONT)
    doc.add_paragraph(f"科室{TITLE}", style=gbt9704.STYLE_TITLE)
    doc.add_paragraph(fullwidth(f"填报单位:{unit}　　科室:　　　　　　填表日期:　　年　　月　　日"),
                      style=gbt9704.STYLE_PLAIN)
    table = doc.add_table(rows=1 + BLANK_ROWS, cols=len(DOCX_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, grid, width in zip(table.columns, table._tbl.tblGrid.gridCol_lst, DOCX_WIDTHS_MM, strict=True):
        grid.w = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    for i, row in enumerate(table.rows):
        row.height = Mm(8 if i == 0 else ROW_MM)
        for cell in row.cells:
            cell.paragraphs[0].style = doc.styles[gbt9704.STYLE_TABLE]
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    for cell, name in zip(table.rows[0].cells, DOCX_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(name).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    doc.add_paragraph(fullwidth(NOTE), style=gbt9704.STYLE_TABLE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def blank_xlsx(unit: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    last = get_column_letter(len(XLSX_COLUMNS))
    ws.append([f"单位{TITLE}"])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([fullwidth(f"填报单位:{unit}　　风险等级:高、中、低(高为最高)")])
    ws.merge_cells(f"A2:{last}2")
    ws.append(list(XLSX_COLUMNS))
    thin = Side(style="thin")
    for i, width in enumerate(XLSX_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
        ws.cell(3, i).font = Font(bold=True)
        for r in range(3, 4 + BLANK_ROWS):
            ws.cell(r, i).border = Border(left=thin, right=thin, top=thin, bottom=thin)
            ws.cell(r, i).alignment = Alignment(wrap_text=True, vertical="top")
    rows = f"4:{3 + BLANK_ROWS}"
    for column, values in (("风险等级", LEVELS), ("风险类型", CATEGORIES[:5])):
        letter = get_column_letter(XLSX_COLUMNS.index(column) + 1)
        check = DataValidation(type="list", formula1=f'"{",".join(values)}"', allow_blank=True,
                               error=f"请从下拉列表中选择{column}", showErrorMessage=True)
        check.add(f"{letter}{rows.split(':')[0]}:{letter}{rows.split(':')[1]}")
        ws.add_data_validation(check)
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:3"
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as many pages tall as rows need
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = True
    ws.row_dimensions[1].height = 30  # the title's 16 pt line whole
    ws.row_dimensions[2].height = 20
    for r in range(4, 4 + BLANK_ROWS):
        ws.row_dimensions[r].height = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
