"""Real headless chromium: an admin uploads a .zip and watches the batch finish without reloading."""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.demo import make_form_docx, make_form_xlsx
from tests.browser import launch_chromium, live_server
from tests.service.batch.batch_helpers import form_spec

pytestmark = pytest.mark.browser


@pytest.fixture
def server(units) -> Iterator[str]:  # noqa: ANN001
    from service.web import create_app

    try:
        with live_server(create_app({"SECRET_KEY": "test-secret"})) as url:
            yield url
    finally:
        for runner in threading.enumerate():  # the upload's background run ends with its store
            if runner.name.startswith("batch-"):
                runner.join(120)


def test_progress_page_follows_the_batch_to_its_end(server: str, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    archive = tmp_path / "各单位上报.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for n in range(12):
            unit = ("财务局", "教育局")[n % 2]
            make = make_form_xlsx if n % 3 else make_form_docx
            z.writestr(f"{unit}/表{n}.{'xlsx' if n % 3 else 'docx'}", make(form_spec(unit, n, rows=1)))
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "admin-pass")
        page.click("button[type=submit]")
        page.goto(f"{server}/batches/")
        page.set_input_files("input[name=archive]", str(archive))
        page.click("form.filters button.primary")
        page.wait_for_url(re.compile(r"/batches/\d+$"))
        # No manual reload: the page polls its status and reloads itself once the batch is done.
        playwright.expect(page.locator("#state")).to_have_text("已完成", timeout=120_000)
        assert page.locator("[data-count=done]").inner_text() == "12"
        assert page.locator("table.grid tbody tr").count() == 12
        with page.expect_download() as download:
            page.click("text=下载报告(Excel)")
        assert download.value.suggested_filename.endswith(".xlsx")
        browser.close()
