"""风险台账 (.xlsx): every current entry with all its fields, one row per entry.

A row is an entry, not a measure: the ledger is read back as a form (`lianfang parse`), and a
form row is a risk point whose measures sit in one cell numbered 1、2、 one per line; measures
with a phase are grouped under "前期预防:" (numbering restarts), as forms with phases write them. The level is written 高/中/低 (the normalized
level, so the direction is never in doubt); measure owners and deadlines beyond the entry's own
are not columns. A text beginning with = + - @ is stored as a string with a quote prefix, so
Excel never evaluates it. Written with openpyxl's write-only mode to keep 50,000 rows fast.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from copy import copy
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from service import labels
from service.document_kinds import stem
from service.documents import queries, render
from service.documents.base import Draft, Output, common
from service.documents.punctuation import fullwidth
from service.store.scope import Viewer

REQUIRED = frozenset()
HEADER_ROW = 3
FORMULA_START = ("=", "+", "-", "@")
A4 = "9"

Getter = Callable[[dict[str, Any]], Any]


def _measures(e: dict[str, Any]) -> str:
    """1、2、 one per line; a run of measures of one phase opens with "前期预防:" and restarts at 1."""
    lines, phase, n = [], None, 0
    for m in e["measures"]:
        prefix = ""
        if m["phase"] != phase:
            phase, n = m["phase"], 0
            prefix = f"{phase}:" if phase else ""
        n += 1
        lines.append(f"{prefix}{n}、{m['text']}")
    return "\n".join(lines)


# (header, width, value) — the headers are the words forms use, so the parser reads them back.
COLUMNS: list[tuple[str, int, Getter]] = [
    ("序号", 6, lambda e: e["no"]),
    ("科室", 14, lambda e: e["department"]),
    ("岗位", 14, lambda e: e["position"]),
    ("姓名", 10, lambda e: e["person"]),
    ("职权事项", 18, lambda e: e["duty"]),
    ("风险点", 40, lambda e: e["risk"]),
    ("表现形式", 24, lambda e: e["manifestation"]),
    ("风险类型", 12, lambda e: e["category_label"] or e["category"]),
    ("业务类别", 12, lambda e: e["domain"]),
    ("风险等级", 8, lambda e: labels.level_name(e["level"], missing=labels.NO_LEVEL)),
    ("防控措施", 50, _measures),
    ("责任人", 12, lambda e: e["owner"]),
    ("监控责任人", 12, lambda e: e["supervisor"]),
    ("完成时限", 14, lambda e: e["deadline"]),
]
UNIT_COLUMN: tuple[str, int, Getter] = ("单位", 20, lambda e: e["unit"])


FONT = "宋体"  # a CJK face in Excel/WPS; LibreOffice maps it through the project's fontconfig file
LEVEL_FILLS = {"高": "FFC7CE", "中": "FCD5B4", "低": "FFF2CC", labels.NO_LEVEL: "E7E6E6"}  # 红/橙/黄, grey


class _Styles:
    """The few cell styles the ledger uses, each built once as a prototype style array that cells
    copy: assigning font, border and fill objects cell by cell costs openpyxl seconds a 10,000 rows."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        font = Font(name=FONT, size=11)

        def proto(align: Alignment, fill: str | None = None) -> StyleArray:
            cell = WriteOnlyCell(ws)
            cell.font, cell.border, cell.alignment = font, border, align
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            return cell._style

        wrap = Alignment(wrap_text=True, vertical="top")
        centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
        self.text, self.centre = proto(wrap), proto(centre)
        self.levels = {k: proto(centre, v) for k, v in LEVEL_FILLS.items()}


LINE_PT = 16.5  # an 11 pt CJK line (Noto CJK's ascent and descent are 1.45 em)


def row_height(values: list[Any], widths: list[int]) -> float:
    """Points for a row whose every wrapped line shows: Excel and LibreOffice keep a streamed row
    at the default height, cutting a cell's second measure off the printed page."""
    most = 1
    for value, width in zip(values, widths, strict=True):
        if not isinstance(value, str) or not value:
            continue
        room = max(width - 1, 1)  # column width in Latin characters; a Chinese one takes two
        lines = sum(max(1, math.ceil(sum(1 if ord(ch) < 0x2E80 else 2 for ch in line) / room))
                    for line in value.split("\n"))
        most = max(most, lines)
    return round(most * LINE_PT + 3, 1)


def _row(ws: WriteOnlyWorksheet, values: list[Any], st: _Styles, level_at: int) -> list[WriteOnlyCell]:
    """Bordered, wrapped cells in the CJK font, the level filled by its colour; a formula-like
    text stays text (quote prefix). Empty cells are written too, for their borders."""
    out = []
    for i, value in enumerate(values):
        if isinstance(value, str):
            value = render.clean_text(value)  # as stored: the ledger reads back as the same entries
        cell = WriteOnlyCell(ws, value="" if value is None else value)
        if i == level_at:
            cell._style = st.levels.get(value, st.centre)  # shared: written at once, never changed
        else:
            cell._style = st.text if isinstance(value, str) else st.centre
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell._style = copy(cell._style)
            cell.data_type = "s"
            cell.quotePrefix = True
        out.append(cell)
    return out


def _placed(cells: list[WriteOnlyCell], row: int) -> Iterator[WriteOnlyCell]:
    """Stands in for openpyxl's WriteOnlyWorksheet._values_to_row on rows of ready cells: that one
    first tries each cell as a plain value and catches the error, a third of the ledger's time."""
    for column, cell in enumerate(cells, 1):
        cell.row, cell.column = row, column
        yield cell


def workbook(entries: list[dict[str, Any]], title: str, info: str, with_unit: bool) -> bytes:
    columns = [UNIT_COLUMN, *COLUMNS] if with_unit else COLUMNS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("风险台账")
    last = get_column_letter(len(columns))
    for i, (_, width, _) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(entries), 1)}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    st = _Styles(ws)
    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(name=FONT, bold=True, size=16)
    ws.append([title_cell])
    info_cell = WriteOnlyCell(ws, value=fullwidth(info))
    info_cell.font = Font(name=FONT, size=11)
    ws.append([info_cell])
    header = []
    for name, _, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell._style = copy(st.centre)
        cell.font = Font(name=FONT, size=11, bold=True)
        header.append(cell)
    ws.append(header)
    level_at = next(i for i, (name, _, _) in enumerate(columns) if name == "风险等级")
    widths = [width for _, width, _ in columns]
    ws._values_to_row = _placed  # from here on every row is a list of ready cells
    for row, e in enumerate(entries, HEADER_ROW + 1):
        values = [get(e) for _, _, get in columns]
        ws.row_dimensions[row].height = row_height(values, widths)  # set before the row is written
        ws.append(_row(ws, values, st, level_at))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _matching(entries: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries the 风险库 page's other filters (level, category, search text) leave on screen."""
    level, category, text = params.get("level"), params.get("category"), (params.get("q") or "").strip()
    return [e for e in entries if (not level or e["level"] == level) and (not category or e["category"] == category)
            and (not text or any(text in (e[k] or "") for k in ("risk", "position", "department", "manifestation")))]


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    entries = _matching(queries.entries(session, sc, department=params.get("department"), person=params.get("person")),
                        params)
    with_unit = sc.unit is None
    if with_unit:
        names = dict(session.execute(queries.unit_names_stmt()).all())
        for e in entries:
            e["unit"] = names.get(e["unit_id"])
    for i, e in enumerate(entries, 1):
        e["no"] = i
    ctx = common(sc, params)
    ctx["entries"] = entries
    info = f"填报单位:{sc.unit_name}    风险等级:高、中、低(高为最高)    导出日期:{date.today().isoformat()}"
    return Draft(ctx, stem=stem("ledger", sc.unit_name), scope=sc,
                 extra={"title": f"{sc.unit_name}廉政风险台账", "info": info, "with_unit": with_unit})


def produce(template: render.Template | None, draft: Draft) -> Output:
    data = workbook(draft.context["entries"], draft.extra["title"], draft.extra["info"], draft.extra["with_unit"])
    return Output(data, ".xlsx")
