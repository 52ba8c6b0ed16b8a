"""Scanned-form speed and memory, and that the text-PDF path pays nothing for OCR.

Run from the repository root:  .venv/bin/python bench/ocr_bench.py [--runs 5]

1. One scanned page end to end: a form drawn at 200 dpi, skewed 1.5°, blurred, specked
   and sealed, as .png and as an image-only PDF. Each run is a fresh Python process doing
   `parsers.parse_bytes` (imports, model load, reading, interpretation), timed from the
   outside; the process reports its peak resident memory (getrusage maxrss).
   Targets: under 4 s, under 1 GB.
2. The same page parsed again in a warm process (engine loaded), the steady state of a
   batch worker.
3. `parsers.pdf.read` on the text PDF sample, in a process where `parsers.ocr` imports
   and in one where it cannot: the medians should match.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.parsers import scans  # noqa: E402

TEXT_PDF = ROOT / ".." / "shared" / "samples" / "p05_text_pdf.pdf"

ONE_PARSE = """
import json, resource, sys, time
start = time.perf_counter()
from parsers import parse_bytes
data = open(sys.argv[1], "rb").read()
form = parse_bytes(data, sys.argv[1])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"inside": time.perf_counter() - start, "entries": len(form.entries),
                  "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}))
"""

WARM = """
import json, statistics, sys, time
from parsers import parse_bytes
data = open(sys.argv[1], "rb").read()
parse_bytes(data, sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    parse_bytes(data, sys.argv[1])
    times.append(time.perf_counter() - start)
print(json.dumps({"median": statistics.median(times)}))
"""

TEXT_PATH = """
import json, statistics, sys, time
if sys.argv[3] == "without":
    sys.modules["parsers.ocr"] = None  # import fails: the machine without OCR installed
from parsers import pdf
data = open(sys.argv[1], "rb").read()
pdf.read(data)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    pdf.read(data)
    times.append(time.perf_counter() - start)
print(json.dumps({"median": statistics.median(times), "ocr_loaded": "rapidocr_onnxruntime" in sys.modules}))
"""


def run(script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(script: str, *args: str) -> tuple[float, dict]:
    import time

    start = time.perf_counter()
    result = run(script, *args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    page = scans.seal(scans.noise(scans.blur(scans.skew(scans.draw_form(scans.STANDARD), 1.5), 0.8)), (1450, 640))
    with tempfile.TemporaryDirectory() as tmp:
        files = {"png": Path(tmp) / "scan.png", "image-only pdf": Path(tmp) / "scan.pdf"}
        files["png"].write_bytes(scans.png(page))
        files["image-only pdf"].write_bytes(scans.image_pdf([page]))
        print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print("1. one scanned page, fresh process, end to end (target < 4 s, < 1024 MB)")
        for label, path in files.items():
            walls, cpus, rss = [], [], []
            for _ in range(args.runs):
                wall, result = timed(ONE_PARSE, str(path))
                assert result["entries"] == 5, result
                walls.append(wall)
                cpus.append(result["cpu"])
                rss.append(result["maxrss_mb"])
            print(f"   {label:15s} median {statistics.median(walls):.2f} s  (min {min(walls):.2f}, max {max(walls):.2f})"
                  f"  CPU {statistics.median(cpus):.2f} s  peak RSS {max(rss):.0f} MB")
        print("2. the same page in a warm process (engine loaded)")
        for label, path in files.items():
            print(f"   {label:15s} median {run(WARM, str(path), str(args.runs))['median']:.2f} s")
    print("3. text PDF (p05) through parsers.pdf.read, median of 20")
    for mode in ("with", "without"):
        result = run(TEXT_PATH, str(TEXT_PDF), "20", mode)
        print(f"   OCR {mode:8s} importable: {result['median'] * 1000:.1f} ms"
              f"  (OCR engine loaded: {result['ocr_loaded']})")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
