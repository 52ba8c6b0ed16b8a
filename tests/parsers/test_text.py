"""Normalisation as the contract says; traditional documents converted with t2s only."""

from __future__ import annotations

from parsers.text import clean, is_traditional, key
from tests.parsers.builders import docx_form, parse_docx


def test_clean_width_and_white_space():
    assert clean("  ＡＢＣ１２３　风险\n点\t\t描述 ") == "ABC123 风险 点 描述"
    assert clean("严格执行，“一岗双责”；") == "严格执行,“一岗双责”;"
    assert clean("⼀⽅") == "一方"  # Kangxi radicals from PDF exports
    assert clean("\ufeff风险\u200b点\xa0 描述") == "风险点 描述"


def test_clean_converts_only_when_asked():
    assert clean("風險點") == "風險點"
    assert clean("風險點", traditional=True) == "风险点"


def test_t2s_keeps_words_tw2sp_would_rewrite():
    assert clean("建立制度", traditional=True) == "建立制度"


def test_key_matches_spaced_traditional_full_width():
    assert key("風 險 點") == key("风\u200b险点") == "风险点"
    assert key("（１）") == "(1)"


def test_is_traditional():
    assert is_traditional("廉政風險點排查表,對審批環節進行監督檢查")
    assert not is_traditional("廉政风险点排查表,对审批环节进行监督检查")
    assert not is_traditional("ABC 123")


def test_traditional_document_end_to_end():
    rows = [["序號", "崗位", "廉政風險點", "風險等級", "防控措施"],
            ["１", "會計", "審核憑證不嚴，以白條入賬", "高", "1、建立審核制度;2、定期檢查"]]
    form = parse_docx(docx_form(rows, before=("廉政風險點排查表", "填報單位:財政局")))
    entry = form.entries[0]
    assert form.form.title == "廉政风险点排查表"
    assert form.form.unit == "财政局"
    assert (entry.position, entry.risk, entry.level) == ("会计", "审核凭证不严,以白条入账", "high")
    assert [m.text for m in entry.measures] == ["建立审核制度", "定期检查"]


def test_simplified_document_is_not_converted():
    rows = [["序号", "岗位", "风险点", "防控措施"], ["1", "会计", "乾隆年间的账目著录不全", "整理"]]
    assert parse_docx(docx_form(rows)).entries[0].risk == "乾隆年间的账目著录不全"
