"""Shared fixtures: a fresh store per test (SQLite, and PostgreSQL when configured),
the sample forms (tests/samples), and a runner for the `lianfang` command.

Set LIANFANG_TEST_POSTGRES_URL (a role allowed to CREATE DATABASE, e.g.
postgresql+psycopg://lianfang:lianfang@127.0.0.1:5432/postgres) and every test that
uses `store` also runs on PostgreSQL, in a database created for its module and dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import click.testing
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from service.config import Settings, reset_settings, settings
from tests.paths import SAMPLES

PG_URL = os.environ.get("LIANFANG_TEST_POSTGRES_URL")
ADMIN_PASSWORD = "admin-pass"  # the `store` fixture's admin account: admin / admin-pass

def pytest_configure(config: pytest.Config) -> None:
    from tests import accounting

    accounting.install()  # before any test module imports parsers.table.interpret


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.accounting import TALLY

    if TALLY.rows:
        terminalreporter.write_line(f"no silent loss: {TALLY.rows} non-empty rows read below table headers, "
                                    f"{TALLY.out} entries, powers and row warnings made of them")


@pytest.fixture(autouse=True)
def _no_silent_loss() -> Iterator[None]:
    """Every row a test's parses read below a header is an entry or a warning naming it."""
    from tests.accounting import TALLY

    TALLY.breaches.clear()
    yield
    assert not TALLY.breaches, TALLY.breaches


BACKENDS = [pytest.param("sqlite", id="sqlite")]
if PG_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


@pytest.fixture(scope="module")
def _pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own for one test module, dropped afterwards."""
    server = make_url(PG_URL)
    name = f"lianfang_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        reset_settings()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables() -> None:
    """Reuse the module's PostgreSQL database with every table emptied (faster than a new one)."""
    from service.store.db import engine

    eng = engine()
    tables = [t for t in inspect(eng).get_table_names() if t != "alembic_version"]
    if tables:
        with eng.begin() as conn:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A fresh, initialised store: LIANFANG_HOME in tmp_path, migrations run, admin created."""
    from service.store.bootstrap import init_store

    monkeypatch.setenv("LIANFANG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LIANFANG_REDIS_URL", raising=False)
    monkeypatch.delenv("LIANFANG_ADMIN_PASSWORD", raising=False)
    if request.param == "postgresql":
        monkeypatch.setenv("LIANFANG_DATABASE_URL", request.getfixturevalue("_pg_database"))
        reset_settings()
        _empty_tables()
    else:
        monkeypatch.delenv("LIANFANG_DATABASE_URL", raising=False)
        reset_settings()
    init_store(admin_password=ADMIN_PASSWORD)
    yield settings()
    from service.audit import background

    assert background.drain(), "a queued re-audit did not finish"  # never into the next test's store
    reset_settings()


@pytest.fixture
def samples_dir() -> Path:
    """The sample forms with their expected parse output (the repository's copy of ../shared/samples)."""
    return SAMPLES


@pytest.fixture
def cli() -> Callable[..., click.testing.Result]:
    """Run `lianfang ARGS...` in-process: cli("ingest", path, "--unit", "财务科")."""
    from service.cli import audit, batch, documents, parse, review, store, web  # noqa: F401  (register commands)
    from service.cli import cli as group

    runner = click.testing.CliRunner()

    def run(*args: str, input: str | None = None) -> click.testing.Result:
        return runner.invoke(group, [str(a) for a in args], input=input, catch_exceptions=False)

    return run
