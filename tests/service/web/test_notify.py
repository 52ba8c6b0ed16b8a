"""待办 and 催报: in-app notifications with a menu counter, and the optional hooks against local stub servers."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import update

from service.config import reset_settings
from service.store.campaigns import add_campaign
from service.store.db import write_session
from service.store.models import User


@contextmanager
def webhook_stub() -> Iterator[tuple[str, list[dict]]]:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_stub() -> Iterator[tuple[str, list[str]]]:
    """A minimal SMTP server on 127.0.0.1 that keeps each message's text."""
    messages: list[str] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 stub\r\n")
            data: list[bytes] | None = None
            for line in self.rfile:
                if data is not None:
                    if line in (b".\r\n", b".\n"):
                        messages.append(b"".join(data).decode("utf-8", "replace"))
                        data = None
                        self.wfile.write(b"250 ok\r\n")
                    else:
                        data.append(line)
                    continue
                verb = line[:4].upper()
                if verb == b"DATA":
                    data = []
                    self.wfile.write(b"354 go\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", messages
    finally:
        server.shutdown()
        server.server_close()


def remind(client, post_form, units: list[int], message: str = "") -> str:  # noqa: ANN001
    response = post_form(client, "/remind", {"unit": [str(u) for u in units], "message": message},
                         follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_reminder_reaches_the_unit_in_app_with_a_counter(client_for, world, post_form) -> None:
    admin = client_for("admin")
    page = remind(admin, post_form, [world.unit_b], "请于本周五前报送排查表")
    assert "已向安澜县交通局催报,站内通知1人" in page and "外发" not in page  # hooks are off by default

    bob = client_for("bob")
    home = bob.get("/").get_data(as_text=True)
    assert '<span class="counter" aria-label="1 条未读">1</span>' in home
    todo = bob.get("/todo").get_data(as_text=True)
    assert "催报" in todo and "请于本周五前报送排查表" in todo
    assert "请于本周五前报送排查表" not in client_for("alice").get("/todo").get_data(as_text=True)
    post_form(bob, "/todo/read", {})
    assert 'class="counter"' not in bob.get("/todo").get_data(as_text=True)

    refused = remind(client_for("alice"), post_form, [world.unit_b])
    assert "只有领导小组办公室可以催报" in refused
    assert "请选择要催报的单位" in remind(admin, post_form, [])


def test_deadlines_become_notifications_once(client_for, world) -> None:
    soon = (date.today() + timedelta(days=3)).isoformat()
    with write_session() as s:
        add_campaign(s, {"name": "2026年度廉政风险防控工作", "year": 2026, "stages": [
            {"name": "查找风险", "start": "2026-01-01", "end": soon, "deadline": soon, "submissions": True}]})
    bob = client_for("bob")
    todo = bob.get("/todo").get_data(as_text=True)
    assert f"“查找风险”阶段报送将于{soon}到期(剩3天)" in todo
    assert bob.get("/todo").get_data(as_text=True).count("阶段报送将于") == 1


def test_hooks_deliver_to_local_stubs(client_for, world, post_form, monkeypatch: pytest.MonkeyPatch) -> None:
    with write_session() as s:
        s.execute(update(User).where(User.username == "bob").values(email="bob@jiaotong.example"))
    with webhook_stub() as (url, posted), smtp_stub() as (smtp, mails):
        monkeypatch.setenv("LIANFANG_NOTIFY_WEBHOOK", url)
        monkeypatch.setenv("LIANFANG_NOTIFY_SMTP", smtp)
        reset_settings()
        page = remind(client_for("admin"), post_form, [world.unit_b], "请尽快报送")
    assert "已通过webhook、邮件外发" in page
    assert posted == [{"event": "remind", "unit": "安澜县交通局", "unit_id": world.unit_b, "message": "请尽快报送",
                       "from": "admin", "users": ["bob"], "emails": ["bob@jiaotong.example"]}]
    assert len(mails) == 1 and "To: bob@jiaotong.example" in mails[0]


def test_a_failing_hook_is_reported_and_the_reminder_still_written(client_for, world, post_form,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with webhook_stub() as (url, _):
        pass  # the server is gone: its port refuses connections
    monkeypatch.setenv("LIANFANG_NOTIFY_WEBHOOK", url)
    reset_settings()
    page = remind(client_for("admin"), post_form, [world.unit_b])
    assert "安澜县交通局:webhook 推送失败" in page and "站内通知1人" in page
    assert "催报" in client_for("bob").get("/todo").get_data(as_text=True)


def test_a_form_held_for_confirmation_is_in_the_offices_todo(client_for, world, post_form) -> None:
    import io

    from service.demo import make_form_docx

    other = make_form_docx({"title": "科室廉政风险防控排查表", "unit": "安澜县交通局", "department": "综合科",
                            "filled_on": "2026-05-08", "rows": [{"position": "科员", "risk": "路政许可把关不严",
                                                                 "category": "岗位职责", "level": "中",
                                                                 "measures": ["许可事项双人审核"]}]})
    alice = client_for("alice")
    reply = post_form(alice, "/upload", {"files": [(io.BytesIO(other), "交通局的表.docx")]},
                      content_type="multipart/form-data", headers={"Accept": "application/json"}).json
    held = reply["outcomes"][0]
    assert held["status"] == "held"
    todo = client_for("admin").get("/todo").get_data(as_text=True)
    assert "待确认:交通局的表.docx" in todo and f'value="/submissions/{held["submission_id"]}"' in todo
    assert "待确认:" not in alice.get("/todo").get_data(as_text=True)
