"""What one interpretation carries from table to table, and small helpers on grid rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.grid import Cell, Grid
from parsers.levels import LevelReader, Reading
from parsers.model import ParsedEntry, ParseWarning, Power
from parsers.text import clean, key, to_simplified


@dataclass
class Context:
    """Defaults for the entries of one table, from the lines and rows around it."""

    department: str | None = None
    position: str | None = None
    person: str | None = None
    category: str | None = None  # from a section row such as "一、思想道德风险"


@dataclass
class FormState:
    """The form being built and its readers."""

    traditional: bool
    levels: LevelReader
    info: dict[str, str] = field(default_factory=dict)
    trailing: dict[str, str] = field(default_factory=dict)
    entries: list[ParsedEntry] = field(default_factory=list)
    powers: list[Power] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    has_level_column: bool = False
    kinds: list[str] = field(default_factory=list)  # risk_register / power_list of each table read
    declared_departments: set[str] = field(default_factory=set)  # 科室:… above each risk table
    _cleaned: dict[str, str] = field(default_factory=dict, repr=False)  # a form repeats its 岗位, 等级, 责任人

    def text(self, raw: str) -> str:
        if not raw:
            return ""
        cleaned = self._cleaned.get(raw)
        if cleaned is None:
            cleaned = self._cleaned[raw] = clean(raw, self.traditional)
        return cleaned

    def simplified(self, raw: str) -> str:
        """Simplified but otherwise as written: header lines keep the gaps between their fields."""
        return to_simplified(raw) if self.traditional else raw

    def warn(self, code: str, message: str, grid: Grid | None = None, r: int | None = None) -> None:
        location = None
        if grid is not None:  # the shape of an entry's source, so a reviewer finds the row alike
            page = grid.row_pages[r] if r is not None and r < len(grid.row_pages) else None
            location = {"table": grid.table, "sheet": grid.sheet, "page": page, "row": row_number(grid, r)}
        self.warnings.append(ParseWarning(code, message, location))

    def add_fields(self, pairs: list[tuple[str, str]], *, trailing: bool = False) -> None:
        target = self.trailing if trailing else self.info
        for name, value in pairs:
            target.setdefault(name, self.text(value))


def row_number(grid: Grid, r: int | None) -> int | None:
    return grid.row_numbers[r] if r is not None and r < len(grid.row_numbers) else None


def row_label(grid: Grid, r: int) -> str:
    """"第N行" as the user counts rows in the source (a PDF row by its place in the table)."""
    return f"第{row_number(grid, r) or r + 1}行"


def distinct(row: list[Cell], cols: list[int] | range) -> list[Cell]:
    """The cells at `cols`, a merged cell once."""
    if len(cols) == 1:
        return [row[cols[0]]]
    seen: dict[int, Cell] = {}
    for c in cols:
        seen.setdefault(id(row[c]), row[c])
    return list(seen.values())


def filled(row: list[Cell]) -> list[Cell]:
    return [c for c in distinct(row, range(len(row))) if c.text.strip()]


def joined(row: list[Cell], cols: list[int]) -> str:
    if len(cols) == 1:  # most fields are one column: no merge to look through
        text = row[cols[0]].text
        return text if text.strip() else ""
    return "\n".join(c.text for c in distinct(row, cols) if c.text.strip())


def row_keys(row: list[Cell]) -> tuple[str, ...]:
    return tuple(key(c.text) for c in row)
