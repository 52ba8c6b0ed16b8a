"""The isolated parse: same result as in-process, bounded in time and memory, and a
crash in the child is a clear error in the parent, never a traceback or a hang."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from parsers import parse_bytes, zygote
from parsers.errors import ParseError
from parsers.sandbox import parse_isolated, run_isolated
from tests.parsers.badfiles import HEADER, drawn_pdf, form_docx, form_rows
from tests.parsers.scans import DrawnForm, draw_form, image_pdf

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
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
        run_isolated(_start_converter_and_hang, str(pid_file), timeout=1, memory_mb=500)
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
