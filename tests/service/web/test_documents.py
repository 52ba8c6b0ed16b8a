"""文书 page: generate with parameters, list with 文号, download, scope."""

from __future__ import annotations

import io

from docx import Document
from sqlalchemy import update

from service.store.campaigns import add_campaign
from service.store.db import write_session
from service.store.models import Entry, Submission


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


def test_one_page_per_kind_with_only_its_fields(client_for, world):
    admin = client_for("admin")
    notice = admin.get("/documents?kind=rectification").get_data(as_text=True)
    form = notice.split('id="generate-form"')[1].split("</form>")[0]
    assert 'name="items"' in form and 'name="deadline"' in form and 'name="unit" id="unit" required' in form
    assert 'name="position"' not in form and 'name="stage"' not in form and "全部单位" not in form
    ledger = admin.get("/documents?kind=ledger").get_data(as_text=True).split('id="generate-form"')[1]
    assert "全部单位" in ledger and 'name="items"' not in ledger.split("</form>")[0]
    # a unit user does not see the office's notices, and cannot post them either
    alice = client_for("alice")
    page = alice.get("/documents").get_data(as_text=True)
    assert "?kind=warning" not in page and "?kind=rectification" not in page and "?kind=ledger" in page


def test_the_default_of_every_unit_never_fails_and_messages_are_plain(client_for, post_form, seed, world):
    seed(world.unit_a, 3)
    seed(world.unit_b, 2)
    with write_session() as s:
        campaign = add_campaign(s, {"name": "2026年度廉政风险防控工作", "year": 2026})
        for model in (Submission, Entry):
            s.execute(update(model).values(campaign_id=campaign.id))
    admin = client_for("admin")
    for kind in ("summary", "ledger", "manual", "commitment"):
        post_form(admin, "/documents", {"kind": kind})  # every field left at its default: 全部单位
        html = admin.get(f"/documents?kind={kind}").get_data(as_text=True)
        assert "notice-ok" in html and "notice-error" not in html, kind
    post_form(admin, "/documents", {"kind": "rectification"})
    html = admin.get("/documents?kind=rectification").get_data(as_text=True)
    assert "请选择单位" in html and "--unit" not in html and "(items)" not in html
    refused = post_form(client_for("alice"), "/documents", {"kind": "warning", "unit": str(world.unit_a)},
                        follow_redirects=True).get_data(as_text=True)
    assert "您无权生成该类文书" in refused
