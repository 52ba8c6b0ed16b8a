"""Excel (.xlsx) reader: every visible data sheet to a Grid, merges explicit.

openpyxl with data_only=True gives formulas' cached values; a formula Excel never
calculated (files written by scripts) has none, reads as empty and is reported.
Dates become ISO text (openpyxl honours 1904 mode) and numbers are written as Excel
shows them ("3", not "3.0"). Instruction sheets (填表说明) and hidden sheets are skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from parsers.errors import fail
from parsers.grid import Cell, Document, Grid

_INSTRUCTIONS = re.compile(r"说明|须知|填表要求|填报要求|示例|样表")
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _grid(ws) -> Grid | None:
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    # Trim to the used area: openpyxl counts formatted but empty cells as used.
    while values and not any(v not in (None, "") for v in values[-1]):
        values.pop()
    if not values:
        return None
    width = max((i + 1 for row in values for i, v in enumerate(row) if v not in (None, "")), default=0)
    top = ws.min_row
    rows = [[Cell(_text(v), r, c) for c, v in enumerate((row + [None] * width)[:width])] for r, row in enumerate(values)]
    for merged in ws.merged_cells.ranges:
        r0, c0 = merged.min_row - top, merged.min_col - 1
        if r0 >= len(rows) or c0 >= width:
            continue
        origin = rows[r0][c0]
        origin.rowspan = min(merged.max_row - top, len(rows) - 1) - r0 + 1
        origin.colspan = min(merged.max_col, width) - c0
        for r in range(r0, r0 + origin.rowspan):
            for c in range(c0, c0 + origin.colspan):
                rows[r][c] = origin
    return Grid(rows=rows, sheet=ws.title, row_numbers=list(range(top, top + len(rows))))


def _uncalculated(data: bytes, sheets: list[str]) -> list[tuple[str, str]]:
    """Formula cells without a cached value, as (sheet, cell) — only looked for when formulas exist."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if not any(_FORMULA.search(zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")):
            return []
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    missing = []
    for name in sheets:
        for row in wb[name].iter_rows():
            for cell in row:
                if cell.data_type == "f" and cached[name][cell.coordinate].value is None:
                    missing.append((name, cell.coordinate))
    return missing


def read(data: bytes) -> Document:
    """The grids of an .xlsx workbook's visible data sheets."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise fail("corrupt_file") from exc
    doc = Document(format="xlsx")
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible" and not _INSTRUCTIONS.search(ws.title)]
    for ws in sheets:
        grid = _grid(ws)
        if grid is not None:
            doc.grids.append(grid)
    missing = _uncalculated(data, [ws.title for ws in sheets])
    if missing:
        cells = "、".join(f"{sheet}!{ref}" for sheet, ref in missing[:10])
        doc.warnings.append(("formula_without_value", f"公式单元格没有计算结果,按空白读取:{cells}。请在 Excel 中打开并保存后重新上传"))
    return doc
