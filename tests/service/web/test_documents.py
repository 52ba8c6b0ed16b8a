"""文书 page: generate with parameters, list with 文号, download, scope."""

from __future__ import annotations

import io

from docx import Document

from service.store.campaigns import add_campaign
from service.store.db import write_session


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_generate_list_and_download(client_for, post_form, seed, world):
    with write_session() as s:
        add_campaign(s, {"name": "2026年度廉政风险防控工作", "year": 2026})
    seed(world.unit_a, 3)
    admin, alice = client_for("admin"), client_for("alice")  # the office issues the notice, the unit reads it
    response = post_form(admin, "/documents", {"kind": "rectification", "items": "风险等级标识不完整\n措施过于笼统",
                                               "campaign": "2026年度廉政风险防控工作", "unit": str(world.unit_a)})
    assert response.status_code == 302
    assert "已生成整改通知书" in admin.get("/documents").get_data(as_text=True)
    html = alice.get("/documents").get_data(as_text=True)
    assert "整改通知书" in html and "〔2026〕" in html
    doc_id = int(html.split('href="/documents/')[1].split("/")[0])
    download = alice.get(f"/documents/{doc_id}/download")
    assert download.status_code == 200
    assert "措施过于笼统" in _text(download.data)
    assert client_for("bob").get(f"/documents/{doc_id}/download").status_code == 404
    assert "整改通知书" not in client_for("bob").get("/documents").get_data(as_text=True).split("<tbody>")[1]


def test_generation_problem_is_shown_in_chinese(client_for, post_form):
    alice = client_for("alice")
    post_form(alice, "/documents", {"kind": "summary", "stage": "不存在的阶段"})
    html = alice.get("/documents").get_data(as_text=True)
    assert "notice-error" in html and "阶段" in html
