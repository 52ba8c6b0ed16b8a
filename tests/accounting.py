"""No silent loss, checked on everything the test suite parses.

`install()` wraps the row reader of `parsers.table` and its entry point: every non-empty
row below a table's header must come out as an entry (a power on a 职权目录) or as a
warning naming the row (a `row_*` code), and every row below a header found in any grid must
have been read. A breach is recorded (not raised: `parse_bytes` would turn an exception
into a corrupt-file refusal) and the autouse fixture in tests/conftest.py fails the test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import parsers.table as table
from parsers.table.entries import ROW_CODES
from parsers.table.layout import find_layout
from parsers.table.state import filled


@dataclass
class Tally:
    rows: int = 0  # non-empty rows read below headers
    out: int = 0  # entries + powers + row warnings made of them
    breaches: list[str] = field(default_factory=list)
    local: threading.local = field(default_factory=threading.local)  # per thread: rows read in its interpretation

    @property
    def covered(self) -> set[tuple[int, int]]:
        """(id(grid), row) of the rows read in the current thread's interpretation."""
        if not hasattr(self.local, "covered"):
            self.local.covered = set()
        return self.local.covered


TALLY = Tally()


def _made(form) -> int:
    return len(form.entries) + len(form.powers) + sum(w.code in ROW_CODES for w in form.warnings)


def _counting(read_rows):
    def read(form, grid, start, layout, ctx):
        before = _made(form)
        stop = read_rows(form, grid, start, layout, ctx)
        rows = [r for r in range(start, grid.n_rows if stop is None else stop) if filled(grid.rows[r])]
        TALLY.covered.update((id(grid), r) for r in range(start, grid.n_rows if stop is None else stop))
        made = _made(form) - before
        TALLY.rows += len(rows)
        TALLY.out += made
        if made != len(rows):
            TALLY.breaches.append(f"{len(rows)} rows in, {made} entries and row warnings out (grid {grid.table})")
        return stop
    return read


def _headers(grid) -> set[int]:
    """Rows that head a table (stacked tables in one grid each have theirs)."""
    rows: set[int] = set()
    for r in range(grid.n_rows):
        found = find_layout(grid, r)
        if found is not None and found[0].top == r:
            rows.update(range(r, found[1]))
    return rows


def _check_coverage(doc) -> None:
    for grid in doc.grids:
        found = find_layout(grid)
        if found is None:
            continue
        headers = None
        for r in range(found[1], grid.n_rows):
            if (id(grid), r) in TALLY.covered or not filled(grid.rows[r]):
                continue
            headers = _headers(grid) if headers is None else headers
            if r not in headers:
                TALLY.breaches.append(f"row {r} of grid {grid.table} below a header was never read")


def _checking(interpret):
    def run(doc, **kwargs):
        TALLY.covered.clear()
        try:
            return interpret(doc, **kwargs)
        finally:
            _check_coverage(doc)
    run.__wrapped__ = interpret
    return run


def install() -> None:
    if not hasattr(table.interpret, "__wrapped__"):
        table.read_rows = _counting(table.read_rows)
        table.interpret = _checking(table.interpret)
