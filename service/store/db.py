"""Engines, sessions and locks: one place that knows SQLite from PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and every *write* transaction begins
IMMEDIATE: with pysqlite's deferred BEGIN, two writers that both read first deadlock
on the upgrade and one fails with "database is locked" no matter the timeout.
Reads stay deferred so they never queue behind a writer.

Writers also queue on a lock file beside the database before BEGIN: SQLite's busy
handler polls with growing sleeps, so under load a waiter that arrived first can keep
losing to newcomers (bench/web_bench.py's concurrent uploads). A blocking flock wakes
the next waiter as soon as the lock is free, across threads and processes alike.
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from service.config import on_reset, settings

_engines: dict[str, Engine] = {}
BUSY_TIMEOUT_S = 30


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def engine(url: str | None = None) -> Engine:
    url = url or settings().database_url
    eng = _engines.get(url)
    if eng is None:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
            _sqlite_setup(eng)
        else:
            eng = create_engine(url, pool_pre_ping=True)
        _engines[url] = eng
    return eng


def dispose() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()
    _sessions.cache_clear()


on_reset(dispose)  # engines made for the old settings go with them


class Lock(IntEnum):
    """The spaces of the advisory locks (PostgreSQL's first key); each names what it serializes."""

    INGEST_UNIT = 0x1F1A  # key: unit id. One ingest per unit: duplicate and version checks see each other
    AUDIT_UNIT = 7007  # key: top-level unit id. One audit per unit: a finding is never stored twice
    DOCUMENT_NUMBER = 0x444E4F  # key: "代字:year". One 文号 sequence writer: no gaps, no repeats
    LOGIN = 0x4C4F47  # key: 0. Login attempts in flight count against each other


def advisory_lock(session: Session, lock: Lock, key: int | str = 0) -> None:
    """Hold `lock` on `key` until the session's transaction ends (a text key is hashed).

    PostgreSQL: `pg_advisory_xact_lock(space, key)`. SQLite: nothing to do, its write
    transactions are already serialized (BEGIN IMMEDIATE behind the writer lock file).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if isinstance(key, str):
        key = zlib.crc32(key.encode()) - (1 << 31)  # into PostgreSQL's int4
    session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": int(lock), "key": key})


@functools.cache
def _sessions(eng: Engine, *, immediate: bool = False) -> sessionmaker[Session]:
    """One session factory per engine (and SQLite begin mode), made once: building one per
    transaction cost more than some of the transactions, all inside the writer lock."""
    bind = eng.execution_options(sqlite_begin="IMMEDIATE") if immediate else eng
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for queries; never commits."""
    with _sessions(engine())() as s:
        yield s


_held = threading.local()  # this thread's depth of nested write_session() calls


@contextmanager
def _sqlite_writer_queue(eng: Engine) -> Iterator[None]:
    """Hold the database's writer lock file for the duration of one write transaction."""
    path = eng.url.database
    if not path or path == ":memory:" or getattr(_held, "depth", 0):
        _held.depth = getattr(_held, "depth", 0) + 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def write_session() -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any exception."""
    eng = engine()
    if eng.dialect.name != "sqlite":
        with _sessions(eng)() as s, s.begin():
            yield s
        return
    with _sqlite_writer_queue(eng), _sessions(eng, immediate=True)() as s, s.begin():
        yield s
