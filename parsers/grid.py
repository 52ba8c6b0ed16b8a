"""The intermediate form every reader produces and `parsers.table` consumes.

A reader (docx, xlsx, pdf, legacy via conversion, ocr) turns its format into a list of
`Grid`s plus the free text of the document. Everything after that — header detection,
fill-down, levels, measures — is written once, against this shape.

Merges are explicit: a merged area is one `Cell` object placed at every position it
covers, with `row`/`col` naming its top-left origin. So `grid.rows[r][c].row != r`
means "covered by a vertical merge from above" and the reader never has to guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.errors import fail

# Rows x columns one Grid may hold: a real form has a few thousand cells; a file claiming
# a cell at XFD1048576 or a gridSpan of 10^8 is refused before a dense grid is built.
MAX_CELLS = 2_000_000
MAX_COLUMNS = 256  # Word itself allows 63 columns; Excel sheets are trimmed to their used area


def check_area(height: int, width: int) -> None:
    """Refuse a table whose dense grid would exceed MAX_CELLS (readers call it before building)."""
    if height * width > MAX_CELLS:
        raise fail("too_large", "表格过大(单元格数量超出允许范围),请删除多余的行列后重新上传")


@dataclass(slots=True, eq=False)
class Cell:
    text: str  # as read, line breaks inside the cell kept as "\n"
    row: int  # origin of the merged area (0-based grid coordinates)
    col: int
    rowspan: int = 1
    colspan: int = 1
    # PDF/OCR only: where the text sits, and how sure recognition was.
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    # PDF three-line tables only: how many rows above and below the text may cover. No rule
    # shows where a cell ends there, and a 岗位 merged over several rows is drawn once.
    reach: tuple[int, int] = (0, 0)

    def is_origin(self, r: int, c: int) -> bool:
        return self.row == r and self.col == c


@dataclass(slots=True)
class Grid:
    rows: list[list[Cell]]  # dense and rectangular: every (r, c) has a Cell
    table: int | None = None  # 0-based index among the document's top-level tables
    sheet: str | None = None  # worksheet name as written
    # 1-based row number each grid row had in its source (Word table row, sheet row);
    # None where the source has no row numbering (PDF).
    row_numbers: list[int | None] = field(default_factory=list)
    row_pages: list[int | None] = field(default_factory=list)  # 1-based PDF page of each row
    before: list[str] = field(default_factory=list)  # text lines between the previous table and this one
    after: list[str] = field(default_factory=list)  # text lines after this table, up to the next
    nested: bool = False  # a table inside a layout table
    ocr: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def text(self, r: int, c: int) -> str:
        return self.rows[r][c].text

    @classmethod
    def from_texts(cls, texts: list[list[str]], **kwargs) -> Grid:
        """A grid with no merges, padded to a rectangle (tests and simple readers)."""
        width = max((len(r) for r in texts), default=0)
        rows = [
            [Cell(t, r, c) for c, t in enumerate(list(row) + [""] * (width - len(row)))]
            for r, row in enumerate(texts)
        ]
        kwargs.setdefault("row_numbers", list(range(1, len(rows) + 1)))
        return cls(rows=rows, **kwargs)


@dataclass(slots=True)
class GridDocument:
    """What a reader returns: the grids and the document's text outside them."""

    format: str  # contract format: docx, xlsx, pdf, doc, xls, wps, et, pdf-scanned
    grids: list[Grid] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # every non-table text line, in order
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, Chinese message)
    ocr: bool = False
