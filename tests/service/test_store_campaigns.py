"""Campaign files: defaults, YAML dates, and refusals that say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.store.campaigns import CampaignError, normalize_campaign, read_campaign_file


def test_defaults_are_a_typical_plan():
    c = normalize_campaign({"name": " 2025年度工作 ", "year": 2025})
    assert c["name"] == "2025年度工作"
    assert [s["name"] for s in c["stages"]] == ["动员部署", "查找风险、制定措施", "监控执行", "检查考核"]
    collecting = [s for s in c["stages"] if s.get("submissions")]
    assert collecting == [c["stages"][1]] and collecting[0]["deadline"] == "2025-06-30"
    assert c["level_standard"]["highest"] == "一级" and c["owner_required"] is False and c["audit"] == {}


def test_yaml_dates_read_as_iso_strings(tmp_path: Path):
    path = tmp_path / "plan.yml"
    path.write_text("name: 工作\nyear: 2025\nstages:\n  - {name: 动员部署, start: 2025-03-01, end: 2025-03-31}\n",
                    encoding="utf-8")
    assert read_campaign_file(path)["stages"][0]["start"] == "2025-03-01"


@pytest.mark.parametrize("spec, words", [
    ({"year": 2025}, "name"),
    ({"name": "x", "year": "二〇二五"}, "year"),
    ({"name": "x", "year": 2025, "stages": [{"name": "a", "start": "2025-05-01", "end": "2025-04-01"}]}, "开始日期晚于结束日期"),
    ({"name": "x", "year": 2025, "audit": {"vague_measure": 3}}, "audit/vague_measure"),
])
def test_bad_campaigns_are_refused_with_the_reason(spec, words):
    with pytest.raises(CampaignError) as err:
        normalize_campaign(spec)
    assert words in str(err.value)


def test_unreadable_file(tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CampaignError, match="格式有误"):
        read_campaign_file(path)
