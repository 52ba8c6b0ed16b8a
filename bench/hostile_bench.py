"""Time and peak memory of every hostile file of the test suite (tests/parsers), through the
sandboxed path the service uses, against a genuine 20-row form measured in the same run.

    .venv/bin/python bench/hostile_bench.py

Time: `parsers.sandbox.parse_isolated` wall clock (fork from the zygote, parse or refuse, answer).
Memory: each file is parsed again by `parsers.parse_bytes` in a fresh interpreter that resets its
peak resident set after the imports (/proc/self/clear_refs) and reports it after the parse
(VmHWM): "added" is what the file cost above the interpreter with the parsers loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers.errors import ParseError  # noqa: E402
from parsers.sandbox import parse_isolated  # noqa: E402
from tests.parsers import badfiles as bad  # noqa: E402
from tests.parsers import test_hostile_structure as hs  # noqa: E402

CHILD = """
import sys
from parsers import parse_bytes
from parsers.errors import ParseError

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

data = open(sys.argv[1], "rb").read()
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # reset the peak (VmHWM) to the current resident set
before = status("VmRSS:")
try:
    parse_bytes(data, sys.argv[2])
except ParseError:
    pass
print(before, status("VmHWM:"))
"""


def cases() -> list[tuple[str, bytes, str]]:
    docx, xlsx = bad.form_docx(bad.form_rows(20)), bad.form_xlsx(bad.form_rows(20))
    sample_pdf = (ROOT / "tests" / "samples" / "p05_text_pdf.pdf")
    pdf = sample_pdf.read_bytes() if sample_pdf.is_file() else hs.SELF_LOOPING_PDF
    xxe16 = ('<?xml version="1.0" encoding="UTF-16"?>' + hs.XXE_BODY.decode()).encode("utf-16-le")
    return [
        ("genuine 20-row form (baseline)", docx, "表.docx"),
        ("truncated docx (60 %)", docx[: len(docx) * 6 // 10], "表.docx"),
        ("truncated xlsx (60 %)", xlsx[: len(xlsx) * 6 // 10], "表.xlsx"),
        ("docx, garbled document part", bad.rezip(docx, replace={"word/document.xml": b"<w:document><w:tbl>"}), "表.docx"),
        ("truncated pdf (1/3)", pdf[: len(pdf) // 3], "表.pdf"),
        ("garbage after %PDF", b"%PDF-1.7\n" + b"\x00garbage" * 500, "表.pdf"),
        ("encrypted docx", bad.encrypted_office(docx), "加密.docx"),
        ("encrypted pdf", bad.encrypted_pdf(pdf), "加密.pdf"),
        ("zip bomb, 300 MB of zeros", bad.zip_bomb(300), "炸弹.docx"),
        ("zip, 6000 entries", bad.many_entries_zip(6000), "多.docx"),
        ("XXE in document.xml", bad.rezip(docx, replace={"word/document.xml": bad.XXE_DOCUMENT}), "xxe.docx"),
        ("XXE, UTF-16 without BOM", bad.rezip(docx, replace={"word/document.xml": xxe16}), "xxe.docx"),
        ("billion laughs in workbook.xml", bad.rezip(xlsx, replace={"xl/workbook.xml": b'<!DOCTYPE w [<!ENTITY a "aaaa">'
                                                                      b'<!ENTITY b "&a;&a;&a;">]><w/>'}), "亿笑.xlsx"),
        ("macro-enabled docm", bad.macro_docm(docx), "宏.docm"),
        ("PDF, xref /Prev to itself + page tree in itself (345 B)", hs.SELF_LOOPING_PDF, "循环.pdf"),
        ("PDF, page tree containing itself", hs.PAGE_TREE_LOOP_PDF, "树.pdf"),
        ("PDF, objects referring to each other", hs.pdf([hs.CATALOG, b"3 0 R", b"2 0 R"]), "引用.pdf"),
        ("oversized (50 MB + 9 B)", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024), "大.pdf"),
    ]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, filename in cases():
            start = time.perf_counter()
            try:
                parse_isolated(data, filename, timeout=60)
                outcome = "parsed"
            except ParseError as exc:
                outcome = exc.code
            seconds = time.perf_counter() - start
            path = Path(tmp) / "f"
            path.write_bytes(data)
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), filename], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120).stdout.split()
            before, after = (int(x) / 1024 for x in out) if len(out) == 2 else (float("nan"),) * 2
            rows.append({"file": name, "bytes": len(data), "outcome": outcome, "seconds": round(seconds, 3),
                         "peak_mb": round(after, 1), "added_mb": round(after - before, 1)})
    print("| hostile file | size | outcome | time | peak RSS (added by the file) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['file']} | {r['bytes']:,} B | `{r['outcome']}` | {r['seconds']:.2f} s | "
              f"{r['peak_mb']:.0f} MB (+{r['added_mb']:.0f}) |")
    print(json.dumps(rows, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
