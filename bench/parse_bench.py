"""Parser speed and accuracy on generated 100-row forms, against the naive way.

Run from the repository root:  .venv/bin/python bench/parse_bench.py [--rows 100] [--runs 21] [--main-tree ../main]

Generates a 科室 form as .docx (header line above the table, 岗位 merged vertically,
numbered measures in one cell) and as .xlsx (merged title and header line above the
table header), parses each in-process with `parsers.parse_bytes` and with the naive
reading (python-docx `table.rows` / an openpyxl cell loop, first row = headers, a plain
高/中/低 lookup), and prints median times (wall clock, and CPU time, which machine load barely moves) and
how many entries and fields each got right. Then the .docx parse against python-docx merely
opening the file (target ≤ 1.5× its CPU), and with --main-tree the text-PDF path of this tree
against the main branch's on the same PDFs, each in a fresh interpreter, alternated.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

import docx
import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers import parse_bytes  # noqa: E402

HEADER = ["序号", "岗位", "廉政风险点", "风险等级", "防控措施", "责任人"]
LEVELS = [("高", "high"), ("中", "medium"), ("低", "low")]
FIELDS = ("department", "position", "risk", "level", "measures", "owner")
DEPARTMENT = "登记注册科"


def truth(n: int) -> list[dict]:
    rows = []
    for i in range(1, n + 1):
        label, level = LEVELS[i % 3]
        rows.append({
            "seq": str(i), "position": f"岗位{(i + 1) // 2}", "risk": f"第{i}项审批中超过1.5万元的支出未经集体研究",
            "label": label, "level": level, "measures": [f"执行第{i}条规定", "结果公开", "每季度检查"],
            "owner": f"责任人{i % 7}", "department": DEPARTMENT,
        })
    return rows


def measure_cell(row: dict) -> str:
    return ";".join(f"{k}、{m}" for k, m in enumerate(row["measures"], 1)) + "。"


def make_docx(rows: list[dict]) -> bytes:
    document = docx.Document()
    document.add_paragraph("科室廉政风险防控排查表")
    document.add_paragraph(f"填报单位:某市某局    科室:{DEPARTMENT}    填表日期:2024年3月5日")
    table = document.add_table(rows=len(rows) + 1, cols=len(HEADER))
    cells = [r.cells for r in table.rows]  # once: table.cell(r, c) is quadratic
    for c, text in enumerate(HEADER):
        cells[0][c].text = text
    for r, row in enumerate(rows, start=1):
        values = [row["seq"], row["position"], row["risk"], row["label"], measure_cell(row), row["owner"]]
        for c, text in enumerate(values):
            if c != 1 or r % 2:
                cells[r][c].text = text
    for r in range(1, len(rows), 2):  # 岗位 merged over each pair of rows
        cells[r][1].merge(cells[r + 1][1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(rows: list[dict]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DEPARTMENT
    ws.append(["科室廉政风险防控排查表"])
    ws.append([f"填报单位:某市某局    科室:{DEPARTMENT}"])
    ws.append(HEADER)
    for row in rows:
        ws.append([row["seq"], row["position"], row["risk"], row["label"], measure_cell(row), row["owner"]])
    ws.merge_cells("A1:F1")
    ws.merge_cells("A2:F2")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ours(data: bytes, name: str) -> list[dict]:
    form = parse_bytes(data, name)
    return [{"department": e.department, "position": e.position, "risk": e.risk, "level": e.level,
             "measures": [m.text for m in e.measures], "owner": e.owner} for e in form.entries]


def _naive_entries(table: list[list[str]]) -> list[dict]:
    header, *body = table
    levels = dict(LEVELS)
    out = []
    for values in body:
        row = dict(zip(header, values, strict=False))
        out.append({"department": row.get("科室"), "position": row.get("岗位"), "risk": row.get("廉政风险点"),
                    "level": levels.get(row.get("风险等级") or ""),
                    "measures": [row["防控措施"]] if row.get("防控措施") else [], "owner": row.get("责任人")})
    return out


def open_docx(data: bytes, name: str) -> list[dict]:
    """python-docx merely opening the file: the baseline a .docx parse is held to (≤ 1.5×)."""
    docx.Document(io.BytesIO(data))
    return []


def naive_docx(data: bytes, name: str) -> list[dict]:
    table = docx.Document(io.BytesIO(data)).tables[0]
    return _naive_entries([[cell.text for cell in row.cells] for row in table.rows])


def naive_xlsx(data: bytes, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active
    table = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    return _naive_entries(table)


def score(got: list[dict], rows: list[dict]) -> tuple[int, int]:
    """(entries with every field right, fields right) against the truth."""
    entries = fields = 0
    for want, entry in zip(rows, got, strict=False):
        right = sum(entry[f] == want[f] for f in FIELDS)
        fields += right
        entries += right == len(FIELDS)
    return entries, fields


def medians(funcs: list, data: bytes, name: str, runs: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) medians per function, runs interleaved so machine load hits all alike."""
    for func in funcs:
        func(data, name)  # warm: imports, OpenCC dictionaries
    wall: list[list[float]] = [[] for _ in funcs]
    cpu: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for i, func in enumerate(funcs):
            w, c = time.perf_counter(), time.process_time()
            func(data, name)
            wall[i].append((time.perf_counter() - w) * 1000)
            cpu[i].append((time.process_time() - c) * 1000)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu, strict=True)]


def docx_against_opening(data: bytes, runs: int) -> None:
    """Our whole .docx parse against python-docx only opening the same file, CPU medians:
    interleaved (as everything here), interleaved with gc off (python-docx leaves garbage that
    is otherwise collected during our runs), and each timed alone."""
    import gc

    (_, ours_cpu), (_, open_cpu) = medians([parse_bytes, open_docx], data, "form.docx", runs)
    gc.disable()
    try:
        (_, ours_off), (_, open_off) = medians([parse_bytes, open_docx], data, "form.docx", runs)
    finally:
        gc.enable()
    [(_, ours_alone)], [(_, open_alone)] = (medians([f], data, "form.docx", runs) for f in (parse_bytes, open_docx))
    for label, ours_ms, open_ms in (("interleaved", ours_cpu, open_cpu), ("interleaved, gc off", ours_off, open_off),
                                    ("each alone", ours_alone, open_alone)):
        print(f"docx parse vs python-docx open, {label}: {ours_ms:.1f} / {open_ms:.1f} ms CPU = "
              f"{ours_ms / open_ms:.2f}x (target <= 1.5x)")


_TREE_TIMER = """
import sys, time, statistics
sys.path.insert(0, sys.argv[1])
from parsers import parse_bytes
data = open(sys.argv[2], "rb").read()
name = "form" + sys.argv[2][sys.argv[2].rindex("."):]
parse_bytes(data, name)
cpu = []
for _ in range(int(sys.argv[3])):
    c = time.process_time()
    n = len(parse_bytes(data, name).entries)
    cpu.append((time.process_time() - c) * 1000)
print(statistics.median(cpu), n)
"""


def against_main(rows: list[dict], runs: int, main_tree: Path) -> None:
    """This tree against the main branch's on the same files (the 100-row .docx, and as text
    PDFs exported by LibreOffice: a generated one-page form and the 100-row form), each in a
    fresh interpreter, the trees alternated so machine load hits both alike (CPU medians)."""
    import tempfile

    from tests.parsers import formgen

    with tempfile.TemporaryDirectory() as tmp:
        forms = [formgen.generate(1, without={"power_list", "leadership", "three_line"}), _ruled_form(rows)]
        files = [(f"{len(rows)}-row .docx", Path(tmp) / "big.docx")]
        files[0][1].write_bytes(make_docx(rows))
        for label, _form, data in zip(("one-page PDF", f"{len(rows)}-row PDF"), forms, formgen.pdfs(forms), strict=True):
            files.append((label, Path(tmp) / f"{len(files)}.pdf"))
            files[-1][1].write_bytes(data)
        here_tree = Path(__file__).resolve().parents[1]
        for label, path in files:
            results: dict[Path, list[tuple[float, int]]] = {here_tree: [], main_tree: []}
            for _ in range(3):
                for tree in results:
                    out = subprocess.run([sys.executable, "-c", _TREE_TIMER, str(tree), str(path), str(runs)],
                                         capture_output=True, text=True, check=True).stdout.split()
                    results[tree].append((float(out[0]), int(out[1])))
            here, main = (statistics.median(r[0] for r in results[t]) for t in results)
            print(f"{label}: this tree {here:.1f} ms CPU ({results[here_tree][0][1]} entries), main {main:.1f} ms CPU "
                  f"({results[main_tree][0][1]} entries): {here / main:.2f}x")


def _ruled_form(rows: list[dict]):
    """The bench form as a ruled table the harness's writer exports (python-docx draws no rules)."""
    from tests.parsers import formgen

    cells = [[formgen.GCell(t) for t in HEADER]] + [
        [formgen.GCell(t) for t in (r["seq"], r["position"], r["risk"], r["label"], measure_cell(r), r["owner"])]
        for r in rows]
    return formgen.Form(0, blocks=["科室廉政风险防控排查表", f"科室:{DEPARTMENT}", formgen.Table(cells, len(rows))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--main-tree", type=Path, default=None,
                        help="a checkout of the main branch: compare the text-PDF path with it (needs soffice)")
    args = parser.parse_args()
    rows = truth(args.rows)
    cases = [("docx", make_docx(rows), naive_docx), ("xlsx", make_xlsx(rows), naive_xlsx)]
    total = len(rows) * len(FIELDS)
    print(f"{args.rows}-row forms, medians of {args.runs} in-process runs (wall clock and CPU time)")
    print(f"{'file':6} {'reader':8} {'wall ms':>8} {'cpu ms':>8} {'entries right':>14} {'fields right':>13} {'cpu speed-up':>13}")
    for fmt, data, naive in cases:
        name = f"form.{fmt}"
        timings = medians([ours, naive], data, name, args.runs)
        for label, func, (wall, cpu) in zip(("lianfang", "naive"), (ours, naive), timings, strict=True):
            entries, fields = score(func(data, name), rows)
            ratio = timings[1][1] / cpu
            print(f"{fmt:6} {label:8} {wall:8.1f} {cpu:8.1f} {entries:>8}/{len(rows):<5} {fields:>7}/{total:<5} {ratio:>12.2f}x")
    docx_against_opening(cases[0][1], args.runs)
    if args.main_tree:
        against_main(rows, max(5, args.runs // 3), args.main_tree)


if __name__ == "__main__":
    main()
