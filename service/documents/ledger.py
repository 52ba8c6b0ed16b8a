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
from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from service.documents import queries, render
from service.documents.base import Draft, Output, common
from service.store.scope import Viewer

TEMPLATE = None
REQUIRED = frozenset()
NUMBERED = False
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
    ("风险等级", 8, lambda e: queries.LEVEL_NAMES.get(e["level"] or "")),
    ("防控措施", 50, _measures),
    ("责任人", 12, lambda e: e["owner"]),
    ("监控责任人", 12, lambda e: e["supervisor"]),
    ("完成时限", 14, lambda e: e["deadline"]),
]
UNIT_COLUMN: tuple[str, int, Getter] = ("单位", 20, lambda e: e["unit"])


def _cell(ws: WriteOnlyWorksheet, value: Any, wrap: Alignment) -> Any:
    """Plain values go through as they are (fast); formula-like and multi-line text get a cell."""
    if not isinstance(value, str):
        return value
    value = render.clean_text(value)  # openpyxl refuses XML-illegal characters
    formula_like = value.startswith(FORMULA_START)
    if not formula_like and "\n" not in value:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if formula_like:
        cell.data_type = "s"
        cell.quotePrefix = True
    if "\n" in value:
        cell.alignment = wrap
    return cell


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
    bold = Font(bold=True)
    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(bold=True, size=16)
    ws.append([title_cell])
    ws.append([info])
    header = []
    for name, _, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for e in entries:
        ws.append([_cell(ws, get(e), wrap) for _, _, get in columns])
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
    return Draft(ctx, stem=f"风险台账_{sc.unit_name}", scope=sc,
                 extra={"title": f"{sc.unit_name}廉政风险台账", "info": info, "with_unit": with_unit})


def produce(template: render.Template | None, draft: Draft) -> Output:
    data = workbook(draft.context["entries"], draft.extra["title"], draft.extra["info"], draft.extra["with_unit"])
    return Output(data, ".xlsx")
