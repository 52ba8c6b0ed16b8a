"""From Grids to the contract, written once for every reader, by stage:

`layout` finds a table's header and what each column holds; `rows` classifies every row
below it (a `RowKind`); `entries` builds entries (or a 职权目录's powers) and reports every
row that makes none; this module walks the document's grids, reads the lines around them
(title, 填报单位, signature lines) and finishes the form. Vertical merges need no fill-down:
a merged Cell already sits at every position it covers.
"""

from __future__ import annotations

import re
from collections import Counter

from parsers import dates
from parsers.errors import fail
from parsers.fields import header_values
from parsers.grid import Cell, Grid, GridDocument
from parsers.levels import LevelReader, Reading, legend_highest_rank
from parsers.model import FormInfo, ParsedForm, ParseWarning
from parsers.table.entries import read_rows
from parsers.table.layout import Layout, card, find_layout
from parsers.table.rows import NOTE, department_name
from parsers.table.state import Context, FormState, distinct, filled, row_number
from parsers.text import is_traditional, key

__all__ = ["interpret"]

_TITLE_WORDS = ("表", "目录", "清单", "台账", "一览")
_ANNEX = re.compile(r"^附(件|表)[\d一二三四五六七八九十-]*[:：]?$")  # "附表2" above the title


def _read_table(form: FormState, grid: Grid, start: int, layout: Layout, ctx: Context) -> Layout:
    """Append the grid's entries; a new header further down (tables stacked in one sheet) takes over.

    Returns the layout in force at the end, for a table continued in the next grid."""
    while True:
        if layout.guessed:
            form.warn("risk_column_guessed", f"表格没有“风险点”列,已将“{form.text(layout.guessed)}”列作为风险点读取,请核对",
                      grid, layout.top)
        form.has_level_column |= bool(layout.ticks) or "level" in layout.columns
        form.kinds.append(layout.kind)
        stop = read_rows(form, grid, start, layout, ctx)
        found = find_layout(grid, stop) if stop is not None else None
        if found is None:
            return layout
        layout, start = found


# ---------------------------------------------------------------- form fields

def _row_lines(form: FormState, grid: Grid, stop: int) -> list[str]:
    """Rows above a table's header, as text lines (titles and header lines in a sheet)."""
    lines = []
    for row in grid.rows[:stop]:
        texts = [c.text.strip() for c in distinct(row, range(len(row))) if c.text.strip()]
        if texts:
            lines.append(form.simplified("    ".join(texts)))
    return lines


def _key_values(form: FormState, grid: Grid, stop: int) -> list[tuple[str, str]]:
    """Key-value cells above the header: 姓名 | 张三 | 职务 | 科长."""
    return [pair for row in grid.rows[:stop] for pair in _row_pairs(form, row)]


def _row_pairs(form: FormState, row: list[Cell]) -> list[tuple[str, str]]:
    cells = [form.simplified(c.text.strip()) for c in distinct(row, range(len(row))) if c.text.strip()]
    out = []
    for label, value in zip(cells, cells[1:], strict=False):
        name = header_values(label.rstrip(":：") + ":" + value)
        if name and not header_values(value + ":x") and len(label) <= 8:
            out.append(name[0])
    return out


def _title(lines: list[str]) -> str | None:
    candidates = [ln.strip() for ln in lines if ln.strip() and not header_values(ln) and len(ln.strip()) <= 50
                  and not NOTE.match(key(ln)) and not _ANNEX.match(key(ln))]
    for line in candidates:
        if any(w in line for w in _TITLE_WORDS):
            return line
    return candidates[0] if candidates else None


def _context(form: FormState, lines: list[str], pairs: list[tuple[str, str]], sheet: str | None,
             inherited: Context) -> Context:
    found: dict[str, str] = {}
    for name, value in pairs:
        found.setdefault(name, value)
    department = found.get("department")
    if not department:
        heading = next((d for d in map(department_name, reversed(lines)) if d), None)
        department = heading or (department_name(sheet) if sheet else None)
    return Context(
        department=form.text(department) if department else inherited.department,
        position=form.text(found["position"]) if "position" in found else inherited.position,
        person=form.text(found["person"]) if "person" in found else inherited.person,
        category=inherited.category,
    )


# ---------------------------------------------------------------- the whole form

def _sample_text(doc: GridDocument) -> str:
    cells = (c.text for g in doc.grids for row in g.rows[:60] for c in row[:12])
    return " ".join([*doc.lines[:200], *cells])


def _legend_lines(doc: GridDocument) -> list[str]:
    cells = {c.text for g in doc.grids for row in g.rows for c in row if "最" in c.text or "由" in c.text}
    return [*doc.lines, *sorted(cells)]


def _level_scheme(readings: list[Reading]) -> str | None:
    schemes = Counter(r.scheme for r in readings if r.scheme)
    if "ticks" in schemes:
        return "ticks"
    return schemes.most_common(1)[0][0] if schemes else None


class _Walk:
    """The document's grids in order: risk tables, the text above the first, what follows."""

    def __init__(self, form: FormState) -> None:
        self.form = form
        self.preamble: list[str] = []  # text above the first risk table, layout tables included
        self.preamble_pairs: list[tuple[str, str]] = []
        self.previous: tuple[Layout, Context] | None = None
        self.form_ctx = Context()

    def grid(self, grid: Grid) -> None:
        form = self.form
        found = find_layout(grid)
        lines = [form.simplified(line) for line in grid.before]
        if found is None and self._continues(grid, lines):
            return
        if found is None:
            made = card(grid)
            if made is not None:
                self.preamble_pairs += _key_values(form, grid, grid.n_rows)
                grid, found = made, find_layout(made)
        if found is None:
            self._other(grid, lines)
        else:
            self._risk_table(grid, lines, *found)

    def _continues(self, grid: Grid, lines: list[str]) -> bool:
        """A table split over Word tables: same width, no header lines between."""
        if not (self.previous and grid.n_cols == self.previous[0].width and grid.n_rows
                and not header_values(" ".join(lines))):
            return False
        ctx = _context(self.form, lines, [], None, self.previous[1])
        self.previous = (_read_table(self.form, grid, 0, self.previous[0], ctx), ctx)
        return True

    def _other(self, grid: Grid, lines: list[str]) -> None:
        form = self.form
        if not self.previous:
            self.preamble += lines + _row_lines(form, grid, grid.n_rows)
            self.preamble_pairs += _key_values(form, grid, grid.n_rows)
            return
        rows = _row_lines(form, grid, grid.n_rows)  # a signature table below: 填表人 | 张三 | 填表日期 | …
        form.add_fields([p for line in rows for p in header_values(line)] + _key_values(form, grid, grid.n_rows),
                        trailing=True)
        _warn_unread(form, grid)


    def _risk_table(self, grid: Grid, lines: list[str], layout: Layout, start: int) -> None:
        form = self.form
        above = lines + _row_lines(form, grid, layout.top)
        pairs = [p for line in above for p in header_values(line)] + _key_values(form, grid, layout.top)
        if not self.previous:
            self.preamble += above
            form.add_fields([p for line in self.preamble for p in header_values(line)] + self.preamble_pairs + pairs)
            self.form_ctx = _context(form, [], list(form.info.items()), None, Context())
        if self.previous:
            _warn_unread(form, grid, layout.top)
        ctx = _context(form, lines, pairs, grid.sheet, self.form_ctx)
        form.declared_departments |= {form.text(v) for n, v in pairs if n == "department"}
        self.previous = (_read_table(form, grid, start, layout, ctx), ctx)
        form.add_fields(pairs, trailing=True)


def _warn_unread(form: FormState, grid: Grid, header: int | None = None) -> None:
    """A table after the risk tables that is neither one nor a signature table (its header lost,
    a page's part that could not be joined): its rows are named, never dropped in silence. With
    `header` (a later risk table's header row): the rows above it holding two cells or more
    (rows before a header that a page break split, its first line gone with the page before)."""
    least = 1 if header is None else 2
    unread = [r for r, row in enumerate(grid.rows[:header])
              if len(cells := filled(row)) >= least and not _row_pairs(form, row)
              and not header_values("    ".join(form.simplified(c.text) for c in cells))]
    if unread:
        listed = "、".join(str(row_number(grid, r) or r + 1) for r in unread[:10]) + ("等" if len(unread) > 10 else "")
        message = (f"有一个表格未能识别表头,其中第{listed}行的内容未读取,请核对" if header is None
                   else f"表格第{listed}行在表头之上,未作为风险点读取,请核对")
        form.warn("table_unread" if header is None else "row_above_header", message, grid, unread[0])


def interpret(doc: GridDocument, *, file: str, sha256: str | None = None,
              level_standard: dict | None = None) -> ParsedForm:
    """The contract object for a read document; ParseError('not_a_form') without a risk table."""
    form = FormState(
        traditional=is_traditional(_sample_text(doc)),
        levels=LevelReader(legend_highest_rank(_legend_lines(doc)), level_standard),
    )
    walk = _Walk(form)
    for grid in doc.grids:
        walk.grid(grid)
    if walk.previous is None:
        raise fail("not_a_form")
    if not form.entries and not form.powers:
        raise fail("not_a_form", "未找到风险点表格:表格中没有填写任何风险点")
    return _finish(form, doc, walk.preamble, file=file, sha256=sha256)


def _finish(form: FormState, doc: GridDocument, preamble: list[str], *,
            file: str, sha256: str | None) -> ParsedForm:
    last_grid_after = doc.grids[-1].after if doc.grids else []
    form.add_fields([p for line in last_grid_after for p in header_values(form.simplified(line))], trailing=True)
    info = {**form.trailing, **form.info}
    # The form names a department only when one fills it: one declared, or one across the entries.
    one_department = len(form.declared_departments) <= 1 and (
        "department" in form.info or len({e.department for e in form.entries}) <= 1)
    power_list = bool(form.kinds) and all(k == "power_list" for k in form.kinds)
    if any(r.assumed for r in form.readings):
        form.warn("level_direction_assumed",
                  "表格未说明风险等级的高低方向,已按“一级为最高”理解,请核对")
    if not form.has_level_column and not power_list:
        form.warn("level_missing", "表格没有风险等级列,所有风险点均未标明等级")
    filled_on = info.get("filled_on")
    return ParsedForm(
        file=file,
        format=doc.format,
        sha256=sha256,
        form=FormInfo(
            kind="power_list" if power_list else "risk_register",
            title=form.text(_title(preamble) or "") or None,
            unit=info.get("unit"),
            department=info.get("department") if one_department else None,
            person=info.get("person") or info.get("filler"),
            filled_on=dates.iso_date(filled_on) if filled_on else None,
            level_scheme=_level_scheme(form.readings),
        ),
        entries=form.entries,
        warnings=[ParseWarning(code, message) for code, message in doc.warnings] + form.warnings,
        ocr=doc.ocr,
        powers=form.powers,
    )
