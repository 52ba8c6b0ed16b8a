"""The blank forms annexed to the 实施方案 (.docx and .xlsx), laid out so that what units send back
parses cleanly: one header row with the words forms use, the level legend stated (高 highest),
measures asked for one per line numbered 1、2、, and in the workbook drop-down lists for the
level and the type so the values are ones the parser knows.
"""

from __future__ import annotations

import io

import docx
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from parsers.model import CATEGORIES
from service.documents import gbt9704

TITLE = "廉政风险点排查登记表"
DOCX_COLUMNS = ("序号", "岗位", "职权事项", "风险点", "风险类型", "风险等级", "防控措施", "责任人", "完成时限")
XLSX_COLUMNS = ("序号", "科室", "岗位", "姓名", "职权事项", "风险点", "风险类型", "风险等级", "防控措施", "责任人",
                "完成时限")
XLSX_WIDTHS = (6, 14, 14, 10, 18, 40, 12, 10, 50, 12, 14)
LEVELS = ("高", "中", "低")
NOTE = ("注:1.风险类型填写思想道德、岗位职责、业务流程、制度机制、外部环境之一;2.风险等级填写高、中、低,高为最高;"
        "3.防控措施逐条编号,每条一行(1、……2、……),并写明责任人和完成时限。")
BLANK_ROWS = 10


def blank_docx(unit: str) -> bytes:
    doc = docx.Document()
    gbt9704.apply_base_styles(doc)
    doc.add_paragraph(f"科室{TITLE}", style=gbt9704.STYLE_TITLE)
    doc.add_paragraph(f"填报单位:{unit}    科室:            填表日期:    年  月  日")
    table = doc.add_table(rows=1 + BLANK_ROWS, cols=len(DOCX_COLUMNS))
    table.style = doc.styles["Table Grid"]
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].style = doc.styles[gbt9704.STYLE_TABLE]
    for cell, name in zip(table.rows[0].cells, DOCX_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(name).bold = True
    doc.add_paragraph(NOTE)
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
    ws.append([f"填报单位:{unit}    风险等级:高、中、低(高为最高)"])
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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
