"""Eight processes ingesting at once: every write lands — no "database is locked" on SQLite,
no unique-constraint collision on PostgreSQL.

Parsing is stood in by a prepared form (forked children inherit it) so the test is about
concurrent write transactions; bench/store_bench.py measures the same at full size.
"""

from __future__ import annotations

import dataclasses
import multiprocessing

from sqlalchemy import func, select

from parsers.model import FormInfo, ParsedEntry, ParsedForm, ParsedMeasure
from service.config import reset_settings
from service.ingest import Parser, ingest_file
from service.store.db import read_session, write_session
from service.store.models import Entry, Person, Submission
from service.store.units import add_unit

PROCESSES = 8
EACH = 6


def _writer(worker: int, parser: Parser, queue) -> None:  # noqa: ANN001
    errors = []
    for n in range(EACH):
        name = f"科室{worker}-{n}"
        try:
            r = ingest_file(name.encode(), f"{name}.docx", unit=f"单位{worker % 3}", parser=parser)
            if r.status != "parsed":
                errors.append(f"{r.error_code}: {r.error_message}")
        except Exception as exc:
            errors.append(repr(exc))
    queue.put(errors)


def test_eight_concurrent_writers_all_land(store):
    # Every form of a unit names the same owner: concurrent roster inserts must not collide.
    risks = [ParsedEntry(risk=f"风险{i}", department="办公室", owner="张建国", level="high",
                         measures=[ParsedMeasure(f"措施{i}")]) for i in range(4)]
    template = ParsedForm(file="x.docx", format="docx", entries=risks)

    def parse(data, filename, *, level_standard):
        return dataclasses.replace(template, form=FormInfo(department=data.decode()))

    with write_session() as s:
        for u in range(3):
            add_unit(s, f"单位{u}")
    reset_settings()  # no pooled connection may cross the fork

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(w, parse, queue)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    errors = [e for _ in procs for e in queue.get(timeout=240)]
    for p in procs:
        p.join(timeout=60)

    assert errors == []
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == PROCESSES * EACH
        assert s.scalar(select(func.count()).select_from(Entry)) == PROCESSES * EACH * 4
        assert s.scalar(select(func.count()).select_from(Person)) == 3  # one 张建国 per unit


def _send_same(worker: int, data: bytes, parser: Parser, queue) -> None:  # noqa: ANN001
    try:
        queue.put(ingest_file(data, f"副本{worker}.docx", unit="单位0", parser=parser).status)
    except Exception as exc:
        queue.put(repr(exc))


def test_the_same_file_sent_eight_times_at_once_is_stored_once(store):
    form = ParsedForm(file="x.docx", format="docx", form=FormInfo(department="办公室"),
                      entries=[ParsedEntry(risk="违规报销", level="high")])
    with write_session() as s:
        add_unit(s, "单位0")
    reset_settings()

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_send_same, args=(w, b"same bytes", lambda data, filename, *, level_standard: form, queue)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes = sorted(queue.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)

    assert outcomes == ["duplicate"] * (PROCESSES - 1) + ["parsed"]
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 1
        assert s.scalar(select(func.count()).select_from(Entry)) == 1
