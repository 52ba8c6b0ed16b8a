"""Web fixtures: an app on the `store` fixture, two units with one user each, logged-in clients."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from service.store import files
from service.store.db import write_session
from service.store.models import Entry, Measure, StoredFile, Submission, Unit, User

PASSWORD = "secret-pass-1"
# A cheap hash made once: scrypt's 0.2 s per user and per login would dominate these tests.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@dataclass(frozen=True)
class World:
    unit_a: int
    unit_b: int
    dept_a: int  # a department (科室) of unit A


@pytest.fixture
def app(store) -> Flask:  # noqa: ANN001
    return create_test_app()


def create_test_app() -> Flask:
    from service.web import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret"})


@pytest.fixture
def world(store) -> World:  # noqa: ANN001
    with write_session() as s:
        a, b = Unit(name="安澜县财政局"), Unit(name="安澜县交通局")
        s.add_all([a, b])
        s.flush()
        dept = Unit(name="会计核算科", parent_id=a.id)
        s.add(dept)
        s.flush()
        s.add_all([
            User(username="alice", password_hash=PASSWORD_HASH, unit_id=a.id),
            User(username="bob", password_hash=PASSWORD_HASH, unit_id=b.id),
        ])
        return World(a.id, b.id, dept.id)


def _csrf_of(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _login(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    token = _csrf_of(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def client_for(app: Flask, world: World) -> Callable[[str], FlaskClient]:
    """A test client logged in as `username` ("admin" uses the store fixture's admin)."""

    def make(username: str) -> FlaskClient:
        client = app.test_client()
        _login(client, username, "admin-pass" if username == "admin" else PASSWORD)
        return client

    return make


@pytest.fixture
def csrf_of() -> Callable[..., str]:
    """The CSRF token a page carries (its hidden csrf_token field)."""
    return _csrf_of


@pytest.fixture
def login() -> Callable[..., None]:
    return _login


@pytest.fixture
def post_form() -> Callable[..., object]:
    """POST a page form with the session's CSRF token, as the browser would."""

    def post(client: FlaskClient, path: str, data: dict, **kw) -> object:  # noqa: ANN003
        return client.post(path, data={**data, "csrf_token": _csrf_of(client, "/account")}, **kw)

    return post


@pytest.fixture
def seed() -> Callable[..., int]:
    return _seed_entries


def _seed_entries(unit_id: int, count: int, *, name: str = "seed.docx", **fields) -> int:  # noqa: ANN003
    """A parsed submission with `count` entries written straight to the store (for list/scope tests)."""
    sha = files.put(f"{unit_id}:{name}:{uuid.uuid4()}".encode())
    with write_session() as s:
        s.add(StoredFile(sha256=sha, size=1))
        sub = Submission(unit_id=unit_id, original_name=name, sha256=sha, status="parsed", form={})
        s.add(sub)
        s.flush()
        for i in range(count):
            values = {"department": "综合科", "position": "科员", "risk": f"风险点{i}", "level": "medium",
                      "category": "岗位职责", **fields}
            s.add(Entry(submission_id=sub.id, unit_id=unit_id, ordinal=i + 1, source_row=i + 2,
                        measures=[Measure(ordinal=1, text=f"措施{i}")], **values))
        return sub.id


def make_docx(rows: list[list[str]], *, department: str = "综合科") -> bytes:
    """A 科室 risk form from rows of [岗位, 风险点, 风险类型, 风险等级, 防控措施 ('；'-separated)]."""
    from service.demo import make_form_docx

    return make_form_docx({
        "title": "科室廉政风险防控排查表", "unit": "安澜县财政局", "department": department, "filled_on": "2026-05-08",
        "rows": [{"position": p, "risk": r, "category": c, "level": lv, "measures": m.split(";")}
                 for p, r, c, lv, m in rows],
    })


@pytest.fixture
def form_docx() -> Callable[..., bytes]:
    return make_docx
