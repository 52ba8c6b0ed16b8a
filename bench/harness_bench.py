"""The generated-form harness at scale: accuracy per trap class and format.

Usage: .venv/bin/python bench/harness_bench.py [--forms 2000] [--pdf 300] [--xls 0] [--seed 100000] [--force TRAP]
(from the repository root; --pdf 0 skips the PDFs, which need LibreOffice: one soffice call
converts them all).

Draws forms with `tests/parsers/formgen.py` (random column order and header synonyms, merged
岗位, one/two-row headers, phase columns and prefixes, measures saying 审核/签字/盖章/备案,
header and signature lines, legends, notes, long cells, several tables, blank level/type
cells, 领导班子 事项 columns, 职权目录, three-line tables with cells top-aligned or centred),
writes each as .docx and .xlsx (and the first --pdf of them as text PDF), parses them and
compares with the truth. A form is right when every entry (or power) and every field is; a
PDF's measures of one phase are compared as one text (where a wrapped line ends is not in a
PDF). Prints, per format, the share of forms read right overall and per trap they contain,
the failing seeds of each trap (to replay with `formgen.generate(seed)`), and entry recall:
risk points found with the right risk text, out of those in the forms.

Every risk point of the truth not found is then looked for in the output (issue #18: no risk
point lost silently), texts compared without white space: inside one entry's cells (joined to
a neighbour, or read into another column), across entries in order (split), or named by a
warning that a row was not read (or the whole form refused); otherwise it is "lost silently",
counted per trap with its seeds. For PDFs, how many forms carry the three-line table's
`pdf_rows_inferred` warning, and how many joined or split points sit on a form without it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers import parse_bytes  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.model import ParsedEntry, ParsedForm  # noqa: E402
from parsers.table.state import FormState  # noqa: E402
from parsers.text import key  # noqa: E402
from tests.parsers import formgen  # noqa: E402

# Warnings saying a row's content was not read as a risk point (the row is named); the last two
# name several rows of their table.
UNREAD = frozenset({"row_header", "row_total", "row_end_mark", "row_note", "row_signature", "row_no_risk",
                    "row_skipped", "table_unread", "row_above_header", "row_above_labels"})
_TABLE_WIDE = ("table_unread", "row_above_header")


@contextlib.contextmanager
def named_rows(texts: list[str]) -> Iterator[None]:
    """Collect the text of the rows the parse's not-read warnings name (bench-only hook on
    `FormState.warn`, which knows the grid row a warning names)."""
    original = FormState.warn

    def warn(self: FormState, code: str, message: str, grid=None, r=None) -> None:
        if grid is not None and r is not None and code in UNREAD:
            rows = grid.rows if code in _TABLE_WIDE else [grid.rows[r]]
            texts.append("".join(key(c.text) for row in rows for c in row))
        original(self, code, message, grid, r)

    FormState.warn = warn
    try:
        yield
    finally:
        FormState.warn = original


def cells(entry: ParsedEntry) -> str:
    """The entry's text, every field and measure, without white space."""
    fields = [entry.risk, entry.department, entry.position, entry.person, entry.duty, entry.manifestation,
              entry.category_label, entry.domain, entry.level_label, entry.owner, entry.supervisor, entry.deadline]
    return "".join(key(text) for text in [*fields, *(m.text for m in entry.measures)])


def missing_fate(parsed: ParsedForm | None, risk: str, named: list[str]) -> str:
    """Where a risk point the parse did not find went: joined / split / warned / silent. Warned:
    a row a not-read warning names holds the text, its start (a row a page break cut), or the
    rest of an entry's truncated risk text."""
    if parsed is None:
        return "warned"  # the form was refused with an error
    text, texts = key(risk), [cells(e) for e in parsed.entries]
    if any(text in t for e, t in zip(parsed.entries, texts, strict=True) if key(e.risk) != text):
        return "joined"
    if text in "".join(key(e.risk) for e in parsed.entries):  # the risk cells in order
        return "split"
    starts = [text[:10]] + [text[len(k):] for e in parsed.entries if text.startswith(k := key(e.risk)) and k]
    if any(part in t for part in starts for t in named):  # the row, or the rest of a cut one, named
        return "warned"
    return "silent"


class Score:
    def __init__(self) -> None:
        self.forms = Counter()  # trap -> forms with it
        self.right = Counter()  # trap -> those read right
        self.failed: dict[str, list[int]] = {}
        self.entries = self.found = 0
        self.fates = Counter()  # joined / split / warned / silent -> risk points not found
        self.silent = Counter()  # trap -> risk points lost silently
        self.silent_seeds: list[int] = []
        self.inferred = Counter()  # trap -> forms told that a three-line table's rows were inferred
        self.unflagged = 0  # risk points joined or split on a form not told so

    def add(self, form: formgen.Form, data: bytes, name: str, **compare) -> None:
        parsed: ParsedForm | None = None
        named: list[str] = []
        try:
            with named_rows(named):
                parsed = parse_bytes(data, name)
            diffs = formgen.compare(parsed, form, **compare)
            got = Counter(key(e.risk) for e in parsed.entries)
        except ParseError as exc:
            diffs, got = [exc.code], Counter()
        want = Counter(key(e["risk"]) for e in form.entries)
        self.entries += sum(want.values())
        self.found += sum((want & got).values())
        fates = Counter(missing_fate(parsed, risk, named) for risk in (want - got).elements())
        self.fates += fates
        inferred = parsed is not None and any(w.code == "pdf_rows_inferred" for w in parsed.warnings)
        self.unflagged += 0 if inferred else fates["joined"] + fates["split"]
        if fates["silent"]:
            self.silent_seeds.append(form.seed)
        ruled = [] if "three_line" in form.traps else ["(ruled tables)"]
        for trap in [*sorted(form.traps), *ruled, "(all)"]:
            self.forms[trap] += 1
            self.right[trap] += not diffs
            self.silent[trap] += fates["silent"]
            self.inferred[trap] += inferred
            if diffs and not trap.startswith("("):
                self.failed.setdefault(trap, []).append(form.seed)

    def report(self, label: str, seconds: float) -> None:
        total = self.forms["(all)"]
        print(f"\n{label}: {self.right['(all)']}/{total} forms right ({self.right['(all)'] / total:.1%}), "
              f"risk points found {self.found}/{self.entries} ({self.found / max(self.entries, 1):.2%}), "
              f"{seconds:.1f} s")
        missed = self.entries - self.found
        print(f"  risk points not found: {missed}: {self.fates['joined']} inside another entry, "
              f"{self.fates['split']} split across entries, {self.fates['warned']} named by a warning, "
              f"{self.fates['silent']} lost silently (seeds {self.silent_seeds})")
        if self.inferred["(all)"]:
            print(f"  forms told rows were inferred (pdf_rows_inferred): three-line {self.inferred['three_line']}/"
                  f"{self.forms['three_line']}, ruled {self.inferred['(ruled tables)']}/{self.forms['(ruled tables)']}; "
                  f"risk points joined or split on a form not told so: {self.unflagged}")
        print(f"  {'trap':18} {'right':>11} {'share':>7} {'silent':>6}  failing seeds (first 5)")
        for trap in sorted(t for t in self.forms if t != "(all)"):  # "(ruled tables)": all but three-line
            n, ok = self.forms[trap], self.right[trap]
            print(f"  {trap:18} {ok:>5}/{n:<5} {ok / n:>7.1%} {self.silent[trap]:>6}  {self.failed.get(trap, [])[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--pdf", type=int, default=300)
    parser.add_argument("--xls", type=int, default=0, help="also as Excel 97 .xls (LibreOffice makes them, xlrd reads)")
    parser.add_argument("--seed", type=int, default=100_000)
    parser.add_argument("--force", action="append", default=[], choices=formgen.TRAPS,
                        help="a trap every form has (repeatable), e.g. --force three_line")
    args = parser.parse_args()
    forms = [formgen.generate(seed, force=args.force) for seed in range(args.seed, args.seed + args.forms)]
    for fmt, write in (("docx", formgen.docx), ("xlsx", formgen.xlsx)):
        score, started = Score(), time.perf_counter()
        for form in forms:
            score.add(form, write(form), f"form.{fmt}")
        score.report(f".{fmt}", time.perf_counter() - started)
    if args.xls:
        started = time.perf_counter()
        some = forms[:args.xls]
        score = Score()
        for form, data in zip(some, formgen.xls_files(some), strict=True):
            score.add(form, data, "form.xls")
        score.report(".xls (Excel 97, read by xlrd)", time.perf_counter() - started)
    if args.pdf:
        started = time.perf_counter()
        some = forms[:args.pdf]
        score = Score()
        for form, data in zip(some, formgen.pdfs(some), strict=True):
            score.add(form, data, "form.pdf", split_measures=False)
        score.report("text PDF (LibreOffice export)", time.perf_counter() - started)


if __name__ == "__main__":
    main()
