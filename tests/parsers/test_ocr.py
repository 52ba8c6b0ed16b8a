"""Scanned forms read back end to end through `parsers.parse_bytes`.

Seven layouts (standard 科室 form, three-line table, vertical merge with a legend,
phase columns under a merged header with open sides, individual form with colour
levels, a Word form printed by LibreOffice, a mixed text+scanned PDF), each drawn or
printed and damaged the way scanning does: skew, blur, noise, a red seal, a page fed
sideways or upside down, a phone photo. Each test checks what a user would see: every
risk point found, with its level and its measures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from parsers import parse_bytes
from parsers.ocr import engine, read_image, read_pdf
from parsers.text import clean
from service.demo import make_form_docx
from tests.parsers import scans

pytestmark = pytest.mark.ocr


def entries_of(form) -> dict[str, tuple[str | None, list[str]]]:
    return {e.risk: (e.level, [m.text for m in e.measures]) for e in form.entries}


def expect(rows: list[tuple[str, str | None, list[str]]]) -> dict[str, tuple[str | None, list[str]]]:
    return {clean(risk): (level, [clean(m) for m in measures]) for risk, level, measures in rows}


def test_standard_form_photo_with_skew_noise_and_seal_over_the_table():
    page = scans.draw_form(scans.STANDARD)
    page = scans.seal(scans.noise(scans.blur(scans.skew(page, 1.5), 0.8)), (1450, 640))
    form = parse_bytes(scans.png(page), "scan.png")

    assert entries_of(form) == expect([
        ("预算编制审核不严，违规调整预算指标", "high", ["严格执行预算编制程序", "实行集体审核制度"]),
        ("对下属单位资金拨付把关不严", "medium", ["建立拨付台账", "定期开展专项检查"]),
        ("利用职务之便泄露预算信息", "low", ["签订保密承诺书，加强保密教育"]),
        ("收受服务对象礼品礼金", "medium", ["开展警示教育", "实行廉政承诺"]),
        ("挪用公款或截留资金", "high", ["实行钱账分管", "每月对账并报分管领导审核"]),
    ])
    assert [e.position for e in form.entries] == ["股长", "股长", "科员", "科员", "出纳"]
    assert (form.form.unit, form.form.department, form.form.filled_on) == ("某某县财政局", "预算股", "2024-03-05")
    assert form.form.title == "财政局预算股廉政风险点排查登记表"
    # Marked for review, with the recognition confidence a reviewer sees.
    assert form.ocr
    summary = next(w for w in form.warnings if w.code == "ocr")
    assert summary.location["page"] == 1 and 0.5 < summary.location["confidence"] <= 1.0
    assert "扫描件" in summary.message and "请人工核对" in summary.message
    # The seal's text (中共某某县纪委 专用章) is not read into any entry.
    assert not any("专用章" in str(e.to_json()) or "纪委" in str(e.to_json()) for e in form.entries)
    assert form.format == "pdf-scanned"


def test_phone_photo_of_the_page_on_a_desk_taken_at_4_degrees():
    form = parse_bytes(scans.jpeg(scans.skew(scans.photo(scans.draw_form(scans.STANDARD)), 4.0)), "photo.jpg")

    assert [(e.risk, e.level) for e in form.entries] == [
        ("预算编制审核不严,违规调整预算指标", "high"), ("对下属单位资金拨付把关不严", "medium"),
        ("利用职务之便泄露预算信息", "low"), ("收受服务对象礼品礼金", "medium"), ("挪用公款或截留资金", "high"),
    ]


def test_small_print_with_specks():
    """8.5 pt text: the one-character level cells are where a speck turns 低 into 低、."""
    page = scans.noise(scans.skew(scans.draw_form(replace(scans.STANDARD, body_px=24)), 1.0), 0.01)
    form = parse_bytes(scans.png(page), "scan.png")

    assert [e.level for e in form.entries] == ["high", "medium", "low", "medium", "high"]
    assert [len(e.measures) for e in form.entries] == [2, 2, 1, 2, 2]


THREE_LINE = scans.DrawnForm(
    title="机关科室廉政风险点汇总表",
    header=["填报单位:某某县审计局    填报日期:2024年6月3日"],
    cells=[
        ["序号", "科室", "风险点", "风险等级", "防控措施"],
        ["1", "经责审计科", "审计发现问题不如实报告", "高", "1、实行审计组长负责制；2、审计报告集体审定"],
        ["2", "经责审计科", "接受被审计单位宴请", "中", "签订廉洁从审承诺书"],
        ["3", "办公室", "印章使用管理不规范", "低", "建立用印登记簿"],
        ["4", "法规科", "审计处罚自由裁量权过大", "高", "1、细化处罚裁量基准；2、重大处罚集体研究；3、处罚结果公开"],
    ],
    widths=[0.6, 1.4, 2.6, 1, 3.2],
    three_line=True,
)


def test_three_line_table_columns_from_text_gaps_and_a_wrapped_measure():
    page = scans.noise(scans.skew(scans.draw_form(THREE_LINE), 1.0), 0.01)
    form = parse_bytes(scans.png(page), "scan.png")

    assert entries_of(form) == expect([
        ("审计发现问题不如实报告", "high", ["实行审计组长负责制", "审计报告集体审定"]),
        ("接受被审计单位宴请", "medium", ["签订廉洁从审承诺书"]),
        ("印章使用管理不规范", "low", ["建立用印登记簿"]),
        ("审计处罚自由裁量权过大", "high", ["细化处罚裁量基准", "重大处罚集体研究", "处罚结果公开"]),
    ])
    assert [e.department for e in form.entries] == ["经责审计科", "经责审计科", "办公室", "法规科"]


VMERGE = scans.DrawnForm(
    title="办公室岗位廉政风险防控表",
    header=["单位:某某市水务局    科室:办公室    日期:2024年4月1日"],
    cells=[
        ["序号", "岗位", "风险点", "风险等级", "防控措施"],
        ["1", "办公室主任", "公务接待超标准、超范围", "一级", "严格执行接待审批单制度\n每月公开接待费用"],
        ["2", "", "公车私用", "二级", "实行派车单管理\n车辆定点停放"],
        ["3", "", "办公用品采购质次价高", "二级", "实行询价比价\n采购与验收分离"],
        ["4", "文书", "泄露涉密文件内容", "三级", "落实文件登记制度"],
    ],
    widths=[0.6, 1.4, 2.6, 1, 3],
    merges=[(1, 1, 3, 1)],
    notes=["注:风险等级分为一级、二级、三级,一级为最高。"],
    landscape=False,
)


def test_vertical_merge_one_measure_per_line_from_image_pdf_with_blur():
    page = scans.blur(scans.skew(scans.draw_form(VMERGE), -2.0), 1.4)
    form = parse_bytes(scans.image_pdf([page]), "scan.pdf")

    assert entries_of(form) == expect([
        ("公务接待超标准、超范围", "high", ["严格执行接待审批单制度", "每月公开接待费用"]),
        ("公车私用", "medium", ["实行派车单管理", "车辆定点停放"]),
        ("办公用品采购质次价高", "medium", ["实行询价比价", "采购与验收分离"]),
        ("泄露涉密文件内容", "low", ["落实文件登记制度"]),
    ])
    # The merged 岗位 cell (no rule inside the column) covers its three rows.
    assert [e.position for e in form.entries] == ["办公室主任"] * 3 + ["文书"]
    assert [e.source.page for e in form.entries] == [1, 1, 1, 1]


PHASES = scans.DrawnForm(
    title="信访科廉政风险防控措施表",
    header=["填报单位:某某区信访局    科室:信访科    填表时间:2024年5月8日"],
    cells=[
        ["序号", "风险点", "风险等级", "防控措施", "", ""],
        ["", "", "", "前期预防", "中期监控", "后期处置"],
        ["1", "对群众来信拖延办理", "中", "公开办理时限", "建立督办台账", "超期问责"],
        ["2", "泄露举报人信息", "高", "签订保密承诺", "专人管理信件", "严肃追责"],
        ["3", "接访态度生硬", "低", "开展业务培训", "群众满意度回访", "约谈提醒"],
    ],
    widths=[0.6, 2.6, 1, 2, 2, 2],
    merges=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 1, 3)],
    open_sides=True,
)


def test_phase_columns_under_merged_header_open_sides_upside_down_jpeg():
    page = scans.turn(scans.noise(scans.draw_form(PHASES), 0.01), 180)
    form = parse_bytes(scans.jpeg(page), "scan.jpg")

    by_risk = {e.risk: e for e in form.entries}
    assert set(by_risk) == {"对群众来信拖延办理", "泄露举报人信息", "接访态度生硬"}
    assert [(m.phase, m.text) for m in by_risk["泄露举报人信息"].measures] == [
        ("前期预防", "签订保密承诺"), ("中期监控", "专人管理信件"), ("后期处置", "严肃追责"),
    ]
    assert {r: e.level for r, e in by_risk.items()} == {
        "对群众来信拖延办理": "medium", "泄露举报人信息": "high", "接访态度生硬": "low",
    }


INDIVIDUAL = scans.DrawnForm(
    title="个人廉政风险点排查表",
    header=["姓名:王芳        科室:人事科        职务:科长"],
    cells=[
        ["序号", "风险点", "风险类型", "风险等级", "防控措施", "完成时限"],
        ["1", "干部选拔任用中搞暗箱操作", "岗位职责", "红", "1、严格执行民主推荐程序；2、全程纪实", "2024年6月"],
        ["2", "职称评审把关不严", "业务流程", "橙", "1、评审结果公示；2、建立回避制度", "2024年7月"],
        ["3", "人情关系影响公正办事", "思想道德", "黄", "1、参加廉政党课；2、签订廉政承诺书", "长期坚持"],
    ],
    widths=[0.6, 2.6, 1.2, 1, 3.4, 1.3],
    notes=["本人签字:                    日期:"],
)


@pytest.mark.parametrize("degrees", [90, 270])
def test_individual_form_turned_sideways_with_colour_levels(degrees):
    page = scans.turn(scans.blur(scans.draw_form(INDIVIDUAL), 1.0), degrees)
    form = parse_bytes(scans.png(page), "scan.png")

    assert entries_of(form) == expect([
        ("干部选拔任用中搞暗箱操作", "high", ["严格执行民主推荐程序", "全程纪实"]),
        ("职称评审把关不严", "medium", ["评审结果公示", "建立回避制度"]),
        ("人情关系影响公正办事", "low", ["参加廉政党课", "签订廉政承诺书"]),
    ])
    assert [e.category for e in form.entries] == ["岗位职责", "业务流程", "思想道德"]
    assert form.form.person == "王芳"


LETTER = scans.DrawnForm(
    title="关于报送廉政风险排查表的函",
    header=["市纪委派驻纪检组:", "现将我局档案科廉政风险点排查情况报送如下,请审阅。", "某某市档案局  2024年3月20日"],
    cells=[],
    widths=[],
    landscape=False,
)


ROUTINE = [(f"第{i}项档案借阅未登记", f"落实第{i}项借阅登记") for i in range(5, 33)]


@pytest.mark.libreoffice
def test_word_form_over_two_pages_printed_by_libreoffice_after_a_cover_letter():
    spec = {
        "title": "档案科廉政风险防控排查表", "unit": "某某市档案局", "department": "档案科",
        "filled_on": "2024-03-18",
        "rows": [
            {"position": "科长", "risk": "违规提供档案查阅", "category": "岗位职责", "level": "高",
             "measures": ["严格执行查阅登记", "涉密档案双人审批"], "owner": "赵磊"},
            {"position": "科长", "risk": "档案鉴定销毁不规范", "category": "业务流程", "level": "中",
             "measures": ["成立鉴定小组集体决定"], "owner": "赵磊"},
            {"position": "档案员", "risk": "收受查档人员好处", "category": "思想道德", "level": "低",
             "measures": ["公开查档流程", "设立监督电话"], "owner": "孙悦"},
            {"position": "档案员", "risk": "档案数字化外包监管缺位", "category": "制度机制", "level": "中",
             "measures": ["签订保密协议", "全程视频监控"], "owner": "孙悦"},
        ] + [
            {"position": "档案员", "risk": risk, "category": "制度机制", "level": "低", "measures": [measure],
             "owner": "孙悦"}
            for risk, measure in ROUTINE
        ],
    }
    form_pages = scans.pdf_to_images(scans.docx_to_pdf(make_form_docx(spec)))
    assert len(form_pages) == 2  # Word repeats the header row on the second page
    data = scans.image_pdf([scans.draw_form(LETTER), scans.skew(form_pages[0], 1.0), form_pages[1]])

    letter = read_pdf(data, [1])
    assert (letter.grids, letter.warnings) == ([], [("ocr_no_table", "第1页未发现表格(如封面、说明),已跳过该页的表格识别")])
    assert any("报送如下" in line for line in letter.lines)
    form = parse_bytes(data, "scan.pdf")

    assert entries_of(form) == expect([
        ("违规提供档案查阅", "high", ["严格执行查阅登记", "涉密档案双人审批"]),
        ("档案鉴定销毁不规范", "medium", ["成立鉴定小组集体决定"]),
        ("收受查档人员好处", "low", ["公开查档流程", "设立监督电话"]),
        ("档案数字化外包监管缺位", "medium", ["签订保密协议", "全程视频监控"]),
    ] + [(risk, "low", [measure]) for risk, measure in ROUTINE])
    assert [e.owner for e in form.entries[:4]] == ["赵磊", "赵磊", "孙悦", "孙悦"]
    assert {e.source.page for e in form.entries} == {2, 3}
    assert form.form.department == "档案科"


def test_single_characters_the_detector_missed_are_read_from_their_cells(monkeypatch):
    """Lone 序号 digits and one-character levels are what detection drops first."""
    real_detect = engine.detect
    monkeypatch.setattr(engine, "detect", lambda img: [b for b in real_detect(img) if b.width > 1.5 * b.height])
    doc = read_image(scans.png(scans.blur(scans.draw_form(scans.STANDARD), 0.8)))

    [grid] = doc.grids
    assert [row[0].text for row in grid.rows] == ["序号", "1", "2", "3", "4", "5"]
    assert [row[3].text for row in grid.rows[1:]] == ["高", "中", "低", "中", "高"]
    assert all(row[3].confidence >= 0.5 for row in grid.rows[1:])
    assert all(0 < c.confidence <= 1 and c.bbox is not None for row in grid.rows for c in row if c.text)
