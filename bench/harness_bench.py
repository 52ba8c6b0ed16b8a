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
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers import parse_bytes  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.text import key  # noqa: E402
from tests.parsers import formgen  # noqa: E402


class Score:
    def __init__(self) -> None:
        self.forms = Counter()  # trap -> forms with it
        self.right = Counter()  # trap -> those read right
        self.failed: dict[str, list[int]] = {}
        self.entries = self.found = 0

    def add(self, form: formgen.Form, data: bytes, name: str, **compare) -> None:
        try:
            parsed = parse_bytes(data, name)
            diffs = formgen.compare(parsed, form, **compare)
            got = Counter(key(e.risk) for e in parsed.entries)
        except ParseError as exc:
            diffs, got = [exc.code], Counter()
        want = Counter(key(e["risk"]) for e in form.entries)
        self.entries += sum(want.values())
        self.found += sum((want & got).values())
        ruled = [] if "three_line" in form.traps else ["(ruled tables)"]
        for trap in [*sorted(form.traps), *ruled, "(all)"]:
            self.forms[trap] += 1
            self.right[trap] += not diffs
            if diffs and not trap.startswith("("):
                self.failed.setdefault(trap, []).append(form.seed)

    def report(self, label: str, seconds: float) -> None:
        total = self.forms["(all)"]
        print(f"\n{label}: {self.right['(all)']}/{total} forms right ({self.right['(all)'] / total:.1%}), "
              f"risk points found {self.found}/{self.entries} ({self.found / max(self.entries, 1):.2%}), "
              f"{seconds:.1f} s")
        print(f"  {'trap':18} {'right':>11} {'share':>7}  failing seeds (first 5)")
        for trap in sorted(t for t in self.forms if t != "(all)"):  # "(ruled tables)": all but three-line
            n, ok = self.forms[trap], self.right[trap]
            print(f"  {trap:18} {ok:>5}/{n:<5} {ok / n:>7.1%}  {self.failed.get(trap, [])[:5]}")


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
