"""Each document kind rendered from a store the test fills: contents, numbering, scope, format."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import docx
import openpyxl
import pytest
from sqlalchemy import select, update

from service.documents import DocumentError, generate, stored_path
from service.documents.checker import check
from service.errors import ServiceError
from service.store.db import read_session, write_session
from service.store.models import ActivityLog, Campaign, Entry, Finding, IssuedDocument, Submission, Unit
from service.store.scope import Viewer
from tests.service.documents.conftest import CAMPAIGN, UNIT, Filled, all_text, fill

ADMIN = Viewer.system()


def _assert_format(data: bytes) -> None:
    failed = [r for r in check(data) if r.passed is False]
    assert not failed, failed


def test_summary_figures_tables_and_charts(filled: Filled) -> None:
    result = generate("summary", {"unit": UNIT}, viewer=ADMIN)
    doc = docx.Document(str(result.path))
    text = all_text(doc)
    assert "共查找风险点5个，制定防控措施10条" in text  # the superseded entry is not counted
    assert "涉及风险岗位4个、风险岗位人员4人" in text
    assert "覆盖科室（部门）2个（应报3个）" in text
    assert "高风险2个，中风险2个，低风险1个" in text
    levels = doc.tables[0]
    assert [c.text for c in levels.rows[1].cells] == ["高风险", "2", "40.0%"]
    assert "财务科出纳：现金收付不及时入账，坐支现金" in text
    assert len(doc.inline_shapes) == 2  # level and type charts
    assert "旧版本中的风险点" not in text
    _assert_format(result.path.read_bytes())


def test_summary_for_a_stage_counts_forms_received_in_it(filled: Filled) -> None:
    def stage_text() -> str:
        result = generate("summary", {"unit": UNIT, "stage": "查找风险"}, viewer=ADMIN)
        return all_text(docx.Document(str(result.path)))

    with write_session() as s:
        s.execute(update(Submission).values(received_at=datetime(2026, 3, 15, 9)))
    text = stage_text()
    assert "查找风险阶段" in text and "2026年4月1日至2026年5月31日" in text
    assert "本阶段没有收到各科室（部门）报送的风险点排查表格" in text and "共查找风险点0个" not in text
    assert "按风险等级分" not in text and "一、存在问题" in text  # no empty figures, no empty tables
    with write_session() as s:
        s.execute(update(Submission).values(received_at=datetime(2026, 5, 31, 18)))
    assert "共查找风险点5个" in stage_text()
    with pytest.raises(DocumentError) as err:
        generate("summary", {"stage": "不存在的阶段"}, viewer=ADMIN)
    assert err.value.code == "stage_not_found"


def test_plan_has_stages_leaders_and_numbered_letterhead(filled: Filled) -> None:
    result = generate("plan", {"unit": UNIT}, viewer=ADMIN)
    text = all_text(docx.Document(str(result.path)))
    assert result.number_text == "廉防〔2026〕1号"
    assert "廉防〔2026〕1号" in text
    assert "（二）查找风险（2026年4月1日至2026年5月31日）" in text
    assert "组长：李局长（局长）" in text and "副组长：周副局长（副局长）" in text
    assert "附件：廉政风险点排查登记表" in text  # one annex: no number
    assert [p.name for p in result.attachments] == ["附件1_廉政风险点排查登记表.docx", "附件1_廉政风险点排查登记表.xlsx"]
    _assert_format(result.path.read_bytes())
    _assert_format(result.attachments[0].read_bytes())


def test_rectification_numbers_have_no_gaps_or_repeats(filled: Filled) -> None:
    params = {"unit": UNIT, "items": ["风险等级标识不完整", "防控措施过于笼统"], "deadline": "2026-12-05"}
    first = generate("rectification", params, viewer=ADMIN)
    second = generate("rectification", {**params, "department": "财务科", "copy_to": "县纪委监委"}, viewer=ADMIN)
    assert (first.number_text, second.number_text) == ("廉防办〔2026〕1号", "廉防办〔2026〕2号")
    with pytest.raises(DocumentError) as err:
        generate("rectification", {**params, "number": 2}, viewer=ADMIN)
    assert err.value.code == "number_taken"
    for bad in ("abc", 0, -1):
        with pytest.raises(DocumentError) as err:
            generate("rectification", {**params, "number": bad}, viewer=ADMIN)
        assert err.value.code == "bad_number"
    third = generate("rectification", params, viewer=ADMIN)
    assert third.number_text == "廉防办〔2026〕3号"
    text = all_text(docx.Document(str(second.path)))
    assert "安澜县财政局财务科：" in text
    assert "1.风险等级标识不完整" in text and "2.防控措施过于笼统" in text
    assert "请于2026年12月5日前" in text
    assert "抄送：县纪委监委。" in text and "印发" in text
    assert "安澜县财政局廉政风险防控工作领导小组办公室" in text  # the issuer named with its body
    _assert_format(second.path.read_bytes())
    first_text = all_text(docx.Document(str(first.path)))
    assert "抄送" not in first_text and "监察局" not in first_text  # none named: no 抄送 line
    assert "报送安澜县廉政风险防控工作领导小组办公室" in first_text
    with read_session() as s:
        rows = s.scalars(select(IssuedDocument).where(IssuedDocument.kind == "rectification").order_by(IssuedDocument.id)).all()
        assert [d.number for d in rows] == [1, 2, 3]
        assert stored_path(rows[1].id, rows[1].filename) == second.path
        assert str(rows[0].deadline) == "2026-12-05"
        logged = s.scalars(select(ActivityLog.object_id).where(ActivityLog.action == "document.generate")).all()
        assert set(logged) >= {d.id for d in rows}


def test_rectification_lists_open_findings_and_links_them(filled: Filled) -> None:
    with write_session() as s:
        s.add_all([
            Finding(unit_id=filled.unit_id, campaign_id=filled.campaign_id, rule="vague_measure", severity="medium",
                    message="防控措施“加强学习”过于笼统", key="a"),
            Finding(unit_id=filled.unit_id, campaign_id=filled.campaign_id, rule="missing_level", severity="high",
                    message="已关闭的问题", key="b", status="closed"),
        ])
    result = generate("rectification", {"unit": UNIT, "items": ["不会用到"]}, viewer=ADMIN)
    text = all_text(docx.Document(str(result.path)))
    assert "1.防控措施“加强学习”过于笼统" in text
    order = [text.index(t) for t in ("一、存在的问题", "（一）防控措施过于笼统", "1.防控措施“加强学习”", "二、整改要求")]
    assert order == sorted(order)  # 一、 before （一） before 1.
    assert "已关闭的问题" not in text and "不会用到" not in text
    with read_session() as s:
        assert s.scalar(select(Finding.notice_id).where(Finding.key == "a")) == result.id
        assert s.scalar(select(Finding.notice_id).where(Finding.key == "b")) is None


def test_rectification_without_problems_is_refused(filled: Filled) -> None:
    with pytest.raises(DocumentError) as err:
        generate("rectification", {"unit": UNIT}, viewer=ADMIN)
    assert err.value.code == "no_problems"
    with read_session() as s:
        assert s.scalar(select(IssuedDocument.id)) is None


def test_commitment_for_one_person(filled: Filled) -> None:
    result = generate("commitment", {"unit": UNIT, "person": "王敏"}, viewer=ADMIN)
    assert result.filename == "廉政承诺书_财务科_王敏.docx"
    doc = docx.Document(str(result.path))
    text = all_text(doc)
    assert "承诺人：王敏" in text and "原始凭证审核不严，以白条入账" in text
    assert "1、严格审核原始凭证\n2、白条一律不得入账" in text
    assert "现金收付" not in text
    _assert_format(result.path.read_bytes())


def test_commitment_for_a_unit_is_a_zip_with_merged_letters(filled: Filled) -> None:
    result = generate("commitment", {"unit": UNIT}, viewer=ADMIN)
    with zipfile.ZipFile(result.path) as z:
        names = sorted(z.namelist())
        # every person of the roster, leaders first (with or without risk points), then the forms' people
        assert names == sorted(["领导班子_李局长.docx", "领导班子_周副局长.docx", "财务科_刘芳.docx", "财务科_王敏.docx",
                                "采购科_张伟.docx", "采购科_赵强.docx", "廉政承诺书_合并.docx"])
        merged_data = z.read("廉政承诺书_合并.docx")
        merged = docx.Document(io.BytesIO(merged_data))
        one = z.read("采购科_张伟.docx")
        leader = all_text(docx.Document(io.BytesIO(z.read("领导班子_李局长.docx"))))
    letter = all_text(docx.Document(io.BytesIO(one)))
    assert "承诺人：张伟" in letter and "化整为零" in letter and "刘芳" not in letter
    assert "承诺人：李局长" in leader and "科室（部门）：领导班子" in leader and "岗位：局长" in leader and "本人尚未报送岗位廉政风险点" in leader
    body = merged.element.body.xml
    assert body.count('w:pgNumType w:start="1"') == 6  # each letter a section numbered from 1
    assert len(merged.sections) == 6
    assert all_text(merged).count("廉政承诺书") == 6
    _assert_format(one)
    _assert_format(merged_data)


def test_ledger_rows_formats_and_formula_safety(store) -> None:
    rows = [("财务科", "出纳", "刘芳", "=HYPERLINK(\"http://x\")", "岗位职责", "high", ["+1 核对", "@SUM(A1)"]),
            ("财务科", "会计", None, "-2 往来款\x01\x0b", "业务流程", "low", ["每季度清理"])]
    fill(rows)
    result = generate("ledger", {"unit": UNIT}, viewer=ADMIN)
    wb = openpyxl.load_workbook(result.path)
    ws = wb["风险台账"]
    header = [c.value for c in ws[3]]
    assert header[:6] == ["序号", "科室", "岗位", "姓名", "职权事项", "风险点"]
    risk = ws.cell(4, header.index("风险点") + 1)
    assert risk.value == '=HYPERLINK("http://x")' and risk.data_type == "s" and risk.quotePrefix
    assert ws.cell(4, header.index("防控措施") + 1).value == "1、+1 核对\n2、@SUM(A1)"
    assert ws.cell(5, header.index("风险点") + 1).value == "-2 往来款"
    assert ws.cell(4, header.index("风险等级") + 1).value == "高"
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:N5"
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["F"].width == 40
    assert ws.max_row == 5


def test_summary_of_all_units_counts_units_covered(filled: Filled) -> None:
    with write_session() as s:
        s.add(Unit(name="未报送的单位"))
    text = all_text(docx.Document(str(generate("summary", {}, viewer=ADMIN).path)))
    assert "各单位2026年度廉政风险防控工作总结" in text
    assert "涉及单位1个（共2个）" in text and "共查找风险点5个" in text


def test_ledger_of_all_units_names_the_unit(filled: Filled) -> None:
    result = generate("ledger", {}, viewer=ADMIN)
    ws = openpyxl.load_workbook(result.path)["风险台账"]
    assert ws.cell(3, 1).value == "单位" and ws.cell(4, 1).value == UNIT


def test_manual_groups_by_department_and_position_with_toc(filled: Filled) -> None:
    result = generate("manual", {"unit": UNIT}, viewer=ADMIN)
    doc = docx.Document(str(result.path))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("一级标题", "二级标题")]
    assert headings[:5] == ["一、财务科", "（一）出纳", "（二）会计", "二、采购科", "（一）采购员"]
    assert "目　录" in [p.text for p in doc.paragraphs]  # not a heading: the 目录 does not list itself
    assert 'TOC \\o "1-2"' in doc.element.body.xml
    assert len(doc.tables) == 4
    _assert_format(result.path.read_bytes())


def test_unit_user_cannot_generate_for_another_unit(filled: Filled) -> None:
    with write_session() as s:
        other = Unit(name="别的单位")
        s.add(other)
        s.flush()
        other_id = other.id
    viewer = Viewer(user_id=None, username="u", is_admin=False, unit_id=other_id)
    with pytest.raises(ServiceError) as err:  # another unit reads as missing
        generate("ledger", {"unit": UNIT}, viewer=viewer)
    assert err.value.code == "unknown_unit"
    own = generate("ledger", {}, viewer=viewer)  # defaults to the viewer's own unit: empty
    assert openpyxl.load_workbook(own.path)["风险台账"].max_row == 3


def test_unknown_kind_and_campaign(filled: Filled) -> None:
    with pytest.raises(DocumentError) as err:
        generate("memo", {}, viewer=ADMIN)
    assert err.value.code == "unknown_kind"
    with pytest.raises(DocumentError) as err:
        generate("summary", {"campaign": "没有这个任务"}, viewer=ADMIN)
    assert err.value.code == "campaign_not_found"
    assert generate("summary", {"campaign": CAMPAIGN}, viewer=ADMIN).path.is_file()


def test_concurrent_notices_get_distinct_consecutive_numbers(filled: Filled) -> None:
    params = {"unit": UNIT, "items": ["措施过于笼统"]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: generate("rectification", params, viewer=ADMIN), range(4)))
    assert sorted(r.number_text for r in results) == [f"廉防办〔2026〕{n}号" for n in (1, 2, 3, 4)]
    assert len({r.id for r in results}) == 4


def test_pdf_of_a_zip_is_refused_before_anything_is_recorded(filled: Filled) -> None:
    with pytest.raises(DocumentError) as err:
        generate("commitment", {"unit": UNIT}, viewer=ADMIN, pdf=True)
    assert err.value.code == "pdf_unsupported"
    with read_session() as s:
        assert s.scalar(select(IssuedDocument.id)) is None


def test_warning_takes_the_highest_level_found_and_lists_those_points(filled: Filled) -> None:
    result = generate("warning", {"unit": UNIT, "department": "财务科", "items": ["信访举报：群众反映坐支现金"]},
                      viewer=ADMIN)
    assert result.number_text == "廉防办〔2026〕1号"
    assert result.filename == "预警通知书_安澜县财政局财务科.docx"
    text = all_text(docx.Document(str(result.path)))
    assert "关于对安澜县财政局财务科发出廉政风险红色预警的通知" in text
    assert "1.信访举报：群众反映坐支现金" in text
    assert "2.财务科出纳（刘芳）：现金收付不及时入账，坐支现金（风险等级：高）" in text
    assert "采购" not in text and "白条" not in text  # another department; a lower level
    assert "诫勉谈话" in text
    _assert_format(result.path.read_bytes())


def test_warning_grade_and_signals_chosen_by_the_office(filled: Filled) -> None:
    params = {"unit": UNIT, "person": "王敏", "level": "黄", "items": "群众反映报销审核时有拖延\n\n", "deadline": "2026-12-01"}
    text = all_text(docx.Document(str(generate("warning", params, viewer=ADMIN).path)))
    assert "发出廉政风险黄色预警" in text and "1.群众反映报销审核时有拖延" in text
    assert "提醒谈话" in text and "2026年12月1日前" in text
    with pytest.raises(DocumentError) as err:
        generate("warning", {"unit": UNIT, "level": "紫色"}, viewer=ADMIN)
    assert err.value.code == "bad_level"
    with pytest.raises(DocumentError) as err:
        generate("warning", {"unit": UNIT, "person": "不存在的人"}, viewer=ADMIN)
    assert err.value.code == "no_level"


def test_one_number_sequence_per_issuer_code_and_year_across_kinds(filled: Filled) -> None:
    notice = generate("rectification", {"unit": UNIT, "items": ["措施过于笼统"]}, viewer=ADMIN)
    warning = generate("warning", {"unit": UNIT, "department": "采购科"}, viewer=ADMIN)
    plan = generate("plan", {"unit": UNIT}, viewer=ADMIN)  # another 机关代字: its own sequence
    assert (notice.number_text, warning.number_text, plan.number_text) == (
        "廉防办〔2026〕1号", "廉防办〔2026〕2号", "廉防〔2026〕1号")
    other_code = generate("rectification", {"unit": UNIT, "items": ["x"], "issuer_code": "财廉"}, viewer=ADMIN)
    assert other_code.number_text == "财廉〔2026〕1号"


def test_drafts_take_no_number_and_show_it_blank(filled: Filled) -> None:
    params = {"unit": UNIT, "items": ["措施过于笼统"]}
    drafts = [generate(kind, {**params, "department": "采购科", "draft": True}, viewer=ADMIN)
              for kind in ("rectification", "warning", "rectification")]
    assert [d.number_text for d in drafts] == [None, None, None]
    assert all(d.filename.endswith("_草稿.docx") for d in drafts)
    assert "廉防办〔2026〕　号" in all_text(docx.Document(str(drafts[0].path)))
    issued = generate("rectification", params, viewer=ADMIN)
    assert issued.number_text == "廉防办〔2026〕1号"
    with read_session() as s:
        numbers = [d.number for d in s.scalars(select(IssuedDocument).order_by(IssuedDocument.id))]
    assert numbers == [None, None, None, 1]


def test_concurrent_issuers_of_two_kinds_never_share_a_number(filled: Filled) -> None:
    def issue(i: int) -> str:
        if i % 2:
            return generate("warning", {"unit": UNIT, "department": "采购科"}, viewer=ADMIN).number_text
        return generate("rectification", {"unit": UNIT, "items": ["措施过于笼统"]}, viewer=ADMIN).number_text

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(issue, range(6)))
    assert sorted(numbers, key=lambda t: int(t[9:-1])) == [f"廉防办〔2026〕{n}号" for n in range(1, 7)]


def test_red_warning_needs_a_signal_not_only_self_rated_high_points(filled: Filled) -> None:
    plain = generate("warning", {"unit": UNIT, "department": "财务科"}, viewer=ADMIN)
    text = all_text(docx.Document(str(plain.path)))
    assert "橙色预警" in text and "红色" not in text  # a self-rated 高 point alone
    assert "现金收付不及时入账" in text
    with pytest.raises(DocumentError) as err:
        generate("warning", {"unit": UNIT, "department": "财务科", "level": "红色"}, viewer=ADMIN)
    assert err.value.code == "red_needs_signal"
    with write_session() as s:
        s.add(Finding(unit_id=filled.unit_id, campaign_id=filled.campaign_id, rule="missing_level", severity="high",
                      message="风险等级标识不完整", key="k"))
    notice = generate("rectification", {"unit": UNIT, "deadline": "2026-01-10"}, viewer=ADMIN)
    overdue = generate("warning", {"unit": UNIT, "department": "财务科"}, viewer=ADMIN)
    text = all_text(docx.Document(str(overdue.path)))
    assert "红色预警" in text
    assert f"整改逾期：{notice.number_text}要求于2026年1月10日前整改，尚有1个问题未整改" in text


def test_commitment_pledges_no_measure_the_audit_found_vague_and_no_unrated_level(filled: Filled) -> None:
    with read_session() as s:
        cash = s.scalar(select(Entry.id).where(Entry.risk.like("现金收付%"), Entry.is_current.is_(True)))
    with write_session() as s:
        s.execute(update(Entry).where(Entry.id == cash).values(level=None))
        s.add(Finding(unit_id=filled.unit_id, campaign_id=filled.campaign_id, rule="vague_measure", severity="medium",
                      message="措施笼统", key="v", entry_id=cash))
    text = all_text(docx.Document(str(generate("commitment", {"unit": UNIT, "person": "刘芳"}, viewer=ADMIN).path)))
    assert "原防控措施经审核过于笼统" in text and "严禁坐支现金" not in text
    assert "未定级" not in text and "—" in text


def test_ledger_is_formatted_for_print(filled: Filled) -> None:
    with write_session() as s:
        s.execute(update(Entry).where(Entry.risk.like("往来款项%")).values(level=None))
    ws = openpyxl.load_workbook(generate("ledger", {"unit": UNIT}, viewer=ADMIN).path)["风险台账"]
    header = [c.value for c in ws[3]]
    level_col = header.index("风险等级") + 1
    levels = {ws.cell(r, level_col).value: ws.cell(r, level_col).fill.fgColor.rgb[-6:] for r in range(4, ws.max_row + 1)}
    assert levels == {"高": "FFC7CE", "中": "FCD5B4", "未定级": "E7E6E6"}
    measures = ws.cell(4, header.index("防控措施") + 1)
    assert measures.alignment.wrap_text and measures.border.left.style == "thin" and measures.font.name == "宋体"
    assert all(ws.cell(4, c).alignment.wrap_text for c in range(1, len(header) + 1))


def test_publicity_states_its_period_feedback_channel_issuer_and_date(filled: Filled) -> None:
    from datetime import date

    from service.documents import publicity, queries

    with read_session() as s:
        sc = queries.scope(s, ADMIN, {"unit": UNIT})
        entries = queries.entries(s, sc)
        data = publicity.document(sc, entries, start=date(2026, 7, 1), until=date(2026, 7, 7))
    text = all_text(docx.Document(io.BytesIO(data)))
    assert "公示期：2026年7月1日至2026年7月7日。" in text
    assert "“公示反馈”栏目" in text and "安澜县财政局廉政风险防控工作领导小组办公室反映" in text
    assert "安澜县财政局廉政风险防控工作领导小组办公室\n2026年7月1日" in text  # 署名, 成文日期
    assert "政府采购化整为零" in text and "廉政风险点5个、防控措施10条" in text
    assert not [r for r in check(data) if r.passed is False]


def test_plan_uses_current_wording_campaign_addressees_and_no_repeated_county(filled: Filled) -> None:
    with write_session() as s:
        s.execute(update(Campaign).values(audit={"documents": {"main_to": "局属各单位、机关各科室",
                                                               "copy_to": "县纪委监委第三派驻纪检监察组"}}))
    text = all_text(docx.Document(str(generate("plan", {"unit": UNIT}, viewer=ADMIN).path)))
    assert "安澜县财政局2026年度廉政风险防控工作实施方案" in text  # not "…2026年度安澜县…"
    assert "局属各单位、机关各科室：" in text and "抄送：县纪委监委第三派驻纪检监察组。" in text
    assert "科学发展观" not in text and "监察局" not in text
    assert "习近平新时代中国特色社会主义思想" in text and "一体推进不敢腐、不能腐、不想腐" in text
