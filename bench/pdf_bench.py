"""PDF reading speed and accuracy against naive pdfplumber, and `lianfang parse` end to end.

Usage: .venv/bin/python bench/pdf_bench.py [--rows 120] [--repeat 5]   (from the repository root)

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
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parse_bench import medians  # noqa: E402 - bench/ is on sys.path when a bench runs

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

    timings = medians(
        [lambda data, name: read(data), lambda data, name: naive(), parse_bytes], pdf, "f.pdf", args.repeat
    )
    (ours_ms, ours_cpu), (naive_ms, naive_cpu), (parse_ms, parse_cpu) = timings
    ours_rows = [[cell.text for cell in row] for grid in read(pdf).grids for row in grid.rows]
    entries = len(parse_bytes(pdf, "form.pdf").entries)
    ours_acc, ours_extra = accuracy(ours_rows, truth)
    naive_acc, naive_extra = accuracy(naive(), truth)

    print(f"text PDF: {args.rows} rows on {pages} pages (LibreOffice export of a generated form)")
    print(f"{'reader':28} {'wall ms/page':>12} {'CPU ms/page':>12} {'rows whole':>11} {'spurious rows':>14}")
    for label, wall, cpu, acc, extra in [
        ("parsers.pdf.read", ours_ms, ours_cpu, f"{ours_acc:.1%}", ours_extra),
        ("pdfplumber extract_tables", naive_ms, naive_cpu, f"{naive_acc:.1%}", naive_extra),
        ("parse_bytes (whole parse)", parse_ms, parse_cpu, f"{entries}/{args.rows}", ""),
    ]:
        print(f"{label:28} {wall / pages:12.1f} {cpu / pages:12.1f} {acc:>11} {extra!s:>14}")
    print(f"speed ratio ours/naive: {ours_ms / naive_ms:.2f} wall, {ours_cpu / naive_cpu:.2f} CPU")

    command = [sys.executable, "-m", "service", "parse", str(SAMPLE), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    [(cli_ms, _)] = medians(
        [lambda data, name: subprocess.run(command, check=True, capture_output=True, cwd=ROOT)],
        b"",
        "",
        args.repeat,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000 / (args.repeat + 1)
    print(
        f"lianfang parse {SAMPLE.name} --json, new process: {cli_ms:.0f} ms wall median, {cli_cpu:.0f} ms CPU mean"
    )


if __name__ == "__main__":
    main()
