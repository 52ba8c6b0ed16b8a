"""Layout detection and header reading: which row heads a risk table and what each column holds.

A grid is a risk table when one of its first rows reads as a header (synonyms from
`fields`); a second header row refines it (phase columns under 防控措施, tick columns under
风险等级). A 职权目录 (职权名称 | 职权内容 | 办理主体 …) is a power list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from parsers import categories
from parsers.fields import column_field
from parsers.grid import Cell, Grid
from parsers.levels import LevelReader
from parsers.table.state import distinct, row_keys, row_number
from parsers.text import key

HEADER_SCAN = 30  # header rows are searched among a table's first rows


@dataclass
class Layout:
    """How one risk table's columns read."""

    columns: dict[str, list[int]]  # contract field -> column indexes
    ticks: dict[int, str]  # tick column -> its level label
    header_keys: list[tuple[str, ...]]  # header rows, to recognise them when repeated
    width: int
    top: int  # the (first) header row
    kind: str = "risk_register"
    guessed: str | None = None  # header of a column read as 风险点 without saying so

    def cols(self, name: str) -> list[int]:
        return self.columns.get(name, [])

    @cached_property
    def measure_cols(self) -> list[int]:
        return [c for name, cols in self.columns.items() if name == "measures" or name.startswith("phase:")
                for c in cols]

    @cached_property
    def phase_cols(self) -> list[tuple[str, list[int]]]:
        """(phase, columns) of the phase columns (前期预防 | 中期监控 | 后期处置)."""
        return [(name[6:], cols) for name, cols in self.columns.items() if name.startswith("phase:")]


def row_fields(row: list[Cell]) -> dict[int, str]:
    found: dict[int, str | None] = {}
    out = {}
    for c, cell in enumerate(row):
        if id(cell) not in found:
            found[id(cell)] = column_field(cell.text) if len(cell.text) <= 24 else None
        if found[id(cell)]:
            out[c] = found[id(cell)]
    return out


def is_header(row: list[Cell], cols: dict[int, str]) -> bool:
    names = set(cols.values())
    if not ({"risk", "manifestation", "power_name"} & names) or len(names) < 2:
        return False
    filled = [c for c in distinct(row, range(len(row))) if c.text.strip()]
    plain = LevelReader()
    matched = {id(row[c]) for c in cols} | {id(c) for c in filled if plain.read(c.text).level}
    return len(names) >= 3 or len(matched) >= 0.6 * len(filled)


def _parent_field(row: list[Cell], cols: dict[int, str], c: int) -> str | None:
    """The field of the header cell above column c, or of its nearest filled neighbour left."""
    for cc in range(c, -1, -1):
        if row[cc].text.strip():
            return cols.get(cc) if cc == c or cols.get(cc) in ("measures", "level") else None
    return None


def _sub_labels(grid: Grid, r: int) -> dict[int, tuple[str, str | None, bool]] | None:
    """The labels of row r+1 when it holds only labels under spanning header cells, else None."""
    top, sub = grid.rows[r], grid.rows[r + 1]
    plain = LevelReader()
    labels: dict[int, tuple[str, str | None, bool]] = {}
    for c in range(grid.n_cols):
        if sub[c] is top[c] or not sub[c].text.strip():
            continue
        if top[c].colspan == 1 and top[c].text.strip() and (c + 1 >= grid.n_cols or top[c + 1].text.strip()):
            return None  # a label under a header cell that spans nothing: this row is data
        text = sub[c].text.strip()
        name = column_field(text)
        is_level = plain.read(text).level is not None
        if not name and not is_level:
            return None
        labels[c] = (text, name, is_level)
    return labels or None


def _refine(grid: Grid, r: int, cols: dict[int, str], ticks: dict[int, str]) -> bool:
    """Read row r+1 as a second header row when it holds only labels; True if it did."""
    labels = _sub_labels(grid, r) if r + 1 < grid.n_rows else None
    if labels is None:
        return False
    for c, (text, name, is_level) in labels.items():
        parent = _parent_field(grid.rows[r], cols, c)
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


def _risk_columns(header: list[Cell], columns: dict[str, list[int]]) -> None:
    """Two columns headed as risks: a 事项 (风险事项, 三重一大事项) beside a description is the duty;
    otherwise 风险点 | 风险描述 is the risk and how it shows."""
    risk = columns.get("risk", [])
    heads = distinct(header, risk)
    if len(heads) < 2:
        return
    matters = [c for c in risk if key(header[c].text).endswith("事项")]
    if matters and len(matters) < len(risk) and "duty" not in columns:
        columns["duty"] = matters
        columns["risk"] = [c for c in risk if c not in matters]
    elif "manifestation" not in columns:
        first = [c for c in risk if header[c] is heads[0]]
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


def _kind(columns: dict[str, list[int]]) -> str | None:
    """risk_register, power_list, or None when the header names no risk column after all."""
    if "risk" not in columns and "manifestation" in columns and "power_name" not in columns:
        columns["risk"] = columns.pop("manifestation")
    if "risk" in columns:
        if "power_name" in columns and "duty" not in columns:
            columns["duty"] = columns["power_name"]
        return "risk_register"
    listed = columns.get("power_name") or columns.get("power_content")
    if listed is None:  # the second header row renamed the only risk column
        return None
    columns["risk"] = listed  # the column that makes a row a power
    return "power_list"


def _layout_at(grid: Grid, r: int) -> tuple[Layout, int] | None:
    cols = row_fields(grid.rows[r])
    guessed = None
    if not is_header(grid.rows[r], cols):
        guessed = _guess_risk_column(grid, r, cols)
        if guessed is None:
            return None
        cols[guessed] = "risk"
    ticks: dict[int, str] = {}
    two_rows = _refine(grid, r, cols, ticks)
    if not two_rows:
        _single_row_ticks(grid.rows[r], cols, ticks)
    columns: dict[str, list[int]] = {}
    for c, name in sorted(cols.items()):
        columns.setdefault(name, []).append(c)
    _risk_columns(grid.rows[r + two_rows], columns)
    kind = _kind(columns)
    if kind is None:
        return None
    start = r + 1 + two_rows
    layout = Layout(columns, ticks, [row_keys(row) for row in grid.rows[r:start]], grid.n_cols, r, kind,
                    grid.rows[r][guessed].text.strip() if guessed is not None else None)
    _settle_types(grid, start, layout)
    return layout, start


def find_layout(grid: Grid, first: int = 0) -> tuple[Layout, int] | None:
    """The table's column map and its first data row, or None when no header is found."""
    for r in range(first, min(grid.n_rows, first + HEADER_SCAN)):
        found = _layout_at(grid, r)
        if found is not None:
            return found
    return None


def card(grid: Grid) -> Grid | None:
    """A form laid out as label | value rows (风险点 | …, 防控措施 | …) as a one-entry table."""
    found: dict[str, tuple[str, Cell, int]] = {}
    for r, row in enumerate(grid.rows):
        cells = [c for c in distinct(row, range(len(row))) if c.text.strip()]
        for label, value in zip(cells, cells[1:], strict=False):
            name = column_field(label.text)
            if name and name not in found and not column_field(value.text):
                found[name] = (label.text, value, r)
    if "risk" not in found:
        return None
    labels = [label for label, _, _ in found.values()]
    made = Grid.from_texts([labels, [value.text for _, value, _ in found.values()]], table=grid.table, sheet=grid.sheet,
                           row_numbers=[None, row_number(grid, found["risk"][2])],
                           before=grid.before, after=grid.after, nested=grid.nested)
    made.row_pages = [None, found["risk"][1].page]
    return made


def _settle_types(grid: Grid, start: int, layout: Layout) -> None:
    """A 类别 column holding business areas (行政审批类…) is the domain, not the type."""
    cols = layout.columns.pop("category", []) + layout.columns.pop("domain", [])
    for c in cols:
        values = [grid.rows[r][c].text for r in range(start, grid.n_rows) if grid.rows[r][c].text.strip()]
        leaning = sum(categories.is_domain(v) for v in values) - sum(categories.is_category(v) for v in values)
        domain = leaning > 0 or (not values and column_field(grid.rows[start - 1][c].text) == "domain")
        layout.columns.setdefault("domain" if domain else "category", []).append(c)
