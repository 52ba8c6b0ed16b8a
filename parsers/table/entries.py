"""ParsedEntry building: the rows of one table to entries (or powers), each other row to a warning.

`read_rows` walks the rows with the classifier (`rows.classify`); an entry row becomes an
`ParsedEntry` (a `Power` on a 职权目录), a continuation adds measures to the entry above, a section
row sets the department or type of the rows below, and every row that makes no entry of its
own is reported with its reason, so no risk point disappears without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from parsers import categories, dates, measures
from parsers.fields import header_values
from parsers.grid import Cell, Grid
from parsers.levels import Reading
from parsers.model import ParsedEntry, ParsedMeasure, Power, Source
from parsers.table.layout import Layout
from parsers.table.rows import RowKind, classify, section_of
from parsers.table.state import Context, FormState, distinct, filled, joined, row_label, row_number
from parsers.text import key

_TICKS = {"√", "✓", "✔", "☑", "●", "■", "v", "是", "y"}  # × marks a column NOT chosen
_EMPTY_BOXES = ("□", "☐", "○", "◯")
_CHECKBOX = re.compile(r"[☑☒■√✓✔●▣]([^□☐○◯☑☒■√✓✔●▣]+)")

# What the user is told about a row that makes no entry of its own ({row} is "第N行").
SKIPPED: dict[RowKind, tuple[str, str]] = {
    RowKind.HEADER: ("row_header", "{row}是重复的表头,未作为风险点读取"),
    RowKind.TOTAL: ("row_total", "{row}是合计行,未作为风险点读取"),
    RowKind.END_MARK: ("row_end_mark", "{row}是“以下空白”标记,未作为风险点读取"),
    RowKind.NOTE: ("row_note", "{row}是表格说明(注),未作为风险点读取"),
    RowKind.SIGNATURE: ("row_signature", "{row}是签字栏,未作为风险点读取"),
    RowKind.SECTION: ("row_section", "{row}是分组标题“{text}”,已作为下方风险点的科室或类型读取"),
    RowKind.SEQ_ONLY: ("row_seq_only", "{row}只有序号,没有内容,已跳过"),
    RowKind.NO_RISK: ("row_no_risk", "{row}的风险点为“{text}”,未作为风险点读取,请核对"),
    RowKind.MERGED: ("row_merged", "{row}的风险点单元格与上一行合并,其内容并入上一条风险点"),
    RowKind.CONTINUATION: ("row_continued", "{row}没有风险点,其中的防控措施已并入上一条风险点"),
    RowKind.NO_RISK_TEXT: ("row_skipped", "{row}有内容但没有风险点,已跳过,请核对"),
}
ROW_CODES = frozenset(code for code, _ in SKIPPED.values())
_NEAR = 60  # rows looked through for the text a blank 科室/岗位 cell may belong to (a blank column costs no more)
_PLAIN = ("risk", "department", "position", "person", "duty", "manifestation", "domain", "owner", "supervisor",
          "deadline")


@dataclass
class _Table:
    """One table being read: its grid, layout, the section in force and its entries so far."""

    grid: Grid
    layout: Layout
    section: Context
    count: int = 0
    entry_rows: set[int] = field(default_factory=set)

    @cached_property
    def plain_fields(self) -> list[tuple[str, list[int]]]:
        """The table's columns an entry takes as written, each with its column indexes."""
        return [(name, cols) for name in _PLAIN if (cols := self.layout.columns.get(name))]

    def value(self, form: FormState, r: int, name: str) -> str | None:
        cols = self.layout.columns.get(name)
        return (form.text(joined(self.grid.rows[r], cols)) or None) if cols else None


def read_rows(form: FormState, grid: Grid, start: int, layout: Layout, ctx: Context) -> int | None:
    """Append the rows' entries to the form, up to a row that starts another table (returned)."""
    table = _Table(grid, layout, ctx)
    for r in range(start, grid.n_rows):
        kind = classify(grid, r, layout, first=r == start, has_entry=table.count > 0)
        if kind is RowKind.NEW_TABLE:
            _warn_above_labels(form, table, r)
            return r
        if kind is RowKind.ENTRY:
            _cover_blanks(table, r)
            _add(form, table, r)
            continue
        if kind is RowKind.EMPTY:
            continue
        _apply(form, table, r, kind)
        code, message = SKIPPED[kind]
        text = form.text(" ".join(c.text for c in filled(grid.rows[r])))[:30]
        form.warn(code, message.format(row=row_label(grid, r), text=text), grid, r)
    return None


def _warn_above_labels(form: FormState, table: _Table, r: int) -> None:
    """The same header again, its cells holding lines above their labels: the rest of the row
    above, cut by a page break and drawn with no rule between (three-line PDF). It is named,
    never swallowed into the next table's header in silence."""
    if not table.count:
        return
    heads = table.layout.header_keys
    above = []
    for cell in distinct(table.grid.rows[r], range(len(table.grid.rows[r]))):
        labels = {head[cell.col] for head in heads if cell.col < len(head)} - {""}
        labels.add("".join(head[cell.col] for head in heads if cell.col < len(head)))
        lines = cell.text.split("\n")
        cut = next((i for i in range(1, len(lines)) if key("".join(lines[i:])) in labels), 0)
        above += [form.text(line) for line in lines[:cut]]
    if any(above):
        text = "、".join(t for t in above if t)
        form.warn("row_above_labels", f"{row_label(table.grid, r)}表头之上的“{text}”未读取(可能是上一行被分页截断的内容),请核对",
                  table.grid, r)


def _cover_blanks(table: _Table, r: int) -> None:
    """A blank 科室 or 岗位 cell of an entry row next to a text that may reach over it
    (`Cell.reach`: a three-line PDF table, where a merged cell is drawn once) is that cell,
    when the text is in an entry row too. Only these columns: a blank 等级 or 类型 stays blank."""
    row = table.grid.rows[r]
    for c in table.layout.cols("department") + table.layout.cols("position"):
        if not row[c].text.strip() and (cell := _covering(table, r, c)) is not None:
            row[c] = cell


def _covering(table: _Table, r: int, c: int) -> Cell | None:
    """The nearest text above or below row r in column c whose reach covers r."""
    grid = table.grid
    above = next((k for k in range(r - 1, max(r - 1 - _NEAR, -1), -1) if grid.rows[k][c].text.strip()), None)
    if above in table.entry_rows:
        cell = grid.rows[above][c]
        if cell.row + cell.rowspan - 1 + cell.reach[1] >= r:
            return cell
    below = next((k for k in range(r + 1, min(r + 1 + _NEAR, grid.n_rows)) if grid.rows[k][c].text.strip()), None)
    if below is not None:
        cell = grid.rows[below][c]
        if cell.row - cell.reach[0] <= r and classify(grid, below, table.layout, first=False,
                                                       has_entry=True) is RowKind.ENTRY:
            return cell
    return None


def _apply(form: FormState, table: _Table, r: int, kind: RowKind) -> None:
    """What a row that is no entry still gives: fields, a section, more measures."""
    row = table.grid.rows[r]
    if kind in (RowKind.NOTE, RowKind.SIGNATURE):
        texts = "    ".join(c.text for c in distinct(row, range(len(row))))
        form.add_fields(header_values(form.simplified(texts)), trailing=True)
    elif kind is RowKind.SECTION:
        others = [c for c in filled(row) if c.col not in table.layout.cols("seq")] or filled(row)
        table.section = _section(form, others[0].text, table.section)
    elif kind is RowKind.CONTINUATION or (kind is RowKind.MERGED and table.count and any(
            row[c] is not table.grid.rows[r - 1][c] for c in table.layout.measure_cols)):
        _more_measures(form, table, r)


def _add(form: FormState, table: _Table, r: int) -> None:
    if table.layout.kind == "power_list":
        form.powers.append(_power(form, table, r))
    else:
        form.entries.append(_entry(form, table, r))
    table.count += 1
    table.entry_rows.add(r)


def _section(form: FormState, text: str, ctx: Context) -> Context:
    """The context below a section row: it names a department or a risk type."""
    found = section_of(text)
    if found is None:
        return ctx
    name, value = found
    return replace(ctx, **{name: form.text(value)})


def _source(grid: Grid, r: int, layout: Layout) -> Source:
    risk_cell = distinct(grid.rows[r], layout.cols("risk"))[0]
    return Source(table=grid.table, sheet=grid.sheet,
                  page=risk_cell.page or (grid.row_pages[r] if r < len(grid.row_pages) else None),
                  row=row_number(grid, r))


def _power(form: FormState, table: _Table, r: int) -> Power:
    subject = next((v for v in (table.value(form, r, n) for n in ("handler", "department", "position")) if v), None)
    return Power(
        name=table.value(form, r, "power_name") or table.value(form, r, "power_content") or "",
        content=table.value(form, r, "power_content"),
        subject=subject,
        basis=table.value(form, r, "legal_basis"),
        source=_source(table.grid, r, table.layout),
    )


def _ticked_option(raw: str) -> str | None:
    """The option ticked in a cell listing them all ("□高 ☑中 □低" -> 中), else None."""
    if not any(box in raw for box in _EMPTY_BOXES):
        return None
    checked = _CHECKBOX.search(key(raw))
    return checked.group(1) if checked else None


def _read_level(form: FormState, label: str, ticked: bool) -> tuple[str | None, str | None, bool]:
    reading = form.levels.read(label)
    form.readings.append(Reading(reading.level, "ticks", reading.assumed) if ticked else reading)
    return reading.level, form.text(label), reading.level is None


def _level(form: FormState, table: _Table, r: int) -> tuple[str | None, str | None, bool]:
    """(level, label as written, whether the row's level could not be read); only the row's own
    cells count: a blank level cell stays None (a legend maps labels, it never fills a blank)."""
    row = table.grid.rows[r]
    for c, label in table.layout.ticks.items():
        if key(row[c].text) in _TICKS:
            return _read_level(form, label, True)
    raw = joined(row, table.layout.cols("level"))
    if not raw:
        return None, None, False
    option = _ticked_option(raw)
    return _read_level(form, option, True) if option else _read_level(form, raw, False)


def _measures(form: FormState, table: _Table, r: int) -> list[ParsedMeasure]:
    row = table.grid.rows[r]
    raw = joined(row, table.layout.cols("measures"))
    pairs = measures.split(raw) if raw else []
    for phase, cols in table.layout.phase_cols:
        pairs += [(p or phase, t) for p, t in measures.split(joined(row, cols))]
    return [ParsedMeasure(text, phase) for phase, text in ((p, form.text(t)) for p, t in pairs) if text]


def _category(form: FormState, table: _Table, r: int) -> tuple[str | None, str | None]:
    """(type, label): from the row's cell; a section row ("一、思想道德风险") only where the
    table has no type column, so a blank type cell stays blank."""
    label = table.value(form, r, "category")
    if label:
        label = _ticked_option(label) or label
    elif "category" not in table.layout.columns:
        label = table.section.category
    return categories.category(label), label


def _entry(form: FormState, table: _Table, r: int) -> ParsedEntry:
    grid, layout, ctx = table.grid, table.layout, table.section
    level, label, unread = _level(form, table, r)
    if unread:
        form.warn("level_unreadable", f"{row_label(grid, r)}的风险等级“{label}”无法识别,请核对", grid, r)
    elif level is None and (layout.ticks or "level" in layout.columns):
        form.warn("level_missing", f"{row_label(grid, r)}的风险点未填写风险等级", grid, r)
    category, category_label = _category(form, table, r)
    row = grid.rows[r]
    values = {name: form.text(joined(row, cols)) or None for name, cols in table.plain_fields}
    deadline = values.get("deadline")
    return ParsedEntry(
        risk=values.get("risk") or "",
        department=values.get("department") or ctx.department,
        position=values.get("position") or ctx.position,
        person=values.get("person") or ctx.person,
        duty=values.get("duty"),
        manifestation=values.get("manifestation"),
        category=category,
        category_label=category_label,
        domain=categories.domain(values.get("domain")),
        level=level,
        level_label=label,
        measures=_measures(form, table, r),
        owner=values.get("owner"),
        supervisor=values.get("supervisor"),
        deadline=dates.deadline(deadline) if deadline else None,
        source=_source(grid, r, layout),
    )


def _more_measures(form: FormState, table: _Table, r: int) -> None:
    """Measures from a row continuing the entry above, with the row's own 责任人/时限 where they differ."""
    if table.layout.kind == "power_list":
        return
    entry = form.entries[-1]
    owner = table.value(form, r, "owner")
    deadline = table.value(form, r, "deadline")
    deadline = dates.deadline(deadline) if deadline else None
    for m in _measures(form, table, r):
        m.owner = owner if owner != entry.owner else None
        m.deadline = deadline if deadline != entry.deadline else None
        entry.measures.append(m)
