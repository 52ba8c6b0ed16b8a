"""The isolated parse: same result as in-process, bounded in time and memory, and a
crash in the child is a clear error in the parent, never a traceback or a hang."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from parsers import limits, parse_bytes, zygote
from parsers.errors import ParseError
from parsers.pool import UNIT_MB, MemoryPool
from parsers.sandbox import memory_budget, parse_isolated, run_isolated
from tests.parsers.badfiles import HEADER, LEGACY_ROWS, drawn_pdf, form_docx, form_rows, legacy_form
from tests.parsers.scans import DrawnForm, draw_form, image_pdf
from tests.paths import SAMPLES

MB = 1024 * 1024


@pytest.mark.parametrize("name", ["p01_keshi_standard.docx", "p07_gaozhongdi.xlsx", "p05_text_pdf.pdf"])
def test_isolated_parse_matches_in_process(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    here, there = parse_bytes(data, name), parse_isolated(data, name)
    assert there.to_json() == here.to_json()
    assert there.ocr == here.ocr


def test_level_standard_reaches_the_child() -> None:
    rows = [[*row[:3], "一级", *row[4:]] for row in form_rows(2)]
    data = form_docx(rows)
    standard = {"highest": "三级"}
    isolated = parse_isolated(data, "表.docx", level_standard=standard)
    assert isolated.to_json() == parse_bytes(data, "表.docx", level_standard=standard).to_json()
    assert [entry.level for entry in isolated.entries] == ["low", "low"]
    assert [entry.level for entry in parse_isolated(data, "表.docx").entries] == ["high", "high"]


def _grab_memory() -> int:
    hoard = []
    while True:  # touched pages: resident memory grows until the parent's watch kills the child
        hoard.append(b"\x01" * (16 * MB))


def _reserve_memory() -> int:
    return len(bytearray(8 * 1024 * MB))  # untouched pages: only the address-space limit stops it


def _children_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == parent:
                found.append(int(stat.parent.name))
    return found


def _resident(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * resource.getpagesize()
    except (OSError, IndexError):
        return 0


def test_resident_memory_is_capped() -> None:
    forker = zygote.pid()
    base, peak, done = _resident(forker), [0], threading.Event()

    def watch() -> None:  # the children's resident memory, as the sandbox's own watch sees it
        while not done.is_set():
            peak[0] = max([peak[0], *(_resident(child) for child in _children_of(forker))])
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with pytest.raises(ParseError) as caught:
            run_isolated(_grab_memory, timeout=60, memory_mb=500)
    finally:
        done.set()
        watcher.join()
    assert caught.value.code == "out_of_memory"
    assert base + 400 * MB < peak[0] < base + 560 * MB  # it grew to the budget, and was stopped there


def _write_raw_lines() -> str:
    os.write(2, b"TIFFReadDirectory: Warning, Unknown field with tag 292\n")
    os.write(1, b"raw stdout line\n")
    return "read"


def test_what_c_libraries_write_in_the_child_never_reaches_the_callers_output() -> None:
    """libtiff and friends write to fd 2 directly: the caller's terminal shows only its own lines."""
    code = "from parsers.sandbox import run_isolated; from tests.parsers.test_sandbox import _write_raw_lines; " \
           "print(run_isolated(_write_raw_lines, timeout=60, memory_mb=500))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "read\n" and "TIFF" not in proc.stderr


def test_address_space_is_capped() -> None:
    with pytest.raises(ParseError) as caught:
        run_isolated(_reserve_memory, timeout=60, memory_mb=500)
    assert caught.value.code == "out_of_memory"


@pytest.mark.ocr
def test_scanned_form_is_read_within_the_default_budget() -> None:
    form = DrawnForm(
        title="科室廉政风险防控排查表",
        header=["单位:某局 科室:办公室 填表日期:2024年3月5日"],
        cells=[HEADER, ["1", "科员", "审批把关不严", "高", "1、严格审批;2、定期公开", "张三"]],
        widths=[1, 2, 4, 1, 4, 1],
    )
    parsed = parse_isolated(image_pdf([draw_form(form)]), "扫描件.pdf")
    assert parsed.ocr
    assert [entry.risk for entry in parsed.entries] == ["审批把关不严"]


def test_pathological_pdf_times_out_without_hanging() -> None:
    runs = [(40 + (i % 50) * 10, 40 + (i // 50) % 70 * 10, 8, "风险") for i in range(60_000)]
    heavy = drawn_pdf([{"text": runs}] * 3)
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        parse_isolated(heavy, "重.pdf", timeout=0.5)
    assert caught.value.code == "timeout"
    assert "超时" in caught.value.message
    assert time.monotonic() - started < 3
    _wait_for(lambda: _children_of(zygote.pid()) == [], "the timed-out child to be gone")


def _wait_for(condition, what: str, timeout: float = 5) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _explode() -> None:
    raise KeyError("internal detail")


def _crash_in_c_code() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _killed_by_the_kernel() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("func", "code"),
    [(_explode, "corrupt_file"), (_crash_in_c_code, "corrupt_file"), (_killed_by_the_kernel, "out_of_memory")],
)
def test_child_failures_become_clear_errors(func, code: str) -> None:
    with pytest.raises(ParseError) as caught:
        run_isolated(func, timeout=10, memory_mb=500)
    assert caught.value.code == code
    assert "internal detail" not in str(caught.value) and "Traceback" not in str(caught.value)


def _sum(a: int, b: int) -> dict:
    return {"sum": a + b, "text": "风险"}


def _not_json() -> object:
    return object()


def test_results_come_back_as_json_data() -> None:
    assert run_isolated(_sum, 2, 3, timeout=10, memory_mb=500) == {"sum": 5, "text": "风险"}
    with pytest.raises(ParseError) as caught:  # an object JSON cannot carry is the child's failure
        run_isolated(_not_json, timeout=10, memory_mb=500)
    assert caught.value.code == "corrupt_file"


def test_a_zygote_that_died_is_replaced() -> None:
    os.kill(zygote.pid(), signal.SIGKILL)
    assert run_isolated(_sum, 1, 1, timeout=10, memory_mb=500)["sum"] == 2


def _close_fds_and_linger() -> None:
    os.closerange(3, 1024)  # the answer socket too: the caller sees the end, and no answer
    time.sleep(60)


def test_a_child_that_hangs_up_without_answering_is_an_error_and_is_killed() -> None:
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        run_isolated(_close_fds_and_linger, timeout=60, memory_mb=500)
    assert caught.value.code == "corrupt_file"
    assert time.monotonic() - started < 10
    _wait_for(lambda: _children_of(zygote.pid()) == [], "the lingering child to be killed")


def test_an_exchange_cut_short_starts_a_fresh_zygote() -> None:
    first = zygote.pid()

    def interrupted(z: zygote.Zygote) -> None:
        z.control.sendall(b"S" + os.getpid().to_bytes(zygote.PID, "little", signed=True))
        raise KeyboardInterrupt  # as a job timeout would, before the answer is read

    with pytest.raises(KeyboardInterrupt):
        zygote.call(interrupted)
    assert zygote.pid() != first
    assert run_isolated(_sum, 2, 2, timeout=10, memory_mb=500)["sum"] == 4


def test_many_threads_share_one_zygote() -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: run_isolated(_sum, n, n, timeout=30, memory_mb=500)["sum"], range(40)))
    assert results == [2 * n for n in range(40)]


def _start_converter_and_hang(pid_file: str) -> None:
    helper = subprocess.Popen(["sleep", "60"], start_new_session=True)  # as legacy.convert starts soffice
    Path(pid_file).write_text(str(helper.pid))
    time.sleep(60)


def test_timeout_also_kills_what_the_child_started(tmp_path) -> None:
    pid_file = tmp_path / "helper.pid"
    with pytest.raises(ParseError) as caught:
        run_isolated(_start_converter_and_hang, str(pid_file), timeout=4, memory_mb=500)  # time to import this module
    assert caught.value.code == "timeout"
    helper = int(pid_file.read_text())
    time.sleep(0.2)
    state = Path(f"/proc/{helper}/stat")
    assert not state.exists() or state.read_text().rpartition(")")[2].split()[0] == "Z"  # gone or a zombie


def _hard_address_space_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[1]


def _child_limit_under_a_runner_cap() -> dict:
    """As a batch runner does: cap its own address space, then parse in the sandbox."""
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    cap = used + 600 * MB  # below what a parse child asks for (what it inherits + 3 x 500 MB)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    child_hard = run_isolated(_hard_address_space_limit, timeout=30, memory_mb=500)
    return {"cap": cap, "child": child_hard}


def test_sandbox_never_raises_a_memory_cap_it_inherits() -> None:
    """Raising a hard limit is refused to ordinary users: asking would fail every parse."""
    limits = run_isolated(_child_limit_under_a_runner_cap, timeout=60, memory_mb=4000)
    assert limits["child"] <= limits["cap"]


def _bad_alloc() -> None:
    raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while "
                       "running Conv node. Name:'Conv_0' Status Message: std::bad_alloc")


def _memory_error() -> None:
    raise MemoryError


@pytest.mark.parametrize("func", [_bad_alloc, _memory_error, _grab_memory, _killed_by_the_kernel])
def test_every_allocation_failure_is_out_of_memory_in_chinese(func) -> None:
    with pytest.raises(ParseError) as caught:
        run_isolated(func, timeout=60, memory_mb=300)
    assert caught.value.code == "out_of_memory"
    assert caught.value.message.startswith("内存不足")
    assert "bad_alloc" not in str(caught.value)


def test_a_reader_running_out_of_memory_is_not_a_damaged_file(monkeypatch) -> None:
    from parsers import api

    monkeypatch.setitem(api.READERS, "docx", lambda data, fmt: _bad_alloc())
    with pytest.raises(ParseError) as caught:
        parse_bytes(form_docx(form_rows(1)), "表.docx")
    assert caught.value.code == "out_of_memory"


def test_a_file_that_may_need_ocr_gets_the_ocr_budget() -> None:
    scan = image_pdf([draw_form(DrawnForm(title="表", header=[], cells=[], widths=[]))])
    assert memory_budget(scan) == memory_budget(b"\x89PNG\r\n\x1a\n....") == limits.OCR_MEMORY_MB <= 1024
    assert memory_budget((SAMPLES / "p05_text_pdf.pdf").read_bytes()) == limits.PARSE_MEMORY_MB
    assert memory_budget(form_docx(form_rows(1))) == limits.PARSE_MEMORY_MB
    assert memory_budget(b"%PDF-1.4\n<< /ProcSet [/PDF /Text /ImageB /ImageC] >>") == limits.PARSE_MEMORY_MB


def test_pool_reservations_never_exceed_the_total(tmp_path) -> None:
    pool = MemoryPool(1000, tmp_path)
    held, peak, lock = [0], [0], threading.Lock()

    def use(budget: int) -> int:
        with pool.reserve(budget):
            with lock:
                held[0] += pool.units_for(budget) * UNIT_MB
                peak[0] = max(peak[0], held[0])
            time.sleep(0.02)
            with lock:
                held[0] -= pool.units_for(budget) * UNIT_MB
        return budget

    budgets = [500, 800, 120, 300, 999, 60, 450, 2000] * 3
    with ThreadPoolExecutor(8) as workers:
        assert list(workers.map(use, budgets)) == budgets  # a budget over the total runs alone
    assert 0 < peak[0] <= 1000
    assert pool.in_use_mb() == 0


def test_pool_is_shared_between_processes_and_freed_when_a_holder_dies(tmp_path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from parsers.pool import MemoryPool\n"
         "with MemoryPool(1000, Path(sys.argv[1])).reserve(800):\n    print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        pool = MemoryPool(1000, tmp_path)
        assert pool.in_use_mb() == 800
        got = threading.Event()

        def reserve() -> None:
            with pool.reserve(300):
                got.set()

        waiter = threading.Thread(target=reserve)
        waiter.start()
        assert not got.wait(0.5)  # 800 + 300 > 1000: it waits
        holder.kill()  # killed, not released: the kernel drops its locks
        assert got.wait(10)
        waiter.join()
    finally:
        holder.kill()
        holder.wait()


def test_eight_hostile_parses_at_once_stay_within_the_total_and_all_get_an_answer(tmp_path) -> None:
    """Each child grabs memory until the watch stops it at its budget (300 MB); the pool (1000 MB)
    lets three run at once. The children's summed growth stays within the total."""
    pool = MemoryPool(1000, tmp_path)
    forker = zygote.pid()
    base, peak, most, done = _resident(forker), [0], [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            growth = [max(_resident(child) - base, 0) for child in _children_of(forker)]
            peak[0] = max(peak[0], sum(growth))
            most[0] = max(most[0], sum(1 for g in growth if g > 20 * MB))
            time.sleep(0.005)

    def hostile(_: int) -> str:
        try:
            run_isolated(_grab_memory, timeout=60, memory_mb=300, pool=pool)
        except ParseError as exc:
            return exc.code
        return "answered"

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as callers:
            codes = list(callers.map(hostile, range(8)))
    finally:
        done.set()
        watcher.join()
    assert codes == ["out_of_memory"] * 8
    assert most[0] <= 3
    assert peak[0] <= 1000 * MB + 3 * 60 * MB  # each may pass its budget by one watch interval's growth
    assert pool.in_use_mb() == 0


@pytest.mark.libreoffice
def test_a_legacy_file_converts_within_the_budget_in_the_sandbox() -> None:
    form = parse_isolated(legacy_form("doc"), "风险表.doc")
    assert (form.format, [entry.risk for entry in form.entries]) == ("doc", [row[2] for row in LEGACY_ROWS])


@pytest.mark.libreoffice
def test_libreoffice_is_held_to_the_memory_budget(monkeypatch) -> None:
    from parsers import legacy

    sessions, measure = set(), legacy._session_resident
    monkeypatch.setattr(legacy, "_session_resident", lambda session: sessions.add(session) or measure(session))
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        legacy.convert(legacy_form("xls"), "xls", memory_mb=60)  # LibreOffice alone needs ~200 MB
    assert caught.value.code == "out_of_memory"
    assert time.monotonic() - started < 30
    [session] = sessions
    assert _live_in_session(session) == []  # soffice and the soffice.bin it forked are gone


def _live_in_session(session: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found
