"""PDF reading speed and accuracy against naive pdfplumber, and `lianfang parse` end to end.

Usage: .venv/bin/python bench/pdf_bench.py [--rows 120] [--repeat 5]

Makes a multi-page text PDF the way units do (a Word form exported by real LibreOffice,
header row repeated on every page, rows allowed to break across pages), then times
`parsers.pdf.read` (median ms a page) against pdfplumber's `extract_tables()` with default
settings on the same file. Accuracy: the share of the form's rows (whitespace ignored)
that come out as one complete row, and the rows that come out but are not rows of the form
(repeated headers, fragments of rows cut by a page break). Last, `lianfang parse FILE --json`
of a one-page form as a user runs it (a new interpreter each time).
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / ".." / "shared" / "samples" / "p05_text_pdf.pdf"
DUTIES = ["会议管理", "印章管理", "公务接待", "车辆管理", "政府采购", "财务报销", "档案管理", "人事调配"]


def make_form(rows: int) -> tuple[bytes, list[list[str]]]:
    """The form as .docx and the rows its table shows (read back with python-docx)."""
    import docx

    from service.demo import make_form_docx

    spec = {
        "title": "科室廉政风险防控排查表",
        "unit": "某某市交通运输局",
        "department": "办公室",
        "filled_on": "2024-03-05",
        "rows": [
            {
                "position": "科员",
                "risk": f"{DUTIES[i % 8]}中审核把关不严,第{i + 1}项风险可能导致违规办理、优亲厚友等问题",
                "category": "岗位职责",
                "level": "高中低"[i % 3],
                "measures": ["严格执行审批登记制度" * (1 + i % 4), "定期公开办理结果", "纪检组每季度抽查"],
                "owner": "张三",
            }
            for i in range(rows)
        ],
    }
    data = make_form_docx(spec)
    table = docx.Document(io.BytesIO(data)).tables[0]
    return data, [[cell.text for cell in row.cells] for row in table.rows]


def to_pdf(docx: bytes) -> bytes:
    from parsers.legacy import soffice_path

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "form.docx"
        source.write_bytes(docx)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run(
            [
                soffice_path(),
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return (Path(tmp) / "form.pdf").read_bytes()


def squeeze(row: list[str | None]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", cell or "") for cell in row)


def accuracy(found: list[list[str | None]], truth: list[list[str]]) -> tuple[float, int]:
    """(share of true data rows reproduced whole, rows found that are no row of the form)."""
    wanted = {squeeze(row) for row in truth[1:]}
    got = [squeeze(row) for row in found]
    whole = sum(1 for row in wanted if row in got)
    header = squeeze(truth[0])
    spurious = sum(1 for row in got if row not in wanted) - (1 if header in got else 0)
    return whole / len(wanted), spurious


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import pdfplumber

    from parsers import parse_bytes
    from parsers.pdf import read

    docx, truth = make_form(args.rows)
    pdf = to_pdf(docx)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)

    def naive() -> list[list[str | None]]:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            return [row for page in document.pages for table in page.extract_tables() for row in table]

    ours_ms = median_ms(lambda: read(pdf), args.repeat)
    naive_ms = median_ms(naive, args.repeat)
    parse_ms = median_ms(lambda: parse_bytes(pdf, "form.pdf"), args.repeat)
    ours_rows = [[cell.text for cell in row] for grid in read(pdf).grids for row in grid.rows]
    entries = len(parse_bytes(pdf, "form.pdf").entries)
    ours_acc, ours_extra = accuracy(ours_rows, truth)
    naive_acc, naive_extra = accuracy(naive(), truth)

    print(f"text PDF: {args.rows} rows on {pages} pages (LibreOffice export of a generated form)")
    print(
        f"  parsers.pdf.read           {ours_ms / pages:7.1f} ms/page  ({ours_ms:.0f} ms total)"
        f"  rows whole {ours_acc:6.1%}  spurious rows {ours_extra}"
    )
    print(
        f"  pdfplumber extract_tables  {naive_ms / pages:7.1f} ms/page  ({naive_ms:.0f} ms total)"
        f"  rows whole {naive_acc:6.1%}  spurious rows {naive_extra}"
    )
    print(f"  speed ratio ours/naive     {ours_ms / naive_ms:7.2f}")
    print(f"  parse_bytes (full parse)   {parse_ms / pages:7.1f} ms/page  entries {entries}/{args.rows}")

    command = [sys.executable, "-m", "service", "parse", str(SAMPLE), "--json"]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)  # warm the disk cache
    cli_ms = median_ms(
        lambda: subprocess.run(command, check=True, capture_output=True, cwd=ROOT), args.repeat
    )
    print(f"lianfang parse {SAMPLE.name} --json (one page, new process): {cli_ms:.0f} ms median")


if __name__ == "__main__":
    main()
