"""From Grids to the contract: header detection, rows to entries, form fields.

Written once for every reader. A grid is a risk table when one of its first rows
reads as a header (synonyms from `fields`); a second header row refines it (phase
columns under 防控措施, tick columns under 风险等级). Rows below become entries; title,
total, note, signature, repeated-header and empty rows do not. Vertical merges need no
fill-down here: a merged Cell already sits at every position it covers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from parsers import categories, dates, measures
from parsers.errors import fail
from parsers.fields import column_field, header_values
from parsers.grid import Cell, Document, Grid
from parsers.levels import LevelReader, Reading, legend_highest_rank
from parsers.model import Entry, FormInfo, Measure, ParsedForm, ParseWarning, Source
from parsers.text import clean, is_traditional, key, to_simplified

_HEADER_SCAN = 30  # header rows are searched among a table's first rows
_TICKS = {"√", "✓", "✔", "☑", "●", "■", "v", "是", "y"}  # × marks a column NOT chosen
_EMPTY_BOXES = ("□", "☐", "○", "◯")
_CHECKBOX = re.compile(r"[☑☒■√✓✔●▣]([^□☐○◯☑☒■√✓✔●▣]+)")
_TOTAL = ("合计", "小计", "总计")
_BLANK_MARKS = ("以下空白", "以下无内容", "此页无正文")
_NOTE = re.compile(r"^(注|说明|备注|填表说明)\d?[:：]")
_SIGNATURE = re.compile(r"签字|签名|盖章|审核意见|审核人|审批人|负责人签|(?:^|\s)审核[:：]")
_ENUM_PREFIX = re.compile(
    r"^([一二三四五六七八九十]+[、.]|\d+[、.]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十\d]+(部分|章|节)?)\s*"
)
_DEPARTMENT = re.compile(r"(科|室|处|股|局|队|所|站|中心|部|办|组|院|委|馆|厅|庭|车间|分局|支队)$")
_NO_RISK = re.compile(r"^([\d.,%/\-—–]+|无|暂无|没有)$")  # a numeric or 无 risk cell names no risk
_DEPARTMENT_ONLY = re.compile(r"(科|室|处|股|组|队|部)$")
_TITLE_WORDS = ("表", "目录", "清单", "台账", "一览")
_ANNEX = re.compile(r"^附(件|表)[\d一二三四五六七八九十-]*[:：]?$")  # "附表2" above the title
_RISK_WORDS = re.compile(r"廉政|廉洁|风险")
_GENERIC_UNITS = {"科室", "处室", "部门", "机关", "单位"}  # "科室廉政风险防控排查表" names no department


@dataclass
class _Layout:
    """How one risk table's columns read."""

    columns: dict[str, list[int]]  # contract field -> column indexes
    ticks: dict[int, str]  # tick column -> its level label
    header_keys: list[tuple[str, ...]]  # header rows, to recognise them when repeated
    width: int
    top: int  # the (first) header row
    kind: str = "risk_register"
    guessed: str | None = None  # header of a column read as 风险点 without saying so


@dataclass
class _Context:
    """Defaults for the entries of one table, from the lines and rows around it."""

    department: str | None = None
    position: str | None = None
    person: str | None = None
    category: str | None = None  # from a section row such as "一、思想道德风险"


@dataclass
class _Form:
    """State of one interpretation: the form being built and its readers."""

    traditional: bool
    levels: LevelReader
    info: dict[str, str] = field(default_factory=dict)
    trailing: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    has_level_column: bool = False
    kinds: list[str] = field(default_factory=list)  # risk_register / power_list of each table read
    declared_departments: set[str] = field(default_factory=set)  # 科室:… above each risk table

    def text(self, raw: str) -> str:
        return clean(raw, self.traditional)

    def simplified(self, raw: str) -> str:
        """Simplified but otherwise as written: header lines keep the gaps between their fields."""
        return to_simplified(raw) if self.traditional else raw

    def warn(self, code: str, message: str, grid: Grid | None = None, r: int | None = None) -> None:
        location = None
        if grid is not None:  # the shape of an entry's source, so a reviewer finds the row alike
            page = grid.row_pages[r] if r is not None and r < len(grid.row_pages) else None
            location = {"table": grid.table, "sheet": grid.sheet, "page": page, "row": _row_number(grid, r)}
        self.warnings.append(ParseWarning(code, message, location))

    def add_fields(self, pairs: list[tuple[str, str]], *, trailing: bool = False) -> None:
        target = self.trailing if trailing else self.info
        for name, value in pairs:
            target.setdefault(name, self.text(value))


def _row_number(grid: Grid, r: int | None) -> int | None:
    return grid.row_numbers[r] if r is not None and r < len(grid.row_numbers) else None


def _distinct(row: list[Cell], cols: list[int] | range) -> list[Cell]:
    seen: dict[int, Cell] = {}
    for c in cols:
        seen.setdefault(id(row[c]), row[c])
    return list(seen.values())


def _joined(row: list[Cell], cols: list[int]) -> str:
    return "\n".join(c.text for c in _distinct(row, cols) if c.text.strip())


def _row_keys(row: list[Cell]) -> tuple[str, ...]:
    return tuple(key(c.text) for c in row)


def _department_name(line: str) -> str | None:
    """A heading naming a department ("一、办公室", "财务科:", "办公室廉政风险点"), else None."""
    name = _ENUM_PREFIX.sub("", line.strip()).rstrip(":：").strip()
    before, *rest = _RISK_WORDS.split(name, maxsplit=1)
    # Before 廉政…/风险…, only a department's own endings count: "某某局廉政风险点登记表" names the unit.
    suffix = _DEPARTMENT_ONLY if rest else _DEPARTMENT
    name = before.strip()
    if (2 <= len(name) <= 15 and suffix.search(name) and name not in _GENERIC_UNITS
            and not re.search(r"[:：,，。表]", name)):
        return name
    return None


# ---------------------------------------------------------------- header detection

def _row_fields(row: list[Cell]) -> dict[int, str]:
    found: dict[int, str | None] = {}
    out = {}
    for c, cell in enumerate(row):
        if id(cell) not in found:
            found[id(cell)] = column_field(cell.text) if len(cell.text) <= 24 else None
        if found[id(cell)]:
            out[c] = found[id(cell)]
    return out


def _is_header(row: list[Cell], cols: dict[int, str]) -> bool:
    names = set(cols.values())
    if not ({"risk", "manifestation", "power_name"} & names) or len(names) < 2:
        return False
    filled = [c for c in _distinct(row, range(len(row))) if c.text.strip()]
    plain = LevelReader()
    matched = {id(row[c]) for c in cols} | {id(c) for c in filled if plain.read(c.text).level}
    return len(names) >= 3 or len(matched) >= 0.6 * len(filled)


def _parent_field(row: list[Cell], cols: dict[int, str], c: int) -> str | None:
    """The field of the header cell above column c, or of its nearest filled neighbour left."""
    for cc in range(c, -1, -1):
        if row[cc].text.strip():
            return cols.get(cc) if cc == c or cols.get(cc) in ("measures", "level") else None
    return None


def _refine(grid: Grid, r: int, cols: dict[int, str], ticks: dict[int, str]) -> bool:
    """Read row r+1 as a second header row when it holds only labels; True if it did."""
    if r + 1 >= grid.n_rows:
        return False
    top, sub = grid.rows[r], grid.rows[r + 1]
    plain = LevelReader()
    labels: dict[int, tuple[str, str | None, bool]] = {}
    for c in range(grid.n_cols):
        if sub[c] is top[c] or not sub[c].text.strip():
            continue
        if top[c].colspan == 1 and top[c].text.strip() and (c + 1 >= grid.n_cols or top[c + 1].text.strip()):
            return False  # a label under a header cell that spans nothing: this row is data
        text = sub[c].text.strip()
        name = column_field(text)
        is_level = plain.read(text).level is not None
        if not name and not is_level:
            return False
        labels[c] = (text, name, is_level)
    if not labels:
        return False
    for c, (text, name, is_level) in labels.items():
        parent = _parent_field(top, cols, c)
        if name and name.startswith("phase:"):
            cols[c] = name
        elif is_level and parent in ("level", None):
            ticks[c] = text
            cols.pop(c, None)
        elif name:
            cols[c] = name
    return True


def _single_row_ticks(row: list[Cell], cols: dict[int, str], ticks: dict[int, str]) -> None:
    """Tick columns headed 高|中|低 directly in a one-row header."""
    plain = LevelReader()
    found = {c: cell.text.strip() for c, cell in enumerate(row)
             if c not in cols and cell.text.strip() and plain.read(cell.text).level}
    if len(found) >= 2:
        ticks.update(found)


def _second_risk_column(header: list[Cell], columns: dict[str, list[int]]) -> None:
    """风险点 | 风险描述 under two headers: the first is the risk, the second how it shows."""
    risk = columns.get("risk", [])
    first = [c for c in risk if header[c] is header[risk[0]]]
    if len(first) < len(risk) and "manifestation" not in columns:
        columns["risk"], columns["manifestation"] = first, [c for c in risk if c not in first]


def _guess_risk_column(grid: Grid, r: int, cols: dict[int, str]) -> int | None:
    """In a header naming 防控措施 and two more columns but no 风险点 (序号|岗位|内容|等级|措施),
    the unnamed column holding the longest text below; None when there is no such header."""
    row = grid.rows[r]
    if "measures" not in cols.values() or len(set(cols.values())) < 3:
        return None
    below = grid.rows[r + 1:r + 51]
    lengths = {c: sum(len(data[c].text) for data in below) / max(len(below), 1)
               for c in range(len(row)) if c not in cols and row[c].text.strip() and row[c].col == c}
    best = max(lengths, key=lengths.get, default=None)
    return best if best is not None and lengths[best] >= 6 else None


def _find_layout(grid: Grid, first: int = 0) -> tuple[_Layout, int] | None:
    """The table's column map and its first data row, or None when no header is found."""
    for r in range(first, min(grid.n_rows, first + _HEADER_SCAN)):
        cols = _row_fields(grid.rows[r])
        guessed = None
        if not _is_header(grid.rows[r], cols):
            guessed = _guess_risk_column(grid, r, cols)
            if guessed is None:
                continue
            cols[guessed] = "risk"
        ticks: dict[int, str] = {}
        two_rows = _refine(grid, r, cols, ticks)
        if not two_rows:
            _single_row_ticks(grid.rows[r], cols, ticks)
        columns: dict[str, list[int]] = {}
        for c, name in sorted(cols.items()):
            columns.setdefault(name, []).append(c)
        if "risk" not in columns and "manifestation" in columns and "power_name" not in columns:
            columns["risk"] = columns.pop("manifestation")
        _second_risk_column(grid.rows[r + two_rows], columns)
        kind = "risk_register"
        if "risk" not in columns:
            listed = columns.get("power_content") or columns.get("power_name")
            if listed is None:  # the second header row renamed the only risk column
                continue
            kind, columns["risk"] = "power_list", listed
        if "power_name" in columns and "duty" not in columns:
            columns["duty"] = columns["power_name"]
        if kind == "power_list" and "handler" in columns and "department" not in columns:
            columns["department"] = columns["handler"]
        header_rows = grid.rows[r:r + 1 + two_rows]
        layout = _Layout(columns, ticks, [_row_keys(row) for row in header_rows], grid.n_cols, r, kind,
                         grid.rows[r][guessed].text.strip() if guessed is not None else None)
        _settle_types(grid, r + 1 + two_rows, layout)
        return layout, r + 1 + two_rows
    return None


def _card(grid: Grid) -> Grid | None:
    """A form laid out as label | value rows (风险点 | …, 防控措施 | …) as a one-entry table."""
    found: dict[str, tuple[str, Cell, int]] = {}
    for r, row in enumerate(grid.rows):
        cells = [c for c in _distinct(row, range(len(row))) if c.text.strip()]
        for label, value in zip(cells, cells[1:], strict=False):
            name = column_field(label.text)
            if name and name not in found and not column_field(value.text):
                found[name] = (label.text, value, r)
    if "risk" not in found:
        return None
    labels = [label for label, _, _ in found.values()]
    card = Grid.from_texts([labels, [value.text for _, value, _ in found.values()]], table=grid.table, sheet=grid.sheet,
                           row_numbers=[None, _row_number(grid, found["risk"][2])],
                           before=grid.before, after=grid.after, nested=grid.nested)
    card.row_pages = [None, found["risk"][1].page]
    return card


def _settle_types(grid: Grid, start: int, layout: _Layout) -> None:
    """A 类别 column holding business areas (行政审批类…) is the domain, not the type."""
    cols = layout.columns.pop("category", []) + layout.columns.pop("domain", [])
    for c in cols:
        values = [grid.rows[r][c].text for r in range(start, grid.n_rows) if grid.rows[r][c].text.strip()]
        leaning = sum(categories.is_domain(v) for v in values) - sum(categories.is_category(v) for v in values)
        name = "domain" if leaning > 0 or (not values and column_field(grid.rows[start - 1][c].text) == "domain") else "category"
        layout.columns.setdefault(name, []).append(c)


# ---------------------------------------------------------------- rows to entries

def _skip_reason(row: list[Cell], layout: _Layout) -> str | None:
    """Why a row is not an entry (None when it may be one)."""
    filled = [c for c in _distinct(row, range(len(row))) if c.text.strip()]
    if not filled:
        return "empty"
    keys = [key(c.text) for c in filled]
    if _row_keys(row) in layout.header_keys:
        return "header"
    if any(k.startswith(_TOTAL) for k in keys) or any(m in k for k in keys for m in _BLANK_MARKS):
        return "total"
    if _NOTE.match(keys[0]) or _SIGNATURE.search(" ".join(c.text for c in filled)):
        return "note"
    if len(filled) == 1 and (
        filled[0].colspan >= max(2, layout.width // 2)
        or (filled[0].col == 0 and 0 not in layout.columns["risk"] and not keys[0].isdigit())
    ):
        return "section"  # a row naming the group below it: "一、办公室" across the table
    seq = {id(row[c]) for c in layout.columns.get("seq", [])}
    if all(id(c) in seq for c in filled):
        return "seq_only"
    return None


def _ticked_option(raw: str) -> str | None:
    """The option ticked in a cell listing them all ("□高 ☑中 □低" -> 中), else None."""
    checked = _CHECKBOX.search(key(raw))
    return checked.group(1) if checked and any(box in raw for box in _EMPTY_BOXES) else None


def _level(form: _Form, row: list[Cell], layout: _Layout) -> tuple[str | None, str | None, bool]:
    """(level, label as written, whether the row's level could not be read)."""
    for c, label in layout.ticks.items():
        if key(row[c].text) in _TICKS:
            reading = form.levels.read(label)
            form.readings.append(Reading(reading.level, "ticks", reading.assumed))
            return reading.level, form.text(label), reading.level is None
    raw = _joined(row, layout.columns.get("level", []))
    if not raw:
        return None, None, False
    option = _ticked_option(raw)
    if option:
        reading = form.levels.read(option)
        form.readings.append(Reading(reading.level, "ticks", reading.assumed))
        return reading.level, form.text(option), reading.level is None
    reading = form.levels.read(raw)
    form.readings.append(reading)
    return reading.level, form.text(raw), reading.level is None


def _measures(form: _Form, row: list[Cell], layout: _Layout) -> list[Measure]:
    out = []
    raw = _joined(row, layout.columns.get("measures", []))
    pairs = measures.split(raw) if raw else []
    for name, cols in layout.columns.items():
        if name.startswith("phase:"):
            pairs += [(p or name[6:], t) for p, t in measures.split(_joined(row, cols))]
    for phase, text in pairs:
        cleaned = form.text(text)
        if cleaned:
            out.append(Measure(cleaned, phase))
    return out


def _entry(form: _Form, grid: Grid, r: int, layout: _Layout, ctx: _Context) -> Entry:
    row = grid.rows[r]

    def value(name: str) -> str | None:
        return form.text(_joined(row, layout.columns.get(name, []))) or None

    level, label, unread = _level(form, row, layout)
    where = f"第{_row_number(grid, r) or r + 1}行"
    if unread:
        form.warn("level_unreadable", f"{where}的风险等级“{label}”无法识别,请核对", grid, r)
    elif level is None and (layout.ticks or "level" in layout.columns):
        form.warn("level_missing", f"{where}的风险点未填写风险等级", grid, r)
    type_label = value("category")
    type_label = (_ticked_option(type_label) or type_label) if type_label else ctx.category
    deadline = value("deadline")
    risk_cell = _distinct(row, layout.columns["risk"])[0]
    return Entry(
        risk=value("risk") or "",
        department=value("department") or ctx.department,
        position=value("position") or ctx.position,
        person=value("person") or ctx.person,
        duty=value("duty"),
        manifestation=value("manifestation"),
        category=categories.category(type_label),
        category_label=type_label,
        domain=categories.domain(value("domain")),
        level=level,
        level_label=label,
        measures=_measures(form, row, layout),
        owner=value("owner"),
        supervisor=value("supervisor"),
        deadline=dates.deadline(deadline) if deadline else None,
        source=Source(
            table=grid.table,
            sheet=grid.sheet,
            page=risk_cell.page or (grid.row_pages[r] if r < len(grid.row_pages) else None),
            row=_row_number(grid, r),
        ),
    )


def _more_measures(form: _Form, entry: Entry, row: list[Cell], layout: _Layout) -> None:
    """Measures from a row continuing `entry`, with the row's own 责任人/时限 where they differ."""
    owner = form.text(_joined(row, layout.columns.get("owner", []))) or None
    deadline = form.text(_joined(row, layout.columns.get("deadline", [])))
    deadline = dates.deadline(deadline) if deadline else None
    for m in _measures(form, row, layout):
        m.owner = owner if owner != entry.owner else None
        m.deadline = deadline if deadline != entry.deadline else None
        entry.measures.append(m)


def _section(form: _Form, text: str, ctx: _Context) -> _Context:
    """The context below a section row: it names a department or a risk type."""
    department = _department_name(text)
    if department:
        return replace(ctx, department=form.text(department))
    label = _ENUM_PREFIX.sub("", text.strip())
    if categories.is_category(label):
        return replace(ctx, category=form.text(label))
    return ctx


def _read_table(form: _Form, grid: Grid, start: int, layout: _Layout, ctx: _Context) -> _Layout:
    """Append the grid's entries; a new header further down (tables stacked in one sheet) takes over.

    Returns the layout in force at the end, for a table continued in the next grid."""
    while True:
        if layout.guessed:
            form.warn("risk_column_guessed", f"表格没有“风险点”列,已将“{form.text(layout.guessed)}”列作为风险点读取,请核对",
                      grid, layout.top)
        form.has_level_column |= bool(layout.ticks) or "level" in layout.columns
        form.kinds.append(layout.kind)
        stop = _read_rows(form, grid, start, layout, ctx)
        found = _find_layout(grid, stop) if stop is not None else None
        if found is None:
            return layout
        layout, start = found


def _read_rows(form: _Form, grid: Grid, start: int, layout: _Layout, ctx: _Context) -> int | None:
    """Append the rows' entries to the form, up to a row that starts another table (returned)."""
    count = 0
    section = ctx
    risk_cols = layout.columns["risk"]
    measure_cols = [c for name, cols in layout.columns.items() if name == "measures" or name.startswith("phase:")
                    for c in cols]
    for r in range(start, grid.n_rows):
        row = grid.rows[r]
        reason = _skip_reason(row, layout)
        if reason == "section":
            section = _section(form, next(c.text for c in row if c.text.strip()), section)
            continue
        if reason == "note":
            texts = "    ".join(c.text for c in _distinct(row, range(len(row))))
            form.add_fields(header_values(form.simplified(texts)), trailing=True)
        if reason:
            continue
        if r > start and _is_header(row, _row_fields(row)):
            return r
        risk_cell = _distinct(row, risk_cols)[0]
        if risk_cell.row != r:
            # The risk cell is merged down from the row above: more measures for that entry
            # (or, merged down from the header, no entry at all).
            if count and any(row[c] is not grid.rows[r - 1][c] for c in measure_cols):
                _more_measures(form, form.entries[-1], row, layout)
            continue
        risk = _joined(row, risk_cols)
        if risk and _NO_RISK.match(key(risk)):
            continue  # the form says this position has no risk (无), or a count stands in the column
        if not risk:
            seq_cols = layout.columns.get("seq", [])
            others = [c for c in _distinct(row, range(len(row))) if c.text.strip() and c.col not in seq_cols]
            grouped = _section(form, others[0].text, section) if len(others) == 1 else section
            if _joined(row, measure_cols) and not _joined(row, seq_cols) and count:
                _more_measures(form, form.entries[-1], row, layout)  # a row broken across pages, or one more measure
            elif grouped is not section:
                section = grouped  # 一 | 办公室 | | …: a numbered group row
            else:
                form.warn("row_skipped", f"第{_row_number(grid, r) or r + 1}行有内容但没有风险点,已跳过,请核对", grid, r)
            continue
        form.entries.append(_entry(form, grid, r, layout, section))
        count += 1
    return None


# ---------------------------------------------------------------- form fields

def _row_lines(form: _Form, grid: Grid, stop: int) -> list[str]:
    """Rows above a table's header, as text lines (titles and header lines in a sheet)."""
    lines = []
    for row in grid.rows[:stop]:
        texts = [c.text.strip() for c in _distinct(row, range(len(row))) if c.text.strip()]
        if texts:
            lines.append(form.simplified("    ".join(texts)))
    return lines


def _key_values(form: _Form, grid: Grid, stop: int) -> list[tuple[str, str]]:
    """Key-value cells above the header: 姓名 | 张三 | 职务 | 科长."""
    out = []
    for row in grid.rows[:stop]:
        cells = [form.simplified(c.text.strip()) for c in _distinct(row, range(len(row))) if c.text.strip()]
        for label, value in zip(cells, cells[1:], strict=False):
            name = header_values(label.rstrip(":：") + ":" + value)
            if name and not header_values(value + ":x") and len(label) <= 8:
                out.append(name[0])
    return out


def _title(lines: list[str]) -> str | None:
    candidates = [ln.strip() for ln in lines if ln.strip() and not header_values(ln) and len(ln.strip()) <= 50
                  and not _NOTE.match(key(ln)) and not _ANNEX.match(key(ln))]
    for line in candidates:
        if any(w in line for w in _TITLE_WORDS):
            return line
    return candidates[0] if candidates else None


def _context(form: _Form, lines: list[str], pairs: list[tuple[str, str]], sheet: str | None,
             inherited: _Context) -> _Context:
    found: dict[str, str] = {}
    for name, value in pairs:
        found.setdefault(name, value)
    department = found.get("department")
    if not department:
        heading = next((d for d in map(_department_name, reversed(lines)) if d), None)
        department = heading or (_department_name(sheet) if sheet else None)
    return _Context(
        department=form.text(department) if department else inherited.department,
        position=form.text(found["position"]) if "position" in found else inherited.position,
        person=form.text(found["person"]) if "person" in found else inherited.person,
        category=inherited.category,
    )


# ---------------------------------------------------------------- the whole form

def _sample_text(doc: Document) -> str:
    cells = (c.text for g in doc.grids for row in g.rows[:60] for c in row[:12])
    return " ".join([*doc.lines[:200], *cells])


def _legend_lines(doc: Document) -> list[str]:
    cells = {c.text for g in doc.grids for row in g.rows for c in row if "最" in c.text or "由" in c.text}
    return [*doc.lines, *sorted(cells)]


def _level_scheme(readings: list[Reading]) -> str | None:
    schemes = Counter(r.scheme for r in readings if r.scheme)
    if "ticks" in schemes:
        return "ticks"
    return schemes.most_common(1)[0][0] if schemes else None


def interpret(doc: Document, *, file: str, sha256: str | None = None,
              level_standard: dict | None = None) -> ParsedForm:
    """The contract object for a read document; ParseError('not_a_form') without a risk table."""
    form = _Form(
        traditional=is_traditional(_sample_text(doc)),
        levels=LevelReader(legend_highest_rank(_legend_lines(doc)), level_standard),
    )
    preamble: list[str] = []  # text above the first risk table, layout tables included
    preamble_pairs: list[tuple[str, str]] = []
    previous: tuple[_Layout, _Context] | None = None
    form_ctx = _Context()
    for grid in doc.grids:
        found = _find_layout(grid)
        lines = [form.simplified(line) for line in grid.before]
        if found is None:
            if previous and grid.n_cols == previous[0].width and grid.n_rows and not header_values(" ".join(lines)):
                ctx = _context(form, lines, [], None, previous[1])
                previous = (_read_table(form, grid, 0, previous[0], ctx), ctx)  # a table split over Word tables
                continue
            card = _card(grid)
            if card is not None:
                preamble_pairs += _key_values(form, grid, grid.n_rows)
                grid, found = card, _find_layout(card)
        if found is None:
            if not previous:
                preamble += lines + _row_lines(form, grid, grid.n_rows)
                preamble_pairs += _key_values(form, grid, grid.n_rows)
            else:  # a signature table below: 填表人 | 张三 | 填表日期 | …
                rows = _row_lines(form, grid, grid.n_rows)
                form.add_fields([p for line in rows for p in header_values(line)] + _key_values(form, grid, grid.n_rows),
                                trailing=True)
            continue
        layout, start = found
        above = lines + _row_lines(form, grid, layout.top)
        pairs = [p for line in above for p in header_values(line)] + _key_values(form, grid, layout.top)
        if not previous:
            preamble += above
            form.add_fields([p for line in preamble for p in header_values(line)] + preamble_pairs + pairs)
            form_ctx = _context(form, [], list(form.info.items()), None, _Context())
        ctx = _context(form, lines, pairs, grid.sheet, form_ctx)
        form.declared_departments |= {form.text(v) for n, v in pairs if n == "department"}
        previous = (_read_table(form, grid, start, layout, ctx), ctx)
        form.add_fields(pairs, trailing=True)
    if previous is None:
        raise fail("not_a_form")
    if not form.entries:
        raise fail("not_a_form", "未找到风险点表格:表格中没有填写任何风险点")
    return _finish(form, doc, preamble, file=file, sha256=sha256)


def _finish(form: _Form, doc: Document, preamble: list[str], *,
            file: str, sha256: str | None) -> ParsedForm:
    last_grid_after = doc.grids[-1].after if doc.grids else []
    form.add_fields([p for line in last_grid_after for p in header_values(form.simplified(line))], trailing=True)
    info = {**form.trailing, **form.info}
    # The form names a department only when one fills it: one declared, or one across the entries.
    one_department = len(form.declared_departments) <= 1 and (
        "department" in form.info or len({e.department for e in form.entries}) <= 1)
    if any(r.assumed for r in form.readings):
        form.warn("level_direction_assumed",
                  "表格未说明风险等级的高低方向,已按“一级为最高”理解,请核对")
    if not form.has_level_column:
        form.warn("level_missing", "表格没有风险等级列,所有风险点均未标明等级")
    filled_on = info.get("filled_on")
    return ParsedForm(
        file=file,
        format=doc.format,
        sha256=sha256,
        form=FormInfo(
            kind="power_list" if form.kinds and all(k == "power_list" for k in form.kinds) else "risk_register",
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
    )
