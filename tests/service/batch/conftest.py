"""Batch fixtures: units in the store and a real redis-server on a free port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store.db import write_session
from service.store.units import add_unit
from tests.service.batch.batch_helpers import UNITS, RedisServer, free_port


@pytest.fixture(autouse=True)
def _fresh_batch_settings() -> Iterator[None]:
    """A batch's settings are cached per database and id; a test's PostgreSQL database is reused
    with its ids restarted, so the next test's batch 1 must not see this one's."""
    from service.batch import items

    yield
    items._batch_settings.cache_clear()


@pytest.fixture
def units(store) -> tuple[str, ...]:  # noqa: ANN001
    with write_session() as s:
        for name in UNITS:
            add_unit(s, name)
    return UNITS


@pytest.fixture
def redis_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store) -> Iterator[RedisServer]:  # noqa: ANN001
    """A real redis-server on a free port, without persistence, for one test."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(free_port(), folder)
    server.start()
    monkeypatch.setenv("LIANFANG_REDIS_URL", server.url)
    from service.config import settings

    settings.cache_clear()
    try:
        yield server
    finally:
        server.stop()
