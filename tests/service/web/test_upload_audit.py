"""Web uploads leave the unit's re-audit to a background thread: the findings still arrive."""

from __future__ import annotations

import io

from sqlalchemy import select

from service.audit import background
from service.demo import make_form_docx
from service.store.db import read_session
from service.store.models import Finding


def _form_without_level() -> bytes:
    return make_form_docx({
        "title": "科室廉政风险防控排查表", "unit": "安澜县财政局", "department": "会计核算科", "filled_on": "2026-05-08",
        "rows": [{"position": "会计", "risk": "报销审核中对不合规票据放宽把关", "category": "岗位职责", "level": "",
                  "measures": ["报销票据实行会计、科长两级审核并留存审核记录"], "owner": "张伟"}],
    })


def test_findings_of_an_upload_arrive_after_the_response(client_for, post_form) -> None:  # noqa: ANN001
    client = client_for("alice")
    response = post_form(client, "/upload", {"files": [(io.BytesIO(_form_without_level()), "排查表.docx")]},
                         content_type="multipart/form-data")
    assert response.status_code == 200 and "已解析" in response.get_data(as_text=True)
    assert background.drain(60)
    with read_session() as s:
        rules = set(s.scalars(select(Finding.rule).where(Finding.status == "open")))
    assert "missing_level" in rules
